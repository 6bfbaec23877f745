"""Read an uploaded file (CSV or XLSX) into a header and rows of text, whatever arrives.

Reading never guesses silently and never executes anything: formulas are read as their
text, HTML is refused, binary files and mixed encodings are named for what they are. A file
that cannot be read at all raises UnreadableFile; everything else (ragged rows, bad values)
is for monitoring.validation to report line by line.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from monitoring import collector, i18n
from monitoring.contract import TABLES, Table
from monitoring.i18n import N_, _, ngettext
from monitoring.intake.columns import Coded

# Limits, enforced before any real work is done (the page and docs/upload.md quote them).
MAX_FILE_MB = 20
MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 60
# What a file may hold inside, checked before it is parsed, so that a small file cannot make
# the reader build something huge ("decompression bombs", docs/upload.md):
MAX_LINES = 10 * MAX_ROWS  # lines of a CSV file, blank ones and values over several included
MAX_LINE_CHARS = 1_000_000  # characters of one CSV row (all its lines, if a value spans some)
MAX_XLSX_PARTS = 500  # files inside a workbook (an ordinary one has 10 to 30)
MAX_XLSX_UNCOMPRESSED_MB = 150  # all of them unpacked (100,000 rows of a table: 20 to 80 MB)
MAX_XLSX_RATIO = 100  # unpacked size / packed size of one part over 1 MB (sheets: 5 to 30)
EXCEL_MAX_ROWS = 1_048_576  # a row number beyond Excel's last row means a damaged sheet

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
# How a file was read, per delimiter (RawTable.describe).
_READ_AS = {
    ",": N_("CSV, {encoding}, comma-separated"),
    ";": N_("CSV, {encoding}, semicolon-separated"),
    "\t": N_("CSV, {encoding}, tab-separated"),
}
SAVE_AS_CSV = N_("In Excel use File › Save As › 'CSV UTF-8 (comma delimited)' or 'Excel Workbook'.")


class UnreadableFile(ValueError):
    """The file cannot be read as a table; `reason` and `fix` are plain words."""

    def __init__(self, reason: str, fix: str):
        super().__init__(f"{reason} {fix}")
        self.reason = reason
        self.fix = fix


class TooBigInside(UnreadableFile):
    """A file small outside and huge inside, refused from what it says of itself (a
    workbook's directory of parts, a count of its lines) before any of it is parsed."""


@dataclass
class RawTable:
    """A file read as text: its header and rows, with the line each came from."""

    file_name: str
    sha256: str
    size: int
    format: str  # "CSV" or "XLSX"
    header: list[str]
    header_line: int
    rows: list[tuple[int, list[str]]]  # (line in the file, cells as written)
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    table: Table | None = None
    notes: list[str] = field(default_factory=list)  # how the file was read, for the summary
    row_count: int | None = None  # data rows read (kept when `rows` is released)

    @property
    def comma_is_decimal(self) -> bool:
        """In a `;`-separated file the comma is the decimal mark (Excel in ru/uz locales)."""
        return self.delimiter == ";"

    def release_rows(self) -> None:
        """Let go of the cells once they are checked: the checked rows are kept instead
        (monitoring/intake/batches.py), and the cells would double what a preview holds."""
        if self.row_count is None:
            self.row_count = len(self.rows)
        self.rows = []

    def describe(self) -> str:
        """One line saying how the file was read."""
        if self.format == "XLSX":
            how = _("Excel workbook, sheet {sheet}").format(sheet=repr(self.sheet))
        elif self.delimiter in _READ_AS:
            how = _(_READ_AS[self.delimiter]).format(encoding=self.encoding)
        else:
            how = f"CSV, {self.encoding}, ?-separated"
        rows = len(self.rows) if self.row_count is None else self.row_count
        return ngettext("{how}, {n} data row(s)", "{how}, {n} data row(s)", rows).format(
            how=how, n=rows
        )


def raw_values(raw: RawTable, column: str) -> set[str]:
    """The distinct cells of the file's column `column` (matched as fold_name matches
    names), spaces around them removed, before any check: what the file names, such as the
    indicators an upload of values touches. Empty when no column has that name."""
    wanted = fold_name(column)
    positions = [i for i, name in enumerate(raw.header) if fold_name(name) == wanted]
    if not positions:
        return set()
    i = positions[0]
    if isinstance(raw.rows, ColumnRows):  # (its distinct values may hold one no row has)
        column = raw.rows.columns[i]
        cells = (column.values[c] for c in np.unique(column.codes))
    else:
        cells = (row[i] for _, row in raw.rows if i < len(row))
    return {str(c).strip() for c in cells if c is not None}


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fold_name(name: str) -> str:
    """A column or table name as matched: case-insensitive, surrounding spaces ignored."""
    return name.replace("\ufeff", "").strip().casefold()


# Recognising the table ------------------------------------------------------------------------
def recognise_table(header: list[str], file_name: str = "") -> Table | None:
    """The contract table whose columns the header names best, or None if none fits.

    A table fits when the header names every column of its key that has no default and
    at least two of its columns; among those, the one with most columns named wins.
    """
    names = {fold_name(h) for h in header if h.strip()}
    stem = fold_name(re.sub(r"\.[^.]*$", "", file_name.replace("\\", "/").rsplit("/", 1)[-1]))
    best, best_score = None, None
    for table in TABLES.values():
        key = {k for k in table.key if table.column(k).default is None}
        matched = len(names & set(table.column_names))
        if not key <= names or matched < 2:
            continue
        score = (matched, matched / len(table.columns), stem == table.name)
        if best_score is None or score > best_score:
            best, best_score = table, score
    return best


def choose_table(raw: RawTable, table: str | None) -> Table:
    """The table named by the caller, else the one recognised from the header."""
    if table:
        try:
            return TABLES[fold_name(table)]
        except KeyError:
            raise UnreadableFile(
                _("There is no table called {name}.").format(name=repr(table)),
                _("Choose one of: {tables}.").format(tables=", ".join(TABLES)),
            ) from None
    found = recognise_table(raw.header, raw.file_name)
    if found is None:
        shown = ", ".join(h for h in raw.header[:8] if h.strip()) or _("(nothing)")
        raise UnreadableFile(
            _(
                "Cannot tell which table this file holds: its first line ({header}) does "
                "not name the required columns of any table."
            ).format(header=shown[:200]),
            _(
                "Put the column names of the contract on the first line (download a template), "
                "or choose the table explicitly."
            ),
        )
    return found


# What kind of file is it? ---------------------------------------------------------------------
_SIGNATURES = [
    (
        b"\xd0\xcf\x11\xe0",
        N_("This file is an old Excel 97-2003 (.xls) or other Office file, not a table."),
    ),
    (b"%PDF", N_("This file is a PDF document, not a table.")),
    (b"\x89PNG", N_("This file is a PNG image, not a table.")),
    (b"\xff\xd8\xff", N_("This file is a JPEG image, not a table.")),
    (b"GIF8", N_("This file is a GIF image, not a table.")),
    (b"RIFF", N_("This file is a media file, not a table.")),
    (b"\x1f\x8b", N_("This file is a compressed (gzip) file, not a table.")),
    (b"Rar!", N_("This file is a RAR archive, not a table.")),
    (b"7z\xbc\xaf", N_("This file is a 7-Zip archive, not a table.")),
    (b"{\\rtf", N_("This file is a Word (RTF) document, not a table.")),
    (b"\x7fELF", N_("This file is a program, not a table.")),
    (b"MZ", N_("This file is a Windows program, not a table.")),
]
_HTML = re.compile(
    r"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|table|script|div)\b",
    re.IGNORECASE | re.DOTALL,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Every byte but those of _CONTROL: bytes.translate deleting them leaves a file's control
# bytes, ten times faster than the pattern's search of its text (32 against 340 ms at 69 MB).
_NOT_CONTROL = bytes(b for b in range(256) if not _CONTROL.match(chr(b)))
_NOT_BLANK = re.compile(rb"[^ \t\r\n\x00\xef\xbb\xbf\xff\xfe]")


def read_table(data: bytes, file_name: str, table: str | None = None) -> RawTable:
    """Read an uploaded file into a RawTable, or raise UnreadableFile saying why not."""
    size = len(data)
    if size > MAX_FILE_BYTES:
        raise UnreadableFile(
            _("The file is {size} MB; files up to {limit} MB are accepted.").format(
                size=i18n.number(size / 1024 / 1024, 1), limit=MAX_FILE_MB
            ),
            _("Split it into smaller files (at most {rows} rows each).").format(
                rows=i18n.number(MAX_ROWS)
            ),
        )
    if not _NOT_BLANK.search(data):  # (data.strip() would copy the file to find out)
        raise UnreadableFile(_("The file is empty."), _("Upload the file that holds the table."))
    if data.startswith(b"PK\x03\x04"):
        with collector.paused():
            raw = _read_xlsx(data, file_name, table)
    else:
        for signature, what in _SIGNATURES:
            if data.startswith(signature):
                raise UnreadableFile(_(what), _(SAVE_AS_CSV))
        with collector.paused():
            raw = _read_csv(data, file_name)
    raw.table = choose_table(raw, table)
    return raw


# CSV ----------------------------------------------------------------------------------------
def _mixed_encoding_lines(data: bytes) -> tuple[int, int] | None:
    """(a UTF-8 line, a non-UTF-8 line) when both kinds occur, else None."""
    good = bad = None
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            bad = bad or number
        else:
            if sum(not c.isascii() for c in text) >= 2:
                good = good or number
        if good and bad:
            return good, bad
    return None


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 with or without BOM, UTF-16 with BOM, or Windows-1251."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise UnreadableFile(
                _("The file starts as UTF-16 text but part of it is not UTF-16."),
                _("Save the whole file again in one encoding (e.g. 'CSV UTF-8')."),
            ) from None
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    if b"\x00" in body[:65536]:
        raise UnreadableFile(
            _(
                "This file holds binary data, not text: it is not a CSV table (or it is UTF-16 "
                "text without a byte-order mark)."
            ),
            _(SAVE_AS_CSV),
        )
    try:
        return body.decode("utf-8"), "UTF-8 with BOM" if bom else "UTF-8"
    except UnicodeDecodeError:
        pass
    mixed = _mixed_encoding_lines(body)
    if mixed or bom:
        good, bad = mixed or (1, None)
        reason = (
            _(
                "The file mixes text encodings: line {good} is UTF-8 but line {bad} is not "
                "(probably Windows-1251). Values would be garbled."
            )
            if bad
            else _(
                "The file mixes text encodings: part is not UTF-8 (probably Windows-1251). "
                "Values would be garbled."
            )
        )
        raise UnreadableFile(
            reason.format(good=good, bad=bad),
            _("Save the whole file again in one encoding, e.g. Excel's 'CSV UTF-8'."),
        )
    try:
        return body.decode("cp1251"), "Windows-1251"
    except UnicodeDecodeError:
        raise UnreadableFile(
            _("The file's text encoding is not one we read (UTF-8, UTF-16 or Windows-1251)."),
            _("Save it again as 'CSV UTF-8'."),
        ) from None


def _split_line(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return [line]


def sniff_delimiter(header_line: str) -> str:
    """The delimiter that splits the header into the most known column names."""
    known = {name for t in TABLES.values() for name in t.column_names}

    def score(d: str) -> tuple[int, int]:
        cells = _split_line(header_line, d)
        return sum(fold_name(c) in known for c in cells), len(cells)

    return max(DELIMITERS, key=score)


_LEADING_SPACE = re.compile(r"\s*")
_HEAD_CHARS = 1 << 16


def _leading_lines(text: str) -> list[str]:
    """The lines at the start of the text, enough to find the header (splitting a whole
    large file into lines only to look at its first ones would cost a copy of it)."""
    if len(text) <= _HEAD_CHARS:
        return text.splitlines()
    lines = text[:_HEAD_CHARS].splitlines()
    filled = [i for i, line in enumerate(lines) if line.strip()]
    # The header (after a possible sep= line) must lie whole inside the prefix.
    if len(filled) < 3 or filled[1] >= len(lines) - 1:
        return text.splitlines()
    return lines[:-1]  # the last line may be cut


def _filled(cells: list[str]) -> bool:
    # (the first cell decides for most lines; an empty one needs a look at the rest)
    return bool(cells) and bool(cells[0].strip() or "".join(cells).strip())


_LINE_BREAK = re.compile(r"\r\n?|\n")
_SHARED_VALUES = 250_000  # distinct values kept as one object each (see _Shared)


class _Shared(dict):
    """One object per distinct cell value: codes, quarters, regions and numbers repeat from
    row to row, and a file of 100,000 rows held as separate copies of them takes twice the
    memory. (Forgets what it knows beyond _SHARED_VALUES distinct values.)"""

    def cells(self, cells: list[str]) -> list[str]:
        if len(self) > _SHARED_VALUES:
            self.clear()
        return [self.setdefault(c, c) for c in cells]


class _Lines:
    """The lines of a text, each with its line break, for csv.reader.

    Without a copy of the text (io.StringIO would hold it again, at four bytes a character
    for any Cyrillic), and refusing a row longer than MAX_LINE_CHARS before the csv module
    splits it into values: a small file with one enormous line would otherwise become
    millions of values. The reader sets `row_start` and `row_chars` after each row.
    """

    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.line = 0  # lines handed out
        self.row_start = 1  # the line the row being read starts on
        self.row_chars = 0
        # Lines end at \n, \r\n or a lone \r (as io.StringIO(newline="") splits them);
        # without a lone \r, finding \n is enough, and several times faster.
        self.lone_cr = "\r" in text and text.count("\r") != text.count("\r\n")

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        pos = self.pos
        text = self.text
        if pos >= len(text):
            raise StopIteration
        if self.lone_cr:
            found = _LINE_BREAK.search(text, pos)
            end = found.end() if found else len(text)
        else:
            end = text.find("\n", pos) + 1 or len(text)
        self.pos = end
        self.line += 1
        self.row_chars += end - pos
        if self.row_chars > MAX_LINE_CHARS:
            raise UnreadableFile(
                _(
                    "Line {line} is longer than {limit} characters: a row of a table is never "
                    "that long (perhaps a quote is not closed)."
                ).format(line=self.row_start, limit=i18n.number(MAX_LINE_CHARS)),
                _(
                    "Check the file around that line; values over several lines must be quoted "
                    'and every quote closed ("...").'
                ),
            )
        return self.text[pos:end]


def _too_many_values(line: int, count: int, header: bool) -> UnreadableFile:
    if header:
        return _too_many_columns(count)
    return UnreadableFile(
        _("Line {line} has {count} values; a table has at most {limit} columns.").format(
            line=line, count=i18n.number(count), limit=MAX_COLUMNS
        ),
        _(
            "Check that the file is one of the contract's tables and uses , ; or tab, and "
            "delete stray values to the right of the table."
        ),
    )


def _too_many_columns(count: int) -> UnreadableFile:
    return UnreadableFile(
        _("The first line has {count} columns; a table has at most {limit}.").format(
            count=i18n.number(count), limit=MAX_COLUMNS
        ),
        _("Check that the file is one of the contract's tables and uses , ; or tab."),
    )


def _records(text: str, delimiter: str, first: int) -> tuple[list[str], int, list]:
    """The header, its line and the rows (line, cells) after the first `first` lines.

    Row by row, each with the line it starts on (which the error messages name), stopping
    at the first row beyond MAX_ROWS or a row of more than MAX_COLUMNS values: what is kept
    never exceeds the limits, whatever the file holds.
    """
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    header, header_line, rows = None, 0, []
    shared = _Shared()
    try:
        for cells in reader:
            line = lines.row_start
            lines.row_start, lines.row_chars = lines.line + 1, 0  # the next row starts
            # (_filled, written out: a call per row costs as much as the test)
            if line <= first or not cells or not (cells[0].strip() or "".join(cells).strip()):
                continue
            if len(cells) > MAX_COLUMNS:
                while len(cells) > MAX_COLUMNS and not cells[-1].strip():
                    cells.pop()  # trailing empty values (Excel's CSV of a wide sheet)
                if len(cells) > MAX_COLUMNS:
                    raise _too_many_values(line, len(cells), header is None)
            if header is None:
                header, header_line = cells, line
                continue
            rows.append((line, shared.cells(cells)))
            if len(rows) > MAX_ROWS:
                raise _too_many_rows()
    except csv.Error as exc:
        start = lines.row_start
        if "field larger than field limit" in str(exc):
            raise UnreadableFile(
                _("Line {line} holds a value longer than {limit} characters.").format(
                    line=start, limit=i18n.number(csv.field_size_limit())
                ),
                _(
                    "Check the file: a table cell is never that long (perhaps a quote is not "
                    "closed)."
                ),
            ) from None
        raise UnreadableFile(
            _(
                'Line {line} cannot be read as CSV ({reason}); usually a quote (") that is '
                "opened and never closed."
            ).format(line=start, reason=exc),
            _('Put quotes around whole values only, and double a quote inside a value ("").'),
        ) from None
    if header is None:
        raise UnreadableFile(_("The file is empty."), _("Upload the file that holds the table."))
    return header, header_line, rows


class ColumnRows:
    """The rows of a file read column by column (_records_by_columns): `lines` (a range: one
    line per row) and `columns` (each a Coded column: its distinct cells and, per row, which
    one), seen as the list of (line, cells) the careful reader makes; the checks take the
    columns as they are."""

    def __init__(self, lines: Sequence[int], columns: list[Coded]):
        self.lines = lines
        self.columns = columns

    def __len__(self) -> int:
        return len(self.lines)

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        for i, line in enumerate(self.lines):
            yield line, [column[i] for column in self.columns]

    def __getitem__(self, i):
        if isinstance(i, slice):
            return list(self)[i]
        return self.lines[i], [column[i] for column in self.columns]

    def __eq__(self, other) -> bool:
        return list(self) == list(other)

    __hash__ = None


def _records_by_columns(
    data: bytes, text: str, encoding: str, delimiter: str, first: int, lines: list[str]
) -> tuple[list[str], int, ColumnRows] | None:
    """What _records returns, read by Arrow's CSV reader into columns (several times faster
    and without a list per row), or None, for _records, when the file is not one whose
    reading is known to agree: UTF-8, one line per row (no blank lines, no value over
    several lines, no lone \r), every quote around a whole value without quotes inside,
    every row as wide as the header, within the limits. (tests/unit/test_upload_fast_paths.py
    pins it against _records.)"""
    try:
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pacsv
    except ImportError:  # pragma: no cover
        return None
    if not encoding.startswith("UTF-8") or (
        "\r" in text and text.count("\r") != text.count("\r\n")
    ):
        return None
    # The lines before the header (blank ones, a sep= line) as the careful reader counts them.
    start = 0
    for _skipped in range(first):
        start = text.find("\n", start) + 1
        if not start:
            return None
    if text[:start].splitlines() != lines[:first]:
        return None
    if text.startswith("\ufeff"):
        return None
    lead = 0  # byte-order marks the decoding left out (at most two)
    while lead < 6 and data.startswith(b"\xef\xbb\xbf", lead):
        lead += 3
    body = memoryview(data)[lead + len(text[:start].encode("utf-8")) :]
    octets = np.frombuffer(body, dtype=np.uint8)
    # Lines of the header and rows, and the longest (in bytes, at least its characters).
    breaks = np.flatnonzero(octets == 10)
    if '"' in text and not _quotes_around_whole_values(octets, breaks, delimiter):
        return None
    physical = len(breaks) + (1 if len(body) and body[-1] != 10 else 0)
    ends = np.append(breaks, len(body))
    longest = int(np.max(np.diff(ends, prepend=-1))) if len(ends) else 0
    if longest > MAX_LINE_CHARS or physical - 1 > MAX_ROWS:
        return None
    header = next(
        csv.reader([text[start : text.find("\n", start) + 1 or len(text)]], delimiter=delimiter), []
    )
    width = len(header)
    if not 0 < width <= MAX_COLUMNS or not header[-1].strip():
        return None
    names = [f"c{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(body),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=True),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, ValueError):
        return None
    if table.num_rows != physical or table.num_rows < 2:
        return None
    limit = csv.field_size_limit()
    # Each column's distinct values are measured, and judged empty, once; `blank` is the
    # rows empty in every column so far (None once a column has no empty value: no row is).
    columns, blank = [], np.ones(table.num_rows, dtype=bool)
    for name in names:
        column = Coded.from_arrow(table.column(name))
        distinct = pa.array(column.values, type=pa.string())
        if pc.max(pc.utf8_length(distinct)).as_py() > limit:
            return None
        columns.append(column)
        if blank is not None:
            empty = pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(distinct)), 0)
            empty = pc.fill_null(empty, False).to_numpy(zero_copy_only=False)
            blank = blank & empty[column.codes] if empty.any() else None
    if (blank is not None and blank.any()) or [c[0] for c in columns] != header:
        return None  # a row of empty values is skipped by the careful reader
    last = [c[-1] for c in columns]
    if any("\n" in c or "\r" in c for c in last):
        return None  # a quote left open at the end
    header_line = first + 1
    lines_read = range(header_line + 1, header_line + table.num_rows)
    rows = ColumnRows(lines_read, [c[1:] for c in columns])
    return header, header_line, rows


def _quotes_around_whole_values(octets, breaks, delimiter: str) -> bool:
    """Whether every quote of the UTF-8 bytes `octets` (from the header on; `breaks`: where
    its line feeds are) opens or closes a whole value with neither a quote nor a line break
    inside: each pair of quotes in turn starts the text, a line or follows the delimiter,
    and ends before the delimiter, a line break or the end. (Quote, delimiter and line
    breaks are ASCII: in UTF-8 no byte of another character equals them.)"""
    import numpy as np

    if len(delimiter) != 1 or ord(delimiter) > 127:
        return False
    sep = ord(delimiter)
    quotes = np.flatnonzero(octets == 34)
    if len(quotes) % 2:
        return False
    opens, closes = quotes[0::2], quotes[1::2]
    size = len(octets)
    before = np.where(opens > 0, octets[np.maximum(opens - 1, 0)], 10)
    after = np.where(closes + 1 < size, octets[np.minimum(closes + 1, size - 1)], 10)
    return bool(
        np.isin(before, (sep, 10)).all()
        and np.isin(after, (sep, 10, 13)).all()
        and (np.searchsorted(breaks, opens) == np.searchsorted(breaks, closes)).all()
    )


def _refuse_too_many_lines(text: str) -> None:
    """Refuse, before reading a row, a file of more lines than any table could need."""
    lines = max(text.count("\n"), text.count("\r"))
    if lines > MAX_LINES:
        raise TooBigInside(
            _(
                "The file has {lines} lines; a table has at most {rows} rows (and a file at "
                "most {limit} lines, blank ones included)."
            ).format(
                lines=i18n.number(lines),
                rows=i18n.number(MAX_ROWS),
                limit=i18n.number(MAX_LINES),
            ),
            _(
                "Delete the blank lines, or split the file into files of at most {rows} rows."
            ).format(rows=i18n.number(MAX_ROWS)),
        )


def _control_character(data: bytes, text: str, encoding: str) -> re.Match | None:
    """The first control character of `text` (decoded from `data` as `encoding`), if any. In
    UTF-8 and Windows-1251 a control character is the byte of the same value, and no other
    character has such a byte: a file without one is passed at the speed of its bytes."""
    if encoding != "UTF-16" and not data.translate(None, _NOT_CONTROL):
        return None
    return _CONTROL.search(text)


def _read_csv(data: bytes, file_name: str) -> RawTable:
    text, encoding = decode_text(data)
    if text.startswith("\ufeff"):
        text = text[1:]
    if _HTML.match(text[:4096]):
        raise UnreadableFile(
            _("This is a web page (HTML), not a table."),
            _("Download the CSV or Excel file itself rather than saving the page it is shown on."),
        )
    start_of_text = _LEADING_SPACE.match(text).end()  # text.lstrip() would copy the file
    if text[start_of_text : start_of_text + 5].lower() == "<?xml":
        raise UnreadableFile(_("This is an XML document, not a table."), _(SAVE_AS_CSV))
    if match := _control_character(data, text, encoding):
        line = text.count("\n", 0, match.start()) + 1
        raise UnreadableFile(
            _("Line {line} holds control characters: this is binary data, not a CSV table.").format(
                line=line
            ),
            _(SAVE_AS_CSV),
        )
    _refuse_too_many_lines(text)
    lines = _leading_lines(text)
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    notes = []
    delimiter = None
    if first < len(lines) and re.fullmatch(r"(?i)sep=(.)", lines[first].strip()):
        delimiter = lines[first].strip()[4]
        notes.append(
            _("the first line sets the separator to {separator}").format(separator=repr(delimiter))
        )
        first += 1
    if first >= len(lines):
        raise UnreadableFile(_("The file is empty."), _("Upload the file that holds the table."))
    if delimiter not in DELIMITERS:
        delimiter = sniff_delimiter(lines[first])

    found = _records_by_columns(data, text, encoding, delimiter, first, lines)
    header, header_line, rows = found or _records(text, delimiter, first)
    if len(header) > MAX_COLUMNS:
        raise _too_many_columns(len(header))
    return RawTable(
        file_name=file_name,
        sha256=file_sha256(data),
        size=len(data),
        format="CSV",
        header=header,
        header_line=header_line,
        rows=rows,
        encoding=encoding,
        delimiter=delimiter,
        notes=notes,
    )


def _too_many_rows() -> UnreadableFile:
    return UnreadableFile(
        _("The file has more than {rows} rows.").format(rows=i18n.number(MAX_ROWS)),
        _("Split it into files of at most {rows} rows.").format(rows=i18n.number(MAX_ROWS)),
    )


# XLSX -----------------------------------------------------------------------------------------
def cell_text(value, number_format: str = "") -> str:
    """A spreadsheet cell as the text it stands for; formulas keep their `=` text.

    A number shown as a percentage (0.45 shown as 45%) is read as `45%`, what the person
    typed and sees, never as 0.45.
    """
    if value is None:
        return ""
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and "%" in (number_format or "")
    ):
        percent = Decimal(repr(value)) * 100
        return f"{percent.normalize():f}%"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, str):
        return value
    text = getattr(value, "text", None)  # array and data-table formulas
    return str(text if text is not None else value)


def _pick_sheet(workbook, table: str | None):
    """The sheet named after the table (chosen, or any contract table), else the first."""
    names = {fold_name(n): n for n in workbook.sheetnames}
    wanted = [fold_name(table)] if table else list(TABLES)
    for name in wanted:
        if name in names:
            return workbook[names[name]]
    return workbook.worksheets[0]


def check_workbook_parts(data: bytes) -> None:
    """Refuse, before anything is unpacked, a workbook that is small outside and huge inside.

    A workbook is a ZIP archive of XML files ("parts"). Their number, their unpacked sizes
    and how much each is compressed are listed in the archive's directory, so they can be
    checked without unpacking: a 600 KB file whose sheet unpacks to 600 MB is refused here
    at once. (Reading a part stops at the size the directory states, so a part cannot
    unpack to more than it declares.)
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise UnreadableFile(
            _("This file is a ZIP archive but not an Excel workbook we can read."),
            _("Open it in Excel and save it as 'Excel Workbook (.xlsx)' or 'CSV UTF-8'."),
        ) from None
    fix = _("Open it in Excel and save it again as 'Excel Workbook (.xlsx)', or as 'CSV UTF-8'.")
    if len(parts) > MAX_XLSX_PARTS:
        raise TooBigInside(
            _(
                "The workbook is made of {parts} files inside; a workbook of a table has "
                "far fewer (at most {limit} are accepted)."
            ).format(parts=i18n.number(len(parts)), limit=i18n.number(MAX_XLSX_PARTS)),
            fix,
        )
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_XLSX_UNCOMPRESSED_MB * 1024 * 1024:
        raise TooBigInside(
            _(
                "The workbook unpacks to {size} MB; workbooks up to {limit} MB unpacked are "
                "accepted."
            ).format(size=i18n.number(unpacked / 1024 / 1024), limit=MAX_XLSX_UNCOMPRESSED_MB),
            _(
                "Split the table into smaller files (at most {rows} rows each), or save it as "
                "'CSV UTF-8'."
            ).format(rows=i18n.number(MAX_ROWS)),
        )
    for part in parts:
        if part.file_size > 1024 * 1024 and part.file_size > MAX_XLSX_RATIO * max(
            1, part.compress_size
        ):
            ratio = part.file_size / max(1, part.compress_size)
            raise TooBigInside(
                _(
                    "The workbook's part {part} unpacks {ratio} times larger than it is stored "
                    "({packed} KB to {unpacked} MB); a table's sheet is at most {limit} times, "
                    "so this is not an ordinary workbook."
                ).format(
                    part=repr(part.filename[:80]),
                    ratio=i18n.number(ratio),
                    packed=i18n.number(part.compress_size / 1024),
                    unpacked=i18n.number(part.file_size / 1024 / 1024),
                    limit=MAX_XLSX_RATIO,
                ),
                fix,
            )


def _column_name(number: int) -> str:
    name = ""
    while number:
        number, rest = divmod(number - 1, 26)
        name = chr(65 + rest) + name
    return name


def _check_declared_size(sheet) -> None:
    """A sheet whose declared size (its <dimension>) is larger than any table is refused
    before its rows are read. (The rows are read as they are, never padded to that size.)"""
    rows = (sheet.max_row or 0) - (sheet.min_row or 1) + 1
    columns = sheet.max_column or 0
    if rows > MAX_ROWS + 1_000 or columns > 2 * MAX_COLUMNS:
        raise UnreadableFile(
            _(
                "The sheet {sheet} declares {rows} rows and {columns} columns; a table has at "
                "most {max_rows} rows and {max_columns} columns."
            ).format(
                sheet=repr(sheet.title),
                rows=i18n.number(rows),
                columns=i18n.number(columns),
                max_rows=i18n.number(MAX_ROWS),
                max_columns=MAX_COLUMNS,
            ),
            _(
                "Delete the rows below and the columns to the right of the table (or save just "
                "the table as 'CSV UTF-8'); split it into files of at most {rows} rows."
            ).format(rows=i18n.number(MAX_ROWS)),
        )


def _sheet_rows(workbook, sheet) -> Iterator[tuple[int, list[dict]]]:
    """The rows of a read-only sheet as its XML holds them: (row number, cells), each cell a
    dict with column, value (a formula as its text) and style_id.

    openpyxl's own iter_rows pads every row to the sheet's declared width (or to its last
    cell), so one cell in column XFD of each row makes 16,384 cells a row; this reads the
    cells that are there and nothing more. It uses openpyxl's sheet parser (the one
    iter_rows uses, pinned by pyproject.toml to openpyxl 3.x).
    """
    from openpyxl.worksheet._reader import INLINE_STRING, VALUE_TAG, WorkSheetParser

    main = INLINE_STRING[: -len("is")]  # "{namespace}"

    class Parser(WorkSheetParser):
        def parse_cell(self, element):
            # A text written in the cell itself (as Python tools write workbooks): its words
            # taken directly, as openpyxl's Text(...).content takes them (the plain text and
            # rich-text runs, no phonetic guides), 3 times faster than building a Text.
            if element.get("t") == "inlineStr":
                inline = element.find(INLINE_STRING)
                if inline is not None:
                    parts = [inline.findtext(f"{main}t") or ""]
                    parts += [run.findtext(f"{main}t") or "" for run in inline.findall(f"{main}r")]
                    element.remove(inline)
                    element.set("t", "str")
                    value = element.makeelement(VALUE_TAG, {})
                    value.text = "".join(parts)
                    element.append(value)
            return super().parse_cell(element)

    with sheet._get_source() as source:
        parser = Parser(
            source,
            sheet._shared_strings,
            data_only=False,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        yield from parser.parse()


def _read_xlsx(data: bytes, file_name: str, table: str | None) -> RawTable:
    check_workbook_parts(data)
    import openpyxl  # slow to import; only XLSX uploads need it
    from openpyxl.cell.read_only import ReadOnlyCell

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - any failure means "not a workbook we can read"
        raise UnreadableFile(
            _("This file is a ZIP archive but not an Excel workbook we can read."),
            _("Open it in Excel and save it as 'Excel Workbook (.xlsx)' or 'CSV UTF-8'."),
        ) from None
    try:
        if not workbook.worksheets:
            raise UnreadableFile(_("The workbook has no sheets."), _(SAVE_AS_CSV))
        sheet = _pick_sheet(workbook, table)
        _check_declared_size(sheet)
        formats: dict[int, str] = {}  # style -> number format, looked up once per style

        def number_format(style_id: int) -> str:
            if style_id not in formats:
                formats[style_id] = ReadOnlyCell(sheet, 0, 0, None, "n", style_id).number_format
            return formats[style_id]

        header, header_line, rows = None, 0, []
        cells_read = 0
        shared = _Shared()
        for number, cells in _sheet_rows(workbook, sheet):
            if number > EXCEL_MAX_ROWS:
                raise UnreadableFile(
                    _(
                        "The sheet {sheet} names row {row}, beyond Excel's last row ({last}): "
                        "the workbook is damaged."
                    ).format(
                        sheet=repr(sheet.title),
                        row=i18n.number(number),
                        last=i18n.number(EXCEL_MAX_ROWS),
                    ),
                    _("Open it in Excel and save it again."),
                )
            cells_read += len(cells)
            if cells_read > (MAX_ROWS + 1) * MAX_COLUMNS:
                raise UnreadableFile(
                    _(
                        "The sheet {sheet} holds more than {cells} cells; a table has at most "
                        "{rows} rows of {columns} columns."
                    ).format(
                        sheet=repr(sheet.title),
                        cells=i18n.number(cells_read),
                        rows=i18n.number(MAX_ROWS),
                        columns=MAX_COLUMNS,
                    ),
                    _("Delete everything but the table (or save the table as 'CSV UTF-8')."),
                )
            texts: list[str] = []
            for cell in cells:
                value = cell["value"]
                if value is None or value == "":
                    continue
                column = cell["column"]
                if column > MAX_COLUMNS:
                    raise UnreadableFile(
                        _(
                            "Row {row} has a value in column {letter} (column {number}); a "
                            "table has at most {limit} columns."
                        ).format(
                            row=number,
                            letter=_column_name(column),
                            number=i18n.number(column),
                            limit=MAX_COLUMNS,
                        ),
                        _("Delete stray values to the right of the table."),
                    )
                if column > len(texts):
                    texts.extend([""] * (column - len(texts)))
                style = cell["style_id"]
                fmt = (
                    number_format(style)
                    if style and isinstance(value, int | float) and not isinstance(value, bool)
                    else ""
                )
                texts[column - 1] = cell_text(value, fmt)
            while texts and not texts[-1].strip():
                texts.pop()
            if not texts:
                continue
            if header is None:
                header, header_line = texts, number
                continue
            rows.append((number, shared.cells(texts)))
            if len(rows) > MAX_ROWS:
                raise _too_many_rows()
        if header is None:
            raise UnreadableFile(
                _("The sheet {sheet} is empty.").format(sheet=repr(sheet.title)),
                _("Put the table on it."),
            )
        # Spreadsheets leave trailing cells out; a short row is not a ragged one.
        width = len(header)
        for _line, cells in rows:
            if len(cells) < width:
                cells.extend([""] * (width - len(cells)))
        return RawTable(
            file_name=file_name,
            sha256=file_sha256(data),
            size=len(data),
            format="XLSX",
            header=header,
            header_line=header_line,
            rows=rows,
            sheet=sheet.title,
            notes=[
                _("sheet {sheet} of {count}").format(
                    sheet=repr(sheet.title), count=len(workbook.sheetnames)
                )
            ]
            if len(workbook.sheetnames) > 1
            else [],
        )
    except UnreadableFile:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged part, bad XML, a missing string
        raise UnreadableFile(
            _("The workbook is damaged and cannot be read ({error}).").format(
                error=type(exc).__name__
            ),
            _("Open it in Excel and save it again."),
        ) from None
    finally:
        workbook.close()
