"""The scope matrix: every route × every role × the organisation the record belongs to.

The acting organisation is Sở Y tế tỉnh Kon Tum, in the middle of the chain. Its four roles (staff,
leader, clerk, and an admin of its subtree) meet records of five organisations: its own, its parent
(UBND tỉnh Kon Tum), its child (Trung tâm Kiểm soát bệnh tật, a unit of the Sở), a sibling (Công an
tỉnh Kon Tum) and another province (Văn phòng UBND tỉnh Lạng Sơn). The expected answer of each cell
is written out below from the rules of the issue, not computed with app/scope.py:
- outside the scope a record is 404; inside it, a refused action is 403;
- an admin-only account keeps the directory (its subtree) and sees no directive or assignment;
- the parent's letters are seen once issued, and only because they give the Sở a task;
- the child's letter that implements the Sở's is seen, read-only, by the Sở's leader only.
Lists are checked for leaks: no link to a record the role may not open.

One world per backend is built once for the module (cells only read it, or act on a fresh record
made for that cell), so the 600-odd cells stay fast.
"""
import hashlib
import os
import re
import uuid
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from sqlalchemy import create_engine, select, text

from app import create_app
from app.clock import local_today
from app.directive_format import directive_to_data, parse_directive
from app.directives import cascade, received
from app.directives.service import resolve_assignees, save_directive
from app.extensions import db
from app.loader import load_path
from app.models import Agency, AgencyGroup, Assignment, Directive, Evidence, ExtensionRequest, User
from tests.helpers import CSRF_RE, DEFAULT_CLOCK, DIRECTIVES_DIR, go_live

ROLES = ("staff", "leader", "clerk", "admin")
RELATIONS = ("own", "parent", "child", "sibling", "other")
ORGANISATIONS = {
    "own": "Sở Y tế tỉnh Kon Tum",
    "parent": "Ủy ban nhân dân tỉnh Kon Tum",
    "child": "Trung tâm Kiểm soát bệnh tật tỉnh Kon Tum",
    "sibling": "Công an tỉnh Kon Tum",
    "other": "Văn phòng Ủy ban nhân dân tỉnh Lạng Sơn",
}
USERS = {"staff": "soyte", "leader": "soyte.ld", "clerk": "soyte.vt", "admin": "qt.soyte"}
RELATION_USERS = {"own": "soyte", "parent": "lanhdao", "child": "cdc.kontum", "sibling": "congan.kontum",
                  "other": "langson.vp"}


# ---- the world -------------------------------------------------------------------------------

def _agency(name):
    return db.session.scalar(select(Agency).where(Agency.name == name))


def _copy(source: Directive, owner: Agency, state: str, subject: str, parent=None, recipients=None) -> Directive:
    data = directive_to_data(source)
    data.update(number=None, date=None, subject=subject, issuer=owner.header_lines, symbol=owner.abbreviation)
    if recipients is not None:
        data["recipients"] = recipients
        for section in data["sections"]:
            section["assignees"] = []
    resolve_assignees(data, owner)
    for section in data["sections"]:
        section["assignees"] = [a for a in section["assignees"] if a["target"] is not None]
    directive, _ = save_directive(None, data, None, owner, state=state, parent=parent)
    return directive


def _issue_now(directive: Directive) -> None:
    directive.state = "issued"
    directive.number = "99"
    directive.issued_date = local_today()
    received.went_out(directive, local_today(), None)


def _first_assignment(directive: Directive, agency_id: int) -> Assignment:
    return next(a for s in directive.live_sections for t in s.live_tasks for a in t.assignments
                if a.agency_id == agency_id and a.active)


def build_world(app, upload_dir):
    with app.app_context():
        load_path(DIRECTIVES_DIR)
        orgs = {relation: _agency(name) for relation, name in ORGANISATIONS.items()}
        keeper = User(username="qt.soyte", full_name="Quản trị Sở Y tế", agency=orgs["own"],
                      admin_scope=orgs["own"], active=True)
        keeper.set_roles(["admin"])
        keeper.set_password("demo1234")
        db.session.add(keeper)
        db.session.commit()
    go_live(app, keys=["001-", "003-"])
    with app.app_context():
        orgs = {relation: _agency(name) for relation, name in ORGANISATIONS.items()}
        seed_001 = db.session.scalar(select(Directive).where(Directive.source_key.contains("001-")))
        seed_003 = db.session.scalar(select(Directive).where(Directive.source_key.contains("003-")))
        staff = db.session.scalar(select(User).where(User.username == "soyte"))
        unit = orgs["child"]

        issued, drafts, approved = {"parent": seed_001, "other": seed_003}, {}, {}
        # the Sở's own letter to its unit, implementing the province's (a real cascade)
        own_issued, _ = cascade.draft_implementing(seed_001, orgs["own"], staff)
        data = directive_to_data(own_issued)
        data["recipients"] = [unit.name]
        data["signer"] = {"authority": "KT.", "authority_title": "GIÁM ĐỐC", "title": "PHÓ GIÁM ĐỐC", "name": "Võ Văn A"}
        for section, row in zip(data["sections"], own_issued.live_sections):
            section["id"] = row.id
            for task_data, task in zip(section["tasks"], row.live_tasks):
                task_data["id"] = task.id
        resolve_assignees(data, orgs["own"])
        save_directive(own_issued, data, staff, orgs["own"])
        _issue_now(own_issued)
        issued["own"] = own_issued
        # the unit's letter implementing the Sở's, and the sibling's own letter
        child_issued = _copy(own_issued, unit, "approved", "đơn vị triển khai", parent=own_issued,
                             recipients=["Trung tâm Y tế huyện Ia H'Drai"])
        _issue_now(child_issued)
        issued["child"] = child_issued
        sibling_issued = _copy(seed_001, orgs["sibling"], "approved", "công an triển khai",
                               recipients=["Công an huyện Ia H'Drai"])
        _issue_now(sibling_issued)
        issued["sibling"] = sibling_issued
        for relation, org in orgs.items():
            source = issued[relation]
            drafts[relation] = _copy(source, org, "draft", f"dự thảo của {relation}")
            approved[relation] = _copy(source, org, "approved", f"đã duyệt của {relation}")
        # an assignment of each relation: the task given to that organisation
        external = parse_directive({"doc_type": "cong_dien", "issuer": ["THỦ TƯỚNG CHÍNH PHỦ"], "number": "1",
                                    "symbol": "CĐ-TTg", "date": "2026-01-02", "subject": "phòng chống dịch",
                                    "sections": []})
        from_outside, _entry = received.register(external, orgs["parent"], None, received_date=date(2026, 1, 3))
        police = _agency("Công an tỉnh Kon Tum")
        assignments = {
            "own": _first_assignment(seed_001, orgs["own"].id),
            "parent": _first_assignment(from_outside, orgs["parent"].id),
            "child": _first_assignment(own_issued, unit.id),
            "sibling": _first_assignment(seed_001, police.id),
            "other": next(a for s in seed_003.live_sections for t in s.live_tasks for a in t.assignments),
        }
        extensions, evidence = {}, {}
        for relation, assignment in assignments.items():
            assignment.status, assignment.deadline = "dang_thuc_hien", local_today() + timedelta(days=10)
            extension = ExtensionRequest(assignment=assignment, sequence=1, deadline_before=assignment.deadline,
                                         requested_deadline=assignment.deadline + timedelta(days=5),
                                         reason="Chờ kinh phí", status="pending")
            stored = f"{uuid.uuid4().hex}.pdf"
            content = b"%PDF-1.4\n%%EOF\n"
            (upload_dir / stored).write_bytes(content)
            file = Evidence(assignment_id=assignment.id, original_name="minh-chung.pdf", stored_name=stored,
                            media_type="application/pdf", size=len(content), sha256=hashlib.sha256(content).hexdigest())
            db.session.add_all([extension, file])
            db.session.flush()
            extensions[relation], evidence[relation] = extension.id, file.id
        groups = {}
        for relation, org in orgs.items():
            group = AgencyGroup(name=f"Nhóm của {relation}", owner=org, description="", members=[org])
            db.session.add(group)
            db.session.flush()
            groups[relation] = group.id
        users = {relation: db.session.scalar(select(User.id).where(User.username == name))
                 for relation, name in RELATION_USERS.items()}
        db.session.commit()
        return SimpleNamespace(
            orgs={r: o.id for r, o in orgs.items()}, issued={r: d.id for r, d in issued.items()},
            drafts={r: d.id for r, d in drafts.items()}, approved={r: d.id for r, d in approved.items()},
            assignments={r: a.id for r, a in assignments.items()}, extensions=extensions, evidence=evidence,
            groups=groups, users=users,
        )


@pytest.fixture(scope="module", autouse=True)
def clock():
    """One clock for the whole module (in place of conftest's per-test one): pinned at the suite's
    instant and ticking on, never set back, so the sessions signed while the world was built stay valid."""
    instant = os.environ.get("TEST_CLOCK") or DEFAULT_CLOCK
    with time_machine.travel(instant, tick=True) as traveller:
        yield traveller


@pytest.fixture(scope="module", params=["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else []))
def matrix(request, tmp_path_factory, clock):
    """The app and the world, once per backend for the whole module."""
    folder = tmp_path_factory.mktemp("matrix")
    if request.param == "sqlite":
        config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'matrix.db'}", "SQLALCHEMY_ENGINE_OPTIONS": {}}
        schema = None
    else:
        schema = f"matrix_{uuid.uuid4().hex[:12]}"
        with create_engine(os.environ["TEST_DATABASE_URL"]).begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        config = {"SQLALCHEMY_DATABASE_URI": os.environ["TEST_DATABASE_URL"],
                  "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={schema}"}}}
    (folder / "uploads").mkdir()
    app = create_app({"TESTING": True, "SECRET_KEY": "matrix", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                      "UPLOAD_DIR": str(folder / "uploads"), "GENERATED_DIR": str(folder / "generated"),
                      "STORAGE_DIR": str(folder / "storage"), **config})
    clients = {}
    with app.app_context():
        db.create_all()
    world = build_world(app, folder / "uploads")
    for role, username in USERS.items():
        client = app.test_client()
        page = client.get("/dang-nhap").get_data(as_text=True)
        response = client.post("/dang-nhap", data={"csrf_token": CSRF_RE.search(page).group(1),
                                                   "username": username, "password": "demo1234"})
        assert response.status_code == 302, username
        clients[role] = client
    yield SimpleNamespace(app=app, world=world, clients=clients)
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    if schema:
        with create_engine(os.environ["TEST_DATABASE_URL"]).begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


# ---- the expected answers ---------------------------------------------------------------------

def sees_directive(role, relation, which) -> bool:
    if role == "admin":
        return False
    if relation == "own":
        return True
    if relation == "parent":
        return which == "issued"  # issued, and it gives the Sở a task
    if relation == "child":
        return which == "issued" and role == "leader"  # it implements the Sở's letter
    return False


def sees_assignment(role, relation) -> bool:
    # own: given to the Sở; child: given by the Sở to its unit
    return role != "admin" and relation in ("own", "child")


def answer(visible: bool, allowed: bool, ok) -> int | tuple:
    return ok if visible and allowed else (403 if visible else 404)


def staff_reports(role, relation):  # "department" side: the task was given to the Sở
    return role == "staff" and relation == "own"


def staff_follows(role, relation):  # "office" side: the Sở gave the task
    return role == "staff" and relation == "child"


# (name, method, url template, which record, expected(role, relation), body)
DIRECTIVE_ROUTES = [
    ("show", "GET", "/van-ban/{issued}", "issued", lambda r, rel: answer(sees_directive(r, rel, "issued"), True, 200)),
    ("download", "GET", "/van-ban/{issued}/tai-ve.docx", "issued",
     lambda r, rel: answer(sees_directive(r, rel, "issued"), True, 200)),
    ("chain", "GET", "/van-ban/{issued}/chuoi-trien-khai", "issued",
     lambda r, rel: answer(sees_directive(r, rel, "issued"), True, 200)),
    ("show draft", "GET", "/van-ban/{draft}", "draft", lambda r, rel: answer(sees_directive(r, rel, "draft"), True, 200)),
    ("edit form", "GET", "/van-ban/{draft}/sua", "draft",
     lambda r, rel: answer(sees_directive(r, rel, "draft"), r == "staff", 200)),
    ("edit post", "POST", "/van-ban/{draft}/sua", "draft",
     lambda r, rel: answer(sees_directive(r, rel, "draft"), r == "staff", 400)),
    ("approve", "POST", "/van-ban/{fresh_draft}/duyet", "draft",
     lambda r, rel: answer(sees_directive(r, rel, "draft"), r == "leader", 302)),
    ("back to draft", "POST", "/van-ban/{fresh_approved}/tra-lai", "approved",
     lambda r, rel: answer(sees_directive(r, rel, "approved"), r == "leader", 302)),
    ("issue", "POST", "/van-ban/{fresh_approved}/phat-hanh", "approved",
     lambda r, rel: answer(sees_directive(r, rel, "approved"), r == "clerk", 302)),
    ("copy", "POST", "/van-ban/{issued}/sao-chep", "issued",
     lambda r, rel: answer(sees_directive(r, rel, "issued"), r == "staff" and rel == "own", 302)),
    ("implement", "POST", "/van-ban/{issued}/trien-khai", "issued",
     lambda r, rel: answer(sees_directive(r, rel, "issued"), r == "staff" and rel == "parent", 302)),
]
ASSIGNMENT_ROUTES = [
    ("assignment", "GET", "/nhiem-vu/{assignment}", lambda r, rel: answer(sees_assignment(r, rel), True, 200)),
    ("report", "POST", "/nhiem-vu/{assignment}",
     lambda r, rel: answer(sees_assignment(r, rel), staff_reports(r, rel) or staff_follows(r, rel), 400)),
    ("ask extension", "POST", "/nhiem-vu/{assignment}/gia-han",
     lambda r, rel: answer(sees_assignment(r, rel), staff_reports(r, rel), 400)),
    ("implement task", "POST", "/nhiem-vu/{assignment}/trien-khai",
     lambda r, rel: answer(sees_assignment(r, rel), staff_reports(r, rel), 302)),
    ("evidence", "GET", "/nhiem-vu/{assignment}/minh-chung/{evidence}",
     lambda r, rel: answer(sees_assignment(r, rel), True, 200)),
    ("decide extension", "POST", "/gia-han/{extension}/tu-choi",
     lambda r, rel: answer(sees_assignment(r, rel), staff_follows(r, rel), 302)),
]


def admin_answer(ok):
    def expected(role, relation):
        if role != "admin":
            return 403  # the directory is the admin's
        return ok if relation in ("own", "child") else 404  # its subtree only
    return expected


ADMIN_ROUTES = [
    ("agency", "GET", "/quan-tri/co-quan/{agency}", admin_answer(200)),
    ("agency post", "POST", "/quan-tri/co-quan/{agency}", admin_answer(400)),
    ("dissolve", "POST", "/quan-tri/co-quan/{agency}/giai-the", admin_answer(302)),
    ("group", "GET", "/quan-tri/nhom/{group}", admin_answer(200)),
    ("group post", "POST", "/quan-tri/nhom/{group}", admin_answer(400)),
    ("user", "GET", "/quan-tri/nguoi-dung/{user}", admin_answer(200)),
    ("user post", "POST", "/quan-tri/nguoi-dung/{user}", admin_answer(400)),
]
LIST_PAGES = ["/van-ban", "/van-ban?state=issued", "/nhiem-vu", "/theo-doi", "/theo-doi/nhiem-vu",
              "/gia-han", "/so-van-ban/den", "/so-van-ban/di"]


def _fresh(matrix, relation, state):
    """A new directive of the relation's organisation for a cell that changes it."""
    with matrix.app.app_context():
        source = db.session.get(Directive, matrix.world.issued[relation])
        owner = db.session.get(Agency, matrix.world.orgs[relation])
        directive = _copy(source, owner, state, f"bản cho một ô của ma trận ({state})")
        db.session.commit()
        return directive.id


def _request(matrix, role, method, url):
    client = matrix.clients[role]
    if method == "GET":
        return client.get(url)
    page = client.get("/thong-bao").get_data(as_text=True)
    return client.post(url, data={"csrf_token": CSRF_RE.search(page).group(1)})


@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name, method, template, which, expected", DIRECTIVE_ROUTES,
                         ids=[route[0] for route in DIRECTIVE_ROUTES])
def test_directive_routes(matrix, name, method, template, which, expected, role, relation):
    world = matrix.world
    values = {"issued": world.issued[relation], "draft": world.drafts[relation]}
    if "{fresh_draft}" in template:
        values["fresh_draft"] = _fresh(matrix, relation, "draft")
    if "{fresh_approved}" in template:
        values["fresh_approved"] = _fresh(matrix, relation, "approved")
    response = _request(matrix, role, method, template.format(**values))
    assert response.status_code == expected(role, relation), response.get_data(as_text=True)[:300]


@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name, method, template, expected", ASSIGNMENT_ROUTES,
                         ids=[route[0] for route in ASSIGNMENT_ROUTES])
def test_assignment_routes(matrix, name, method, template, expected, role, relation):
    world = matrix.world
    url = template.format(assignment=world.assignments[relation], evidence=world.evidence[relation],
                          extension=world.extensions[relation])
    before = _state_of(matrix, world.assignments[relation])
    response = _request(matrix, role, method, url)
    assert response.status_code == expected(role, relation), response.get_data(as_text=True)[:300]
    assert _state_of(matrix, world.assignments[relation]) == before  # every cell's request changes nothing


def _state_of(matrix, assignment_id):
    with matrix.app.app_context():
        assignment = db.session.get(Assignment, assignment_id)
        return assignment.status, assignment.deadline, assignment.agency_id, len(assignment.reports)


@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name, method, template, expected", ADMIN_ROUTES, ids=[route[0] for route in ADMIN_ROUTES])
def test_admin_routes(matrix, name, method, template, expected, role, relation):
    world = matrix.world
    url = template.format(agency=world.orgs[relation], group=world.groups[relation], user=world.users[relation])
    response = _request(matrix, role, method, url)
    assert response.status_code == expected(role, relation), response.get_data(as_text=True)[:300]
    with matrix.app.app_context():
        assert db.session.get(Agency, world.orgs[relation]).valid_to is None  # nothing was dissolved


@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", LIST_PAGES)
def test_lists_show_nothing_outside_the_scope(matrix, page, role, relation):
    world = matrix.world
    response = matrix.clients[role].get(page)
    if role == "admin":
        assert response.status_code == 403
        return
    assert response.status_code in (200, 403), page
    html = response.get_data(as_text=True)
    directive_links = {int(i) for i in re.findall(r'href="/van-ban/(\d+)"', html)}
    assignment_links = {int(i) for i in re.findall(r'href="/nhiem-vu/(\d+)', html)}
    for which, ids in (("issued", world.issued), ("draft", world.drafts), ("approved", world.approved)):
        if not sees_directive(role, relation, which):
            assert ids[relation] not in directive_links, (page, which)
    if not sees_assignment(role, relation):
        assert world.assignments[relation] not in assignment_links, page


CHOICE_ROUTES = ["/theo-doi/lua-chon/van-ban?co-quan={org}&q=", "/theo-doi/lua-chon/don-vi?co-quan={org}&q="]


@pytest.mark.parametrize("relation", RELATIONS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("template", CHOICE_ROUTES, ids=["directives", "agencies"])
def test_filter_choices_are_the_followed_organisations_own(matrix, template, role, relation):
    """The pickers' search: asked for any organisation, it answers for the user's own (the Sở), and
    never names another organisation's directive or an agency that has no work from the Sở."""
    world = matrix.world
    response = matrix.clients[role].get(template.format(org=world.orgs[relation]))
    if role == "admin":
        assert response.status_code == 403
        return
    assert response.status_code == 200
    found = {int(option["value"]) for option in response.get_json()["options"]}
    if "van-ban" in template:
        assert (world.issued[relation] in found) == (relation == "own")  # issued: live; the Sở's own
        assert world.drafts[relation] not in found  # a draft is not followed yet
    else:
        assert found == {world.orgs["child"]}  # the Sở's letter gives work to its unit, and to nobody else


def test_the_matrix_has_every_cell():
    cells = (len(DIRECTIVE_ROUTES) + len(ASSIGNMENT_ROUTES) + len(ADMIN_ROUTES) + len(LIST_PAGES)
             + len(CHOICE_ROUTES)) * len(ROLES) * len(RELATIONS)
    assert cells == 680
