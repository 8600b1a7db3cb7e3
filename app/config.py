"""Configuration from environment variables, with defaults that are safe for one office server."""
import os
import secrets
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
        WTF_CSRF_TIME_LIMIT=None,  # token valid for the whole session: long forms are typed slowly
        BOOTSTRAP_SERVE_LOCAL=True,  # no CDN: the office network may have no internet
        PER_PAGE=int(env.get("PER_PAGE", 20)),
        UPLOAD_DIR=env.get("UPLOAD_DIR", str(Path(app.instance_path) / "uploads")),  # outside static/
        MAX_UPLOAD_BYTES=int(env.get("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)),  # per evidence file
        MAX_UPLOAD_FILES=int(env.get("MAX_UPLOAD_FILES", 5)),
        # every parse of an uploaded file (import, evidence) runs in a child under these limits
        PARSE_SECONDS=float(env.get("PARSE_SECONDS", 20)),
        PARSE_MEGABYTES=int(env.get("PARSE_MEGABYTES", 1024)),
        DUE_SOON_DAYS=int(env.get("DUE_SOON_DAYS", 3)),  # "sắp đến hạn": this many days or fewer left
        GENERATED_DIR=env.get("GENERATED_DIR", str(Path(app.root_path).parent / "generated")),
        # digital signatures (app/signing): the key that encrypts stored private keys (default: from
        # SECRET_KEY), and extra trust roots (PEM files, ':'-separated) beside those in the database
        SIGNING_KEY_SECRET=env.get("SIGNING_KEY_SECRET") or None,
        SIGNING_TRUST_ROOTS=env.get("SIGNING_TRUST_ROOTS", ""),
        # edXML exchange (app/exchange): outbox/ and inbox/ live here
        EXCHANGE_DIR=env.get("EXCHANGE_DIR", str(Path(app.instance_path) / "exchange")),
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_MIN_SIZE=1024,
    )
