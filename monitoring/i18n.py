"""Languages: the dashboard's words in English, Russian and Uzbek, and numbers, dates and
money written as each language writes them (docs/translations.md).

Words are gettext messages, written in English in the code and translated in catalogues
managed with Babel: `monitoring/locale/<lang>/LC_MESSAGES/<area>.po`, one per area of the
code (scripts/translations.py lists the areas; `make messages` extracts and updates them).
The catalogues are read from their .po files when first needed, so a changed translation is
seen after a restart without a compile step; `make translations-compile` writes .mo files too.

Which language a piece of code speaks is the language of the current context: the
dashboard sets it at the start of every run (`use`), the command line from `--lang` or
`LANG`. Code everywhere else just calls `_("...")`:

    from monitoring.i18n import _, ngettext
    _("Months elapsed")
    _("{done} of {total} due").format(done=3, total=5)   # never an f-string inside _()
    ngettext("{n} indicator", "{n} indicators", n).format(n=fmt_number(n))

A message kept at module level (a dict of labels, a constant) is marked with `N_` and
translated where it is shown: `_(LABELS[key])`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import math
import os
import re
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from decimal import Decimal
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LANGUAGES: dict[str, str] = {"en": "English", "ru": "Русский", "uz": "Oʻzbekcha"}
DEFAULT = "en"
# The CLDR locale each language is formatted with: British English writes "30 June 2022".
LOCALES: dict[str, str] = {"en": "en_GB", "ru": "ru", "uz": "uz_Latn"}
LOCALE_DIR = Path(__file__).parent / "locale"

_current: ContextVar[str] = ContextVar("monitoring_language", default=DEFAULT)


# Choosing --------------------------------------------------------------------------------
def normalise(asked: str | None) -> str | None:
    """The dashboard's language for a language tag ("ru-RU", "uz_Latn_UZ", "RU"), or None."""
    if not asked:
        return None
    head = re.split(r"[-_.@\s]", str(asked).strip().lower(), maxsplit=1)[0]
    return head if head in LANGUAGES else None


def choose(*asked: str | None) -> str:
    """The first of the asked languages the dashboard speaks (the address's ?lang=, the
    share link's, the browser's), else English."""
    for tag in asked:
        lang = normalise(tag)
        if lang:
            return lang
    return DEFAULT


def from_environment(argument: str | None = None) -> str:
    """The command line's language: --lang, else LC_ALL, LC_MESSAGES, LANG, else English."""
    env = os.environ
    return choose(argument, env.get("LC_ALL"), env.get("LC_MESSAGES"), env.get("LANG"))


def use(lang: str | None) -> str:
    """Make `lang` the language of the current context (a run of a page, a command)."""
    chosen = choose(lang)
    _current.set(chosen)
    return chosen


def current() -> str:
    """The language of the current context."""
    return _current.get()


@contextlib.contextmanager
def language(lang: str | None) -> Iterator[str]:
    """Speak `lang` inside the block, then what was spoken before."""
    token = _current.set(choose(lang))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


# Catalogues ------------------------------------------------------------------------------
def catalogue_files(lang: str) -> list[Path]:
    """The .po files of a language, one per area of the code."""
    return sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po"))


@functools.cache
def translations(lang: str) -> NullTranslations:
    """Every area's catalogue of `lang` as one set of translations (fuzzy ones left out)."""
    if lang == DEFAULT or lang not in LANGUAGES:
        return NullTranslations()
    merged = Catalog(locale=LOCALES[lang])  # plural forms: the language's (CLDR)
    for path in catalogue_files(lang):
        with path.open("rb") as f:
            catalog = read_po(f, locale=LOCALES[lang])
        for message in catalog:
            if message.id and message.string and not message.fuzzy:
                merged[message.id] = message
    buffer = io.BytesIO()
    write_mo(buffer, merged, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer)


def _(message: str) -> str:
    """`message` (English) in the current language."""
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for n things, in the current language's plural rules."""
    return translations(_current.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """A message whose translation depends on where it is used (e.g. "May" the month)."""
    return translations(_current.get()).pgettext(context, message)


def N_(message: str) -> str:
    """Mark a message for the catalogues without translating it here (module constants)."""
    return message


# Numbers, dates, money ------------------------------------------------------------------
def locale(lang: str | None = None) -> Locale:
    """The CLDR locale of a language (of the current one by default)."""
    return _locale(lang or current())


@functools.cache
def _locale(lang: str) -> Locale:
    # Parsed once: Babel given a tag parses it on every call (2.5 times the formatting).
    return Locale.parse(LOCALES[lang])


def number(value: float | int | None, decimals: int = 0, missing: str = "–") -> str:
    """A number with the language's digit grouping and decimal mark: 1,234.5 / 1 234,5.

    Written as Babel writes it with the pattern "#,##0[.00]" (tests/unit/test_quality_at_scale.py
    compares the two in every language), by Python's formatting with the language's marks put
    in: Babel took 20-25 µs a number, parsing its pattern each time (a map of 200
    organisations writes about 1,300)."""
    return _write_number(
        value, f",.{max(decimals, 0)}f", _number_symbols(current()), missing, decimals
    )


def measured(value: float | int | None, missing: str = "–") -> str:
    """A value as it was measured: the language's grouping and decimal mark, up to two
    decimals and none when it is whole (52.4 -> "52,4" in Russian, 900.0 -> "900")."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    return babel_numbers.format_decimal(value, format=_pattern("#,##0.##"), locale=locale())


def numbers(values: Iterable, decimals: int = 0, missing: str = "–") -> list[str]:
    """Each value as `number(value, decimals, missing)` writes it, in the current language,
    5 to 30 times faster (a table of tens of thousands of numbers took Babel seconds): Python
    formats, the language's grouping, decimal mark and minus sign are put in, and each
    distinct value is written once. Rounded half to even, as Babel rounds."""
    table = _number_symbols(current())
    spec = f",.{max(decimals, 0)}f"
    written: dict = {}  # values repeat (counts): each distinct one is written once
    out = []
    for value in values:
        try:
            text = written.get(value)
        except TypeError:  # not hashable
            text = None
        if text is None:
            text = _write_number(value, spec, table, missing, decimals)
            if text != missing and value != 0:  # -0.0 equals 0.0 but is written "-0"
                written[value] = text
        out.append(text)
    return out


@functools.cache
def _number_symbols(lang: str) -> dict[int, str]:
    """How Python's "," (grouping), "." (decimal mark) and "-" are written in `lang`."""
    loc = LOCALES[lang]
    return str.maketrans(
        {
            ",": babel_numbers.get_group_symbol(loc),
            ".": babel_numbers.get_decimal_symbol(loc),
            "-": babel_numbers.get_minus_sign_symbol(loc),
        }
    )


def _write_number(value, spec: str, table: dict[int, str], missing: str, decimals: int) -> str:
    if value is None:
        return missing
    try:
        if value != value:  # NaN (float, numpy)
            return missing
    except TypeError:  # pandas.NA
        return missing
    if isinstance(value, float) and math.isinf(value):
        return babel_numbers.format_decimal(value, format=_pattern("#,##0"), locale=locale())
    return format(Decimal(str(value)), spec).translate(table)


@functools.cache
def _pattern(pattern: str) -> babel_numbers.NumberPattern:
    """A number pattern parsed once (Babel given the text parses it on every call)."""
    return babel_numbers.parse_pattern(pattern)


def percent(share: float | None, decimals: int = 0, missing: str = "–") -> str:
    """A share (0.456) as a percentage in the language's way: 46% / 46 %."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return missing
    loc = locale()
    pattern = loc.percent_formats[None].pattern  # "#,##0%", "#,##0 %"
    if decimals > 0:
        pattern = pattern.replace("#,##0", "#,##0." + "0" * decimals, 1)
    return babel_numbers.format_percent(share, format=_pattern(pattern), locale=loc)


def money(amount: float | None, currency: str = "USD", decimals: int = 0) -> str:
    """An amount and its currency code: 1,234 USD / 1 234 USD."""
    if amount is None or (isinstance(amount, float) and math.isnan(amount)):
        return "–"
    return _with_currency(number(amount, decimals), currency)


def moneys(amounts: Iterable, currencies: Iterable[str], decimals: int = 0) -> list[str]:
    """Each amount with its currency as `money` writes it, the numbers written together
    (`numbers`: many amounts, one at a time through Babel, took 0.1 ms each)."""
    return [
        "–" if text == "–" else _with_currency(text, currency)
        for text, currency in zip(numbers(amounts, decimals), currencies, strict=True)
    ]


def _with_currency(written: str, currency: str) -> str:
    return f"{written} {currency}"


def date(day: dt.date | None, form: str = "long") -> str:
    """A date: long "30 June 2022" / "30 июня 2022 г." / "30-iyun, 2022"; medium
    "30 Jun 2022"; short "30/06/2022"."""
    if day is None:
        return "–"
    return babel_dates.format_date(day, format=form, locale=locale())


def month(day: dt.date) -> str:
    """A month and year: "June 2022" / "июнь 2022" / "Iyun 2022"."""
    return babel_dates.format_date(day, "LLLL y", locale=locale())


def short_month(day: dt.date) -> str:
    """An abbreviated month and year, for chart axes: "Jun 2022" / "июнь 2022" / "iyn 2022"."""
    return babel_dates.format_date(day, "LLL y", locale=locale())


def datetime(moment: dt.datetime | None) -> str:
    """A moment, to the minute (UTC as stored): "30 Jun 2022, 14:05"."""
    if moment is None:
        return "–"
    return f"{date(moment.date(), 'medium')}, {moment:%H:%M}"


def separators(lang: str | None = None) -> str:
    """Plotly's `layout.separators` for a language: the decimal mark, then the group mark."""
    loc = LOCALES[lang or current()]
    group = babel_numbers.get_group_symbol(loc)
    return babel_numbers.get_decimal_symbol(loc) + (" " if group.isspace() else group)


def language_name(lang: str) -> str:
    """A language's own name (for the picker)."""
    return LANGUAGES[lang]


def check_locales() -> None:
    """Fail early when Babel lacks one of the languages' locale data."""
    for tag in LOCALES.values():
        try:
            Locale.parse(tag)
        except UnknownLocaleError as exc:  # pragma: no cover - Babel ships all three
            raise RuntimeError(f"Babel has no locale data for {tag}") from exc
