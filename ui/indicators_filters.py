"""The outcome indicators page's filters, kept in the URL.

Widgets are bound to query parameters (`bind="query-params"`), and a bound widget only
understands its own shown labels: it drops anything else silently. So before a widget is
drawn for the first time, the address is read here: a value written another way (a region's
code, a comma-separated list, `outcome=2`, `from=Q1 2021`) is translated into the widget's
choice, and a value that means nothing is reported in a notice instead of vanishing.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ui.text import quoted as shown  # a value from the address, in a notice

NOT_IN_VIEW = "not available in this view"  # a donor's view: unknown and withheld alike


def unknown_parameters(known: set[str]) -> list[str]:
    """Notices for query parameters this page does not use."""
    unknown = [key for key in st.query_params if key not in known]
    if not unknown:
        return []
    return [
        f"The page address has {', '.join(map(shown, unknown))}, which this page does not "
        f"use; it was ignored. The page understands: {', '.join(sorted(known))}."
    ]


def seed_choice(
    key: str,
    labels: list[str],
    parse: Callable[[str], str | None],
    label: str,
    *,
    in_view: bool = False,
) -> list[str]:
    """Before a bound single-choice widget is drawn the first time, translate the address's
    value for `key` into one of `labels`; return a notice if it names none of them.

    `in_view` (a donor's view): the notice says the value is not available in this view,
    the same words whether it exists elsewhere or not at all.
    """
    if key in st.session_state:
        return []
    values = st.query_params.get_all(key)
    if not values or values[-1] in labels:
        return []
    choice = parse(values[-1])
    if choice in labels:
        st.session_state[key] = choice
        return []
    if in_view:
        return [
            f"The page address asks for **{label}** {shown(values[-1])}, which is "
            f"{NOT_IN_VIEW}; it was ignored. Pick from the box instead."
        ]
    return [
        f"The page address gives **{label}** as {shown(values[-1])}, which is not one of its "
        "choices; it was ignored. Pick from the box instead."
    ]


def seed_multichoice(
    key: str,
    labels: list[str],
    parse: Callable[[list[str]], tuple[list, list[str]]],
    label: str,
    *,
    in_view: bool = False,
) -> list[str]:
    """Like `seed_choice` for a multiselect: `parse` returns (options, unknown items)."""
    if key in st.session_state:
        return []
    values = st.query_params.get_all(key)
    if not values or all(v in labels for v in values):
        return []
    options, unknown = parse(values)
    if options:
        st.session_state[key] = options
    if not unknown:
        return []
    if in_view:
        return [
            f"The page address asks for **{label}** {', '.join(map(shown, unknown))}: "
            f"{NOT_IN_VIEW}, left out. This view shows only the regions in the box."
        ]
    return [
        f"The page address gives **{label}** as {', '.join(map(shown, unknown))}, which "
        f"{'is' if len(unknown) == 1 else 'are'} not among its choices; ignored. Pick from "
        "the box instead."
    ]
