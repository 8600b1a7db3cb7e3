"""Test fixtures: a real database (SQLite file, and PostgreSQL when TEST_DATABASE_URL is set).

Every test that uses `app` runs once per backend. The schema is created once per backend
session (create_all is fine in tests; the migrations have their own test) and emptied after
each test.

Every test runs on a pinned clock (time-machine), so no result depends on the hour or the day the
suite is run: `TEST_CLOCK` (an ISO instant) moves the whole suite, `@pytest.mark.clock(...)` one test,
and `TEST_CLOCK=now` leaves the machine's clock alone (to run the suite under faketime).
"""
import os
import uuid

import pytest
import time_machine
from sqlalchemy import create_engine, text

from app import create_app
from app.extensions import db
from tests import snapshots
from tests.helpers import Client, DIRECTIVES_DIR, go_live, pinned_instant

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(autouse=True)
def clock(request):
    """Pin the clock for the test; it ticks from the pinned instant so timings and ordering stay real."""
    marker = request.node.get_closest_marker("clock")
    instant = pinned_instant(request.node)
    if instant == "now":  # TEST_CLOCK=now: the machine's own clock (e.g. under faketime), unpinned
        yield None
        return
    tick = marker.kwargs.get("tick", True) if marker else True
    with time_machine.travel(instant, tick=tick) as traveller:
        yield traveller


@pytest.fixture(scope="session", params=BACKENDS)
def database(request, tmp_path_factory):
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "test.db"
        yield {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SQLALCHEMY_ENGINE_OPTIONS": {}}
        return
    url = os.environ["TEST_DATABASE_URL"]
    schema = f"pytest_{uuid.uuid4().hex[:12]}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield {
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}},
    }
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture
def app(database, tmp_path_factory):
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                      **database})
    app.config["STORAGE_DIR"] = str(tmp_path_factory.mktemp("storage"))  # records never go to the checkout
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":  # one statement: tasks and assignments refer to each other
                names = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(db.metadata.sorted_tables):
                    conn.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def demo(app, request):
    """The five seed directives (approved, not yet issued), their agencies and groups, the demo users;
    built once per module and copied back after (tests/snapshots.py)."""
    from app.loader import load_path

    app.config["DEMO_MODE"] = True  # the demo's commands (demo activity, demo logins) run only in demo mode
    with app.app_context():
        backend = db.engine.dialect.name
        shared = snapshots.empty()  # rows another fixture made first are neither kept nor overwritten
        live_key = snapshots.key(request, "live", backend) if shared and "live" in request.fixturenames else None
        if live_key and snapshots.restore(live_key):
            app.extensions["test_live_restored"] = True
            return app
        demo_key = snapshots.key(request, "demo", backend) if shared else None
        if not (demo_key and snapshots.restore(demo_key)):
            load_path(DIRECTIVES_DIR)
            snapshots.keep(demo_key)
    app.extensions["test_live_key"] = live_key
    return app


@pytest.fixture
def live(demo):
    """The demo with its five directives issued: their tasks have reached the assignees."""
    if not demo.extensions.pop("test_live_restored", False):
        go_live(demo)
        with demo.app_context():
            snapshots.keep(demo.extensions.pop("test_live_key", None))
    return demo


@pytest.fixture
def login(demo):
    def make(username, password="demo1234"):
        return Client(demo).login(username, password)

    return make
