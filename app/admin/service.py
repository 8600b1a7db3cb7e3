"""Directory changes (agencies, groups, users, an agency's dissolution), each recorded in the audit log."""
from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from app.models import Agency, AgencyGroup, Assignment, ProgressReport, User
from app.models.audit import diff, record
from app.rules.permissions import ADMIN, ROLES
from app.rules.workflow import OPEN_STATUSES

AGENCY_FIELDS = ("name", "short_name", "abbreviation", "kind", "parent_id", "serves_id", "header_text", "place",
                 "code", "active")
USER_FIELDS = ("username", "full_name", "email", "roles", "agency_id", "admin_scope_id", "active")


class UserError(ValueError):
    pass


class DissolveError(ValueError):
    """A refused dissolution, with a Vietnamese message."""


def check_user_rules(username, roles, agency, exclude_id=None, admin_scope_id=None) -> dict[str, str]:
    """Field -> Vietnamese error for things only the database knows (unique names, what roles need)."""
    errors = {}
    roles = set(roles or ())
    if not roles or roles - set(ROLES):
        errors["roles"] = "Chọn vai trò hợp lệ."
    if agency is None and (roles - {ADMIN} or admin_scope_id is not None):
        errors["agency_id"] = "Người dùng phải thuộc một cơ quan: mọi vai trò đều làm việc trong cơ quan của mình."
    query = select(User.id).where(func.lower(User.username) == username.lower())
    if exclude_id:
        query = query.where(User.id != exclude_id)
    if db.session.scalar(query) is not None:
        errors["username"] = "Tên đăng nhập đã được dùng."
    return errors


def _user_state(user: User) -> dict:
    state = {f: getattr(user, f) for f in USER_FIELDS if f != "roles"}
    state["roles"] = sorted(user.role_names)
    return state


def _default_mail_kinds(user: User) -> None:
    """A first address (set by an admin) receives every kind of mail until its owner chooses."""
    from app.jobs.mail import DEFAULT_KINDS

    if user.email and not user.mail_kinds:
        user.mail_kinds = DEFAULT_KINDS


def create_user(actor, *, username, full_name, roles, agency, password, active=True, admin_scope_id=None,
                email=None) -> User:
    errors = check_user_rules(username, roles, agency, admin_scope_id=admin_scope_id)
    if errors:
        raise UserError(" ".join(errors.values()))
    user = User(username=username.lower(), full_name=full_name, agency=agency, active=active,
                admin_scope_id=admin_scope_id if ADMIN in roles else None, email=email or None)
    _default_mail_kinds(user)
    user.set_roles(roles)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(actor, "user.create", user, f"Tạo tài khoản {user.username}",
           {f: [None, v] for f, v in _user_state(user).items()})
    return user


def update_user(actor, user: User, *, password=None, roles=None, **fields) -> None:
    before = _user_state(user)
    for key, value in fields.items():
        setattr(user, key, value.lower() if key == "username" else value)
    if not before["email"]:
        _default_mail_kinds(user)
    if roles is not None:
        user.set_roles(roles)
        if ADMIN not in roles:
            user.admin_scope_id = None
    if password:
        user.set_password(password)  # ends the user's sessions
    if before.get("active") and not user.active:
        user.end_sessions()  # a locked account is logged out everywhere at its next request
    changes = diff(before, _user_state(user))
    if password:
        changes["password"] = ["***", "***"]
    record(actor, "user.update", user, f"Sửa tài khoản {user.username}", changes)


def save_agency(actor, agency: Agency | None, **fields) -> Agency:
    creating = agency is None
    if creating:
        agency = Agency()
        db.session.add(agency)
    before = {f: getattr(agency, f) for f in AGENCY_FIELDS}
    for key, value in fields.items():
        setattr(agency, key, value)
    db.session.flush()
    record(actor, "agency.create" if creating else "agency.update", agency, f"Cơ quan: {agency.name}",
           diff(before, {f: getattr(agency, f) for f in AGENCY_FIELDS}))
    return agency


def save_group(actor, group: AgencyGroup | None, *, name: str, owner_id: int, description: str,
               member_ids) -> AgencyGroup:
    """New members count for directives saved from now on; existing assignments keep their agencies."""
    creating = group is None
    if creating:
        group = AgencyGroup()
        db.session.add(group)
    before = {"name": group.name, "owner_id": group.owner_id, "members": sorted(m.id for m in group.members)}
    group.name, group.owner_id, group.description = name, owner_id, description
    group.members = db.session.scalars(select(Agency).where(Agency.id.in_(list(member_ids)))).all()
    db.session.flush()
    after = {"name": name, "owner_id": owner_id, "members": sorted(m.id for m in group.members)}
    record(actor, "group.create" if creating else "group.update", group, f"Nhóm: {group.name}", diff(before, after))
    return group


def would_make_cycle(agency: Agency, parent: Agency | None) -> bool:
    node = parent
    while node is not None:
        if node.id == agency.id:
            return True
        node = node.parent
    return False


def dissolve(actor, agency: Agency, successor: Agency, day: date, note: str = "") -> int:
    """The agency ends on `day` (merged, dissolved: the 2025 reform); its open assignments move to the
    successor with the move written in their history, and groups list the successor instead.
    Letters keep the names they printed. Returns how many assignments moved."""
    if successor.id == agency.id:
        raise DissolveError("Cơ quan tiếp nhận phải khác cơ quan giải thể.")
    if not successor.active:
        raise DissolveError(f"{successor.name} không còn hoạt động: chọn cơ quan tiếp nhận đang hoạt động.")
    if agency.valid_to is not None:
        raise DissolveError(f"{agency.name} đã kết thúc hoạt động ngày {agency.valid_to:%d/%m/%Y}.")
    agency.valid_to, agency.successor, agency.active = day, successor, False
    moved = 0
    reason = f"Chuyển giao từ {agency.name} sang {successor.name} từ ngày {day:%d/%m/%Y}" + (f" ({note})" if note else "")
    open_rows = db.session.scalars(select(Assignment).where(Assignment.agency_id == agency.id,
                                                            Assignment.active.is_(True),
                                                            Assignment.status.in_(OPEN_STATUSES))).all()
    for assignment in open_rows:
        taken = db.session.scalar(select(Assignment).where(Assignment.task_id == assignment.task_id,
                                                           Assignment.agency_id == successor.id))
        if taken is not None:  # the successor already has this task: it carries on with its own row
            assignment.active = False
            if taken.role != "lead" and assignment.role == "lead":
                taken.role = "lead"
            target = taken
        else:
            assignment.agency_id = successor.id
            target = assignment
        db.session.add(ProgressReport(assignment=target, user_id=getattr(actor, "id", None), kind="transfer",
                                      old_status=target.status, new_status=target.status,
                                      percent=target.progress_percent, note=reason + "."))
        moved += 1
    for group in db.session.scalars(select(AgencyGroup).where(AgencyGroup.members.any(Agency.id == agency.id))):
        group.members = [m for m in group.members if m.id != agency.id] + (
            [] if successor in group.members else [successor])
    record(actor, "agency.dissolve", agency, reason,
           {"valid_to": [None, day.strftime("%d/%m/%Y")], "successor": [None, successor.name], "moved": [0, moved]})
    return moved
