"""In-app notifications: who hears about what. The people of an organisation are the staff of the
agency itself and of the agency that prepares its documents (its Văn phòng)."""
from sqlalchemy import func, or_, select

from app.extensions import db
from app.models import Agency, Notification, User, UserRole
from app.rules.permissions import ADMIN, LEADER, STAFF


def staff_of(agency_ids) -> list[User]:
    """Active staff acting for any of these organisations."""
    ids = sorted({i for i in agency_ids if i is not None})
    if not ids:
        return []
    query = (select(User).join(Agency, User.agency_id == Agency.id)
             .where(User.active.is_(True), or_(User.agency_id.in_(ids), Agency.serves_id.in_(ids)),
                    User.role_rows.any(UserRole.role == STAFF))
             .order_by(User.id))
    return db.session.scalars(query).all()


def leaders_of(agency_id) -> list[User]:
    """The leaders who approve an organisation's drafts (its own agency's leaders)."""
    return db.session.scalars(select(User).where(User.active.is_(True), User.agency_id == agency_id,
                                                 User.role_rows.any(UserRole.role == LEADER))
                              .order_by(User.id)).all()


def agency_users(agency_ids) -> list[User]:
    """Those who report for the assigned agencies."""
    return staff_of(agency_ids)


def office_users(owner_agency_id) -> list[User]:
    """Those who follow up a directive: the staff of the organisation whose directive it is."""
    return staff_of([owner_agency_id])


def admins_for(agency_id) -> list[User]:
    """The admins whose reach covers this agency (the deployment's, and those of a subtree above it)."""
    from app import scope

    admins = db.session.scalars(select(User).where(User.active.is_(True), User.role_rows.any(UserRole.role == ADMIN))
                                .order_by(User.id)).all()
    return [admin for admin in admins if admin.admin_scope_id is None or agency_id in set(
        db.session.scalars(scope.subtree_ids(admin.admin_scope_id)).all())]


def stored_file_missing(agency_id, what: str, assignment=None, directive=None) -> None:
    """A stored file is gone or altered: the admins hear once (until they read it), the log always."""
    import logging

    logging.getLogger("app.storage").error("stored file missing or altered: %s", what)
    for admin in admins_for(agency_id):
        already = db.session.scalar(select(Notification.id).where(
            Notification.user_id == admin.id, Notification.kind == "file_missing", Notification.read_at.is_(None),
            Notification.message.contains(what[:200])))
        if already is None:
            notify([admin], "file_missing", f"Tệp lưu trữ bị thiếu hoặc bị sửa: {what}. Hãy khôi phục từ bản sao lưu.",
                   assignment=assignment, directive=directive)


def notify(users, kind: str, message: str, assignment=None, directive=None) -> None:
    """One row per user; the page links to the assignment, or to the inbox filtered by the directive."""
    from app.jobs import mail

    added, by_id = [], {}
    for user in users:
        notification = Notification(user_id=user.id, kind=kind, message=message[:500],
                                    assignment_id=getattr(assignment, "id", None),
                                    directive_id=getattr(directive, "id", None))
        db.session.add(notification)
        added.append(notification)
        by_id[user.id] = user
    mail.queue_for(added, by_id)  # the e-mails of those who want this kind one by one, after the commit


def new_assignments(directive) -> None:
    """A directive went out (issued, or registered as received): every agency with a task hears once."""
    agency_ids = {a.agency_id for s in directive.live_sections for t in s.live_tasks for a in t.assignments
                  if a.active}
    notify(agency_users(agency_ids), "new", f"Nhiệm vụ mới: {directive.doc_type_label} "
           f"{directive.number_symbol} V/v {directive.subject}", directive=directive)


def unread_count(user) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0
