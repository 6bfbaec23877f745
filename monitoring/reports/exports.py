"""Downloads of what a page shows: CSV and XLSX, safe to open in a spreadsheet."""

from __future__ import annotations

import io

import pandas as pd

# A text cell starting with one of these is a formula to a spreadsheet program.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value):
    """Prefix a text cell that a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells cannot be run as formulas."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if column.dtype == object or pd.api.types.is_string_dtype(column):
            out[name] = column.map(neutralise_cell)
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with BOM (so Excel reads Cyrillic correctly), formulas neutralised."""
    return neutralise(frame).to_csv(index=False).encode("utf-8-sig")


def _without_time_zones(frame: pd.DataFrame) -> pd.DataFrame:
    """Excel has no time zones: times with one are written as UTC (name the column so)."""
    out = frame.copy()
    for name in out.columns:
        if isinstance(out[name].dtype, pd.DatetimeTZDtype):
            out[name] = out[name].dt.tz_convert("UTC").dt.tz_localize(None)
    return out


def to_xlsx_bytes(frame: pd.DataFrame, sheet: str = "data") -> bytes:
    """An XLSX workbook of one sheet, formulas neutralised and stored as text."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        sheet_frame = _without_time_zones(neutralise(frame))
        sheet_frame.to_excel(writer, index=False, sheet_name=sheet[:31])
    return buffer.getvalue()
