"""Signing pages: the leader signs, the clerk adds the organisation's signature, the signed PDF is
downloaded, and any signed PDF (uploaded, or a letter's signed revision) is verified."""
from io import BytesIO

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app import scope
from app.directives import letters
from app.extensions import db
from app.rules import permissions
from app.signing import service
from app.signing.verify import verify_pdf

bp = Blueprint("signing", __name__)


def _back(directive):
    return redirect(url_for("directives.show", directive_id=directive.id))


def _run(directive, step, done_message):
    try:
        step(directive, current_user)
        db.session.commit()
    except service.SigningError as error:
        db.session.rollback()
        flash(str(error), "danger")
    except IntegrityError:
        db.session.rollback()
        flash("Văn bản vừa được người khác ký; không ký trùng.", "warning")
    else:
        flash(done_message, "success")
    return _back(directive)


@bp.route("/van-ban/<id:directive_id>/ky-so", methods=["POST"])
@scope.guard(directive_id="directive", allowed=permissions.can_sign_directive)
def sign(directive):
    return _run(directive, service.sign_as_leader,
                "Đã ký số văn bản. Văn thư thêm chữ ký số của cơ quan (đóng dấu số) để phát hành bản điện tử.")


@bp.route("/van-ban/<id:directive_id>/dong-dau-so", methods=["POST"])
@scope.guard(directive_id="directive", allowed=permissions.can_seal_directive)
def seal(directive):
    return _run(directive, service.seal_as_clerk, "Đã thêm chữ ký số của cơ quan vào văn bản.")


@bp.route("/van-ban/<id:directive_id>/tai-ve-ky-so.pdf")
@scope.guard(directive_id="directive")
def download(directive):
    try:
        content = service.signed_bytes(directive)
    except service.SigningError as error:
        flash(str(error), "danger")
        return _back(directive)
    if content is None:
        flash("Văn bản chưa được ký số.", "warning")
        return _back(directive)
    name = letters.file_name(directive, "pdf").removesuffix(".pdf") + "-ky-so.pdf"
    return send_file(BytesIO(content), mimetype="application/pdf", as_attachment=True, download_name=name, max_age=0)


@bp.route("/van-ban/<id:directive_id>/kiem-tra-chu-ky")
@scope.guard(directive_id="directive")
def check(directive):
    try:
        content = service.signed_bytes(directive)
    except service.SigningError as error:
        flash(str(error), "danger")
        return _back(directive)
    report = verify_pdf(content) if content is not None else None
    return render_template("signing/verify.html", report=report, directive=directive)


@bp.route("/ky-so/kiem-tra", methods=["GET", "POST"])
@scope.guard(allowed=permissions.can_verify_signatures)
def verify_upload():
    report = None
    if request.method == "POST":
        upload = request.files.get("file")
        data = upload.read() if upload else b""
        if not data:
            flash("Chọn tệp PDF cần kiểm tra.", "danger")
        else:
            report = verify_pdf(data)
    return render_template("signing/verify.html", report=report, directive=None)
