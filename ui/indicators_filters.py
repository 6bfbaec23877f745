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

from monitoring.i18n import N_, _, ngettext
from ui.text import quoted as shown  # a value from the address, in a notice

NOT_IN_VIEW = N_("not available in this view")  # a donor's view: unknown and withheld alike


def not_in_view() -> str:
    """NOT_IN_VIEW in the current language."""
    return _(NOT_IN_VIEW)


def unknown_parameters(known: set[str]) -> list[str]:
    """Notices for query parameters this page does not use."""
    unknown = [key for key in st.query_params if key not in known]
    if not unknown:
        return []
    return [
        _(
            "The page address has {unknown}, which this page does not use; it was ignored. "
            "The page understands: {known}."
        ).format(unknown=", ".join(map(shown, unknown)), known=", ".join(sorted(known)))
    ]


def seed_choice(
    key: str,
    labels: list[str],
    parse: Callable[[str], str | None],
    label: str,
    *,
    in_view: bool = False,
    shown_as: Callable[[str], str] = str,
) -> list[str]:
    """Before a bound single-choice widget is drawn the first time, translate the address's
    value for `key` into one of `labels`; return a notice if it names none of them.

    `in_view` (a donor's view): the notice says the value is not available in this view,
    the same words whether it exists elsewhere or not at all. `shown_as`: the widget's
    format_func (a bound widget keeps its shown label in the address).
    """
    if key in st.session_state:
        return []
    values = st.query_params.get_all(key)
    if not values or values[-1] in [shown_as(label) for label in labels]:
        return []
    choice = parse(values[-1])
    if choice in labels:
        st.session_state[key] = choice
        return []
    if in_view:
        return [
            _(
                "The page address asks for **{label}** {value}, which is {not_in_view}; it "
                "was ignored. Pick from the box instead."
            ).format(label=label, value=shown(values[-1]), not_in_view=not_in_view())
        ]
    return [
        _(
            "The page address gives **{label}** as {value}, which is not one of its "
            "choices; it was ignored. Pick from the box instead."
        ).format(label=label, value=shown(values[-1]))
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
            _(
                "The page address asks for **{label}** {values}: {not_in_view}, left out. "
                "This view shows only the regions in the box."
            ).format(label=label, values=", ".join(map(shown, unknown)), not_in_view=not_in_view())
        ]
    return [
        ngettext(
            "The page address gives **{label}** as {values}, which is not among its "
            "choices; ignored. Pick from the box instead.",
            "The page address gives **{label}** as {values}, which are not among its "
            "choices; ignored. Pick from the box instead.",
            len(unknown),
        ).format(label=label, values=", ".join(map(shown, unknown)))
    ]
