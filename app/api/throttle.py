"""Requests per token (Flask-Limiter): `API_RATE_LIMITS` (default 600 a minute and 20,000 an hour) for
each token, counted over the whole API (one bucket per token, not per route) in the login throttle's
storage: memory for one process, Redis for several (RATELIMIT_STORAGE_URI, or REDIS_URL when set).
A request without an accepted token (none, unknown, revoked, expired) counts against its address, so
guessing tokens is limited too. Past a limit: 429 in the API's error format, with Retry-After and
the X-RateLimit-Limit / -Remaining / -Reset headers Flask-Limiter adds to every API response."""
import time

from flask import current_app, g, request
from flask_limiter.util import get_remote_address

from app.extensions import limiter

UNITS = {"second": "giây", "minute": "phút", "hour": "giờ", "day": "ngày", "month": "tháng", "year": "năm"}


def request_token():
    """The token of this API request, checked once per request (the limit's key and the
    authentication read the same answer): its ApiToken row, or the tokens.Refused."""
    from app.api import tokens

    if "api_token" not in g:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        try:
            if scheme.lower() != "bearer":
                raise tokens.Refused()
            g.api_token = tokens.authenticate(token.strip())
        except tokens.Refused as refusal:
            g.api_token = refusal
    return g.api_token


def _accepted() -> bool:
    from app.models import ApiToken

    return isinstance(request_token(), ApiToken)


def key() -> str:
    return f"token:{request_token().id}" if _accepted() else "address:" + get_remote_address()


per_token = limiter.shared_limit(lambda: current_app.config["API_RATE_LIMITS"], scope="api", key_func=key)


def breach_message() -> str:
    """The 429's Vietnamese message: which limit, and in how many seconds the next request is accepted."""
    current = limiter.current_limit
    if current is None:
        return "Quá nhiều yêu cầu; thử lại sau."
    item = current.limit
    unit = UNITS.get(item.GRANULARITY.name, item.GRANULARITY.name)
    window = unit if item.multiples == 1 else f"{item.multiples} {unit}"
    wait = max(1, int(current.reset_at - time.time()))  # as Flask-Limiter writes Retry-After
    whose = "mã truy cập này" if _accepted() else "địa chỉ này"
    return (f"Quá nhiều yêu cầu: {whose} được gửi tối đa {item.amount} yêu cầu mỗi {window}. "
            f"Thử lại sau {wait} giây (tiêu đề Retry-After).")
