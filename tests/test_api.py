"""The REST API: personal access tokens (made once, hashed, revoked), Bearer auth with the web user's
permissions and scope, Vietnamese JSON errors, and each route over the demo on every backend."""
import hashlib
import io
import re

import pytest
from sqlalchemy import select

from app import scope
from app.api import tokens
from app.extensions import db
from app.models import ApiToken, Assignment, Directive
from tests.helpers import Client, csrf_from, directive_from, pdf_bytes, user_named


def make_token(app, username, name="kiểm thử") -> str:
    with app.app_context():
        _row, token = tokens.create(user_named(username), name)
        db.session.commit()
    return token


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api(live):
    """A test client and a token per user name, made on demand."""
    client = live.test_client()
    made = {}

    def call(method, url, username, **kwargs):
        if username not in made:
            made[username] = make_token(live, username)
        headers = {**bearer(made[username]), **kwargs.pop("headers", {})}
        return client.open(url, method=method, headers=headers, **kwargs)

    call.app = live
    call.client = client
    return call


# ---- tokens -----------------------------------------------------------------------------------

def test_token_page_shows_a_new_token_once_and_stores_only_its_hash(demo):
    client = Client(demo).login("vanphong")
    response = client.post_form("/tai-khoan/ma-truy-cap", {"name": "Báo cáo tự động"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    token = re.search(r'value="(tdcd_[^"]+)"', html).group(1)
    assert token.startswith("tdcd_") and len(token) > 40
    with demo.app_context():
        row = db.session.scalar(select(ApiToken))
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in (row.prefix + row.name)
    again = client.get("/tai-khoan/ma-truy-cap").get_data(as_text=True)
    assert token not in again and row.prefix in again and "Báo cáo tự động" in again
    assert "<script>" not in again and "onclick" not in again
    # the token works, then its revocation stops it at once
    assert demo.test_client().get("/api/v1/directives", headers=bearer(token)).status_code == 200
    html = client.get("/tai-khoan/ma-truy-cap").get_data(as_text=True)
    revoked = client.client.post(f"/tai-khoan/ma-truy-cap/{row.id}/thu-hoi", data={"csrf_token": csrf_from(html)})
    assert revoked.status_code == 302
    answer = demo.test_client().get("/api/v1/directives", headers=bearer(token))
    assert answer.status_code == 401 and "thu hồi" in answer.json["message"]
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_token_forms_need_csrf_and_a_name_and_a_user_revokes_only_their_own(demo):
    client = Client(demo).login("vanphong")
    assert client.client.post("/tai-khoan/ma-truy-cap", data={"name": "x"}).status_code == 400
    assert client.post_form("/tai-khoan/ma-truy-cap", {"name": "  "}).status_code == 400
    other = make_token(demo, "daklak.vp")
    with demo.app_context():
        other_id = db.session.scalar(select(ApiToken.id))
    html = client.get("/tai-khoan/ma-truy-cap").get_data(as_text=True)
    assert client.client.post(f"/tai-khoan/ma-truy-cap/{other_id}/thu-hoi",
                              data={"csrf_token": csrf_from(html)}).status_code == 404
    assert client.client.post(f"/tai-khoan/ma-truy-cap/{other_id}/thu-hoi").status_code == 400
    assert demo.test_client().get("/api/v1/directives", headers=bearer(other)).status_code == 200


def test_api_refuses_no_token_a_wrong_one_a_locked_user_and_the_browser_session(demo):
    anonymous = demo.test_client()
    for headers in ({}, {"Authorization": "Bearer tdcd_wrong"}, {"Authorization": "Basic dmFucGhvbmc6ZGVtbzEyMzQ="}):
        response = anonymous.get("/api/v1/directives", headers=headers)
        assert response.status_code == 401 and response.is_json
        assert response.json["code"] == 401 and "mã truy cập" in response.json["message"]
    # a logged-in browser is not enough: the API reads only the token (so it needs no CSRF)
    browser = Client(demo).login("vanphong")
    assert browser.get("/api/v1/directives").status_code == 401
    assert browser.client.post("/api/v1/directives", json={"subject": "x"}).status_code == 401
    token = make_token(demo, "vanphong")
    with demo.app_context():
        user_named("vanphong").active = False
        db.session.commit()
    assert anonymous.get("/api/v1/directives", headers=bearer(token)).status_code == 401


def test_last_used_is_recorded(api):
    api("GET", "/api/v1/directives", "vanphong")
    with api.app.app_context():
        assert db.session.scalar(select(ApiToken.last_used_at)) is not None


def test_unknown_api_path_and_method_answer_json_in_vietnamese(api):
    missing = api("GET", "/api/v1/khong-co", "vanphong")
    assert missing.status_code == 404 and missing.is_json and "Không tìm thấy" in missing.json["message"]
    wrong = api("DELETE", "/api/v1/directives", "vanphong")
    assert wrong.status_code == 405 and wrong.is_json
    # the web keeps its HTML error page
    assert "text/html" in Client(api.app).login("vanphong").get("/khong-co").content_type


# ---- scope: the same as the web ---------------------------------------------------------------

@pytest.mark.parametrize("username", ["vanphong", "daklak.vp", "soyte", "lanhdao", "langson.vp"])
def test_directive_list_is_exactly_the_web_scope(api, username):
    with api.app.app_context():
        expected = set(db.session.scalars(select(Directive.id).where(scope.directives(user_named(username)))))
    response = api("GET", "/api/v1/directives?per_page=100", username)
    assert response.status_code == 200
    assert {item["id"] for item in response.json["items"]} == expected
    assert response.json["total"] == len(expected)


def test_two_organisations_tokens_cannot_see_each_others_records(api):
    with api.app.app_context():
        kontum = directive_from("001-kon-tum").id
        daklak = directive_from("000-dak-lak").id
        daklak_assignment = db.session.scalar(
            scope.join_directive(select(Assignment.id)).where(Directive.id == daklak).limit(1))
        kontum_assignment = db.session.scalar(
            scope.join_directive(select(Assignment.id)).where(Directive.id == kontum).limit(1))
        kontum_org = directive_from("001-kon-tum").owner_agency_id
    for username, mine, theirs, mine_a, theirs_a in (
            ("vanphong", kontum, daklak, kontum_assignment, daklak_assignment),
            ("daklak.vp", daklak, kontum, daklak_assignment, kontum_assignment)):
        assert api("GET", f"/api/v1/directives/{mine}", username).status_code == 200
        for url in (f"/api/v1/directives/{theirs}", f"/api/v1/directives/{theirs}/letter.pdf",
                    f"/api/v1/directives/{theirs}/letter.docx", f"/api/v1/assignments/{theirs_a}"):
            response = api("GET", url, username)
            assert response.status_code == 404, url
            assert response.json["message"].startswith("Không tìm thấy")
        assert api("GET", f"/api/v1/assignments/{mine_a}", username).status_code == 200
        change = api("POST", f"/api/v1/assignments/{theirs_a}/status", username,
                     json={"action": "start", "version": 1})
        assert change.status_code == 404
        listed = api("GET", "/api/v1/received?per_page=100", username).json["items"]
        assert theirs not in {row["directive"]["id"] for row in listed}
    assert api("GET", f"/api/v1/dashboard?organisation={kontum_org}", "daklak.vp").status_code == 404
    assert api("GET", f"/api/v1/dashboard?organisation={kontum_org}", "vanphong").status_code == 200


def test_permissions_are_the_webs(api):
    # an admin-only account keeps the directory and sees no directive
    assert api("GET", "/api/v1/directives", "admin").status_code == 403
    assert api("GET", "/api/v1/dashboard", "admin").status_code == 403
    # a leader reads, but does not draft
    assert api("POST", "/api/v1/directives", "lanhdao", json={"subject": "Thử"}).status_code == 403
    # the office follows its directive, the assigned department reports on it: not the other way round
    with api.app.app_context():
        assignment = db.session.scalar(scope.join_directive(select(Assignment)).where(
            Directive.id == directive_from("001-kon-tum").id, Assignment.agency_id == user_named("soyte").agency_id))
        ident, version = assignment.id, assignment.version
    office = api("POST", f"/api/v1/assignments/{ident}/status", "vanphong", json={"action": "start", "version": version})
    assert office.status_code == 422  # the office may act on it (confirm, suspend), but not start it
    assert "Không thể" in office.json["message"]
    assert api("POST", f"/api/v1/assignments/{ident}/status", "soyte",
               json={"action": "start", "version": version}).status_code == 200


# ---- routes -----------------------------------------------------------------------------------

def test_directive_get_is_the_directive_format(api):
    with api.app.app_context():
        ident = directive_from("001-kon-tum").id
    body = api("GET", f"/api/v1/directives/{ident}", "vanphong").json
    assert body["id"] == ident and body["state"] == "issued" and body["number"]
    assert body["document"]["subject"] == body["subject"] and body["document"]["sections"]
    assert body["document"]["sections"][0]["tasks"][0]["text"]


def test_create_from_the_directive_format(api):
    with api.app.app_context():
        source = api("GET", f"/api/v1/directives/{directive_from('001-kon-tum').id}", "vanphong").json["document"]
    document = {key: value for key, value in source.items() if key not in ("number", "date")}
    document["subject"] = "thử tạo văn bản qua API"
    response = api("POST", "/api/v1/directives", "vanphong", json=document)
    assert response.status_code == 201, response.json
    created = response.json
    assert created["state"] == "draft" and created["number"] is None and created["subject"] == document["subject"]
    assert len(created["document"]["sections"]) == len(document["sections"])
    with api.app.app_context():
        directive = db.session.get(Directive, created["id"])
        assert directive.created_by.username == "vanphong" and directive.owner_agency.name == "Ủy ban nhân dân tỉnh Kon Tum"
    # an agency that is not in the directory, a malformed body, an unknown key
    bad = {**document, "sections": [{"assignees": [{"agency": "Sở Không Có"}], "tasks": [{"text": "x"}]}]}
    response = api("POST", "/api/v1/directives", "vanphong", json=bad)
    assert response.status_code == 422 and response.json["errors"]["agency"] == ["Sở Không Có"]
    response = api("POST", "/api/v1/directives", "vanphong", json={"subject": 5, "khac": 1})
    assert response.status_code == 422 and response.json["message"] == "Dữ liệu gửi lên không hợp lệ."
    assert api("POST", "/api/v1/directives", "vanphong", json={**document, "doc_type": "x"}).status_code == 422
    # a Văn phòng writes for two organisations: it names one of them
    response = api("POST", "/api/v1/directives", "vanphong", json={**document, "issuer_agency_id": 999999})
    assert response.status_code == 422 and "issuer_agency_id" in response.json["errors"]


def test_letters_render_and_issued_ones_are_the_frozen_files(api):
    with api.app.app_context():
        ident = directive_from("001-kon-tum").id
    pdf = api("GET", f"/api/v1/directives/{ident}/letter.pdf", "vanphong")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    docx = api("GET", f"/api/v1/directives/{ident}/letter.docx", "soyte")
    assert docx.status_code == 200 and docx.data.startswith(b"PK")


def test_own_assignments_status_and_progress_with_evidence(api):
    listed = api("GET", "/api/v1/assignments?per_page=100", "soyte").json
    assert listed["total"] > 0
    with api.app.app_context():
        agency_id = user_named("soyte").agency_id
    assert all(item["agency"]["id"] == agency_id for item in listed["items"])
    item = next(i for i in listed["items"] if i["status"] == "chua_thuc_hien")
    url = f"/api/v1/assignments/{item['id']}"
    started = api("POST", url + "/status", "soyte", json={"action": "start", "version": item["version"]})
    assert started.status_code == 200 and started.json["status"] == "dang_thuc_hien"
    assert "progress" in started.json["actions"]
    stale = api("POST", url + "/status", "soyte", json={"action": "progress", "note": "x", "version": item["version"]})
    assert stale.status_code == 409 and "version" in stale.json["message"]
    no_note = api("POST", url + "/status", "soyte", json={"action": "progress", "version": started.json["version"]})
    assert no_note.status_code == 422 and "nội dung" in no_note.json["message"]
    report = api("POST", url + "/reports", "soyte", data={
        "action": "progress", "percent": "40", "note": "Đã rà soát 40% cơ sở",
        "version": str(started.json["version"]),
        "files": [(io.BytesIO(pdf_bytes()), "bien-ban.pdf")]}, content_type="multipart/form-data")
    assert report.status_code == 201, report.json
    assert report.json["progress_percent"] == 40
    assert report.json["reports"][-1]["evidence"] == ["bien-ban.pdf"]
    fake = api("POST", url + "/reports", "soyte", data={
        "action": "progress", "note": "x", "version": str(report.json["version"]),
        "files": [(io.BytesIO(b"MZ not a pdf"), "virus.pdf")]}, content_type="multipart/form-data")
    assert fake.status_code == 422 and fake.json["errors"]["files"]
    # a form field named only "\r" (found by schemathesis): refused in the API's JSON, not a server error
    odd = api("POST", url + "/reports", "soyte", data={"\r": "null"}, content_type="multipart/form-data")
    assert odd.status_code == 422 and odd.json["code"] == 422 and odd.json["errors"]


def test_received_and_dashboard(api):
    received = api("GET", "/api/v1/received", "soyte").json
    assert received["total"] >= 1
    assert all(row["agency"]["short_name"] for row in received["items"])
    figures = api("GET", "/api/v1/dashboard", "vanphong").json
    assert figures["organisation"]["name"] == "Ủy ban nhân dân tỉnh Kon Tum"
    assert sum(figures["totals"].values()) > 0 and figures["agencies"]
    assert figures["directive_count"] >= 1


def test_description_and_documentation_page_are_served_locally(api):
    client = api.client
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/directives" in spec["paths"] and "bearer" in spec["components"]["securitySchemes"]
    page = client.get("/api/v1/tai-lieu").get_data(as_text=True)
    assert "<script>" not in page and "cdn" not in page.lower()
    for src in ("swagger-ui-bundle.js", "js/api-docs.js", "swagger-ui.css"):
        url = page.split(src)[0].rsplit('"', 1)[1] + src
        assert client.get(url).status_code == 200, url


def test_render_a_document_without_saving_it(api):
    with api.app.app_context():
        ident = directive_from("001-kon-tum").id
        count = db.session.scalar(select(db.func.count()).select_from(Directive))
    document = api("GET", f"/api/v1/directives/{ident}", "soyte").json["document"]
    document = {key: value for key, value in document.items() if key not in ("number", "date")}
    pdf = api("POST", "/api/v1/render/letter.pdf", "soyte", json=document)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    docx = api("POST", "/api/v1/render/letter.docx", "soyte", json=document)
    assert docx.status_code == 200 and docx.data.startswith(b"PK")
    with api.app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Directive)) == count
    bad = api("POST", "/api/v1/render/letter.pdf", "soyte", json={**document, "sections": "x"})
    assert bad.status_code == 422 and bad.is_json
    assert api("POST", "/api/v1/render/letter.pdf", "admin", json=document).status_code == 403
