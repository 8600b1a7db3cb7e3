"""The OCR of an uploaded scan as a job of the queue (app/jobs): the request keeps the upload and starts
the job; the worker reads the pages with Tesseract (app/importer/ocr.py, under app/limits.py's time and
memory limits as in a request), writing "page 3 of 12" as the job's progress, and keeps what it read as
the job's result (JSON: the text, each page's confidence, the notes). The job's page (views.py) then
parses that text and shows the same review a text-layer PDF leads to, for the user who started it.

    GENERATED_DIR/jobs/<job id>/ban-quet.pdf        the upload, until the job's files are deleted
    GENERATED_DIR/jobs/<job id>/nhan-dang-chu.json  what OCR read (the job's result_path)
"""
import json
from dataclasses import asdict
from pathlib import Path

from flask import current_app

from app.importer import ocr
from app.importer.errors import ImportRefused
from app.importer.source import Source
from app.jobs.runner import JobError, kind, result_file
from app.models.jobs import Job
from app.rules import permissions

KIND = "ocr"
UPLOAD_NAME = "ban-quet.pdf"
RESULT_NAME = "nhan-dang-chu.json"
NO_LONGER = "Tài khoản không còn quyền nhập văn bản nên bản quét không được đọc."
WORDS = {
    "done": "Đã nhận dạng xong bản quét “{title}”: mở trong Tệp đã xuất để kiểm tra và lưu văn bản.",
    "failed": "Không đọc được bản quét “{title}”: {message}",
    "generic": ("Không nhận dạng được chữ của bản quét do lỗi hệ thống (đã thử lại một lần). Vui lòng tải lên lại "
                "sau, hoặc báo quản trị nếu lỗi còn lặp lại."),
}


def folder(job_id: int) -> Path:
    """The job's own folder, the one the runner writes its result into (deleted with the job's files)."""
    return Path(current_app.config["GENERATED_DIR"]) / "jobs" / str(job_id)


def organisation_of(user) -> int | None:
    """The organisation the import is for: the one the user's post serves (as the exports name it)."""
    agency = user.agency
    own = permissions.organisations(user)
    for candidate in (agency.serves_id if agency else None, agency.id if agency else None):
        if candidate in own:
            return candidate
    return None


def may_still_import(user, job: Job) -> bool:
    """The job's owner may still import for the organisation it was started for (the worker and the job's
    page both ask: rights can change while the scan waits)."""
    return permissions.can_create_directive(user) and (
        job.organisation_id is None or job.organisation_id in permissions.organisations(user))


def start_ocr(user, content: bytes, filename: str, pages: int) -> Job:
    """Keep the upload (its size was checked by the reader) and record the job; the caller commits,
    which enqueues it."""
    from app.jobs import runner

    name = (filename or UPLOAD_NAME).strip()[:200]
    job = runner.start(user, KIND, name, {"filename": name, "pages": pages}, organisation_id=organisation_of(user),
                       total=pages)
    target = folder(job.id)
    target.mkdir(parents=True, exist_ok=True)
    (target / UPLOAD_NAME).write_bytes(content)
    return job


def discard_upload(job_id: int) -> None:
    """The kept scan of a job that was never recorded (its commit failed): nothing else would remove it."""
    import shutil

    shutil.rmtree(folder(job_id), ignore_errors=True)


def source_json(source: Source) -> bytes:
    data = asdict(source)
    data["ocr"] = isinstance(source, ocr.OcrSource)
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def source_from_json(content: bytes) -> Source:
    data = json.loads(content)
    if data.pop("ocr", False):
        pages = [ocr.OcrPage(**page) for page in data.pop("ocr_pages", [])]
        return ocr.OcrSource(**data, ocr_pages=pages)
    data.pop("ocr_pages", None)
    return Source(**data)


@kind(KIND, page="importer.ocr_job", words=WORDS)
def ocr_job(job, params, progress):
    """Read the kept scan page by page; the parent of limits.run hears each page (ocr.reporting) and
    writes it as the job's progress, which the job's page shows as "Nhận dạng chữ trang 3/12…"."""
    from app.importer.service import read_scan

    if not may_still_import(job.user, job):
        raise JobError(NO_LONGER)
    upload = folder(job.id) / UPLOAD_NAME
    if not upload.is_file():
        raise JobError("Tệp bản quét tải lên không còn trên máy chủ: vui lòng tải lên lại.")

    def page_read(page: int, pages: int, done) -> None:
        progress(page if done is not None else page - 1, pages, force=True)

    try:
        with ocr.reporting(page_read):
            source = read_scan(upload.read_bytes(), params.get("filename"))
    except ImportRefused as error:  # a Vietnamese sentence (a time or memory limit too): again would do the same
        raise JobError(error.message) from None
    progress(source.pages or 0, source.pages or 0, force=True)
    return source_json(source), RESULT_NAME


def read_result(job: Job) -> Source | None:
    """What the job read, or None while it runs (or once its files were deleted)."""
    path = result_file(job)
    return source_from_json(path.read_bytes()) if path is not None else None


def upload_bytes(job: Job) -> bytes | None:
    path = folder(job.id) / UPLOAD_NAME
    return path.read_bytes() if path.is_file() else None


def progress_words(job: Job) -> str:
    """What the job's page says it is doing (static/js/ocr-job.js writes the same as it polls)."""
    from app.models.jobs import DONE, FAILED, QUEUED

    if job.status == QUEUED:
        return "Đang chờ đến lượt nhận dạng chữ…"
    if job.status == FAILED:
        return "Không đọc được bản quét."
    if job.status == DONE:
        return "Đã nhận dạng xong."
    if job.total and job.done < job.total:
        return f"Nhận dạng chữ trang {job.done + 1}/{job.total}…"
    return "Đang tách mục và nhiệm vụ…"
