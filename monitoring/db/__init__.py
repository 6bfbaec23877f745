"""The database: opening it, running the named queries of queries/*.sql, writing safely.

Holds `database` (connections, named queries with bound parameters, stored copies of views).
Imports only monitoring.settings and monitoring.contract; everything else imports it.
"""

from monitoring.db.database import (
    DEFAULT_DB,
    QUERIES,
    Database,
    DatabaseError,
    close_all,
    database_path,
    open_database,
    query_parameters,
    query_text,
    refresh_stored_views,
)

__all__ = [
    "DEFAULT_DB",
    "QUERIES",
    "Database",
    "DatabaseError",
    "close_all",
    "database_path",
    "open_database",
    "query_parameters",
    "query_text",
    "refresh_stored_views",
]
