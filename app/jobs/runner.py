"""Running a Job row: the one Huey task that does any kind of long work, records its progress, stores
its file for its owner, retries once, and leaves a Vietnamese message when it finally fails."""
import json
import logging
import re
import shutil
import time
from datetime import timedelta
from pathlib import Path

from flask import current_app
from huey.exceptions import CancelExecution
from sqlalchemy import select, update

from app import jobs
from app.clock import utcnow
from app.extensions import db
from app.models.jobs import DONE, FAILED, QUEUED, RUNNING, Job

log = logging.getLogger(__name__)

KINDS: dict = {}  # kind -> function(job, params, progress) -> (bytes, download name)
PAGES: dict = {}  # kind -> endpoint (taking job_id) that shows the job and its result instead of a download
WORDS: dict = {}  # kind -> what its owner is told: {"done", "failed", "generic"} ({title}, {message})


def kind(name, page: str | None = None, words: dict | None = None):
    """Register the work of a kind of job. `page`: the job has a page of its own (the OCR of a scan shows
    the import's review there), linked from Tệp đã xuất instead of the download; `words`: its messages."""
    def register(fn):
        KINDS[name] = fn
        if page:
            PAGES[name] = page
        if words:
            WORDS[name] = words
        return fn

    return register


class JobError(Exception):
    """A failure whose message the user should read as it is (Vietnamese)."""


GENERIC_ERROR = ("Không tạo được tệp do lỗi hệ thống (đã thử lại một lần). Vui lòng thử lại sau, "
                 "hoặc báo quản trị nếu lỗi còn lặp lại.")


def start(user, kind_name: str, title: str, params: dict, organisation_id=None, total: int = 0) -> Job:
    """Record a job and enqueue it once the caller commits."""
    job = Job(user_id=user.id, organisation_id=organisation_id, kind=kind_name, title=title[:300],
              params=json.dumps(params, ensure_ascii=False, default=str), status=QUEUED, total=total)
    db.session.add(job)
    db.session.flush()
    jobs.after_commit(run_job, job.id, retry_delay=current_app.config["JOB_RETRY_DELAY"])
    return job


class Progress:
    """progress(done, total): written in a transaction of its own (so the page polling it sees it at
    once) at most every half second, and always at the end."""

    def __init__(self, job_id: int):
        self.job_id, self.last = job_id, 0.0

    def __call__(self, done: int, total: int | None = None, force: bool = False) -> None:
        import time

        now = time.monotonic()
        if not force and now - self.last < 0.5:
            return
        self.last = now
        values = {"done": done} if total is None else {"done": done, "total": total}
        with db.engine.begin() as connection:
            connection.execute(update(Job).where(Job.id == self.job_id).values(**values))


def _set(job_id: int, **values) -> None:
    with db.engine.begin() as connection:
        connection.execute(update(Job).where(Job.id == job_id).values(**values))


def _explained(error: Exception) -> bool:
    """An error that says in Vietnamese what is wrong (no permission, a letter that cannot be printed):
    trying again would fail the same way, so it is shown at once."""
    from app.directives.letters import IssueError
    from app.documents.letter import LetterError

    return isinstance(error, (JobError, IssueError, LetterError))


def safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name)[:120] or "tep"


@jobs.task(retries=1, context=True)
def run_job(job_id: int, task=None):
    job = db.session.get(Job, job_id)
    if job is None or job.status in (DONE, FAILED):
        return None
    attempt = job.attempts + 1
    _set(job_id, status=RUNNING, started_at=utcnow(), attempts=attempt, error=None)
    work = KINDS.get(job.kind)
    try:
        if work is None:
            raise JobError("Loại việc này không còn được hỗ trợ.")
        content, name = work(job, json.loads(job.params or "{}"), Progress(job_id))
        folder = Path(current_app.config["GENERATED_DIR"]) / "jobs" / str(job_id)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / safe_name(name)
        path.write_bytes(content)
    except Exception as error:
        db.session.rollback()
        explained = _explained(error)
        last = explained or not (task is not None and task.retries)
        log.warning("job %s (%s) failed, attempt %s%s", job_id, job.kind, attempt, "" if last else ", retrying",
                    exc_info=not explained)
        if not last:
            _set(job_id, status=QUEUED, error=None)
            raise  # Huey enqueues it once more after JOB_RETRY_DELAY
        words = WORDS.get(job.kind, {})
        message = (str(error) if explained else words.get("generic", GENERIC_ERROR))[:1000]
        _set(job_id, status=FAILED, error=message, finished_at=utcnow())
        _tell(job, "job_failed", words.get("failed", "Không tạo được tệp “{title}”: {message}")
              .format(title=job.title, message=message))
        raise CancelExecution(retry=False) from error
    root = Path(current_app.config["GENERATED_DIR"])
    _set(job_id, status=DONE, result_path=str(path.relative_to(root)), result_name=name,
         result_size=len(content), finished_at=utcnow())
    _tell(job, "job_done", WORDS.get(job.kind, {}).get("done", "Đã xuất xong “{title}”: tải về trong Tệp đã xuất.")
          .format(title=job.title))
    return job_id


def _tell(job: Job, kind_name: str, message: str) -> None:
    """An in-app notification for the job's owner (the page links to Tệp đã xuất), who may have left."""
    from app.models import Notification

    db.session.add(Notification(user_id=job.user_id, kind=kind_name, message=message[:500]))
    db.session.commit()


def result_file(job: Job) -> Path | None:
    if job.status != DONE or not job.result_path:
        return None
    path = Path(current_app.config["GENERATED_DIR"]) / job.result_path
    return path if path.is_file() else None


# said of any kind (an export, the OCR of a scan): what to do again is on the page the job came from
INTERRUPTED = ("Việc bị gián đoạn (tiến trình xử lý đã dừng giữa chừng) nên chưa có kết quả. "
               "Vui lòng thực hiện lại.")


def fail_stale(hours: int = 6) -> int:
    """Jobs still waiting or running long after they started (their consumer was stopped or killed):
    shown as failed with a message instead of a progress bar that never moves."""
    cutoff = utcnow() - timedelta(hours=hours)
    with db.engine.begin() as connection:
        result = connection.execute(update(Job).where(Job.status.in_((QUEUED, RUNNING)), Job.created_at < cutoff)
                                    .values(status=FAILED, error=INTERRUPTED, finished_at=utcnow()))
    return result.rowcount


# a job's folder without its row, younger than this, may be an upload whose job is being committed
ORPHAN_GRACE_SECONDS = 3600


def delete_old(days: int) -> int:
    """Jobs finished more than `days` days ago: their files and rows go. So do the folders no job owns any
    more (an upload kept for a job whose commit failed, or whose row went another way)."""
    cutoff = utcnow() - timedelta(days=days)
    old = db.session.scalars(select(Job).where(Job.finished_at < cutoff)).all()
    root = Path(current_app.config["GENERATED_DIR"]) / "jobs"
    for job in old:
        shutil.rmtree(root / str(job.id), ignore_errors=True)
        db.session.delete(job)
    db.session.commit()
    delete_orphans(root)
    return len(old)


def delete_orphans(root: Path) -> list[str]:
    """The folders under GENERATED_DIR/jobs that no job row names, left alone for an hour after they were
    last written (the age of a file is the file system's, not the application's clock)."""
    if not root.is_dir():
        return []
    owned = {str(job_id) for job_id in db.session.scalars(select(Job.id))}
    now, removed = time.time(), []
    for entry in root.iterdir():
        if entry.name in owned or now - entry.stat().st_mtime < ORPHAN_GRACE_SECONDS:
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry.name)
    return removed
