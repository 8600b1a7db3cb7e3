"""The real server: gunicorn (gunicorn.conf.py) with several workers on one SQLite file.

Each test starts gunicorn in a child process on a free port, against a database prepared here with the
demo data, and talks to it over HTTP like a browser (cookies, CSRF tokens, no redirects followed)."""
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text

from app import create_app
from app.extensions import db
from app.loader import load_path
from tests.helpers import DIRECTIVES_DIR, ROOT, csrf_from, go_live

GUNICORN = Path(sys.executable).parent / "gunicorn"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One user's cookies; every answer is (status, headers, text), errors included."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())

    def request(self, path, data=None, headers=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            with self.opener.open(req, timeout=120) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode(errors="replace")

    def post_form(self, path, data, page=None):
        status, _, html = self.request(page or path)
        assert status == 200, (page or path, status)
        return self.request(path, {"csrf_token": csrf_from(html), **data})

    def login(self, username, password="demo1234"):
        status, _, html = self.post_form("/dang-nhap", {"username": username, "password": password})
        assert status == 302, (username, status, html[:300])
        return status


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database(url: str, folder: Path) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "server-test",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "GENERATED_DIR": str(folder / "generated")})
    with app.app_context():
        db.create_all()
        load_path(DIRECTIVES_DIR)
        db.session.commit()
    go_live(app)
    with app.app_context():
        db.engine.dispose()


class Server:
    def __init__(self, folder: Path, url: str, workers: int = 4, threads: int = 4, extra_env=None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = folder / "server.log"
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "server-test", "HOST": "127.0.0.1",
               "PORT": str(self.port), "WEB_WORKERS": str(workers), "WEB_THREADS": str(threads),
               "GENERATED_DIR": str(folder / "generated"), "STORAGE_DIR": str(folder / "storage"),
               "UPLOAD_DIR": str(folder / "uploads"), **(extra_env or {})}
        self.stream = open(self.log, "wb")
        self.process = subprocess.Popen([str(GUNICORN), "-c", "gunicorn.conf.py"], cwd=ROOT, env=env,
                                        stdout=self.stream, stderr=subprocess.STDOUT)
        self.wait_until_up()

    def wait_until_up(self):
        for _ in range(600):  # up to 60 s: four workers import the renderers on a busy machine
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    pass
                status, _, body = Browser(self.base).request("/healthz")
                if status == 200:
                    assert json.loads(body) == {"status": "ok", "database": "ok"}
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError("gunicorn did not answer: " + self.log.read_text()[-3000:])

    def worker_pids(self) -> set[int]:
        return {int(pid) for pid in re.findall(r"Booting worker with pid: (\d+)", self.log.read_text())}

    def stop(self) -> str:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.stream.close()
        return self.log.read_text()


@pytest.fixture
def sqlite_server(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    prepare_database(url, tmp_path)
    server = Server(tmp_path, url)
    yield server, url
    server.stop()


# organisations with a live seed, each followed by its own office: their snapshots do not collide
OFFICES = ["vanphong", "iahdrai.vp", "daklak.vp", "xuyenmoc.kh"]
LOGINS = ["soyte", "cdc.kontum", "congan.kontum", "langson.vp"]


@pytest.mark.clock("now")  # the server runs on the machine's clock; the seeds are issued on the same day
def test_four_workers_take_concurrent_writes_on_sqlite(sqlite_server):
    server, url = sqlite_server
    rounds = 6

    def office(username):
        browser = Browser(server.base)
        statuses = [browser.login(username)]
        for _ in range(rounds):
            status, headers, _ = browser.post_form("/theo-doi/chot-so-lieu", {"cutoff": ""}, page="/theo-doi")
            statuses.append(status)
            assert "/theo-doi" in headers.get("Location", ""), headers
        return statuses

    def logins(username):
        return [Browser(server.base).login(username) for _ in range(rounds)]

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(OFFICES) + len(LOGINS)) as pool:
        futures = [pool.submit(office, name) for name in OFFICES] + [pool.submit(logins, name) for name in LOGINS]
        statuses = [status for future in futures for status in future.result()]
    print(f"{len(statuses)} writes from {len(OFFICES) + len(LOGINS)} browsers in {time.perf_counter() - started:.1f} s")
    log = server.stop()
    assert len(server.worker_pids()) == 4, log[-2000:]
    assert set(statuses) == {302}, statuses
    assert "database is locked" not in log and "Traceback" not in log, log[-3000:]

    engine = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
    with engine.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            snapshots = conn.execute(text("SELECT count(*) FROM snapshots")).scalar()
            logins_logged = conn.execute(text("SELECT count(*) FROM audit_events WHERE action = 'auth.login'")).scalar()
            taken = conn.execute(text("SELECT count(*) FROM audit_events WHERE action = 'snapshot.take'")).scalar()
        db.engine.dispose()
    assert snapshots == len(OFFICES)  # one per organisation and day, taken again each round
    assert taken == len(OFFICES) * rounds
    assert logins_logged == len(OFFICES) + len(LOGINS) * rounds


def test_gunicorn_headers_and_json_log_lines(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    prepare_database(url, tmp_path)
    log_file = tmp_path / "app.log"
    server = Server(tmp_path, url, workers=2, threads=2, extra_env={"LOG_FILE": str(log_file)})
    paths = ("/dang-nhap", "/van-ban", "/static/css/app.css", "/khong-co")
    try:
        for path in paths:
            status, headers, _ = Browser(server.base).request(path, headers={"X-Request-ID": "gunicorn-" + path[1:5]})
            servers = headers.get_all("Server") or []
            assert servers == ["chidao"], (path, servers)
            assert headers["Content-Security-Policy"].startswith("default-src 'self'")
            assert headers["X-Content-Type-Options"] == "nosniff"
    finally:
        output = server.stop()
    records = [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines()]
    requests = [r for r in records if r.get("request_id", "").startswith("gunicorn-")]
    assert [(r["path"], r["status"]) for r in requests] == list(zip(paths, (200, 302, 200, 404)))
    assert all(r["duration_ms"] >= 0 and r["method"] == "GET" for r in requests)
    booted = [json.loads(line) for line in output.splitlines() if "Booting worker" in line]
    assert len(booted) == 2 and booted[0]["logger"] == "gunicorn.error"  # gunicorn's own lines are JSON too


def test_development_server_names_neither_werkzeug_nor_python(app):
    from threading import Thread

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for path in ("/dang-nhap", "/van-ban", "/khong-co"):
            _, headers, _ = Browser(f"http://127.0.0.1:{server.server_port}").request(path)
            assert headers.get_all("Server") == ["chidao"], headers.get_all("Server")
    finally:
        server.shutdown()


@pytest.mark.clock("now")
def test_backup_while_four_workers_write_is_consistent(sqlite_server, tmp_path):
    """Backups taken while the server writes: each restores elsewhere with every row count and hash right."""
    from app import backup

    server, url = sqlite_server
    config = {"SECRET_KEY": "x", "STORAGE_DIR": str(tmp_path / "storage"), "GENERATED_DIR": str(tmp_path / "generated")}
    source = create_app({**config, "SQLALCHEMY_DATABASE_URI": url})

    def office(username):
        browser = Browser(server.base)
        browser.login(username)
        return [browser.post_form("/theo-doi/chot-so-lieu", {"cutoff": ""}, page="/theo-doi")[0] for _ in range(5)]

    archives = []
    with ThreadPoolExecutor(max_workers=len(OFFICES)) as pool:
        futures = [pool.submit(office, name) for name in OFFICES]
        with source.app_context():
            for number in range(3):
                archives.append(backup.create(tmp_path / f"b{number}.tar.gz"))
            db.engine.dispose()
        statuses = [status for future in futures for status in future.result()]
    assert set(statuses) == {302}
    assert "database is locked" not in server.stop()
    for number, (archive, manifest) in enumerate(archives):
        target = create_app({**config, "STORAGE_DIR": str(tmp_path / f"r{number}"),
                             "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / f'r{number}.db'}"})
        with target.app_context():
            assert backup.restore(archive)["rows"] == sum(manifest["database"]["tables"].values())
            with db.engine.connect() as conn:
                assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            db.engine.dispose()
