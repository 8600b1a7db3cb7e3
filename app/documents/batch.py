"""Many letters to PDF at once, on every core.

    from app.documents.batch import BatchLetter, render_pdfs
    for pdf in render_pdfs([BatchLetter(data, draft=True, label="Công văn về …"), …], progress=progress):
        …  # the PDFs, in the order given

A pool of os.cpu_count() worker processes (concurrent.futures.ProcessPoolExecutor), kept for the life of
the process that uses it (the job worker): the letter fonts are registered with ReportLab once
and a small letter printed (`_warm`, in the fork server or else in each worker's initializer), then each
worker builds and prints the letters it is given exactly as `app.documents.render(data, "pdf", …)` does. At most two letters per worker are in flight and every PDF is
handed back as soon as it and those before it are done, so memory stays bounded whatever the batch size.

The workers are started with 'forkserver': the job worker runs Huey's consumer in threads, and forking a
process that has other threads running ('fork') may copy a lock another thread holds (logging, SQLite) and deadlock the child. The fork server is a fresh single-threaded interpreter that warms up
once (app/documents/batch_preload.py); each worker is forked from it already warm, so starting one, or
replacing one after MAX_LETTERS_PER_WORKER letters, is quick. (`bench/export_bench.py --start-methods`
compares it with 'spawn' and 'fork'.)

A letter that cannot be printed stops the batch with a BatchError (a LetterError: the job shows its
Vietnamese message as it is) naming the letter; the other letters in flight are cancelled or finish, and the
pool stays usable. A worker that dies (killed, out of memory) breaks the pool: it is dropped, the next batch
starts a new one, and the caller gets a BatchError too.
"""
from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date

from app.documents.letter import LetterError

START_METHOD = "forkserver"
IN_FLIGHT_PER_WORKER = 2  # enough to keep every worker busy while the caller takes a finished PDF
MAX_LETTERS_PER_WORKER = 1000  # a worker is replaced after this many letters, so no slow growth lasts
LETTER_TIMEOUT = 300  # seconds one letter may take (the longest report of hundreds of pages takes well under)


@dataclass(frozen=True)
class BatchLetter:
    """One letter of a batch: the directive format and the options of `app.documents.render`; `label`
    names it in an error message (its subject, its number)."""

    data: dict
    draft: bool = False
    today: date | None = None
    appendix: object = None
    label: str = ""


class BatchError(LetterError):
    """A letter of the batch could not be printed; the message (Vietnamese) says which one and why."""

    def __init__(self, message: str, index: int | None = None, problems: list[str] | None = None):
        ValueError.__init__(self, message)
        self.problems = problems or [message]
        self.index = index


# --- in the worker ------------------------------------------------------------------------------------

# A small letter printed once before the first real one (by the fork server, or else by each worker): the
# faces parsed, the layout's code paths taken (Kính gửi, a section, Nơi nhận).
WARM_LETTER = {
    "doc_type": "cong_van", "issuer": ["ỦY BAN NHÂN DÂN", "TỈNH MẪU"], "number": None, "symbol": "UBND-VP",
    "place": "Mẫu", "date": None, "subject": "chuẩn bị bộ in văn bản", "urgency": None,
    "recipients": ["Các Sở, ban ngành", "Ủy ban nhân dân các huyện"],
    "preamble": "Để in nhanh các văn bản, Ủy ban nhân dân tỉnh yêu cầu:",
    "sections": [{"number": "1", "heading": "Các cơ quan, đơn vị:", "assignees": [],
                  "tasks": [{"text": "Thực hiện nghiêm túc, đúng thời hạn.", "deadline": None},
                            {"text": "Báo cáo kết quả về Văn phòng.", "deadline": None}]}],
    "closing": "Đề nghị các cơ quan, đơn vị thực hiện./.", "cc": ["Như trên", "Lưu: VT"],
    "signer": {"authority": "TM.", "authority_title": "ỦY BAN NHÂN DÂN", "title": "CHỦ TỊCH", "name": "Nguyễn Văn A"},
}


_warmed: list = []  # not empty once this process has warmed up (inherited by a worker forked after it)


def _warm() -> None:
    """Worker initializer (and the fork server's preload): the fonts registered with ReportLab, one letter
    printed (with and without the DỰ THẢO mark), then everything alive so far frozen out of the garbage
    collector's sweeps: the font tables and the modules live as long as the worker."""
    import gc

    from app.documents import pdf_canvas, render

    if _warmed:  # forked from the fork server, which warmed up once for every worker
        return
    pdf_canvas.faces()  # LETTER_FONT_DIR comes with the environment the fork server started with
    for draft in (True, False):
        try:
            render(WARM_LETTER, "pdf", draft=draft)
        except Exception:  # noqa: BLE001 - a warm-up only: a real letter will say what is wrong
            pass
    gc.collect()
    gc.freeze()
    _warmed.append(True)


def _render_one(letter: BatchLetter) -> tuple[bool, object]:
    """(True, PDF bytes) or (False, (Vietnamese problems or None, technical text)): never raises, so an
    exception that does not pickle cannot break the pool."""
    from app.documents import render

    try:
        return True, render(letter.data, "pdf", draft=letter.draft, today=letter.today, appendix=letter.appendix)
    except LetterError as error:
        return False, (list(error.problems), str(error))
    except Exception as error:  # noqa: BLE001 - reported to the caller with the letter's name
        return False, (None, f"{type(error).__name__}: {error}")


# --- the pool -----------------------------------------------------------------------------------------

_lock = threading.Lock()
_state: dict = {"pool": None, "pid": None, "workers": 0}


def worker_count() -> int:
    return max(1, os.cpu_count() or 1)


def _context():
    context = multiprocessing.get_context(START_METHOD)
    if START_METHOD == "forkserver":
        # imported once in the fork server, which warms up: each worker forked from it starts warm
        context.set_forkserver_preload(["app.documents.batch_preload"])
    return context


def pool(workers: int | None = None) -> ProcessPoolExecutor:
    """The process's pool, started on first use (and again after fork, or after a worker died)."""
    workers = workers or worker_count()
    with _lock:
        current = _state["pool"]
        if current is not None and (_state["pid"] != os.getpid() or _state["workers"] != workers):
            if _state["pid"] == os.getpid():
                current.shutdown(wait=False, cancel_futures=True)
            current = None
        if current is None:
            recycle = None if START_METHOD == "fork" else MAX_LETTERS_PER_WORKER  # 'fork' cannot replace workers
            current = ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=_warm,
                                          max_tasks_per_child=recycle)
            _state.update(pool=current, pid=os.getpid(), workers=workers)
        return current


def start(workers: int | None = None) -> int:
    """Start the pool and wait until every worker is warm (a job worker may call it when it starts, so
    the first batch does not pay for it); returns the number of workers."""
    executor = pool(workers)
    count = _state["workers"]
    list(executor.map(_ping, range(count * 2)))
    return count


def _ping(_index: int) -> int:
    return os.getpid()


def shutdown() -> None:
    with _lock:
        current, pid = _state["pool"], _state["pid"]
        _state.update(pool=None, pid=None, workers=0)
    if current is not None and pid == os.getpid():
        current.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown)


def _drop_broken(executor: ProcessPoolExecutor) -> None:
    with _lock:
        if _state["pool"] is executor:
            _state.update(pool=None, pid=None, workers=0)
    executor.shutdown(wait=False, cancel_futures=True)


# --- the API ------------------------------------------------------------------------------------------

def _name(letter: BatchLetter, index: int) -> str:
    return f"văn bản thứ {index + 1}" + (f" ({letter.label})" if letter.label else "")


def render_pdfs(letters: Iterable[BatchLetter | dict], progress: Callable[[int, int], None] | None = None,
                total: int | None = None, workers: int | None = None) -> Iterator[bytes]:
    """The PDF of each letter, in the order given, printed on every core. A plain dict is a directive
    with the default options. progress(done, total) is called after each PDF (total: len(letters) when it
    has one, else the `total` given, else 0). workers=1 prints in this process, one by one."""
    if total is None:
        total = len(letters) if hasattr(letters, "__len__") else 0
    items = (letter if isinstance(letter, BatchLetter) else BatchLetter(letter) for letter in letters)
    workers = workers or worker_count()
    if workers == 1 or (total == 1):
        yield from _inline(items, progress, total)
        return
    yield from _pooled(items, progress, total, workers)


def _inline(items, progress, total) -> Iterator[bytes]:
    for index, letter in enumerate(items):
        yield _result(letter, index, _render_one(letter))
        if progress:
            progress(index + 1, total)


def _pooled(items, progress, total, workers) -> Iterator[bytes]:
    executor = pool(workers)
    pending: deque = deque()
    window = workers * IN_FLIGHT_PER_WORKER
    done = 0
    try:
        for index, letter in enumerate(items):
            try:
                future = executor.submit(_render_one, letter)
            except (BrokenProcessPool, RuntimeError) as error:  # a worker died before this letter went out
                _drop_broken(executor)
                raise BatchError(f"Tiến trình in PDF dừng đột ngột trước khi in {_name(letter, index)}; bộ in "
                                 "sẽ được khởi động lại, vui lòng xuất lại.", index) from error
            pending.append((index, letter, future))
            if len(pending) >= window:
                yield _take(pending, executor)
                done += 1
                if progress:
                    progress(done, total)
        while pending:
            yield _take(pending, executor)
            done += 1
            if progress:
                progress(done, total)
    finally:  # a failed letter, or a caller that stopped reading: nothing left running for nobody
        for _index, _letter, future in pending:
            future.cancel()


def _take(pending: deque, executor: ProcessPoolExecutor) -> bytes:
    index, letter, future = pending.popleft()
    try:
        outcome = future.result(timeout=LETTER_TIMEOUT)
    except BrokenProcessPool as error:
        _drop_broken(executor)
        raise BatchError(f"Tiến trình in PDF dừng đột ngột khi in {_name(letter, index)}; bộ in sẽ được khởi "
                         "động lại, vui lòng xuất lại.", index) from error
    except TimeoutError as error:  # a worker stuck on one letter: stop it rather than wait for ever
        _kill(executor)
        raise BatchError(f"In {_name(letter, index)} quá {LETTER_TIMEOUT} giây nên đã dừng; vui lòng xuất lại "
                         "hoặc báo quản trị.", index) from error
    return _result(letter, index, outcome)


def _kill(executor: ProcessPoolExecutor) -> None:
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        process.kill()
    _drop_broken(executor)


def _result(letter: BatchLetter, index: int, outcome) -> bytes:
    ok, value = outcome
    if ok:
        return value
    problems, technical = value
    if problems is not None:
        raise BatchError(f"Không in được {_name(letter, index)}: " + "; ".join(problems) + ".", index, problems)
    raise BatchError(f"Không in được {_name(letter, index)} do lỗi khi tạo PDF ({technical}).", index)
