"""Every page, for every role, in a real browser: it fits the screen at 360 and 390 px (tables scroll in
their own box), axe-core finds no WCAG 2.1 AA violation, and what comes back after the first visit
is light (compressed, static files cached). Screenshots of the main pages at desktop width and 390 px
go to test-results/ (not committed)."""
import json

import pytest
from sqlalchemy import select

from app import create_app
from app.clock import local_today
from app.extensions import db
from app.loader import load_path
from app.models import Agency, AgencyGroup, Assignment, Directive, User
from tests.browser_support import BROWSER_MARKS, SHOTS, axe_violations, launch, log_in, serve
from tests.helpers import DIRECTIVES_DIR

WIDTHS = (360, 390)

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The demo as `make run` builds it (seeds issued, follow-up, a cascade), served on a local port."""
    from app import demo_activity

    folder = tmp_path_factory.mktemp("pages")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'app.db'}", "SECRET_KEY": "pages",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "GENERATED_DIR": str(folder / "generated"),
                      "STORAGE_DIR": str(folder / "storage")})
    with app.app_context():
        db.create_all()
        load_path(DIRECTIVES_DIR)
        demo_activity.apply(local_today())
        db.session.commit()
        ids = {
            "directive": db.session.scalar(select(Directive.id).where(Directive.source_key.contains("001-"))),
            "draft": None,
            "assignment": db.session.scalar(select(Assignment.id).join(Agency).where(
                Agency.name == "Sở Y tế tỉnh Kon Tum").order_by(Assignment.id)),
            "agency": db.session.scalar(select(Agency.id).where(Agency.name == "Sở Y tế tỉnh Kon Tum")),
            "group": db.session.scalar(select(AgencyGroup.id).order_by(AgencyGroup.id)),
            "user": db.session.scalar(select(User.id).where(User.username == "soyte")),
        }
    with serve(app) as base:
        yield app, base, ids


@pytest.fixture(scope="module")
def browser():
    with launch() as chromium:
        yield chromium


STAFF_PAGES = ["/", "/van-ban", "/van-ban/{directive}", "/van-ban/{directive}/chuoi-trien-khai", "/van-ban/moi",
               "/nhap-van-ban", "/van-ban-den/moi", "/nhiem-vu", "/nhiem-vu/{assignment}", "/theo-doi",
               "/theo-doi/nhiem-vu", "/theo-doi/bao-cao", "/theo-doi/don-doc", "/theo-doi/so-lieu-da-chot",
               "/gia-han", "/thong-bao", "/so-van-ban/den", "/so-van-ban/di", "/tai-khoan", "/tai-khoan/thu-dien-tu",
               "/tep-da-xuat", "/tai-khoan/ma-truy-cap"]
PAGES = {
    "vanphong": STAFF_PAGES,
    "soyte": ["/nhiem-vu", "/nhiem-vu/{assignment}", "/van-ban", "/van-ban/{directive}", "/theo-doi"],
    "lanhdao": ["/theo-doi", "/van-ban", "/van-ban/{directive}", "/van-ban/cho-duyet", "/theo-doi/nhiem-vu"],
    "vanthu": ["/van-ban", "/van-ban/{directive}", "/so-van-ban/di", "/van-ban-den/moi"],
    "admin": ["/quan-tri/co-quan", "/quan-tri/co-quan/{agency}", "/quan-tri/nhom", "/quan-tri/nhom/{group}",
              "/quan-tri/nguoi-dung", "/quan-tri/nguoi-dung/{user}", "/quan-tri/nhat-ky", "/tai-khoan"],
}
CELLS = [(user, url) for user, urls in PAGES.items() for url in urls]


def _overflow(page) -> int:
    """How much the document is wider than the screen (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("username, url", CELLS, ids=[f"{u}:{p}" for u, p in CELLS])
def test_page_fits_phones_and_has_no_accessibility_violation(site, browser, username, url):
    _app, base, ids = site
    address = base + url.format(**ids)
    page = log_in(browser, base, username)
    page.goto(address)
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(base) and "dang-nhap" not in page.url
    violations = axe_violations(page)
    assert violations == [], violations
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.wait_for_timeout(50)
        assert _overflow(page) <= 0, f"{width} px: {_overflow(page)} px too wide"
    page.context.close()


def test_login_page_fits_and_announces_its_error(site, browser):
    _app, base, _ids = site
    page = browser.new_context(locale="vi-VN", viewport={"width": 390, "height": 800}).new_page()
    page.goto(f"{base}/dang-nhap")
    assert axe_violations(page) == []
    page.get_by_label("Tên đăng nhập").fill("vanphong")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    alert = page.get_by_role("alert")
    assert "không đúng" in alert.inner_text()
    assert page.get_by_label("Mật khẩu").get_attribute("aria-invalid") == "true"
    assert _overflow(page) <= 0 and axe_violations(page) == []


def test_keyboard_focus_is_visible_and_removing_a_row_keeps_it(site, browser):
    _app, base, _ids = site
    page = log_in(browser, base, "vanphong")
    page.goto(f"{base}/van-ban/moi")
    page.keyboard.press("Tab")
    outline = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 || s.boxShadow !== 'none'; }""")
    assert outline, "the focused element shows no focus ring"
    section = page.get_by_test_id("section-form").first
    section.get_by_role("button", name="+ Thêm nhiệm vụ").click()
    section.get_by_role("button", name="Xóa nhiệm vụ").nth(1).click()
    assert page.evaluate("document.activeElement !== document.body"), "focus fell to the page body"
    # a failed submit marks the fields and ties them to their messages
    page.get_by_role("button", name="Lưu văn bản").click()
    page.wait_for_load_state()
    subject = page.get_by_label("Trích yếu")
    assert subject.get_attribute("aria-invalid") == "true"
    described = subject.get_attribute("aria-describedby")
    assert described and "Vui lòng nhập trích yếu." in page.locator(f"#{described.split()[0]}").inner_text()


def test_pages_are_compressed_and_static_files_cached(site, browser):
    """After the first visit a page costs at most 100 KB on the wire."""
    _app, base, ids = site
    page = log_in(browser, base, "vanphong")
    sizes = {}

    def track(response):
        headers = response.headers
        sizes[response.url] = (int(headers.get("content-length", 0) or 0), headers.get("content-encoding", ""),
                               response.request.resource_type, headers.get("cache-control", ""))

    for url in ("/theo-doi", "/van-ban/moi", f"/van-ban/{ids['directive']}"):
        page.goto(base + url)  # the first visit fills the cache
        page.wait_for_load_state("networkidle")
        sizes.clear()
        page.on("response", track)
        page.goto(base + url)
        page.wait_for_load_state("networkidle")
        page.remove_listener("response", track)
        transferred = page.evaluate("""() => performance.getEntriesByType('navigation').concat(
            performance.getEntriesByType('resource')).reduce((sum, e) => sum + e.transferSize, 0)""")
        assert transferred <= 100 * 1024, f"{url}: {transferred} bytes on the wire after the first visit"
        document = [value for key, value in sizes.items() if value[2] == "document"]
        assert document and document[0][1] in ("gzip", "br", "zstd", "deflate"), json.dumps(sizes)
        for address, (_length, _encoding, kind, cache) in sizes.items():
            if kind in ("script", "stylesheet"):
                assert "max-age=31536000" in cache, address


SCREENS = [("dashboard", "vanphong", "/theo-doi"), ("directive", "vanphong", "/van-ban/{directive}"),
           ("inbox", "soyte", "/nhiem-vu"), ("form", "vanphong", "/van-ban/moi")]


@pytest.mark.parametrize("name, username, url", SCREENS, ids=[s[0] for s in SCREENS])
def test_screenshots_at_desktop_and_phone_width(site, browser, name, username, url):
    _app, base, ids = site
    SHOTS.mkdir(exist_ok=True)
    for width in (1366, 390):
        page = log_in(browser, base, username, width=width)
        page.goto(base + url.format(**ids))
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        assert _overflow(page) <= 0
        page.context.close()


@pytest.mark.parametrize("username", list(PAGES))
def test_pages_work_under_the_content_security_policy(site, browser, username):
    """Every page of every role in a browser that enforces the policy: no inline script, style or handler
    refused (the console says so when one is), and the scripts still run (Tom Select enhances pickers)."""
    _app, base, ids = site
    page = log_in(browser, base, username)
    refused = []
    page.on("console", lambda message: refused.append((page.url, message.text))
            if "Content Security Policy" in message.text else None)
    page.on("pageerror", lambda error: refused.append((page.url, str(error))))
    for url in PAGES[username]:
        response = page.goto(base + url.format(**ids))
        page.wait_for_load_state("networkidle")
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert refused == []
    if username == "vanphong":
        page.goto(base + "/van-ban/moi")
        page.wait_for_load_state("networkidle")
        assert page.locator(".ts-wrapper").count() > 0  # the pickers' script ran
    page.context.close()


def test_the_agency_filter_finds_what_the_page_does_not_carry(site, browser):
    """With more agencies than the page carries, typing asks the server: an agency far down the list
    (not among the first three) is found with its accents left out, and choosing it filters the list."""
    app, base, _ids = site
    app.config["FILTER_INLINE_CHOICES"] = 3
    try:
        page = log_in(browser, base, "vanphong")
        page.goto(f"{base}/theo-doi/nhiem-vu")
        picker = page.locator("select[name='agency']")
        assert picker.get_attribute("data-source")
        assert "Đắk Hà" not in picker.inner_html()  # not carried by the page
        wrapper = picker.locator("xpath=following-sibling::div[1]")
        wrapper.locator(".ts-control").click()
        with page.expect_response(lambda response: "/theo-doi/lua-chon/don-vi" in response.url):
            wrapper.locator("input").first.fill("dak ha")
        option = page.locator(".ts-dropdown:visible .option", has_text="Ủy ban nhân dân huyện Đắk Hà")
        option.click()
        page.screenshot(path="/tmp/filter.png")
        with page.expect_navigation():  # the first click submits: the picker's box keeps its height
            page.get_by_role("button", name="Lọc").click()
        with app.app_context():
            dak_ha = db.session.scalar(select(Agency.id).where(Agency.name == "Ủy ban nhân dân huyện Đắk Hà"))
        assert f"agency={dak_ha}" in page.url
        agencies = page.locator('[data-testid="assignment-table"] tbody td:nth-child(3)').all_inner_texts()
        assert agencies and len(set(agencies)) == 1 and "Đắk Hà" in agencies[0], agencies
        page.context.close()
    finally:
        app.config["FILTER_INLINE_CHOICES"] = 50
