"""The exceptions of the database layer."""


class DatabaseError(RuntimeError):
    """The database cannot be opened or a query cannot run; the message says why."""


class DatabaseInUse(DatabaseError):
    """Another process holds the database file (DuckDB's lock) and takes no jobs from the
    command line: another command still running, or another program."""
