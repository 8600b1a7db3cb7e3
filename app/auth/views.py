from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from app.auth import bp
from app.auth.forms import LoginForm, PasswordChangeForm, RevokeTokenForm, TokenForm
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
            current_user.set_password(form.new.data)
            record(current_user, "user.password", current_user, f"Đổi mật khẩu: {current_user.username}")
            db.session.commit()
            flash("Đã đổi mật khẩu.", "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form), 400 if form.errors else 200


@bp.route("/tai-khoan/ma-truy-cap", methods=["GET", "POST"])
def tokens():
    """Mã truy cập API: make one (shown once), list them, revoke them."""
    from app.api import tokens as api_tokens

    form = TokenForm()
    created = None
    if form.validate_on_submit():
        try:
            row, created = api_tokens.create(current_user, form.name.data)
            db.session.commit()
        except api_tokens.TokenError as error:
            db.session.rollback()
            form.name.errors.append(str(error))
        else:
            form = TokenForm(formdata=None)
    status = 400 if form.errors else 200
    response = render_template("auth/tokens.html", form=form, revoke_form=RevokeTokenForm(), created=created,
                               rows=api_tokens.user_tokens(current_user))
    # the token is on this page once: never cached
    return response, status, {"Cache-Control": "no-store"}


@bp.route("/tai-khoan/ma-truy-cap/<id:token_id>/thu-hoi", methods=["POST"])
def revoke_token(token_id):
    from flask import abort

    from app.api import tokens as api_tokens

    form = RevokeTokenForm()
    if not form.validate_on_submit():
        abort(400)
    row = api_tokens.revoke(current_user, token_id)
    if row is None:
        abort(404)
    db.session.commit()
    flash(f"Đã thu hồi mã truy cập “{row.name}”.", "success")
    return redirect(url_for("auth.tokens"))
