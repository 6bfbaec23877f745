"""Report files are reproducible: the same data version, date and scope give the same bytes,
and `--data-version N` makes them again from the data as they stood after batch N, after
later uploads and undos (monitoring/intake/replay.py)."""

from __future__ import annotations

import pytest

from monitoring.access import sharing
from monitoring.cli.main import main
from monitoring.db import close_all
from monitoring.db.versions import current_version
from monitoring.intake.batches import commit_file, undo_batch
from monitoring.intake.replay import database_after_batch
from monitoring.quality import approvals
from monitoring.reports import iptt, report
from tests.unit.reports_support import AS_OF, copy_of, programme_settings, view, workbook
from tests.unit.upload_support import csv_bytes, reopen_everything

HEADER = "indicator_code,period,region_code,org_id,sex,age_group,value,comment,source"


def files(db, settings, version=None) -> tuple[bytes, bytes]:
    team = view(db, settings)
    return (
        iptt.iptt_workbook(db, team, settings, AS_OF, version=version),
        report.pdf_report(db, team, settings, AS_OF, version=version),
    )


def test_later_batches_and_undos_are_replayed_away(sample_db_path, tmp_path):
    settings = programme_settings()
    db = copy_of(sample_db_path, tmp_path)
    reopen_everything(db)  # the sample's quarters are approved, so locked
    first = current_version(db)
    before = files(db, settings)
    one = commit_file(
        db, csv_bytes(HEADER, "OC2.2,2022Q2,UZ-JI,,all,all,9,,Quarterly report"),
        "values.csv", settings, by="Tester",
    )  # fmt: skip
    after_one = files(db, settings)
    assert after_one != before
    two = commit_file(
        db, csv_bytes(HEADER, "OC3.1,2022Q2,UZ-NG,,all,all,12,,Quarterly report"),
        "more.csv", settings, by="Tester",
    )  # fmt: skip
    undo_batch(db, one.batch_id, by="Tester")  # batch one undone after batch two
    folder = tmp_path / "replays"
    folder.mkdir()
    replayed, version = database_after_batch(db, first.batch, folder)
    assert (version.batch, version.undone, version.at) == (first.batch, 0, first.at)
    assert files(replayed, settings, version) == before
    replayed.close()
    # After batch one: batch two undone and batch one redone in the copy.
    replayed, version = database_after_batch(db, one.batch_id, folder)
    assert files(replayed, settings, version) == after_one
    replayed.close()
    with db.cursor() as cur:  # the original is never written
        assert cur.execute(
            "select status from upload_batches where batch_id in (?, ?) order by batch_id",
            [one.batch_id, two.batch_id],
        ).fetchall() == [("undone",), ("committed",)]
    with pytest.raises(ValueError, match="There is no upload batch 99"):
        database_after_batch(db, 99, folder)
    db.close()


def test_the_command_line_writes_the_same_files(sample_db_path, tmp_path, capsys, monkeypatch):
    settings = programme_settings()
    db = copy_of(sample_db_path, tmp_path)
    reopen_everything(db)  # the sample's quarters are approved, so locked
    expected = files(db, settings)
    sharing.create_share_link(db, "USIP Q2", "30d", by="tests", regions=["UZ-JI"], secret="x" * 40)
    sharing.create_share_link(
        db, "Tables only", "30d", by="tests", downloads=["tables"], secret="x" * 40
    )
    commit_file(
        db, csv_bytes(HEADER, "OC2.2,2022Q2,UZ-JI,,all,all,9,,Quarterly report"),
        "values.csv", settings, by="Tester",
    )  # fmt: skip
    for period in ("2021Q1", "2021Q2", "2021Q3", "2021Q4", "2022Q1", "2022Q2"):
        approvals.approve(db, settings, period, by="tests")  # what the links' donors see
    path = str(db.path)
    db.close()
    close_all()
    monkeypatch.setenv("MONITORING_SETTINGS", str(settings.path))
    out = tmp_path / "iptt.xlsx"
    # 15: the sample's last batch (monitoring/intake/sample.py), before the changes above
    code = main(["report", "iptt", "--as-of", "2022Q2", "--out", str(out), "--db", path,
                 "--data-version", "15"])  # fmt: skip
    assert code == 0 and out.read_bytes() == expected[0]
    pdf = tmp_path / "report.pdf"
    assert main(["report", "pdf", "--as-of", "Q2 2022", "--out", str(pdf), "--db", path,
                 "--data-version", "15"]) == 0  # fmt: skip
    assert pdf.read_bytes() == expected[1]
    assert "Wrote" in capsys.readouterr().out
    shared = tmp_path / "shared.xlsx"
    assert main(["report", "iptt", "--out", str(shared), "--share", "1", "--db", path]) == 0
    cover = {r[0]: r[1] for r in workbook(shared.read_bytes())["Cover"].iter_rows(
        min_row=3, values_only=True) if r[0]}  # fmt: skip
    assert (cover["Scope"], cover["Made for"]) == ("Jizzakh", "share link “USIP Q2”")
    assert cover["Reporting date"] == "30 June 2022 (quarter 2022Q2)"
    assert main(["report", "pdf", "--out", str(tmp_path / "x.pdf"), "--share", "2",
                 "--db", path]) == 2  # fmt: skip
    assert "Reports cannot be downloaded through this link" in capsys.readouterr().err
    assert main(["report", "pdf", "--as-of", "2022-13", "--out", str(pdf), "--db", path]) == 2
