"""Helpers shared by the upload tests: a writable copy of the sample database, files."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import openpyxl

from monitoring.db import Database
from monitoring.intake.batches import table_checksums

VALUES_HEADER = "indicator_code,period,region_code,org_id,sex,age_group,value,comment,source"


def copy_of(sample_db_path: Path, tmp_path: Path, *, approved: bool = False) -> Database:
    """A database of its own, holding the sample tables, that a test may change. The sample
    approves its quarters, which locks them against uploads (docs/quality.md): reopened here
    unless `approved`."""
    path = tmp_path / "upload.duckdb"
    shutil.copy(sample_db_path, path)
    database = Database(path)
    database.connection()
    if not approved:
        reopen_everything(database)
    return database


def sample_copy(request, engine: str, tmp_path: Path, *, approved: bool = False) -> Database:
    """copy_of on `engine`: a copy of the sample file, or a new PostgreSQL database copied
    from the session's sample template (tests/conftest.py), reopened unless `approved`."""
    if engine == "duckdb":
        return copy_of(request.getfixturevalue("sample_db_path"), tmp_path, approved=approved)
    from tests.conftest import sample_database

    database = sample_database(request, engine)
    database.connection()
    if not approved:
        reopen_everything(database)
    return database


def reopen_everything(database: Database) -> None:
    """Reopen every approved quarter (the tests' own reason)."""
    with database.transaction() as cur:
        cur.execute(
            "insert into quarter_approvals (period, region_code, action, acted_by, acted_at, "
            "reason) select period, region_code, 'reopen', 'tests', now(), 'a test changes "
            "the sample' from approved_scopes()"
        )


def csv_bytes(*lines: str, encoding: str = "utf-8", newline: str = "\n") -> bytes:
    return (newline.join(lines) + newline).encode(encoding)


def xlsx_bytes(
    rows: list[list], sheet: str = "Sheet1", extra_sheets: tuple[str, ...] = ()
) -> bytes:
    """A workbook whose first sheet (or `sheet`) holds `rows`; strings starting with = are
    written as formulas, exactly as Excel stores them."""
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = extra_sheets[0] if extra_sheets else sheet
    target = workbook.create_sheet(sheet) if extra_sheets else first
    for row in rows:
        target.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def checksums(db: Database) -> dict[str, str]:
    return table_checksums(db)
