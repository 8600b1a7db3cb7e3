"""Loading directive files, the agency directory and the demo users into the database.

Loading is idempotent: agencies and groups are matched by name, directives by file name,
users by username, so running it twice changes nothing.
"""
from pathlib import Path

import yaml
from sqlalchemy import func, select

from app.directive_format import FormatError, read_directive_file
from app.directives.service import find_issuer, resolve_assignees, save_directive
from app.extensions import db
from app.models import Agency, AgencyGroup, Directive, User
from app.models.agencies import AGENCY_KINDS, header_text_from_lines, same_tree
from app.rules.names import name_key
from app.rules.permissions import ADMIN, CLERK, DEPARTMENT, LEADER, OFFICE
from app.text import clean_line

DIRECTORY_FILE = "_agencies.yaml"
DEMO_PASSWORD = "demo1234"
DEMO_ROOT = "Ủy ban nhân dân tỉnh Kon Tum"
# username, full name, role, how to find the agency in the demo province (kind, short name or None)
DEMO_USERS = (
    ("admin", "Quản trị hệ thống", ADMIN, ("van_phong", None)),
    ("vanphong", "Nguyễn Thị Chuyên Viên", OFFICE, ("van_phong", None)),
    ("lanhdao", "Trần Văn Lãnh Đạo", LEADER, ("ubnd_tinh", None)),
    ("soyte", "Lê Thị Sở Y Tế", DEPARTMENT, ("so", "Sở Y tế")),
    ("vanthu", "Phạm Văn Văn Thư", CLERK, ("van_phong", None)),
)


class LoadError(Exception):
    """Something in the data that stops loading, with a Vietnamese message."""


def load_path(path, user=None, with_demo_users=True) -> dict:
    """Load a directory (its agency directory first, then every directive file) or one file."""
    path = Path(path)
    report = {"agencies": 0, "groups": 0, "directives": 0, "skipped": 0, "users": 0, "warnings": []}
    if path.is_dir():
        files = sorted(f for f in path.iterdir() if f.suffix in (".yaml", ".yml", ".json"))
    else:
        files = [path]
    # A single directive file still needs the agency directory that sits beside it.
    directory = [f for f in (path / DIRECTORY_FILE, path.parent / DIRECTORY_FILE) if f.is_file()][:1]
    for file in directory:
        added_agencies, added_groups = load_agency_directory(file)
        report["agencies"] += added_agencies
        report["groups"] += added_groups
    if with_demo_users:
        report["users"] = ensure_demo_users()
    for file in files:
        if file.name == DIRECTORY_FILE:
            continue
        created, warnings = load_directive_file(file, user)
        report["directives" if created else "skipped"] += 1
        report["warnings"].extend(f"{file.name}: {w}" for w in warnings)
    db.session.commit()
    return report


def load_agency_directory(path) -> tuple[int, int]:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    added = [0, 0]
    known = {agency.name: agency for agency in db.session.scalars(select(Agency))}

    def upsert(node, parent):
        name = clean_line(node.get("name"))
        if not name:
            raise LoadError(f"{path}: một cơ quan thiếu tên (name)")
        kind = node.get("kind", "don_vi")
        if kind not in AGENCY_KINDS:
            raise LoadError(f"{path}: {name}: loại cơ quan “{kind}” không hợp lệ")
        agency = known.get(name)
        if agency is None:
            agency = known[name] = Agency(name=name, active=True)
            db.session.add(agency)
            added[0] += 1
        agency.parent = parent
        agency.short_name = clean_line(node.get("short_name")) or name
        agency.abbreviation = clean_line(node.get("abbreviation")) or ""
        agency.kind = kind
        agency.place = clean_line(node.get("place")) or (parent.place if parent else "")
        agency.header_text = header_text_from_lines([clean_line(line) for line in node.get("header") or []])
        for child in node.get("children") or []:
            upsert(child, agency)

    with db.session.no_autoflush:
        for node in data.get("agencies") or []:
            upsert(node, None)
    db.session.flush()
    for node in data.get("groups") or []:
        name = clean_line(node.get("name"))
        owner = known.get(clean_line(node.get("owner")))
        if owner is None:
            raise LoadError(f"{path}: nhóm “{name}”: không có cơ quan chủ quản “{node.get('owner')}”")
        group = db.session.scalar(select(AgencyGroup).where(AgencyGroup.owner_id == owner.id, AgencyGroup.name == name))
        if group is None:
            group = AgencyGroup(name=name, owner=owner, description="")
            db.session.add(group)
            added[1] += 1
        members = []
        for member_name in node.get("members") or []:
            member = known.get(clean_line(member_name))
            if member is None:
                raise LoadError(f"{path}: nhóm “{name}”: không có cơ quan “{member_name}”")
            members.append(member)
        group.members = members
    db.session.flush()
    return added[0], added[1]


def load_directive_file(path, user=None) -> tuple[bool, list[str]]:
    """Load one directive file unless a directive from the same file is already there."""
    path = Path(path)
    key = path.stem
    if db.session.scalar(select(Directive.id).where(Directive.source_key == key)) is not None:
        return False, []
    data = read_directive_file(path)
    issuer = find_issuer(data["issuer"])
    if issuer is None:
        raise LoadError(
            f"{path.name}: không có cơ quan ban hành có tiêu đề “{' / '.join(data['issuer'])}” trong danh mục"
        )
    unknown = resolve_assignees(data, issuer)
    if unknown:
        raise LoadError(f"{path.name}: không tìm thấy trong danh mục cơ quan: {'; '.join(unknown)}")
    # A file with a number and a date is an issued letter; one without is signed-ready (approved).
    state = "issued" if data["number"] and data["date"] else "approved"
    _directive, warnings = save_directive(None, data, user, issuer, source_key=key, state=state)
    return True, warnings


def _demo_agency(kind: str, short_name: str | None) -> Agency | None:
    root = db.session.scalar(select(Agency).where(Agency.name == DEMO_ROOT))
    if root is None:
        return None
    for agency in same_tree(root, db.session.scalars(select(Agency).order_by(Agency.id)).all()):
        if agency.kind == kind and (short_name is None or name_key(agency.short_name) == name_key(short_name)):
            return agency
    return None


def ensure_demo_users() -> int:
    created = 0
    for username, full_name, role, (kind, short_name) in DEMO_USERS:
        if db.session.scalar(select(User).where(User.username == username)) is not None:
            continue
        user = User(username=username, full_name=full_name, role=role, active=True,
                    agency=_demo_agency(kind, short_name))
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        created += 1
    db.session.flush()
    return created


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count(Directive.id)))


def demo_logins() -> list[tuple[str, str, str]]:
    rows = []
    for username, _full_name, _role, _where in DEMO_USERS:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is not None:
            where = f" — {user.agency.short_name}" if user.agency else ""
            rows.append((username, DEMO_PASSWORD, user.role_label + where))
    return rows


__all__ = ["FormatError", "LoadError", "load_path", "ensure_demo_users", "database_is_empty", "demo_logins"]
