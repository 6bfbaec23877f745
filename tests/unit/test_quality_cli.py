"""`python -m monitoring approve | reopen | quality` (docs/quality.md)."""

from __future__ import annotations

import datetime as dt

import pytest

from monitoring.cli.main import main
from monitoring.db import Database
from monitoring.quality import timeliness
from tests.unit.upload_support import copy_of


def test_approve_reopen_and_quality_from_the_command_line(
    sample_db_path, tmp_path, capsys, settings
):
    db = copy_of(sample_db_path, tmp_path)
    path = str(db.path)
    db.close()
    assert main(["approve", "2022Q1", "--region", "UZ-JI", "--by", "maria", "--db", path]) == 0
    out = capsys.readouterr().out
    assert "2022Q1 approved for region UZ-JI by maria" in out
    assert main(["approve", "2022Q1", "--region", "UZ-JI", "--by", "maria", "--db", path]) == 1
    assert "already approved" in capsys.readouterr().out
    with pytest.raises(SystemExit) as refused:  # argparse: --reason is required
        main(["reopen", "2022Q1", "--region", "UZ-JI", "--by", "a", "--db", path])
    assert refused.value.code == 2
    capsys.readouterr()
    assert (
        main(["reopen", "2022Q1", "--region", "UZ-JI", "--reason", "late survey", "--db", path])
        == 0
    )
    assert "reopened for region UZ-JI" in capsys.readouterr().out
    assert main(["quality", "--as-of", "2021Q4", "--db", path]) == 0
    out = capsys.readouterr().out
    assert "Data quality as of 31 December 2021 (2021Q4)" in out
    assert "Completeness:" in out and "region UZ-JI:" in out and "Rule violations: 0" in out
    # Timeliness counted only (no value listed), the counts of every value's status.
    whole = timeliness.timeliness(Database(path), settings, dt.date(2021, 12, 31))
    counts = ", ".join(f"{status} {n}" for status, n in timeliness.summary(whole).items())
    assert f"Timeliness: {counts}\n" in out and sum(timeliness.summary(whole).values()) > 0
    assert main(["quality", "--as-of", "2035Q1", "--db", path]) == 2
