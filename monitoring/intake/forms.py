"""Accepted forms of values: turn what people write into the contract's canonical form.

Each parser takes the text of one cell (already trimmed, never empty) and returns the
canonical text, or raises FormError with a plain reason and a fix. Nothing is guessed:
a value that could be read two ways is refused.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from monitoring.contract import CURRENCIES
from monitoring.i18n import N_, _


class FormError(ValueError):
    """A value that is not in any accepted form; `reason` and `fix` are plain words."""

    def __init__(self, reason: str, fix: str):
        super().__init__(reason)
        self.reason = reason
        self.fix = fix


# Numbers ----------------------------------------------------------------------------------
_SPACES = "\u00a0\u202f\u2009 "  # thousands separators written as (non-breaking) spaces
_MINUS = "-\u2212\u2013"  # hyphen, minus sign, en dash
_NUMBER_FORMS = [
    # (pattern, thousands separator, decimal mark)
    (re.compile(r"\d+"), None, None),
    (re.compile(r"\d*\.\d+"), None, "."),
    (re.compile(r"\d*,\d+"), None, ","),
    (re.compile(r"\d{1,3}(,\d{3})+\.\d+"), ",", "."),
    (re.compile(r"\d{1,3}(,\d{3}){2,}"), ",", None),
    (re.compile(r"\d{1,3}(\.\d{3})+,\d+"), ".", ","),
    (re.compile(r"\d{1,3}(\.\d{3}){2,}"), ".", None),
    (re.compile(r"\d{1,3}( \d{3})+"), " ", None),
    (re.compile(r"\d{1,3}( \d{3})+[.,]\d+"), " ", "either"),
    (re.compile(r"\d+(\.\d+)?[eE][+-]?\d{1,3}"), None, "."),
]
_AMBIGUOUS_COMMA = re.compile(r"[1-9]\d{0,2},\d{3}")
NUMBER_FIX = N_("Write a plain number such as 1234.5 or 1 234,5, without units or letters.")
LARGEST = Decimal("1e15")


def parse_number(
    text: str, *, comma_is_decimal: bool = False, percent_sign: bool = False
) -> Decimal:
    """A decimal number written in any accepted form.

    `1,234` is ambiguous (1234 or 1.234?) and refused, unless the file is `;`-separated
    (`comma_is_decimal`): there the comma is the decimal mark, as Excel writes it in
    Russian and Uzbek locales. A trailing `%` is dropped where `percent_sign` allows it.
    """
    s = text.strip()
    for space in _SPACES:
        s = s.replace(space, " ")
    s = re.sub(" +", " ", s)
    sign = ""
    if s[:1] in _MINUS:
        sign, s = "-", s[1:].lstrip()
    elif s[:1] == "+":
        s = s[1:].lstrip()
    if percent_sign and s.endswith("%"):
        s = s[:-1].rstrip()
    form = next((f for f in _NUMBER_FORMS if f[0].fullmatch(s)), None)
    if form is None:
        raise FormError(_("{value} is not a number").format(value=repr(text)), _(NUMBER_FIX))
    _pattern, thousands, decimal = form
    if decimal == "," and thousands is None and _AMBIGUOUS_COMMA.fullmatch(s):
        if not comma_is_decimal:
            raise FormError(
                _("{value} is ambiguous: it could mean {whole} or {decimal}").format(
                    value=repr(text), whole=s.replace(",", ""), decimal=s.replace(",", ".")
                ),
                _("Write {whole} (no separator) or {decimal} (decimal point).").format(
                    whole=s.replace(",", ""), decimal=s.replace(",", ".")
                ),
            )
    if thousands:
        s = s.replace(thousands, "")
    s = s.replace(",", ".")
    try:
        value = Decimal(sign + s)
    except InvalidOperation:  # pragma: no cover - the patterns above only pass numbers
        raise FormError(
            _("{value} is not a number").format(value=repr(text)), _(NUMBER_FIX)
        ) from None
    if abs(value) >= LARGEST:
        raise FormError(
            _("{value} is too large").format(value=repr(text)),
            _("Check the value: numbers stay below 10^15."),
        )
    return value


def canonical_number(value: Decimal) -> str:
    """`1234.5`: no exponent, no trailing zeros."""
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def decimals(value: Decimal) -> int:
    return max(0, -value.normalize().as_tuple().exponent)


# Dates, quarters, months -------------------------------------------------------------------
_ISO_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?")
_DAY_FIRST = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?: 00:00(?::00)?)?")
_SHORT_YEAR = re.compile(r"\d{1,2}[./-]\d{1,2}[./-]\d{2}")
DATE_FIX = N_("Write the date as 2021-04-15 or 15.04.2021 (day first).")


def _make_date(text: str, year: int, month: int, day: int) -> dt.date:
    if not 1 <= month <= 12:
        raise FormError(
            _("{value} has no month {month} (dates are read day first)").format(
                value=repr(text), month=month
            ),
            _(DATE_FIX),
        )
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise FormError(
            _("{value} is not a day of the calendar").format(value=repr(text)), _(DATE_FIX)
        ) from None


def parse_date(text: str) -> dt.date:
    s = text.strip()
    if match := _ISO_DATE.fullmatch(s):
        return _make_date(text, int(match[1]), int(match[2]), int(match[3]))
    if match := _DAY_FIRST.fullmatch(s):
        return _make_date(text, int(match[3]), int(match[2]), int(match[1]))
    if _SHORT_YEAR.fullmatch(s):
        raise FormError(
            _("{value} has a two-digit year").format(value=repr(text)),
            _("Write the year in full: 15.04.2021."),
        )
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?", s):
        raise FormError(
            _("{value} holds a time of day").format(value=repr(text)),
            _("Write the date only: 2021-04-15."),
        )
    raise FormError(_("{value} is not a date").format(value=repr(text)), _(DATE_FIX))


_PERIOD_FORMS = (
    re.compile(r"(?P<y>\d{4})\s*[-/ ]?\s*Q(?P<q>[1-4])"),
    re.compile(r"Q(?P<q>[1-4])\s*[-/ ]?\s*(?P<y>\d{4})"),
)
PERIOD_FIX = N_("Write the quarter as 2021Q1 (also accepted: 2021-Q1, 2021 Q1, Q1 2021).")


def parse_period(text: str) -> str:
    s = text.strip().upper()
    for form in _PERIOD_FORMS:
        if match := form.fullmatch(s):
            return f"{match['y']}Q{match['q']}"
    raise FormError(_("{value} is not a quarter").format(value=repr(text)), _(PERIOD_FIX))


_MONTH_FORMS = (
    re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})"),
    re.compile(r"(?P<m>\d{1,2})[-/.](?P<y>\d{4})"),
)
MONTH_FIX = N_("Write the month as 2021-03 (also accepted: 03.2021).")


def parse_month(text: str) -> str:
    s = text.strip()
    for form in _MONTH_FORMS:
        if match := form.fullmatch(s):
            month = int(match["m"])
            if not 1 <= month <= 12:
                raise FormError(
                    _("{value} has no month {month}").format(value=repr(text), month=month),
                    _(MONTH_FIX),
                )
            return f"{match['y']}-{month:02d}"
    try:
        day = parse_date(s)
    except FormError:
        raise FormError(
            _("{value} is not a month").format(value=repr(text)), _(MONTH_FIX)
        ) from None
    if day.day != 1:
        raise FormError(_("{value} is a day, not a month").format(value=repr(text)), _(MONTH_FIX))
    return f"{day:%Y-%m}"


# Booleans, choices, currencies ---------------------------------------------------------------
_APOSTROPHES = "\u2018\u2019\u02bb\u02bc`\u00b4"


def fold(text: str) -> str:
    """Case- and apostrophe-insensitive, single-spaced form of a word, for matching."""
    s = unicodedata.normalize("NFC", text).casefold().replace("ё", "е")
    for mark in _APOSTROPHES:
        s = s.replace(mark, "'")
    return re.sub(r"\s+", " ", s).strip()


_BOOLEANS = {
    **dict.fromkeys(("true", "yes", "y", "1", "да", "ha", "ҳа"), "true"),
    **dict.fromkeys(("false", "no", "n", "0", "нет", "yo'q", "йўқ"), "false"),
}


def parse_boolean(text: str) -> str:
    try:
        return _BOOLEANS[fold(text)]
    except KeyError:
        raise FormError(
            _("{value} is not yes or no").format(value=repr(text)),
            _("Write {true} or {false} (also accepted: {others}).").format(
                true="true", false="false", others="yes/no, 1/0, да/нет, ha/yo'q"
            ),
        ) from None


def parse_choice(text: str, choices: tuple[str, ...]) -> str:
    s = re.sub(r"[\s\-]+", "_", fold(text))
    if s in choices:
        return s
    raise FormError(
        _("{value} is not one of the allowed values").format(value=repr(text)),
        _("Write one of: {choices}.").format(choices=", ".join(choices)),
    )


def parse_currency(text: str) -> str:
    s = text.strip().upper()
    if s in CURRENCIES:
        return s
    raise FormError(
        _("{value} is not a currency we report in").format(value=repr(text)),
        _("Write {first} or {second}.").format(first=CURRENCIES[0], second=CURRENCIES[1]),
    )


def parse_integer(text: str, *, comma_is_decimal: bool = False) -> int:
    value = parse_number(text, comma_is_decimal=comma_is_decimal)
    if value != value.to_integral_value():
        raise FormError(
            _("{value} is not a whole number").format(value=repr(text)),
            _("Write a whole number such as 2."),
        )
    return int(value)


def parse_age_group(text: str) -> str:
    s = re.sub(r"\s+", "", fold(text))
    for dash in "\u2010\u2011\u2012\u2013\u2014\u2212":
        s = s.replace(dash, "-")
    if s == "all":
        return s
    if match := re.fullmatch(r"(\d{1,3})-(\d{1,3})", s):
        low, high = int(match[1]), int(match[2])
        if low <= high:
            return f"{low}-{high}"
        raise FormError(
            _("{value} runs backwards").format(value=repr(text)),
            _("Write the lower age first: {low}-{high}.").format(low=high, high=low),
        )
    if match := re.fullmatch(r"(\d{1,3})\+", s):
        return f"{int(match[1])}+"
    raise FormError(
        _("{value} is not an age group").format(value=repr(text)),
        _("Write an age band such as 15-29 or 30+, or {all}.").format(all="all"),
    )


def parse_disaggregation(text: str) -> str | None:
    s = fold(text).replace("age group", "age_group").replace("age-group", "age_group")
    parts = {p for p in re.split(r"[;,/+&\s]+|\band\b", s) if p}
    if parts <= {"none"}:
        return None
    if parts <= {"sex", "age_group"}:
        return ";".join(p for p in ("sex", "age_group") if p in parts)
    raise FormError(
        _("{value} is not a disaggregation").format(value=repr(text)),
        _("Write {values}, or leave the cell empty.").format(
            values="sex, age_group or sex;age_group"
        ),
    )


def parse_url(text: str) -> str:
    s = text.strip()
    if re.fullmatch(r"(?i)https?://[^\s/?#.][^\s]*", s):
        return s
    raise FormError(
        _("{value} is not a web address").format(value=repr(text)),
        _("Write a full address starting with https:// (or http://)."),
    )


# Regions --------------------------------------------------------------------------------------
# The 14 first-level units of Uzbekistan (ISO 3166-2:UZ) and the names people write for
# them: English, Uzbek Latin, Uzbek Cyrillic, Russian. Suffixes such as "region",
# "viloyati" or "область" are dropped before matching.
REGION_ALIASES: dict[str, tuple[str, ...]] = {
    "UZ-AN": ("Andijan", "Andijon", "Андижон", "Андижан", "Андижанская"),
    "UZ-BU": ("Bukhara", "Bukhoro", "Buxoro", "Бухоро", "Бухара", "Бухарская"),
    "UZ-FA": ("Fergana", "Ferghana", "Farg'ona", "Fargona", "Фарғона", "Фергана", "Ферганская"),
    "UZ-JI": ("Jizzakh", "Jizzax", "Jizakh", "Жиззах", "Джизак", "Джизакская"),
    "UZ-NG": ("Namangan", "Наманган", "Наманганская"),
    "UZ-NW": ("Navoiy", "Navoi", "Навоий", "Навои", "Навоийская"),
    "UZ-QA": (
        "Kashkadarya",
        "Qashqadaryo",
        "Қашқадарё",
        "Кашкадарья",
        "Кашкадарьинская",
    ),
    "UZ-QR": (
        "Karakalpakstan",
        "Republic of Karakalpakstan",
        "Qoraqalpog'iston",
        "Qoraqalpog'iston Respublikasi",
        "Қорақалпоғистон",
        "Қорақалпоғистон Республикаси",
        "Каракалпакстан",
        "Республика Каракалпакстан",
    ),
    "UZ-SA": ("Samarkand", "Samarqand", "Самарқанд", "Самарканд", "Самаркандская"),
    "UZ-SI": ("Syrdarya", "Sirdaryo", "Сирдарё", "Сырдарья", "Сырдарьинская"),
    "UZ-SU": ("Surkhandarya", "Surxondaryo", "Сурхондарё", "Сурхандарья", "Сурхандарьинская"),
    "UZ-TK": (
        "Tashkent city",
        "City of Tashkent",
        "Toshkent shahri",
        "Toshkent sh.",
        "Тошкент шаҳри",
        "город Ташкент",
        "г. Ташкент",
        "Ташкент город",
    ),
    "UZ-TO": (
        "Tashkent region",
        "Tashkent oblast",
        "Tashkent province",
        "Toshkent viloyati",
        "Тошкент вилояти",
        "Ташкентская область",
        "Ташкентская",
    ),
    "UZ-XO": ("Khorezm", "Khorazm", "Xorazm", "Хоразм", "Хорезм", "Хорезмская"),
}
UZ_REGION_CODES = tuple(REGION_ALIASES)
_REGION_SUFFIXES = re.compile(
    r"\s+(region|province|oblast|viloyati|viloyat|вилояти|вилоят|область|обл\.?|"
    r"respublikasi|республикаси)$"
)
AMBIGUOUS_REGIONS = {fold(n) for n in ("Tashkent", "Toshkent", "Тошкент", "Ташкент")}
REGION_FIX = N_(
    "Write the ISO code (e.g. UZ-JI) or the region's name in English, Uzbek or Russian "
    "(e.g. Jizzakh, Jizzax, Джизак)."
)


class RegionNames:
    """Resolves what people write for a region to its ISO 3166-2 code."""

    def __init__(self, stored: list[tuple[str, ...]] = ()):
        """`stored`: rows (code, name_en, name_uz, name_ru) of the regions table; a name
        left empty may be None or NaN."""
        self.names: dict[str, str] = {}
        # A name (folded) given to more than one region, by the regions table or by it and
        # the built-in names: the region codes it could mean. Never guessed between.
        self.ambiguous: dict[str, set[str]] = {}
        for code, names in REGION_ALIASES.items():
            for name in names:
                self._add(name, code)
        for code, *names in stored:
            for name in names:
                if isinstance(name, str) and name and fold(name) not in AMBIGUOUS_REGIONS:
                    self._add(name, code)

    @staticmethod
    def spellings(name: str) -> set[str]:
        """How `name` is recognised: folded, and folded without a suffix ("… region")."""
        key = fold(name)
        return {key, _REGION_SUFFIXES.sub("", key)}

    def _add(self, name: str, code: str) -> None:
        for spelling in self.spellings(name):
            known = self.names.setdefault(spelling, code)
            if known != code:
                self.ambiguous.setdefault(spelling, {known}).add(code)

    def claim(self, name: str, code: str) -> tuple[str, str] | None:
        """Gives `name` to the region `code`, unless one of its spellings is already the
        name of another region: then (that spelling, that region's code), and nothing is
        given. Plain "Tashkent" is never a name, so never claimed."""
        if fold(name) in AMBIGUOUS_REGIONS:
            return None
        spellings = self.spellings(name)
        for spelling in sorted(spellings):
            known = self.names.get(spelling)
            if known is not None and known != code:
                return spelling, known
        for spelling in spellings:
            self.names[spelling] = code
        return None

    def code(self, text: str) -> str:
        s = fold(text)
        candidate = s.upper().replace("_", "-").replace(" ", "")
        if candidate in UZ_REGION_CODES:
            return candidate
        if "UZ-" + candidate in UZ_REGION_CODES and len(candidate) == 2:
            return "UZ-" + candidate
        if s in AMBIGUOUS_REGIONS:
            raise FormError(
                _("{value} could mean Tashkent city or Tashkent region").format(value=repr(text)),
                _("Write UZ-TK (Tashkent city) or UZ-TO (Tashkent region)."),
            )
        spelling = s if s in self.names else _REGION_SUFFIXES.sub("", s)
        if spelling in self.ambiguous:
            codes = " / ".join(sorted(self.ambiguous[spelling]))
            raise FormError(
                _("{value} is the name of more than one region ({codes})").format(
                    value=repr(text), codes=codes
                ),
                _(
                    "Write the region's code instead ({codes}); an administrator can give the "
                    "regions different names in the regions table."
                ).format(codes=codes),
            )
        found = self.names.get(spelling)
        if found:
            return found
        if re.fullmatch(r"(?i)uz-?[a-z]{2}", text.strip()):
            raise FormError(
                _("{value} is not a region code of Uzbekistan").format(value=repr(text)),
                _(REGION_FIX),
            )
        raise FormError(
            _("{value} is not a region of Uzbekistan we know").format(value=repr(text)),
            _(REGION_FIX),
        )
