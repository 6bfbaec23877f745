"""What the report tests share: the sample database, the programme's own settings (its [iati]
section), the views of the team and of donors, and the report files made from them once."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl

from monitoring.access import accounts
from monitoring.access.view import TEAM, Audience, protected_view
from monitoring.db import Database
from monitoring.settings import ROOT, load_settings

AS_OF = dt.date(2022, 6, 30)
SENSITIVE = ("OC2.4", "returnees reached")  # the sample's sensitive indicator: code, words


def programme_settings():
    return load_settings(ROOT / "programme.toml")


def copy_of(sample_db_path: Path, folder: Path) -> Database:
    """A writable copy of the sample database."""
    path = folder / "copy.duckdb"
    shutil.copyfile(sample_db_path, path)
    return Database(path)


def view(db, settings, regions=None, donor=False, downloads=("tables", "reports")):
    if not donor:
        return protected_view(db, settings, TEAM)
    link = None if regions is None else tuple(regions)
    return protected_view(db, settings, Audience(accounts.DONOR, link, None, downloads))


def workbook(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def sheet_texts(data: bytes) -> list[str]:
    """Every cell of every sheet of a workbook, as text."""
    book = workbook(data)
    return [
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]


def _pdftotext(data: bytes, tmp_path: Path, *options: str) -> str:
    """pdftotext's output for a PDF (Debian's poppler-utils, which .ci/run installs): a
    missing pdftotext fails the test, it never skips it."""
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext is missing: apt-get install poppler-utils (.ci/run does)"
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        [tool, *options, str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """The text of a PDF, read back with pdftotext."""
    return _pdftotext(data, tmp_path, "-layout", "-enc", "UTF-8")


def overlapping_words(data: bytes, tmp_path: Path) -> list[tuple[int, str, str]]:
    """Pairs of words of a PDF printed over each other (page, word, word): on one line, their
    boxes (pdftotext -bbox) overlapping by more than half a point."""
    html = _pdftotext(data, tmp_path, "-bbox")
    word = re.compile(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    )
    found = []
    for number, page in enumerate(html.split("<page ")[1:], 1):
        boxes = [(*map(float, m[:4]), m[4]) for m in word.findall(page)]
        for i, (x0, y0, x1, y1, a) in enumerate(boxes):
            for u0, v0, u1, v1, b in boxes[i + 1 :]:
                same_line = min(y1, v1) - max(y0, v0) > 0.5 * (y1 - y0)
                if same_line and min(x1, u1) - max(x0, u0) > 0.5:
                    found.append((number, a, b))
    return found


def unnamed_names(db: Database) -> list[str]:
    """Names of the organisations a donor never sees named (community groups)."""
    with db.cursor() as cur:
        rows = cur.execute("select name from organisations where kind = 'community_group'")
        return [r[0] for r in rows.fetchall()]


def rows_texts(data: bytes) -> list[str]:
    """sheet_texts, under the name the scope tests read."""
    return sheet_texts(data)
