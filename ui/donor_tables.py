"""Protected tables as a donor sees them: hidden cells are words, so the column is text."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd


def _cell(value, pattern: str) -> str | None:
    if isinstance(value, str):  # "<5" or "hidden"
        return value
    if pd.isna(value):
        return None
    return pattern.format(value)


def as_text(table: pd.DataFrame, formats: Mapping[str, str]) -> pd.DataFrame:
    """`table` with each column of `formats` as text: numbers written with their format
    (e.g. "{:,.0f}", "{:.0f}%"), hidden cells ("<5", "hidden") kept, empty cells empty.

    A column holding both numbers and words cannot keep a number format in st.dataframe;
    text keeps every cell readable, in the table and in its downloads.
    """
    out = table.copy()
    for column, pattern in formats.items():
        out[column] = pd.Series(
            [_cell(v, pattern) for v in out[column]], index=out.index, dtype=object
        )
    return out
