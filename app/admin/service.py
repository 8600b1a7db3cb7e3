"""Directory changes (agencies, groups, users), each recorded in the audit log."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import Agency, AgencyGroup, User
from app.models.audit import diff, record
from app.rules.permissions import DEPARTMENT, ROLES

AGENCY_FIELDS = ("name", "short_name", "abbreviation", "kind", "parent_id", "header_text", "place", "active")
USER_FIELDS = ("username", "full_name", "role", "agency_id", "active")


class UserError(ValueError):
    pass


def check_user_rules(username, role, agency, exclude_id=None) -> dict[str, str]:
    """Field -> Vietnamese error for things only the database knows (unique names, role needs)."""
    errors = {}
    if role not in ROLES:
        errors["role"] = "Vai trò không hợp lệ."
    if role == DEPARTMENT and agency is None:
        errors["agency_id"] = "Tài khoản đơn vị phải thuộc một cơ quan."
    query = select(User.id).where(func.lower(User.username) == username.lower())
    if exclude_id:
        query = query.where(User.id != exclude_id)
    if db.session.scalar(query) is not None:
        errors["username"] = "Tên đăng nhập đã được dùng."
    return errors


def create_user(actor, *, username, full_name, role, agency, password, active=True) -> User:
    errors = check_user_rules(username, role, agency)
    if errors:
        raise UserError(" ".join(errors.values()))
    user = User(username=username.lower(), full_name=full_name, role=role, agency=agency, active=active)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(actor, "user.create", user, f"Tạo tài khoản {user.username}",
           {f: [None, getattr(user, f)] for f in USER_FIELDS})
    return user


def update_user(actor, user: User, *, password=None, **fields) -> None:
    before = {f: getattr(user, f) for f in USER_FIELDS}
    for key, value in fields.items():
        setattr(user, key, value.lower() if key == "username" else value)
    if password:
        user.set_password(password)
    after = {f: getattr(user, f) for f in USER_FIELDS}
    changes = diff(before, after)
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
