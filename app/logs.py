"""Logging, configured in this one place: one JSON object per line, through the standard `logging` module.

- LOG_LEVEL (default INFO) and LOG_FILE (default: standard error) from the environment; LOG_FORMAT=text
  gives plain lines for a developer's terminal.
- Every request is logged once when it ends: request id (X-Request-ID as sent by a proxy, else a new
  one; sent back in the response), user id, method, route pattern, path, status, duration in ms.
- Every unhandled error is logged with its traceback and the same request id (Flask's log_exception).
- Never logged: form values, query strings, headers, cookies, passwords. Only the fields named here
  leave a request, so a password typed into a form cannot reach a log line.
"""
import logging
import logging.handlers
import os
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_HANDLER_MARK = "_chidao_handler"
logger = logging.getLogger("chidao.request")


class JsonLineFormatter(JsonFormatter):
    """time, level, logger, message, then the record's extra fields; a traceback under "exc_info"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("json_ensure_ascii", False)  # Vietnamese messages stay readable
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        super().__init__("%(levelname)s %(name)s %(message)s", *args, **kwargs)


class _RequestContext(logging.Filter):
    """Adds the request id (and the user id, once known) to every record logged during a request."""

    def filter(self, record):
        if has_request_context() and "request_id" in g and not hasattr(record, "request_id"):
            record.request_id = g.request_id
        return True


class _Stderr(logging.StreamHandler):
    """Standard error as it is at the moment of writing (a test runner swaps it between tests)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


# libraries that log every step of their work at INFO (fontTools reading the letter fonts) or every oddity
# of a PDF they read (pdfminer): only their warnings and errors are kept
QUIET_LIBRARIES = {"fontTools": logging.WARNING, "pdfminer": logging.ERROR}


def configure(level: str | None = None, file: str | None = None, fmt: str | None = None) -> logging.Handler:
    """(Re)configure the root logger: one handler of ours, replacing the previous one."""
    level = (level or os.environ.get("LOG_LEVEL") or "INFO").upper()
    file = file if file is not None else os.environ.get("LOG_FILE", "")
    fmt = (fmt or os.environ.get("LOG_FORMAT") or "json").lower()
    handler = logging.handlers.WatchedFileHandler(file, encoding="utf-8") if file else _Stderr()
    handler.setFormatter(JsonLineFormatter() if fmt == "json"
                         else logging.Formatter("%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
                                                defaults={"request_id": "-"}))
    handler.addFilter(_RequestContext())
    setattr(handler, _HANDLER_MARK, True)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(getattr(logging, level, logging.INFO))
    for noisy, floor in QUIET_LIBRARIES.items():  # a letter would otherwise write dozens of lines
        logging.getLogger(noisy).setLevel(max(floor, root.level))
    return handler


def _user_id():
    """The user the request ran as, if it loaded one (a static file or /healthz costs no query for it)."""
    user = g.get("_login_user")  # where Flask-Login keeps the user of this request
    # the row id, not get_id(): that carries the session token, which never goes to a log
    return getattr(user, "id", None) if user is not None and getattr(user, "is_authenticated", False) else None


def register(app: Flask) -> None:
    configure(app.config.get("LOG_LEVEL"), app.config.get("LOG_FILE"), app.config.get("LOG_FORMAT"))

    @app.before_request
    def start_request():
        sent = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = sent if _REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        started = g.get("request_started")
        if started is None:  # a response made before start_request ran
            return response
        response.headers[REQUEST_ID_HEADER] = g.request_id
        fields = {
            "request_id": g.request_id,
            "user_id": _user_id(),
            "method": request.method,
            "route": request.url_rule.rule if request.url_rule else None,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "remote_addr": request.remote_addr,
        }
        quiet = request.endpoint == "healthz" and response.status_code == 200  # polled every few seconds
        level = logging.DEBUG if quiet else logging.ERROR if response.status_code >= 500 else logging.INFO
        logger.log(level, "%s %s %s", request.method, request.path, response.status_code, extra=fields)
        return response
