"""Check an uploaded table against every rule of the data contract, and compare it with
what is stored: which rows are new, changed or unchanged. Nothing is written here.

The rules come from monitoring/contract.py (kinds, choices, references, defaults, keys,
bounds, the programme window); accepted forms from monitoring/intake/forms.py. Every problem names
the file's line (the header is line 1), the column and the value, with a reason and a fix.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from monitoring import collector, i18n
from monitoring.contract import (
    AGE_GROUP,
    BOOLEAN,
    CHOICE,
    CODE,
    CURRENCY,
    DATE,
    DISAGGREGATION,
    INTEGER,
    KINDS,
    MONEY,
    MONTH,
    NUMBER,
    PERIOD,
    RATE,
    REGION,
    TABLES,
    TEXT,
    URL,
    Column,
    Table,
)
from monitoring.db import query_text
from monitoring.db.postgres import hash_joins, on_postgres
from monitoring.i18n import N_, _, ngettext
from monitoring.intake import forms
from monitoring.intake.columns import Coded, failing_rows, repeated_rows
from monitoring.intake.upload import ColumnRows, RawTable, fold_name
from monitoring.periods import period_start, programme_periods
from monitoring.quality.queries import run_named
from monitoring.settings import Settings

Progress = Callable[[float, str], None]

MAX_TEXT_CHARS = 5000
MAX_CODE_CHARS = 64
_DECIMALS = {MONEY: 2, RATE: 6}
_SPREADSHEET_ERRORS = {
    "#N/A",
    "#DIV/0!",
    "#VALUE!",
    "#REF!",
    "#NAME?",
    "#NUM!",
    "#NULL!",
    "#SPILL!",
    "#CALC!",
    "#GETTING_DATA",
}
_FORMULA = re.compile(r"^\s*=|^\s*[+\-@]\s*([A-Za-z_][\w.]*\s*\(|\w+\|)")
_HTML_TAGS = (
    "script|iframe|object|embed|style|img|svg|math|a|b|i|u|p|div|span|html|body|head|meta|"
    "link|form|input|button|textarea|select|table|tr|td|th|br|hr|h[1-6]|ul|ol|li|strong|em|"
    "font|base|frame|frameset|video|audio|source|template|details|marquee"
)
_HTML = re.compile(
    rf"<\s*/?\s*(?:{_HTML_TAGS})\s*(?:\s[\w:-]+\s*=[^>]*)?/?\s*>|<\s*script\b|javascript\s*:",
    re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Problem:
    """An error or warning about one value (or the whole file when line is None)."""

    line: int | None
    column: str | None
    value: str
    reason: str
    fix: str


PROBLEM_COLUMNS = ["line", "column", "value", "reason", "fix"]


# The fix of a warning about a value that may be wrong (far outside, an outlier).
VALUE_FIX = N_("Check the value; if it is right, it can be imported as it is.")


# Columns the checked rows carry besides the contract's (no contract column has these names).
ROW_STATUS = "row status"  # new, changed or unchanged
ROW_STATUSES = ("unchanged", "new", "changed")
STATUS_COLUMN = "row_status"  # its name in SQL (restage_sql)


# At most this many problems of one column (or of whole rows) are listed; all are counted. A
# file of 100,000 bad rows would otherwise make millions of them (docs/upload.md).
MAX_LISTED_PER_COLUMN = 1_000
# At most this many changed values are listed in a preview; every changed row is counted.
MAX_LISTED_CHANGES = 10_000


class ProblemList(list):
    """Problems as they are found: the first MAX_LISTED_PER_COLUMN of each column are kept,
    the others only counted (`left_out`); `total` is how many there are in all."""

    def __init__(self, problems=(), limit: int = MAX_LISTED_PER_COLUMN):
        super().__init__()
        self.limit = limit
        self.per_column: dict[str | None, int] = {}
        self.left_out = 0
        self.extend(problems)

    def append(self, problem: Problem) -> None:
        seen = self.per_column.get(problem.column, 0)
        self.per_column[problem.column] = seen + 1
        if seen >= self.limit:
            self.left_out += 1
        else:
            super().append(problem)

    def extend(self, problems) -> None:
        for problem in problems:
            self.append(problem)

    @property
    def total(self) -> int:
        return len(self) + self.left_out


def count_of(problems: list[Problem]) -> int:
    """How many problems there are, listed or not."""
    return getattr(problems, "total", len(problems))


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """Problems as a table: line, column, value, reason, fix."""
    frame = pd.DataFrame(
        [(p.line, p.column or "", p.value, p.reason, p.fix) for p in problems],
        columns=PROBLEM_COLUMNS,
    )
    frame["line"] = frame["line"].astype("Int64")
    return frame


@dataclass
class Check:
    """What checking a file found: errors, warnings, valid rows and how they compare."""

    raw: RawTable
    table: Table
    columns: list[str]  # contract columns the file provides (key columns with defaults too)
    rows: pd.DataFrame  # valid rows: line, status (new/changed/unchanged), canonical values
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    file_errors: int = 0  # errors about the file as a whole (header): never importable
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)  # line, row, column, old, new
    total_rows: int = 0
    far_outside: set[int] = field(default_factory=set)  # lines warned: far outside earlier values
    # lines of valid rows that an approved quarter locks (errors that refuse the whole file)
    locked_lines: set[int] = field(default_factory=set)
    approval_locks: int = 0  # of file_errors: rows that would change an approved quarter

    @property
    def header_errors(self) -> int:
        """Errors of the file's header or shape (of file_errors, those not of an approval)."""
        return self.file_errors - self.approval_locks

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_count(self) -> int:
        """Every error, also those not listed (ProblemList)."""
        return count_of(self.errors)

    @property
    def warning_count(self) -> int:
        return count_of(self.warnings)

    @property
    def invalid_rows(self) -> int:
        return self.total_rows - len(self.rows)

    @property
    def rows_with_errors(self) -> int:
        """Rows that cannot be imported: invalid ones, and valid ones in a locked quarter."""
        if not self.locked_lines or not len(self.rows):
            return self.invalid_rows
        locked_valid = self.rows["line"].isin(self.locked_lines).sum()  # not counted twice
        return self.invalid_rows + int(locked_valid)

    def count(self, status: str) -> int:
        return int((self.rows[ROW_STATUS] == status).sum()) if len(self.rows) else 0

    @property
    def new(self) -> int:
        return self.count("new")

    @property
    def changed(self) -> int:
        return self.count("changed")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def importable_rows(self) -> bool:
        """Whether "import the valid rows only" would write anything meaningful."""
        return self.file_errors == 0 and len(self.rows) > 0

    def summary(self) -> str:
        rows = ngettext(
            "{n} row(s): {new} new, {changed} changed, {unchanged} unchanged, "
            "{invalid} with errors;",
            "{n} row(s): {new} new, {changed} changed, {unchanged} unchanged, "
            "{invalid} with errors;",
            self.total_rows,
        ).format(
            n=self.total_rows,
            new=self.new,
            changed=self.changed,
            unchanged=self.unchanged,
            invalid=self.invalid_rows,
        )
        errors = ngettext("{n} error(s),", "{n} error(s),", self.error_count).format(
            n=self.error_count
        )
        warnings = ngettext("{n} warning(s).", "{n} warning(s).", self.warning_count).format(
            n=self.warning_count
        )
        return f"{rows} {errors} {warnings}"


def sql_ident(name: str) -> str:
    """A contract identifier, quoted. Only names from monitoring/contract.py reach here."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"{name!r} is not a contract identifier")
    return f'"{name}"'


def sql_literal(text: str) -> str:
    """A contract default written as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


# Context from the database ----------------------------------------------------------------------
# Given the indicators of an upload's checked rows: the summary of (at least) their stored
# series (queries/series_summary.sql) for its outlier warnings, where one is kept or was
# made while the file was checked, else None (monitoring/quality/outliers.py SeriesAhead).
SeriesSummary = Callable[[list[str]], pd.DataFrame | None]


class Context:
    """What the checks need to know from the database and the settings."""

    def __init__(
        self,
        cur: duckdb.DuckDBPyConnection,
        settings: Settings,
        today: dt.date,
        series: SeriesSummary | None = None,
    ):
        self.settings = settings
        self.today = today
        self.series = series
        programme = settings.programme
        self.periods = set(programme_periods(programme))
        self.first_period, self.last_period = min(self.periods), max(self.periods)
        self.first_month = f"{programme.start:%Y-%m}"
        self.last_month = f"{programme.end:%Y-%m}"
        self.window = _("{start} to {end}").format(
            start=i18n.date(programme.start, "medium"), end=i18n.date(programme.end, "medium")
        )
        stored = run_named(cur, "contract_region_names")
        # (code, name_en, name_uz, name_ru) of each stored region
        self.region_rows = list(stored.itertuples(index=False, name=None))
        self.regions = forms.RegionNames(self.region_rows)
        self.units = dict(run_named(cur, "indicators_units").itertuples(index=False, name=None))
        self._cur = cur
        self._references: dict[str, dict[str, str]] = {}

    def reference(self, target: str) -> dict[str, str]:
        """Values stored in `table.column`, folded to their stored spelling."""
        if target not in self._references:
            table, column = target.split(".")
            sql = f"select distinct {sql_ident(column)} from {sql_ident(table)}"  # noqa: S608
            values = [r[0] for r in self._cur.execute(sql).fetchall() if r[0] is not None]
            folded: dict[str, str] = {}
            for value in values:
                folded.setdefault(forms.fold(str(value)), str(value))
            for value in values:  # an exact spelling always wins over a folded one
                folded[str(value)] = str(value)
            self._references[target] = folded
        return self._references[target]


# One cell -----------------------------------------------------------------------------------
class CellError(ValueError):
    def __init__(self, reason: str, fix: str):
        super().__init__(reason)
        self.reason, self.fix = reason, fix


def _plain_text_checks(text: str, kind: str) -> None:
    if text.strip() in _SPREADSHEET_ERRORS:
        raise CellError(
            _("{value} is a spreadsheet error, not a value").format(value=repr(text)),
            _("Fix the calculation in the spreadsheet, or type the value itself."),
        )
    if _FORMULA.match(text) and (kind == TEXT or text.lstrip().startswith("=")):
        raise CellError(
            _("{value} is a spreadsheet formula; formulas are never calculated here").format(
                value=repr(text[:60])
            ),
            _("Type the value itself (copy the cells and 'Paste values' in Excel)."),
        )
    if _HTML.search(text):
        raise CellError(
            _("{value} holds HTML or script code; only plain text is stored").format(
                value=repr(text[:60])
            ),
            _("Remove the tags (< >) and keep the words."),
        )
    if _CONTROL.search(text):
        raise CellError(
            _("the value holds invisible control characters"),
            _("Retype the value, or paste it as plain text."),
        )


def parse_cell(text: str, column: Column, raw: RawTable, ctx: Context) -> str:
    """The canonical text of one non-empty cell, or CellError."""
    _plain_text_checks(text, column.kind)
    kind = column.kind
    s = text.strip()
    comma = raw.comma_is_decimal
    try:
        if kind == TEXT:
            if len(s) > MAX_TEXT_CHARS:
                raise CellError(
                    _("the text is {n} characters long").format(n=i18n.number(len(s))),
                    _("Shorten it to at most {n} characters.").format(n=MAX_TEXT_CHARS),
                )
            value = s
        elif kind == CODE:
            if len(s) > MAX_CODE_CHARS or "\n" in s:
                raise CellError(
                    _("{value} is not a code (too long or on several lines)").format(
                        value=repr(s[:40])
                    ),
                    _(
                        "Codes are short identifiers such as CSO-01 (at most {n} characters)."
                    ).format(n=MAX_CODE_CHARS),
                )
            value = s
        elif kind == REGION:
            value = ctx.regions.code(s)
        elif kind == PERIOD:
            value = forms.parse_period(s)
        elif kind == DATE:
            value = forms.parse_date(s).isoformat()
        elif kind == MONTH:
            value = forms.parse_month(s)
        elif kind in (NUMBER, MONEY, RATE):
            number = forms.parse_number(
                s, comma_is_decimal=comma, percent_sign=bool(column.measured_by)
            )
            places = _DECIMALS.get(kind)
            if places is not None and forms.decimals(number) > places:
                raise CellError(
                    _("{value} has more than {places} decimals").format(
                        value=repr(s), places=places
                    ),
                    _("Round it to {places} decimals.").format(places=places),
                )
            _check_bounds(s, float(number), column)
            value = forms.canonical_number(number)
        elif kind == INTEGER:
            value = str(forms.parse_integer(s, comma_is_decimal=comma))
        elif kind == BOOLEAN:
            value = forms.parse_boolean(s)
        elif kind == CURRENCY:
            value = forms.parse_currency(s)
        elif kind == CHOICE:
            value = forms.parse_choice(s, column.choices)
        elif kind == AGE_GROUP:
            value = forms.parse_age_group(s)
        elif kind == DISAGGREGATION:
            value = forms.parse_disaggregation(s) or ""
        elif kind == URL:
            value = forms.parse_url(s)
        else:  # pragma: no cover - every kind of the contract is handled above
            raise CellError(
                _("unknown kind {kind}").format(kind=kind),
                _("Report this to the dashboard's maintainers."),
            )
    except forms.FormError as exc:
        raise CellError(exc.reason, exc.fix) from None
    if column.choices and kind != CHOICE and value not in column.choices:
        raise CellError(
            _("{value} is not one of the allowed values").format(value=repr(s)),
            _("Write one of: {choices}.").format(choices=", ".join(column.choices)),
        )
    _check_window(s, value, column, ctx)
    if column.references:
        value = _check_reference(s, value, column, ctx)
    return value


def _check_bounds(text: str, number: float, column: Column) -> None:
    low, high = column.minimum, column.maximum
    if low is not None and (number < low or (column.above_minimum and number <= low)):
        if column.kind == MONEY:
            raise CellError(
                _("{value} is negative; amounts are never negative").format(value=text),
                _(
                    "Write the amount without a minus sign (a refund is a transaction of kind "
                    "{kind} with a positive amount)."
                ).format(kind="refund"),
            )
        fix = (
            _("Write a value more than {low}.")
            if column.above_minimum
            else _("Write a value at least {low}.")
        )
        raise CellError(_("{value} is too small").format(value=text), fix.format(low=f"{low:g}"))
    if high is not None and number > high:
        raise CellError(
            _("{value} is too large").format(value=text),
            _("Write a value of at most {high}.").format(high=f"{high:g}"),
        )


def _check_window(text: str, value: str, column: Column, ctx: Context) -> None:
    if not column.within_programme:
        return
    if column.kind == PERIOD and value not in ctx.periods:
        raise CellError(
            _("{value} is outside the programme ({first} to {last})").format(
                value=repr(text), first=ctx.first_period, last=ctx.last_period
            ),
            _("Only quarters from {first} to {last} can be reported.").format(
                first=ctx.first_period, last=ctx.last_period
            ),
        )
    if column.kind == DATE:
        day = dt.date.fromisoformat(value)
        programme = ctx.settings.programme
        if not programme.start <= day <= programme.end:
            raise CellError(
                _("{value} is outside the programme ({window})").format(
                    value=repr(text), window=ctx.window
                ),
                _("Check the date: only dates within the programme are accepted."),
            )
    if column.kind == MONTH and not ctx.first_month <= value <= ctx.last_month:
        raise CellError(
            _("{value} is outside the programme ({first} to {last})").format(
                value=repr(text), first=ctx.first_month, last=ctx.last_month
            ),
            _("Only months within the programme are accepted."),
        )


def _check_reference(text: str, value: str, column: Column, ctx: Context) -> str:
    target_table, target_column = column.references.split(".")
    known = ctx.reference(column.references)
    found = known.get(value) or known.get(forms.fold(value))
    if found is not None:
        return found
    what = target_column.replace("_", " ").replace(" code", "").replace(" id", "")
    raise CellError(
        _("{value} is not a known {what}: the {table} table has no {column} {stored}").format(
            value=repr(text),
            what=_(REFERENCE_WORDS.get(what, what)),
            table=target_table,
            column=target_column,
            stored=repr(value),
        ),
        _(
            "Use a {column} that is in the {table} table, or upload that row of {table} first."
        ).format(column=target_column, table=target_table),
    )


# What a referenced column names, in the reason of an unknown code (org_id: "org").
REFERENCE_WORDS = {
    "region": N_("region"),
    "org": N_("org"),
    "indicator": N_("indicator"),
    "grant": N_("grant"),
}


# The header -------------------------------------------------------------------------------------
def _check_header(raw: RawTable, table: Table) -> tuple[dict[str, int], list[Problem]]:
    """Positions of the contract columns in the file, and the header's errors."""
    line = raw.header_line
    positions: dict[str, int] = {}
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    header = list(raw.header)
    while header and not header[-1].strip():
        header.pop()
    for index, name in enumerate(header):
        folded = fold_name(name)
        if not folded:
            problems.append(
                Problem(
                    line,
                    _("column {n}").format(n=index + 1),
                    "",
                    _("column {n} of the header has no name").format(n=index + 1),
                    _("Name the column (see the template) or delete it."),
                )
            )
            continue
        if folded in seen:
            problems.append(
                Problem(
                    line,
                    name,
                    name,
                    _("the column {name} appears twice (columns {first} and {second})").format(
                        name=folded, first=seen[folded] + 1, second=index + 1
                    ),
                    _("Keep one of them and delete the other."),
                )
            )
            positions.pop(folded, None)
            continue
        seen[folded] = index
        if folded in table.column_names:
            positions[folded] = index
            continue
        owner = next((t.name for t in TABLES.values() if folded in t.column_names), None)
        close = difflib.get_close_matches(folded, table.column_names, n=1, cutoff=0.6)
        fix = _("Rename or delete the column; the columns are: {columns}.").format(
            columns=", ".join(table.column_names)
        )
        if close:
            fix += " " + _("Did you mean {name}?").format(name=close[0])
        elif owner:
            fix += " " + _("It belongs to the {table} table: is this the right table?").format(
                table=owner
            )
        problems.append(
            Problem(
                line,
                name,
                name,
                _("{table} has no column {name}").format(table=table.name, name=repr(name.strip())),
                fix,
            )
        )
    for column in table.columns:
        if column.required and column.name not in positions and column.name not in seen:
            problems.append(
                Problem(
                    line,
                    column.name,
                    "",
                    _("the required column {name} is missing").format(name=column.name),
                    _("Add a column named {name} (see the template for {table}).").format(
                        name=column.name, table=table.name
                    ),
                )
            )
    return positions, problems


# The whole file -----------------------------------------------------------------------------------
def check_raw(
    cur: duckdb.DuckDBPyConnection,
    raw: RawTable,
    settings: Settings,
    *,
    today: dt.date | None = None,
    progress: Progress | None = None,
    series: SeriesSummary | None = None,
) -> Check:
    """Check every row of a read file and compare the valid ones with the database. With
    `series`, an upload of indicator_values reads the stored series it gives (see Context)."""
    with collector.paused():
        return _check_raw(cur, raw, settings, today=today, progress=progress, series=series)


def _check_raw(
    cur: duckdb.DuckDBPyConnection,
    raw: RawTable,
    settings: Settings,
    *,
    today: dt.date | None,
    progress: Progress | None,
    series: SeriesSummary | None = None,
) -> Check:
    progress = progress or (lambda fraction, text: None)
    today = today or dt.date.today()
    table = raw.table
    assert table is not None, "read_table recognises (or is told) the table"
    ctx = Context(cur, settings, today, series)
    positions, header_errors = _check_header(raw, table)
    errors = ProblemList(header_errors)
    file_errors = len(header_errors)
    warnings = ProblemList()
    width = len(raw.header)
    while width and not raw.header[width - 1].strip():
        width -= 1

    # Cells, column by column; each distinct value is parsed once.
    by_columns = isinstance(raw.rows, ColumnRows)  # read column by column: none is ragged
    lines = raw.rows.lines if by_columns else [line for line, _ in raw.rows]
    invalid: set[int] = set()
    ragged: set[int] = set()
    for line, cells in () if by_columns else raw.rows:
        if len(cells) == width:
            continue
        extra = [c for c in cells[width:] if c.strip()]
        if extra or len(cells) < width:
            ragged.add(line)
            errors.append(
                Problem(
                    line,
                    None,
                    "",
                    _("line {line} has {values} values but the header has {width} columns").format(
                        line=line,
                        values=len(cells) if not extra else width + len(extra),
                        width=width,
                    ),
                    _(
                        "Make every line have one value per column; put quotes around values "
                        "that contain the separator."
                    ),
                )
            )
    invalid |= ragged
    values: dict[str, Coded] = {}
    present = [c for c in table.columns if c.name in positions]
    by_column = raw.rows.columns if by_columns else _transposed(raw.rows)
    for step, column in enumerate(present):
        progress(
            0.1 + 0.6 * step / max(1, len(present)),
            _("Checking column {name}").format(name=column.name),
        )
        position = positions[column.name]
        values[column.name] = _check_column(
            raw,
            lines,
            column,
            position,
            ragged,
            ctx,
            errors,
            warnings,
            invalid,
            texts=by_column[position] if by_column and position < len(by_column) else None,
        )
    columns = [c.name for c in present]
    # Key columns with a default (org_id, sex, age_group) may be left out of the file.
    for name in table.key:
        column = table.column(name)
        if name not in positions and name not in columns and column.default is not None:
            values[name] = Coded.repeated(column.default, len(lines))
            columns.append(name)
    columns = [c for c in table.column_names if c in columns]

    progress(0.75, _("Checking rows"))
    _check_rows(table, columns, values, lines, ctx, errors, invalid)
    if not set(table.key) <= set(columns):
        invalid = set(lines)
    else:
        _check_duplicate_keys(table, values, lines, errors, invalid)
        if table.name == "regions":
            _check_region_names(values, lines, ctx, errors, invalid)

    # (pandas makes a range's numbers with numpy, not one by one)
    frame = pd.DataFrame({"line": lines, **{c: _text_column(values[c]) for c in columns}})
    if invalid:
        frame = frame[~frame["line"].isin(invalid)].reset_index(drop=True)
    check = Check(
        raw=raw,
        table=table,
        columns=columns,
        rows=frame.assign(**{ROW_STATUS: pd.Series(dtype="str")}),
        errors=errors,
        warnings=warnings,
        file_errors=file_errors,
        total_rows=len(lines),
    )
    if not raw.rows:
        check.errors.append(
            Problem(
                raw.header_line,
                None,
                "",
                _("the file has a header but no rows of data"),
                _("Add the rows below the header line."),
            )
        )
        check.file_errors += 1
    if file_errors == 0 and len(frame):
        progress(0.85, _("Comparing with the stored data"))
        compare(cur, check, ctx)
    order = {name: i for i, name in enumerate(table.column_names)}

    def position(problem: Problem) -> tuple[int, int]:
        return problem.line or 0, order.get(problem.column or "", len(order))

    check.errors.sort(key=position)
    check.warnings.sort(key=position)
    progress(1.0, _("Checked"))
    return check


def _text_column(values: Coded):
    """A column of canonical texts as pandas' str array (built by Arrow from the codes)."""
    return pd.arrays.ArrowStringArray(
        values.arrow(), dtype=pd.StringDtype("pyarrow", na_value=float("nan"))
    )


def _transposed(rows: list[tuple[int, list[str]]]) -> list[Coded] | None:
    """The cells column by column when every row has as many cells, else None."""
    cells = [c for _, c in rows]
    widths = set(map(len, cells))
    if len(widths) != 1:
        return None
    return [Coded.of(list(map(itemgetter(i), cells))) for i in range(widths.pop())]


def _check_column(
    raw: RawTable,
    lines: Sequence[int],
    column: Column,
    position: int,
    skip: set[int],
    ctx: Context,
    errors: list[Problem],
    warnings: list[Problem],
    invalid: set[int],
    texts: Coded | None = None,
) -> Coded:
    # Column at a time: each distinct text is parsed once; only the rows whose text has an
    # error or a warning (or ragged rows) are visited one by one.
    if texts is None:
        texts = Coded.of(
            [cells[position] if position < len(cells) else "" for _, cells in raw.rows]
        )
    parsed = [_parse_with_memo(text, column, raw, ctx) for text in texts.values]
    out = texts.mapped([value for value, _, _ in parsed])
    if skip:
        out = out.with_rows_empty([i for i, line in enumerate(lines) if line in skip])
    flagged = [
        i
        for i, (_, error, warning) in enumerate(parsed)
        if error is not None or warning is not None
    ]
    for i in texts.rows_with(flagged).tolist() if flagged else ():
        line = lines[i]
        if line in skip:
            continue
        text = texts[i]
        _value, error, warning = parsed[texts.codes[i]]
        if error is not None:
            errors.append(Problem(line, column.name, text, error.reason, error.fix))
            invalid.add(line)
        if warning is not None:
            warnings.append(
                Problem(
                    line,
                    column.name,
                    text,
                    warning,
                    _("Check the value; it is imported as it is."),
                )
            )
    return out


def _parse_with_memo(text: str, column: Column, raw: RawTable, ctx: Context):
    if not text.strip():
        if column.required:
            kind = KINDS[column.kind]
            return (
                None,
                CellError(
                    _("{name} is required but empty").format(name=column.name),
                    _("Fill in {name} ({kind}, e.g. {example}).").format(
                        name=column.name, kind=_(kind.label), example=_(kind.canonical)
                    ),
                ),
                None,
            )
        return column.default, None, None
    try:
        value = parse_cell(text, column, raw, ctx)
    except CellError as exc:
        # Kept once per distinct text, so without its traceback and the error it replaced:
        # their frames lead back to _check_column's, a cycle that (with the collector paused
        # while a file is checked) kept every column's memo of bad values alive to the end.
        exc.__traceback__ = exc.__context__ = exc.__cause__ = None
        return None, exc, None
    if column.kind == DISAGGREGATION and value == "":
        value = None
    return value, None, _cell_warning(value, column, ctx)


def _cell_warning(value: str | None, column: Column, ctx: Context) -> str | None:
    if value is None:
        return None
    if column.kind == DATE and dt.date.fromisoformat(value) > ctx.today:
        return _("the date {value} is in the future").format(value=value)
    if column.kind == PERIOD and period_start(value) > ctx.today:
        return _("the quarter {value} has not started yet").format(value=value)
    return None


def _check_rows(
    table: Table,
    columns: list[str],
    values: dict[str, Coded],
    lines: Sequence[int],
    ctx: Context,
    errors: list[Problem],
    invalid: set[int],
) -> None:
    """Rules that look at several columns of one row. Each distinct pair of values is judged
    once; only the rows of a pair that breaks a rule are visited."""
    for column in table.columns:
        if column.name not in values:
            continue
        own = values[column.name]
        for rule, must_be_empty in ((column.required_if, False), (column.empty_if, True)):
            if rule is None or rule[0] not in values:
                continue
            other, when = rule

            def breaks(value, other_value, when=when, must_be_empty=must_be_empty) -> bool:
                return other_value in when and (value is not None) == must_be_empty

            for i in failing_rows(own, values[other], breaks).tolist():
                line = lines[i]
                if line in invalid:
                    continue
                if must_be_empty:
                    errors.append(
                        Problem(
                            line,
                            column.name,
                            own[i],
                            _("{name} must be empty when {other} is {value}").format(
                                name=column.name, other=other, value=values[other][i]
                            ),
                            _("Leave {name} empty for this row.").format(name=column.name),
                        )
                    )
                else:
                    errors.append(
                        Problem(
                            line,
                            column.name,
                            "",
                            _("{name} is required when {other} is {value}").format(
                                name=column.name, other=other, value=values[other][i]
                            ),
                            _("Fill in {name}.").format(name=column.name),
                        )
                    )
                invalid.add(line)
        if column.not_before and column.not_before in values:
            earlier = values[column.not_before]
            before = failing_rows(
                own, earlier, lambda value, first: bool(value and first and value < first)
            )
            for i in before.tolist():
                line = lines[i]
                if line in invalid:
                    continue
                errors.append(
                    Problem(
                        line,
                        column.name,
                        own[i],
                        _("{name} {value} is before {other} {earlier}").format(
                            name=column.name,
                            value=own[i],
                            other=column.not_before,
                            earlier=earlier[i],
                        ),
                        _("Check both dates: {name} cannot come before {other}.").format(
                            name=column.name, other=column.not_before
                        ),
                    )
                )
                invalid.add(line)
        if column.measured_by and column.measured_by in values:
            _check_measured(column, own, values[column.measured_by], lines, ctx, errors, invalid)


def _check_measured(
    column: Column,
    own: Coded,
    unit_source: Coded,
    lines: Sequence[int],
    ctx: Context,
    errors: list[Problem],
    invalid: set[int],
) -> None:
    """Percentages lie in 0-100; counts are never negative."""
    by_indicator = column.measured_by != "unit"

    def unit_of(source: str) -> str | None:
        return ctx.units.get(source) if by_indicator else source

    def out_of_bounds(value: str | None, source: str | None) -> bool:
        if value is None or source is None:
            return False
        unit, number = unit_of(source), float(value)
        return (unit == "percent" and not 0 <= number <= 100) or (unit == "number" and number < 0)

    for i in failing_rows(own, unit_source, out_of_bounds).tolist():
        line = lines[i]
        if line in invalid:
            continue
        value, source = own[i], unit_source[i]
        if unit_of(source) == "percent":
            reason = (
                _(
                    "{value} is not a percentage: indicator {indicator} is measured in "
                    "percent (0 to 100)"
                )
                if by_indicator
                else _(
                    "{value} is not a percentage: the indicator is measured in percent (0 to 100)"
                )
            )
            errors.append(
                Problem(
                    line,
                    column.name,
                    value,
                    reason.format(value=value, indicator=source),
                    _("Write the percentage as a number from 0 to 100, e.g. 45 for 45%."),
                )
            )
        else:
            errors.append(
                Problem(
                    line,
                    column.name,
                    value,
                    (
                        _("{value} is negative, but indicator {indicator} is a count")
                        if by_indicator
                        else _("{value} is negative, but the indicator is a count")
                    ).format(value=value, indicator=source),
                    _("Counts are never negative: write 0 or more."),
                )
            )
        invalid.add(line)


def _check_duplicate_keys(
    table: Table, values: dict[str, Coded], lines: Sequence[int], errors: list[Problem], invalid
) -> None:
    """Rows that repeat an earlier row's key. Rows are compared by their values' codes; only
    rows whose key occurs more than once (none, usually) are visited."""
    first: dict[tuple, int] = {}
    for i in repeated_rows([values[k] for k in table.key]).tolist():
        line = lines[i]
        key = tuple(values[k][i] for k in table.key)
        if any(part is None for part in key):
            continue
        if key in first:
            shown = ", ".join(f"{k} {v}" for k, v in zip(table.key, key, strict=True))
            errors.append(
                Problem(
                    line,
                    ", ".join(table.key),
                    " · ".join(key),
                    _("the same row ({row}) is already on line {line}").format(
                        row=shown, line=first[key]
                    ),
                    _("Keep one line per row: delete or correct one of the two."),
                )
            )
            invalid.add(line)
        else:
            first[key] = line


def _check_region_names(
    values: dict[str, Coded], lines: Sequence[int], ctx: Context, errors: list[Problem], invalid
) -> None:
    """A regions file may not give one name to two regions, in the file or beside the names
    that stay another region's (built in, or stored in a column the file does not replace):
    files naming regions by name could then not be read (forms.RegionNames refuses such a
    name). Names are compared as RegionNames reads them, so "Oasis" and "Oasis region" are
    one name. Two regions may swap their names in one file."""
    columns = [c for c in _REGION_NAME_COLUMNS if c in values]
    in_file = {values["region_code"][i] for i in range(len(lines))}
    staying = [
        (
            code,
            *(
                None if c in columns and code in in_file else name
                for c, name in zip(_REGION_NAME_COLUMNS, names, strict=True)
            ),
        )
        for code, *names in ctx.region_rows
    ]
    names = forms.RegionNames(staying)
    given: dict[str, int] = {}  # spelling -> the line of the file that gave it
    for column in columns:
        for i, line in enumerate(lines):
            code, name = values["region_code"][i], values[column][i]
            if not name or code is None:
                continue
            clash = names.claim(name, code)
            if clash is None:
                for spelling in names.spellings(name):
                    given.setdefault(spelling, line)
                continue
            spelling, other = clash
            where = given.get(spelling)
            errors.append(
                Problem(
                    line,
                    column,
                    name,
                    (
                        _("{name} is already the name of {code} (line {line})")
                        if where
                        else _("{name} is already the name of {code}")
                    ).format(name=repr(name), code=other, line=where),
                    _("Give each region a name of its own; files may name regions by it."),
                )
            )
            invalid.add(line)


_REGION_NAME_COLUMNS = ("name_en", "name_uz", "name_ru")


# Comparing with the database ----------------------------------------------------------------------
def _default_sql(column: Column) -> str:
    """A column's value in a new row when the file leaves it out."""
    if column.default is not None:
        return f"cast({sql_literal(column.default)} as {column.sql_type})"
    return f"cast(null as {column.sql_type})"


# The key column by which an upload's rows are compared only with the stored rows of the
# same values (stage_sql): a file brings a few quarters of a table that holds many.
COMPARED_BY = "period"
# From this many rows on, the statements joining an upload's rows to the stored ones join by
# hashing on PostgreSQL (large_joins). A correction of 100 rows (every value stored) took
# 0.44 s as planned and 0.56 s by hashing; of 1,000 rows 1.5 s and 0.9 s; of 3,000, 3.4 and
# 0.9 s; of 9,000, 17.6 s as planned (docs/benchmarks.md).
HASHED_FROM_ROWS = 1_000


def stage_sql(table: Table, columns: list[str]) -> str:
    """SQL that turns the registered frame `upload_input` into the temp table `upload_rows`:
    the full rows as they would be stored, and whether each is new or changed. For a table
    keyed by COMPARED_BY, only the stored rows of the values `$compared` are read."""
    stored = stored_sql(table)
    join = " and ".join(f"s.{sql_ident(k)} = i.{sql_ident(k)}" for k in table.key)
    first_key = f"s.{sql_ident(table.key[0])}"
    select, differs = [], []
    for column in table.columns:
        q = sql_ident(column.name)
        if column.name in columns:
            expr = f"cast(i.{q} as {column.sql_type})"
        else:
            expr = f"case when {first_key} is null then {_default_sql(column)} else s.{q} end"
        select.append(f"{expr} as {q}")
        if column.name not in table.key and column.name in columns:
            differs.append(f"{expr} is distinct from s.{q}")
    changed = " or ".join(differs) or "false"
    return (
        "create or replace temp table upload_rows as select i.line, "  # noqa: S608
        + ", ".join(select)
        + f", {first_key} is null as is_new, ({first_key} is not null and ({changed})) "
        f"as is_changed from upload_input i left join {stored} s on {join}"
    )


def stored_sql(table: Table) -> str:
    """The stored rows of `table` an upload's rows are compared with: for a table keyed by
    COMPARED_BY, those of its values `$compared` (compared_values)."""
    name = sql_ident(table.name)
    if COMPARED_BY not in table.key:
        return name
    # Identifiers from the contract only; the values are bound ($compared).
    return f"(select * from {name} where {sql_ident(COMPARED_BY)} = any($compared))"  # noqa: S608


def compared_parameters(table: Table, frame: pd.DataFrame) -> dict:
    """The parameters of stored_sql for an upload's rows `frame`."""
    return {"compared": compared_values(frame)} if COMPARED_BY in table.key else {}


def stage_stored(
    cur: duckdb.DuckDBPyConnection, frame: pd.DataFrame, table: Table, columns: list[str]
) -> None:
    """`upload_rows` as stage_sql makes it from `frame` (rows of `table`, the file's
    `columns`), compared with the stored rows of the frame's values of COMPARED_BY. A large
    frame is joined by hashing on PostgreSQL (postgres.hash_joins: at 100,000 rows beside
    900,000, 0.26-0.3 s to 0.13 s)."""
    note_staged(cur, None)
    with large_joins(cur, frame):
        stage(cur, frame, stage_sql(table, columns), compared_parameters(table, frame))


def note_staged(cur: duckdb.DuckDBPyConnection, check: Check | None) -> None:
    """Note, when `cur` is a thread's one connection (Database.one_connection), that its
    `upload_rows` now holds `check`'s rows as compared (None: other rows, or none): the
    write that follows on it may take them as they are (staged_for)."""
    pin = getattr(cur, "pin", None)
    if pin is not None:
        pin.staged = None if check is None else (check, len(check.rows))


def staged_for(cur: duckdb.DuckDBPyConnection, check: Check) -> bool:
    """Whether `cur`'s `upload_rows` holds `check`'s rows as its preview compared them, row
    for row (note_staged; no check since has left a row out)."""
    pin = getattr(cur, "pin", None)
    staged = None if pin is None else pin.staged
    return staged is not None and staged[0] is check and staged[1] == len(check.rows)


def compared_values(frame: pd.DataFrame) -> list[str]:
    """The values of COMPARED_BY in an upload's rows: the stored rows read to compare."""
    return sorted(frame[COMPARED_BY].dropna().unique().tolist())


def large_joins(cur: duckdb.DuckDBPyConnection, frame: pd.DataFrame):
    """postgres.hash_joins for a statement joining the stored rows to `frame`'s, from
    HASHED_FROM_ROWS rows on: PostgreSQL's estimates of such joins are far off (a file's rows
    and the stored rows of its quarters), and a nested loop that would suit the few rows it
    expects runs for minutes on many."""
    return hash_joins(cur) if len(frame) >= HASHED_FROM_ROWS else contextlib.nullcontext()


def restage_sql(table: Table, columns: list[str]) -> str:
    """SQL that makes `upload_rows` as stage_sql did, from the registered frame
    `upload_input` of rows already compared (their ROW_STATUS named STATUS_COLUMN),
    without reading the stored rows again: for rows that still compare as they did
    (nothing written to the table since), and that either give every column or are all
    new (a changed row takes a column the file leaves out from its stored row)."""
    select = [
        (f"cast(i.{sql_ident(c.name)} as {c.sql_type})" if c.name in columns else _default_sql(c))
        + f" as {sql_ident(c.name)}"
        for c in table.columns
    ]
    status = f"i.{STATUS_COLUMN}"
    return (
        "create or replace temp table upload_rows as select i.line, "  # noqa: S608
        + ", ".join(select)
        + f", {status} = 'new' as is_new, {status} = 'changed' as is_changed from upload_input i"
    )


def key_text_sql(table: Table, alias: str) -> str:
    return " || ' · ' || ".join(f"coalesce({alias}.{sql_ident(k)}, '')" for k in table.key)


def cell_text_sql(column: Column, expr: str) -> str:
    """SQL giving a cell's value as text, the same on both engines: a number as DuckDB
    writes it (56.0, 55.2), where PostgreSQL would write a whole number without ".0"."""
    if column.sql_type == "double":
        return (
            f"case when {expr} = trunc({expr}) and abs({expr}) < 1e15 "
            f"then cast(cast({expr} as bigint) as varchar) || '.0' "
            f"else cast({expr} as varchar) end"
        )
    return f"cast({expr} as varchar)"


def changes_sql(table: Table, columns: list[str]) -> str:
    """Old and new value of every changed cell, one row per cell (`$compared` as for
    stored_sql). Each changed row is joined to its stored row once, then each column of the
    pair read (a join per column took 1.7 s for 10,000 changed rows on PostgreSQL)."""
    join = " and ".join(f"s.{sql_ident(k)} = r.{sql_ident(k)}" for k in table.key)
    by_name = {c.name: c for c in table.columns}
    compared = [c for c in columns if c not in table.key]
    if not compared:
        return (
            "select null::integer as line, '' as row_key, '' as column_name, "
            "'' as old, '' as new limit 0"
        )
    pairs = ", ".join(
        f"s.{sql_ident(c)} as {sql_ident('old_' + c)}, r.{sql_ident(c)} as {sql_ident('new_' + c)}"
        for c in compared
    )
    parts = [  # identifiers and column names from the contract only
        f"select line, row_key, '{c}' as column_name, "  # noqa: S608
        f"{cell_text_sql(by_name[c], sql_ident('old_' + c))} as old, "
        f"{cell_text_sql(by_name[c], sql_ident('new_' + c))} as new "
        f"from pairs where {sql_ident('new_' + c)} is distinct from {sql_ident('old_' + c)}"
        for c in compared
    ]
    return (
        f"with pairs as (select r.line, {key_text_sql(table, 'r')} as row_key, {pairs} "  # noqa: S608
        f"from upload_rows r join {stored_sql(table)} s on {join} where r.is_changed) "
        + " union all ".join(parts)
        + " order by line, column_name"
    )


def restage(
    cur: duckdb.DuckDBPyConnection, frame: pd.DataFrame, table: Table, columns: list[str]
) -> None:
    """`upload_rows` as restage_sql makes it, from `frame`: rows already compared, their
    status in STATUS_COLUMN. PostgreSQL copies them straight into the typed table (its COPY
    reads each text as the cast would), instead of into a table of texts first and then
    into `upload_rows` by the query."""
    note_staged(cur, None)
    if not on_postgres(cur):
        stage(cur, frame, restage_sql(table, columns))
        return
    status = frame[STATUS_COLUMN]
    staged = {"line": frame["line"]}
    for column in table.columns:
        if column.name in columns:
            staged[column.name] = frame[column.name]
        else:  # as _default_sql: the column's default, read as its type, or NULL
            staged[column.name] = pd.Series(
                column.default, index=frame.index, dtype=pd.StringDtype("pyarrow")
            )
    staged["is_new"] = (status == "new").astype(bool)
    staged["is_changed"] = (status == "changed").astype(bool)
    types = {"line": "bigint", "is_new": "boolean", "is_changed": "boolean"}
    types |= {c.name: c.sql_type for c in table.columns}
    cur.load("upload_rows", pd.DataFrame(staged), types)


def stage(
    cur: duckdb.DuckDBPyConnection, frame: pd.DataFrame, sql: str, parameters: dict | None = None
) -> None:
    """Run `sql` (stage_sql or restage_sql; its `parameters`) with `frame` registered as
    `upload_input`, as an Arrow table: DuckDB reads one in less than half the time of the
    pandas frame (its columns are Arrow's already; 0.65 s → 0.3 s for 1,000,000 rows)."""
    try:
        rows = pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        rows = frame  # (mixed Python objects: read as the frame)
    cur.register("upload_input", rows)
    try:
        cur.execute(sql, parameters or None)
    finally:
        cur.unregister("upload_input")


def stage_series(
    cur: duckdb.DuckDBPyConnection,
    summary: pd.DataFrame | None = None,
    indicators: list[str] | None = None,
) -> None:
    """The temp table `upload_series`, read by both outlier warnings of an upload of
    indicator_values: the stored series summarised (queries/series_summary.sql), as
    `summary` gives them (every series, read where kept, or those of the file's indicators,
    summarised while it was checked), else summarised here for the indicators `indicators`
    (None: every one)."""
    if summary is not None:
        stage(
            cur, summary, "create or replace temp table upload_series as select * from upload_input"
        )
        return
    cur.execute(
        "create or replace temp table upload_series as " + query_text("series_summary"),
        {"indicators": indicators},
    )


def compare(cur: duckdb.DuckDBPyConnection, check: Check, ctx: Context) -> None:
    """Stage the valid rows in `upload_rows`; mark each new, changed or unchanged; warn."""
    table = check.table
    frame = check.rows.drop(columns=ROW_STATUS)
    stage_stored(cur, frame, table, check.columns)
    note_staged(cur, check)

    def series() -> None:
        # upload_series, staged just before the first warning that reads it: a summary
        # begun while the file was checked (outliers.SeriesAhead) may still be running.
        indicators = sorted(frame["indicator_code"].unique().tolist())
        stage_series(cur, ctx.series(indicators) if ctx.series else None, indicators)

    # Each row's status: new unless the database lists its line among the rows whose key is
    # stored, with whether it changes (no text per row from the database, and none of the
    # rows of a file of new values: 100,000 rows' flags took 44 ms on PostgreSQL).
    stored_keys = cur.execute("select line, is_changed from upload_rows where not is_new").df()
    codes = np.ones(len(frame), dtype=np.int64)  # ROW_STATUSES[1], new
    at = pd.Index(frame.line.to_numpy()).get_indexer(stored_keys.line.to_numpy())
    codes[at] = np.where(stored_keys.is_changed.to_numpy(dtype=bool), 2, 0)
    check.rows = frame.assign(**{ROW_STATUS: _text_column(Coded(list(ROW_STATUSES), codes))})
    changes = changes_sql(table, check.columns)
    check.changes = cur.execute(
        f"select * from ({changes}) "  # noqa: S608 - no input
        f"order by line, column_name limit {MAX_LISTED_CHANGES}",
        (compared_parameters(table, frame) or None) if "$compared" in changes else None,
    ).df()
    check.warnings.extend(table_warnings(cur, table, frame, check.far_outside, series))


# Warnings that look at stored data too ----------------------------------------------------------
def table_warnings(
    cur: duckdb.DuckDBPyConnection,
    table: Table,
    frame: pd.DataFrame,
    far_outside: set[int],
    stage_series: Callable[[], None],
) -> list[Problem]:
    """Warnings that compare the file (its checked rows `frame`, staged as `upload_rows`)
    with the stored data; the lines of values far outside their indicator's earlier values
    are added to `far_outside`. For indicator values, `stage_series` makes `upload_series`
    once the warnings that do not read it have run."""
    out: list[Problem] = []
    if table.name == "indicator_values":
        with large_joins(cur, frame):
            over = run_named(cur, "upload_breakdown_over_total", compared=compared_values(frame))
        stage_series()
        with large_joins(cur, frame):
            far = run_named(cur, "upload_value_outliers")
        for r in far.itertuples():
            far_outside.add(int(r.line))
            out.append(
                Problem(
                    int(r.line),
                    "value",
                    f"{r.value:g}",
                    _(
                        "{value} is far outside the earlier values of {indicator} "
                        "({low} to {high} in {earlier} earlier rows)"
                    ).format(
                        value=i18n.measured(r.value),
                        indicator=r.indicator_code,
                        low=i18n.measured(r.low),
                        high=i18n.measured(r.high),
                        earlier=i18n.number(r.earlier),
                    ),
                    _(VALUE_FIX),
                )
            )
        for r in over.itertuples():
            out.append(
                Problem(
                    int(r.line),
                    "value",
                    f"{r.parts:g}",
                    _(
                        "the {breakdown} values of {row} add up to {parts}, more than their "
                        "total {total}"
                    ).format(
                        breakdown=r.breakdown,
                        row=f"{r.indicator_code}, {r.period}, {r.region_code}"
                        + (" " + r.org_id if r.org_id else ""),
                        parts=i18n.measured(r.parts),
                        total=i18n.measured(r.total),
                    ),
                    _("Check the breakdown rows and the total row ({total}).").format(
                        total="sex all, age_group all"
                    ),
                )
            )
    if table.name in ("grants", "transactions"):
        query = f"upload_grant_overspend_{table.name}"
        for r in run_named(cur, query).itertuples():
            out.append(
                Problem(
                    int(r.line),
                    "amount",
                    f"{r.spent:,.2f}",
                    _("grant {grant} has spent {spent}, more than its award of {awarded}").format(
                        grant=r.grant_id,
                        spent=i18n.money(r.spent, r.currency, 2),
                        awarded=i18n.money(r.awarded, r.currency, 2),
                    ),
                    _("Check the amounts; spending beyond the award needs an explanation."),
                )
            )
    return out
