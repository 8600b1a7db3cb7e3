"""Login throttling: wrong passwords are limited per account and per address (Flask-Limiter), and an
unknown username costs the same password check as a known one, so timing tells nothing.

Only failed attempts count (a successful login redirects); several windows make the back-off grow
(a few tries a minute, more an hour, a day's ceiling). The storage is memory for one process and
Redis for several (RATELIMIT_STORAGE_URI, or REDIS_URL when set).
"""
from functools import lru_cache

from flask import current_app, request
from flask_limiter.util import get_remote_address
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import limiter
from app.text import clean_line


def _account() -> str:
    return "account:" + clean_line(request.form.get("username", ""))[:64].lower()


def _failed(response) -> bool:
    return response.status_code != 302


def _limits(name: str):
    return lambda: current_app.config[name]


per_account = limiter.limit(_limits("LOGIN_LIMITS_ACCOUNT"), key_func=_account, methods=["POST"],
                            deduct_when=_failed, scope="login-account")
per_address = limiter.limit(_limits("LOGIN_LIMITS_ADDRESS"), key_func=get_remote_address, methods=["POST"],
                            deduct_when=_failed, scope="login-address")


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    return generate_password_hash("không phải mật khẩu của ai", method=method)


def check_unknown_user(password: str) -> bool:
    """The check a known user's login costs, done for a name that does not exist; always False."""
    method = current_app.config.get("PASSWORD_HASH_METHOD") or "scrypt"
    check_password_hash(_dummy_hash(method), password or "")
    return False
