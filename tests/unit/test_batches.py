"""Commit, history and undo: one transaction per file, exact undo, the same file twice."""

import pytest

from monitoring.contract import TABLES
from monitoring.db import Database
from monitoring.intake.batches import (
    HISTORY_TABLES,
    UndoRefused,
    commit_file,
    history,
    preview_file,
    undo_batch,
)
from monitoring.intake.sample import load_sample
from tests.conftest import ENGINES
from tests.unit.upload_support import checksums, csv_bytes, sample_copy

BUDGET = "budget_line,category,period,amount,currency"
ORGS = "org_id,name,kind,region_code,district,women_led,status,established_on,lat,lon"


@pytest.fixture(params=ENGINES)
def upload_db(request, tmp_path):
    database = sample_copy(request, request.param, tmp_path)
    yield database
    database.close()


def contract_checksums(db):
    sums = checksums(db)
    return {k: v for k, v in sums.items() if k not in HISTORY_TABLES}


def budget_amount(db, line, period):
    with db.cursor() as cur:
        row = cur.execute(
            "select amount from budget where budget_line = ? and period = ?", [line, period]
        ).fetchone()
    return None if row is None else float(row[0])


def test_commit_inserts_and_updates_in_one_batch_that_undo_reverses_exactly(upload_db, settings):
    before = contract_checksums(upload_db)
    data = csv_bytes(BUDGET, "1.1,staff,2021Q1,41000,USD", "9.9,other,2022Q1,5,usd")
    result = commit_file(upload_db, data, "budget.csv", settings, by="Dilnoza")
    assert (result.inserted, result.updated, result.unchanged) == (1, 1, 0)
    assert budget_amount(upload_db, "1.1", "2021Q1") == 41000
    assert budget_amount(upload_db, "9.9", "2022Q1") == 5
    batch = history(upload_db).iloc[0]
    assert batch.batch_id == result.batch_id
    assert (batch.table_name, batch.file_name, batch.uploaded_by) == (
        "budget",
        "budget.csv",
        "Dilnoza",
    )
    assert (batch.rows_inserted, batch.rows_updated, batch.status) == (1, 1, "committed")
    assert len(batch.sha256) == 64

    undone = undo_batch(upload_db, result.batch_id, by="Dilnoza")
    assert (undone.deleted, undone.restored) == (1, 1)
    assert contract_checksums(upload_db) == before
    assert history(upload_db).iloc[0].status == "undone"


def test_undo_restores_every_kind_of_value_exactly(upload_db, settings):
    """Doubles, dates, booleans, NULLs and text come back bit for bit."""
    before = contract_checksums(upload_db)
    data = csv_bytes(
        ORGS,
        "CSO-01,Istiqlol Avlodi (renamed),authority,UZ-NG,,no,new,01.01.2000,41.123456789,",
        "CSO-02,Oydin Kelajak,cso,UZ-JI,Zomin,,,,,",
    )
    result = commit_file(upload_db, data, "orgs.csv", settings, by="tester")
    assert result.updated == 2
    assert contract_checksums(upload_db) != before
    undo_batch(upload_db, result.batch_id, by="tester")
    assert contract_checksums(upload_db) == before


def test_new_rows_are_written_as_checked_every_kind_of_value_and_a_left_out_default(
    upload_db, settings
):
    """The preview's checked rows are written without comparing them again (PostgreSQL
    copies them straight into their typed table): a boolean, a date, a double of many
    digits, an integer, an empty cell and a column the file leaves out (its default) are
    stored as a fresh comparison would store them."""
    orgs = csv_bytes(ORGS, "CSO-99,Yangi Tong,cso,UZ-NG,Chust,yes,new,31.12.2019,41.123456789,")
    indicators = csv_bytes(
        "indicator_code,level,outcome,title,unit,direction,aggregation,target",
        "OC9.9,outcome,3,Safety walks held,number,increase,sum,12",
    )
    for data, name in ((orgs, "orgs.csv"), (indicators, "indicators.csv")):
        assert commit_file(upload_db, data, name, settings, by="tester").inserted == 1
    with upload_db.cursor() as cur:
        org = cur.execute(
            "select name, women_led, established_on, lat, lon, district from organisations "
            "where org_id = 'CSO-99'"
        ).fetchone()
        indicator = cur.execute(
            "select outcome, target, sensitive, baseline from indicators "
            "where indicator_code = 'OC9.9'"
        ).fetchone()
    assert org[:2] == ("Yangi Tong", True)
    assert str(org[2]) == "2019-12-31"
    assert (org[3], org[4], org[5]) == (41.123456789, None, "Chust")
    assert indicator == (3, 12.0, False, None)


def test_the_same_file_twice_changes_nothing(upload_db, settings):
    data = csv_bytes(BUDGET, "9.9,other,2022Q1,5,USD")
    first = commit_file(upload_db, data, "b.csv", settings, by="a")
    sums = checksums(upload_db)
    preview = preview_file(upload_db, data, "again.csv", settings)
    assert preview.previous.batch_id == first.batch_id
    assert not preview.can_commit
    second = commit_file(upload_db, data, "again.csv", settings, by="b")
    assert second.batch_id is None and second.previous.batch_id == first.batch_id
    assert "already imported as batch" in second.describe()
    assert checksums(upload_db) == sums


def test_a_file_can_be_imported_again_after_its_batch_was_undone(upload_db, settings):
    data = csv_bytes(BUDGET, "9.9,other,2022Q1,5,USD")
    first = commit_file(upload_db, data, "b.csv", settings, by="a")
    undo_batch(upload_db, first.batch_id, by="a")
    again = commit_file(upload_db, data, "b.csv", settings, by="a")
    assert again.batch_id > first.batch_id and again.inserted == 1


def test_undo_is_refused_when_a_later_batch_changed_the_same_rows(upload_db, settings):
    first = commit_file(
        upload_db, csv_bytes(BUDGET, "9.9,other,2022Q1,5,USD"), "1.csv", settings, by="a"
    )
    later = commit_file(
        upload_db, csv_bytes(BUDGET, "9.9,other,2022Q1,7,USD"), "2.csv", settings, by="b"
    )
    sums = checksums(upload_db)
    with pytest.raises(
        UndoRefused, match=f"changed again by a later batch: batch {later.batch_id} "
    ):
        undo_batch(upload_db, first.batch_id, by="a")
    assert checksums(upload_db) == sums
    # Newest first works, and then the first batch can go too.
    undo_batch(upload_db, later.batch_id, by="b")
    assert budget_amount(upload_db, "9.9", "2022Q1") == 5
    undo_batch(upload_db, first.batch_id, by="a")
    assert budget_amount(upload_db, "9.9", "2022Q1") is None


def test_a_later_batch_on_other_rows_does_not_block_an_undo(upload_db, settings):
    first = commit_file(
        upload_db, csv_bytes(BUDGET, "9.9,other,2022Q1,5,USD"), "1.csv", settings, by="a"
    )
    commit_file(upload_db, csv_bytes(BUDGET, "9.8,other,2022Q1,7,USD"), "2.csv", settings, by="b")
    undo_batch(upload_db, first.batch_id, by="a")
    assert budget_amount(upload_db, "9.8", "2022Q1") == 7


def test_undo_twice_and_undo_of_an_unknown_batch_are_refused(upload_db, settings):
    first = commit_file(
        upload_db, csv_bytes(BUDGET, "9.9,other,2022Q1,5,USD"), "1.csv", settings, by="a"
    )
    undo_batch(upload_db, first.batch_id, by="a")
    with pytest.raises(UndoRefused, match="already undone"):
        undo_batch(upload_db, first.batch_id, by="a")
    with pytest.raises(UndoRefused, match="There is no batch 9999"):
        undo_batch(upload_db, 9999, by="a")


def test_undo_is_refused_when_other_tables_point_at_rows_it_would_remove(upload_db, settings):
    orgs = commit_file(
        upload_db, csv_bytes(ORGS, "CSO-90,New,cso,UZ-JI,,,,,,"), "o.csv", settings, by="a"
    )
    commit_file(
        upload_db,
        csv_bytes(
            "grant_id,org_id,title,awarded_on,amount,currency",
            "G-90,CSO-90,Lights,2021-09-01,100,USD",
        ),
        "g.csv",
        settings,
        by="a",
    )
    sums = checksums(upload_db)
    with pytest.raises(UndoRefused, match="1 row\\(s\\) of grants refer to organisations rows"):
        undo_batch(upload_db, orgs.batch_id, by="a")
    assert checksums(upload_db) == sums


def test_commit_and_undo_change_the_data_version(upload_db, settings):
    version = upload_db.data_version()
    result = commit_file(
        upload_db, csv_bytes(BUDGET, "9.9,other,2022Q1,5,USD"), "1.csv", settings, by="a"
    )
    committed = upload_db.data_version()
    assert committed != version
    undo_batch(upload_db, result.batch_id, by="a")
    assert upload_db.data_version() not in (version, committed)


def test_a_name_is_needed_to_commit_or_undo(upload_db, settings):
    with pytest.raises(ValueError, match="Say who"):
        commit_file(
            upload_db, csv_bytes(BUDGET, "9.9,other,2022Q1,5,USD"), "1.csv", settings, by=" "
        )
    with pytest.raises(ValueError, match="Say who"):
        undo_batch(upload_db, 1, by="")


def test_the_sample_goes_through_the_same_commit_path_and_loads_once(tmp_path, settings):
    database = Database(tmp_path / "fresh.duckdb")
    counts = load_sample(database, settings=settings)
    assert counts["regions"] == 14 and all(counts.values())
    sums = checksums(database)
    assert load_sample(database, settings=settings) == dict.fromkeys(counts, 0)
    assert checksums(database) == sums
    batches = history(database)
    # a batch a table, but the values': one a quarter, each dated after its quarter's end
    values = batches[batches.table_name == "indicator_values"]
    assert set(batches.source) == {"sample"} and len(batches) == len(TABLES) - 1 + len(values)
    assert list(values.file_name.sort_values()) == [
        f"indicator_values-{p}.csv"
        for p in ("2021Q1", "2021Q2", "2021Q3", "2021Q4", "2022Q1", "2022Q2")
    ]
    assert str(values.uploaded_at.min().date()) == "2021-04-18"  # 2021Q1 + 18 days
    database.close()


def test_a_file_that_changes_nothing_records_no_batch(upload_db, settings):
    sums = checksums(upload_db)
    result = commit_file(
        upload_db, csv_bytes(BUDGET, "1.1,staff,2021Q1,40000,USD"), "same.csv", settings, by="a"
    )
    assert result.batch_id is None and result.unchanged == 1
    assert "Nothing to import" in result.describe()
    assert checksums(upload_db) == sums


@pytest.mark.parametrize("name", ["[click](https://example.org)", "$x$", ":red[x]", "a" * 101])
def test_a_name_is_plain_text(upload_db, settings, name):
    with pytest.raises(ValueError, match="A name may hold letters"):
        commit_file(
            upload_db, csv_bytes(BUDGET, "9.9,other,2022Q1,5,USD"), "1.csv", settings, by=name
        )


def test_an_import_colliding_with_another_write_is_cancelled_whole(upload_db, settings):
    """Two writers on the same row: the second gets a plain message and writes nothing."""
    from monitoring.db import DatabaseError

    with upload_db.cursor() as other:
        other.execute("begin transaction")
        other.execute(
            "update budget set amount = 1 where budget_line = '1.1' and period = '2021Q1'"
        )
        before = checksums(upload_db)
        with pytest.raises(DatabaseError, match="at the same moment"):
            commit_file(
                upload_db,
                csv_bytes(BUDGET, "1.1,staff,2021Q1,41000,USD", "9.9,other,2022Q1,5,USD"),
                "b.csv",
                settings,
                by="a",
            )
        assert checksums(upload_db) == before
        other.execute("rollback")
    assert budget_amount(upload_db, "1.1", "2021Q1") == 40000
    assert budget_amount(upload_db, "9.9", "2022Q1") is None


def test_a_large_file_is_compared_with_the_stored_rows_of_its_quarters(upload_db, settings):
    """A file of HASHED_FROM_ROWS rows or more is compared only with the stored rows of its
    quarters, joined by hashing on PostgreSQL: rows of a stored quarter are told apart as
    changed, unchanged or new as for a small file."""
    from monitoring.intake.validation import HASHED_FROM_ROWS

    with upload_db.cursor() as cur:
        stored = cur.execute(
            "select indicator_code, region_code, org_id, value from indicator_values "
            "where period = '2021Q2' and sex = 'all' and age_group = 'all' "
            "order by indicator_code, region_code, org_id limit 2"
        ).fetchall()
    assert len(stored) == 2
    (code, region, org, value), (code2, region2, org2, value2) = stored
    header = "indicator_code,period,region_code,org_id,sex,age_group,value,comment"
    bands = [f"{low}-{high}" for low in range(200) for high in range(low, low + 100)]
    new = [  # each a new age group of one stored value
        f"{code},2021Q2,{region},{org},all,{band},1," for band in bands[:HASHED_FROM_ROWS]
    ]
    data = csv_bytes(
        header,
        f"{code},2021Q2,{region},{org},all,all,{value + 1:g},",
        f"{code2},2021Q2,{region2},{org2},all,all,{value2:g},",
        *new,
    )
    check = preview_file(upload_db, data, "values.csv", settings).check
    assert not check.errors
    assert (check.new, check.changed) == (HASHED_FROM_ROWS, 1)
    result = commit_file(upload_db, data, "values.csv", settings, by="tester")
    assert (result.inserted, result.updated, result.unchanged) == (HASHED_FROM_ROWS, 1, 1)
