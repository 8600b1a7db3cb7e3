"""The job queue for real, on both storages: Huey with its SQLite file and with Redis on
127.0.0.1:6379 (a queue name of its own per test), a consumer thread doing the work. Large exports
become jobs with progress, found in Tệp đã xuất and downloadable by their owner only; a failing job is
retried once and then shows a Vietnamese message; small exports stay instant."""
import hashlib
import io
import json
import time
import uuid
import zipfile
from contextlib import contextmanager

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app import jobs
from app.extensions import db
from app.jobs import runner
from app.models import Directive, Job, RegisterEntry
from tests.helpers import user_named

REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture(params=["sqlite", "redis"])
def queue(request, live, tmp_path):
    """The demo (live) with a real queue: immediate mode off, its own queue name and storage."""
    settings = {"HUEY_IMMEDIATE": False, "HUEY_NAME": f"test-{uuid.uuid4().hex[:10]}", "JOB_RETRY_DELAY": 0,
                "GENERATED_DIR": str(tmp_path / "generated")}
    if request.param == "redis":
        if not _redis_up():
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        settings.update(REDIS_URL=REDIS_URL)
    else:
        settings.update(REDIS_URL="", HUEY_SQLITE_PATH=str(tmp_path / "huey.db"))
    live.config.update(settings)
    jobs.configure(live)
    assert jobs.huey.immediate is False
    assert type(jobs.huey.storage).__name__ == ("RedisStorage" if request.param == "redis" else "SqliteStorage")
    yield live
    jobs.huey.storage.flush_all()  # this test's queue only
    live.config["HUEY_IMMEDIATE"] = True
    jobs.configure(live)


@contextmanager
def consumer(workers=1):
    """A Huey consumer in threads of this process, as `flask jobs worker` runs one."""
    worker = jobs.huey.create_consumer(workers=workers, worker_type="thread", periodic=False, initial_delay=0.05,
                                       backoff=1.1, max_delay=0.2, check_worker_health=False)
    worker._set_signal_handlers = lambda: None  # signals belong to pytest's main thread
    worker.start()
    try:
        yield worker
    finally:
        worker.stop(graceful=True)


def wait_for(app, job_id, statuses=("done", "failed"), seconds=60) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with app.app_context():
            job = db.session.get(Job, job_id)
            if job.status in statuses:
                db.session.expunge(job)
                return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still {job.status} after {seconds} s")


def only_job(app) -> Job:
    with app.app_context():
        job = db.session.scalars(select(Job)).one()
        db.session.expunge(job)
        return job


def owned_count(app, username="vanphong") -> int:
    from app.clock import local_today
    from app.jobs import exports
    from app.tracking import queries

    with app.app_context():
        user = user_named(username)
        organisation = user.agency.serves_id
        return exports.count_rows(queries.assignment_rows(queries.Filters(), local_today(), 3,
                                                          queries.owned_by(organisation)))


def test_a_large_excel_export_is_a_job_with_progress_and_a_file_for_its_owner(queue, login):
    queue.config["EXCEL_JOB_ROWS"] = 5
    total = owned_count(queue)
    assert total > 5
    office = login("vanphong")
    response = office.get("/theo-doi/nhiem-vu.xlsx")
    assert response.status_code == 302 and response.headers["Location"].endswith("/tep-da-xuat")
    job = only_job(queue)
    assert (job.kind, job.status, job.total) == ("excel", "queued", total)
    page = office.get("/tep-da-xuat").get_data(as_text=True)
    assert "Đang chờ" in page and f'data-job-id="{job.id}"' in page and "data-job-poll" in page
    assert "<script>" not in page  # the polling is static/js/app.js
    with consumer():
        finished = wait_for(queue, job.id)
    assert finished.status == "done", finished.error
    assert (finished.done, finished.total, finished.attempts) == (total, total, 1)
    assert finished.finished_at is not None and finished.result_name.endswith(".xlsx")
    status = office.get(f"/tep-da-xuat/trang-thai?id={job.id}").get_json()["jobs"][0]
    assert status["status"] == "done" and status["percent"] == 100
    download = office.get(status["download"])
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(download.data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[3][0] == "STT" and len(rows) == 4 + total and rows[-1][0] == total
    # someone else neither sees nor downloads it
    notices = office.get("/thong-bao").get_data(as_text=True)  # told, having left the page
    assert "Đã xuất xong “Nhiệm vụ đã giao" in notices and 'href="/tep-da-xuat"' in notices
    other = login("soyte")
    assert other.get(status["download"]).status_code == 404
    assert other.get(f"/tep-da-xuat/trang-thai?id={job.id}").get_json() == {"jobs": []}
    assert f'data-job-id="{job.id}"' not in other.get("/tep-da-xuat").get_data(as_text=True)


def test_a_small_export_stays_instant(live, login):
    office = login("vanphong")
    response = office.get("/theo-doi/nhiem-vu.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    with live.app_context():
        assert db.session.scalar(select(func.count(Job.id))) == 0


def test_a_failed_job_is_retried_once(queue, login, monkeypatch):
    queue.config["EXCEL_JOB_ROWS"] = 0
    calls = []
    real = runner.KINDS["excel"]

    def flaky(job, params, progress):
        calls.append(job.attempts)
        if len(calls) == 1:
            raise OSError("disk hiccup")
        return real(job, params, progress)

    monkeypatch.setitem(runner.KINDS, "excel", flaky)
    office = login("vanphong")
    assert office.get("/theo-doi/nhiem-vu.xlsx").status_code == 302
    job = only_job(queue)
    with consumer():
        finished = wait_for(queue, job.id)
    assert finished.status == "done" and finished.attempts == 2 and len(calls) == 2
    assert finished.error is None


def test_a_job_failing_twice_shows_a_vietnamese_message(queue, login, monkeypatch):
    queue.config["EXCEL_JOB_ROWS"] = 0

    def broken(job, params, progress):
        raise RuntimeError("boom")

    monkeypatch.setitem(runner.KINDS, "excel", broken)
    office = login("vanphong")
    office.get("/theo-doi/nhiem-vu.xlsx")
    job = only_job(queue)
    with consumer():
        finished = wait_for(queue, job.id)
    assert finished.status == "failed" and finished.attempts == 2
    assert finished.error == runner.GENERIC_ERROR and "thử lại" in finished.error
    page = office.get("/tep-da-xuat").get_data(as_text=True)
    assert "Không thành công" in page and "Không tạo được tệp" in page
    assert office.get(f"/tep-da-xuat/{job.id}/tai-ve").status_code == 404
    assert "boom" not in page
    assert "Không tạo được tệp “Nhiệm vụ đã giao" in office.get("/thong-bao").get_data(as_text=True)


def test_the_period_report_above_the_threshold_is_a_job(queue, login):
    queue.config["REPORT_JOB_ROWS"] = 1
    with queue.app_context():
        organisation = user_named("vanphong").agency.serves_id
        directive = db.session.scalar(select(Directive.id).where(Directive.owner_agency_id == organisation,
                                                                 Directive.state == "issued"))
    office = login("vanphong")
    response = office.get(f"/theo-doi/bao-cao?directive={directive}&recipients=Thường+trực+UBND+tỉnh&format=pdf"
                          "&signer_title=CHÁNH+VĂN+PHÒNG&signer_authority_title=&signer_name=Nguyễn+Văn+A")
    assert response.status_code == 302, response.data[:300]
    job = only_job(queue)
    assert job.kind == "report"
    with consumer():
        finished = wait_for(queue, job.id, seconds=120)
    assert finished.status == "done", finished.error
    download = office.get(f"/tep-da-xuat/{job.id}/tai-ve")
    assert download.data[:5] == b"%PDF-" and download.mimetype == "application/pdf"


def _register_letters(app, count: int) -> tuple[int, int]:
    """Outgoing register entries with frozen files (as issuing leaves them) for `count` live directives."""
    from pathlib import Path

    with app.app_context():
        root = Path(app.config["GENERATED_DIR"])
        issuer = user_named("vanphong").agency.serves_id
        directives = db.session.scalars(select(Directive).where(Directive.state == "issued")
                                        .order_by(Directive.id)).all()  # entered in one register for the test
        assert len(directives) >= count
        year = directives[0].issued_date.year
        for sequence, directive in enumerate(directives[:count], start=1):
            files = {}
            for fmt, content in (("pdf", b"%%PDF-1.4 letter %d" % directive.id), ("docx", b"PK docx %d" % directive.id)):
                path = Path("issued") / f"{directive.id}.{fmt}"
                (root / path).parent.mkdir(parents=True, exist_ok=True)
                (root / path).write_bytes(content)
                files[fmt] = (str(path), hashlib.sha256(content).hexdigest())
            db.session.add(RegisterEntry(directive_id=directive.id, agency_id=issuer, year=year, sequence=sequence,
                                         number=f"{sequence:02d}", issued_date=directive.issued_date,
                                         docx_path=files["docx"][0], docx_sha256=files["docx"][1],
                                         pdf_path=files["pdf"][0], pdf_sha256=files["pdf"][1]))
        db.session.commit()
        return issuer, year


def test_a_zip_of_many_letters_is_a_job(queue, login):
    issuer, year = _register_letters(queue, 3)
    queue.config["ZIP_JOB_LETTERS"] = 2
    office = login("vanphong")
    response = office.get(f"/so-van-ban/di/tep-nen?co-quan={issuer}&nam={year}")
    assert response.status_code == 302
    job = only_job(queue)
    assert (job.kind, job.total) == ("letters_zip", 3)
    with consumer():
        finished = wait_for(queue, job.id)
    assert finished.status == "done", finished.error
    archive = zipfile.ZipFile(io.BytesIO(office.get(f"/tep-da-xuat/{job.id}/tai-ve").data))
    names = archive.namelist()
    assert len(names) == 6 and sum(name.endswith(".pdf") for name in names) == 3
    assert archive.read(sorted(n for n in names if n.endswith(".pdf"))[0]).startswith(b"%PDF")


def test_a_few_letters_zip_at_once(live, login, tmp_path):
    live.config["GENERATED_DIR"] = str(tmp_path)
    issuer, year = _register_letters(live, 2)
    response = login("vanphong").get(f"/so-van-ban/di/tep-nen?co-quan={issuer}&nam={year}")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert len(zipfile.ZipFile(io.BytesIO(response.data)).namelist()) == 4


def test_a_job_is_enqueued_only_when_its_transaction_commits(queue, login):
    with queue.app_context():
        user = user_named("vanphong")
        runner.start(user, "excel", "bỏ", {"scope": "owned"})
        db.session.rollback()
        assert len(jobs.huey) == 0  # nothing pending
        job = runner.start(user, "excel", "giữ", {"scope": "owned", "organisation_id": user.agency.serves_id,
                                                   "args": {}, "name": "x", "title": "x"})
        assert len(jobs.huey) == 0
        db.session.commit()
        assert len(jobs.huey) == 1
        assert json.loads(job.params)["scope"] == "owned"


def test_the_status_endpoint_reports_progress_as_json(live, login):
    with live.app_context():
        user = user_named("vanphong")
        job = Job(user_id=user.id, kind="excel", title="Danh sách", status="running", done=250, total=1000)
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    data = login("vanphong").get("/tep-da-xuat/trang-thai").get_json()["jobs"]
    assert data == [{"id": job_id, "status": "running", "label": "Đang xử lý", "done": 250, "total": 1000,
                     "percent": 25, "error": None, "finished": False, "download": None}]


def test_a_job_whose_user_lost_the_right_fails_at_once_with_the_reason(queue, login):
    queue.config["EXCEL_JOB_ROWS"] = 0
    office = login("vanphong")
    office.get("/theo-doi/nhiem-vu.xlsx")
    job = only_job(queue)
    with queue.app_context():
        user = user_named("vanphong")
        user.set_roles([])  # moved to another post before the job ran
        db.session.commit()
    with consumer():
        finished = wait_for(queue, job.id)
    assert finished.status == "failed" and finished.attempts == 1  # not retried: it would fail the same way
    assert finished.error == "Tài khoản không còn quyền xem danh sách này nên tệp không được tạo."


def test_the_excel_writer_keeps_typed_text_as_text():
    """The writer (rustpy-xlsxwriter, constant memory) writes a note that starts with "=" as text, never a
    formula, drops what XML cannot hold, and writes dates as dates."""
    from datetime import date
    from types import SimpleNamespace as Row

    from app.tracking.excel import workbook_bytes

    row = Row(number="01", symbol="UBND-KGVX", issued_date=date(2026, 1, 5), subject="phòng, chống dịch",
              section_number="1", task_text="Kiểm tra\x01 bếp ăn", agency_name="Sở Y tế tỉnh Kon Tum", role="lead",
              original_deadline=date(2026, 5, 1), deadline=date(2026, 6, 1), status="dang_thuc_hien",
              timeliness="trong_han", progress_percent=40, note='=HYPERLINK("http://x","bấm")', completed_date=None)
    sheet = load_workbook(io.BytesIO(workbook_bytes([row], "Danh sách", "Lọc: tất cả")), read_only=False).active
    note = sheet.cell(row=5, column=14)
    assert note.value == '=HYPERLINK("http://x","bấm")' and note.data_type == "s"
    assert sheet.cell(row=5, column=6).value == "Kiểm tra bếp ăn"
    assert sheet.cell(row=5, column=10).value.date() == date(2026, 6, 1)
    assert sheet.cell(row=5, column=10).number_format == "DD/MM/YYYY"
    assert sheet.cell(row=5, column=2).value == "01/UBND-KGVX"
    assert sheet.cell(row=5, column=15).value is None and sheet.cell(row=5, column=13).value == 40



def test_the_excel_writer_with_no_row_or_too_long_a_text():
    """No row: the title, the header and its filter are still there. A text over Excel's 32,767 characters
    a cell is cut there (the writer would refuse the whole workbook)."""
    from datetime import date
    from types import SimpleNamespace as Row

    from app.tracking.excel import MAX_TEXT, workbook_bytes

    sheet = load_workbook(io.BytesIO(workbook_bytes([], "Danh sách", "Lọc: tất cả"))).active
    assert sheet["A1"].value == "DANH SÁCH" and sheet["A2"].value == "Lọc: tất cả"
    assert [cell.value for cell in sheet[4]][:2] == ["STT", "Số, ký hiệu"] and sheet.freeze_panes == "A5"
    assert list(sheet.iter_rows(min_row=5, values_only=True)) == [] and sheet.auto_filter.ref == "A4:O5"
    row = Row(number="01", symbol="UBND-KGVX", issued_date=date(2026, 1, 5), subject="x", section_number=None,
              task_text="ệ" * (MAX_TEXT + 10), agency_name="Sở Y tế", role="lead", original_deadline=None,
              deadline=None, status="chua_thuc_hien", timeliness="khong_thoi_han", progress_percent=0,
              note="😀" * MAX_TEXT, completed_date=None)
    sheet = load_workbook(io.BytesIO(workbook_bytes([row]))).active
    assert sheet.cell(row=5, column=6).value == "ệ" * MAX_TEXT
    assert sheet.cell(row=5, column=14).value == "😀" * (MAX_TEXT // 2)  # two UTF-16 units each

def test_progress_is_visible_while_the_job_runs(queue, login, monkeypatch):
    import threading

    release = threading.Event()

    def slow(job, params, progress):
        progress(3, 10, force=True)
        assert release.wait(30)
        progress(10, 10, force=True)
        return b"ok", "ket-qua.txt"

    monkeypatch.setitem(runner.KINDS, "slow", slow)
    with queue.app_context():
        job_id = runner.start(user_named("vanphong"), "slow", "Việc chậm", {}).id
        db.session.commit()
    office = login("vanphong")
    with consumer():
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            state = office.get(f"/tep-da-xuat/trang-thai?id={job_id}").get_json()["jobs"][0]
            if state["done"] == 3:
                break
            time.sleep(0.05)
        assert (state["status"], state["label"], state["percent"], state["download"]) == ("running", "Đang xử lý", 30, None)
        release.set()
        finished = wait_for(queue, job_id)
    assert finished.status == "done"
    assert office.get(f"/tep-da-xuat/{job_id}/tai-ve").data == b"ok"


def test_the_morning_is_claimed_once_per_day_in_the_queue_storage(queue):
    from datetime import date

    from app.jobs import schedule

    with queue.app_context():
        assert schedule.claim("morning", date(2026, 6, 15)) is True
        assert schedule.claim("morning", date(2026, 6, 15)) is False  # a second consumer, same storage
        assert schedule.claim("morning", date(2026, 6, 16)) is True


def test_the_scheduler_finds_the_morning_and_night_tasks_on_vietnam_time(live):
    from datetime import datetime

    names = lambda stamp: {task.name for task in jobs.huey.read_periodic(stamp)}  # noqa: E731
    assert names(datetime(2026, 6, 15, 0, 0)) == {"morning_task"}  # 07:00 in Việt Nam
    assert names(datetime(2026, 6, 14, 19, 30)) == {"nightly_cleanup"}  # 02:30 in Việt Nam
    assert names(datetime(2026, 6, 15, 7, 0)) == set()


def test_old_exported_files_are_deleted(live, tmp_path):
    from datetime import timedelta
    from pathlib import Path

    from app.clock import utcnow

    live.config["GENERATED_DIR"] = str(tmp_path)
    with live.app_context():
        user = user_named("vanphong")
        for days in (10, 1):
            job = Job(user_id=user.id, kind="excel", title=f"{days}", status="done",
                      finished_at=utcnow() - timedelta(days=days), result_path=f"jobs/{days}/x.xlsx")
            db.session.add(job)
            db.session.flush()
            (tmp_path / "jobs" / str(job.id)).mkdir(parents=True)
            (tmp_path / "jobs" / str(job.id) / "x.xlsx").write_bytes(b"x")
        db.session.commit()
        assert runner.delete_old(7) == 1
        assert [job.title for job in db.session.scalars(select(Job))] == ["1"]
        assert sorted(p.name for p in Path(tmp_path, "jobs").iterdir()) == ["2"]


def test_folders_no_job_owns_are_swept_once_they_are_an_hour_old(live, tmp_path):
    """An upload kept for a job whose row never came (or went another way) is deleted by the nightly
    cleanup; a folder written in the last hour may belong to a job being committed, and stays."""
    import os
    from pathlib import Path

    live.config["GENERATED_DIR"] = str(tmp_path)
    root = tmp_path / "jobs"
    with live.app_context():
        user = user_named("vanphong")
        job = Job(user_id=user.id, kind="ocr", title="ban-quet.pdf", status="queued")
        db.session.add(job)
        db.session.commit()
        two_days_ago = time.time() - 2 * 86400  # file ages are the file system's: set them, never wait
        for name in (str(job.id), "999991", "999992", "stray.tmp"):
            path = root / name
            if name.endswith(".tmp"):
                root.mkdir(parents=True, exist_ok=True)
                path.write_bytes(b"x")
            else:
                path.mkdir(parents=True)
                (path / "ban-quet.pdf").write_bytes(b"%PDF-1.4")
            if name != "999992":
                os.utime(path, (two_days_ago, two_days_ago))
        assert runner.delete_old(7) == 0  # no job is old enough
        assert sorted(p.name for p in Path(root).iterdir()) == sorted([str(job.id), "999992"])
        assert (root / str(job.id) / "ban-quet.pdf").is_file()  # the waiting job keeps its upload


def test_flask_jobs_morning_runs_the_morning_now(live):
    result = live.test_cli_runner().invoke(args=["jobs", "morning", "--date", "2026-06-15"])
    assert result.exit_code == 0, result.output
    assert "Đã chốt 0 bộ số liệu" in result.output


def test_a_job_left_running_by_a_stopped_consumer_is_shown_as_interrupted(live):
    from datetime import timedelta

    from app.clock import utcnow

    with live.app_context():
        user = user_named("vanphong")
        stuck = Job(user_id=user.id, kind="excel", title="cũ", status="running", created_at=utcnow() - timedelta(hours=7))
        fresh = Job(user_id=user.id, kind="excel", title="mới", status="queued")
        db.session.add_all([stuck, fresh])
        db.session.commit()
        assert runner.fail_stale() == 1
        db.session.expire_all()
        assert (stuck.status, stuck.error) == ("failed", runner.INTERRUPTED) and fresh.status == "queued"


def test_flask_jobs_worker_in_its_own_process_does_the_job(queue, login, tmp_path):
    """As `make run` starts it: `flask jobs worker` as a separate process, finding every kind of job."""
    import os
    import signal
    import subprocess
    import sys

    if not queue.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("the worker process is pointed at the test database by DATABASE_URL (SQLite here)")
    queue.config["EXCEL_JOB_ROWS"] = 0
    login("vanphong").get("/theo-doi/nhiem-vu.xlsx")
    job = only_job(queue)
    env = {**os.environ, "DATABASE_URL": queue.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "test-secret",
           "HUEY_NAME": queue.config["HUEY_NAME"], "REDIS_URL": queue.config["REDIS_URL"],
           "HUEY_SQLITE_PATH": queue.config["HUEY_SQLITE_PATH"], "GENERATED_DIR": queue.config["GENERATED_DIR"]}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "jobs", "worker", "--no-periodic"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        finished = wait_for(queue, job.id, seconds=90)
    finally:
        worker.send_signal(signal.SIGINT)  # a graceful stop, as Ctrl+C in make run
        output = worker.communicate(timeout=30)[0].decode()
    assert finished.status == "done", (finished.error, output[-2000:])
    assert "app.jobs.runner.run_job" in output and worker.returncode == 0


def test_a_zip_of_another_organisations_register_is_never_given(live, login, tmp_path):
    live.config["GENERATED_DIR"] = str(tmp_path)
    issuer, year = _register_letters(live, 2)
    outsider = login("soyte")  # Sở Y tế: not the UBND tỉnh's register
    response = outsider.get(f"/so-van-ban/di/tep-nen?co-quan={issuer}&nam={year}")
    assert response.status_code == 302 and "/so-van-ban/di" in response.headers["Location"]
    from urllib.parse import parse_qs, urlsplit

    asked = parse_qs(urlsplit(response.headers["Location"]).query)["co-quan"]
    assert asked != [str(issuer)]  # its own register, which is empty
    assert login("congan.kontum").get(f"/so-van-ban/di/tep-nen?co-quan={issuer}&nam={year}").status_code in (302, 403)
