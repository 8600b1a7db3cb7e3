"""Many letters to PDF on every core (app/documents/batch.py), for real: a pool of worker processes
started with 'forkserver'. The batch prints what rendering one by one prints, in the order given; a letter
that cannot be printed stops the batch with a Vietnamese message naming it and leaves the pool usable, and
so does a worker that dies; the ZIP of the letters not yet issued holds every letter, also when the Huey
consumer (threads, as `flask jobs worker`) builds it as a job. No timings here: speed is in the bench."""
import io
import os
import signal
import time
import uuid
import zipfile
from datetime import date
from pathlib import Path

import pytest
from pdfminer.high_level import extract_text
from sqlalchemy import select

from app import jobs
from app.directive_format import directive_to_data, read_directive_file
from app.documents import render
from app.documents.batch import BatchError, BatchLetter, pool, render_pdfs, shutdown
from app.documents.letter import LetterError
from app.extensions import db
from app.models import Directive, Job
from tests.helpers import DIRECTIVES_DIR, user_named

TODAY = date(2024, 1, 15)


def seeds() -> list[dict]:
    return [read_directive_file(path) for path in sorted(DIRECTIVES_DIR.glob("0*.yaml"))]


def text(pdf: bytes) -> str:
    return extract_text(io.BytesIO(pdf))


@pytest.fixture(scope="module", autouse=True)
def own_pool():
    yield
    shutdown()  # this test file's workers go with it


def test_the_batch_prints_the_same_letters_as_one_by_one_in_order():
    data = seeds()
    letters = [BatchLetter(data[index % len(data)], draft=index % 3 == 0, today=TODAY, label=f"thư {index}")
               for index in (4, 0, 3, 1, 2, 0, 3)]
    seen = []
    printed = list(render_pdfs(letters, progress=lambda done, total: seen.append((done, total)), workers=2))
    assert len(printed) == len(letters)
    for letter, pdf in zip(letters, printed):
        alone = render(letter.data, "pdf", draft=letter.draft, today=letter.today)
        assert pdf.startswith(b"%PDF-")
        got, expected = text(pdf), text(alone)
        assert got == expected
        assert ("DỰ THẢO" in got) == letter.draft
    assert seen == [(done, len(letters)) for done in range(1, len(letters) + 1)]
    # different letters, so a batch handing them back out of order could not pass the comparison
    assert len({text(pdf) for pdf in printed}) >= len(data)


def test_plain_directive_dicts_and_a_generator_are_accepted():
    data = seeds()[:3]
    printed = list(render_pdfs((item for item in data), total=3, workers=2))
    assert [text(pdf) for pdf in printed] == [text(render(item, "pdf")) for item in data]


def test_the_batch_takes_its_letters_a_few_at_a_time_so_memory_stays_bounded():
    from app.documents.batch import IN_FLIGHT_PER_WORKER

    data, pulled = seeds(), []

    def letters():
        for index in range(40):
            pulled.append(index)
            yield BatchLetter(data[index % len(data)], today=TODAY)

    taken, printed = [], render_pdfs(letters(), total=40, workers=2)
    for pdf in printed:
        assert pdf.startswith(b"%PDF-")
        taken.append(len(pulled))
        if len(taken) == 3:
            break
    printed.close()  # the caller stopped reading: what is still in flight is cancelled
    window = 2 * IN_FLIGHT_PER_WORKER
    assert taken == [window, window + 1, window + 2]  # never more than the window ahead of the caller


def test_a_letter_that_cannot_be_printed_names_itself_in_vietnamese_and_the_pool_goes_on():
    data = seeds()
    broken = dict(data[1], subject="", signer={})
    letters = [BatchLetter(data[0], today=TODAY), BatchLetter(broken, today=TODAY, label="Công văn về kiểm tra"),
               *[BatchLetter(item, today=TODAY) for item in data]]
    with pytest.raises(BatchError) as raised:
        list(render_pdfs(letters, workers=2))
    error = raised.value
    assert isinstance(error, LetterError)  # a job shows its message as it is, without a retry
    assert error.index == 1
    message = str(error)
    assert message.startswith("Không in được văn bản thứ 2 (Công văn về kiểm tra): ")
    assert "trích yếu" in message.lower()
    # the same workers print the next batch
    workers = set(pool(2)._processes)
    again = list(render_pdfs([BatchLetter(item, today=TODAY) for item in data], workers=2))
    assert [text(pdf) for pdf in again] == [text(render(item, "pdf", today=TODAY)) for item in data]
    assert set(pool(2)._processes) & workers


def test_a_worker_that_dies_fails_the_batch_with_a_message_and_the_next_batch_gets_new_workers():
    data = seeds()
    letters = [BatchLetter(data[index % len(data)], today=TODAY) for index in range(12)]
    printed = render_pdfs(letters, workers=2)
    assert next(printed).startswith(b"%PDF-")
    victims = list(pool(2)._processes)
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    with pytest.raises(BatchError) as raised:
        list(printed)
    assert "dừng đột ngột" in str(raised.value)
    again = list(render_pdfs(letters[:4], workers=2))
    assert [text(pdf) for pdf in again] == [text(render(item.data, "pdf", today=TODAY)) for item in letters[:4]]
    assert not set(pool(2)._processes) & set(victims)


# --- the ZIP of the letters not yet issued ----------------------------------------------------------

def _drafts(app, count: int) -> tuple[int, list[str]]:
    """`count` drafts of the office's organisation (copies of its seed, each with its own subject) next to
    the approved seed; returns the organisation and the subjects, oldest first."""
    from app.directives.service import resolve_assignees, save_directive

    with app.app_context():
        user = user_named("vanphong")
        organisation = user.agency.serves_id
        source = db.session.scalars(select(Directive).where(Directive.owner_agency_id == organisation)).one()
        for number in range(1, count + 1):
            data = directive_to_data(source)
            data.update(number=None, date=None, subject=f"{source.subject} (bản sao số {number})")
            resolve_assignees(data, source.issuer_agency)
            for section in data["sections"]:
                section["assignees"] = [a for a in section["assignees"] if a["target"] is not None]
            save_directive(None, data, user, source.issuer_agency, owner=source.owner_agency)
        db.session.commit()
        rows = db.session.scalars(select(Directive).where(Directive.owner_agency_id == organisation)
                                  .order_by(Directive.id)).all()
        return organisation, [(row.subject, row.state) for row in rows]


def _check_archive(content: bytes, expected: list[tuple[str, str]]):
    archive = zipfile.ZipFile(io.BytesIO(content))
    names = archive.namelist()
    pdfs = [name for name in names if name.endswith(".pdf")]
    assert len(names) == 2 * len(expected) and len(pdfs) == len(expected)
    for index, (name, (subject, state)) in enumerate(zip(pdfs, expected), start=1):
        assert name.startswith(f"{index:04d}-") and f"{Path(name).stem}.docx" in names
        printed = " ".join(text(archive.read(name)).split())
        assert " ".join(subject.split())[:60] in printed
        assert ("DỰ THẢO" in printed) == (state in ("draft", "submitted"))


def test_a_few_letters_not_yet_issued_zip_at_once(demo, login):
    organisation, expected = _drafts(demo, 2)
    assert [state for _subject, state in expected] == ["approved", "draft", "draft"]
    response = login("vanphong").get(f"/so-van-ban/di/tep-nen-chua-cap-so?co-quan={organisation}")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    _check_archive(response.data, expected)


def test_many_letters_not_yet_issued_are_a_job_printed_by_the_pool_in_the_consumer(demo, login, tmp_path):
    demo.config.update(HUEY_IMMEDIATE=False, HUEY_NAME=f"test-{uuid.uuid4().hex[:10]}", JOB_RETRY_DELAY=0,
                       GENERATED_DIR=str(tmp_path / "generated"), REDIS_URL="",
                       HUEY_SQLITE_PATH=str(tmp_path / "huey.db"), ZIP_JOB_LETTERS=3)
    jobs.configure(demo)
    try:
        organisation, expected = _drafts(demo, 5)
        office = login("vanphong")
        response = office.get(f"/so-van-ban/di/tep-nen-chua-cap-so?co-quan={organisation}")
        assert response.status_code == 302
        with demo.app_context():
            job = db.session.scalars(select(Job)).one()
            assert (job.kind, job.total) == ("drafts_zip", 6)
            job_id = job.id
        consumer = jobs.huey.create_consumer(workers=1, worker_type="thread", periodic=False, initial_delay=0.05,
                                             backoff=1.1, max_delay=0.2, check_worker_health=False)
        consumer._set_signal_handlers = lambda: None
        consumer.start()
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                with demo.app_context():
                    job = db.session.get(Job, job_id)
                    if job.status in ("done", "failed"):
                        break
                time.sleep(0.1)
        finally:
            consumer.stop(graceful=True)
        assert (job.status, job.error, job.done, job.total) == ("done", None, 6, 6)
        _check_archive(office.get(f"/tep-da-xuat/{job_id}/tai-ve").data, expected)
    finally:
        jobs.huey.storage.flush_all()
        demo.config["HUEY_IMMEDIATE"] = True
        jobs.configure(demo)


def test_a_letter_that_cannot_be_printed_stops_the_zip_with_its_name(demo, login, tmp_path):
    from app.jobs import exports

    organisation, _expected = _drafts(demo, 3)
    with demo.app_context():
        broken = db.session.scalars(select(Directive).where(Directive.owner_agency_id == organisation)
                                    .order_by(Directive.id.desc())).first()
        broken.subject = ""
        db.session.commit()
        with pytest.raises(LetterError) as raised:
            exports.drafts_zip(user_named("vanphong"), organisation)
    message = str(raised.value)
    assert message.startswith("Không in được văn bản thứ 4 (Công văn chưa cấp số): ")
    assert "thiếu trích yếu" in message
