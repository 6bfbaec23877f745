"""Page filters kept in the URL: widgets bound to query parameters, with a notice for
values in the address that are not among the choices (Streamlit drops them silently)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st


def _shown(value: str, limit: int = 40) -> str:
    """A value from the address as inline code: never read as markdown or a link."""
    text = value.replace("`", "'").replace("\n", " ")
    return f"`{text[:limit]}{'…' if len(text) > limit else ''}`"


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
        choices = ", ".join(sorted(known))
        st.warning(
            f"The page address asks for {label.lower()} {', '.join(map(_shown, ignored))}, "
            f"which is not one of the choices ({choices}); it was ignored. Pick from the "
            f"**{label}** filter instead.",
            icon=":material/link_off:",
        )
    return container.multiselect(
        label,
        list(options),
        key=key,
        bind="query-params",
        format_func=format_func,
        placeholder="All",
        help=help,
    )
