"""Loading directive files, the agency directory and the demo users into the database.

Loading is idempotent: agencies and groups are matched by name, directives by file name,
users by username, so running it twice changes nothing.
"""
from pathlib import Path

import yaml
from datetime import date

from sqlalchemy import func, select

from app.directive_format import FormatError, read_directive_file
from app.directives.service import find_issuer, resolve_assignees, save_directive
from app.extensions import db
from app.models import Agency, AgencyGroup, Directive, User
from app.models.agencies import AGENCY_KINDS, header_text_from_lines
from app.rules.permissions import ADMIN, CLERK, LEADER, STAFF
from app.text import clean_line

DIRECTORY_FILE = "_agencies.yaml"
DEMO_PASSWORD = "demo1234"
# The demo's people, by organisation: (username, full name, roles, agency's full name). Each seed's
# issuing organisation has its office (staff), a leader and a clerk; a few departments and units have
# logins too, so the chain (province → Sở → unit) can be walked. The first Kon Tum names keep the
# logins of earlier versions.
DEMO_USERS = (
    ("admin", "Quản trị hệ thống", (ADMIN,), "Văn phòng Ủy ban nhân dân tỉnh Kon Tum"),
    ("vanphong", "Nguyễn Thị Chuyên Viên", (STAFF,), "Văn phòng Ủy ban nhân dân tỉnh Kon Tum"),
    ("lanhdao", "Trần Văn Lãnh Đạo", (LEADER,), "Ủy ban nhân dân tỉnh Kon Tum"),
    ("vanthu", "Phạm Văn Văn Thư", (CLERK,), "Văn phòng Ủy ban nhân dân tỉnh Kon Tum"),
    ("soyte", "Lê Thị Sở Y Tế", (STAFF,), "Sở Y tế tỉnh Kon Tum"),
    ("soyte.ld", "Võ Văn Giám Đốc", (LEADER,), "Sở Y tế tỉnh Kon Tum"),
    ("soyte.vt", "Đỗ Thị Văn Thư Sở", (CLERK,), "Sở Y tế tỉnh Kon Tum"),
    ("cdc.kontum", "Hồ Văn Kiểm Soát", (STAFF,), "Trung tâm Kiểm soát bệnh tật tỉnh Kon Tum"),
    ("ttyt.iahdrai", "Y Văn Trung Tâm", (STAFF,), "Trung tâm Y tế huyện Ia H'Drai"),
    ("congan.kontum", "Đinh Văn Công An", (STAFF,), "Công an tỉnh Kon Tum"),
    ("iahdrai.vp", "Nguyễn Văn Huyện", (STAFF,), "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân huyện Ia H'Drai"),
    ("iahdrai.ld", "Siu Văn Chủ Tịch", (LEADER,), "Ủy ban nhân dân huyện Ia H'Drai"),
    ("iahdrai.vt", "Rơ Thị Văn Thư", (CLERK,), "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân huyện Ia H'Drai"),
    ("daklak.vp", "Y Thị Đắk Lắk", (STAFF,), "Văn phòng Ủy ban nhân dân tỉnh Đắk Lắk"),
    ("daklak.ld", "H'Văn Lãnh Đạo", (LEADER,), "Ủy ban nhân dân tỉnh Đắk Lắk"),
    ("daklak.vt", "Ksor Thị Văn Thư", (CLERK,), "Văn phòng Ủy ban nhân dân tỉnh Đắk Lắk"),
    ("langson.vp", "Hoàng Văn Lạng Sơn", (STAFF,), "Văn phòng Ủy ban nhân dân tỉnh Lạng Sơn"),
    ("langson.ld", "Lương Thị Chánh Văn Phòng", (LEADER,), "Văn phòng Ủy ban nhân dân tỉnh Lạng Sơn"),
    ("langson.vt", "Nông Văn Văn Thư", (CLERK,), "Văn phòng Ủy ban nhân dân tỉnh Lạng Sơn"),
    ("syt.langson", "Vi Thị Sở Y Tế", (STAFF,), "Sở Y tế tỉnh Lạng Sơn"),
    ("caoloc", "Lộc Văn Cao Lộc", (STAFF,), "Ủy ban nhân dân huyện Cao Lộc"),
    ("xuyenmoc.kh", "Trần Thị Kế Hoạch", (STAFF,), "Phòng Kế hoạch - Nghiệp vụ Trung tâm Y tế huyện Xuyên Mộc"),
    ("xuyenmoc.gd", "Nguyễn Văn Giám Đốc", (LEADER,), "Trung tâm Y tế huyện Xuyên Mộc"),
    ("xuyenmoc.vt", "Phan Thị Văn Thư", (CLERK,), "Trung tâm Y tế huyện Xuyên Mộc"),
    ("ksbt.xuyenmoc", "Lê Văn Kiểm Soát", (STAFF,), "Khoa Kiểm soát bệnh tật Trung tâm Y tế huyện Xuyên Mộc"),
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
        links.append((agency, node))
        for child in node.get("children") or []:
            upsert(child, agency)

    links: list = []
    with db.session.no_autoflush:
        for node in data.get("agencies") or []:
            upsert(node, None)
    for agency, node in links:  # names that point at another agency, once every agency exists
        for key in ("serves", "successor"):
            wanted = clean_line(node.get(key)) if node.get(key) else None
            if wanted and wanted not in known:
                raise LoadError(f"{path}: {agency.name}: {key} “{wanted}” không có trong danh mục")
            setattr(agency, key, known.get(wanted) if wanted else None)
        for key in ("valid_from", "valid_to"):  # only when the file says so: a dissolution made here stays
            if node.get(key) is not None:
                value = node[key]
                setattr(agency, key, value if isinstance(value, date) else date.fromisoformat(str(value)))
        if agency.valid_to is not None:
            agency.active = False
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


def ensure_demo_users() -> int:
    """The demo logins whose agencies are in the directory; existing usernames are left alone."""
    agencies = {agency.name: agency for agency in db.session.scalars(select(Agency))}
    taken = set(db.session.scalars(select(User.username)))
    created = 0
    for username, full_name, roles, agency_name in DEMO_USERS:
        agency = agencies.get(agency_name)
        if username in taken or agency is None:
            continue
        user = User(username=username, full_name=full_name, active=True, agency=agency)
        user.set_roles(roles)
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        created += 1
    db.session.flush()
    return created


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count(Directive.id)))


def demo_logins() -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(organisation, [(username, password, "roles · agency")]) in the order of DEMO_USERS, grouped by
    the organisation each login works for (a Văn phòng's people under the body it serves)."""
    wanted = [username for username, *_rest in DEMO_USERS]
    users = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_(wanted)))}
    groups: dict[str, list] = {}
    for username in wanted:
        user = users.get(username)
        if user is None:
            continue
        agency = user.agency
        organisation = agency.serves if agency is not None and agency.serves is not None else agency
        title = organisation.name if organisation is not None else "Toàn hệ thống"
        where = agency.name if agency is not None else ""
        groups.setdefault(title, []).append((username, DEMO_PASSWORD, f"{user.role_label} · {where}"))
    return list(groups.items())


__all__ = ["FormatError", "LoadError", "load_path", "ensure_demo_users", "database_is_empty", "demo_logins"]
