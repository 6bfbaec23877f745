"""Read an uploaded file (CSV or XLSX) into a header and rows of text, whatever arrives.

Reading never guesses silently and never executes anything: formulas are read as their
text, HTML is refused, binary files and mixed encodings are named for what they are. A file
that cannot be read at all raises UnreadableFile; everything else (ragged rows, bad values)
is for monitoring.validation to report line by line.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from monitoring.contract import TABLES, Table

# Limits, enforced before any real work is done (the page and docs/upload.md quote them).
MAX_FILE_MB = 20
MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 60

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
SAVE_AS_CSV = "In Excel use File › Save As › 'CSV UTF-8 (comma delimited)' or 'Excel Workbook'."


class UnreadableFile(ValueError):
    """The file cannot be read as a table; `reason` and `fix` are plain words."""

    def __init__(self, reason: str, fix: str):
        super().__init__(f"{reason} {fix}")
        self.reason = reason
        self.fix = fix


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

    @property
    def comma_is_decimal(self) -> bool:
        """In a `;`-separated file the comma is the decimal mark (Excel in ru/uz locales)."""
        return self.delimiter == ";"

    def describe(self) -> str:
        """One line saying how the file was read."""
        if self.format == "XLSX":
            how = f"Excel workbook, sheet {self.sheet!r}"
        else:
            how = f"CSV, {self.encoding}, {DELIMITERS.get(self.delimiter, '?')}-separated"
        return f"{how}, {len(self.rows)} data row(s)"


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cycle collector paused: reading a large file makes millions of lists (one
    per row) and none of them in a cycle, yet every few thousand new containers the
    collector walks all of them; a 1,000,000-row file spent most of its time there."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
                f"There is no table called {table!r}.",
                f"Choose one of: {', '.join(TABLES)}.",
            ) from None
    found = recognise_table(raw.header, raw.file_name)
    if found is None:
        shown = ", ".join(h for h in raw.header[:8] if h.strip()) or "(nothing)"
        raise UnreadableFile(
            f"Cannot tell which table this file holds: its first line ({shown[:200]}) does "
            "not name the required columns of any table.",
            "Put the column names of the contract on the first line (download a template), "
            "or choose the table explicitly.",
        )
    return found


# What kind of file is it? ---------------------------------------------------------------------
_SIGNATURES = [
    (b"\xd0\xcf\x11\xe0", "an old Excel 97-2003 (.xls) or other Office file"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"RIFF", "a media file"),
    (b"\x1f\x8b", "a compressed (gzip) file"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"{\\rtf", "a Word (RTF) document"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
]
_HTML = re.compile(
    r"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|table|script|div)\b",
    re.IGNORECASE | re.DOTALL,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def read_table(data: bytes, file_name: str, table: str | None = None) -> RawTable:
    """Read an uploaded file into a RawTable, or raise UnreadableFile saying why not."""
    size = len(data)
    if size > MAX_FILE_BYTES:
        raise UnreadableFile(
            f"The file is {size / 1024 / 1024:.1f} MB; files up to {MAX_FILE_MB} MB are accepted.",
            f"Split it into smaller files (at most {MAX_ROWS:,} rows each).",
        )
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise UnreadableFile("The file is empty.", "Upload the file that holds the table.")
    if data.startswith(b"PK\x03\x04"):
        with gc_paused():
            raw = _read_xlsx(data, file_name, table)
    else:
        for signature, what in _SIGNATURES:
            if data.startswith(signature):
                raise UnreadableFile(f"This file is {what}, not a table.", SAVE_AS_CSV)
        with gc_paused():
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
                "The file starts as UTF-16 text but part of it is not UTF-16.",
                "Save the whole file again in one encoding (e.g. 'CSV UTF-8').",
            ) from None
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    if b"\x00" in body[:65536]:
        raise UnreadableFile(
            "This file holds binary data, not text: it is not a CSV table (or it is UTF-16 "
            "text without a byte-order mark).",
            SAVE_AS_CSV,
        )
    try:
        return body.decode("utf-8"), "UTF-8 with BOM" if bom else "UTF-8"
    except UnicodeDecodeError:
        pass
    mixed = _mixed_encoding_lines(body)
    if mixed or bom:
        good, bad = mixed or (1, None)
        where = f"line {good} is UTF-8 but line {bad} is not" if bad else "part is not UTF-8"
        raise UnreadableFile(
            f"The file mixes text encodings: {where} (probably Windows-1251). Values would "
            "be garbled.",
            "Save the whole file again in one encoding, e.g. Excel's 'CSV UTF-8'.",
        )
    try:
        return body.decode("cp1251"), "Windows-1251"
    except UnicodeDecodeError:
        raise UnreadableFile(
            "The file's text encoding is not one we read (UTF-8, UTF-16 or Windows-1251).",
            "Save it again as 'CSV UTF-8'.",
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


def _records(text: str, delimiter: str, first: int) -> tuple[list[str], int, list]:
    """The header, its line and the rows (line, cells) after the first `first` lines.

    Read in one go, and numbered by position when every record is one line; when a quoted
    value spans lines (or the file cannot be read as CSV), record by record with the line
    each starts on, which the error messages name.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        records = list(reader)
    except csv.Error:
        return _records_one_by_one(text, delimiter, first)
    if reader.line_num != len(records):
        return _records_one_by_one(text, delimiter, first)
    # (_filled, written out: a call per row costs as much as the test)
    kept = [
        (line, cells)
        for line, cells in enumerate(records, start=1)
        if line > first and cells and (cells[0].strip() or "".join(cells).strip())
    ]
    del records
    if not kept:
        raise UnreadableFile("The file is empty.", "Upload the file that holds the table.")
    header_line, header = kept[0]
    if len(kept) - 1 > MAX_ROWS:
        raise _too_many_rows()
    return header, header_line, kept[1:]


def _records_one_by_one(text: str, delimiter: str, first: int) -> tuple[list[str], int, list]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header, header_line, rows = None, 0, []
    start = 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if line <= first or not _filled(cells):
                continue
            if header is None:
                header, header_line = cells, line
                continue
            rows.append((line, cells))
            if len(rows) > MAX_ROWS:
                raise _too_many_rows()
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise UnreadableFile(
                f"Line {start} holds a value longer than {csv.field_size_limit():,} characters.",
                "Check the file: a table cell is never that long (perhaps a quote is not closed).",
            ) from None
        raise UnreadableFile(
            f'Line {start} cannot be read as CSV ({exc}); usually a quote (") that is '
            "opened and never closed.",
            'Put quotes around whole values only, and double a quote inside a value ("").',
        ) from None
    if header is None:
        raise UnreadableFile("The file is empty.", "Upload the file that holds the table.")
    return header, header_line, rows


def _read_csv(data: bytes, file_name: str) -> RawTable:
    text, encoding = decode_text(data)
    if text.startswith("\ufeff"):
        text = text[1:]
    if _HTML.match(text[:4096]):
        raise UnreadableFile(
            "This is a web page (HTML), not a table.",
            "Download the CSV or Excel file itself rather than saving the page it is shown on.",
        )
    start_of_text = _LEADING_SPACE.match(text).end()  # text.lstrip() would copy the file
    if text[start_of_text : start_of_text + 5].lower() == "<?xml":
        raise UnreadableFile("This is an XML document, not a table.", SAVE_AS_CSV)
    if match := _CONTROL.search(text):
        line = text.count("\n", 0, match.start()) + 1
        raise UnreadableFile(
            f"Line {line} holds control characters: this is binary data, not a CSV table.",
            SAVE_AS_CSV,
        )
    lines = _leading_lines(text)
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    notes = []
    delimiter = None
    if first < len(lines) and re.fullmatch(r"(?i)sep=(.)", lines[first].strip()):
        delimiter = lines[first].strip()[4]
        notes.append(f"the first line sets the separator to {delimiter!r}")
        first += 1
    if first >= len(lines):
        raise UnreadableFile("The file is empty.", "Upload the file that holds the table.")
    if delimiter not in DELIMITERS:
        delimiter = sniff_delimiter(lines[first])

    header, header_line, rows = _records(text, delimiter, first)
    if len(header) > MAX_COLUMNS:
        raise UnreadableFile(
            f"The first line has {len(header)} columns; a table has at most {MAX_COLUMNS}.",
            "Check that the file is one of the contract's tables and uses , ; or tab.",
        )
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
        f"The file has more than {MAX_ROWS:,} rows.",
        f"Split it into files of at most {MAX_ROWS:,} rows.",
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


def _read_xlsx(data: bytes, file_name: str, table: str | None) -> RawTable:
    import openpyxl  # slow to import; only XLSX uploads need it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - any failure means "not a workbook we can read"
        raise UnreadableFile(
            "This file is a ZIP archive but not an Excel workbook we can read.",
            "Open it in Excel and save it as 'Excel Workbook (.xlsx)' or 'CSV UTF-8'.",
        ) from None
    try:
        if not workbook.worksheets:
            raise UnreadableFile("The workbook has no sheets.", SAVE_AS_CSV)
        sheet = _pick_sheet(workbook, table)
        header, header_line, rows = None, 0, []
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            texts = [cell_text(c.value, getattr(c, "number_format", "")) for c in cells]
            while texts and not texts[-1].strip():
                texts.pop()
            if not texts:
                continue
            if len(texts) > MAX_COLUMNS:
                raise UnreadableFile(
                    f"Row {number} has values in {len(texts)} columns; a table has at most "
                    f"{MAX_COLUMNS}.",
                    "Delete stray values to the right of the table.",
                )
            if header is None:
                header, header_line = texts, number
                continue
            rows.append((number, texts))
            if len(rows) > MAX_ROWS:
                raise _too_many_rows()
        if header is None:
            raise UnreadableFile(f"The sheet {sheet.title!r} is empty.", "Put the table on it.")
        # Spreadsheets leave trailing cells out; a short row is not a ragged one.
        rows = [(n, cells + [""] * (len(header) - len(cells))) for n, cells in rows]
        return RawTable(
            file_name=file_name,
            sha256=file_sha256(data),
            size=len(data),
            format="XLSX",
            header=header,
            header_line=header_line,
            rows=rows,
            sheet=sheet.title,
            notes=[f"sheet {sheet.title!r} of {len(workbook.sheetnames)}"]
            if len(workbook.sheetnames) > 1
            else [],
        )
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise UnreadableFile(
            f"The workbook is damaged and cannot be read ({exc}).",
            "Open it in Excel and save it again.",
        ) from None
    finally:
        workbook.close()
