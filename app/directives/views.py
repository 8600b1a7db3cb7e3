"""Directive pages: the list, one directive, its letter, the structured form, approval, issuing,
a correction, and drafting an implementing directive (triển khai) with the chain it belongs to.
Every record named in a URL is loaded through app/scope.py (404 outside the user's scope)."""
from io import BytesIO

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from app import scope
from app.clock import local_today
from app.directives import bp, cascade, letters, lifecycle, queries
from app.directives.forms import AssigneeForm, DirectiveForm, LineForm, SectionForm, TaskForm
from app.directive_format import directive_to_data
from app.directives.service import past_deadlines, resolve_assignees, save_directive
from app.documents import MEDIA_TYPES
from app.documents.letter import LetterError
from app.extensions import db
from app.directive_format import TEXT_LIMIT
from app.forms import hidden_id
from app.lint import lint_directive
from app.models import Agency, AgencyGroup, Assignment, Directive, Section, SectionAssignee, Task, TaskDeadline
from app.rules import permissions
from app.rules.directive_states import DirectiveStateError
from app.rules.signers import default_signer
from app.text import clean_text, strip_item_marker
from app.web import paginate_counted_ahead


@bp.route("/van-ban")
@scope.guard(allowed=permissions.can_list_directives)
def index():
    filters = queries.parse_filters(request.args)
    matches = queries.search_matches(filters["q"], current_user) if filters["q"] else {}
    # the issuer loaded for the page's rows only (a join would be made for every directive before the sort)
    pagination = paginate_counted_ahead(
        queries.filtered_directives(filters, current_user, matches).options(selectinload(Directive.issuer_agency)),
        current_app.config["PER_PAGE"], current_app.config["LIST_COUNT_AHEAD"])
    progress = queries.progress_by_directive([d.id for d in pagination.items])
    return render_template(
        "directives/index.html", pagination=pagination, filters=filters, progress=progress, matches=matches,
        issuers=queries.issuers_in_use(current_user), states=queries.STATES,
        query_args={k: v for k, v in filters.items() if v},
    )


def _with_everything():
    """Load a directive's whole tree in a few queries, so its page costs the same for 5 tasks or 500."""
    return (
        selectinload(Directive.sections).selectinload(Section.tasks).options(
            selectinload(Task.assignments).options(joinedload(Assignment.agency), joinedload(Assignment.via_group)),
            selectinload(Task.agency_deadlines).joinedload(TaskDeadline.agency)),
        selectinload(Directive.sections).selectinload(Section.assignees).options(
            joinedload(SectionAssignee.agency),
            joinedload(SectionAssignee.group).selectinload(AgencyGroup.members)),
        selectinload(Directive.recipients), selectinload(Directive.cc_lines),
        joinedload(Directive.issuer_agency), joinedload(Directive.register_entry),
        joinedload(Directive.created_by), joinedload(Directive.parent),
    )


@bp.route("/van-ban/<id:directive_id>")
def show(directive_id):
    directive = scope.directive_or_404(directive_id, options=_with_everything())
    organisations = permissions.organisations(current_user)
    follows = directive.owner_agency_id in organisations or permissions.LEADER in permissions.roles_of(current_user)
    problems, advice = letters.readiness(directive)
    parent_visible = directive.parent_id is not None and scope.directive_visible(current_user, directive.parent_id)
    lint_report = None
    if not problems and permissions.can_issue_directive(current_user, directive):
        # the clerk sees the ND30 lint of the letter as it would be issued, before numbering it
        lint_report = lint_directive(directive_to_data(directive), today=local_today())
    from app.signing.service import revisions
    from app.exchange.service import history
    signed = revisions(directive) if directive.register_entry is not None else {}
    exchanged = history(directive) if directive.state in ("issued", "received") else []
    return render_template("directives/show.html", directive=directive, lint_report=lint_report, signed=signed, exchanged=exchanged,
                           shown_agencies=None if follows else organisations,
                           problems=problems, advice=advice, visible_parent={directive.parent_id} if parent_visible else set(),
                           implementers=cascade.can_draft_from(directive, current_user))


@bp.route("/van-ban/<id:directive_id>/tai-ve.<any(docx, pdf):fmt>")
@scope.guard(directive_id="directive")
def download(directive, fmt):
    """The letter as DOCX or PDF: the frozen file once issued, a fresh rendering before."""
    try:
        content = letters.letter_bytes(directive, fmt)
    except (LetterError, letters.IssueError) as error:
        db.session.commit()  # the admins' notice of a missing file, if that was it
        flash(str(error), "danger")
        return redirect(url_for("directives.show", directive_id=directive.id))
    return send_file(BytesIO(content), mimetype=MEDIA_TYPES[fmt], as_attachment=True,
                     download_name=letters.file_name(directive, fmt), max_age=0)


@bp.route("/van-ban/<id:directive_id>/sao-chep", methods=["POST"])
@scope.guard(directive_id="source", allowed=permissions.can_copy_directive)
def copy(source):
    """A correction after issuing is a new document: start a draft from this one."""
    data = directive_to_data(source)
    data.update(number=None, date=None)
    resolve_assignees(data, source.issuer_agency)
    for section in data["sections"]:
        section["assignees"] = [a for a in section["assignees"] if a["target"] is not None]
    draft, _warnings = save_directive(None, data, current_user, source.issuer_agency, owner=source.owner_agency,
                                      parent=source.parent)
    db.session.commit()
    flash(f"Đã tạo dự thảo mới từ văn bản {source.number_symbol}. Sửa nội dung rồi trình duyệt.", "success")
    return redirect(url_for("directives.edit", directive_id=draft.id))


@bp.route("/van-ban/<id:directive_id>/trien-khai", methods=["POST"])
@scope.guard(directive_id="parent", allowed=lambda user, parent: bool(cascade.can_draft_from(parent, user)))
def implement(parent):
    """Draft this organisation's implementing directive, its received tasks offered as sections."""
    choices = {str(a.id): a for a in cascade.can_draft_from(parent, current_user)}
    organisation = choices.get(request.form.get("organisation", "")) or (
        next(iter(choices.values())) if len(choices) == 1 else None)
    if organisation is None:
        flash("Chọn cơ quan triển khai văn bản này.", "danger")
        return redirect(url_for("directives.show", directive_id=parent.id))
    return open_implementing_draft(parent, organisation, url_for("directives.show", directive_id=parent.id))


def open_implementing_draft(parent, organisation, back: str):
    """Both Triển khai buttons (a directive's page, one's own task) open the same draft, or go back
    with the reason it cannot be drafted."""
    try:
        draft, _warnings = cascade.draft_implementing(parent, organisation, current_user)
        db.session.commit()
    except cascade.CascadeError as error:
        db.session.rollback()
        flash(str(error), "danger")
        return redirect(back)
    flash("Đã soạn dự thảo văn bản triển khai: chọn đơn vị thực hiện cho từng mục, người ký, rồi lưu.", "success")
    return redirect(url_for("directives.edit", directive_id=draft.id))


@bp.route("/van-ban/<id:directive_id>/chuoi-trien-khai")
@scope.guard(directive_id="directive")
def chain(directive):
    tree = cascade.chain(directive, current_user, local_today(), current_app.config["DUE_SOON_DAYS"])
    return render_template("directives/chain.html", directive=directive, tree=tree)


@bp.route("/van-ban/<id:directive_id>/phat-hanh", methods=["POST"])
@scope.guard(directive_id="directive", allowed=permissions.can_issue_directive)
def issue(directive):
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
        flash(f"Đã cấp số {entry.number}/{directive.symbol} ngày {entry.issued_date:%d/%m/%Y} và lưu bản phát hành; "
              "các đơn vị được giao đã nhận nhiệm vụ.", "success")
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
        "deadline": directive.deadline,
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
                {"id": hidden_id(t.form.id.data), "text": strip_item_marker(t.form.text.data),
                 "deadline": t.form.deadline.data}
                for t in section.tasks if strip_item_marker(t.form.text.data)
            ],
        })
    if len(sections) > 1 and not any(section["number"] for section in sections):
        for index, section in enumerate(sections, start=1):  # numbered for the user unless they number them
            section["number"] = str(index)
    return {
        "doc_type": form.doc_type.data,
        "issuer": issuer.header_lines,
        "symbol": form.symbol.data,
        "place": form.place.data or issuer.place,
        "subject": form.subject.data,
        "urgency": form.urgency.data or None,
        "deadline": form.deadline.data,
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


def _form_choices(form: DirectiveForm) -> None:
    issuers = queries.issuer_choices(current_user)
    trees = db.session.scalars(select(Agency).where(Agency.id.in_([int(value) for value, _ in issuers]))).all()
    form.set_choices(issuers, queries.target_choices(trees))


def _edit(directive: Directive | None):
    form = DirectiveForm(data=_form_data_from_directive(directive) if directive and request.method == "GET" else None)
    _form_choices(form)
    if directive is None and request.method == "GET" and form.issuer_agency_id.choices[1:]:
        issuer = db.session.get(Agency, int(form.issuer_agency_id.choices[1][0]))
        form.issuer_agency_id.data = str(issuer.id)
        signer = default_signer(issuer.kind)  # as ND30 has this kind of organisation sign; the user may change it
        form.signer_authority.data = signer["authority"] or ""
        form.signer_authority_title.data = signer["authority_title"]
        form.signer_title.data = signer["title"]
    if form.validate_on_submit():
        if directive is not None and str(form.version.data) != str(directive.version):
            flash("Văn bản vừa được người khác cập nhật. Nội dung bạn nhập chưa được lưu; "
                  "hãy mở lại văn bản để xem bản mới nhất.", "danger")
            return _render_form(form, directive, 409, conflict=True)
        issuer = db.session.get(Agency, int(form.issuer_agency_id.data))
        was_approved = directive is not None and directive.state in ("approved", "submitted")
        try:
            # a changed text needs a new approval
            saved, warnings = save_directive(directive, _data_from_form(form, issuer), current_user, issuer,
                                             state="draft" if was_approved else None,
                                             owner=issuer if directive is None else None)
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            flash("Văn bản vừa được người khác cập nhật; nội dung bạn nhập chưa được lưu.", "danger")
            return _render_form(form, directive, 409, conflict=True)
        flash("Đã lưu văn bản." + (" Văn bản trở về dự thảo và cần lãnh đạo duyệt lại." if was_approved else ""),
              "success")
        for warning in warnings + past_deadlines(saved, local_today()):
            flash(warning, "warning")
        return redirect(url_for("directives.show", directive_id=saved.id))
    if request.method == "POST":
        flash("Chưa lưu: vui lòng sửa các ô được đánh dấu đỏ.", "danger")
    return _render_form(form, directive, 400 if request.method == "POST" else 200)


@bp.route("/van-ban/moi", methods=["GET", "POST"])
@scope.guard(allowed=permissions.can_create_directive)
def create():
    return _edit(None)


@bp.route("/van-ban/<id:directive_id>/sua", methods=["GET", "POST"])
@scope.guard(directive_id="directive", allowed=permissions.can_edit_directive)
def edit(directive):
    return _edit(directive)


def _note() -> str:
    return clean_text(request.form.get("note", ""))[:TEXT_LIMIT]


def _move(directive, change, message, *args):
    try:
        change(directive, current_user, *args)
        db.session.commit()
    except DirectiveStateError as error:
        db.session.rollback()
        flash(str(error), "warning")
    else:
        flash(message, "success")
    return redirect(url_for("directives.show", directive_id=directive.id))


@bp.route("/van-ban/<id:directive_id>/trinh-duyet", methods=["POST"])
@scope.guard(directive_id="directive", allowed=permissions.can_submit_directive)
def submit(directive):
    return _move(directive, lifecycle.submit, "Đã trình lãnh đạo duyệt.", _note())


@bp.route("/van-ban/<id:directive_id>/duyet", methods=["POST"])
@scope.guard(directive_id="directive", allowed=permissions.can_approve_directive)
def approve(directive):
    return _move(directive, lifecycle.approve,
                 "Đã duyệt văn bản. Các đơn vị nhận nhiệm vụ khi văn thư cấp số và phát hành.", _note())


def _may_return(user, directive) -> bool:
    return permissions.can_send_back_directive(user, directive) or permissions.can_return_directive_to_draft(
        user, directive)


@bp.route("/van-ban/<id:directive_id>/tra-lai", methods=["POST"])
@scope.guard(directive_id="directive", allowed=_may_return)
def return_to_draft(directive):
    """A submitted draft goes back with the leader's comments; an approved one back to draft."""
    if permissions.can_send_back_directive(current_user, directive):
        return _move(directive, lifecycle.send_back, "Đã trả lại dự thảo kèm ý kiến.", _note())
    return _move(directive, lifecycle.return_to_draft, "Văn bản đã trở về dự thảo.")


@bp.route("/van-ban/<id:directive_id>/y-kien", methods=["POST"])
@scope.guard(directive_id="directive", allowed=permissions.can_comment_directive)
def comment(directive):
    return _move(directive, lifecycle.comment, "Đã gửi ý kiến.", _note())


@bp.route("/van-ban/<id:directive_id>/xoa", methods=["POST"])
@scope.guard(directive_id="directive", allowed=permissions.can_delete_directive)
def delete(directive):
    subject = directive.subject
    try:
        lifecycle.delete(directive, current_user)
        db.session.commit()
    except DirectiveStateError as error:
        db.session.rollback()
        flash(str(error), "warning")
        return redirect(url_for("directives.show", directive_id=directive.id))
    flash(f"Đã xóa dự thảo “{subject[:120]}” (ghi vào nhật ký thao tác).", "success")
    return redirect(url_for("directives.index"))


@bp.route("/van-ban/cho-duyet")
@scope.guard(allowed=permissions.has_approval_queue)
def approval_queue():
    """Drafts waiting for the leader's approval, oldest first."""
    waiting = db.session.scalars(queries.waiting_for(current_user)).all()
    return render_template("directives/queue.html", waiting=waiting)
