"""What the benches that drive the production server share: a PostgreSQL database of their own,
gunicorn started as `make run` starts it (gunicorn.conf.py), and HTTP users that log in through the form.

Used by bench/load.py and bench/tracking_bench.py.
"""
import gzip
import http.cookiejar
import re
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnDatabase:
    """A database of its own on the PostgreSQL server at `server_url` (any database there: the
    connection only creates and drops); `url` is the new database's. `drop()` removes it even when
    connections are still open (WITH (FORCE))."""

    def __init__(self, server_url: str, prefix: str):
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        self.name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        self.admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        self.url = make_url(server_url).set(database=self.name).render_as_string(hide_password=False)

    def drop(self) -> None:
        from sqlalchemy import text

        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


def start_gunicorn(env: dict, log_path: Path, web_workers: int | None = None) -> subprocess.Popen:
    """gunicorn with the repository's gunicorn.conf.py (workers, threads, gc.freeze as in production);
    WEB_WORKERS unset keeps the production default (2 × cores + 1, at most 8)."""
    log = open(log_path, "ab")
    if web_workers:
        env = {**env, "WEB_WORKERS": str(web_workers)}
    return subprocess.Popen([str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py"], cwd=ROOT, env=env,
                            stdout=log, stderr=log)


def wait_until_up(base: str, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn stopped")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not answer")


def stop(processes, timeout: float = 30) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class User:
    """One browser: a cookie jar, redirects not followed (a 302 is an answer of its own)."""

    def __init__(self, base: str, username: str, password: str, headers: dict | None = None):
        self.base, self.username, self.password = base, username, password
        self.headers = headers or {}
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  NoRedirect())

    def fetch(self, path: str, data: dict | None = None) -> tuple[int, bytes, str]:
        """(status, body as sent, its Content-Encoding or "")."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=self.headers)
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.read(), response.headers.get("Content-Encoding", "")
        except urllib.error.HTTPError as error:
            return error.code, error.read(), error.headers.get("Content-Encoding", "")

    def get(self, path: str, data: dict | None = None) -> tuple[int, str]:
        status, body, encoding = self.fetch(path, data)
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        return status, body.decode(errors="replace")

    def login(self) -> None:
        status, page = self.get("/dang-nhap")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        status, _ = self.get("/dang-nhap", {"csrf_token": token, "username": self.username,
                                            "password": self.password})
        if status != 302:
            raise SystemExit(f"{self.username}: đăng nhập không được (HTTP {status})")

    def first_link(self, path: str, pattern: str) -> str | None:
        _status, page = self.get(path)
        match = re.search(pattern, page)
        return match.group(0).rstrip('"') if match else None
