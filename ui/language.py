"""The language of this run: the address's ?lang=, else the browser's, else English; and the
picker in the sidebar that changes it (docs/translations.md)."""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

from monitoring import i18n
from monitoring.i18n import _

LANG_PARAM = "lang"
_PICKER_KEY = "_language_picker"
_LAST_RUN_KEY = "_language_of_last_run"


def _browser_language() -> str | None:
    try:
        return st.context.locale
    except Exception:  # noqa: BLE001 - no browser (AppTest without a locale, a bare script)
        return None


def language_of_this_run() -> str:
    """Decide and set the language every piece of code of this run speaks."""
    asked = st.query_params.get(LANG_PARAM)
    lang = i18n.use(i18n.choose(asked, _browser_language()))
    last = st.session_state.get(_LAST_RUN_KEY)
    st.session_state[_LAST_RUN_KEY] = lang
    if last is not None and last != lang:
        _show_choices_again()
    return lang


def _show_choices_again() -> None:
    """After the language changed: every choice made in a box is set again, as it is, so
    that the box shows it in this run's words. Streamlit keeps showing a box's chosen option
    as it was written when chosen (a chosen indicator's English title, "All"), though it
    writes the options anew (streamlit/streamlit pull request 13788). Choices of text only:
    the state of buttons, uploads and tables cannot be set."""
    for key in list(st.session_state.keys()):
        if key.startswith("_") or key == _PICKER_KEY:
            continue
        value = st.session_state[key]
        text = isinstance(value, str) or (
            isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
        )
        if text:
            try:
                st.session_state[key] = value
            except StreamlitAPIException:  # a widget already drawn in this run (none is
                continue  # before language_of_this_run, which the frame calls first)


def link_params() -> dict[str, str]:
    """The language a link between pages carries: the one chosen in the address, if any."""
    asked = i18n.normalise(st.query_params.get(LANG_PARAM))
    return {LANG_PARAM: asked} if asked else {}


def _picked() -> None:
    st.query_params[LANG_PARAM] = st.session_state[_PICKER_KEY]


def language_picker() -> None:
    """A language picker (call inside the sidebar); the choice is kept in the address."""
    current = i18n.current()
    st.session_state[_PICKER_KEY] = current
    st.selectbox(
        _("Language"),
        list(i18n.LANGUAGES),
        format_func=i18n.language_name,
        key=_PICKER_KEY,
        on_change=_picked,
    )


def spinner_shows_time() -> bool:
    """Whether a spinner may show how long it has been running: Streamlit writes that part
    ("(1.8 seconds)") in English only, so in Russian and Uzbek the spinner says its words
    alone rather than mix two languages."""
    return i18n.current() == "en"
