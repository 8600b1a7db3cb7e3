"""Personal access tokens for the REST API: only the SHA-256 of the token is kept."""
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import local_today, utcnow
from app.extensions import db


class ApiToken(db.Model):
    """One token a user made for a program ("Báo cáo tự động"); shown once, then only its hash and prefix."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # the first characters, so the user can tell tokens apart
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    # the last day (Việt Nam calendar, app/clock.py) the token is accepted; chosen when it is made
    expires_on: Mapped[date] = mapped_column(Date)

    user = relationship("User")

    @property
    def active(self) -> bool:
        """Not revoked (an expired token is still "active" in this sense: see `expired`)."""
        return self.revoked_at is None

    @property
    def expired(self) -> bool:
        return local_today() > self.expires_on

    @property
    def usable(self) -> bool:
        return self.active and not self.expired
