"""Tệp đã xuất: the user's jobs with their progress (polled as JSON by static/js/app.js), the finished
file for its owner only, and the Vietnamese message of a job that failed."""
import mimetypes

from flask import Blueprint, abort, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.jobs.runner import PAGES, result_file
from app.models.jobs import DONE, FAILED, Job

bp = Blueprint("jobs", __name__)
SHOWN = 50


def _own(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None or job.user_id != current_user.id:
        abort(404)  # someone else's file is not there at all
    return job


def page_url(job: Job) -> str | None:
    """The page of its own a kind of job has (a scan's OCR: its progress, then the import's editor)."""
    endpoint = PAGES.get(job.kind)
    return url_for(endpoint, job_id=job.id) if endpoint else None


def as_json(job: Job) -> dict:
    download = (page_url(job) or url_for("jobs.download", job_id=job.id)) if job.status == DONE else None
    return {"id": job.id, "status": job.status, "label": job.status_label, "done": job.done, "total": job.total,
            "percent": job.percent, "error": job.error if job.status == FAILED else None,
            "finished": job.status in (DONE, FAILED), "download": download}


@bp.route("/tep-da-xuat")
def index():
    items = db.session.scalars(select(Job).where(Job.user_id == current_user.id)
                               .order_by(Job.id.desc()).limit(SHOWN)).all()
    return render_template("jobs/index.html", jobs=items, page_url=page_url)


@bp.route("/tep-da-xuat/trang-thai")
def status():
    """The state of the user's jobs named by ?id= (all of their recent ones without it)."""
    ids = [int(raw) for raw in request.args.getlist("id") if raw.isdigit() and len(raw) < 10][:SHOWN]
    query = select(Job).where(Job.user_id == current_user.id)
    query = query.where(Job.id.in_(ids)) if ids else query.order_by(Job.id.desc()).limit(SHOWN)
    response = jsonify({"jobs": [as_json(job) for job in db.session.scalars(query)]})
    response.cache_control.no_store = True
    return response


@bp.route("/tep-da-xuat/<id:job_id>/tai-ve")
def download(job_id):
    job = _own(job_id)
    if job.kind in PAGES:  # its result is a page, not a file
        return redirect(page_url(job))
    path = result_file(job)
    if path is None:
        abort(404)
    media_type = mimetypes.guess_type(job.result_name or path.name)[0] or "application/octet-stream"
    return send_file(path, mimetype=media_type, as_attachment=True, download_name=job.result_name or path.name,
                     max_age=0)
