"""/healthz for the process manager or a load balancer: no login, no session, the database asked a
SELECT 1. 200 {"status": "ok", "database": "ok"}, or 503 with "database": "error" (the reason goes to
the log, never to the answer)."""
import logging

from flask import jsonify
from sqlalchemy import text

from app.extensions import db

log = logging.getLogger("chidao.health")


def healthz():
    try:
        db.session.execute(text("SELECT 1")).scalar_one()
    except Exception:
        db.session.rollback()
        log.exception("healthz: the database does not answer")
        response = jsonify(status="error", database="error")
        response.status_code = 503
    else:
        response = jsonify(status="ok", database="ok")
    response.cache_control.no_store = True
    return response


def register(app) -> None:
    app.add_url_rule("/healthz", endpoint="healthz", view_func=healthz, methods=["GET", "HEAD"])
