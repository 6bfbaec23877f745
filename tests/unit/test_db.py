import threading

import pytest

from monitoring.contract import TABLES
from monitoring.db import Database, DatabaseError, query_parameters
from tests.conftest import insert


def test_schema_has_every_contract_table_with_its_columns_and_key(db):
    """On either engine, read from the standard information_schema."""
    with db.cursor() as cur:
        for table in TABLES.values():
            columns = [
                r[0]
                for r in cur.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = current_schema() and table_name = ? "
                    "order by ordinal_position",
                    [table.name],
                ).fetchall()
            ]
            assert columns == table.column_names, table.name
            key = cur.execute(
                "select k.column_name from information_schema.table_constraints c "
                "join information_schema.key_column_usage k "
                "on k.constraint_name = c.constraint_name and k.table_name = c.table_name "
                "and k.table_schema = c.table_schema "
                "where c.table_schema = current_schema() and c.table_name = ? "
                "and c.constraint_type = 'PRIMARY KEY' order by k.ordinal_position",
                [table.name],
            ).fetchall()
            assert tuple(r[0] for r in key) == table.key, table.name


def test_a_new_file_gets_the_schema_and_opening_it_again_keeps_its_rows(tmp_path):
    path = tmp_path / "twice.duckdb"
    first = Database(path)
    insert(first, "regions", [{"region_code": "UZ-JI", "name_en": "Jizzakh"}])
    assert first.upgrade.found == 0 and first.upgrade.backup is None
    assert first.upgrade.describe().startswith(f"Created the schema of {path}")
    first.close()
    state = path.read_bytes()

    again = Database(path)
    assert again.query("contract_region_names").region_code.tolist() == ["UZ-JI"]
    assert again.upgrade.applied == ()
    assert "nothing to do" in again.upgrade.describe()
    again.close()
    assert path.read_bytes() == state  # opening wrote nothing
    assert [p.name for p in tmp_path.iterdir()] == ["twice.duckdb"]  # and backed up nothing


def test_constraints_reject_a_negative_amount(db):
    with pytest.raises(Exception, match="(?i)check"):
        insert(
            db,
            "budget",
            [
                {
                    "budget_line": "1.1",
                    "category": "staff",
                    "period": "2021Q1",
                    "amount": -5,
                    "currency": "USD",
                }
            ],
        )


def test_named_query_binds_only_the_parameters_it_uses(db):
    insert(
        db,
        "milestones",
        [
            {
                "milestone_id": "M1",
                "title": "Workshop",
                "stage": 2,
                "level": "regional",
                "planned_on": "2021-04-15",
                "achieved_on": "2021-04-16",
                "status": "achieved",
            }
        ],
    )
    frame = db.query(
        "overview_milestones",
        as_of="2021-06-30",
        scope_regions=None,
        hidden_indicators=None,
        unused="ignored",
    )
    assert frame.loc[0, "achieved_to_date"] == 1
    assert query_parameters("overview_milestones") == {
        "as_of",
        "scope_regions",
        "hidden_indicators",
    }


def test_named_query_names_a_missing_parameter(db):
    with pytest.raises(DatabaseError, match="needs as_of"):
        db.query("overview_milestones")


def test_unknown_query_name_is_refused(db):
    with pytest.raises(DatabaseError):
        db.query("../schema")


def test_parameters_in_comments_and_strings_are_not_parameters():
    assert "start" in query_parameters("indicators_progress")
    assert "as_of_period" not in query_parameters("indicators_progress")


ALL_MILESTONES = dict(as_of="2022-06-30", scope_regions=None, hidden_indicators=None)


def test_many_threads_can_query_one_database_at_once(db):
    insert(db, "regions", [{"region_code": f"UZ-{c}", "name_en": c} for c in ("JI", "NG", "TO")])
    errors, results = [], []

    def work():
        try:
            for _ in range(20):
                results.append(len(db.query("overview_milestones", **ALL_MILESTONES)))
        except Exception as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 160


def test_one_connection_keeps_a_sessions_temporary_tables_for_the_next_piece_of_work(db):
    # Database.one_connection: what commit_file's preview stages, its write finds.
    def count(cur):
        return cur.execute("select count(*) from stash").fetchone()[0]

    with db.one_connection():
        with db.cursor() as cur:
            cur.execute("create temp table stash as select 1 as n union all select 2")
            with db.cursor() as other:  # the one connection is taken: one of its own
                with pytest.raises(Exception, match="stash"):
                    count(other)
        with pytest.raises(RuntimeError, match="rolled back"):
            with db.transaction() as cur:
                cur.execute("insert into stash values (3)")
                raise RuntimeError("rolled back")
        with db.transaction() as cur:
            assert count(cur) == 2
            cur.execute("insert into stash values (3)")
        with db.cursor() as cur:
            assert count(cur) == 3
        seen = []
        elsewhere = threading.Thread(target=lambda: seen.append(_sees_stash(db)))
        elsewhere.start()
        elsewhere.join()
        assert seen == [False]  # another thread's work runs on a connection of its own


def _sees_stash(db) -> bool:
    with db.cursor() as cur:
        try:
            cur.execute("select count(*) from stash").fetchone()
        except Exception:  # noqa: BLE001 - DuckDB's and psycopg's "no such table"
            return False
    return True


def test_a_second_process_gets_a_plain_message_when_the_file_is_locked(file_db):
    db = file_db
    import subprocess
    import sys

    code = (
        "from monitoring.db import Database, DatabaseError\n"
        f"d = Database({str(db.path)!r})\n"
        "try:\n    d.connection()\nexcept DatabaseError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "in use by another program" in out.stdout


def test_data_version_changes_when_a_batch_is_recorded(db):
    before = db.data_version()
    with db.transaction() as cur:
        cur.execute(
            "insert into upload_batches (table_name, file_name, sha256, uploaded_by) "
            "values ('regions', 'r.csv', 'abc', 'tester')"
        )
    assert db.data_version() != before


def test_a_transaction_writing_a_row_changed_since_it_began_is_refused(db):
    """On both engines a transaction sees one snapshot, and writing a row that another
    transaction changed and committed meanwhile fails (the upload is then refused, not
    silently merged: monitoring/intake/batches.py)."""
    from monitoring.db.errors import WRITE_CONFLICTS

    insert(db, "regions", [{"region_code": "UZ-JI", "name_en": "Jizzakh"}])
    late = db.connection().cursor()
    late.execute("begin transaction")
    late.execute("select count(*) from regions").fetchone()  # its snapshot starts here
    with db.transaction() as first:
        first.execute("update regions set name_en = 'Jizzax' where region_code = 'UZ-JI'")
    with pytest.raises(WRITE_CONFLICTS):
        late.execute("update regions set name_en = 'Djizak' where region_code = 'UZ-JI'")
    late.execute("rollback")
    late.close()
    with db.cursor() as cur:
        assert cur.execute("select name_en from regions").fetchall() == [("Jizzax",)]
