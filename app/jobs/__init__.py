"""The job queue: Huey, set up from the application's configuration.

Storage is a SQLite file in instance/ by default (no service to install: `make run` starts one
consumer next to the web server), and Redis when REDIS_URL is set, with any number of consumers
(`flask jobs worker` on as many machines as needed). Every task runs inside an application context
of the app that configured the queue, so it uses the models, the config and url_for like a view.

Tasks that must see the rows a request wrote are enqueued after that request's commit
(`after_commit`): a consumer never starts on data that is not there yet, or that a rollback removed.
"""
import functools
import logging

from flask import Flask
from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


class AppHuey(Huey):
    """Our one queue. Its storage is chosen by configure(); until then it keeps tasks in memory."""

    storage_class = MemoryStorage


huey = AppHuey("theo-doi-chi-dao", utc=True)
_state: dict = {"app": None}


def configure(app: Flask) -> None:
    """Point the queue at the storage the app's configuration names (called by create_app)."""
    config = app.config
    name = config["HUEY_NAME"]
    if config.get("REDIS_URL"):
        storage_class, kwargs = RedisStorage, {"url": config["REDIS_URL"]}
    else:
        storage_class, kwargs = SqliteStorage, {"filename": config["HUEY_SQLITE_PATH"], "timeout": 30}
    current = huey.storage
    same = (type(current) is storage_class and huey.name == name and huey.storage_kwargs == kwargs
            and huey._immediate == config["HUEY_IMMEDIATE"])
    _state["app"] = app
    if same:
        return
    huey.name, huey.storage_class, huey.storage_kwargs = name, storage_class, kwargs
    huey._immediate = bool(config["HUEY_IMMEDIATE"])
    huey.storage = huey.create_storage()


def current_app_for_tasks() -> Flask:
    app = _state["app"]
    if app is None:  # a consumer started without the Flask CLI
        from app import create_app

        app = create_app()
    return app


def _in_app_context(fn):
    """The task body run inside an application context, with a database session of its own."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        from app.extensions import db

        with current_app_for_tasks().app_context():
            try:
                return fn(*args, **kwargs)
            finally:
                db.session.remove()

    return run


def task(**options):
    """huey.task() whose function runs inside an application context (and a session of its own)."""
    return lambda fn: huey.task(**options)(_in_app_context(fn))


def periodic_task(validate_datetime, **options):
    """huey.periodic_task() run inside an application context."""
    return lambda fn: huey.periodic_task(validate_datetime, **options)(_in_app_context(fn))


# --- enqueue after commit -------------------------------------------------------------------------

PENDING = "jobs_after_commit"


def after_commit(task_wrapper, *args, **kwargs) -> None:
    """Enqueue `task_wrapper(*args)` once the current transaction commits; dropped on rollback."""
    from app.extensions import db

    db.session.info.setdefault(PENDING, []).append((task_wrapper, args, kwargs))


@event.listens_for(Session, "after_commit")
def _enqueue_pending(session):
    pending = session.info.pop(PENDING, None)
    for task_wrapper, args, kwargs in pending or ():
        try:
            task_wrapper(*args, **kwargs)
        except Exception:  # the queue is down: the change is committed, the mail or job is lost, say so
            log.exception("could not enqueue %s", getattr(task_wrapper, "name", task_wrapper))


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session, previous_transaction):
    if previous_transaction.parent is None:  # the outermost transaction rolled back
        session.info.pop(PENDING, None)
