"""The demo's rows, built once and copied back: loading the five seed directives costs 0.7-1 s and
issuing them 1.2-1.5 s more, and 1,300 of the suite's tests start from one or the other.

The first test of a module that asks for the demo (or the live demo) builds it the normal way and the
rows of every table are kept in memory; the module's later tests, on the same backend and the same
pinned instant, get those rows inserted again into their empty tables. The search index, outside the
models, fills itself from the inserted rows (SQLite's triggers, PostgreSQL's generated column).
Anything unusual (an unpinned clock, a row made before the demo, a PostgreSQL role that cannot
defer the foreign keys) builds the normal way."""
from sqlalchemy import select, text

from app.extensions import db
from tests.helpers import pinned_instant

_KEPT: dict[tuple, dict[str, list[dict]]] = {}


def key(request, level: str, backend: str) -> tuple | None:
    """Rows are shared by the tests of one module, on one backend, pinned to one instant."""
    instant = pinned_instant(request.node)
    if instant == "now":  # the machine's own clock: the rows' times would be another day's
        return None
    return (request.node.module.__name__, backend, level, instant)


def restore(snapshot_key) -> bool:
    """Insert the kept rows into the empty tables; False when none are kept or they could not go in."""
    rows = _KEPT.get(snapshot_key)
    if rows is None:
        return False
    db.session.remove()
    engine = db.engine
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("SET LOCAL session_replication_role = replica"))  # tasks ⇄ assignments
            for table in db.metadata.sorted_tables:
                if rows.get(table.name):
                    conn.execute(table.insert(), rows[table.name])
            if engine.dialect.name == "postgresql":
                _move_sequences(conn, rows)
    except Exception:  # noqa: BLE001 - e.g. a role without superuser: build the normal way instead
        return False
    return True


def keep(snapshot_key) -> None:
    if snapshot_key is None:
        return
    db.session.remove()
    with db.engine.connect() as conn:
        _KEPT[snapshot_key] = {table.name: [dict(row._mapping) for row in conn.execute(select(table))]
                               for table in db.metadata.sorted_tables}


def empty() -> bool:
    """No row in any table: what a test's other fixtures made first is never copied into the next test."""
    checks = [select(table).exists() for table in db.metadata.sorted_tables]
    return not any(db.session.execute(select(*checks)).one())


def _move_sequences(conn, rows) -> None:
    """Identity columns continue after the inserted ids, as they would after the normal build."""
    for table in db.metadata.sorted_tables:
        column = table.c.get("id")
        if column is None or not rows.get(table.name) or not column.autoincrement:
            continue
        sequence = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name}).scalar()
        if sequence:
            conn.execute(text("SELECT setval(:s, (SELECT max(id) FROM " + f'"{table.name}"' + "))"),
                         {"s": sequence})
