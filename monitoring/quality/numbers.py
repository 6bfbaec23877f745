"""Many numbers written at once, as `monitoring.i18n.number` writes each (the language's digit
grouping, decimal mark and minus sign; rounded half to even, as Babel rounds), 5 to 30 times
faster, each distinct value once: the quality page writes tens of thousands of values and both
sides of every rule violation, and Babel took seconds for them at 1,000,000 values."""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal
from functools import cache

from babel import numbers as babel_numbers

from monitoring import i18n


@cache
def _symbols(lang: str) -> dict[int, str]:
    """How Python's "," (grouping), "." (decimal mark) and "-" are written in `lang`."""
    loc = i18n.LOCALES[lang]
    return str.maketrans(
        {
            ",": babel_numbers.get_group_symbol(loc),
            ".": babel_numbers.get_decimal_symbol(loc),
            "-": babel_numbers.get_minus_sign_symbol(loc),
        }
    )


def numbers(values: Iterable, decimals: int = 0, missing: str = "–") -> list[str]:
    """Each value as `i18n.number(value, decimals, missing)` writes it, in the current language."""
    table = _symbols(i18n.current())
    spec = f",.{max(decimals, 0)}f"
    written: dict = {}  # values repeat (counts): each distinct one is written once
    out = []
    for value in values:
        try:
            text = written.get(value)
        except TypeError:  # not hashable
            text = None
        if text is None:
            text = _write(value, spec, table, missing, decimals)
            if text != missing and value != 0:  # -0.0 equals 0.0 but is written "-0"
                written[value] = text
        out.append(text)
    return out


def _write(value, spec: str, table: dict[int, str], missing: str, decimals: int) -> str:
    if value is None:
        return missing
    try:
        if value != value:  # NaN (float, numpy)
            return missing
    except TypeError:  # pandas.NA
        return missing
    if isinstance(value, float) and math.isinf(value):
        return i18n.number(value, decimals, missing)
    return format(Decimal(str(value)), spec).translate(table)


def number(value, decimals: int = 0, missing: str = "–") -> str:
    """One value (as `numbers`)."""
    return numbers([value], decimals, missing)[0]
