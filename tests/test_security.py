"""Security and robustness of the web app, seen from the browser.

Login everywhere, a department's view of a directive, CSRF, malformed and forged requests, form
errors that keep what was typed, NFC text, autoescaping, session cookies and Vietnamese error pages.
Every test runs against the demo data with its five directives issued. The full scope matrix (every
route × role × organisation) is tests/test_scope_matrix.py.
"""
import re
import unicodedata
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import urlencode, urlsplit

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Agency,
    AgencyGroup,
    Assignment,
    AuditEvent,
    Directive,
    ProgressReport,
    Section,
    Task,
)
from app.models import User as UserRow
from tests.helpers import Client

SOYTE_AGENCY = "Sở Y tế tỉnh Kon Tum"
PROVINCE = "Ủy ban nhân dân tỉnh Kon Tum"
LOGIN_ERROR = "Tên đăng nhập hoặc mật khẩu không đúng."
ENGLISH_MESSAGES = ("Not a valid", "This field is required", "Invalid Choice", "Internal Server Error",
                    "Bad Request", "Not Found", "Forbidden", "CSRF token missing")


# ---- helpers ---------------------------------------------------------------------------------

def text_of(response) -> str:
    return response.get_data(as_text=True)


def assert_redirects_to_login(response):
    assert response.status_code == 302, (response.status_code, text_of(response)[:300])
    assert urlsplit(response.headers["Location"]).path == "/dang-nhap"


def assert_vietnamese_page(response):
    html = text_of(response)
    assert '<html lang="vi">' in html
    for english in ENGLISH_MESSAGES:
        assert english not in html, f"English text on the page: {english!r}"


class _FormReader(HTMLParser):
    """The fields a browser would submit from one <form>: (name, value) pairs, templates skipped."""

    def __init__(self, form_id=None):
        super().__init__(convert_charrefs=True)
        self.form_id, self.in_form, self.template_depth = form_id, False, 0
        self.fields, self._textarea, self._select, self._first_option, self._option = [], None, None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "template":
            self.template_depth += 1
        if tag == "form" and (self.form_id is None or a.get("id") == self.form_id):
            self.in_form = True
        if not self.in_form or self.template_depth:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.fields.append((a["name"], a.get("value") or ""))
        elif tag == "textarea":
            self._textarea = [a.get("name"), ""]
        elif tag == "select":
            self._select, self._first_option = [a.get("name"), None], None
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._first_option = value if self._first_option is None else self._first_option
            if "selected" in a:
                self._select[1] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "template":
            self.template_depth -= 1
        elif tag == "form":
            self.in_form = False
        elif tag == "textarea" and self._textarea is not None:
            name, value = self._textarea
            self.fields.append((name, re.sub(r"^\r?\n", "", value)))  # browsers drop the first newline
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, value = self._select
            self.fields.append((name, value if value is not None else (self._first_option or "")))
            self._select = None


def form_fields(html: str, form_id=None) -> dict:
    reader = _FormReader(form_id)
    reader.feed(html)
    return dict(reader.fields)


def feedback_after(html: str, name: str) -> str:
    """The text between the control named `name` and the next control: where its error is shown."""
    match = re.search(rf'<(input|textarea|select)\b[^>]*\bname="{re.escape(name)}"', html)
    assert match, f"no field {name!r} on the page"
    tag = match.group(1)
    end = html.index("</textarea>", match.end()) if tag == "textarea" else (
        html.index("</select>", match.end()) if tag == "select" else html.index(">", match.end()))
    following = re.search(r"<(input|textarea|select)\b", html[end:])
    return html[end:end + following.start()] if following else html[end:]


def directive_form(world, **fields) -> dict:
    """A complete, valid directive form (one section, one assignee, one task); override any field."""
    data = {
        "version": "",
        "doc_type": "cong_van",
        "issuer_agency_id": str(world.province_id),
        "symbol": "UBND-KGVX",
        "place": "",
        "subject": "tăng cường kiểm tra an toàn thực phẩm",
        "urgency": "",
        "recipients-0-text": SOYTE_AGENCY,
        "preamble": "",
        "sections-0-id": "",
        "sections-0-number": "1",
        "sections-0-heading": "",
        "sections-0-assignees-0-target": f"a:{world.soyte_agency_id}",
        "sections-0-assignees-0-role": "lead",
        "sections-0-assignees-0-deadline": "",
        "sections-0-tasks-0-id": "",
        "sections-0-tasks-0-text": "Kiểm tra các bếp ăn tập thể trên địa bàn.",
        "sections-0-tasks-0-deadline": "",
        "closing": "",
        "cc-0-text": "Như trên",
        "signer_authority": "",
        "signer_authority_title": "",
        "signer_title": "PHÓ CHỦ TỊCH",
        "signer_name": "",
    }
    data.update(fields)
    return data


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def assignment_snapshot(app, assignment_id):
    with app.app_context():
        a = db.session.get(Assignment, assignment_id)
        reports = db.session.scalar(select(func.count(ProgressReport.id))
                                    .where(ProgressReport.assignment_id == assignment_id))
        return (a.status, a.version, a.progress_percent, a.completed_date, reports)


def directive_rows_snapshot(app, directive_id):
    """Every section and task of a directive, with the fields an edit could change."""
    with app.app_context():
        sections = db.session.scalars(select(Section).where(Section.directive_id == directive_id)
                                      .order_by(Section.id)).all()
        return [
            (s.id, s.directive_id, s.position, s.number, s.heading, s.removed,
             [(t.id, t.section_id, t.position, t.text, t.deadline, t.removed,
               sorted((a.id, a.agency_id, a.active) for a in t.assignments))
              for t in sorted(s.tasks, key=lambda t: t.id)])
            for s in sections
        ]


def assignment_links(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'href="/nhiem-vu/(\d+)"', html)}


def saved_directive_id(response) -> int:
    assert response.status_code == 302, text_of(response)[:2000]
    match = re.fullmatch(r"/van-ban/(\d+)", urlsplit(response.headers["Location"]).path)
    assert match, response.headers["Location"]
    return int(match.group(1))


@pytest.fixture
def world(live):
    """Ids from the demo data that the tests need."""
    from app.directive_format import directive_to_data
    from app.directives.service import resolve_assignees, save_directive

    with live.app_context():
        soyte_agency = db.session.scalar(select(Agency).where(Agency.name == SOYTE_AGENCY))
        province = db.session.scalar(select(Agency).where(Agency.name == PROVINCE))
        directives = db.session.scalars(select(Directive).order_by(Directive.id)).all()

        def agencies_of(directive):
            return {a.agency_id for s in directive.sections for t in s.tasks for a in t.assignments}

        own_directive = next(d for d in directives if soyte_agency.id in agencies_of(d))
        other_directive = next(d for d in directives if soyte_agency.id not in agencies_of(d))
        own_assignments = [a for s in own_directive.sections for t in s.tasks for a in t.assignments
                           if a.agency_id == soyte_agency.id]
        # Another agency's assignment in the very directive Sở Y tế can open, and one elsewhere.
        neighbour = next(a for s in own_directive.sections for t in s.tasks for a in t.assignments
                         if a.agency_id != soyte_agency.id)
        foreign = next(a for s in other_directive.sections for t in s.tasks for a in t.assignments)
        live_own_ids = {a.id for a in db.session.scalars(
            select(Assignment).where(Assignment.agency_id == soyte_agency.id))}
        data = directive_to_data(own_directive)  # a draft of the province, to edit
        data.update(number=None, date=None)
        resolve_assignees(data, province)
        draft, _ = save_directive(None, data, None, province, state="draft")
        db.session.commit()
        return SimpleNamespace(
            soyte_agency_id=soyte_agency.id,
            province_id=province.id,
            own_directive=own_directive.id,
            draft_directive=draft.id,
            other_directive=other_directive.id,
            own_assignment=own_assignments[0].id,
            own_assignment_ids=live_own_ids,
            neighbour_assignment=neighbour.id,
            foreign_assignment=foreign.id,
            other_agencies_in_own_directive={
                (a.agency.name, a.agency.short_name) for s in own_directive.sections for t in s.tasks
                for a in t.assignments if a.agency_id != soyte_agency.id},
            group=db.session.scalar(select(AgencyGroup.id).order_by(AgencyGroup.id)),
            user=db.session.scalar(select(UserRow.id).where(UserRow.username == "vanthu")),
        )


def url(template: str, world) -> str:
    return template.format(**vars(world))


# ---- 1. login everywhere ---------------------------------------------------------------------

PROTECTED_PAGES = [
    "/", "/van-ban", "/van-ban?state=approved&page=2", "/van-ban/{own_directive}", "/van-ban/moi",
    "/van-ban/{draft_directive}/sua", "/nhiem-vu", "/nhiem-vu/{own_assignment}",
    "/quan-tri/co-quan", "/quan-tri/co-quan/moi", "/quan-tri/co-quan/{province_id}",
    "/quan-tri/nhom", "/quan-tri/nhom/moi", "/quan-tri/nhom/{group}",
    "/quan-tri/nguoi-dung", "/quan-tri/nguoi-dung/moi", "/quan-tri/nguoi-dung/{user}", "/quan-tri/nhat-ky",
]
PROTECTED_POSTS = [
    "/dang-xuat", "/van-ban/moi", "/van-ban/{draft_directive}/sua", "/van-ban/{draft_directive}/duyet",
    "/van-ban/{draft_directive}/tra-lai", "/nhiem-vu/{own_assignment}",
    "/quan-tri/co-quan/moi", "/quan-tri/co-quan/{province_id}", "/quan-tri/nhom/moi", "/quan-tri/nhom/{group}",
    "/quan-tri/nguoi-dung/moi", "/quan-tri/nguoi-dung/{user}",
]


@pytest.mark.parametrize("page", PROTECTED_PAGES)
def test_anonymous_get_redirects_to_login(demo, world, page):
    response = Client(demo).get(url(page, world))
    assert_redirects_to_login(response)


@pytest.mark.parametrize("target", PROTECTED_POSTS)
def test_anonymous_post_redirects_to_login_and_changes_nothing(demo, world, target):
    anonymous = Client(demo)
    events, directives = count(demo, AuditEvent), count(demo, Directive)
    response = anonymous.post_form(url(target, world), {
        "action": "start", "subject": "x", "username": "hacker", "full_name": "Hacker", "roles": "admin",
        "password": "hacker1234", "name": "Cơ quan lạ", "short_name": "Lạ", "kind": "so",
    }, page="/dang-nhap")
    assert_redirects_to_login(response)
    assert (count(demo, AuditEvent), count(demo, Directive)) == (events, directives)
    with demo.app_context():
        assert db.session.get(Directive, world.draft_directive).state == "draft"
        assert db.session.scalar(select(UserRow).where(UserRow.username == "hacker")) is None


def test_login_page_and_static_files_are_public(demo):
    anonymous = Client(demo)
    login_page = anonymous.get("/dang-nhap")
    assert login_page.status_code == 200
    html = text_of(login_page)
    assert 'name="username"' in html and 'name="password"' in html
    assets = re.findall(r'(?:href|src)="(/(?:static|bootstrap)/[^"]+)"', html)
    assert "/static/css/app.css" in [asset.split("?")[0] for asset in assets]
    for asset in assets:
        assert anonymous.get(asset.split("?")[0]).status_code == 200, asset


@pytest.mark.parametrize("username, password", [("soyte", "sai-mat-khau-9"), ("khongcoai", "demo1234")])
def test_wrong_login_shows_vietnamese_error_and_keeps_username(demo, username, password):
    anonymous = Client(demo)
    response = anonymous.post_form("/dang-nhap", {"username": username, "password": password})
    html = text_of(response)
    assert response.status_code == 200
    assert LOGIN_ERROR in html
    assert form_fields(html)["username"] == username
    assert "sai-mat-khau-9" not in html  # the password is never echoed
    assert_redirects_to_login(anonymous.get("/van-ban"))


def test_inactive_user_cannot_log_in(demo):
    with demo.app_context():
        db.session.scalar(select(UserRow).where(UserRow.username == "vanphong")).active = False
        db.session.commit()
    anonymous = Client(demo)
    response = anonymous.post_form("/dang-nhap", {"username": "vanphong", "password": "demo1234"})
    assert response.status_code == 200
    assert "Tài khoản đã bị khóa" in text_of(response)
    assert_redirects_to_login(anonymous.get("/van-ban"))


def test_deactivated_user_loses_an_open_session(login, demo):
    """An admin locking an account must cut off the session that is already open."""
    office = login("vanphong")
    assert office.get("/van-ban").status_code == 200
    with demo.app_context():
        db.session.scalar(select(UserRow).where(UserRow.username == "vanphong")).active = False
        db.session.commit()
    assert_redirects_to_login(office.get("/van-ban"))


@pytest.mark.parametrize("next_url", [
    "https://evil.example", "//evil.example", "/\\evil.example", "\\\\evil.example", "https:evil.example",
    "javascript:alert(1)", "/%2F%2Fevil.example",
])
def test_login_never_redirects_off_site(demo, next_url):
    anonymous = Client(demo)
    page = "/dang-nhap?" + urlencode({"next": next_url})
    response = anonymous.post_form(page, {"username": "vanphong", "password": "demo1234"})
    assert response.status_code == 302
    location = response.headers["Location"]
    parts = urlsplit(location)
    assert parts.scheme in ("", "http") and parts.netloc in ("", "localhost"), location
    assert not re.match(r"^[/\\]{2}", parts.path), location  # "//x" and "/\\x" both leave the site


def test_login_follows_a_safe_next(demo, world):
    anonymous = Client(demo)
    target = f"/van-ban/{world.own_directive}"
    response = anonymous.post_form("/dang-nhap?" + urlencode({"next": target}),
                                   {"username": "vanphong", "password": "demo1234"})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == target


# ---- 2. department isolation -----------------------------------------------------------------

@pytest.mark.parametrize("which", ["neighbour_assignment", "foreign_assignment"])
def test_department_cannot_open_another_agencys_assignment(login, world, which):
    soyte = login("soyte")
    response = soyte.get(f"/nhiem-vu/{getattr(world, which)}")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in text_of(response)


@pytest.mark.parametrize("which", ["neighbour_assignment", "foreign_assignment"])
def test_department_cannot_update_another_agencys_assignment(login, demo, world, which):
    soyte = login("soyte")
    assignment_id = getattr(world, which)
    before = assignment_snapshot(demo, assignment_id)
    with demo.app_context():
        version = db.session.get(Assignment, assignment_id).version
    response = soyte.post_form(f"/nhiem-vu/{assignment_id}",
                               {"version": str(version), "action": "submit", "percent": "100",
                                "note": "Đã hoàn thành (giả mạo)"}, page="/nhiem-vu")
    assert response.status_code == 404
    assert assignment_snapshot(demo, assignment_id) == before


def test_department_cannot_open_a_directive_without_its_assignment(login, world):
    soyte = login("soyte")
    response = soyte.get(f"/van-ban/{world.other_directive}")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in text_of(response)


@pytest.mark.parametrize("page", [
    "/van-ban/{own_directive}/sua", "/van-ban/{draft_directive}/sua",
    "/quan-tri/co-quan", "/quan-tri/nhom", "/quan-tri/nguoi-dung", "/quan-tri/nguoi-dung/moi", "/quan-tri/nhat-ky",
])
def test_department_is_forbidden_the_provinces_and_admin_pages(login, world, page):
    response = login("soyte").get(url(page, world))
    assert response.status_code in (403, 404)
    assert ("Không có quyền truy cập" if response.status_code == 403 else "Không tìm thấy trang") in text_of(response)


@pytest.mark.parametrize("target", ["/van-ban/{own_directive}/sua", "/van-ban/{draft_directive}/sua",
                                    "/van-ban/{draft_directive}/duyet", "/quan-tri/nguoi-dung/moi"])
def test_department_posts_to_the_provinces_pages_are_refused(login, demo, world, target):
    soyte = login("soyte")
    events = count(demo, AuditEvent)
    response = soyte.post_form(url(target, world), directive_form(world, username="x1", full_name="X",
                                                                     roles="admin", password="12345678"),
                               page="/nhiem-vu")
    assert response.status_code in (403, 404)
    assert count(demo, AuditEvent) == events
    with demo.app_context():
        assert db.session.get(Directive, world.own_directive).state == "issued"
        assert db.session.get(Directive, world.draft_directive).state == "draft"


def test_department_sees_only_its_own_rows_on_a_directive(login, world):
    html = text_of(login("soyte").get(f"/van-ban/{world.own_directive}"))
    tables = re.findall(r'<table[^>]*data-testid="assignments".*?</table>', html, flags=re.S)
    assert tables, "no assignment table on the page"
    agencies = re.findall(r'data-agency="([^"]*)"', "".join(tables))
    assert agencies and set(agencies) == {SOYTE_AGENCY}
    first_cells = re.findall(r"<tr data-agency[^>]*>\s*<td>(.*?)</td>", "".join(tables), flags=re.S)
    for name, short_name in world.other_agencies_in_own_directive:
        assert name not in "".join(tables)
        assert not any(cell.split("<")[0].strip() == short_name for cell in first_cells), short_name
    assert assignment_links(html) <= world.own_assignment_ids


def test_inbox_lists_only_own_agency_tasks(login, world):
    soyte = login("soyte")
    for query in ("", "?q=covid", "?status=chua_thuc_hien", "?page=2"):
        html = text_of(soyte.get("/nhiem-vu" + query))
        assert assignment_links(html) <= world.own_assignment_ids, query
    assert assignment_links(text_of(soyte.get("/nhiem-vu"))) == world.own_assignment_ids


@pytest.mark.parametrize("page", ["/van-ban/moi", "/van-ban/{draft_directive}/sua"])
def test_leader_cannot_create_or_edit(login, demo, world, page):
    leader = login("lanhdao")
    assert leader.get(url(page, world)).status_code == 403
    directives = count(demo, Directive)
    response = leader.post_form(url(page, world), directive_form(world, subject="Lãnh đạo tự sửa"), page="/van-ban")
    assert response.status_code == 403
    assert count(demo, Directive) == directives
    with demo.app_context():
        assert db.session.get(Directive, world.draft_directive).subject != "Lãnh đạo tự sửa"


def test_office_cannot_approve(login, demo, world):
    office = login("vanphong")
    response = office.post_form(f"/van-ban/{world.draft_directive}/duyet", {},
                                page=f"/van-ban/{world.draft_directive}")
    assert response.status_code == 403
    assert "Không có quyền truy cập" in text_of(response)
    with demo.app_context():
        assert db.session.get(Directive, world.draft_directive).state == "draft"


def test_clerk_cannot_edit(login, demo, world):
    clerk = login("vanthu")
    page = f"/van-ban/{world.draft_directive}/sua"
    assert clerk.get(page).status_code == 403
    before = directive_rows_snapshot(demo, world.draft_directive)
    response = clerk.post_form(page, directive_form(world, subject="Văn thư sửa"), page="/van-ban")
    assert response.status_code == 403
    assert directive_rows_snapshot(demo, world.draft_directive) == before


def test_leader_cannot_report_progress(login, demo, world):
    before = assignment_snapshot(demo, world.own_assignment)
    response = login("lanhdao").post_form(f"/nhiem-vu/{world.own_assignment}",
                                          {"version": str(before[1]), "action": "start"})
    assert response.status_code == 403
    assert assignment_snapshot(demo, world.own_assignment) == before


# ---- 3. CSRF ---------------------------------------------------------------------------------

def assert_csrf_refused(response):
    assert response.status_code == 400
    html = text_of(response)
    assert "CSRF" in html and "Yêu cầu không hợp lệ" in html
    assert_vietnamese_page(response)


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_login_without_csrf_token_is_refused(demo, token):
    anonymous = Client(demo)
    data = {"username": "vanphong", "password": "demo1234", **({"csrf_token": token} if token else {})}
    assert_csrf_refused(anonymous.client.post("/dang-nhap", data=data))
    assert_redirects_to_login(anonymous.get("/van-ban"))


def test_directive_post_without_csrf_token_saves_nothing(login, demo, world):
    office = login("vanphong")
    directives = count(demo, Directive)
    assert_csrf_refused(office.client.post("/van-ban/moi", data=directive_form(world)))
    assert count(demo, Directive) == directives


def test_assignment_post_without_csrf_token_saves_nothing(login, demo, world):
    soyte = login("soyte")
    before = assignment_snapshot(demo, world.own_assignment)
    response = soyte.client.post(f"/nhiem-vu/{world.own_assignment}",
                                 data={"version": str(before[1]), "action": "start", "note": "x"})
    assert_csrf_refused(response)
    assert assignment_snapshot(demo, world.own_assignment) == before


def test_user_creation_without_csrf_token_saves_nothing(login, demo):
    admin = login("admin")
    response = admin.client.post("/quan-tri/nguoi-dung/moi", data={
        "username": "kebatluong", "full_name": "Kẻ Bất Lương", "roles": "admin", "agency_id": "",
        "password": "matkhau123", "active": "y"})
    assert_csrf_refused(response)
    with demo.app_context():
        assert db.session.scalar(select(UserRow).where(UserRow.username == "kebatluong")) is None


# ---- 4. malformed and forged requests ----------------------------------------------------------

@pytest.mark.parametrize("username", ["admin", "soyte"])
@pytest.mark.parametrize("path", [
    "/van-ban/99999999999999999999", "/van-ban/999999999", "/van-ban/0", "/van-ban/-1", "/van-ban/abc",
    "/van-ban/1.5", "/van-ban/99999999999999999999/sua", "/nhiem-vu/0", "/nhiem-vu/-1", "/nhiem-vu/abc",
    "/nhiem-vu/99999999999999999999", "/nhiem-vu/999999999", "/khong-co-trang-nay",
])
def test_bad_ids_are_404(login, username, path):
    response = login(username).get(path)
    assert response.status_code == 404
    assert "Không tìm thấy trang" in text_of(response)


@pytest.mark.parametrize("path", [
    "/quan-tri/co-quan/99999999999999999999", "/quan-tri/co-quan/0", "/quan-tri/nhom/-1",
    "/quan-tri/nhom/999999999", "/quan-tri/nguoi-dung/abc", "/quan-tri/nguoi-dung/999999999",
])
def test_bad_admin_ids_are_404(login, path):
    response = login("admin").get(path)
    assert response.status_code == 404
    assert "Không tìm thấy trang" in text_of(response)


def test_bad_id_posts_are_404(login, world):
    office = login("vanphong")
    for path in ("/van-ban/99999999999999999999/duyet", "/van-ban/999999999/sua", "/nhiem-vu/-1"):
        response = office.post_form(path, {"action": "start"}, page="/van-ban")
        assert response.status_code == 404, path


LIST_QUERIES = [
    "page=abc", "page=-3", "page=0", "page=999999", "page=99999999999999999999", "year=abcd", "year=99999",
    "year=-1", "issuer=xyz", "issuer=99999999999999999999", "state=%3Cscript%3Ealert(1)%3C/script%3E",
    "q=" + "a" * 5000, "q=%25", "q=_", "q=%27%22%3B--", "q=%5C", "q=%00", "status=hack",
    "state=approved&state=draft", "page=2&page=abc",
]


@pytest.mark.parametrize("query", LIST_QUERIES)
def test_directive_list_accepts_any_query_string(login, query):
    response = login("vanphong").get("/van-ban?" + query)
    assert response.status_code == 200
    html = text_of(response)
    assert "Văn bản chỉ đạo" in html and 'data-testid="directive-table"' in html
    assert "<script>alert(1)" not in html


@pytest.mark.parametrize("query", ["q=%25", "q=_", "q=%25_%25"])
def test_like_wildcards_in_search_are_literal(login, query):
    html = text_of(login("vanphong").get("/van-ban?" + query))
    assert re.search(r">\s*0 văn bản\s*<", html), "a wildcard in the search box matched every directive"


def test_directive_list_keeps_quotes_escaped(login):
    html = text_of(login("vanphong").get("/van-ban?q=%22%3E%3Cb%3Ex%3C%2Fb%3E"))
    assert "<b>x</b>" not in html
    assert form_fields(html)["q"] == '"><b>x</b>'


@pytest.mark.parametrize("query", LIST_QUERIES)
def test_inbox_accepts_any_query_string(login, world, query):
    response = login("soyte").get("/nhiem-vu?" + query)
    assert response.status_code == 200
    html = text_of(response)
    assert 'data-testid="inbox-table"' in html and "<script>alert(1)" not in html
    assert assignment_links(html) <= world.own_assignment_ids


@pytest.mark.parametrize("query", LIST_QUERIES)
def test_audit_log_accepts_any_query_string(login, query):
    response = login("admin").get("/quan-tri/nhat-ky?" + query)
    assert response.status_code == 200
    assert "<script>alert(1)" not in text_of(response)


# The department's own assignment starts as "Chưa thực hiện": its valid actions are start and submit.
BAD_ASSIGNMENT_POSTS = [
    ({}, 400, "Chọn một thao tác."),
    ({"action": "start", "percent": "abc"}, 400, "Phải là một số nguyên."),
    ({"action": "start", "percent": "1000"}, 400, "Tiến độ từ 0 đến 100."),
    ({"action": "start", "percent": "-5"}, 400, "Tiến độ từ 0 đến 100."),
    ({"action": "start", "percent": "99999999999999999999999"}, 400, "Tiến độ từ 0 đến 100."),
    ({"action": "hack"}, 400, "Lựa chọn không hợp lệ."),
    ({"action": "confirm"}, 400, "Lựa chọn không hợp lệ."),  # an office action, forged by a department
    ({"action": "submit", "percent": "50", "note": ""}, 400, "cần ghi nội dung"),  # submit needs a note
    ({"action": "start", "note": "x" * 6000}, 400, "Tối đa 5000 ký tự."),
    ({"action": "start", "version": "x"}, 409, "vừa được người khác cập nhật"),
    ({"action": "start", "version": "99999999999999999999"}, 409, "vừa được người khác cập nhật"),
]


@pytest.mark.parametrize("fields, status, message", BAD_ASSIGNMENT_POSTS)
def test_bad_assignment_posts_are_refused_in_vietnamese(login, demo, world, fields, status, message):
    soyte = login("soyte")
    before = assignment_snapshot(demo, world.own_assignment)
    note = fields.get("note", "Ghi chú <đã gõ> & “giữ lại”")
    data = {"version": str(before[1]), "note": note, **fields}
    response = soyte.post_form(f"/nhiem-vu/{world.own_assignment}", data)
    html = text_of(response)
    assert response.status_code == status, html[:500]
    assert message in html
    assert_vietnamese_page(response)
    assert str(escape(note)) in html, "the typed note was lost"
    assert assignment_snapshot(demo, world.own_assignment) == before


def test_huge_subject_is_an_error_beside_the_field(login, demo, world):
    office = login("vanphong")
    directives = count(demo, Directive)
    subject = "tăng cường " + "x" * 30000
    response = office.post_form("/van-ban/moi", directive_form(world, subject=subject))
    html = text_of(response)
    assert response.status_code == 400
    assert "Tối đa 1000 ký tự." in feedback_after(html, "subject")
    assert form_fields(html, "directive-form")["subject"] == subject
    assert count(demo, Directive) == directives


def test_body_over_the_limit_is_413_in_vietnamese(login, demo, world):
    office = login("vanphong")
    directives = count(demo, Directive)
    response = office.post_form("/van-ban/moi", directive_form(world, preamble="x" * (3 * 1024 * 1024)))
    assert response.status_code == 413
    assert "Dữ liệu gửi lên quá lớn" in text_of(response)
    assert_vietnamese_page(response)
    assert count(demo, Directive) == directives


def test_body_over_the_limit_on_login_is_413(demo):
    response = Client(demo).post_form("/dang-nhap", {"username": "x" * (3 * 1024 * 1024), "password": "p"})
    assert response.status_code == 413
    assert "Dữ liệu gửi lên quá lớn" in text_of(response)


def test_directive_form_with_no_fields_is_400(login, demo):
    office = login("vanphong")
    directives = count(demo, Directive)
    response = office.post_form("/van-ban/moi", {})
    html = text_of(response)
    assert response.status_code == 400
    assert "Chọn cơ quan ban hành." in feedback_after(html, "issuer_agency_id")
    assert "Vui lòng nhập trích yếu." in feedback_after(html, "subject")
    assert_vietnamese_page(response)
    assert count(demo, Directive) == directives


def test_edit_form_with_no_fields_is_not_an_error_500(login, demo, world):
    office = login("vanphong")
    before = directive_rows_snapshot(demo, world.draft_directive)
    response = office.post_form(f"/van-ban/{world.draft_directive}/sua", {})
    assert response.status_code in (400, 409)
    assert_vietnamese_page(response)
    assert directive_rows_snapshot(demo, world.draft_directive) == before


@pytest.mark.parametrize("field, value, message", [
    ("issuer_agency_id", "abc", "Cơ quan ban hành không có trong danh mục."),
    ("issuer_agency_id", "99999999999999999999", "Cơ quan ban hành không có trong danh mục."),
    ("doc_type", "hack", "Lựa chọn không hợp lệ."),
    ("urgency", "rat_khan", "Lựa chọn không hợp lệ."),
    ("signer_authority", "VUA.", "Lựa chọn không hợp lệ."),
    ("sections-0-assignees-0-role", "boss", "Lựa chọn không hợp lệ."),
    ("sections-0-number", "1" * 50, "Tối đa 20 ký tự."),
    ("recipients-0-text", "x" * 600, "Tối đa 500 ký tự."),
])
def test_wrong_values_in_directive_form_are_errors_beside_the_field(login, demo, world, field, value, message):
    office = login("vanphong")
    directives = count(demo, Directive)
    response = office.post_form("/van-ban/moi", directive_form(world, **{field: value}))
    html = text_of(response)
    assert response.status_code == 400
    assert message in feedback_after(html, field)
    assert_vietnamese_page(response)
    assert count(demo, Directive) == directives


@pytest.mark.parametrize("target", ["a:999999", "g:999999", "g:abc", "x:1", "a:", ":", "a:-1", "a:1:2",
                                    "a:99999999999999999999", "a:１"])
def test_unknown_assignee_target_is_refused(login, demo, world, target):
    office = login("vanphong")
    directives = count(demo, Directive)
    response = office.post_form("/van-ban/moi", directive_form(world, **{"sections-0-assignees-0-target": target}))
    html = text_of(response)
    assert response.status_code == 400
    assert "Đơn vị không có trong danh mục." in feedback_after(html, "sections-0-assignees-0-target")
    assert count(demo, Directive) == directives


@pytest.mark.parametrize("field", ["sections-0-tasks-0-deadline", "sections-0-assignees-0-deadline"])
@pytest.mark.parametrize("value, message", [
    ("31/02/2025", "Không có ngày"),
    ("2025-12-01", "dd/mm/yyyy"),
    ("abc", "dd/mm/yyyy"),
    ("01/01/99999", "dd/mm/yyyy"),
    ("00/00/0000", "Không có ngày"),
])
def test_bad_dates_are_errors_beside_the_field_and_kept(login, demo, world, field, value, message):
    office = login("vanphong")
    directives = count(demo, Directive)
    response = office.post_form("/van-ban/moi", directive_form(world, **{field: value}))
    html = text_of(response)
    assert response.status_code == 400
    assert message in feedback_after(html, field)
    assert form_fields(html, "directive-form")[field] == value
    assert count(demo, Directive) == directives


ADMIN_BAD_POSTS = [
    ("/quan-tri/nguoi-dung/moi", {"username": "moi1", "full_name": "Người mới", "roles": "god", "agency_id": "",
                                  "admin_scope_id": "", "password": "matkhau123"}, "roles", "Vai trò không hợp lệ."),
    ("/quan-tri/nguoi-dung/moi", {"username": "moi1", "full_name": "Người mới", "roles": "staff",
                                  "agency_id": "abc", "admin_scope_id": "", "password": "matkhau123"},
     "agency_id", "Cơ quan không hợp lệ."),
    ("/quan-tri/nguoi-dung/moi", {"username": "<b>x</b>", "full_name": "Người mới", "roles": "staff",
                                  "agency_id": "", "admin_scope_id": "", "password": "matkhau123"},
     "username", "Chỉ dùng chữ không dấu"),
    ("/quan-tri/co-quan/moi", {"name": "Cơ quan thử", "short_name": "Thử", "kind": "vua", "parent_id": ""},
     "kind", "Lựa chọn không hợp lệ."),
    ("/quan-tri/co-quan/moi", {"name": "Cơ quan thử", "short_name": "Thử", "kind": "so",
                               "parent_id": "99999999999999999999"}, "parent_id", "Cơ quan cấp trên không hợp lệ."),
    ("/quan-tri/co-quan/{province_id}", {"name": PROVINCE, "short_name": "UBND tỉnh", "kind": "ubnd_tinh",
                                         "parent_id": "{province_id}"}, "parent_id", "Không thể chọn chính cơ quan"),
    ("/quan-tri/nhom/moi", {"name": "Nhóm thử", "owner_id": "abc", "members": "1"}, "owner_id", "Cơ quan không hợp lệ."),
    ("/quan-tri/nhom/moi", {"name": "Nhóm thử", "owner_id": "{province_id}", "members": "abc"}, "members",
     "Lựa chọn không hợp lệ."),
]


@pytest.mark.parametrize("target, fields, field, message", ADMIN_BAD_POSTS)
def test_bad_admin_posts_are_errors_beside_the_field(login, demo, world, target, fields, field, message):
    admin = login("admin")
    counts = (count(demo, UserRow), count(demo, Agency), count(demo, AgencyGroup))
    with demo.app_context():
        province_parent = db.session.get(Agency, world.province_id).parent_id
    data = {key: url(value, world) for key, value in fields.items()}
    response = admin.post_form(url(target, world), data)
    html = text_of(response)
    assert response.status_code == 400
    assert message in (html if field in ("members", "roles") else feedback_after(html, field))
    assert_vietnamese_page(response)
    assert (count(demo, UserRow), count(demo, Agency), count(demo, AgencyGroup)) == counts
    with demo.app_context():
        assert db.session.get(Agency, world.province_id).parent_id == province_parent


def test_forged_ids_on_a_new_directive_do_not_touch_another_directive(login, demo, world):
    with demo.app_context():
        other_task = db.session.scalars(select(Task).join(Section)
                                        .where(Section.directive_id == world.other_directive)).first()
        other_section_id, other_task_id = other_task.section_id, other_task.id
    before = directive_rows_snapshot(demo, world.other_directive)
    office = login("vanphong")
    response = office.post_form("/van-ban/moi", directive_form(world, **{
        "sections-0-id": str(other_section_id), "sections-0-tasks-0-id": str(other_task_id),
        "sections-0-tasks-0-text": "Nhiệm vụ mới, id giả mạo"}))
    new_id = saved_directive_id(response)
    assert directive_rows_snapshot(demo, world.other_directive) == before
    new_rows = directive_rows_snapshot(demo, new_id)
    assert [task[3] for task in new_rows[0][6]] == ["Nhiệm vụ mới, id giả mạo"]
    assert new_rows[0][0] != other_section_id and new_rows[0][6][0][0] != other_task_id


def test_forged_ids_in_the_edit_form_do_not_touch_another_directive(login, demo, world):
    with demo.app_context():
        other_task = db.session.scalars(select(Task).join(Section)
                                        .where(Section.directive_id == world.other_directive)).first()
        other_section_id, other_task_id = other_task.section_id, other_task.id
    before = directive_rows_snapshot(demo, world.other_directive)
    office = login("vanphong")
    page = f"/van-ban/{world.draft_directive}/sua"
    data = form_fields(text_of(office.get(page)), "directive-form")
    assert data["sections-0-tasks-0-text"], "the edit form did not show the first task"
    data.pop("csrf_token")
    data.update({"sections-0-id": str(other_section_id), "sections-0-tasks-0-id": str(other_task_id),
                 "sections-0-tasks-0-text": "Nội dung sửa với id giả mạo"})
    response = office.post_form(page, data)
    saved_directive_id(response)
    assert directive_rows_snapshot(demo, world.other_directive) == before
    with demo.app_context():
        texts = db.session.scalars(select(Task.text).join(Section)
                                   .where(Section.directive_id == world.draft_directive)).all()
    assert "Nội dung sửa với id giả mạo" in texts


# ---- 5. form errors keep what was typed; text is NFC and trimmed --------------------------------

def test_form_error_keeps_the_typed_text(login, demo, world):
    office = login("vanphong")
    preamble = "Căn cứ Công văn số 12/BYT-DP ngày 05/01/2025 của Bộ Y tế về “phòng, chống dịch” <khẩn> & 'gấp'"
    task = "Sở Y tế chủ trì, phối hợp với UBND các huyện rà soát đối tượng nguy cơ cao."
    directives = count(demo, Directive)
    response = office.post_form("/van-ban/moi", directive_form(
        world, subject="", preamble=preamble, **{"sections-0-tasks-0-text": task}))
    html = text_of(response)
    assert response.status_code == 400
    assert "Vui lòng nhập trích yếu." in feedback_after(html, "subject")
    assert str(escape(preamble)) in html and str(escape(task)) in html
    typed = form_fields(html, "directive-form")
    assert typed["preamble"] == preamble and typed["sections-0-tasks-0-text"] == task
    assert typed["issuer_agency_id"] == str(world.province_id)
    assert typed["sections-0-assignees-0-target"] == f"a:{world.soyte_agency_id}"
    assert count(demo, Directive) == directives


def test_text_is_saved_nfc_and_trimmed(login, demo, world):
    subject = "tăng cường phòng, chống dịch bệnh mùa mưa lũ"
    preamble = "Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh"
    task = "Sở Y tế hướng dẫn xử lý nước sinh hoạt."
    nfd = lambda text: "  \t" + unicodedata.normalize("NFD", text) + "   "  # noqa: E731
    assert nfd(subject).strip() != subject  # the posted text really is decomposed
    response = login("vanphong").post_form("/van-ban/moi", directive_form(
        world, subject=nfd(subject), preamble=nfd(preamble), **{"sections-0-tasks-0-text": nfd(task)}))
    directive_id = saved_directive_id(response)
    with demo.app_context():
        directive = db.session.get(Directive, directive_id)
        assert directive.subject == subject
        assert directive.preamble == preamble
        assert directive.live_sections[0].live_tasks[0].text == task
        assert unicodedata.is_normalized("NFC", directive.subject)


# ---- 6. autoescaping -------------------------------------------------------------------------

def test_script_in_subject_and_task_is_escaped(login, world):
    office = login("vanphong")
    attack = "<script>alert(1)</script>"
    response = office.post_form("/van-ban/moi", directive_form(
        world, subject=f"kiểm tra {attack}", **{"sections-0-tasks-0-text": f"Nhiệm vụ {attack}"}))
    directive_id = saved_directive_id(response)
    for page in (f"/van-ban/{directive_id}", "/van-ban", f"/van-ban/{directive_id}/sua"):
        html = text_of(office.get(page))
        assert attack not in html, page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, page


# ---- 7. session cookie -----------------------------------------------------------------------

def _cookie_headers(response, name):
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]


@pytest.mark.parametrize("cookie, remember", [("session", False), ("remember_token", True)])
def test_login_cookies_are_httponly_and_samesite_lax(demo, cookie, remember):
    anonymous = Client(demo)
    data = {"username": "vanphong", "password": "demo1234", **({"remember": "y"} if remember else {})}
    response = anonymous.post_form("/dang-nhap", data)
    assert response.status_code == 302
    headers = _cookie_headers(response, cookie)
    assert headers, f"no {cookie} cookie set at login"
    for header in headers:
        assert "HttpOnly" in header and "SameSite=Lax" in header, header


# ---- 8. error pages --------------------------------------------------------------------------

def test_404_page_is_vietnamese(login):
    response = login("vanphong").get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in text_of(response)
    assert_vietnamese_page(response)


def test_404_page_for_anonymous_is_vietnamese(demo):
    response = Client(demo).get("/static/khong-co.css")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in text_of(response)
    assert_vietnamese_page(response)


def test_403_page_is_vietnamese(login):
    response = login("vanthu").get("/van-ban/moi")
    assert response.status_code == 403
    assert "Không có quyền truy cập" in text_of(response)
    assert_vietnamese_page(response)


def test_405_page_is_vietnamese(login):
    response = login("vanphong").get("/dang-xuat")
    assert response.status_code == 405
    assert "Thao tác không được hỗ trợ" in text_of(response)
    assert_vietnamese_page(response)
