"""The database: opening it, running the named queries of queries/*.sql, writing safely.

Holds `database` (connections, named queries with bound parameters), `migrations` (the
versioned schema of queries/migrations), `stored` (stored copies of views, declared once and
refreshed by the writes) and `statements` (what a SQL text writes, from DuckDB's parser).
Imports only monitoring.settings and monitoring.contract; everything else imports it.
"""

from monitoring.db.database import (
    DEFAULT_DB,
    QUERIES,
    Database,
    close_all,
    connect,
    copies_read,
    database_path,
    is_postgres,
    open_database,
    plan_migrations,
    query_parameters,
    query_text,
)
from monitoring.db.errors import (
    DATABASE_ERRORS,
    DatabaseError,
    DatabaseInUse,
    UnusableDatabase,
)
from monitoring.db.migrations import MIGRATIONS, Upgrade
from monitoring.db.stored import STORED_COPIES, StoredCopy, refresh_stored_copies

# The name before stored copies were declared in monitoring/db/stored.py (tests/bench uses it).
refresh_stored_views = refresh_stored_copies

__all__ = [
    "DATABASE_ERRORS",
    "DEFAULT_DB",
    "MIGRATIONS",
    "QUERIES",
    "STORED_COPIES",
    "Database",
    "DatabaseError",
    "DatabaseInUse",
    "StoredCopy",
    "UnusableDatabase",
    "Upgrade",
    "close_all",
    "connect",
    "copies_read",
    "database_path",
    "is_postgres",
    "open_database",
    "plan_migrations",
    "query_parameters",
    "query_text",
    "refresh_stored_copies",
    "refresh_stored_views",
]
