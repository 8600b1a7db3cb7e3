"""Personal access tokens: made, checked and revoked here; the API and the account page call these.

A token is "tdcd_" and 40 random URL-safe characters. Only its SHA-256 is stored, so a copy of the
database gives nobody a working token; the user sees the token once, when it is made.

Every token expires: its owner chooses 30, 90 (the default) or 365 days when making it, and it is
accepted through the last of those days (Việt Nam calendar, app/clock.py). There is no token without
an end: tokens end up in scripts, cron lines and shared folders, and an expiry bounds how long a
forgotten copy works; a program that runs for years gets a new token once a year."""
import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import or_, select, update

from app.clock import local_today, utcnow
from app.extensions import db
from app.models import ApiToken
from app.models.audit import record
from app.text import format_vn_date

PREFIX = "tdcd_"
MAX_ACTIVE = 20
LAST_USED_RESOLUTION = timedelta(minutes=5)  # "last used" is written at most this often per token
LIFETIMES = (30, 90, 365)  # days a token may be made for
DEFAULT_DAYS = 90


class TokenError(ValueError):
    """A token that cannot be made, with a Vietnamese message."""


class Refused(Exception):
    """A token the API does not accept. `message` is the 401's Vietnamese message, or None for the
    general one (unknown, revoked, locked account: told apart to nobody)."""

    def __init__(self, message: str | None = None):
        super().__init__(message or "refused")
        self.message = message


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(user, name: str, days: int = DEFAULT_DAYS) -> tuple[ApiToken, str]:
    """A new token for the user, accepted for `days` days from today: the row, and the token itself
    (to show once)."""
    name = (name or "").strip()
    if not name:
        raise TokenError("Đặt tên cho mã truy cập (dùng cho chương trình nào).")
    if days not in LIFETIMES:
        raise TokenError("Chọn thời hạn: " + ", ".join(f"{d} ngày" for d in LIFETIMES) + ".")
    today = local_today()
    active = db.session.scalar(select(db.func.count()).select_from(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_on >= today)) or 0
    if active >= MAX_ACTIVE:
        raise TokenError(f"Mỗi tài khoản có tối đa {MAX_ACTIVE} mã truy cập đang dùng; thu hồi mã cũ trước.")
    token = PREFIX + secrets.token_urlsafe(30)
    row = ApiToken(user_id=user.id, name=name[:100], token_hash=digest(token), prefix=token[:12],
                   expires_on=today + timedelta(days=days))
    db.session.add(row)
    db.session.flush()
    record(user, "token.create", user,
           f"Tạo mã truy cập API “{row.name}” ({row.prefix}…), hạn dùng đến {format_vn_date(row.expires_on)}")
    return row, token


def user_tokens(user) -> list[ApiToken]:
    """The user's tokens: those in use first (newest first), then the expired and the revoked."""
    ended = or_(ApiToken.revoked_at.is_not(None), ApiToken.expires_on < local_today())
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ended, ApiToken.id.desc())))


def revoke(user, token_id: int) -> ApiToken | None:
    """Revoke one of the user's own tokens (None when it is not theirs)."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        return None
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        record(user, "token.revoke", user, f"Thu hồi mã truy cập API “{row.name}” ({row.prefix}…)")
    return row


def authenticate(token: str) -> ApiToken:
    """The token's row when the API accepts it (its user is `row.user`); raises Refused otherwise.
    Marks the token used (at most every few minutes)."""
    if not token or not token.startswith(PREFIX) or len(token) > 200:
        raise Refused()
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    if row is None or row.revoked_at is not None or row.user is None or not row.user.active:
        raise Refused()
    if row.expired:  # only the holder of the whole token learns this, and only of a token otherwise valid
        raise Refused(f"Mã truy cập đã hết hạn (dùng được đến hết ngày {format_vn_date(row.expires_on)}). "
                      "Tạo mã mới tại Tài khoản → Mã truy cập API.")
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        db.session.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
        db.session.commit()
    return row
