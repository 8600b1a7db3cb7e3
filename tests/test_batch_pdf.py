"""Many letters to PDF on every core (app/documents/batch.py), for real: a pool of worker processes
started with 'forkserver'. The batch prints what rendering one by one prints, in the order given; a letter
that cannot be printed stops the batch with a Vietnamese message naming it and leaves the pool usable, and
so does a worker that dies; the ZIP of the letters not yet issued holds every letter, also when the Huey
consumer (threads, as `flask jobs worker`) builds it as a job. No timings here: speed is in the bench."""
import io
import os
import signal
from datetime import date

import pytest
from pdfminer.high_level import extract_text

from app.directive_format import read_directive_file
from app.documents import render
from app.documents.batch import BatchError, BatchLetter, pool, render_pdfs, shutdown
from app.documents.letter import LetterError
from tests.helpers import DIRECTIVES_DIR

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
