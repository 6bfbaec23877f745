"""Page filters kept in the URL: widgets bound to query parameters, with a notice for
values in the address that are not among the choices (Streamlit drops them silently)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from monitoring.i18n import _
from ui.text import code, plain_join


def url_multiselect(
    container,
    label: str,
    options: Sequence[Any],
    key: str,
    format_func: Callable[[Any], str] = str,
    help: str | None = None,
) -> list:
    """A multiselect kept in the URL as ?key=A&key=B (values as shown); empty means all."""
    known = {format_func(o) for o in options}
    ignored = [v for v in st.query_params.get_all(key) if v and v not in known]
    if ignored:
        choices = plain_join(sorted(known))  # labels: text from the data
        asked = ", ".join(code(value, 40) for value in ignored)
        st.warning(
            # TRANSLATORS: {what} is the filter's name in lower case, e.g. "region".
            _(
                "The page address asks for {what} {asked}, which is not one of the choices "
                "({choices}); it was ignored. Pick from the **{filter}** filter instead."
            ).format(what=label.lower(), asked=asked, choices=choices, filter=label),
            icon=":material/link_off:",
        )
    return container.multiselect(
        label,
        list(options),
        key=key,
        bind="query-params",
        format_func=format_func,
        placeholder=_("All"),
        help=help,
    )
