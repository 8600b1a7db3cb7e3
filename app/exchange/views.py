"""Exchange pages: a clerk sends an issued, signed letter as an edXML packet (to the outbox), and
enters a packet received (uploaded) in the incoming register."""
from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app import scope
from app.exchange import edxml, service
from app import storage
from app.extensions import db
from app.models import ExchangeMessage
from app.rules import permissions

bp = Blueprint("exchange", __name__)


@bp.route("/van-ban/<id:directive_id>/gui-lien-thong", methods=["POST"])
@scope.guard(directive_id="directive", allowed=permissions.can_send_edxml)
def send(directive):
    try:
        path, message = service.export_directive(directive, current_user)
        db.session.commit()
    except (service.ExchangeError, edxml.PacketError) as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        flash(f"Đã ghi gói tin edXML {path.name} vào hộp thư đi ({message.description.split(':')[0].lower()}).",
              "success")
    return redirect(url_for("directives.show", directive_id=directive.id))


@bp.route("/lien-thong/nhan", methods=["GET", "POST"])
@scope.guard(allowed=permissions.can_register_received)
def receive():
    if request.method == "POST":
        upload = request.files.get("file")
        data = upload.read() if upload else b""
        try:
            messages = service.import_packet(data, current_user)
            mine = [m for m in messages if m.agency_id in permissions.organisations(current_user)]
            if not mine and messages and messages[0].kind == "edoc":
                raise edxml.PacketError("Gói tin không gửi cho cơ quan của bạn.")
            db.session.commit()
        except edxml.PacketError as error:
            db.session.rollback()
            flash(f"Không nhận gói tin: {error}", "danger")
        else:
            message = messages[0]
            flash("Đã nhận gói tin: " + ("văn bản đã vào sổ văn bản đến." if message.kind == "edoc"
                                         else message.description), "success")
            if message.directive_id and scope.directive_visible(current_user, message.directive_id):
                return redirect(url_for("directives.show", directive_id=message.directive_id))
    return render_template("exchange/receive.html")


@bp.route("/van-ban/<id:directive_id>/lien-thong/<id:message_id>.pdf")
@scope.guard(directive_id="directive")
def attachment(directive, message_id):
    """The signed PDF a packet brought, as received (its SHA-256 checked), for the receiving organisation."""
    message = db.session.get(ExchangeMessage, message_id)
    if (message is None or message.directive_id != directive.id or message.direction != "in"
            or not message.attachment_path or message.agency_id not in permissions.organisations(current_user)):
        abort(404)
    import hashlib
    data = (storage.root() / message.attachment_path).read_bytes()
    if hashlib.sha256(data).hexdigest() != message.attachment_sha256:
        flash("Tệp nhận được không còn khớp mã SHA-256 đã lưu: có thể đã bị sửa.", "danger")
        return redirect(url_for("directives.show", directive_id=directive.id))
    name = f"{directive.number or 'van-ban'}-{(directive.symbol or '').replace('/', '-')}-nhan-lien-thong.pdf"
    return send_file(BytesIO(data), mimetype="application/pdf", as_attachment=True, download_name=name, max_age=0)
