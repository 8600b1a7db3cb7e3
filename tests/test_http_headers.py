"""Security headers on every response (app/http_headers.py), and pages the policy lets work:
no inline script, no inline style, no event-handler attribute anywhere."""
import re

import lxml.html
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Assignment, Directive
from tests.helpers import ROOT, Client

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def assert_secure_headers(response, hsts: bool):
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (name, response.headers.get(name))
    csp = response.headers["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split("; ")}
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"] and directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    server = response.headers.get("Server", "")
    assert not re.search("werkzeug|python|gunicorn", server, re.I), server
    assert ("Strict-Transport-Security" in response.headers) is hsts


def ids(app):
    with app.app_context():
        directive = db.session.scalar(select(Directive.id).order_by(Directive.id))
        assignment = db.session.scalar(select(Assignment.id).order_by(Assignment.id))
    return directive, assignment


@pytest.mark.parametrize("secure", [False, True])
def test_headers_on_every_kind_of_response(live, secure):
    live.config["SESSION_COOKIE_SECURE"] = secure
    anonymous = live.test_client()
    directive, assignment = ids(live)
    responses = [
        anonymous.get("/dang-nhap"),                    # public page
        anonymous.get("/van-ban"),                      # redirect to login
        anonymous.get("/static/css/app.css"),           # static file
        anonymous.get("/khong-co-trang-nay"),           # 404 page
        anonymous.post("/dang-nhap", data={}),          # CSRF refusal (400)
    ]
    office = Client(live).login("vanphong")
    responses += [office.get(url) for url in
                  ("/van-ban", f"/van-ban/{directive}", f"/nhiem-vu/{assignment}", "/theo-doi", "/nhiem-vu.xlsx")]
    assert {r.status_code for r in responses} >= {200, 302, 400, 404}
    for response in responses:
        assert_secure_headers(response, hsts=secure)


INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def test_templates_carry_no_inline_script_or_style():
    """The policy forbids inline script and style: the templates must not need them."""
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(r"<script\b([^>]*)>", text):
            attrs = match.group(1)
            if "src=" not in attrs and 'type="application/json"' not in attrs:
                offenders.append(f"{path.name}: inline <script>")
        if re.search(r"<style\b|\sstyle\s*=", text):
            offenders.append(f"{path.name}: inline style")
        if INLINE_HANDLER.search(text):
            offenders.append(f"{path.name}: event handler attribute")
    assert not offenders, offenders


def test_served_pages_carry_no_inline_script_or_style(live):
    """Every page without arguments, and a directive, an assignment and its chain, as office and admin."""
    directive, assignment = ids(live)
    pages = sorted({rule.rule for rule in live.url_map.iter_rules()
                    if "GET" in rule.methods and not rule.arguments and not rule.rule.endswith(".xlsx")
                    and rule.endpoint not in ("static", "auth.logout", "healthz")})
    pages += [f"/van-ban/{directive}", f"/nhiem-vu/{assignment}", f"/van-ban/{directive}/chuoi-trien-khai"]
    seen = 0
    for username in ("vanphong", "admin"):
        user = Client(live).login(username)
        for url in pages:
            response = user.get(url)
            if response.status_code != 200 or not response.mimetype == "text/html":
                continue
            seen += 1
            tree = lxml.html.fromstring(response.get_data(as_text=True))
            for script in tree.iter("script"):
                assert script.get("src") or script.get("type") == "application/json", (url, lxml.html.tostring(script)[:200])
            assert not tree.xpath("//style | //*[@style]"), url
            for element in tree.iter():
                if isinstance(element.tag, str):
                    assert not [name for name in element.attrib if name.lower().startswith("on")], (url, element.tag)
    assert seen >= 20, seen
