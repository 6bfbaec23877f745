"""The data contract: the tables staff upload, described once, as data.

The schema test, the sample loader, upload validation, templates and the format docs all
read this description; `queries/schema.sql` must agree with it (a unit test checks).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Kinds of value (see docs/data-contract.md for the forms accepted on upload).
TEXT = "text"
CODE = "code"  # an identifier: trimmed text, no inner spaces required
REGION = "region"  # ISO 3166-2 code of a first-level unit of Uzbekistan
PERIOD = "period"  # a quarter, canonical 2021Q1
DATE = "date"
MONTH = "month"  # canonical 2021-03
NUMBER = "number"  # decimal
MONEY = "money"  # exact decimal amount
RATE = "rate"  # exchange rate, exact decimal
INTEGER = "integer"
BOOLEAN = "boolean"
CURRENCY = "currency"
CHOICE = "choice"  # one of `choices`
AGE_GROUP = "age_group"  # `all`, `N-M` or `N+`
DISAGGREGATION = "disaggregation"  # empty, `sex`, `age_group`, `sex;age_group`
URL = "url"

CURRENCIES = ("USD", "UZS")

SQL_TYPES = {
    NUMBER: "double",
    INTEGER: "integer",
    MONEY: "decimal(18, 2)",
    RATE: "decimal(18, 6)",
    DATE: "date",
    BOOLEAN: "boolean",
}


@dataclass(frozen=True)
class Kind:
    """How values of one kind are written: the canonical form and what else is accepted."""

    label: str
    canonical: str
    accepted: str


KINDS: dict[str, Kind] = {
    TEXT: Kind("text", "any text", "plain text only: no spreadsheet formulas, no HTML tags"),
    CODE: Kind("code", "`CSO-01`, `OC1.2`", "surrounding spaces are ignored"),
    REGION: Kind(
        "region",
        "ISO 3166-2 code: `UZ-JI` Jizzakh, `UZ-TO` Tashkent region, `UZ-TK` Tashkent city, "
        "`UZ-NG` Namangan (all 14 units of Uzbekistan)",
        "English, Uzbek (Latin and Cyrillic) and Russian names, any case: `Jizzakh`, "
        "`Jizzax`, `Жиззах`, `Джизак`, `Tashkent region`, `Toshkent viloyati`, "
        "`Ташкентская область`; plain `Tashkent` is refused (city or region?), as is a "
        "name the `regions` table gives two regions",
    ),
    PERIOD: Kind("quarter", "`2021Q1`", "`2021-Q1`, `2021 Q1`, `Q1 2021`, `Q1-2021`, any case"),
    DATE: Kind(
        "date",
        "`2021-04-15`",
        "`15.04.2021`, `15/04/2021`, `15-04-2021` (day first, as written in Uzbekistan); "
        "a date cell of a spreadsheet",
    ),
    MONTH: Kind("month", "`2021-03`", "`03.2021`, `03/2021`, `2021/03`, the 1st of the month"),
    NUMBER: Kind(
        "number",
        "`1234.5`",
        "`1 234,5`, `1234,5` (decimal comma), `1,234.5`, `1.234,5` (thousands separators); "
        "`1,234` is refused as ambiguous except in `;`-separated files, where the comma is "
        "the decimal mark",
    ),
    MONEY: Kind("amount", "`1234.50`", "as for numbers; at most 2 decimals"),
    RATE: Kind("rate", "`10470.25`", "as for numbers; at most 6 decimals"),
    INTEGER: Kind("whole number", "`2`", "`2.0`"),
    BOOLEAN: Kind(
        "yes/no", "`true` / `false`", "`yes`/`no`, `1`/`0`, `да`/`нет`, `ha`/`yo'q`, any case"
    ),
    CURRENCY: Kind("currency", "`USD`, `UZS`", "lower case"),
    CHOICE: Kind("choice", "one of the listed values", "any case; spaces for underscores"),
    AGE_GROUP: Kind("age group", "`15-29`, `30+`, `all`", "empty means `all`"),
    DISAGGREGATION: Kind(
        "disaggregation", "`sex`, `age_group`, `sex;age_group` or empty", "`age group`"
    ),
    URL: Kind("web address", "`https://…`", "only http:// and https:// addresses"),
}


@dataclass(frozen=True)
class Column:
    """One column of a contract table."""

    name: str
    kind: str
    required: bool = False
    choices: tuple[str, ...] = ()
    references: str | None = None  # "table.column" that must hold the value
    default: str | None = None  # what an empty cell means
    help: str = ""
    # Rules beyond the kind (checked on upload, described in docs/data-contract.md):
    minimum: float | None = None  # smallest value allowed
    maximum: float | None = None  # largest value allowed
    above_minimum: bool = False  # the value must be strictly greater than `minimum`
    measured_by: str | None = (
        None  # column giving the indicator (or unit): percent 0-100, count >= 0
    )
    within_programme: bool = True  # a date, period or month lies in the programme's window
    required_if: tuple[str, tuple[str, ...]] | None = None  # required when column in values
    empty_if: tuple[str, tuple[str, ...]] | None = None  # must be empty when column in values
    not_before: str | None = None  # a date column of the same row this date cannot precede

    @property
    def sql_type(self) -> str:
        """The type the database stores this column as."""
        return SQL_TYPES.get(self.kind, "varchar")


@dataclass(frozen=True)
class Table:
    """One uploadable table: its key and columns, in contract order."""

    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    help: str = ""
    example: dict[str, str] = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _c(name: str, kind: str, required: bool = False, **kw) -> Column:
    return Column(name=name, kind=kind, required=required, **kw)


LANGUAGE_NAMES = {"ru": "Russian", "uz": "Uzbek (Latin script)"}


def _in_languages(column: str, what: str) -> tuple[Column, ...]:
    """Optional translations of a text column: `<column>_ru`, `<column>_uz`. A page in
    Russian or Uzbek shows them; where one is empty it shows the English text with the
    marker ` [EN]` (docs/translations.md). Added by migration 0007, so they come last: the
    stored tables keep the contract's column order."""
    return tuple(
        _c(f"{column}_{lang}", TEXT, help=f"{what} in {name}; empty: the English `{column}`")
        for lang, name in LANGUAGE_NAMES.items()
    )


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "regions",
            ("region_code",),
            (
                _c("region_code", REGION, True, help="ISO 3166-2 code, e.g. UZ-JI"),
                _c("name_en", TEXT, True),
                _c("name_uz", TEXT, help="the name in Uzbek (Latin script); empty: `name_en`"),
                _c("name_ru", TEXT, help="the name in Russian; empty: `name_en`"),
                _c("lat", NUMBER, minimum=-90, maximum=90),
                _c("lon", NUMBER, minimum=-180, maximum=180),
            ),
            help=(
                "The first-level units of Uzbekistan. Each name is one region's own: a name "
                'that another region has (built in or stored), also with "region", '
                '"viloyati" or "область" added or left off, is refused, since files may '
                "name regions by it; two regions may swap names in one file."
            ),
            example={
                "region_code": "UZ-JI",
                "name_en": "Jizzakh",
                "name_uz": "Jizzax viloyati",
                "name_ru": "Джизакская область",
                "lat": "40.37",
                "lon": "67.64",
            },
        ),
        Table(
            "organisations",
            ("org_id",),
            (
                _c("org_id", CODE, True),
                _c("name", TEXT, True),
                _c("kind", CHOICE, True, choices=("cso", "cswg", "authority", "community_group")),
                _c("region_code", REGION, True, references="regions.region_code"),
                _c("district", TEXT),
                _c("women_led", BOOLEAN),
                _c("status", CHOICE, choices=("existing", "new")),
                _c("established_on", DATE, within_programme=False),
                _c("lat", NUMBER, minimum=-90, maximum=90),
                _c("lon", NUMBER, minimum=-180, maximum=180),
            ),
            help="Partner CSOs, community security working groups, authorities, groups.",
            example={
                "org_id": "CSO-01",
                "name": "Istiqlol Avlodi",
                "kind": "cso",
                "region_code": "UZ-JI",
                "district": "Jizzakh city",
                "women_led": "true",
                "status": "existing",
                "established_on": "2012-05-01",
            },
        ),
        Table(
            "indicators",
            ("indicator_code",),
            (
                _c("indicator_code", CODE, True, help="e.g. OC1.2"),
                _c("level", CHOICE, True, choices=("goal", "outcome", "output")),
                _c(
                    "outcome",
                    INTEGER,
                    choices=("1", "2", "3"),
                    required_if=("level", ("outcome",)),
                    empty_if=("level", ("goal",)),
                ),
                _c("title", TEXT, True),
                _c("unit", CHOICE, True, choices=("number", "percent")),
                _c("direction", CHOICE, True, choices=("increase", "decrease")),
                _c("aggregation", CHOICE, True, choices=("sum", "latest", "mean")),
                _c("baseline", NUMBER, measured_by="unit"),
                _c("target", NUMBER, True, measured_by="unit"),
                _c("disaggregation", DISAGGREGATION),
                _c("sensitive", BOOLEAN, default="false"),
                _c("means_of_verification", TEXT),
                _c(
                    "min_value",
                    NUMBER,
                    help="the smallest plausible value: one below it is flagged on the "
                    "Data quality page and in the upload preview (docs/quality.md)",
                ),
                _c(
                    "max_value",
                    NUMBER,
                    help="the largest plausible value: one above it is flagged",
                ),
                *_in_languages("title", "the title"),  # 0007
            ),
            help="The logframe: goal, outcome and output indicators with baseline and target.",
            example={
                "indicator_code": "OC1.1",
                "level": "outcome",
                "outcome": "1",
                "title": "Number of women-led CSOs that carried out a gender and conflict analysis",
                "title_ru": "Число женских ОГО, проведших гендерный и конфликтный анализ",
                "title_uz": "Gender va nizo tahlilini oʻtkazgan ayollar boshchiligidagi FJT soni",
                "unit": "number",
                "direction": "increase",
                "aggregation": "sum",
                "baseline": "0",
                "target": "20",
                "disaggregation": "",
                "sensitive": "false",
                "means_of_verification": "Analysis reports",
            },
        ),
        Table(
            "indicator_targets",
            ("indicator_code", "period", "region_code"),
            (
                _c("indicator_code", CODE, True, references="indicators.indicator_code"),
                _c("period", PERIOD, True),
                _c("region_code", REGION, True, references="regions.region_code"),
                _c("target", NUMBER, True, measured_by="indicator_code"),
                _c(
                    "revision_reason",
                    TEXT,
                    help="why a stored target is changed: required when the file changes "
                    "one (the revision is recorded and shown, docs/quality.md)",
                ),
            ),
            help="Optional targets per period and region (cumulative to that period).",
            example={
                "indicator_code": "OC1.1",
                "period": "2021Q4",
                "region_code": "UZ-JI",
                "target": "4",
                "revision_reason": "Revised at the mid-term review",
            },
        ),
        Table(
            "indicator_values",
            ("indicator_code", "period", "region_code", "org_id", "sex", "age_group"),
            (
                _c("indicator_code", CODE, True, references="indicators.indicator_code"),
                _c("period", PERIOD, True),
                _c("region_code", REGION, True, references="regions.region_code"),
                _c("org_id", CODE, references="organisations.org_id", default=""),
                _c("sex", CHOICE, choices=("female", "male", "all"), default="all"),
                _c("age_group", AGE_GROUP, default="all"),
                _c("value", NUMBER, True, measured_by="indicator_code"),
                _c("comment", TEXT),
                _c("source", TEXT),
                _c(
                    "deviation_narrative",
                    TEXT,
                    help="why the value is over or under target, written for the donor: "
                    "shown in the IPTT workbook and the PDF report (docs/reports.md), so name "
                    "institutions and roles, never a person; asked for where % of target "
                    "achieved is more than 15 points from what was expected",
                ),
            ),
            help="Reported values per quarter and region, optionally per organisation, "
            "sex and age group.",
            example={
                "indicator_code": "OC1.1",
                "period": "2021Q2",
                "region_code": "UZ-JI",
                "org_id": "",
                "sex": "all",
                "age_group": "all",
                "value": "3",
                "comment": "",
                "source": "Quarterly report",
                "deviation_narrative": "",
            },
        ),
        Table(
            "grants",
            ("grant_id",),
            (
                _c("grant_id", CODE, True),
                _c("org_id", CODE, True, references="organisations.org_id"),
                _c("title", TEXT, True),
                _c(
                    "region_code",
                    REGION,
                    references="regions.region_code",
                    help="empty: the organisation's region",
                ),
                _c("awarded_on", DATE, True),
                _c("end_on", DATE, not_before="awarded_on"),
                _c("amount", MONEY, True, minimum=0),
                _c("currency", CURRENCY, True),
                _c("purpose", TEXT),
                _c("status", CHOICE, choices=("active", "closed", "cancelled")),
                *_in_languages("title", "the title"),  # 0007
            ),
            help="Small grants to CSWG action plans and community groups.",
            example={
                "grant_id": "G-01",
                "org_id": "CSWG-JI-1",
                "title": "Street lighting action plan",
                "title_ru": "План действий: уличное освещение",
                "title_uz": "Harakat rejasi: koʻcha yoritilishi",
                "region_code": "UZ-JI",
                "awarded_on": "2021-09-01",
                "end_on": "2022-03-31",
                "amount": "5000",
                "currency": "USD",
                "purpose": "Action plan",
                "status": "active",
            },
        ),
        Table(
            "transactions",
            ("transaction_id",),
            (
                _c("transaction_id", CODE, True),
                _c(
                    "grant_id",
                    CODE,
                    references="grants.grant_id",
                    help="empty: project spending outside grants",
                ),
                _c("date", DATE, True),
                _c(
                    "kind",
                    CHOICE,
                    True,
                    choices=("commitment", "disbursement", "expenditure", "refund"),
                ),
                _c(
                    "amount",
                    MONEY,
                    True,
                    minimum=0,
                    help="a refund is a positive amount of kind refund",
                ),
                _c("currency", CURRENCY, True),
                _c("budget_line", CODE, True),
                _c("description", TEXT),
            ),
            help="Commitments, disbursements, expenditures and refunds.",
            example={
                "transaction_id": "T-0001",
                "grant_id": "G-01",
                "date": "2021-09-15",
                "kind": "disbursement",
                "amount": "2500",
                "currency": "USD",
                "budget_line": "4.1",
                "description": "First tranche",
            },
        ),
        Table(
            "budget",
            ("budget_line", "period"),
            (
                _c("budget_line", CODE, True),
                _c("category", TEXT, True, help="e.g. grants, training, research, advocacy, staff"),
                _c("period", PERIOD, True),
                _c("amount", MONEY, True, minimum=0),
                _c("currency", CURRENCY, True),
                *_in_languages("category", "the category"),  # 0007
            ),
            help="The budget by line and quarter.",
            example={
                "budget_line": "4.1",
                "category": "grants",
                "category_ru": "гранты",
                "category_uz": "grantlar",
                "period": "2021Q3",
                "amount": "15000",
                "currency": "USD",
            },
        ),
        Table(
            "exchange_rates",
            ("currency", "month"),
            (
                _c("currency", CURRENCY, True),
                _c("month", MONTH, True),
                _c(
                    "per_usd",
                    RATE,
                    True,
                    minimum=0,
                    above_minimum=True,
                    help="units of the currency for one US dollar",
                ),
            ),
            help="Monthly exchange rates (units per US dollar).",
            example={"currency": "UZS", "month": "2021-03", "per_usd": "10470"},
        ),
        Table(
            "milestones",
            ("milestone_id",),
            (
                _c("milestone_id", CODE, True),
                _c("title", TEXT, True),
                _c("stage", INTEGER, True, choices=("1", "2", "3", "4")),
                _c(
                    "level",
                    CHOICE,
                    True,
                    choices=("community", "regional", "national", "international"),
                ),
                _c("audience", TEXT),
                _c("region_code", REGION, references="regions.region_code"),
                _c("planned_on", DATE, True),
                _c("achieved_on", DATE),
                _c(
                    "status",
                    CHOICE,
                    True,
                    choices=("planned", "in_progress", "achieved", "delayed", "dropped"),
                ),
                _c("outcome", TEXT, help="the change it led to"),
                _c("evidence_url", URL),
                _c("indicator_code", CODE, references="indicators.indicator_code"),
                *_in_languages("title", "the title"),  # 0007
            ),
            help="Milestones of the four stages, from inception to advocacy.",
            example={
                "milestone_id": "M-01",
                "title": "Gender- and conflict-sensitive analysis workshop",
                "title_ru": "Семинар по гендерно и конфликтно чувствительному анализу",
                "title_uz": "Gender va nizoga sezgir tahlil boʻyicha seminar",
                "stage": "2",
                "level": "regional",
                "audience": "Partner CSOs",
                "region_code": "UZ-JI",
                "planned_on": "2021-04-15",
                "achieved_on": "2021-04-16",
                "status": "achieved",
                "outcome": "",
                "evidence_url": "",
                "indicator_code": "OC1.1",
            },
        ),
    )
}

STAGES = {1: "Inception", 2: "Assessment", 3: "Action plans", 4: "Advocacy"}

# Order in which tables are loaded so that references exist first.
LOAD_ORDER = (
    "regions",
    "organisations",
    "indicators",
    "indicator_targets",
    "indicator_values",
    "grants",
    "transactions",
    "budget",
    "exchange_rates",
    "milestones",
)


def table(name: str) -> Table:
    """The contract table called `name` (case-insensitive)."""
    try:
        return TABLES[name.strip().lower()]
    except KeyError:
        known = ", ".join(TABLES)
        raise KeyError(f"There is no table called {name!r}. Known tables: {known}.") from None
