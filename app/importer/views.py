"""The "Nhập từ văn bản" page: upload or paste, then the structured editor, nothing saved until
the user confirms with "Lưu văn bản" (which saves through the same path as manual entry).

A scan (a PDF without a text layer) is not read in the request: its OCR becomes a job (jobs.py), and the
user is sent to the job's page, which shows the pages read so far and then the same editor."""
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from app.directives import views as directive_views
from app.directives.forms import AssigneeForm, LineForm, SectionForm, TaskForm
from app.extensions import db
from app.importer.errors import ImportRefused, NeedsOcr
from app.importer.forms import ImportForm, editor_form
from app.importer.service import import_document, max_bytes
from app.lint import lint_upload
from app.rules import permissions

bp = Blueprint("importer", __name__)


@bp.route("/nhap-van-ban", methods=["GET", "POST"])
def upload():
    if not permissions.can_create_directive(current_user):
        abort(403)
    if request.method == "POST" and request.form.get("step") != "doc":
        # the structured editor of an import posted back: save it as manual entry does
        return directive_views.create()
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("importer/upload.html", form=form), 400 if request.method == "POST" else 200
    upload_file = form.file.data
    lint_report = signature_report = None
    try:
        if upload_file and upload_file.filename:
            content = upload_file.read(max_bytes() + 1)
            try:
                result = import_document(content=content, filename=upload_file.filename, ocr=False)
            except NeedsOcr as scan:  # seconds a page: a job, with its progress on a page of its own
                return _start_ocr(content, upload_file.filename, scan.pages)
            lint_report, signature_report = _checks(content, upload_file.filename)
        else:
            result = import_document(text=form.text.data)
    except ImportRefused as error:
        db.session.rollback()
        return render_template("importer/upload.html", form=form, error=error.message), 400
    db.session.rollback()  # reading the directory only: nothing is saved before the user confirms
    return _review(result, lint_report, signature_report)


def _checks(content: bytes, filename: str):
    """Which ND30 rules the letter breaks, and for a digitally signed PDF its signatures."""
    lint_report = lint_upload(content, filename)
    signature_report = None
    if content.startswith(b"%PDF") and b"/Sig" in content:
        from app.signing.verify import verify_pdf
        signature_report = verify_pdf(content)
    return lint_report, signature_report


def _start_ocr(content: bytes, filename: str, pages: int):
    from app.importer.jobs import discard_upload, start_ocr

    db.session.rollback()  # only the job is saved: the import itself waits for "Lưu văn bản"
    job = start_ocr(current_user, content, filename, pages)
    job_id = job.id
    try:
        db.session.commit()  # enqueues it
    except Exception:
        db.session.rollback()
        discard_upload(job_id)  # the scan kept for a job that does not exist
        raise
    return redirect(url_for("importer.ocr_job", job_id=job_id))


@bp.route("/nhap-van-ban/nhan-dang/<id:job_id>")
def ocr_job(job_id):
    """A scan's OCR job for the user who started it: its progress while it runs (static/js/ocr-job.js
    follows it and reloads the page at the end), then the import's editor, or the reason it failed."""
    from app.importer import jobs as ocr_jobs
    from app.importer.service import import_source
    from app.jobs.views import _own
    from app.models.jobs import DONE, FAILED

    job = _own(job_id)  # someone else's job is not there at all
    if job.kind != ocr_jobs.KIND:
        abort(404)
    if not ocr_jobs.may_still_import(current_user, job):
        abort(403)
    filename = job.title
    error = job.error if job.status == FAILED else None
    if job.status == DONE:
        source = ocr_jobs.read_result(job)
        if source is None:
            error = "Kết quả nhận dạng chữ đã bị xóa (tệp chỉ được giữ ít ngày): vui lòng tải bản quét lên lại."
        else:
            try:
                result = import_source(source, filename)
            except ImportRefused as refused:
                error = refused.message
            else:
                content = ocr_jobs.upload_bytes(job)
                lint_report, signature_report = _checks(content, filename) if content else (None, None)
                db.session.rollback()  # nothing is saved before the user confirms
                return _review(result, lint_report, signature_report)
    return render_template("importer/ocr_job.html", job=job, error=error, words=ocr_jobs.progress_words(job))


def _review(result, lint_report=None, signature_report=None):
    form = editor_form(result)
    prototypes = {name: cls(prefix="__PREFIX__-") for name, cls in
                  (("line", LineForm), ("assignee", AssigneeForm), ("task", TaskForm), ("section", SectionForm))}
    return render_template("importer/review.html", form=form, directive=None, prototypes=prototypes, result=result,
                           lint_report=lint_report, signature_report=signature_report,
                           form_action=url_for("directives.create"))
