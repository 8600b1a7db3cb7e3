"""Malformed requests and files that went missing (issue 11, defects 7 and 8): every route answers odd
input with 400/404 and a Vietnamese page, never 500; a missing or altered stored file is named to the
user and reported to the admins."""
import hashlib
import json
from io import BytesIO

import pytest
from sqlalchemy import select

from app import storage
from app.extensions import db
from app.models import Assignment, Directive, Evidence, Notification, RegisterEntry, User
from tests.helpers import Client, csrf_from, pdf_bytes

HEALTH = "Sở Y tế tỉnh Kon Tum"


@pytest.mark.parametrize("body", [
    "[1, 2]", '{"username": "vanphong", "password": "demo1234"}', '"\\ud800"', "[" * 5000 + "]" * 5000, "{",
])
@pytest.mark.parametrize("path", ["/dang-nhap", "/tai-khoan", "/van-ban/moi", "/theo-doi/chot-so-lieu"])
def test_a_json_body_is_no_form(demo, login, body, path):
    client = Client(demo) if path == "/dang-nhap" else login("vanphong")
    token = csrf_from(client.get("/dang-nhap" if path == "/dang-nhap" else "/tai-khoan").get_data(as_text=True))
    # a valid token in the header, as a script would send it: the body then reaches the form
    response = client.client.post(path, data=body, content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code in ((200, 400) if path == "/dang-nhap" else (400, 403, 302))  # JSON logs no one in
    if response.status_code == 400:
        assert "lang=\"vi\"" in response.get_data(as_text=True)


@pytest.mark.parametrize("query", [
    "page=²", "page=١٢", "issuer=²", "year=２０２６", "year=99999999999999999999", "issuer=99999999999999",
    "page=-1", "page=1e9", "issuer=%00",
])
def test_unicode_digits_and_huge_numbers_in_filters(live, login, query):
    office = login("vanphong")
    for path in ("/van-ban", "/theo-doi/nhiem-vu", "/nhiem-vu", "/quan-tri/nhat-ky", "/so-van-ban"):
        response = office.get(f"{path}?{query}&nguoi=²&nam=²&co-quan=²")
        assert response.status_code in (200, 302, 403, 404), (path, response.status_code)


def test_a_hidden_row_id_in_unicode_digits_is_a_new_row(demo, login):
    from app.forms import hidden_id

    assert hidden_id("²") is None and hidden_id("١٢") is None and hidden_id("12") == 12
    assert hidden_id("99999999999") is None  # past a database integer: no row, not an error


def test_a_draft_directives_tasks_cannot_be_confirmed_suspended_or_cancelled(demo, login):
    with demo.app_context():
        assignment = db.session.scalar(select(Assignment).join(Assignment.task).order_by(Assignment.id))
        assert assignment.directive.state != "issued"
        assignment_id, version = assignment.id, assignment.version
    for username in ("vanphong", "admin"):
        client = login(username)
        for action in ("confirm", "suspend", "cancel"):
            page = client.get("/van-ban").get_data(as_text=True)
            response = client.client.post(f"/nhiem-vu/{assignment_id}", data={
                "csrf_token": csrf_from(page), "action": action, "note": "x", "percent": "0", "version": version})
            assert response.status_code in (403, 404)
    with demo.app_context():
        assert db.session.get(Assignment, assignment_id).status == "chua_thuc_hien"


def _admin_notices(app) -> list[str]:
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.username == "admin"))
        return db.session.scalars(select(Notification.message).where(Notification.user_id == admin.id,
                                                                     Notification.kind == "file_missing")).all()


@pytest.mark.parametrize("damage", ["deleted", "altered"])
def test_a_missing_issued_file_is_named_and_the_admins_are_told(demo, login, tmp_path, damage):
    demo.config["GENERATED_DIR"] = str(tmp_path)
    with demo.app_context():
        seed_id = db.session.scalar(select(Directive.id).where(Directive.source_key.contains("001-")))
    assert login("vanthu").post_form(f"/van-ban/{seed_id}/phat-hanh", {}, page=f"/van-ban/{seed_id}").status_code == 302
    with demo.app_context():
        entry = db.session.scalar(select(RegisterEntry).where(RegisterEntry.directive_id == seed_id))
        with demo.test_request_context():
            stored = storage.issued_file(entry.pdf_path)
    if damage == "deleted":
        stored.unlink()
    else:
        stored.write_bytes(stored.read_bytes() + b"%")
    office = login("vanphong")
    response = office.get(f"/van-ban/{seed_id}/tai-ve.pdf", follow_redirects=True)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Tệp PDF đã phát hành" in text and "Đã báo quản trị hệ thống" in text
    office.get(f"/van-ban/{seed_id}/tai-ve.pdf")  # asked again: one notice until it is read
    notices = _admin_notices(demo)
    assert len(notices) == 1 and entry.pdf_path in notices[0]
    assert office.get(f"/van-ban/{seed_id}/tai-ve.docx").status_code == 200  # the other file is intact


def test_evidence_is_checked_against_its_hash_on_download(live, login, tmp_path):
    live.config["UPLOAD_DIR"] = str(tmp_path)
    with live.app_context():
        assignment_id = db.session.scalar(select(Assignment.id).join(Assignment.agency)
                                          .where(Assignment.agency.has(name=HEALTH)).order_by(Assignment.id))
    department = login("soyte")
    url = f"/nhiem-vu/{assignment_id}"
    page = department.get(url).get_data(as_text=True)
    import re

    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    response = department.client.post(url, content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "version": version, "action": "start", "percent": "10", "note": "Đã họp.",
        "files": [(BytesIO(pdf_bytes()), "bien-ban.pdf")]})
    assert response.status_code == 302
    with live.app_context():
        evidence = db.session.scalar(select(Evidence))
        assert evidence.sha256 == hashlib.sha256(pdf_bytes()).hexdigest()
        with live.test_request_context():
            stored, evidence_id = storage.evidence_file(evidence.stored_name), evidence.id
    assert department.get(f"{url}/minh-chung/{evidence_id}").data == pdf_bytes()
    stored.write_bytes(pdf_bytes(b"BT /F1 12 Tf 72 720 Td (Da sua) Tj ET\n"))
    altered = department.get(f"{url}/minh-chung/{evidence_id}", follow_redirects=True)
    assert altered.status_code == 200 and "không còn khớp mã SHA-256" in altered.get_data(as_text=True)
    assert len(_admin_notices(live)) == 1


def test_json_in_query_and_forms_never_reaches_the_database_as_objects(demo, login):
    office = login("vanphong")
    response = office.client.post("/van-ban/moi", data=json.dumps({"subject": ["a", "b"]}),
                                  content_type="application/json", headers={"X-CSRFToken": "x"})
    assert response.status_code == 400
