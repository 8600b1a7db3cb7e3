from io import BytesIO

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.directives import bp
from app.directives import letters, queries
from app.directives.forms import AssigneeForm, DirectiveForm, LineForm, SectionForm, TaskForm
from app.directive_format import directive_to_data
from app.directives.service import resolve_assignees, save_directive
from app.documents import MEDIA_TYPES
from app.documents.letter import LetterError
from app.extensions import db
from app.web import requested_page
from app.forms import hidden_id
from app.models import Agency, AgencyGroup, Assignment, Directive, Section, SectionAssignee, Task
from app.models.audit import record
from app.rules import permissions
from app.tracking import notifications


def _directive_or_404(directive_id: int) -> Directive:
    directive = db.session.get(Directive, directive_id)
    if directive is None or not permissions.can_view_directive(current_user, directive):
        abort(404)  # a department never learns whether another agency's record exists
    return directive


@bp.route("/van-ban")
def index():
    if not permissions.can_list_directives(current_user):
        abort(403)
    filters = queries.parse_filters(request.args)
    pagination = db.paginate(
        queries.filtered_directives(filters),
        page=requested_page(),
        per_page=current_app.config["PER_PAGE"],
        max_per_page=100,
        error_out=False,
    )
    progress = queries.progress_by_directive([d.id for d in pagination.items])
    return render_template(
        "directives/index.html", pagination=pagination, filters=filters, progress=progress,
        issuers=queries.issuers_in_use(), states=queries.STATES,
        query_args={k: v for k, v in filters.items() if v},
    )


def _with_everything():
    """Load a directive's whole tree in a few queries, so its page costs the same for 5 tasks or 500."""
    return (
        selectinload(Directive.sections).selectinload(Section.tasks).selectinload(Task.assignments)
        .options(joinedload(Assignment.agency), joinedload(Assignment.via_group)),
        selectinload(Directive.sections).selectinload(Section.assignees).options(
            joinedload(SectionAssignee.agency),
            joinedload(SectionAssignee.group).selectinload(AgencyGroup.members)),
        selectinload(Directive.recipients), selectinload(Directive.cc_lines),
        joinedload(Directive.issuer_agency), joinedload(Directive.register_entry),
        joinedload(Directive.created_by),
    )


@bp.route("/van-ban/<id:directive_id>")
def show(directive_id):
    directive = db.session.scalar(select(Directive).where(Directive.id == directive_id).options(*_with_everything()))
    if directive is None or not permissions.can_view_directive(current_user, directive):
        abort(404)
    own_agency = current_user.agency_id if permissions.is_department(current_user) else None
    problems, advice = letters.readiness(directive)
    return render_template("directives/show.html", directive=directive, own_agency=own_agency,
                           problems=problems, advice=advice)


@bp.route("/van-ban/<id:directive_id>/tai-ve.<any(docx, pdf):fmt>")
def download(directive_id, fmt):
    """The letter as DOCX or PDF: the frozen file once issued, a fresh rendering before."""
    directive = _directive_or_404(directive_id)
    try:
        content = letters.letter_bytes(directive, fmt)
    except (LetterError, letters.IssueError) as error:
        flash(str(error), "danger")
        return redirect(url_for("directives.show", directive_id=directive.id))
    return send_file(BytesIO(content), mimetype=MEDIA_TYPES[fmt], as_attachment=True,
                     download_name=letters.file_name(directive, fmt), max_age=0)


@bp.route("/van-ban/<id:directive_id>/sao-chep", methods=["POST"])
def copy(directive_id):
    """A correction after issuing is a new document: start a draft from this one."""
    source = _directive_or_404(directive_id)
    if not permissions.can_create_directive(current_user):
        abort(403)
    data = directive_to_data(source)
    data.update(number=None, date=None)
    resolve_assignees(data, source.issuer_agency)
    for section in data["sections"]:
        section["assignees"] = [a for a in section["assignees"] if a["target"] is not None]
    draft, _warnings = save_directive(None, data, current_user, source.issuer_agency)
    db.session.commit()
    flash(f"Đã tạo dự thảo mới từ văn bản {source.number_symbol}. Sửa nội dung rồi trình duyệt.", "success")
    return redirect(url_for("directives.edit", directive_id=draft.id))


@bp.route("/van-ban/<id:directive_id>/phat-hanh", methods=["POST"])
def issue(directive_id):
    directive = _directive_or_404(directive_id)
    if not permissions.can_issue_directive(current_user, directive):
        abort(403)
    try:
        entry = letters.issue(directive, current_user)
        db.session.commit()
    except letters.IssueError as error:
        db.session.rollback()
        flash(str(error), "danger")
    except IntegrityError:
        db.session.rollback()
        flash("Văn bản vừa được người khác phát hành; số không bị cấp trùng.", "warning")
    else:
        flash(f"Đã cấp số {entry.number}/{directive.symbol} ngày {entry.issued_date:%d/%m/%Y} và lưu bản phát hành.",
              "success")
    return redirect(url_for("directives.show", directive_id=directive.id))


def _form_data_from_directive(directive: Directive) -> dict:
    return {
        "version": directive.version,
        "doc_type": directive.doc_type,
        "issuer_agency_id": str(directive.issuer_agency_id or ""),
        "symbol": directive.symbol,
        "place": directive.place,
        "subject": directive.subject,
        "urgency": directive.urgency or "",
        "recipients": [{"text": r.name} for r in directive.recipients] or [{}],
        "preamble": directive.preamble,
        "sections": [
            {
                "id": section.id,
                "number": section.number,
                "heading": section.heading,
                "assignees": [
                    {"target": queries.target_value(a), "role": a.role, "deadline": a.deadline}
                    for a in section.assignees
                ],
                "tasks": [{"id": t.id, "text": t.text, "deadline": t.deadline} for t in section.live_tasks],
            }
            for section in directive.live_sections
        ] or [{}],
        "closing": directive.closing,
        "cc": [{"text": c.text} for c in directive.cc_lines] or [{}],
        "signer_authority": directive.signer_authority or "",
        "signer_authority_title": directive.signer_authority_title,
        "signer_title": directive.signer_title,
        "signer_name": directive.signer_name,
    }


def _data_from_form(form: DirectiveForm, issuer: Agency) -> dict:
    """The validated form as the directive format (with row ids and resolved assignees)."""
    sections = []
    for entry in form.sections:
        section = entry.form
        if section.is_blank():
            continue
        sections.append({
            "id": hidden_id(section.id.data),
            "number": section.number.data or None,
            "heading": section.heading.data or None,
            "assignees": [
                {"target": queries.target_from_value(a.form.target.data), "role": a.form.role.data,
                 "deadline": a.form.deadline.data}
                for a in section.assignees if a.form.target.data
            ],
            "tasks": [
                {"id": hidden_id(t.form.id.data), "text": t.form.text.data, "deadline": t.form.deadline.data}
                for t in section.tasks if t.form.text.data
            ],
        })
    return {
        "doc_type": form.doc_type.data,
        "issuer": issuer.header_lines,
        "symbol": form.symbol.data,
        "place": form.place.data or issuer.place,
        "subject": form.subject.data,
        "urgency": form.urgency.data or None,
        "recipients": [row.form.text.data for row in form.recipients if row.form.text.data],
        "preamble": form.preamble.data,
        "sections": sections,
        "closing": form.closing.data,
        "cc": [row.form.text.data.rstrip(";.") for row in form.cc if row.form.text.data],
        "signer": {
            "authority": form.signer_authority.data or None,
            "authority_title": form.signer_authority_title.data,
            "title": form.signer_title.data,
            "name": form.signer_name.data or None,
        },
    }


def _render_form(form, directive, status=200, **extra):
    """The form page, with the blank rows that the add buttons copy."""
    prototypes = {name: cls(prefix="__PREFIX__-") for name, cls in
                  (("line", LineForm), ("assignee", AssigneeForm), ("task", TaskForm), ("section", SectionForm))}
    return render_template("directives/edit.html", form=form, directive=directive, prototypes=prototypes,
                           **extra), status


def _edit(directive: Directive | None):
    form = DirectiveForm(data=_form_data_from_directive(directive) if directive and request.method == "GET" else None)
    form.set_choices(queries.issuer_choices(), queries.target_choices())
    if form.validate_on_submit():
        if directive is not None and str(form.version.data) != str(directive.version):
            flash("Văn bản vừa được người khác cập nhật. Nội dung bạn nhập chưa được lưu; "
                  "hãy mở lại văn bản để xem bản mới nhất.", "danger")
            return _render_form(form, directive, 409, conflict=True)
        issuer = db.session.get(Agency, int(form.issuer_agency_id.data))
        was_approved = directive is not None and directive.state == "approved"
        try:
            # a changed text needs a new approval
            saved, warnings = save_directive(directive, _data_from_form(form, issuer), current_user, issuer,
                                             state="draft" if was_approved else None)
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            flash("Văn bản vừa được người khác cập nhật; nội dung bạn nhập chưa được lưu.", "danger")
            return _render_form(form, directive, 409, conflict=True)
        flash("Đã lưu văn bản." + (" Văn bản trở về dự thảo và cần lãnh đạo duyệt lại." if was_approved else ""),
              "success")
        for warning in warnings:
            flash(warning, "warning")
        return redirect(url_for("directives.show", directive_id=saved.id))
    if request.method == "POST":
        flash("Chưa lưu: vui lòng sửa các ô được đánh dấu đỏ.", "danger")
    return _render_form(form, directive, 400 if request.method == "POST" else 200)


@bp.route("/van-ban/moi", methods=["GET", "POST"])
def create():
    if not permissions.can_create_directive(current_user):
        abort(403)
    return _edit(None)


@bp.route("/van-ban/<id:directive_id>/sua", methods=["GET", "POST"])
def edit(directive_id):
    directive = _directive_or_404(directive_id)
    if not permissions.can_edit_directive(current_user, directive):
        abort(403)
    return _edit(directive)


def _change_state(directive_id, allowed, new_state, action, message):
    directive = _directive_or_404(directive_id)
    if not allowed(current_user, directive):
        abort(403)
    old_state = directive.state
    directive.state = new_state
    directive.updated_by_id = current_user.id
    record(current_user, action, directive, message, {"state": [old_state, new_state]})
    if new_state == "approved":
        notifications.new_assignments(directive)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("directives.show", directive_id=directive.id))


@bp.route("/van-ban/<id:directive_id>/duyet", methods=["POST"])
def approve(directive_id):
    return _change_state(directive_id, permissions.can_approve_directive, "approved", "directive.approve",
                         "Đã duyệt văn bản; các đơn vị được giao đã thấy nhiệm vụ.")


@bp.route("/van-ban/<id:directive_id>/tra-lai", methods=["POST"])
def return_to_draft(directive_id):
    return _change_state(directive_id, permissions.can_return_directive_to_draft, "draft", "directive.unapprove",
                         "Văn bản đã trở về dự thảo.")
