"""In-app notifications: who hears about what."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import Notification, User
from app.rules.permissions import ADMIN, DEPARTMENT, OFFICE


def _users(query) -> list[User]:
    return db.session.scalars(query.where(User.active.is_(True))).all()


def agency_users(agency_ids) -> list[User]:
    return _users(select(User).where(User.role == DEPARTMENT, User.agency_id.in_(list(agency_ids))))


def office_users() -> list[User]:
    return _users(select(User).where(User.role.in_((OFFICE, ADMIN))))


def notify(users, kind: str, message: str, assignment=None, directive=None) -> None:
    """One row per user; the page links to the assignment, or to the inbox filtered by the directive."""
    for user in users:
        db.session.add(Notification(user_id=user.id, kind=kind, message=message[:500],
                                    assignment_id=getattr(assignment, "id", None),
                                    directive_id=getattr(directive, "id", None)))


def new_assignments(directive) -> None:
    """A directive went out: every agency with a task in it hears once."""
    agency_ids = {a.agency_id for s in directive.live_sections for t in s.live_tasks for a in t.assignments
                  if a.active}
    notify(agency_users(agency_ids), "new", f"Nhiệm vụ mới: {directive.doc_type_label} "
           f"{directive.number_symbol} V/v {directive.subject}", directive=directive)


def unread_count(user) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0

