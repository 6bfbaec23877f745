"""Stored copies of views (monitoring/db/stored.py): refreshed by the writes, never by a read;
a copy out of date is not read, and saying so is logged."""

import datetime as dt
import hashlib
import logging

import duckdb
import pytest

from monitoring.cli.main import main
from monitoring.db import STORED_COPIES, Database, DatabaseError, query_text, stored
from monitoring.db.statements import named_tables, written_tables
from monitoring.intake.batches import commit_file, undo_batch
from monitoring.quality import rules
from tests.conftest import indicator_row, insert, value_row
from tests.unit.upload_support import VALUES_HEADER, copy_of, csv_bytes, sample_copy

VALUES, RATES = STORED_COPIES[:2]  # indicator_region_values, transactions_converted
USED = stored.BY_TABLE["region_codes_used_stored"]


def by_region(db: Database, code: str = "OC1") -> dict[tuple[str, str], float]:
    frame = db.query(
        "indicators_by_region", indicator=code, first="2021Q1", last="2022Q2", regions=None
    )
    return {(r.region_code, r.period): r.value for r in frame.itertuples()}


def stored_rows(db: Database, table: str = VALUES.table) -> int:
    with db.cursor() as cur:
        return cur.execute(f"select count(*) from {table}").fetchone()[0]  # noqa: S608


def copy_differs(db: Database, copy) -> int:
    """Rows in the view and not in its copy, or the other way round."""
    with db.cursor() as cur:
        return cur.execute(
            f"select count(*) from ((select * from {copy.view} except all "  # noqa: S608
            f"select * from {copy.table}) union all (select * from {copy.table} "
            f"except all select * from {copy.view}))"
        ).fetchone()[0]


def file_state(path) -> tuple:
    """The bytes and time of the database file, and the files beside it (a WAL, say)."""
    return (
        hashlib.sha256(path.read_bytes()).hexdigest(),
        path.stat().st_mtime_ns,
        sorted(p.name for p in path.parent.iterdir()),
    )


def test_every_write_refreshes_the_copy_in_its_own_transaction(db):
    insert(db, "indicators", [indicator_row("OC1")])
    insert(db, "indicator_values", [value_row("OC1", "2021Q1", "UZ-JI", 2, org_id="A")])
    insert(db, "indicator_values", [value_row("OC1", "2021Q1", "UZ-JI", 3, org_id="B")])
    assert stored_rows(db) == 1  # made by the write, before any read
    assert by_region(db) == {("UZ-JI", "2021Q1"): 5}

    insert(db, "indicator_values", [value_row("OC1", "2021Q2", "UZ-NG", 7)])
    assert by_region(db) == {("UZ-JI", "2021Q1"): 5, ("UZ-NG", "2021Q2"): 7}
    assert stored_rows(db) == 2
    assert db.out_of_date() == {}


def test_a_write_that_keeps_the_row_counts_is_seen_and_its_undo_too(
    sample_db_path, tmp_path, settings
):
    db = copy_of(sample_db_path, tmp_path)
    try:
        before = by_region(db, "G1")[("UZ-JI", "2021Q1")]
        assert before == pytest.approx(55.2)
        rows = stored_rows(db)
        changed = csv_bytes(VALUES_HEADER, "G1,2021Q1,UZ-JI,,all,all,57.5,,Survey wave 1")
        result = commit_file(db, changed, "g1.csv", settings, by="Tester")
        assert result.updated == 1 and result.inserted == 0  # one value changed in place
        assert stored_rows(db) == rows
        assert by_region(db, "G1")[("UZ-JI", "2021Q1")] == pytest.approx(57.5)
        assert copy_differs(db, VALUES) == 0

        undo_batch(db, result.batch_id, by="Tester")
        assert by_region(db, "G1")[("UZ-JI", "2021Q1")] == pytest.approx(55.2)
        assert copy_differs(db, VALUES) == 0
    finally:
        db.close()


def test_a_changed_exchange_rate_changes_the_converted_transactions(
    sample_db_path, tmp_path, settings
):
    db = copy_of(sample_db_path, tmp_path)
    sql = (
        "select amount_in from transactions_converted_stored "
        "where to_currency = 'USD' and month = '2021-05' and currency = 'UZS' order by 1"
    )
    try:
        with db.cursor() as cur:
            before = cur.execute(sql).fetchall()
        assert before
        commit_file(
            db, csv_bytes("currency,month,per_usd", "UZS,2021-05,11000"), "r.csv", settings, by="T"
        )
        with db.cursor() as cur:
            after = cur.execute(sql).fetchall()
        assert len(after) == len(before) and after != before
        assert copy_differs(db, RATES) == 0
    finally:
        db.close()


def test_a_failed_write_leaves_the_copy_and_its_count_as_they_were(db):
    insert(db, "indicators", [indicator_row("OC1")])
    insert(db, "indicator_values", [value_row("OC1", "2021Q1", "UZ-JI", 4)])
    with db.cursor() as cur:
        counts = cur.execute("select * from stored_copies order by 1").fetchall()
    with pytest.raises(ZeroDivisionError), db.transaction() as cur:
        cur.execute("update indicator_values set value = 99")
        raise ZeroDivisionError
    assert by_region(db) == {("UZ-JI", "2021Q1"): 4}
    with db.cursor() as cur:
        assert cur.execute("select * from stored_copies order by 1").fetchall() == counts


def test_a_write_outside_a_transaction_is_refused(db):
    insert(db, "indicators", [indicator_row("OC1")])
    with (
        pytest.raises(DatabaseError, match=r"inside Database\.transaction\(\)"),
        db.cursor() as cur,
    ):
        cur.execute("delete from indicators")
    with db.cursor() as cur:  # other tables, and temporary ones, may be written as before
        cur.execute("create temp table scratch as select * from indicators")
        cur.execute("delete from sign_in_attempts")
        assert cur.execute("select count(*) from indicators").fetchone()[0] == 1


def stale_database(tmp_path) -> Database:
    """A database whose indicator copy is out of date: its write skipped the refresh."""
    db = Database(tmp_path / "stale.duckdb")
    insert(db, "indicators", [indicator_row("OC1")])
    insert(db, "indicator_values", [value_row("OC1", "2021Q1", "UZ-JI", 4)])
    with db.transaction(refresh_copies=False) as cur:
        cur.execute("update indicator_values set value = 6")
    return db


def test_a_copy_out_of_date_is_not_read_and_a_warning_says_what_to_run(tmp_path, caplog):
    db = stale_database(tmp_path)
    with caplog.at_level(logging.WARNING, logger="monitoring.db"):
        assert by_region(db) == {("UZ-JI", "2021Q1"): 6}  # the view's value, not the copy's 4
        assert by_region(db) == {("UZ-JI", "2021Q1"): 6}
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and "indicator_region_values_stored" in r.getMessage()
    ]
    assert len(warnings) == 1  # once, not at every query
    assert "python -m monitoring refresh" in warnings[0]
    assert "1 write(s) to indicator_values, indicators" in warnings[0]
    # Every copy that reads indicator_values is out of date (the region codes' too).
    assert set(db.out_of_date()) == {c for c in STORED_COPIES if "indicator_values" in c.sources}
    db.close()


def test_a_read_never_writes_even_when_the_copy_is_out_of_date(tmp_path, caplog):
    db = stale_database(tmp_path)
    path = db.path
    db.close()
    before = file_state(path)
    reader = Database(path, read_only=True)
    try:
        with caplog.at_level(logging.WARNING, logger="monitoring.db"):
            assert by_region(reader) == {("UZ-JI", "2021Q1"): 6}
        assert "indicator_region_values_stored" in caplog.text
        with reader.cursor() as cur:  # the copy still holds what it held
            assert cur.execute(f"select value from {VALUES.table}").fetchall() == [(4,)]  # noqa: S608
    finally:
        reader.close()
    assert file_state(path) == before


def test_a_copy_whose_table_is_missing_is_read_from_its_view(db, caplog):
    insert(db, "indicators", [indicator_row("OC1")])
    insert(db, "indicator_values", [value_row("OC1", "2021Q1", "UZ-JI", 4)])
    con = db.connection()
    con.execute(f"drop table {VALUES.table}")  # as with the DuckDB command line
    db.close()
    with caplog.at_level(logging.WARNING, logger="monitoring.db"):
        assert by_region(db) == {("UZ-JI", "2021Q1"): 4}
    assert "its table is missing" in caplog.text


def test_refresh_rebuilds_the_copies_after_writes_made_by_other_means(tmp_path, capsys):
    db = Database(tmp_path / "other.duckdb")
    insert(db, "indicators", [indicator_row("OC1")])
    insert(db, "indicator_values", [value_row("OC1", "2021Q1", "UZ-JI", 4)])
    db.close()
    con = duckdb.connect(str(db.path))  # the DuckDB command line, say: no count is kept
    con.execute("update indicator_values set value = 9")
    con.close()
    assert by_region(db) == {("UZ-JI", "2021Q1"): 4}  # not seen: hence `refresh`
    db.close()

    assert main(["refresh", "--db", str(db.path)]) == 0
    out = capsys.readouterr().out
    assert "indicator_region_values_stored: 1 row(s)" in out
    assert "transactions_converted_stored: 0 row(s)" in out
    assert by_region(db) == {("UZ-JI", "2021Q1"): 9}
    assert db.out_of_date() == {}
    db.close()


def test_a_copy_read_from_its_view_while_out_of_date_is_refreshed_and_read_again(db, caplog):
    # On PostgreSQL the view stands for the copy on a pooled connection, which later
    # cursors are given again: the view must go with the cursor, as on DuckDB, or it would
    # hide the copy's table from the refresh ("is not a table").
    insert(db, "indicators", [indicator_row("OC1")])
    insert(db, "indicator_values", [value_row("OC1", "2021Q1", "UZ-JI", 4)])
    with db.transaction(refresh_copies=False) as cur:
        cur.execute("update indicator_values set value = 6")
    with caplog.at_level(logging.WARNING, logger="monitoring.db"):
        for _ in range(3):  # every pooled connection the reads are given
            assert by_region(db) == {("UZ-JI", "2021Q1"): 6}
    assert "indicator_region_values_stored" in caplog.text
    assert db.refresh_copies()[VALUES.table] == 1
    assert db.out_of_date() == {}
    with db.transaction() as cur:  # and an upload's refresh of the copy, on any connection
        cur.execute("update indicator_values set value = 7")
    assert by_region(db) == {("UZ-JI", "2021Q1"): 7}
    assert stored_rows(db) == 1 and copy_differs(db, VALUES) == 0


def test_refresh_makes_a_copy_out_of_date_current(tmp_path, caplog):
    db = stale_database(tmp_path)
    assert db.refresh_copies() == {
        VALUES.table: 1,
        RATES.table: 0,
        "spending_quarters_stored": 0,
        "region_codes_used_stored": 1,
        "reported_cells_stored": 1,
        "organisation_first_reports_stored": 0,
        "organisation_quarters_stored": 0,
        "rule_sex_parts_stored": 0,
        "rule_age_parts_stored": 0,
        "upload_batch_cells_stored": 0,
        "series_value_counts_stored": 1,
    }
    assert db.out_of_date() == {}
    with caplog.at_level(logging.WARNING, logger="monitoring.db"):
        assert by_region(db) == {("UZ-JI", "2021Q1"): 6}
    assert not caplog.records
    db.close()


# The declaration ----------------------------------------------------------------------------
def _names_read(con, sql: str, seen: set[str]) -> set[str]:
    """Tables read by `sql`, through the views and table macros it names."""
    out = set()
    tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    views = dict(
        con.execute("select view_name, sql from duckdb_views() where not internal").fetchall()
    )
    macros = dict(
        con.execute(
            "select function_name, macro_definition from duckdb_functions() "
            "where function_type in ('macro', 'table_macro') and not internal"
        ).fetchall()
    )
    for name in named_tables(sql) - seen:
        seen.add(name)
        if name in tables:
            out.add(name)
        elif name in views:
            out |= _names_read(con, views[name], seen)
        elif name in macros:
            out |= _names_read(con, macros[name], seen)
    return out


@pytest.mark.parametrize("copy", STORED_COPIES, ids=lambda c: c.table)
def test_each_copy_declares_every_table_its_view_reads(file_db, copy):
    con = file_db.connection()
    assert _names_read(con, f"select * from {copy.view}", set()) == set(copy.sources)  # noqa: S608


def test_no_query_reads_a_view_that_has_a_stored_copy():
    """The queries name the copy: a view with a copy is read only when the copy is late."""
    from monitoring.db import QUERIES

    views = {c.view for c in STORED_COPIES}
    for path in sorted(QUERIES.glob("*.sql")):
        if path.stem != "schema":
            assert not named_tables(query_text(path.stem)) & views, path.name


@pytest.mark.parametrize(
    ("sql", "written"),
    [
        ("insert into indicator_values by name select * from fixture_rows", {"indicator_values"}),
        ('insert or replace into main."Indicators" select * from upload_rows', {"indicators"}),
        ("update budget set amount = 1 from upload_rows r where r.x", {"budget"}),
        ("with x as (select * from indicators) delete from grants using x", {"grants"}),
        ("truncate table exchange_rates", {"exchange_rates"}),
        ("create or replace temp table upload_rows as select * from indicator_values", set()),
        ("create or replace table regions as select 1 as a", {"regions"}),
        ("alter table indicators add column x int", {"indicators"}),
        ("copy transactions from 'x.csv'", {"transactions"}),
        ("copy transactions to 'x.csv'", set()),
        ("create or replace macro twice(x) as 2 * x", set()),
        ("select * from indicator_values -- insert into indicators", set()),
        ("insert into upload_changes select * from indicator_values", {"upload_changes"}),
        ("insert into users values (?); delete from indicators", {"users", "indicators"}),
    ],
)
def test_the_tables_a_statement_writes_come_from_duckdbs_parser(sql, written):
    assert written_tables(duckdb.connect(), sql) == written


def test_a_copy_declared_later_is_made_when_the_database_is_opened(tmp_path, monkeypatch):
    db = Database(tmp_path / "later.duckdb")
    insert(db, "indicators", [indicator_row("OC1")])
    insert(db, "indicator_values", [value_row("OC1", "2021Q1", "UZ-JI", 4)])
    db.close()
    extra = stored.StoredCopy(VALUES.view, "values_again_stored", VALUES.sources)
    monkeypatch.setattr(stored, "STORED_COPIES", (*STORED_COPIES, extra))
    monkeypatch.setitem(stored.BY_TABLE, extra.table, extra)
    reopened = Database(db.path)
    reopened.connection()
    assert reopened.upgrade.applied == ()  # no migration: the declaration is enough
    assert reopened.out_of_date() == {}
    assert stored_rows(reopened, extra.table) == 1
    reopened.close()


# Refreshed in part ---------------------------------------------------------------------------
G1_JIZZAKH_2021Q1 = "G1,2021Q1,UZ-JI,,all,all,57.5,,Survey wave 1"


def mark_a_row_of_another_quarter(db: Database) -> tuple[str, str, str]:
    """Write -1 into one row of the values' copy outside 2021Q1, past the tracking (as no
    write of the dashboard does): a refresh that remakes the copy whole puts its value back,
    one narrowed to 2021Q1 leaves it. Returns the row's key."""
    with db.cursor() as cur:
        key = cur.execute(
            f"select indicator_code, period, region_code from {VALUES.table} "  # noqa: S608
            "where period <> '2021Q1' order by 1, 2, 3 limit 1"
        ).fetchone()
        cur.raw.execute(
            f"update {VALUES.table} set value = -1 where indicator_code = $i "  # noqa: S608
            "and period = $p and region_code = $r",
            {"i": key[0], "p": key[1], "r": key[2]},
        )
    return tuple(key)


def stored_value(db: Database, key: tuple[str, str, str]) -> float:
    with db.cursor() as cur:
        return cur.execute(
            f"select value from {VALUES.table} where indicator_code = $i "  # noqa: S608
            "and period = $p and region_code = $r",
            {"i": key[0], "p": key[1], "r": key[2]},
        ).fetchone()[0]


def test_an_upload_remakes_only_the_copys_rows_of_its_quarters_and_regions(
    request, engine, tmp_path, settings
):
    db = sample_copy(request, engine, tmp_path)
    marked = mark_a_row_of_another_quarter(db)
    result = commit_file(
        db, csv_bytes(VALUES_HEADER, G1_JIZZAKH_2021Q1), "g1.csv", settings, by="T"
    )
    assert result.updated == 1
    assert by_region(db, "G1")[("UZ-JI", "2021Q1")] == pytest.approx(57.5)
    assert stored_value(db, marked) == -1  # not remade: another quarter
    assert copy_differs(db, VALUES) == 2  # the marked row only, as it is and as it should be
    assert copy_differs(db, USED) == 0  # remade for UZ-JI
    assert db.out_of_date() == {}

    undo_batch(db, result.batch_id, by="T")  # so does its undo, by the batch's keys
    assert by_region(db, "G1")[("UZ-JI", "2021Q1")] == pytest.approx(55.2)
    assert stored_value(db, marked) == -1
    assert copy_differs(db, VALUES) == 2 and copy_differs(db, USED) == 0

    db.refresh_copies()  # `python -m monitoring refresh` rebuilds it whole
    assert stored_value(db, marked) != -1
    assert copy_differs(db, VALUES) == 0


@pytest.mark.parametrize(
    "every_column",
    [
        pytest.param(True, id="keys read from the preview's comparison"),
        pytest.param(False, id="keys read from the database (a changed row keeps a column)"),
    ],
)
def test_an_uploads_unchanged_rows_name_no_quarter_of_the_copy(
    request, engine, tmp_path, settings, every_column
):
    """A file that repeats a stored row of another quarter as it is (unchanged) and changes
    one row of 2021Q1: only 2021Q1's rows of the copy are remade. The import reads the keys
    it writes from the preview's comparison when it stages the rows as compared (a file of
    every column), else from the staged rows in the database."""
    db = sample_copy(request, engine, tmp_path)
    marked = mark_a_row_of_another_quarter(db)
    columns = "indicator_code, period, region_code, org_id, sex, age_group, value, comment, source"
    with db.cursor() as cur:
        stored_row = cur.execute(
            f"select {columns}, deviation_narrative from indicator_values "  # noqa: S608 - contract column names
            "where indicator_code = $i and period = $p and region_code = $r "
            "order by org_id, sex, age_group limit 1",
            {"i": marked[0], "p": marked[1], "r": marked[2]},
        ).fetchone()
    cells = ["" if v is None else f"{v:g}" if isinstance(v, float) else str(v) for v in stored_row]
    header, changed = VALUES_HEADER, G1_JIZZAKH_2021Q1
    if every_column:
        header, changed = f"{header},deviation_narrative", f"{changed},"
    else:
        cells = cells[:-1]
    data = csv_bytes(header, changed, ",".join(cells))
    result = commit_file(db, data, "two.csv", settings, by="T")
    assert (result.updated, result.unchanged) == (1, 1)
    assert by_region(db, "G1")[("UZ-JI", "2021Q1")] == pytest.approx(57.5)  # remade
    assert stored_value(db, marked) == -1  # its quarter was not named: not remade
    assert copy_differs(db, VALUES) == 2  # the marked row only


def test_an_upload_new_to_a_region_adds_it_to_the_regions_used(request, engine, tmp_path, settings):
    db = sample_copy(request, engine, tmp_path)
    with db.transaction() as cur:
        cur.execute("delete from indicator_values where region_code = 'UZ-NG'")
    with db.cursor() as cur:
        used = "select used_in from region_codes_used_stored where region_code = 'UZ-NG'"
        assert "indicator_values" not in list(cur.execute(used).fetchone()[0])
    row = "G1,2021Q1,UZ-NG,,all,all,40,,Survey wave 1"
    assert commit_file(db, csv_bytes(VALUES_HEADER, row), "g1.csv", settings, by="T").inserted == 1
    with db.cursor() as cur:
        assert "indicator_values" in list(cur.execute(used).fetchone()[0])
    assert copy_differs(db, USED) == 0 and copy_differs(db, VALUES) == 0


def test_an_upload_into_regions_its_table_already_uses_remakes_none_of_them(
    request, engine, tmp_path, settings
):
    """An import only adds rows (or changes values, never a key): a region that the regions
    used already list for its table stays listed, and its row is not remade. Its undo
    deletes rows, so it remakes the row."""
    db = sample_copy(request, engine, tmp_path)
    # Mark UZ-JI's row past the tracking (no write of the dashboard does): still listed as
    # used by indicator_values, no longer by the other tables.
    with db.cursor() as cur:
        cur.raw.execute(
            "update region_codes_used_stored set used_in = ['indicator_values'] "
            "where region_code = 'UZ-JI'"
        )
    used = "select used_in from region_codes_used_stored where region_code = 'UZ-JI'"
    result = commit_file(
        db, csv_bytes(VALUES_HEADER, G1_JIZZAKH_2021Q1), "g1.csv", settings, by="T"
    )
    assert result.updated == 1
    with db.cursor() as cur:
        assert list(cur.execute(used).fetchone()[0]) == ["indicator_values"]  # not remade
    assert copy_differs(db, USED) == 2  # the marked row only, as it is and as it should be
    assert db.out_of_date() == {}

    undo_batch(db, result.batch_id, by="T")  # deletes or restores: remade
    with db.cursor() as cur:
        assert len(cur.execute(used).fetchone()[0]) > 1
    assert copy_differs(db, USED) == 0


@pytest.mark.parametrize(
    "also",
    [
        pytest.param("", id="values not named by the writer"),
        pytest.param("indicators", id="a table the copy is not narrowed from written too"),
    ],
)
def test_a_write_the_copy_cannot_be_narrowed_by_rebuilds_it_whole(db, also):
    insert(db, "indicators", [indicator_row("OC1")])
    insert(db, "indicator_values", [value_row("OC1", "2021Q1", "UZ-JI", 2)])
    insert(db, "indicator_values", [value_row("OC1", "2021Q2", "UZ-JI", 3)])
    marked = mark_a_row_of_another_quarter(db)
    with db.transaction() as cur:
        cur.execute("update indicator_values set value = 4 where period = '2021Q1'")
        if also:
            cur.execute("update indicators set title = 'Renamed' where indicator_code = 'OC1'")
            cur.wrote_only(
                "indicator_values",
                {"indicator_code": ["OC1"], "period": ["2021Q1"], "region_code": ["UZ-JI"]},
            )
    assert stored_value(db, marked) == 3
    assert copy_differs(db, VALUES) == 0


def test_a_copy_out_of_date_before_a_narrowed_write_is_rebuilt_whole(
    request, engine, tmp_path, settings
):
    db = sample_copy(request, engine, tmp_path)
    marked = mark_a_row_of_another_quarter(db)
    with db.transaction(refresh_copies=False) as cur:  # a bulk load: copies left out of date
        cur.execute("update indicator_values set comment = 'bulk' where period = '2021Q2'")
    assert VALUES in db.out_of_date()
    commit_file(db, csv_bytes(VALUES_HEADER, G1_JIZZAKH_2021Q1), "g1.csv", settings, by="T")
    assert db.out_of_date() == {}
    assert stored_value(db, marked) != -1
    assert copy_differs(db, VALUES) == 0


# The validation rules' copies ----------------------------------------------------------------
SEX_PARTS = stored.BY_TABLE["rule_sex_parts_stored"]
AGE_PARTS = stored.BY_TABLE["rule_age_parts_stored"]
SOURCE = "Training attendance sheets"


def broken(db: Database, settings, as_of=dt.date(2022, 6, 30)) -> set[tuple[str, ...]]:
    """The validation rules' violations as of `as_of`: (rule, indicator, quarter, region)."""
    table = rules.checked(db, settings, as_of).table()
    return set(table[["rule", "subject", "period", "region_code"]].itertuples(index=False))


def test_a_rule_broken_by_an_upload_is_found_at_once_and_its_undo_mends_it(
    request, engine, tmp_path, settings
):
    """The rules read the values whose parts do not add up from stored copies: an upload
    remakes their rows of its indicators, quarters and regions only (a row written past the
    tracking into another quarter stays), and so does its undo."""
    db = sample_copy(request, engine, tmp_path)
    before = broken(db, settings)
    with db.cursor() as cur:  # as no write of the dashboard does
        cur.raw.execute(
            f"insert into {SEX_PARTS.table} values "  # noqa: S608
            "('OC1.2', '2022Q1', 'UZ-NG', '', 'all', 1, 1, 5)"
        )
    marked = ("female + male = all", "OC1.2", "2022Q1", "UZ-NG")
    # OC1.2 in Jizzakh, 2021Q2: all 18 = female 14 + male 4 = ages 15-29 7 + 30+ 11.
    data = csv_bytes(
        VALUES_HEADER,
        f"OC1.2,2021Q2,UZ-JI,,female,all,15,,{SOURCE}",
        f"OC1.2,2021Q2,UZ-JI,,all,30+,12,,{SOURCE}",
    )
    result = commit_file(db, data, "two.csv", settings, by="T")
    assert result.updated == 2
    assert broken(db, settings) == before | {
        marked,
        ("female + male = all", "OC1.2", "2021Q2", "UZ-JI"),
        ("age groups add up to all ages", "OC1.2", "2021Q2", "UZ-JI"),
    }
    details = rules.checked(db, settings, dt.date(2022, 6, 30)).table().detail.tolist()
    assert "female 15 + male 4 = 19 but all 18" in details
    assert "female 8 + male 3 = 11 but all 12" in details  # 30+, whose total changed
    assert "age groups 15-29 7 + 30+ 12 = 19 but all ages 18" in details
    assert "age groups 15-29 6 + 30+ 8 = 14 but all ages 15" in details  # the women's
    # As of a reporting date before the quarter, the quarter is not checked.
    assert not {b for b in broken(db, settings, dt.date(2021, 3, 31)) if b[2] >= "2021Q2"}
    assert copy_differs(db, SEX_PARTS) == 1 and copy_differs(db, AGE_PARTS) == 0

    undo_batch(db, result.batch_id, by="T")
    assert broken(db, settings) == before | {marked}
    assert copy_differs(db, SEX_PARTS) == 1 and copy_differs(db, AGE_PARTS) == 0
    db.refresh_copies()  # `python -m monitoring refresh` remakes it whole
    assert broken(db, settings) == before
    assert copy_differs(db, SEX_PARTS) == 0


CELLS = stored.BY_TABLE["upload_batch_cells_stored"]
G1_NAMANGAN_2021Q1 = "G1,2021Q1,UZ-NG,,all,all,40,,Survey wave 1"


def first_uploads(db: Database, settings) -> dict[tuple[str, str, str], object]:
    """Each cell's first upload as the timeliness check finds it (monitoring/quality)."""
    from monitoring.quality import timeliness

    found = timeliness.timeliness(db, settings, dt.date(2022, 6, 30))
    found = found[found.first_uploaded_at.notna()]
    return {
        (r.indicator_code, r.period, r.region_code): r.first_uploaded_at for r in found.itertuples()
    }


def first_uploads_in_the_log(db: Database) -> dict[tuple[str, str, str], object]:
    """The same, read from the change log's JSON keys in Python: the check's meaning."""
    import json

    with db.cursor() as cur:
        changes = cur.execute(
            "select c.row_key, b.uploaded_at from upload_changes c "
            "join upload_batches b on b.batch_id = c.batch_id "
            "where c.table_name = 'indicator_values' and c.action = 'insert' "
            "and b.status = 'committed'"
        ).fetchall()
    firsts: dict = {}
    for key, at in changes:
        cell = tuple(json.loads(key)[:3])
        firsts[cell] = min(firsts.get(cell, at), at)
    return firsts


def test_a_batchs_cells_are_listed_by_its_own_write_for_the_timeliness_check(
    request, engine, tmp_path, settings
):
    """Timeliness reads each value's first upload from the cells each batch inserted
    (upload_batch_cells_stored), which a batch's import and undo remake for that batch only
    (a row written past the tracking for another batch stays)."""
    db = sample_copy(request, engine, tmp_path)
    with db.transaction() as cur:
        cur.execute(
            "delete from indicator_values where indicator_code = 'G1' and period = '2021Q1' "
            "and region_code = 'UZ-NG'"
        )
    with db.cursor() as cur:  # as no write of the dashboard does
        cur.raw.execute(f"insert into {CELLS.table} values (1, 'X', '2021Q1', 'UZ-JI')")  # noqa: S608
    assert first_uploads(db, settings) == first_uploads_in_the_log(db)
    result = commit_file(
        db, csv_bytes(VALUES_HEADER, G1_NAMANGAN_2021Q1), "g1.csv", settings, by="T"
    )
    assert result.inserted == 1
    with db.cursor() as cur:
        listed = cur.execute(
            f"select indicator_code, period, region_code from {CELLS.table} "  # noqa: S608
            "where batch_id = $b",
            {"b": result.batch_id},
        ).fetchall()
    assert [tuple(r) for r in listed] == [("G1", "2021Q1", "UZ-NG")]
    assert copy_differs(db, CELLS) == 1  # the marked row only: batch 1 was not remade
    assert first_uploads(db, settings) == first_uploads_in_the_log(db)

    undo_batch(db, result.batch_id, by="T")
    assert first_uploads(db, settings) == first_uploads_in_the_log(db)
    assert copy_differs(db, CELLS) == 1
    db.refresh_copies()
    assert copy_differs(db, CELLS) == 0


def test_rows_a_write_fills_itself_are_kept_and_the_rest_of_the_copy_made_from_its_view(
    request, engine, tmp_path
):
    """stored.fill: the rows a transaction writes into a copy itself (an import's cells from
    its staged rows) are not made again from the view at the commit; the copy's other rows
    the writes narrow are. When the copy was out of date, nothing is filled and the commit
    rebuilds it whole from its view."""
    db = sample_copy(request, engine, tmp_path)
    with db.cursor() as cur:
        (last,) = cur.execute("select max(batch_id) from upload_batches").fetchone()
    with db.transaction() as cur:
        # A change-log row of batch `last` (whose copy rows the view remakes) and a filled
        # row of a new batch that the view would not make (its key is not in the log).
        cur.execute(
            "insert into upload_changes (batch_id, line, table_name, row_key, action) "
            "values ($b, 1, 'indicator_values', '[\"Q9\",\"2021Q1\",\"UZ-JI\"]', 'insert')",
            {"b": last},
        )
        cur.wrote_only("upload_changes", {"batch_id": [last, last + 1]}, adds_only=True)
        assert stored.fill(
            cur,
            CELLS.table,
            last + 1,
            "select cast($b as integer), 'F1', '2021Q2', 'UZ-NG'",
            {"b": last + 1},
        )
    with db.cursor() as cur:
        cells = cur.execute(
            f"select batch_id, indicator_code from {CELLS.table} "  # noqa: S608
            "where indicator_code in ('Q9', 'F1') order by 1"
        ).fetchall()
    assert [tuple(c) for c in cells] == [(last, "Q9"), (last + 1, "F1")]
    assert copy_differs(db, CELLS) == 1  # the filled row, which the view does not make

    with db.cursor() as cur:  # out of date, as after writes made by other means
        cur.raw.execute(
            "update stored_copies set copy_writes = copy_writes - 1 where stored_table = $t",
            {"t": CELLS.table},
        )
    with db.transaction() as cur:
        cur.wrote_only("upload_changes", {"batch_id": [last + 2]}, adds_only=True)
        filled = stored.fill(
            cur,
            CELLS.table,
            last + 2,
            "select cast($b as integer), 'F2', '2021Q2', 'UZ-NG'",
            {"b": last + 2},
        )
        assert not filled
        cur.execute("update upload_changes set line = line where batch_id = $b", {"b": last})
    assert copy_differs(db, CELLS) == 0  # rebuilt whole from its view: F1 and F2 are gone


def test_an_import_lists_its_cells_when_the_copy_was_out_of_date(
    request, engine, tmp_path, settings
):
    """An import into a database whose copy of the batches' cells is out of date lists its
    cells all the same: the copy is rebuilt whole from the change log at the commit."""
    db = sample_copy(request, engine, tmp_path)
    with db.transaction() as cur:
        cur.execute(
            "delete from indicator_values where indicator_code = 'G1' and period = '2021Q1' "
            "and region_code = 'UZ-NG'"
        )
    with db.cursor() as cur:
        cur.raw.execute(f"drop table {CELLS.table}")  # noqa: S608
    result = commit_file(
        db, csv_bytes(VALUES_HEADER, G1_NAMANGAN_2021Q1), "g1.csv", settings, by="T"
    )
    assert result.inserted == 1
    assert copy_differs(db, CELLS) == 0
    assert first_uploads(db, settings) == first_uploads_in_the_log(db)


FIRSTS = stored.BY_TABLE["organisation_first_reports_stored"]
QUARTERS = stored.BY_TABLE["organisation_quarters_stored"]


def copy_rows(db: Database, copy, columns: str, where: str) -> list[tuple]:
    """`columns` of the rows of `copy`'s table that `where` keeps (constants of the tests)."""
    with db.cursor() as cur:
        return cur.execute(f"select {columns} from {copy.table} where {where}").fetchall()  # noqa: S608


def first_reports(db: Database) -> dict[str, str]:
    """The first report of indicator OC1.1 in Jizzakh of each organisation, in the copy."""
    where = "indicator_code = 'OC1.1' and region_code = 'UZ-JI'"
    return dict(copy_rows(db, FIRSTS, "org_id, first_period", where))


def quarters_reported(db: Database) -> dict[str, list[str]]:
    """The quarters each organisation reported indicator OC1.1 in, in the copy."""
    where = "indicator_code = 'OC1.1' order by org_id, period"
    found = copy_rows(db, QUARTERS, "org_id, period", where)
    listed: dict[str, list[str]] = {}
    for org, period in found:
        listed.setdefault(org, []).append(period)
    return listed


def test_an_import_folds_its_values_into_each_organisations_first_report(
    request, engine, tmp_path, settings
):
    """An import only adds values: its new rows are folded into the copy of each
    organisation's first report (stored.merge), an earlier quarter replacing the copy's and
    an organisation new there added, and no row of the copy is made again from its view (a
    row marked wrong in the same indicator and region stays). Its undo remakes the copy's
    rows of its indicators and regions."""
    db = sample_copy(request, engine, tmp_path)
    before = first_reports(db)
    reported_before = quarters_reported(db)
    assert reported_before["CSO-01"] == ["2021Q2"]
    assert before["CSO-01"] == "2021Q2" and "CSWG-JI-1" not in before
    with db.cursor() as cur:  # as no write of the dashboard does
        cur.raw.execute(
            f"update {FIRSTS.table} set first_period = '2020Q4' "  # noqa: S608
            "where indicator_code = 'OC1.1' and region_code = 'UZ-JI' and org_id = 'CSO-05'"
        )
    rows = (
        "OC1.1,2021Q1,UZ-JI,CSO-01,all,all,1,,Partner report",  # earlier than its 2021Q2
        "OC1.1,2022Q1,UZ-JI,CSO-02,all,all,1,,Partner report",  # later: stays 2021Q2
        "OC1.1,2021Q4,UZ-JI,CSWG-JI-1,all,all,1,,Partner report",  # new there
        "OC1.1,2022Q1,UZ-JI,,all,all,3,,Partner report",  # no organisation: not listed
    )
    result = commit_file(db, csv_bytes(VALUES_HEADER, *rows), "oc11.csv", settings, by="T")
    assert result.inserted == 4
    after = first_reports(db)
    assert after["CSO-01"] == "2021Q1" and after["CSO-02"] == "2021Q2"
    assert after["CSWG-JI-1"] == "2021Q4" and "" not in after
    assert after["CSO-05"] == "2020Q4"  # folded in, not remade from the view
    assert copy_differs(db, FIRSTS) == 2  # the marked row, as it is and as it should be
    # The quarters each organisation reported OC1.1 in: the new ones added, once each.
    assert quarters_reported(db) == {
        **reported_before,
        "CSO-01": ["2021Q1", "2021Q2"],
        "CSO-02": ["2021Q2", "2022Q1"],
        "CSWG-JI-1": ["2021Q4"],
    }
    assert copy_differs(db, QUARTERS) == 0
    assert db.out_of_date() == {}

    undo_batch(db, result.batch_id, by="T")  # deletes: OC1.1's Jizzakh rows remade
    assert first_reports(db) == {**before, "CSO-05": "2021Q2"}
    assert copy_differs(db, FIRSTS) == 0
    assert quarters_reported(db) == reported_before
    assert copy_differs(db, QUARTERS) == 0


REPORTED = stored.BY_TABLE["reported_cells_stored"]


def reported_cells(db: Database) -> set[tuple[str, str, str]]:
    """Indicator G1's cells with a value, in the copy."""
    columns = "indicator_code, period, region_code"
    return set(copy_rows(db, REPORTED, columns, "indicator_code = 'G1'"))


def test_an_import_folds_its_new_cells_into_the_cells_with_a_value(
    request, engine, tmp_path, settings
):
    """The cells with a value (completeness, timeliness) only gain cells from an import: its
    new cells are folded into the copy (stored.merge), and no row of the copy is made again
    from its view, though the write names G1's two quarters and two regions (a row taken
    out of the copy in them stays out). Its undo remakes them."""
    db = sample_copy(request, engine, tmp_path)
    before = reported_cells(db)
    new_cells = {("G1", "2021Q1", "UZ-NG"), ("G1", "2021Q2", "UZ-JI")}
    assert not new_cells & before and ("G1", "2021Q1", "UZ-JI") in before
    with db.cursor() as cur:  # as no write of the dashboard does
        cur.raw.execute(
            f"delete from {REPORTED.table} "  # noqa: S608
            "where indicator_code = 'G1' and period = '2021Q1' and region_code = 'UZ-JI'"
        )
    rows = (
        "G1,2021Q1,UZ-NG,,all,all,40,,Survey wave 1",
        "G1,2021Q2,UZ-JI,,all,all,41,,Survey wave 2",
    )
    result = commit_file(db, csv_bytes(VALUES_HEADER, *rows), "g1.csv", settings, by="T")
    assert result.inserted == 2
    assert reported_cells(db) == (before - {("G1", "2021Q1", "UZ-JI")}) | new_cells
    assert copy_differs(db, REPORTED) == 1  # the row taken out: not remade from the view
    assert db.out_of_date() == {}

    undo_batch(db, result.batch_id, by="T")  # deletes: G1's cells of the write remade
    assert reported_cells(db) == before
    assert copy_differs(db, REPORTED) == 0


def test_a_merge_with_other_writes_or_out_of_date_remakes_the_copys_rows(request, engine, tmp_path):
    """stored.merge holds only for writes that add rows: in a transaction that also deletes
    values, the copy's rows they narrow are made again from the view at the commit; and a
    copy out of date before the transaction is merged into by nothing and rebuilt whole."""
    db = sample_copy(request, engine, tmp_path)
    with db.cursor() as cur:  # a row marked wrong, in the indicator and region written
        cur.raw.execute(
            f"update {FIRSTS.table} set first_period = '2020Q4' "  # noqa: S608
            "where indicator_code = 'OC1.1' and region_code = 'UZ-JI' and org_id = 'CSO-05'"
        )
    deleted = (
        "delete from indicator_values where indicator_code = 'OC1.1' "
        "and region_code = 'UZ-JI' and org_id = 'CSO-07'"
    )
    with db.transaction() as cur:
        cur.execute(deleted)
        cur.wrote_only(
            "indicator_values",
            {"indicator_code": ["OC1.1"], "period": ["2021Q3"], "region_code": ["UZ-JI"]},
        )
        assert stored.merge(cur, {FIRSTS.table: ()}) == {FIRSTS.table}
    assert "CSO-07" not in first_reports(db)
    assert first_reports(db)["CSO-05"] == "2021Q2"  # remade from the view
    assert copy_differs(db, FIRSTS) == 0

    with db.cursor() as cur:  # out of date, as after writes made by other means
        cur.raw.execute(
            "update stored_copies set copy_writes = copy_writes - 1 where stored_table = $t",
            {"t": FIRSTS.table},
        )
        cur.raw.execute(f"delete from {FIRSTS.table} where org_id = 'CSO-01'")  # noqa: S608
    with db.transaction() as cur:
        cur.execute(
            "update indicator_values set value = 2 where indicator_code = 'OC1.1' "
            "and region_code = 'UZ-JI' and org_id = 'CSO-02'"
        )
        cur.wrote_only(
            "indicator_values",
            {"indicator_code": ["OC1.1"], "period": ["2021Q2"], "region_code": ["UZ-JI"]},
            adds_only=True,
        )
        assert not stored.merge(cur, {FIRSTS.table: ()})
    assert first_reports(db)["CSO-01"] == "2021Q2"  # rebuilt whole
    assert copy_differs(db, FIRSTS) == 0


def test_a_named_query_run_on_a_cursor_reads_a_copy_out_of_date_as_its_view(tmp_path):
    """An upload's checks run named queries on the cursor holding its staged rows (the series
    summary, its outlier warnings): a copy out of date is read as its view there too, and
    only while the query runs."""
    from monitoring.quality.queries import run_named

    db = stale_database(tmp_path)
    with db.cursor() as cur:
        summary = run_named(cur, "series_summary", indicators=None)
        assert summary[["n", "median"]].values.tolist() == [[1, 6.0]]  # the copy holds 4
        copy = "select value from series_value_counts_stored"
        assert cur.execute(copy).fetchall() == [(4.0,)]  # the copy's table again after it
    db.close()
