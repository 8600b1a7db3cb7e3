from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from app.auth import bp, throttle
from app.auth.forms import LoginForm, PasswordChangeForm
from app.extensions import db
from app.models import User
from app.models.audit import record
from app.rules.permissions import home_endpoint
from app.clock import utcnow


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths, so a crafted link cannot send the user elsewhere."""
    if not target:
        return None
    if any(ord(character) < 32 or ord(character) == 127 for character in target) or "\\" in target:
        return None  # "/%0a…" or "/\\host": browsers read these as another site or a broken header
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/dang-nhap", methods=["GET", "POST"])
@throttle.per_address
@throttle.per_account
def login():
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.username == form.username.data.lower()))
        if user is None and not throttle.check_unknown_user(form.password.data) \
                or user is not None and not user.check_password(form.password.data):
            form.password.errors.append("Tên đăng nhập hoặc mật khẩu không đúng.")
        elif not user.active:
            form.username.errors.append("Tài khoản đã bị khóa. Liên hệ quản trị.")
        else:
            target = _safe_next(request.args.get("next"))
            session.clear()  # a new session and a new CSRF token: nothing carried over from before login
            login_user(user, remember=form.remember.data)
            user.last_login_at = utcnow()
            record(user, "auth.login", user, f"Đăng nhập: {user.username}")
            db.session.commit()
            flash(f"Xin chào {user.full_name}.", "success")
            return redirect(target or url_for(home_endpoint(user)))
    return render_template("auth/login.html", form=form)


@bp.route("/dang-xuat", methods=["POST"])
def logout():
    """Ends every session of the user (other browsers and remember cookies too), then this one."""
    if current_user.is_authenticated:
        current_user.end_sessions()
        record(current_user, "auth.logout", current_user, f"Đăng xuất: {current_user.username}")
        db.session.commit()
    logout_user()
    session.clear()
    flash("Bạn đã đăng xuất.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/tai-khoan", methods=["GET", "POST"])
def account():
    """Tài khoản: who the user is, where they work, and their own password."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append("Mật khẩu hiện tại không đúng.")
        elif form.new.data == form.current.data:
            form.new.errors.append("Mật khẩu mới phải khác mật khẩu hiện tại.")
        else:
            current_user.set_password(form.new.data)  # ends the user's other sessions
            record(current_user, "user.password", current_user, f"Đổi mật khẩu: {current_user.username}")
            db.session.commit()
            login_user(current_user._get_current_object())  # this one continues under the new token
            flash("Đã đổi mật khẩu.", "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form), 400 if form.errors else 200
