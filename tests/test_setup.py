"""Demo or not (app/setup_cli.py): demo accounts only in demo mode; `flask setup --production` gives the
schema and one administrator with a password printed once, and no demo data."""
import re

from sqlalchemy import func, inspect, select

from app import create_app
from app.extensions import db
from app.loader import DEMO_PASSWORD
from app.models import Agency, Directive, User
from app.rules.permissions import roles_of
from tests.helpers import DIRECTIVES_DIR, Client


def fresh_app(tmp_path, demo_mode: bool):
    return create_app({"TESTING": True, "SECRET_KEY": "setup-test", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                       "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'app.db'}", "DEMO_MODE": demo_mode,
                       "GENERATED_DIR": str(tmp_path / "generated")})


def counts(app):
    with app.app_context():
        return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
                for model in (User, Agency, Directive)}


def test_production_setup_creates_one_admin_with_a_password_shown_once(tmp_path):
    app = fresh_app(tmp_path, demo_mode=False)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["setup", "--production"])
    assert result.exit_code == 0, result.output
    password = re.search(r"Mật khẩu:\s+(\S+)", result.output).group(1)
    assert len(password) >= 16 and password != DEMO_PASSWORD
    assert counts(app) == {"User": 1, "Agency": 0, "Directive": 0}  # no demo data at all
    with app.app_context():
        admin = db.session.scalar(select(User))
        assert admin.username == "quantri" and roles_of(admin) == {"admin"} and admin.check_password(password)

    again = runner.invoke(args=["setup", "--production"])
    assert again.exit_code == 0 and "Đã có tài khoản quản trị (quantri)" in again.output
    assert password not in again.output and "Mật khẩu:" not in again.output
    assert counts(app)["User"] == 1

    Client(app).login("quantri", password)
    anonymous = Client(app)
    response = anonymous.post_form("/dang-nhap", {"username": "admin", "password": DEMO_PASSWORD})
    assert response.status_code == 200  # no demo account


def test_production_setup_refuses_a_database_with_demo_accounts(tmp_path):
    demo = fresh_app(tmp_path, demo_mode=True)
    assert demo.test_cli_runner().invoke(args=["setup", "--demo"]).exit_code == 0
    production = fresh_app(tmp_path, demo_mode=False)
    result = production.test_cli_runner().invoke(args=["setup", "--production"])
    assert result.exit_code == 1 and "tài khoản trình diễn" in result.output
    assert "Mật khẩu:" not in result.output


def test_demo_setup_only_in_demo_mode(tmp_path):
    outside = fresh_app(tmp_path, demo_mode=False)
    result = outside.test_cli_runner().invoke(args=["setup", "--demo"])
    assert result.exit_code == 1 and "DEMO=1" in result.output
    with outside.app_context():
        assert inspect(db.engine).get_table_names() == []  # refused before anything was written

    demo = fresh_app(tmp_path, demo_mode=True)
    result = demo.test_cli_runner().invoke(args=["setup", "--demo"])
    assert result.exit_code == 0 and "CHẾ ĐỘ TRÌNH DIỄN" in result.output
    assert counts(demo)["Directive"] >= 5  # the seeds, their parents and a cascade (demo activity)
    with demo.app_context():
        assert db.session.scalar(select(User).where(User.username == "vanphong")).check_password(DEMO_PASSWORD)
    logins = demo.test_cli_runner().invoke(args=["demo", "logins"])
    assert "vanphong" in logins.output and DEMO_PASSWORD in logins.output


def test_no_command_creates_demo_accounts_outside_demo_mode(app):
    app.config["DEMO_MODE"] = False
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["directive", "load", str(DIRECTIVES_DIR), "--demo-users"])
    assert refused.exit_code == 1 and "DEMO=1" in refused.output
    loaded = runner.invoke(args=["directive", "load", str(DIRECTIVES_DIR)])
    assert loaded.exit_code == 0, loaded.output
    assert counts(app) == {"User": 0, "Agency": counts(app)["Agency"], "Directive": 5}
    assert runner.invoke(args=["demo", "activity"]).exit_code == 1
    assert DEMO_PASSWORD not in runner.invoke(args=["demo", "logins"]).output

    app.config["DEMO_MODE"] = True
    assert runner.invoke(args=["directive", "load", str(DIRECTIVES_DIR)]).exit_code == 0
    assert counts(app)["User"] > 20


def test_demo_mode_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DEMO", "1")
    assert create_app({"SECRET_KEY": "x"}).config["DEMO_MODE"] is True
    monkeypatch.setenv("DEMO", "0")
    assert create_app({"SECRET_KEY": "x"}).config["DEMO_MODE"] is False
    monkeypatch.delenv("DEMO")
    assert create_app({"SECRET_KEY": "x"}).config["DEMO_MODE"] is False
