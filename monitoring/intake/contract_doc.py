"""docs/data-contract.md, written from the contract itself (monitoring/contract.py).

Regenerate with `python -m monitoring contract-doc --write`; a unit test fails when the
committed document and the contract disagree.
"""

from __future__ import annotations

from monitoring.contract import (
    CHOICE,
    KINDS,
    LOAD_ORDER,
    MONEY,
    TABLES,
    Column,
    Table,
)
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


def _code(values) -> str:
    return ", ".join(f"`{v}`" for v in values)


def column_rules(column: Column) -> str:
    """What a column accepts, in words: choices, references, defaults, bounds."""
    rules = []
    if column.choices:
        rules.append(f"one of {_code(column.choices)}")
    if column.references:
        table, key = column.references.split(".")
        rules.append(f"must be in `{table}` (its `{key}`)")
    if column.default is not None:
        rules.append(f"empty means `{column.default}`" if column.default else "may be empty")
    if column.minimum is not None and column.kind == MONEY:
        rules.append("never negative")
    elif column.minimum is not None and column.above_minimum:
        rules.append(f"more than {column.minimum:g}")
    elif column.minimum is not None:
        rules.append(f"from {column.minimum:g} to {column.maximum:g}")
    if column.measured_by == "unit":
        rules.append("0 to 100 when `unit` is percent; not negative when it is number")
    elif column.measured_by:
        rules.append("0 to 100 for a percentage indicator; not negative for a count")
    if column.kind in ("date", "period", "month"):
        rules.append("within the programme's dates" if column.within_programme else "any date")
    if column.required_if:
        other, values = column.required_if
        rules.append(f"required when `{other}` is {_code(values)}")
    if column.empty_if:
        other, values = column.empty_if
        rules.append(f"empty when `{other}` is {_code(values)}")
    if column.not_before:
        rules.append(f"not before `{column.not_before}`")
    if column.help:
        rules.append(column.help)
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
    """The whole user document, deterministic: it depends on the contract only."""
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
