"""Settings every connection gets (app/extensions.py), on the backend it runs on."""
from sqlalchemy import text

from app.extensions import SQLITE_BUSY_TIMEOUT_MS, db


def test_every_connection_has_the_settings_of_its_backend(app):
    with app.app_context():
        for _round in range(2):  # a rolled-back transaction and a fresh connection keep them
            with db.engine.connect() as connection:
                if db.engine.dialect.name == "postgresql":
                    assert connection.execute(text("SHOW jit")).scalar() == "off"
                    connection.rollback()
                    assert connection.execute(text("SHOW jit")).scalar() == "off"
                else:
                    assert connection.execute(text("PRAGMA busy_timeout")).scalar() == SQLITE_BUSY_TIMEOUT_MS
                    assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            db.engine.dispose()
