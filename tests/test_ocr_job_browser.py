"""A scan's OCR job in a real browser (Debian's chromium): the upload lands on the job's page, whose
words and progress bar follow the job by polling (static/js/ocr-job.js, under a CSP that forbids inline
script), and which turns into the import's editor when the consumer is done."""
import re
import time

import pytest

from app import jobs
from app.importer import ocr
from tests.browser_support import BROWSER_MARKS, launch, log_in
from tests.test_jobs_browser import job_server
from tests.test_ocr import scanned

pytestmark = [
    *BROWSER_MARKS,
    pytest.mark.skipif(not ocr.available(), reason="Tesseract with the vie model is not installed"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from job_server(tmp_path_factory.mktemp("ocr-browser"))


def test_the_job_page_follows_the_pages_and_becomes_the_editor(server, monkeypatch, tmp_path):
    from playwright.sync_api import expect

    app, base = server
    jobs.configure(app)
    real_read_page = ocr.read_page

    def slow_read_page(image, number=1):  # a page long enough for the page to show it being read
        time.sleep(3)
        return real_read_page(image, number)

    monkeypatch.setattr(ocr, "read_page", slow_read_page)  # the consumer's forked child inherits it
    worker = jobs.huey.create_consumer(workers=1, worker_type="thread", periodic=False, initial_delay=0.05,
                                       max_delay=0.2, check_worker_health=False)
    worker._set_signal_handlers = lambda: None
    scan = tmp_path / "ban-quet.pdf"
    scan.write_bytes(scanned())
    with launch() as browser:
        problems = []
        page = log_in(browser, base, "vanphong",
                      on_console=lambda message: problems.append(message.text) if message.type == "error" else None)
        page.goto(f"{base}/nhap-van-ban")
        page.locator("input[type=file]").set_input_files(str(scan))
        page.get_by_role("button", name="Đọc văn bản").click()
        page.wait_for_load_state()
        assert re.search(r"/nhap-van-ban/nhan-dang/\d+$", page.url), page.url
        job_url = page.url
        words = page.locator("[data-ocr-words]")
        expect(words).to_have_text("Đang chờ đến lượt nhận dạng chữ…")
        worker.start()
        try:
            expect(words).to_have_text("Nhận dạng chữ trang 1/1…", timeout=20000)  # polled, not reloaded
            expect(page.get_by_test_id("import-summary")).to_be_visible(timeout=60000)
            expect(page.get_by_test_id("import-ocr")).to_contain_text("trang 1:")
            expect(page.get_by_role("button", name="Lưu văn bản")).to_be_visible()
            assert page.url == job_url
            # left and found again from Tệp đã xuất
            page.goto(f"{base}/tep-da-xuat")
            page.get_by_role("link", name="Kiểm tra và lưu").first.click()
            page.wait_for_load_state()
            expect(page.get_by_test_id("import-summary")).to_be_visible()
        finally:
            worker.stop(graceful=True)
    assert not [text for text in problems if "Content Security Policy" in text], problems
