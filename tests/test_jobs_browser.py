"""Tệp đã xuất in a real browser (Debian's chromium): a large Excel list becomes a job, the page's
progress bar follows it by polling (static/js/app.js, under a CSP that forbids inline script) and the
download link appears when the consumer is done."""
import uuid

import pytest

from app import create_app, jobs
from app.extensions import db
from app.loader import load_path
from tests.browser_support import BROWSER_MARKS, launch, log_in, serve
from tests.helpers import DIRECTIVES_DIR, go_live

CSP = "default-src 'self'; script-src 'self'; img-src 'self' data:; object-src 'none'"

pytestmark = BROWSER_MARKS


def job_server(folder, live=False, **config):
    """An application whose jobs go to a real consumer (Huey, SQLite storage), under the strict CSP, with
    the demo directives (issued when `live`), served on a local port: yields (app, base URL)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'app.db'}", "SECRET_KEY": "browser-test",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "HUEY_IMMEDIATE": False, "REDIS_URL": "",
                      "HUEY_NAME": f"browser-{uuid.uuid4().hex[:8]}", "HUEY_SQLITE_PATH": str(folder / "huey.db"),
                      "GENERATED_DIR": str(folder / "generated"), **config})

    @app.after_request
    def strict_csp(response):
        response.headers["Content-Security-Policy"] = CSP
        return response

    with app.app_context():
        db.create_all()
        load_path(DIRECTIVES_DIR)
    if live:
        go_live(app)
    with serve(app) as base:
        yield app, base
    jobs.huey.storage.flush_all()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from job_server(tmp_path_factory.mktemp("jobs-browser"), live=True, EXCEL_JOB_ROWS=5)


def test_the_progress_bar_follows_the_job_and_the_file_appears(server):
    from playwright.sync_api import expect

    app, base = server
    jobs.configure(app)
    worker = jobs.huey.create_consumer(workers=1, worker_type="thread", periodic=False, initial_delay=0.05,
                                       max_delay=0.2, check_worker_health=False)
    worker._set_signal_handlers = lambda: None
    with launch() as browser:
        problems = []
        page = log_in(browser, base, "vanphong", accept_downloads=True,
                      on_console=lambda message: problems.append(message.text) if message.type == "error" else None)
        page.goto(f"{base}/theo-doi/nhiem-vu")
        page.get_by_role("link", name="Tải Excel").click()
        page.wait_for_load_state()
        assert page.url.endswith("/tep-da-xuat")
        row = page.locator("tr[data-job-id]").first
        expect(row.locator("[data-job-label]")).to_have_text("Đang chờ")
        worker.start()
        try:
            expect(row.get_by_role("link", name="Tải về")).to_be_visible(timeout=30000)
            expect(row.locator("[data-job-label]")).to_have_text("Hoàn thành")
            assert row.locator("progress").evaluate("bar => bar.value") == 100
            with page.expect_download() as download:
                row.get_by_role("link", name="Tải về").click()
            assert download.value.suggested_filename.endswith(".xlsx")
        finally:
            worker.stop(graceful=True)
    assert not [text for text in problems if "Content Security Policy" in text], problems
