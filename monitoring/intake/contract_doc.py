"""docs/data-contract.md, written from the contract itself (monitoring/contract.py).

Regenerate with `python -m monitoring contract-doc --write`; a unit test fails when the
committed document and the contract disagree.
"""

from __future__ import annotations

from monitoring import i18n
from monitoring.contract import (
    CHOICE,
    KINDS,
    LOAD_ORDER,
    MONEY,
    TABLES,
    Column,
    Table,
)
from monitoring.i18n import N_, _
from monitoring.intake.upload import MAX_COLUMNS, MAX_FILE_MB, MAX_ROWS
from monitoring.intake.validation import MAX_CODE_CHARS, MAX_TEXT_CHARS
from monitoring.settings import ROOT

DOC_PATH = ROOT / "docs" / "data-contract.md"

WARNINGS = (
    "a value far outside the indicator's earlier values (beyond the earlier range by more "
    "than twice its width, where at least three earlier values exist)",
    "breakdown rows (by sex, or by age group) of a count that add up to more than their total",
    "spending (expenditure less refunds, in the grant's currency) beyond a grant's award",
    "a date in the future, or a quarter that has not started yet",
)


# The contract's words shown on the upload page (kinds, help texts, example texts), marked for
# translation here: monitoring/contract.py stays free of translation calls. Written by
# hand from the contract; tests/app/test_languages_upload.py checks that none is missing.
CONTRACT_TEXTS = (
    N_("text"),
    N_("any text"),
    N_("plain text only: no spreadsheet formulas, no HTML tags"),
    N_("code"),
    N_("`CSO-01`, `OC1.2`"),
    N_("surrounding spaces are ignored"),
    N_("region"),
    N_(
        "ISO 3166-2 code: `UZ-JI` Jizzakh, `UZ-TO` Tashkent region, `UZ-TK` Tashkent "
        "city, `UZ-NG` Namangan (all 14 units of Uzbekistan)"
    ),
    N_(
        "English, Uzbek (Latin and Cyrillic) and Russian names, any case: `Jizzakh`, "
        "`Jizzax`, `Жиззах`, `Джизак`, `Tashkent region`, `Toshkent viloyati`, "
        "`Ташкентская область`; plain `Tashkent` is refused (city or region?), as is a "
        "name the `regions` table gives two regions"
    ),
    N_("quarter"),
    N_("`2021Q1`"),
    N_("`2021-Q1`, `2021 Q1`, `Q1 2021`, `Q1-2021`, any case"),
    N_("date"),
    N_("`2021-04-15`"),
    N_(
        "`15.04.2021`, `15/04/2021`, `15-04-2021` (day first, as written in Uzbekistan); "
        "a date cell of a spreadsheet"
    ),
    N_("month"),
    N_("`2021-03`"),
    N_("`03.2021`, `03/2021`, `2021/03`, the 1st of the month"),
    N_("number"),
    N_("`1234.5`"),
    N_(
        "`1 234,5`, `1234,5` (decimal comma), `1,234.5`, `1.234,5` (thousands "
        "separators); `1,234` is refused as ambiguous except in `;`-separated files, "
        "where the comma is the decimal mark"
    ),
    N_("amount"),
    N_("`1234.50`"),
    N_("as for numbers; at most 2 decimals"),
    N_("rate"),
    N_("`10470.25`"),
    N_("as for numbers; at most 6 decimals"),
    N_("whole number"),
    N_("`2`"),
    N_("`2.0`"),
    N_("yes/no"),
    N_("`true` / `false`"),
    N_("`yes`/`no`, `1`/`0`, `да`/`нет`, `ha`/`yo'q`, any case"),
    N_("currency"),
    N_("`USD`, `UZS`"),
    N_("lower case"),
    N_("choice"),
    N_("one of the listed values"),
    N_("any case; spaces for underscores"),
    N_("age group"),
    N_("`15-29`, `30+`, `all`"),
    N_("empty means `all`"),
    N_("disaggregation"),
    N_("`sex`, `age_group`, `sex;age_group` or empty"),
    N_("`age group`"),
    N_("web address"),
    N_("`https://…`"),
    N_("only http:// and https:// addresses"),
    N_(
        "The first-level units of Uzbekistan. Each name is one region's own: a name "
        'that another region has (built in or stored), also with "region", '
        '"viloyati" or "область" added or left off, is refused, since files may '
        "name regions by it; two regions may swap names in one file."
    ),
    N_("ISO 3166-2 code, e.g. UZ-JI"),
    N_("the name in Uzbek (Latin script); empty: `name_en`"),
    N_("the name in Russian; empty: `name_en`"),
    N_("Partner CSOs, community security working groups, authorities, groups."),
    N_("The logframe: goal, outcome and output indicators with baseline and target."),
    N_("e.g. OC1.2"),
    N_(
        "the smallest plausible value: one below it is flagged on the Data quality page "
        "and in the upload preview (docs/quality.md)"
    ),
    N_("the largest plausible value: one above it is flagged"),
    N_("the title in Russian; empty: the English `title`"),
    N_("the title in Uzbek (Latin script); empty: the English `title`"),
    N_("Optional targets per period and region (cumulative to that period)."),
    N_(
        "why a stored target is changed: required when the file changes one (the revision"
        " is recorded and shown, docs/quality.md)"
    ),
    N_("Reported values per quarter and region, optionally per organisation, sex and age group."),
    N_(
        "why the value is over or under target, written for the donor: shown in the IPTT "
        "workbook and the PDF report (docs/reports.md), so name institutions and roles, "
        "never a person; asked for where % of target achieved is more than 15 points from"
        " what was expected"
    ),
    N_("Small grants to CSWG action plans and community groups."),
    N_("empty: the organisation's region"),
    N_("Commitments, disbursements, expenditures and refunds."),
    N_("empty: project spending outside grants"),
    N_("a refund is a positive amount of kind refund"),
    N_("The budget by line and quarter."),
    N_("e.g. grants, training, research, advocacy, staff"),
    N_("the category in Russian; empty: the English `category`"),
    N_("the category in Uzbek (Latin script); empty: the English `category`"),
    N_("Monthly exchange rates (units per US dollar)."),
    N_("units of the currency for one US dollar"),
    N_("Milestones of the four stages, from inception to advocacy."),
    N_("the change it led to"),
    N_("Jizzakh city"),
    N_("Number of women-led CSOs that carried out a gender and conflict analysis"),
    N_("Analysis reports"),
    N_("Revised at the mid-term review"),
    N_("Quarterly report"),
    N_("Street lighting action plan"),
    N_("Action plan"),
    N_("First tranche"),
    N_("grants"),
    N_("Gender- and conflict-sensitive analysis workshop"),
    N_("Partner CSOs"),
)


def contract_text(text: str) -> str:
    """A text of the contract (a kind's label or forms, a table's or column's help, an
    example text) in the current language; as written when it has no translation."""
    return _(text) if text else text


def _code(values) -> str:
    return ", ".join(f"`{v}`" for v in values)


def column_rules(column: Column) -> str:
    """What a column accepts, in words: choices, references, defaults, bounds."""
    rules = []
    if column.choices:
        rules.append(_("one of {values}").format(values=_code(column.choices)))
    if column.references:
        table, key = column.references.split(".")
        rules.append(_("must be in `{table}` (its `{key}`)").format(table=table, key=key))
    if column.default is not None:
        rules.append(
            _("empty means `{default}`").format(default=column.default)
            if column.default
            else _("may be empty")
        )
    if column.minimum is not None and column.kind == MONEY:
        rules.append(_("never negative"))
    elif column.minimum is not None and column.above_minimum:
        rules.append(_("more than {low}").format(low=f"{column.minimum:g}"))
    elif column.minimum is not None:
        rules.append(
            _("from {low} to {high}").format(low=f"{column.minimum:g}", high=f"{column.maximum:g}")
        )
    if column.measured_by == "unit":
        rules.append(
            _("0 to 100 when {unit} is {percent}; not negative when it is {number}").format(
                unit="`unit`", percent="percent", number="number"
            )
        )
    elif column.measured_by:
        rules.append(_("0 to 100 for a percentage indicator; not negative for a count"))
    if column.kind in ("date", "period", "month"):
        rules.append(
            _("within the programme's dates") if column.within_programme else _("any date")
        )
    if column.required_if:
        other, values = column.required_if
        rules.append(
            _("required when `{other}` is {values}").format(other=other, values=_code(values))
        )
    if column.empty_if:
        other, values = column.empty_if
        rules.append(
            _("empty when `{other}` is {values}").format(other=other, values=_code(values))
        )
    if column.not_before:
        rules.append(_("not before `{other}`").format(other=column.not_before))
    if column.help:
        rules.append(contract_text(column.help))
    return "; ".join(rules)


def _table_section(table: Table) -> list[str]:
    lines = [
        f"### `{table.name}`",
        "",
        table.help,
        "",
        f"Key: {_code(table.key)} (one line per key in a file).",
        "",
        "| column | required | kind | rules |",
        "|---|---|---|---|",
    ]
    for column in table.columns:
        kind = KINDS[column.kind].label if column.kind != CHOICE else "choice"
        lines.append(
            f"| `{column.name}` | {'yes' if column.required else ''} | {kind} | "
            f"{column_rules(column)} |"
        )
    header = ",".join(table.column_names)
    example = ",".join(_csv_cell(table.example.get(c, "")) for c in table.column_names)
    lines += ["", "Example (CSV):", "", "```csv", header, example, "```", ""]
    return lines


def _csv_cell(value: str) -> str:
    if any(ch in value for ch in ',";\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def contract_markdown() -> str:
    """The whole user document, deterministic: it depends on the contract only (and is
    written in English, whatever the language of the command that writes it)."""
    with i18n.language(i18n.DEFAULT):
        return _contract_markdown()


def _contract_markdown() -> str:
    lines = [
        "# Data contract: the tables staff upload",
        "",
        "<!-- Written by `python -m monitoring contract-doc --write` from monitoring/contract.py;"
        " do not edit by hand. -->",
        "",
        "Numbers get into the dashboard as tables uploaded on the **Data upload** page or "
        "with `python -m monitoring import FILE` (see [upload.md](upload.md)). This page "
        "lists every table, its columns and the rules each value must keep. The upload page "
        "offers a template of each table (CSV and Excel, with the header and an example row).",
        "",
        "## Files",
        "",
        "- One table per file: CSV or Excel (`.xlsx`). In a workbook, the sheet named after "
        "the table is read, otherwise the first sheet.",
        "- CSV text may be UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1251 "
        "(what Excel on a Russian-language Windows writes); values are separated by `,`, `;` "
        "or tab. A file that mixes encodings is refused.",
        "- The first line is the header: the column names below, in any order, any case, "
        "surrounding spaces ignored. Optional columns may be left out: a new row then takes "
        "their default (empty), a stored row keeps its stored value.",
        "- The table is recognised from the header (it can also be chosen explicitly).",
        "- Errors name the file's line, counting the header as line 1 (in a workbook: the "
        "row number).",
        f"- Limits: {MAX_FILE_MB} MB per file, {MAX_ROWS:,} rows, {MAX_COLUMNS} columns; "
        f"text at most {MAX_TEXT_CHARS:,} characters, codes at most {MAX_CODE_CHARS}.",
        "- Text is stored as text. A cell holding a spreadsheet formula (`=SUM(A1:A3)`), a "
        "spreadsheet error (`#N/A`), HTML or a script tag is refused: nothing from a file is "
        "ever calculated, executed or shown as HTML.",
        "",
        "## Texts in Russian and Uzbek",
        "",
        "Region names (`name_ru`, `name_uz`), indicator, grant and milestone titles "
        "(`title_ru`, `title_uz`) and budget categories (`category_ru`, `category_uz`) may "
        "be given in Russian and in Uzbek (Latin script, `oʻ` and `gʻ` written with the "
        "letter ʻ, U+02BB) beside the English text, which stays required. They are optional: "
        "a file without them is read as before, and leaves the translations already stored "
        "as they are. A page read in Russian or Uzbek shows them; where one is empty it shows "
        "the English text followed by ` [EN]` "
        "([translations.md](translations.md#data-in-three-languages)).",
        "",
        "## Values",
        "",
        "| kind | canonical form | also accepted |",
        "|---|---|---|",
    ]
    for kind in KINDS.values():
        lines.append(f"| {kind.label} | {kind.canonical} | {kind.accepted} |")
    lines += [
        "",
        "## Rules an upload keeps",
        "",
        "- A row whose key is new is inserted; a row whose key exists and whose values "
        "differ is an update; a row equal to what is stored is unchanged. Nothing is deleted "
        "by an upload.",
        "- Every code must exist: indicator, region, organisation, grant (upload the "
        "referenced table first; the order below works).",
        "- Periods and dates lie within the programme's dates (`programme.toml`), except "
        "an organisation's founding date.",
        "- A key appears at most once in a file. Percentages lie in 0–100; counts and "
        "amounts are not negative (a refund is a transaction of kind `refund` with a "
        "positive amount).",
        "- By default a file with any error changes nothing at all. Staff may choose to "
        "import the valid rows only; errors in the header always stop the file.",
        "- The same file imported twice is recognised (by its SHA-256) and changes nothing.",
        "",
        "Warnings do not stop an import; they ask for a second look:",
        "",
        *[f"- {w}" for w in WARNINGS],
        "",
        "## Tables",
        "",
        f"In load order: {', '.join(f'`{n}`' for n in LOAD_ORDER)}.",
        "",
    ]
    for name in LOAD_ORDER:
        lines += _table_section(TABLES[name])
    return "\n".join(lines).rstrip() + "\n"
