"""Personal access tokens: made, checked and revoked here; the API and the account page call these.

A token is "tdcd_" and 40 random URL-safe characters. Only its SHA-256 is stored, so a copy of the
database gives nobody a working token; the user sees the token once, when it is made."""
import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from app.clock import utcnow
from app.extensions import db
from app.models import ApiToken
from app.models.audit import record

PREFIX = "tdcd_"
MAX_ACTIVE = 20
LAST_USED_RESOLUTION = timedelta(minutes=5)  # "last used" is written at most this often per token


class TokenError(ValueError):
    """A token that cannot be made, with a Vietnamese message."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(user, name: str) -> tuple[ApiToken, str]:
    """A new token for the user: the row, and the token itself (to show once)."""
    name = (name or "").strip()
    if not name:
        raise TokenError("Đặt tên cho mã truy cập (dùng cho chương trình nào).")
    active = db.session.scalar(select(db.func.count()).select_from(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))) or 0
    if active >= MAX_ACTIVE:
        raise TokenError(f"Mỗi tài khoản có tối đa {MAX_ACTIVE} mã truy cập đang dùng; thu hồi mã cũ trước.")
    token = PREFIX + secrets.token_urlsafe(30)
    row = ApiToken(user_id=user.id, name=name[:100], token_hash=digest(token), prefix=token[:12])
    db.session.add(row)
    db.session.flush()
    record(user, "token.create", user, f"Tạo mã truy cập API “{row.name}” ({row.prefix}…)")
    return row, token


def user_tokens(user) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())))


def revoke(user, token_id: int) -> ApiToken | None:
    """Revoke one of the user's own tokens (None when it is not theirs)."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        return None
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        record(user, "token.revoke", user, f"Thu hồi mã truy cập API “{row.name}” ({row.prefix}…)")
    return row


def authenticate(token: str):
    """The active user owning this token, or None. Marks the token used (at most every few minutes)."""
    if not token or not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    if row is None or row.revoked_at is not None or row.user is None or not row.user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        db.session.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
        db.session.commit()
    return row.user
