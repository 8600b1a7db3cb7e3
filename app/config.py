"""Configuration from environment variables, with defaults that are safe for one office server."""
import os
import secrets
from datetime import timedelta
from pathlib import Path


def _secret_key(instance_path: str) -> str:
    """Read SECRET_KEY from the environment, else from instance/secret_key, creating it once.

    The key lives in the instance folder (ignored by git) so sessions survive restarts and
    the key is never committed.
    """
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def load_config(app) -> None:
    env = os.environ
    default_db = "sqlite:///" + str(Path(app.instance_path) / "app.db")
    app.config.update(
        SECRET_KEY=_secret_key(app.instance_path),
        SQLALCHEMY_DATABASE_URI=env.get("DATABASE_URL", default_db),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        # Forms are text only in this version; 2 MB is generous and stops huge posts early.
        MAX_CONTENT_LENGTH=int(env.get("MAX_CONTENT_LENGTH", 2 * 1024 * 1024)),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=env.get("SESSION_COOKIE_SECURE", "0") == "1",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=env.get("SESSION_COOKIE_SECURE", "0") == "1",
        REMEMBER_COOKIE_DURATION=timedelta(days=int(env.get("REMEMBER_DAYS", 14))),
        # a form's token lasts a working day (long forms are typed slowly) and changes at login and logout
        WTF_CSRF_TIME_LIMIT=int(env.get("CSRF_HOURS", 10)) * 3600,
        # wrong passwords allowed per account and per address, in growing windows (app/auth/throttle.py)
        LOGIN_LIMITS_ACCOUNT=env.get("LOGIN_LIMITS_ACCOUNT", "5/minute;20/hour;50/day"),
        LOGIN_LIMITS_ADDRESS=env.get("LOGIN_LIMITS_ADDRESS", "30/minute;200/hour"),
        # REST API requests allowed per token (per address without an accepted token): app/api/throttle.py
        API_RATE_LIMITS=env.get("API_RATE_LIMITS", "600/minute;20000/hour"),
        RATELIMIT_STORAGE_URI=env.get("RATELIMIT_STORAGE_URI") or env.get("REDIS_URL") or "memory://",
        RATELIMIT_HEADERS_ENABLED=True,
        BOOTSTRAP_SERVE_LOCAL=True,  # no CDN: the office network may have no internet
        PER_PAGE=int(env.get("PER_PAGE", 20)),
        # the directive list counts this many directives past the page's first: "hơn 1.000 văn bản" beyond
        LIST_COUNT_AHEAD=int(env.get("LIST_COUNT_AHEAD", 1000)),
        # a filter of directives or agencies carries this many choices; past it, more are found as the user types
        FILTER_INLINE_CHOICES=int(env.get("FILTER_INLINE_CHOICES", 50)),
        # records (issued letters, evidence) live in STORAGE_DIR (app/storage.py); generated/ is for exports
        STORAGE_DIR=env.get("STORAGE_DIR", str(Path(app.instance_path) / "storage")),
        UPLOAD_DIR=env.get("UPLOAD_DIR", ""),  # evidence folder; empty: STORAGE_DIR/evidence
        BACKUP_DIR=env.get("BACKUP_DIR", str(Path(app.instance_path) / "backups")),  # `flask backup create`
        MAX_UPLOAD_BYTES=int(env.get("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)),  # per evidence file
        MAX_UPLOAD_FILES=int(env.get("MAX_UPLOAD_FILES", 5)),
        # every parse of an uploaded file (import, evidence) runs in a child under these limits
        PARSE_SECONDS=float(env.get("PARSE_SECONDS", 20)),
        PARSE_MEGABYTES=int(env.get("PARSE_MEGABYTES", 1024)),
        # demo mode (DEMO=1, `make run`'s default): the seeds and the demo accounts, password demo1234
        DEMO_MODE=env.get("DEMO", "0") == "1",
        DEMO_DIRECTIVES_DIR=str(Path(app.root_path).parent / "directives"),
        DUE_SOON_DAYS=int(env.get("DUE_SOON_DAYS", 3)),  # "sắp đến hạn": this many days or fewer left
        GENERATED_DIR=env.get("GENERATED_DIR", str(Path(app.root_path).parent / "generated")),  # exports only
        LOG_LEVEL=env.get("LOG_LEVEL", "INFO"),  # app/logs.py: one JSON line per request and per error
        LOG_FILE=env.get("LOG_FILE", ""),  # empty: standard error
        LOG_FORMAT=env.get("LOG_FORMAT", "json"),  # or "text" for a developer's terminal
        # The job queue (app/jobs): a SQLite file in instance/ unless REDIS_URL names a Redis server
        REDIS_URL=env.get("REDIS_URL", ""),
        HUEY_NAME=env.get("HUEY_NAME", "theo-doi-chi-dao"),
        HUEY_SQLITE_PATH=env.get("HUEY_SQLITE_PATH", str(Path(app.instance_path) / "huey.db")),
        HUEY_IMMEDIATE=env.get("HUEY_IMMEDIATE", "0") == "1",  # run tasks in the request (debugging)
        JOB_RETRY_DELAY=int(env.get("JOB_RETRY_DELAY", 10)),  # seconds before the one retry of a failed job
        JOB_KEEP_DAYS=int(env.get("JOB_KEEP_DAYS", 7)),  # exported files are deleted after this many days
        # above these sizes an export is a job with a progress bar instead of an instant download
        EXCEL_JOB_ROWS=int(env.get("EXCEL_JOB_ROWS", 2000)),
        REPORT_JOB_ROWS=int(env.get("REPORT_JOB_ROWS", 300)),
        ZIP_JOB_LETTERS=int(env.get("ZIP_JOB_LETTERS", 10)),
        # E-mail (app/jobs/mail.py): no MAIL_SERVER, no mail
        MAIL_SERVER=env.get("MAIL_SERVER", ""),
        MAIL_PORT=int(env.get("MAIL_PORT", 25)),
        MAIL_USE_TLS=env.get("MAIL_USE_TLS", "0") == "1",  # STARTTLS
        MAIL_USE_SSL=env.get("MAIL_USE_SSL", "0") == "1",  # SMTPS (port 465)
        MAIL_USERNAME=env.get("MAIL_USERNAME", ""),
        MAIL_PASSWORD=env.get("MAIL_PASSWORD", ""),
        MAIL_DEFAULT_SENDER=env.get("MAIL_DEFAULT_SENDER", "Theo dõi chỉ đạo <no-reply@localhost>"),
        MAIL_TIMEOUT=float(env.get("MAIL_TIMEOUT", 30)),
        BASE_URL=env.get("BASE_URL", "http://127.0.0.1:5000"),  # links in mails
        MORNING_HOUR=int(env.get("MORNING_HOUR", 7)),  # local Việt Nam time of the daily mails
        # digital signatures (app/signing): the key that encrypts stored private keys (default: from
        # SECRET_KEY), and extra trust roots (PEM files, ':'-separated) beside those in the database
        SIGNING_KEY_SECRET=env.get("SIGNING_KEY_SECRET") or None,
        SIGNING_TRUST_ROOTS=env.get("SIGNING_TRUST_ROOTS", ""),
        # edXML exchange (app/exchange): outbox/ and inbox/ live here
        EXCHANGE_DIR=env.get("EXCHANGE_DIR", str(Path(app.instance_path) / "exchange")),
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_MIN_SIZE=1024,
    )
