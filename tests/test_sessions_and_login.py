"""Logging in and out on a server others can reach (issue 11, defects 3 and 4, and the `next` of 7):
wrong passwords are throttled per account and per address, an unknown name costs the same check,
and logout, a new password, an admin's reset and a lock end every session of that user, remember
cookies included. The CSRF token changes at login and logout and expires."""
import json
import subprocess
import sys
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import create_app
from app.admin.service import update_user
from app.auth import throttle
from app.extensions import db
from app.models import User
from tests.helpers import ROOT, Client, csrf_from

PASSWORD = "demo1234"


def user(username):
    return db.session.scalar(select(User).where(User.username == username))


def is_logged_in(client: Client) -> bool:
    response = client.get("/van-ban")
    return response.status_code == 200


def same_browser(app, client: Client, names=("session", "remember_token")) -> Client:
    """Another client holding copies of `client`'s cookies (a stolen or second copy of the browser)."""
    other = Client(app)
    for name in names:
        cookie = client.client.get_cookie(name)
        if cookie is not None:
            other.client.set_cookie(name, cookie.value)
    return other


def attempt(client: Client, username, password, next_url=None):
    url = "/dang-nhap" + (f"?next={next_url}" if next_url else "")
    return client.post_form(url, {"username": username, "password": password}, page="/dang-nhap")


# ---- sessions that end ------------------------------------------------------------------------

def test_logout_ends_the_copied_session_and_the_remember_cookie(demo):
    office = Client(demo)
    assert attempt(office, "vanphong", PASSWORD).status_code == 302
    remembered = Client(demo)
    assert remembered.post_form("/dang-nhap", {"username": "vanphong", "password": PASSWORD,
                                               "remember": "y"}).status_code == 302
    copy = same_browser(demo, office)
    only_remember = same_browser(demo, remembered, names=("remember_token",))
    assert is_logged_in(copy) and is_logged_in(only_remember)
    office.logout()
    assert not is_logged_in(office)
    assert not is_logged_in(copy)
    assert not is_logged_in(only_remember)


def test_a_new_password_ends_the_other_sessions_and_keeps_this_one(demo):
    here, elsewhere = Client(demo).login("soyte"), Client(demo).login("soyte")
    page = here.get("/tai-khoan").get_data(as_text=True)
    response = here.client.post("/tai-khoan", data={"csrf_token": csrf_from(page), "current": PASSWORD,
                                                    "new": "mat-khau-moi-2026", "confirm": "mat-khau-moi-2026"})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert is_logged_in(here)
    assert not is_logged_in(elsewhere)


@pytest.mark.parametrize("change", ["password", "lock"])
def test_an_admins_reset_or_lock_ends_the_users_sessions(demo, change):
    department = Client(demo).login("soyte")
    with demo.app_context():
        admin, target = user("admin"), user("soyte")
        if change == "password":
            update_user(admin, target, password="dat-lai-2026")
        else:
            update_user(admin, target, active=False)
        db.session.commit()
    assert not is_logged_in(department)


def test_the_remember_cookie_is_secure_when_the_session_cookie_is(database, monkeypatch):
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", **database})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


def test_the_csrf_token_changes_at_login_and_logout(demo):
    client = Client(demo)
    before = csrf_from(client.get("/dang-nhap").get_data(as_text=True))
    attempt(client, "vanphong", PASSWORD)
    during = csrf_from(client.get("/van-ban").get_data(as_text=True))
    client.logout()
    after = csrf_from(client.get("/dang-nhap").get_data(as_text=True))
    assert len({before, during, after}) == 3


def test_a_form_left_open_past_a_working_day_is_refused_in_vietnamese(demo, clock):
    office = Client(demo).login("vanphong")
    page = office.get("/tai-khoan").get_data(as_text=True)
    clock.shift(timedelta(hours=demo.config["WTF_CSRF_TIME_LIMIT"] / 3600 + 1))
    response = office.client.post("/tai-khoan", data={"csrf_token": csrf_from(page), "current": PASSWORD,
                                                      "new": "mat-khau-moi-2026", "confirm": "mat-khau-moi-2026"})
    assert response.status_code == 400 and "hết hạn" in response.get_data(as_text=True)


@pytest.mark.parametrize("next_url", ["/%0a", "/%0d%0aSet-Cookie:x=1", "/%09/evil.example", "/\\evil.example"])
def test_a_next_with_control_characters_goes_home(demo, next_url):
    response = attempt(Client(demo), "vanphong", PASSWORD, next_url=next_url)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "\n" not in location and "\r" not in location and "evil" not in location


# ---- throttling --------------------------------------------------------------------------------

def test_wrong_passwords_lock_the_account_for_a_while_then_it_opens(demo, clock):
    limit = int(demo.config["LOGIN_LIMITS_ACCOUNT"].split("/")[0])
    attacker = Client(demo)
    for _ in range(limit):
        assert attempt(attacker, "vanphong", "sai-mat-khau").status_code == 200
    refused = attempt(attacker, "vanphong", PASSWORD)  # even the right password, for now
    assert refused.status_code == 429
    assert "Đã nhập sai mật khẩu quá nhiều lần" in refused.get_data(as_text=True)
    assert refused.headers.get("Retry-After")
    assert attempt(Client(demo), "soyte", PASSWORD).status_code == 302  # another account is not locked
    clock.shift(timedelta(seconds=61))
    assert attempt(Client(demo), "vanphong", PASSWORD).status_code == 302


def test_successful_logins_are_not_counted(demo):
    limit = int(demo.config["LOGIN_LIMITS_ACCOUNT"].split("/")[0])
    for _ in range(limit * 2):
        assert attempt(Client(demo), "vanphong", PASSWORD).status_code == 302


def test_one_address_trying_many_names_is_throttled(demo):
    demo.config["LOGIN_LIMITS_ADDRESS"] = "4/minute"
    attacker = Client(demo)
    for number in range(4):
        assert attempt(attacker, f"khong-co-{number}", "x").status_code == 200
    assert attempt(attacker, "vanphong", PASSWORD).status_code == 429


def test_an_unknown_name_costs_the_same_password_check(demo, monkeypatch):
    checks = []
    real = throttle.check_password_hash

    def counted(stored, password):
        checks.append(stored.split("$")[0])
        return real(stored, password)

    monkeypatch.setattr(throttle, "check_password_hash", counted)
    monkeypatch.setattr("app.models.users.check_password_hash", counted)
    attempt(Client(demo), "vanphong", "sai")
    attempt(Client(demo), "khong-ton-tai", "sai")
    assert len(checks) == 2 and checks[0] == checks[1]  # one check each, with the same method


SECOND_PROCESS = """
import json, sys
from app import create_app
from tests.helpers import Client
config = json.loads(sys.argv[1])
app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", **config})
for _ in range(int(sys.argv[2])):
    client = Client(app)
    client.post_form("/dang-nhap", {"username": "vanphong", "password": "sai"})
"""


def test_with_redis_several_processes_share_the_count(database, demo):
    """Two processes (this one and a child) with the same Redis storage count the same failures."""
    config = {**database, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
              "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", **config})
    limit = int(app.config["LOGIN_LIMITS_ACCOUNT"].split("/")[0])
    subprocess.run([sys.executable, "-c", SECOND_PROCESS, json.dumps(config), str(limit - 1)], cwd=ROOT,
                   check=True, capture_output=True, timeout=120)
    client = Client(app)
    assert attempt(client, "vanphong", "sai").status_code == 200  # the last one allowed
    assert attempt(client, "vanphong", PASSWORD).status_code == 429
