"""Browser test of digital signing: the clerk issues seed 001, its leader signs it, the clerk adds the
organisation's signature, and the PDF downloaded from the page passes pyHanko's validator and pdfsig."""
import shutil
import subprocess

import pytest
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.loader import load_path
from app.models import Directive, TrustRoot
from app.signing import service as signing
from app.signing.verify import verify_pdf
from tests import browser_support
from tests.browser_support import AXE, BROWSER_MARKS, axe_violations, launch, serve
from tests.helpers import DIRECTIVES_DIR, user_named

pytestmark = [*BROWSER_MARKS, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    path = tmp_path_factory.mktemp("browser-signing") / "app.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "browser-test",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    app.config["GENERATED_DIR"] = str(tmp_path_factory.mktemp("generated"))
    with app.app_context():
        db.create_all()
        load_path(DIRECTIVES_DIR)
    with serve(app) as base:
        yield app, base


@pytest.fixture(scope="module")
def browser():
    with launch() as chromium:
        yield chromium


def log_in(browser, base, username, **options):
    return browser_support.log_in(browser, base, username, accept_downloads=True, **options)


def test_leader_signs_clerk_seals_and_the_download_validates(server, browser, tmp_path):
    app, base = server
    with app.app_context():  # certificates made on the test's pinned clock
        seed = db.session.scalar(select(Directive).where(Directive.source_key.contains("001-")))
        signing.demo_credentials([user_named("lanhdao")], [seed.issuer_agency])
        db.session.commit()
        seed_id = seed.id
    url = f"{base}/van-ban/{seed_id}"

    clerk = log_in(browser, base, "vanthu")
    clerk.goto(url)
    clerk.once("dialog", lambda dialog: dialog.accept())
    clerk.get_by_role("button", name="Cấp số và phát hành").click()
    clerk.wait_for_load_state()
    signing_panel = clerk.get_by_test_id("signing")
    assert "chưa ký" in signing_panel.inner_text()
    assert clerk.get_by_role("button", name="Ký số của cơ quan (đóng dấu)").count() == 0  # the leader signs first

    leader = log_in(browser, base, "lanhdao")
    leader.goto(url)
    leader.once("dialog", lambda dialog: dialog.accept())
    leader.get_by_role("button", name="Ký số", exact=True).click()
    leader.wait_for_load_state()
    assert "Đã ký số văn bản" in leader.locator(".alert").first.inner_text()
    assert "đã ký" in leader.get_by_test_id("signing").inner_text()

    clerk.goto(url)
    clerk.once("dialog", lambda dialog: dialog.accept())
    clerk.get_by_role("button", name="Ký số của cơ quan (đóng dấu)").click()
    clerk.wait_for_load_state()
    assert "Đã thêm chữ ký số của cơ quan" in clerk.locator(".alert").first.inner_text()

    with clerk.expect_download() as info:
        clerk.get_by_role("link", name="Tải PDF đã ký số").click()
    download = info.value
    assert download.suggested_filename.endswith("-ky-so.pdf")
    target = tmp_path / "signed.pdf"
    download.save_as(str(target))
    data = target.read_bytes()

    with app.app_context():
        report = verify_pdf(data)
        assert report.ok and len(report.signatures) == 2, report.summary
        ca = db.session.scalar(select(TrustRoot)).certificate_pem
    if shutil.which("pdfsig") and shutil.which("certutil"):
        nss = tmp_path / "nss"
        nss.mkdir()
        (tmp_path / "ca.pem").write_text(ca)
        subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
        subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "demo", "-t", "C,C,C", "-i",
                        str(tmp_path / "ca.pem")], check=True)
        out = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(target)], capture_output=True, text=True,
                             timeout=60).stdout
        assert out.count("Signature is Valid.") == 2 and out.count("Certificate is Trusted.") == 2, out

    clerk.get_by_role("link", name="Kiểm tra chữ ký").click()
    clerk.wait_for_load_state()
    assert "Hợp lệ: 2 chữ ký số" in clerk.get_by_test_id("verify-summary").inner_text()


@pytest.mark.skipif(not AXE.is_file(), reason="axe-core not fetched (make test fetches it)")
def test_signing_pages_fit_a_phone_and_pass_axe(server, browser):
    """After the test above: the letter's page with its signing and exchange panels, the check page,
    the upload check and the packet upload, at 360 px, with no WCAG 2.1 AA violation."""
    app, base = server
    with app.app_context():
        seed_id = db.session.scalar(select(Directive.id).where(Directive.source_key.contains("001-")))
    for username, url in (("vanthu", f"/van-ban/{seed_id}"), ("lanhdao", f"/van-ban/{seed_id}"),
                          ("vanthu", f"/van-ban/{seed_id}/kiem-tra-chu-ky"), ("soyte", "/ky-so/kiem-tra"),
                          ("vanthu", "/lien-thong/nhan")):
        page = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 800}).new_page()
        page.goto(f"{base}/dang-nhap")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill("demo1234")
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_load_state()
        page.goto(base + url)
        page.wait_for_load_state("networkidle")
        assert "dang-nhap" not in page.url
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, url
        assert axe_violations(page) == [], (username, url)
        page.context.close()
