"""The exceptions of the database layer, and the engines' own, named once for both engines
(DuckDB and PostgreSQL): code catches these tuples, never one engine's class."""

import duckdb
import psycopg


class DatabaseError(RuntimeError):
    """The database cannot be opened or a query cannot run; the message says why."""


class DatabaseInUse(DatabaseError):
    """Another process holds the database file (DuckDB's lock) and takes no jobs from the
    command line: another command still running, or another program."""


class UnusableDatabase(DatabaseError):
    """The file is not a database this program may use (another application's, one made by
    a newer release or by another line of this program): it was left untouched."""


# What a page may meet when the database cannot be used: the plain errors of this layer, and
# DuckDB's own (a damaged file, a query the schema cannot answer). Pages show a plain
# message instead of a traceback (ui/common.py: database_unavailable).
# Any error an engine raises.
ENGINE_ERRORS = (duckdb.Error, psycopg.Error)
DATABASE_ERRORS = (DatabaseError, *ENGINE_ERRORS)

# Two transactions wrote the same rows at once: the later one must start again (DuckDB's
# write-write conflict; PostgreSQL's serialization failure, deadlock or lock timeout).
WRITE_CONFLICTS = (
    duckdb.TransactionException,
    psycopg.errors.SerializationFailure,
    psycopg.errors.DeadlockDetected,
    psycopg.errors.LockNotAvailable,  # waited monitoring.db.postgres.LOCK_TIMEOUT for the row
)
# A row broke a constraint (a key already taken, a check).
CONSTRAINT_ERRORS = (duckdb.ConstraintException, psycopg.errors.IntegrityError)
# A table, view or function the statement names does not exist.
CATALOG_ERRORS = (duckdb.CatalogException, psycopg.errors.UndefinedTable)
