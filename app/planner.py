"""Table statistics for the query planner, refreshed each night.

The lists read a page off an index (queries.LIST_ORDER) only when the planner knows that walking it in
order finds rows quickly; without statistics SQLite starts from the organisation's directives and sorts
everything. PostgreSQL's autovacuum keeps its own; SQLite never gathers any unless told.
"""
from sqlalchemy import text

# rows SQLite samples per index (PRAGMA analysis_limit): seconds, not minutes, at a million assignments
SQLITE_ANALYSIS_LIMIT = 2000


def refresh(connection) -> str:
    """ANALYZE the database the connection is on; returns what was done, for the log."""
    if connection.dialect.name == "sqlite":
        connection.execute(text(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}"))
        connection.execute(text("ANALYZE"))
        return "sqlite analyze"
    if connection.dialect.name == "postgresql":
        connection.execute(text("ANALYZE"))
        return "postgresql analyze"
    return "none"
