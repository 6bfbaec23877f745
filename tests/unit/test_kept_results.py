"""Query results kept per data version (monitoring/db/results.py): the data quality checks'
rows are kept in the database by the first process that runs them and read back by the
next (a restart, a replica, the command line), exactly as computed; new data is computed
again; a result is not kept across a commit, nor in a read-only database.

Real databases (both engines) in tmp_path."""

import datetime as dt
import logging
import shutil
from dataclasses import replace

import pandas as pd

from monitoring import quality
from monitoring.db import Database
from monitoring.db import results as kept
from monitoring.intake import batches
from monitoring.periods import period_of
from monitoring.quality import completeness, outliers, prepared, rules, timeliness
from tests.conftest import insert
from tests.conftest import value_row as value
from tests.unit.upload_support import csv_bytes

AS_OF = dt.date(2022, 6, 30)
TODAY = dt.date(2026, 12, 2)


def _as_of(db, settings) -> dt.date:
    return AS_OF


CHECKS = {
    "quality_completeness",
    "quality_completeness_organisations",
    "quality_timeliness",
    "quality_outliers",
}


def _kept(db) -> list[tuple]:
    with db.cursor() as cur:
        return cur.execute(
            "select query, data_version, row_count, seconds from kept_results order by query"
        ).fetchall()


def _every_check(db, settings) -> dict[str, pd.DataFrame]:
    found = completeness.completeness(db, settings, AS_OF)
    checked = rules.checked(db, settings, AS_OF)
    out = {
        "cells": found.cells,
        "organisations": completeness.by_organisation(db, settings, AS_OF),
        "timeliness": timeliness.timeliness(db, settings, AS_OF, today=TODAY),
        "outliers": outliers.outliers(db, settings, AS_OF),
    }
    for rule, frame in zip(checked.rules, checked.found, strict=True):
        out[f"rule {rule.kind} {rule.indicators}"] = frame
        out[f"rule {rule.kind} {rule.indicators} parts"] = pd.DataFrame(
            {"parts": frame.attrs.get("part_values", [])}
        )
    return out


def test_every_check_is_kept_and_read_back_by_another_process_as_computed(sample_db, settings):
    db = sample_db
    first = _every_check(db, settings)
    assert any(len(f) for f in first.values())  # the sample breaks some checks
    names = {row[0] for row in _kept(db)}
    assert CHECKS <= names
    # the validation rules read stored copies kept by the writes: nothing to keep
    assert not any(name.startswith("quality_rule_") for name in names)
    assert len({row[1] for row in _kept(db)}) == 1  # one data version
    # Another process opens the same database: every frame is the same, dtypes too.
    again = Database(db.path)
    try:
        second = _every_check(again, settings)
    finally:
        again.close()
    assert first.keys() == second.keys()
    for name in first:
        pd.testing.assert_frame_equal(second[name], first[name], obj=name)


def test_the_kept_rows_are_read_not_computed_again(sample_db, settings):
    db = sample_db
    computed = outliers.outliers(db, settings, AS_OF)
    assert len(computed) > 1
    # What is kept is what the next call returns: keep fewer rows under the same name.
    bound = {
        "period": period_of(AS_OF),
        "threshold": settings.quality.outlier_threshold,
        "indicators": None,
        "first_rows": None,
    }
    key = kept.fingerprint(db, "quality_outliers", bound, kept.data_version(db))
    with db.transaction() as cur:
        cur.execute(
            "update kept_results set frame = $f where fingerprint = $k",
            {"f": kept._to_bytes(db.query("quality_outliers", **bound).head(1)), "k": key},
        )
    assert len(outliers.outliers(db, settings, AS_OF)) == 1
    # Another reporting date is another result, computed.
    earlier = {**bound, "period": "2021Q4"}
    assert len(db.query("quality_outliers", **earlier)) > 1
    assert len(outliers.outliers(db, settings, dt.date(2021, 12, 31))) == len(
        db.query("quality_outliers", **earlier)
    )


def test_new_data_is_checked_again_and_the_older_results_are_removed(sample_db, settings):
    db = sample_db
    before = completeness.completeness(db, settings, AS_OF)
    old_version = kept.data_version(db)
    missing = before.missing()
    assert len(missing) > 0
    cell = missing.iloc[0]
    # The missing value arrives (a write of the data's tables, as an upload's).
    insert(db, "indicator_values", [value(cell.indicator_code, cell.period, cell.region_code, 5)])
    assert kept.data_version(db) != old_version
    after = completeness.completeness(db, settings, AS_OF)
    assert after.reported == before.reported + 1
    assert {row[1] for row in _kept(db)} == {kept.data_version(db).label}


def test_a_result_is_not_kept_across_a_commit(sample_db, settings, monkeypatch):
    db = sample_db
    real = kept.data_version
    calls = []

    def committing_meanwhile(database):
        calls.append(1)
        if len(calls) == 2:  # after the query ran: another process commits an upload
            insert(database, "indicator_values", [value("OC1.1", "2022Q2", "UZ-JI", 1)])
        return real(database)

    monkeypatch.setattr(kept, "data_version", committing_meanwhile)
    kept.kept_query(
        db, "quality_outliers", period="2022Q2", threshold=3.5, indicators=None, first_rows=None
    )
    assert _kept(db) == []


def test_a_read_only_database_computes_and_keeps_nothing(sample_db_path, settings):
    db = Database(sample_db_path, read_only=True)
    try:
        found = outliers.outliers(db, settings, AS_OF)
        assert len(found) > 1
        assert _kept(db) == []
    finally:
        db.close()


def test_an_unreadable_kept_result_is_ignored_with_a_warning(sample_db, settings, caplog):
    db = sample_db
    computed = outliers.outliers(db, settings, AS_OF)
    with db.transaction() as cur:
        cur.execute("update kept_results set frame = $f", {"f": b"not a parquet file"})
    with caplog.at_level(logging.WARNING, logger="monitoring.db"):
        again = outliers.outliers(db, settings, AS_OF)
    assert "was ignored" in caplog.text
    pd.testing.assert_frame_equal(again, computed)


def test_only_the_latest_results_are_kept(sample_db, settings, monkeypatch):
    db = sample_db
    monkeypatch.setattr(kept, "KEEP", 3)
    for quarter_end in ("2021-06-30", "2021-09-30", "2021-12-31", "2022-03-31", "2022-06-30"):
        outliers.outliers(db, settings, dt.date.fromisoformat(quarter_end))
    assert len(_kept(db)) == 3


def test_migrate_store_leaves_the_kept_results_behind(sample_db_path, postgres_server, tmp_path):
    from monitoring.db.transfer import migrate_store
    from tests.conftest import new_postgres_database

    path = tmp_path / "source.duckdb"
    shutil.copy(sample_db_path, path)
    source = Database(path)
    computed = kept.kept_query(
        source, "quality_outliers", period="2022Q2", threshold=3.5, indicators=None, first_rows=None
    )
    assert len(_kept(source)) == 1
    source.close()
    url = new_postgres_database(postgres_server)
    report = migrate_store(path, url)
    assert report.ok and "kept_results" not in {t.name for t in report.tables}
    target = Database(url)
    try:
        assert _kept(target) == []  # kept for DuckDB: PostgreSQL computes its own
        again = kept.kept_query(
            target,
            "quality_outliers",
            period="2022Q2",
            threshold=3.5,
            indicators=None,
            first_rows=None,
        )
        assert len(_kept(target)) == 1
    finally:
        target.close()
    assert len(again) == len(computed) > 0


def test_the_checks_prepared_in_the_background_are_what_the_first_viewer_reads(sample_db, settings):
    db = sample_db
    prepared.prepare_in_background(db, settings, _as_of)
    assert prepared.wait(timeout=120)
    names = {row[0] for row in _kept(db)}
    assert CHECKS <= names
    # the validation rules read stored copies kept by the writes: nothing to keep
    assert not any(name.startswith("quality_rule_") for name in names)
    assert {row[1] for row in _kept(db)} == {kept.data_version(db).label}
    # The first viewer reads them: the rows a computation gives (the Outliers tab's).
    shown = outliers.shown(db, settings, AS_OF)
    fresh = db.query(
        "quality_outliers",
        period=period_of(AS_OF),
        threshold=settings.quality.outlier_threshold,
        indicators=None,
        first_rows=quality.FIRST_SHOWN,
    )
    assert shown.equals(fresh)


def test_closing_the_database_waits_for_the_check_being_prepared(
    sample_db_path, tmp_path, settings
):
    path = tmp_path / "closing.duckdb"
    shutil.copy(sample_db_path, path)
    db = Database(path)
    thread = prepared.prepare_in_background(db, settings, _as_of)
    db.close()  # a DuckDB connection refuses to close under a running query
    assert not thread.is_alive()


def test_the_settings_may_leave_the_checks_to_the_first_viewer(sample_db, settings):
    quiet = replace(settings, quality=replace(settings.quality, prepare_after_upload=False))
    assert prepared.prepare_in_background(sample_db, quiet, _as_of) is None
    assert prepared.wait(timeout=10)
    assert _kept(sample_db) == []


def _series_kept(db) -> list[tuple]:
    return [row for row in _kept(db) if row[0] == "series_summary"]


def test_a_preview_reads_the_stored_series_prepared_with_the_checks(sample_db, settings):
    """The outlier warnings of an upload compare its values with the stored series. Prepared
    with the checks after a write, the summary of every series is what the next preview
    reads; without it, a preview summarises its own indicators' series and keeps nothing."""
    db = sample_db
    data = csv_bytes(
        "indicator_code,period,region_code,org_id,sex,age_group,value",
        "OC2.1,2022Q2,UZ-JI,,all,all,500",
        "OC2.1,2022Q2,UZ-TO,,all,all,1",
    )
    cold = batches.preview_file(db, data, "values.csv", settings, today=TODAY)
    ((line, reason),) = [(w.line, w.reason) for w in cold.check.warnings]
    assert line == 2 and "far outside the earlier values of OC2.1 (0 to 2" in reason
    assert _series_kept(db) == []

    prepared.prepare(db, settings, AS_OF)
    (every,) = _series_kept(db)
    assert every[1] == kept.data_version(db).label
    assert every[2] == len(db.query("series_summary", indicators=None))
    # What is kept is what the preview reads: keep the series of another indicator only.
    key = kept.fingerprint(db, "series_summary", {"indicators": None}, kept.data_version(db))
    others = db.query("series_summary", indicators=["OC1.1"])
    with db.transaction() as cur:
        cur.execute(
            "update kept_results set frame = $f where fingerprint = $k",
            {"f": kept._to_bytes(others), "k": key},
        )
    before = _kept(db)
    blind = batches.preview_file(db, data, "values.csv", settings, today=TODAY)
    assert _kept(db) == before
    # (Its z-score is still given: a changed value is scored against the stored values.)
    assert [w.line for w in blind.check.warnings] == [2]
    assert "far outside" not in blind.check.warnings[0].reason
    # The true summary, prepared again: the same warnings as a preview without it.
    with db.transaction() as cur:
        cur.execute("delete from kept_results")
    prepared.prepare(db, settings, AS_OF)
    warm = batches.preview_file(db, data, "values.csv", settings, today=TODAY)
    assert warm.check.warnings == cold.check.warnings
