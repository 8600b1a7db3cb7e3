from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from app.auth import bp
from app.auth.forms import LoginForm
from app.extensions import db
from app.models import User
from app.models.audit import record
from app.rules.permissions import home_endpoint
from app.clock import utcnow


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths, so a crafted link cannot send the user elsewhere."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/dang-nhap", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.username == form.username.data.lower()))
        if user is None or not user.check_password(form.password.data):
            form.password.errors.append("Tên đăng nhập hoặc mật khẩu không đúng.")
        elif not user.active:
            form.username.errors.append("Tài khoản đã bị khóa. Liên hệ quản trị.")
        else:
            login_user(user, remember=form.remember.data)
            user.last_login_at = utcnow()
            record(user, "auth.login", user, f"Đăng nhập: {user.username}")
            db.session.commit()
            flash(f"Xin chào {user.full_name}.", "success")
            return redirect(_safe_next(request.args.get("next")) or url_for(home_endpoint(user)))
    return render_template("auth/login.html", form=form)


@bp.route("/dang-xuat", methods=["POST"])
def logout():
    logout_user()
    flash("Bạn đã đăng xuất.", "info")
    return redirect(url_for("auth.login"))
