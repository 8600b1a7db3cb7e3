from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.clock import utcnow


class AuditEvent(db.Model):
    """Who did what to which record, when, and which fields changed (old, new)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(50))
    object_type: Mapped[str] = mapped_column(String(50))
    object_id: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(String(500), default="")
    changes: Mapped[dict] = mapped_column(JSON, default=dict)

    user = relationship("User")


def record(user, action: str, obj, summary: str = "", changes: dict | None = None) -> AuditEvent:
    """Add an audit event to the session; the caller's commit stores it with the change itself."""
    if getattr(obj, "id", 0) is None:
        db.session.flush()  # a new record needs its id before it can be named
    event = AuditEvent(
        user_id=getattr(user, "id", None),
        action=action,
        object_type=type(obj).__name__,
        object_id=getattr(obj, "id", None),
        summary=summary[:500],
        changes=changes or {},
    )
    db.session.add(event)
    return event


def diff(before: dict, after: dict) -> dict:
    """Fields whose value changed, as {field: [old, new]} with dates as dd/mm/yyyy strings."""
    out = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            out[key] = [_plain(old), _plain(new)]
    return out


def _plain(value):
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return value
