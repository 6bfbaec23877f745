"""The exceptions of the database layer."""

import duckdb


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
DATABASE_ERRORS = (DatabaseError, duckdb.Error)
