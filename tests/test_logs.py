"""Logs (app/logs.py) and /healthz (app/health.py).

Each request is one JSON line with its id, user, route, status and duration; an unhandled error is one
JSON line with its traceback and the same request id; a password, a cookie or a form value never
reaches the log."""
import json
import logging

import pytest

from app import create_app, logs
from tests.helpers import Client, csrf_from

SECRET = "Mật-khẩu-bí-mật-7Qz"


@pytest.fixture
def log_file(tmp_path):
    path = tmp_path / "app.log"
    logs.configure(level="INFO", file=str(path), fmt="json")
    yield path
    logs.configure(level="INFO", file="", fmt="json")


def lines(path):
    logging.getLogger().handlers[-1].flush()
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def requests_in(path):
    return [line for line in lines(path) if line["logger"] == "chidao.request"]


def test_every_request_is_one_json_line_without_secrets(demo, log_file):
    browser = Client(demo)
    page = browser.get("/dang-nhap").get_data(as_text=True)
    token = csrf_from(page)
    wrong = browser.client.post("/dang-nhap", data={"csrf_token": token, "username": "vanphong", "password": SECRET,
                                                    "note": "giá trị biểu mẫu " + SECRET})
    assert wrong.status_code == 200
    browser.login("vanphong")
    cookie = browser.client.get_cookie("session").value
    response = browser.get("/van-ban?q=" + SECRET, headers={"X-Request-ID": "proxy-42.a"})
    assert response.status_code == 200 and response.headers["X-Request-ID"] == "proxy-42.a"
    forged = browser.get("/van-ban", headers={"X-Request-ID": 'x", "level": "CRITICAL'})
    assert len(forged.headers["X-Request-ID"]) == 32  # not an id: a new one instead
    too_long = browser.get("/van-ban", headers={"X-Request-ID": "a" * 65})
    assert too_long.headers["X-Request-ID"] != "a" * 65

    text = log_file.read_text(encoding="utf-8")
    for secret in (SECRET, "demo1234", cookie, token, "CRITICAL"):
        assert secret not in text, secret
    records = requests_in(log_file)
    assert [(r["method"], r["path"], r["status"]) for r in records] == [
        ("GET", "/dang-nhap", 200), ("POST", "/dang-nhap", 200),            # the wrong password
        ("GET", "/dang-nhap", 200), ("POST", "/dang-nhap", 302),            # Client.login
        ("GET", "/van-ban", 200), ("GET", "/van-ban", 200), ("GET", "/van-ban", 200)]
    for record in records:
        assert set(record) >= {"time", "level", "request_id", "user_id", "method", "route", "path", "status",
                               "duration_ms"}
        assert isinstance(record["duration_ms"], float) and record["duration_ms"] >= 0
        assert record["level"] == "INFO"
    assert len({r["request_id"] for r in records}) == len(records)
    assert records[1]["user_id"] is None and records[4]["user_id"] is not None
    assert records[4]["request_id"] == "proxy-42.a" and records[4]["route"] == "/van-ban"
    assert records[3]["user_id"] == records[4]["user_id"]  # logged in by the end of the login request


def test_an_unhandled_error_is_logged_with_its_traceback(demo, log_file):
    demo.config["PROPAGATE_EXCEPTIONS"] = False

    def broken():
        raise RuntimeError("hỏng có chủ đích")

    demo.add_url_rule("/hong-co-chu-dich", "broken", broken, methods=["GET", "POST"])
    browser = Client(demo).login("vanphong")
    token = csrf_from(browser.get("/van-ban").get_data(as_text=True))
    response = browser.client.post("/hong-co-chu-dich", data={"csrf_token": token, "password": SECRET},
                                   headers={"X-Request-ID": "err-1"})
    assert response.status_code == 500 and "Lỗi hệ thống" in response.get_data(as_text=True)

    records = lines(log_file)
    errors = [r for r in records if r["level"] == "ERROR" and "exc_info" in r]
    assert len(errors) == 1
    assert errors[0]["request_id"] == "err-1"
    assert "Traceback" in errors[0]["exc_info"] and "RuntimeError: hỏng có chủ đích" in errors[0]["exc_info"]
    request = [r for r in requests_in(log_file) if r["request_id"] == "err-1"]
    assert [(r["status"], r["level"], r["route"]) for r in request] == [(500, "ERROR", "/hong-co-chu-dich")]
    assert SECRET not in log_file.read_text(encoding="utf-8")


def test_level_and_destination_come_from_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "env.log"
    monkeypatch.setenv("LOG_FILE", str(path))
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    try:
        app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
        client = app.test_client()
        client.get("/dang-nhap")            # INFO: below the level
        client.get("/khong-co-trang-nay")   # 404: INFO too
        logging.getLogger("chidao.test").warning("cảnh báo thử")
        logging.getLogger().handlers[-1].flush()
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        assert [(r["level"], r["message"]) for r in records] == [("WARNING", "cảnh báo thử")]
    finally:
        logs.configure(level="INFO", file="", fmt="json")


def test_healthz_answers_without_login_and_checks_the_database(app):
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert "Set-Cookie" not in response.headers
    assert client.head("/healthz").status_code == 200


def test_healthz_is_503_when_the_database_fails(tmp_path, log_file):
    broken = create_app({"TESTING": True, "SECRET_KEY": "x",
                         "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/khong-co/thu-muc/app.db"})
    logs.configure(level="INFO", file=str(log_file), fmt="json")  # create_app set it from the config again
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "error"}
    failures = [r for r in lines(log_file) if r["logger"] == "chidao.health"]
    assert len(failures) == 1 and "unable to open database file" in failures[0]["exc_info"]
    assert [r["status"] for r in requests_in(log_file)] == [503]
