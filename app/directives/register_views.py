"""The registers of the user's organisations: văn bản đến (entering what arrived from outside, and
the incoming register) and văn bản đi (the outgoing register), with the Phụ lục IV columns."""
import json

from io import BytesIO

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from app.clock import local_today
from app.text import ascii_year
from app.directive_format import FormatError, parse_directive
from app import scope
from app.directives import bp, received
from app.directives.forms import ReceivedForm
from app.documents.letter import LetterError
from app.extensions import db
from app.models import Agency, Directive, RegisterEntry
from app.rules import permissions

REGISTER_KINDS = {"den": "Sổ đăng ký văn bản đến", "di": "Sổ đăng ký văn bản đi"}


def _organisations() -> list[Agency]:
    ids = sorted(permissions.organisations(current_user))
    return db.session.scalars(select(Agency).where(Agency.id.in_(ids)).order_by(Agency.name)).all()


def _read_file(form: ReceivedForm) -> str | None:
    """Fill what the user left empty from an uploaded document; return an error message or None."""
    from app.importer.errors import ImportRefused
    from app.importer.service import import_document, max_bytes

    upload = form.file.data
    if not (upload and upload.filename):
        return None
    try:
        result = import_document(content=upload.read(max_bytes() + 1), filename=upload.filename)
    except ImportRefused as error:
        return error.message
    data = result.data
    if not form.issuer.data and data.get("issuer"):
        form.issuer.data = "\n".join(data["issuer"])
    for name in ("number", "symbol", "subject"):
        if not getattr(form, name).data and data.get(name):
            getattr(form, name).data = data[name]
    if form.date.data is None and data.get("date"):
        form.date.data = data["date"]
    if form.doc_type.data == "cong_van" and data.get("doc_type"):
        form.doc_type.data = data["doc_type"]
    body = {key: data.get(key) for key in ("recipients", "preamble", "closing", "cc", "signer", "place")}
    body["sections"] = [{"number": s.get("number"), "heading": s.get("heading"), "assignees": [],
                         "tasks": [{"text": t["text"], "deadline": t.get("deadline")} for t in s.get("tasks") or []]}
                        for s in data.get("sections") or [] if s.get("tasks")]
    form.body.data = json.dumps(body, ensure_ascii=False, default=str)
    return None


def _data(form: ReceivedForm) -> dict:
    body = {}
    if form.body.data:
        try:
            body = json.loads(form.body.data)
        except ValueError:
            body = {}
    raw = {**{k: v for k, v in body.items() if v not in (None, "", [])},
           "doc_type": form.doc_type.data, "issuer": [line for line in (form.issuer.data or "").split("\n") if line],
           "number": form.number.data or None, "symbol": form.symbol.data or "",
           "date": form.date.data.isoformat() if form.date.data else None, "subject": form.subject.data or ""}
    return parse_directive(raw)


@bp.route("/van-ban-den/moi", methods=["GET", "POST"])
@scope.guard(allowed=permissions.can_register_received)
def receive():
    """Vào sổ văn bản đến: a directive received from outside the deployment."""
    form = ReceivedForm()
    organisations = _organisations()
    form.organisation_id.choices = [(str(a.id), a.name) for a in organisations]
    form.valid_organisations = {str(a.id) for a in organisations}
    if request.method == "GET":
        form.received_date.data = local_today()
        if organisations:
            form.organisation_id.data = str(organisations[0].id)
    elif form.validate_on_submit():
        error = _read_file(form)
        if error:
            form.file.errors = [error]
        else:
            try:
                data = _data(form)
                directive, entry = received.register(data, db.session.get(Agency, int(form.organisation_id.data)),
                                                     current_user, form.received_date.data, form.deadline.data)
                db.session.commit()
            except (received.ReceiveError, FormatError) as problem:
                db.session.rollback()
                flash(f"Chưa vào sổ: {problem}", "danger")
            else:
                flash(f"Đã vào sổ văn bản đến số {entry.sequence}, ngày đến {entry.received_date:%d/%m/%Y}. "
                      "Bấm “Triển khai thực hiện” để giao nhiệm vụ cho các đơn vị.", "success")
                return redirect(url_for("directives.show", directive_id=directive.id))
    status = 400 if request.method == "POST" else 200
    return render_template("directives/receive.html", form=form), status


def _register_choice():
    organisations = _organisations()
    wanted = request.args.get("co-quan", "")
    organisation = next((a for a in organisations if str(a.id) == wanted), organisations[0] if organisations else None)
    if organisation is None:
        abort(403)
    raw_year = request.args.get("nam", "")
    year = ascii_year(raw_year) or local_today().year
    return organisations, organisation, year


@bp.route("/so-van-ban/di/tep-nen")
@scope.guard(allowed=permissions.can_follow)
def register_zip():
    """Every letter of the outgoing register for a year (frozen PDF and DOCX) in one ZIP: at once for a
    few letters, as a job (Tệp đã xuất) above ZIP_JOB_LETTERS."""
    from app.jobs import exports, runner

    _organisations_, organisation, year = _register_choice()
    count = len(exports.register_entries(organisation.id, year))
    if not count:
        flash(f"Chưa cấp số văn bản nào trong năm {year}.", "info")
        return redirect(url_for("directives.register", kind="di", **{"co-quan": organisation.id, "nam": year}))
    if count > current_app.config["ZIP_JOB_LETTERS"]:
        runner.start(current_user, "letters_zip", f"Sổ văn bản đi {organisation.name} năm {year}: {count} văn bản",
                     {"organisation_id": organisation.id, "year": year}, organisation_id=organisation.id,
                     total=count)
        db.session.commit()
        flash(f"Tệp nén {count} văn bản được tạo dưới nền; tệp sẽ có ở đây khi xong.", "info")
        return redirect(url_for("jobs.index"))
    content, name = exports.letters_zip(current_user, organisation.id, year)
    return send_file(BytesIO(content), mimetype="application/zip", as_attachment=True, download_name=name, max_age=0)


@bp.route("/so-van-ban/di/tep-nen-chua-cap-so")
@scope.guard(allowed=permissions.can_follow)
def drafts_zip():
    """The organisation's letters not yet numbered (dự thảo, chờ duyệt, đã duyệt), printed today to PDF and
    DOCX in one ZIP: at once for a few, as a job above ZIP_JOB_LETTERS (the PDFs printed on every core)."""
    from app.jobs import exports, runner

    _organisations_, organisation, year = _register_choice()
    count = exports.unissued_count(organisation.id)
    if not count:
        flash("Không có văn bản nào đang chờ cấp số.", "info")
        return redirect(url_for("directives.register", kind="di", **{"co-quan": organisation.id, "nam": year}))
    if count > current_app.config["ZIP_JOB_LETTERS"]:
        runner.start(current_user, "drafts_zip", f"Văn bản chưa cấp số của {organisation.name}: {count} văn bản",
                     {"organisation_id": organisation.id}, organisation_id=organisation.id, total=count)
        db.session.commit()
        flash(f"Tệp nén {count} văn bản được tạo dưới nền; tệp sẽ có ở đây khi xong.", "info")
        return redirect(url_for("jobs.index"))
    try:  # a few letters: printed here, one by one (the web server keeps no pool of printers)
        content, name = exports.drafts_zip(current_user, organisation.id, parallel=False)
    except LetterError as error:
        flash(str(error), "danger")
        return redirect(url_for("directives.register", kind="di", **{"co-quan": organisation.id, "nam": year}))
    return send_file(BytesIO(content), mimetype="application/zip", as_attachment=True, download_name=name, max_age=0)


@bp.route("/so-van-ban/<any(den, di):kind>")
@scope.guard(allowed=permissions.can_follow)
def register(kind):
    """One organisation's register for one year, in the order of its numbers."""
    organisations, organisation, year = _register_choice()
    if kind == "den":
        rows = received.register_rows(organisation.id, year)
    else:
        rows = db.session.execute(
            select(RegisterEntry, Directive).join(Directive, RegisterEntry.directive_id == Directive.id)
            .where(RegisterEntry.agency_id == organisation.id, RegisterEntry.year == year)
            .order_by(RegisterEntry.sequence)).all()
    return render_template("directives/register.html", kind=kind, title=REGISTER_KINDS[kind], rows=rows,
                           organisation=organisation, organisations=organisations, year=year)
