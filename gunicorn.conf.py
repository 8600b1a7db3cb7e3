"""gunicorn's settings for `make run` (read from the environment; see README, "Máy chủ").

WEB_WORKERS processes × WEB_THREADS threads each serve requests; HOST and PORT say where. Letters are
rendered and uploads parsed inside a request, so the timeout is generous.
"""
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip().isdigit() and int(value) > 0 else default


wsgi_app = "app:create_app()"
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{_int('PORT', 5000)}"
workers = _int("WEB_WORKERS", min(2 * (os.cpu_count() or 1) + 1, 8))
threads = _int("WEB_THREADS", 4)
worker_class = "gthread"
timeout = _int("WEB_TIMEOUT", 120)
graceful_timeout = 30
keepalive = 5
# a worker is replaced after this many requests (jittered), so a slow leak never grows unbounded
max_requests = 2000
max_requests_jitter = 200
# behind a reverse proxy on the same machine, trust its X-Forwarded-* headers only
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# the application logs every request itself, as JSON (app/logs.py); gunicorn's own messages go to stderr
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# gunicorn's own messages (workers booting, timeouts) as JSON lines too, like the application's
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "app.logs.JsonLineFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
    "loggers": {"gunicorn.error": {"level": loglevel.upper(), "handlers": ["stderr"], "propagate": False},
                "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False}},
    "root": {"level": "WARNING", "handlers": []},  # the application adds its own handler (app/logs.py)
}
proc_name = "chidao"


def post_worker_init(worker):
    """The application is loaded: move its long-lived objects (modules, templates, SQLAlchemy's caches) out
    of the collector's reach, so a full collection during a request walks only the request's own objects
    (about 60 ms otherwise, measured in bench/tracking_bench.py)."""
    import gc

    gc.collect()
    gc.freeze()
