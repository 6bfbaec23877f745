"""Marks for core functions that pages call without the protected view, and why.

Every core function a page calls that reads the database takes the protected view
(monitoring/access/view.py), unless it is marked here; tests/unit/test_protected_view.py
checks both, and where each marked function may be called from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)

FREE_OF_PEOPLE_DATA = "free of people's data"
TEAM_ONLY = "team only"
DECIDES_WHO_IS_LOOKING = "decides who is looking"


def _mark(reason: str) -> Callable[[F], F]:
    def mark(fn: F) -> F:
        fn.outside_the_view = reason  # type: ignore[attr-defined]
        return fn

    return mark


# Returns nothing about people or a viewer's scope (region names, the programme's dates).
free_of_people_data = _mark(FREE_OF_PEOPLE_DATA)
# Serves only pages a share link can never open (data upload, administration).
team_only = _mark(TEAM_ONLY)
# Works out who is looking (sign-in, share and sign-in links), before any view exists.
decides_who_is_looking = _mark(DECIDES_WHO_IS_LOOKING)


def reason_outside_the_view(fn: Callable) -> str | None:
    """Why `fn` may be called by a page without the protected view; None if it may not."""
    return getattr(fn, "outside_the_view", None)
