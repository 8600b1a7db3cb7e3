"""The OCR of an uploaded scan is a job of the queue: the upload starts it and sends the user to its page,
which shows the page being read and then the same review a text-layer PDF gives at once; only the user
who started it sees it; a scan that cannot be read says why in Vietnamese; a system error is retried once.
Text-layer PDFs and Word files stay in the request. Real Tesseract; jobs run at once (the tests' immediate
mode) or by a real consumer on SQLite and Redis (the fixtures of tests/test_jobs.py)."""
import io
import re

import pytest
from sqlalchemy import func, select

from app.directive_format import parse_directive
from app.documents import render
from app.extensions import db
from app.importer import jobs as ocr_jobs
from app.importer import ocr
from app.importer.errors import ImportRefused, NeedsOcr
from app.importer.readers import read_document
from app.importer.service import as_json, import_document, import_source
from app.jobs import runner
from app.models import Directive, Job, Notification
from tests.helpers import csrf_from, user_named
from tests.test_jobs import consumer, only_job, queue, wait_for  # noqa: F401  (queue is a fixture)
from tests.test_ocr import LETTER, scanned

pytestmark = pytest.mark.skipif(not ocr.available(), reason="Tesseract with the vie model is not installed")


def upload(client, content: bytes, filename: str):
    page = client.get("/nhap-van-ban").get_data(as_text=True)
    return client.client.post("/nhap-van-ban", data={"csrf_token": csrf_from(page), "step": "doc",
                                                      "file": (io.BytesIO(content), filename)},
                              content_type="multipart/form-data")


def blank_scan(pages: int = 1) -> bytes:
    """A PDF of white pages: no text layer, and nothing OCR can read."""
    from PIL import Image

    images = [Image.new("L", (1654, 2339), 255) for _ in range(pages)]
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=200, save_all=True, append_images=images[1:])
    return out.getvalue()


def job_path(location: str) -> int:
    match = re.fullmatch(r"/nhap-van-ban/nhan-dang/(\d+)", location)
    assert match, location
    return int(match.group(1))


def test_the_reader_says_a_scan_needs_ocr_without_reading_it():
    with pytest.raises(NeedsOcr) as needed:
        read_document(scanned(), "ban-quet.pdf", ocr=False)
    assert needed.value.pages == 1


def test_a_scan_over_the_page_limit_is_refused_before_any_job(monkeypatch):
    monkeypatch.setattr(ocr, "MAX_OCR_PAGES", 1)
    with pytest.raises(ImportRefused, match="chỉ nhận dạng chữ văn bản đến 1 trang"):
        read_document(blank_scan(2), "hai-trang.pdf", ocr=False)


def test_the_upload_of_a_scan_is_a_job_whose_page_shows_the_review(demo, login):
    office = login("vanphong")
    response = upload(office, scanned(), "ban-quet.pdf")
    assert response.status_code == 302
    job_id = job_path(response.headers["Location"])
    with demo.app_context():
        job = db.session.get(Job, job_id)
        assert (job.kind, job.status, job.title, job.total, job.done, job.attempts) == (
            "ocr", "done", "ban-quet.pdf", 1, 1, 1)  # run at once in tests (immediate mode)
        assert job.user_id == user_named("vanphong").id
        assert job.organisation_id == user_named("vanphong").agency.serves_id
        # what the job read gives the same directive as the old path, OCR inside the request
        through_job = as_json(import_source(ocr_jobs.read_result(job), "ban-quet.pdf"))
        in_request = as_json(import_document(content=scanned(), filename="ban-quet.pdf"))
        db.session.rollback()
    assert through_job == in_request
    assert through_job["number"] == "05" and through_job["symbol"] == "SYT-KHTC"
    assert "kinh phí mua vắc xin" in through_job["subject"]  # OCR may miss an accent (bố/bổ)
    page = office.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-testid="import-summary"' in html and "ban-quet.pdf (1 trang)" in html
    assert 'data-testid="import-ocr"' in html and 'data-page="1"' in html  # each page's confidence
    assert "Không kiểm tra được thể thức" in html  # the lint of the upload, as for any PDF
    assert 'id="directive-form"' in html and "Lưu văn bản" in html  # the same next step: review and save
    with demo.app_context():
        assert db.session.scalar(select(func.count(Directive.id))) == 5  # nothing saved yet
        notice = db.session.scalars(select(Notification).where(Notification.kind == "job_done")).one()
        assert notice.message.startswith("Đã nhận dạng xong bản quét “ban-quet.pdf”")
    # the job list links to its page, never to a JSON download
    jobs_page = office.get("/tep-da-xuat").get_data(as_text=True)
    assert f'href="/nhap-van-ban/nhan-dang/{job_id}"' in jobs_page and "Nhận dạng chữ bản quét" in jobs_page
    state = office.get(f"/tep-da-xuat/trang-thai?id={job_id}").get_json()["jobs"][0]
    assert state["download"] == f"/nhap-van-ban/nhan-dang/{job_id}"
    download = office.get(f"/tep-da-xuat/{job_id}/tai-ve")
    assert download.status_code == 302 and download.headers["Location"].endswith(f"/nhap-van-ban/nhan-dang/{job_id}")


def test_a_scan_whose_job_cannot_be_saved_leaves_no_file_behind(demo, login, tmp_path, monkeypatch):
    from sqlalchemy.exc import OperationalError

    demo.config["GENERATED_DIR"] = str(tmp_path)
    office = login("vanphong")

    def database_gone():
        raise OperationalError("COMMIT", {}, Exception("database is locked"))

    monkeypatch.setattr(db.session, "commit", database_gone)
    response = upload(office, scanned(), "ban-quet.pdf")
    monkeypatch.undo()
    assert response.status_code == 503  # a database error: the page asks to try again in a moment
    assert sorted((tmp_path / "jobs").rglob("*")) == []  # the scan kept for the job went with it
    with demo.app_context():
        assert db.session.scalar(select(func.count(Job.id))) == 0


def test_saving_the_review_of_a_scan_saves_the_directive(demo, login):
    from tests.test_importer_app import editor_values

    office = login("vanphong")
    location = upload(office, scanned(), "ban-quet.pdf").headers["Location"]
    html = office.get(location).get_data(as_text=True)
    values = editor_values(html)
    with demo.app_context():  # the Gia Lai Sở is not in the directory: the user picks the issuer, as for any import
        values["issuer_agency_id"] = str(user_named("vanphong").agency.serves_id)
    saved = office.client.post("/nhap-van-ban", data=values)
    assert saved.status_code == 302, re.findall(r'(?:invalid-feedback|alert-danger)[^>]*>([^<]*)', saved.get_data(as_text=True))
    with demo.app_context():
        directive = db.session.scalars(select(Directive).order_by(Directive.id.desc())).first()
        assert "kinh phí mua vắc xin" in directive.subject and directive.state == "draft"


def test_only_the_user_who_started_it_sees_the_job(demo, login):
    office = login("vanphong")
    location = upload(office, scanned(), "ban-quet.pdf").headers["Location"]
    job_id = job_path(location)
    other = login("soyte")  # may import too, in another organisation
    assert other.get(location).status_code == 404
    assert other.get(f"/tep-da-xuat/trang-thai?id={job_id}").get_json() == {"jobs": []}
    assert location not in other.get("/tep-da-xuat").get_data(as_text=True)
    for colleague in ("vanthu", "admin"):  # the same office, other people
        assert login(colleague).get(location).status_code == 404
    with demo.app_context():
        user_named("vanphong").set_roles([])  # moved to a post without imports
        db.session.commit()
    assert office.get(location).status_code == 403


def test_a_scan_that_reads_as_nothing_fails_with_a_vietnamese_message(demo, login):
    office = login("vanphong")
    response = upload(office, blank_scan(), "trang-trang.pdf")
    assert response.status_code == 302
    job_id = job_path(response.headers["Location"])
    with demo.app_context():
        job = db.session.get(Job, job_id)
        assert job.status == "failed" and job.attempts == 1  # not retried: it would read nothing again
        assert "không đọc được chữ nào" in job.error
    page = office.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-testid="ocr-error"' in html
    assert "nhận dạng chữ (OCR) không đọc được chữ nào" in html and "Tải lên lại" in html
    assert "Traceback" not in html
    notices = office.get("/thong-bao").get_data(as_text=True)
    assert "Không đọc được bản quét “trang-trang.pdf”" in notices


def test_a_scan_that_is_not_a_directive_fails_with_the_importer_message(demo, login):
    from tests.scanning import scan

    letter = render(parse_directive(LETTER), "pdf")
    with demo.app_context():
        assert import_document(content=letter, filename="x.pdf")  # the letter itself is a directive
    office = login("vanphong")
    photo = scan(_plain_text_pdf("Biên bản họp tổ dân phố về vệ sinh môi trường khu dân cư số 3."), dpi=200, seed=2)
    response = upload(office, photo, "bien-ban.pdf")
    html = office.get(response.headers["Location"]).get_data(as_text=True)
    assert "Không nhận ra văn bản chỉ đạo" in html


def _plain_text_pdf(text: str) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1654, 2339), 255)
    font = ImageFont.truetype(_font(), 40)
    ImageDraw.Draw(image).text((150, 300), text, fill=0, font=font)
    out = io.BytesIO()
    image.save(out, "PDF", resolution=200)
    return out.getvalue()


def _font() -> str:
    from pathlib import Path

    for candidate in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                      "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf"):
        if Path(candidate).is_file():
            return candidate
    pytest.skip("no TrueType font to draw a page with")


def test_without_tesseract_a_scan_is_refused_in_the_request(demo, login, monkeypatch):
    monkeypatch.setattr(ocr, "available", lambda: False)
    response = upload(login("vanphong"), scanned(), "ban-quet.pdf")
    assert response.status_code == 400 and "chưa cài Tesseract" in response.get_data(as_text=True)
    with demo.app_context():
        assert db.session.scalar(select(func.count(Job.id))) == 0


def test_text_layer_pdfs_and_word_files_stay_in_the_request(demo, login):
    office = login("vanphong")
    data = parse_directive(LETTER)
    for content, name in ((render(data, "pdf"), "van-ban.pdf"), (render(data, "docx"), "van-ban.docx")):
        response = upload(office, content, name)
        assert response.status_code == 200 and 'data-testid="import-summary"' in response.get_data(as_text=True)
    with demo.app_context():
        assert db.session.scalar(select(func.count(Job.id))) == 0


def test_the_page_says_which_page_is_being_read(demo):
    from app.models.jobs import Job as Row

    assert ocr_jobs.progress_words(Row(status="queued", done=0, total=12)) == "Đang chờ đến lượt nhận dạng chữ…"
    assert ocr_jobs.progress_words(Row(status="running", done=2, total=12)) == "Nhận dạng chữ trang 3/12…"
    assert ocr_jobs.progress_words(Row(status="running", done=12, total=12)) == "Đang tách mục và nhiệm vụ…"


def test_a_real_consumer_reads_the_scan_page_by_page(queue, login):  # noqa: F811
    office = login("vanphong")
    response = upload(office, scanned(), "ban-quet.pdf")
    assert response.status_code == 302
    job = only_job(queue)
    assert (job.kind, job.status, job.done, job.total) == ("ocr", "queued", 0, 1)
    waiting = office.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="ocr-job"' in waiting and "Đang chờ đến lượt nhận dạng chữ" in waiting
    assert f'data-ocr-poll="/tep-da-xuat/trang-thai?id={job.id}"' in waiting and "<script>" not in waiting
    seen = []
    real = runner.Progress.__call__

    def watched(self, done, total=None, force=False):
        seen.append((done, total))
        return real(self, done, total, force)

    import unittest.mock

    with unittest.mock.patch.object(runner.Progress, "__call__", watched), consumer():
        finished = wait_for(queue, job.id, seconds=120)
    assert finished.status == "done", finished.error
    assert (0, 1) in seen and (1, 1) in seen  # "page 1 of 1" started, then read, relayed from limits' child
    html = office.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="import-ocr"' in html and "SYT-KHTC" in html


def test_a_system_error_is_retried_once_then_explained(queue, login, monkeypatch):  # noqa: F811
    calls = []

    def broken(content, filename=None):
        calls.append(filename)
        raise RuntimeError("tesseract crashed")

    monkeypatch.setattr("app.importer.service.read_scan", broken)
    office = login("vanphong")
    response = upload(office, scanned(), "ban-quet.pdf")
    job = only_job(queue)
    with consumer():
        finished = wait_for(queue, job.id)
    assert finished.status == "failed" and finished.attempts == 2 and len(calls) == 2
    assert finished.error == ocr_jobs.WORDS["generic"]
    html = office.get(response.headers["Location"]).get_data(as_text=True)
    assert "lỗi hệ thống (đã thử lại một lần)" in html and "tesseract crashed" not in html


def test_a_flaky_first_attempt_succeeds_on_the_retry(queue, login, monkeypatch):  # noqa: F811
    from app.importer import service

    real, calls = service.read_scan, []

    def flaky(content, filename=None):
        calls.append(1)
        if len(calls) == 1:
            raise OSError("disk hiccup")
        return real(content, filename)

    monkeypatch.setattr(service, "read_scan", flaky)
    office = login("vanphong")
    upload(office, scanned(), "ban-quet.pdf")
    job = only_job(queue)
    with consumer():
        finished = wait_for(queue, job.id, seconds=120)
    assert finished.status == "done" and finished.attempts == 2, finished.error
