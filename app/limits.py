"""Parsing a file someone uploaded, under a time and memory limit.

A PDF whose content stream inflates (12 KB that expands to 4 MB of drawing operators takes
pdfminer 30 s) or a crafted archive must not hold a server thread for minutes or take the
machine's memory. Every parse of an uploaded file runs in a forked child process with an
address-space limit and a deadline; past either, the child is killed and the caller gets
LimitExceeded, which views turn into a Vietnamese message.

Work that knows it needs longer (OCR of a scan: seconds per page) asks for more time with
`extend()`, up to a ceiling, instead of every upload getting the larger budget.
"""
import importlib
import multiprocessing
import os
import resource
import time
import traceback
from contextvars import ContextVar

DEFAULT_SECONDS = 20.0
DEFAULT_MEGABYTES = 1024
MAX_SECONDS = 300.0

_channel: ContextVar = ContextVar("limits_channel", default=None)
_relays: dict = {}  # "module:function" -> the function the parent calls when the child relays (progress)


class LimitExceeded(Exception):
    """The parse took longer or needed more memory than allowed; `kind` is "time" or "memory"."""

    def __init__(self, kind: str, limit: float):
        super().__init__(kind, limit)
        self.kind, self.limit = kind, limit

    @property
    def message(self) -> str:
        if self.kind == "time":
            return (f"Tệp cần xử lý quá lâu (quá {self.limit:.0f} giây) nên đã dừng: tệp có thể bị hỏng hoặc "
                    "được tạo để làm treo máy chủ. Hãy lưu lại tệp (ví dụ in ra PDF mới) rồi thử lại.")
        return (f"Tệp cần quá nhiều bộ nhớ để đọc (quá {self.limit:.0f} MB) nên đã dừng: tệp có thể bị hỏng. "
                "Hãy lưu lại tệp rồi thử lại.")


class ChildFailed(Exception):
    """The child raised an exception that could not be sent back as itself."""


def settings() -> tuple[float, int]:
    """(seconds, megabytes) from the application's configuration when there is one."""
    try:
        from flask import current_app

        config = current_app.config
        return float(config.get("PARSE_SECONDS", DEFAULT_SECONDS)), int(config.get("PARSE_MEGABYTES",
                                                                                   DEFAULT_MEGABYTES))
    except RuntimeError:  # outside an application (command line, benchmarks)
        return DEFAULT_SECONDS, DEFAULT_MEGABYTES


def extend(seconds: float) -> None:
    """Ask for `seconds` more (called inside the child; nothing happens outside a limited run)."""
    channel = _channel.get()
    if channel is not None:
        channel.send(("extend", float(seconds)))


def _handler(name: str):
    """"package.module:function", imported here if the parent has not loaded it yet (the child may have
    imported a module, OCR for instance, that the parent never needed)."""
    if name not in _relays:
        module, _, attribute = name.partition(":")
        _relays[name] = getattr(importlib.import_module(module), attribute)
    return _relays[name]


def relay(name: str, *args) -> None:
    """Call `name` ("package.module:function") in the parent: progress a user watches, which the child
    cannot show itself (its stdout and state are copies, lost when it ends). Outside a limited run it is
    called here."""
    channel = _channel.get()
    if channel is not None:
        channel.send(("relay", (name, args)))
    else:
        _handler(name)(*args)


def run(func, *args, seconds: float | None = None, megabytes: int | None = None, **kwargs):
    """func(*args, **kwargs) in a child process; its result, or its exception raised here."""
    default_seconds, default_megabytes = settings()
    seconds = default_seconds if seconds is None else seconds
    megabytes = default_megabytes if megabytes is None else megabytes
    context = multiprocessing.get_context("fork")  # no re-import: the child starts warm, in milliseconds
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, megabytes, seconds, func, args, kwargs), daemon=True)
    child.start()
    sender.close()
    start = time.monotonic()
    deadline, ceiling = start + seconds, start + MAX_SECONDS
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not receiver.poll(left):
                if time.monotonic() >= deadline:
                    raise LimitExceeded("time", deadline - start)
                continue
            try:
                kind, value = receiver.recv()
            except EOFError:  # died without a word: killed by a limit (SIGKILL, SIGXCPU) or crashed
                child.join(1)
                if child.exitcode in (-9, -24):
                    raise LimitExceeded("memory" if child.exitcode == -9 else "time",
                                        megabytes if child.exitcode == -9 else seconds) from None
                raise ChildFailed(f"exit code {child.exitcode}") from None
            if kind == "extend":
                deadline = min(ceiling, deadline + value)
            elif kind == "relay":
                _handler(value[0])(*value[1])
            elif kind == "memory":
                raise LimitExceeded("memory", megabytes)
            elif kind == "ok":
                return value
            else:
                raise value
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(5)


def _child(sender, megabytes: int, seconds: float, func, args, kwargs) -> None:
    """In the child: lower the limits, run, send back one message; never touch the parent's sockets."""
    _channel.set(sender)
    used = _address_space_bytes()
    budget = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (used + budget, used + budget))
    cpu = int(MAX_SECONDS + 5)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    try:
        message = ("ok", func(*args, **kwargs))
    except MemoryError:
        message = ("memory", None)
    except BaseException as error:  # sent back and raised in the parent as it was
        message = ("error", error)
    try:
        sender.send(message)
    except MemoryError:
        sender.send(("memory", None))
    except Exception:  # an exception or result that does not pickle
        sender.send(("error", ChildFailed(traceback.format_exc(limit=3))))
    finally:
        sender.close()
        os._exit(0)  # no atexit, no finalizers: the database connections belong to the parent


def _address_space_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
