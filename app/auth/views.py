from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from app.auth import bp, throttle
from app.auth.forms import LoginForm, MailSettingsForm, PasswordChangeForm, RevokeTokenForm, TokenForm
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


@bp.route("/tai-khoan/thu-dien-tu", methods=["GET", "POST"])
def mail_settings():
    """Thư điện tử: where the user's mails go, which ones, one by one or as a morning digest."""
    from app.jobs.mail import DEFAULT_KINDS, MAIL_KINDS, mailing_enabled, offered

    form = MailSettingsForm()
    form.kinds.choices = offered(current_user)
    if request.method == "GET":
        form.email.data = current_user.email or ""
        form.kinds.data = sorted(current_user.mail_kind_set) if current_user.email else DEFAULT_KINDS.split(",")
        form.delivery.data = "digest" if current_user.mail_digest else "single"
    if form.validate_on_submit():
        before = (current_user.email, current_user.mail_kinds, current_user.mail_digest)
        current_user.email = form.email.data or None
        current_user.mail_kinds = ",".join(key for key in MAIL_KINDS if key in set(form.kinds.data or []))
        current_user.mail_digest = form.delivery.data == "digest"
        after = (current_user.email, current_user.mail_kinds, current_user.mail_digest)
        if before != after:
            record(current_user, "user.mail", current_user, f"Cài đặt thư điện tử: {current_user.username}",
                   {"email": [before[0], after[0]], "mail_kinds": [before[1], after[1]],
                    "mail_digest": [before[2], after[2]]})
        db.session.commit()
        flash("Đã lưu cài đặt thư điện tử." if current_user.email else "Đã lưu: bạn sẽ không nhận thư điện tử.",
              "success")
        return redirect(url_for("auth.mail_settings"))
    return render_template("auth/mail_settings.html", form=form, mailing_enabled=mailing_enabled()), \
        400 if form.errors else 200


@bp.route("/tai-khoan/ma-truy-cap", methods=["GET", "POST"])
def tokens():
    """Mã truy cập API: make one (shown once), list them, revoke them."""
    from app.api import tokens as api_tokens

    form = TokenForm()
    row = created = None
    if form.validate_on_submit():
        try:
            row, created = api_tokens.create(current_user, form.name.data, form.days.data)
            db.session.commit()
        except api_tokens.TokenError as error:
            db.session.rollback()
            form.name.errors.append(str(error))
        else:
            form = TokenForm(formdata=None)
    status = 400 if form.errors else 200
    response = render_template("auth/tokens.html", form=form, revoke_form=RevokeTokenForm(), created=created,
                               created_row=row if created else None,
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
