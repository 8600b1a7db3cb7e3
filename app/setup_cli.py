"""`flask setup --production` and `flask setup --demo`: a database ready to serve.

Demo mode (DEMO=1, what `make run` does unless told DEMO=0) loads the five seed directives, their
agencies, made-up follow-up and the demo accounts, whose password is known to everyone (demo1234).
Outside demo mode no command creates a demo account. Production: the schema, and one administrator
with a generated password printed once; no demo data at all. Running either again changes nothing.
"""
import secrets
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from app.extensions import db

ADMIN_USERNAME = "quantri"


def demo_mode() -> bool:
    return bool(current_app.config.get("DEMO_MODE"))


def demo_accounts_with_known_password() -> list[str]:
    """Demo usernames still holding the demo password (a production database must have none)."""
    from app.loader import DEMO_PASSWORD, DEMO_USERS
    from app.models import User

    names = [username for username, *_rest in DEMO_USERS]
    users = db.session.scalars(select(User).where(User.username.in_(names))).all()
    return sorted(user.username for user in users if user.check_password(DEMO_PASSWORD))


def _migrate() -> None:
    from flask_migrate import upgrade

    upgrade()


@click.command("setup")
@with_appcontext
@click.option("--production", "mode", flag_value="production", help="Máy chủ thật: một tài khoản quản trị, không dữ liệu mẫu.")
@click.option("--demo", "mode", flag_value="demo", help="Bản trình diễn: văn bản mẫu, tài khoản mật khẩu demo1234.")
@click.option("--admin-username", default=ADMIN_USERNAME, show_default=True, help="Tên đăng nhập của quản trị.")
def setup_command(mode, admin_username):
    """Tạo lược đồ cơ sở dữ liệu và dữ liệu ban đầu (--production hoặc --demo)."""
    if mode is None:
        click.echo("Lỗi: chọn --production (máy chủ thật) hoặc --demo (bản trình diễn).", err=True)
        sys.exit(2)
    if (mode == "demo") != demo_mode():
        click.echo("Lỗi: dữ liệu trình diễn chỉ được nạp ở chế độ trình diễn (DEMO=1)." if mode == "demo" else
                   "Lỗi: đang ở chế độ trình diễn (DEMO=1); máy chủ thật chạy với DEMO=0.", err=True)
        sys.exit(1)
    _migrate()
    if mode == "demo":
        _setup_demo()
    else:
        _setup_production(admin_username)


def _setup_demo() -> None:
    from app import demo_activity
    from app.clock import local_today
    from app.directive_format import FormatError
    from app.loader import LoadError, database_is_empty, load_path

    if database_is_empty():
        try:
            report = load_path(current_app.config["DEMO_DIRECTIVES_DIR"], with_demo_users=True)
        except (FormatError, LoadError) as error:
            db.session.rollback()
            click.echo(f"Lỗi: {error}", err=True)
            sys.exit(1)
        click.echo(f"Đã nạp {report['directives']} văn bản mẫu và {report['users']} tài khoản trình diễn.")
    if not demo_activity.already_applied():
        demo_activity.apply(local_today())
    db.session.commit()
    from app.jobs.schedule import roll_tallies

    roll_tallies()  # the dashboards read counts kept ahead from now on
    click.echo("CHẾ ĐỘ TRÌNH DIỄN: mọi tài khoản mẫu dùng mật khẩu demo1234 — không dùng cho máy chủ thật.")


def _setup_production(admin_username: str) -> None:
    from app.admin.service import UserError, create_user
    from app.models import User
    from app.rules.permissions import ADMIN, roles_of

    known = demo_accounts_with_known_password()
    if known:
        click.echo("Lỗi: cơ sở dữ liệu có tài khoản trình diễn với mật khẩu ai cũng biết ("
                   + ", ".join(known[:5]) + ("…" if len(known) > 5 else "")
                   + "). Dùng một cơ sở dữ liệu mới cho máy chủ thật.", err=True)
        sys.exit(1)
    admins = [user.username for user in db.session.scalars(select(User).order_by(User.username))
              if ADMIN in roles_of(user)]
    if admins:
        click.echo(f"Đã có tài khoản quản trị ({', '.join(admins)}): không tạo thêm.")
        return
    password = secrets.token_urlsafe(15)
    try:
        create_user(None, username=admin_username, full_name="Quản trị hệ thống", roles=[ADMIN], agency=None,
                    password=password)
    except UserError as error:
        db.session.rollback()
        click.echo(f"Lỗi: {error}", err=True)
        sys.exit(1)
    db.session.commit()
    from app.jobs.schedule import roll_tallies

    roll_tallies()
    click.echo("Đã tạo lược đồ cơ sở dữ liệu và tài khoản quản trị (không có dữ liệu mẫu).")
    click.echo(f"  Tên đăng nhập: {admin_username}")
    click.echo(f"  Mật khẩu:      {password}")
    click.echo("Mật khẩu chỉ hiện một lần này: ghi lại, đăng nhập và đổi ngay (Tài khoản → Đổi mật khẩu).")
