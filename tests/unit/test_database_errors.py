"""What cannot be opened is a DatabaseError with a plain message (never an OSError), and a
file that is not ours an UnusableDatabase, which the dashboard words for its viewers
(ui/common.py: database_unavailable; tests/app/test_database_errors.py)."""

import duckdb
import pytest

from monitoring.db import DATABASE_ERRORS, Database, DatabaseError, UnusableDatabase


def test_a_folder_that_cannot_be_made_is_a_plain_database_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    db = Database(blocker / "data" / "monitoring.duckdb")
    with pytest.raises(DatabaseError, match="Cannot create the folder .* of the database") as err:
        db.connection()
    assert not isinstance(err.value, OSError)
    assert "MONITORING_DB" in str(err.value)


def test_another_applications_database_is_unusable_and_untouched(tmp_path):
    path = tmp_path / "crm.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create table customers (id integer)")
    con.close()
    with pytest.raises(UnusableDatabase, match="is not a monitoring database"):
        Database(path).connection()
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.execute("select table_name from duckdb_tables()").fetchall() == [("customers",)]
    finally:
        con.close()


def test_the_errors_a_page_handles_include_duckdbs_own():
    assert issubclass(UnusableDatabase, DatabaseError)
    assert DatabaseError in DATABASE_ERRORS and duckdb.Error in DATABASE_ERRORS
