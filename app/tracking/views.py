"""Tracking pages: the organisation's own tasks (inbox), what it follows up (dashboard, lists, Excel,
snapshots, báo cáo, đôn đốc, extension requests), one assignment with its history and roll-up.

Lists of work given to the user's organisations use scope.own_assignments; what they follow up is
one organisation at a time (`?co-quan=`), the directives it owns. Every record named in a URL goes
through app/scope.py."""
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select, update
from sqlalchemy.orm.exc import StaleDataError

from app import scope
from app.clock import format_local_datetime, local_today, utcnow
from app.documents import MEDIA_TYPES
from app.documents.letter import LetterError
from app.extensions import db
from app.models import Agency, Assignment, Directive, Evidence, Notification
from app.rules import permissions, recurrence
from app.rules.signers import default_signer
from app.rules import timeliness as T
from app.rules.directive_states import LIVE
from app.rules.extensions import ExtensionError
from app.rules.workflow import TransitionError, allowed_transitions
from app.text import ascii_int, clean_text, parse_vn_date
from app.tracking import bp, choices, coordination, occurrences, queries, reports, rollup, service, snapshots, tallies
from app.tracking.forms import AssignmentUpdateForm, DecisionForm, ExtensionForm, ReminderForm, ReportForm
from app.web import MAX_PAGE, paginate_rows

ORG_ARG = "co-quan"


def _today_and_window():
    return local_today(), current_app.config["DUE_SOON_DAYS"]


def _organisations() -> list[Agency]:
    """The organisations whose follow-up the user may open (the morning's follow-up mail asks the same)."""
    ids = scope.followed_organisations(current_user)
    return db.session.scalars(select(Agency).where(Agency.id.in_(ids)).order_by(Agency.name)).all()


def _organisation() -> Agency:
    """The organisation whose follow-up the page shows: chosen with ?co-quan=, else the body the user's
    agency prepares documents for (UBND tỉnh for its Văn phòng), else the user's own agency."""
    organisations = _organisations()
    if not organisations:
        abort(403)
    chosen = request.values.get(ORG_ARG, "")
    for agency in organisations:
        if str(agency.id) == chosen:
            return agency
    preferred = current_user.agency.serves_id if current_user.agency else None
    return next((a for a in organisations if a.id == preferred), organisations[0])


def _org_context(organisation: Agency) -> dict:
    return {"organisation": organisation, "organisations": _organisations(),
            "org_args": {ORG_ARG: organisation.id}}


def _list_page(template, within, extra_args=None, tallied=None, **extra):
    """A page of an assignment list; `tallied(filters, today, window)` gives its total from the tallies,
    or None when it must be counted."""
    filters = queries.parse_filters(request.args)
    today, window = _today_and_window()
    def total() -> int:  # from the tallies when they can tell, else counted on the ids alone
        known = tallied(filters, today, window) if tallied else None
        if known is None:
            known = db.session.execute(queries.row_count(filters, today, window, within)).scalar_one()
        return known

    pagination = paginate_rows(queries.assignment_rows(filters, today, window, within),
                               current_app.config["PER_PAGE"], total)
    return render_template(template, pagination=pagination, rows=pagination.items, filters=filters,
                           query_args={**filters.as_args(), **(extra_args or {})}, today=today, **extra)


@bp.route("/nhiem-vu")
@scope.guard(allowed=permissions.has_inbox)
def inbox():
    """Nhiệm vụ của đơn vị: what was given to the user's organisations."""
    agencies = scope.own_agencies(current_user)
    return _list_page("tracking/inbox.html", scope.own_assignments(current_user),
                      tallied=lambda filters, today, window: queries.inbox_total(
                          filters, today, window, agencies, tallies.current(db.session, today, window)))


@bp.route("/theo-doi/nhiem-vu")
@scope.guard(allowed=permissions.can_follow)
def assignments():
    """Every assignment of the organisation's directives, with all the filters; the dashboard links here."""
    organisation = _organisation()
    context = _org_context(organisation)
    filters = queries.parse_filters(request.args)
    ahead = tallies.current(db.session, *_today_and_window())  # asked once for the total and the agency filter
    return _list_page("tracking/assignments.html", queries.owned_by(organisation.id), context["org_args"],
                      tallied=lambda filters, _today, _window: queries.tallied_total(filters, ahead, organisation.id),
                      directives=choices.directives(organisation.id, filters.directive),
                      agencies=choices.agencies(organisation.id, ahead, filters.agency), **context)


CHOICE_KINDS = {"van-ban": "directives", "don-vi": "agencies"}


@bp.route("/theo-doi/lua-chon/<kind>")
@scope.guard(allowed=permissions.can_follow)
def filter_choices(kind):
    """The directives or agencies of the organisation matching what the user types in a filter (JSON)."""
    if kind not in CHOICE_KINDS:
        abort(404)
    organisation = _organisation()
    typed = request.args.get("q", "")
    if kind == "van-ban":
        found = choices.directives(organisation.id, typed=typed, limit=choices.FOUND)
    else:
        found = choices.agencies(organisation.id, tallies.current(db.session, *_today_and_window()), typed=typed,
                                 limit=choices.FOUND)
    return jsonify({"options": [{"value": str(value), "text": label} for value, label in found.pairs],
                    "more": found.more})


def _source(kind: str, found: choices.Choices, organisation: Agency) -> str | None:
    """Where a picker finds the choices its page does not carry."""
    return url_for("tracking.filter_choices", kind=kind, **{ORG_ARG: organisation.id}) if found.more else None


def _offer(field, empty: str, found: choices.Choices, kind: str, organisation: Agency) -> set[str]:
    """Fill a form's picker with the choices the page carries (and where to find the rest); the ids it
    accepts. A choice found by typing comes back as the chosen one, so it is among them when submitted."""
    field.choices = [("", empty)] + [(str(value), label) for value, label in found.pairs]
    source = _source(kind, found, organisation)
    if source:
        field.render_kw = {**(field.render_kw or {}), "data-source": source}
    return {str(value) for value, _label in found.pairs}


def _filter_words(filters) -> str:
    """What a list was filtered by, in words, for the title of its Excel file."""
    from app.models.directives import ASSIGNEE_ROLES
    from app.rules.workflow import STATUS_LABELS

    words = []
    if filters.directive:
        directive = db.session.get(Directive, filters.directive)
        words.append(f"văn bản {directive.number_symbol}" if directive else "")
    if filters.agency:
        agency = db.session.get(Agency, filters.agency)
        words.append(f"đơn vị {agency.name}" if agency else "")
    if filters.role:
        words.append(f"vai trò {ASSIGNEE_ROLES[filters.role].lower()}")
    if filters.status:
        words.append(f"trạng thái {STATUS_LABELS[filters.status].lower()}")
    if filters.timeliness:
        words.append(T.FILTER_LABELS[filters.timeliness].lower())
    if filters.deadline_from or filters.deadline_to:
        words.append("hạn " + " ".join(part for part in (
            f"từ {filters.deadline_from:%d/%m/%Y}" if filters.deadline_from else "",
            f"đến {filters.deadline_to:%d/%m/%Y}" if filters.deadline_to else "") if part))
    if filters.q:
        words.append(f"tìm “{filters.q}”")
    return "; ".join(word for word in words if word) or "tất cả nhiệm vụ"


def _excel(scope_name, organisation_id, name, title):
    """The list as Excel: at once when small; above EXCEL_JOB_ROWS rows a job, found in Tệp đã xuất."""
    from app.jobs import exports, runner

    filters = queries.parse_filters(request.args)
    today = local_today()
    within = exports.excel_within(current_user, scope_name, organisation_id)
    query = exports.excel_query(request.args, within, today)
    description = f"Lọc: {_filter_words(filters)}. Xuất lúc {format_local_datetime(utcnow())} (giờ Việt Nam)."
    count = exports.count_rows(query)
    if count > current_app.config["EXCEL_JOB_ROWS"]:
        runner.start(current_user, "excel", f"{title}: {count} nhiệm vụ",
                     {"scope": scope_name, "organisation_id": organisation_id, "args": request.args.to_dict(flat=False),
                      "name": name, "title": title, "description": description},
                     organisation_id=organisation_id, total=count)
        db.session.commit()
        flash(f"Danh sách có {count} nhiệm vụ nên được xuất dưới nền. Tệp Excel sẽ có ở đây khi xong; "
              "bạn có thể rời trang này.", "info")
        return redirect(url_for("jobs.index"))
    content = exports.excel_bytes(query, title, description)
    return send_file(BytesIO(content), as_attachment=True, max_age=0,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     download_name=f"{name}-{today:%Y-%m-%d}.xlsx")


@bp.route("/theo-doi/nhiem-vu.xlsx")
@scope.guard(allowed=permissions.can_follow)
def assignments_excel():
    organisation = _organisation()
    return _excel("owned", organisation.id, "nhiem-vu", f"Nhiệm vụ đã giao — {organisation.name}")


@bp.route("/nhiem-vu.xlsx")
@scope.guard(allowed=permissions.has_inbox)
def inbox_excel():
    return _excel("own", None, "nhiem-vu-cua-don-vi", f"Nhiệm vụ của đơn vị — {current_user.agency.name}")


SCORES_PER_PAGE = 50
DIRECTIVES_SHOWN = 20


@dataclass
class ListPage:
    page: int
    pages: int
    total: int

    def iter_pages(self):
        """The page numbers to link, with None for a gap: the same window as every other list's pager."""
        return Pagination.iter_pages(self)


def _page_number(arg: str) -> int:
    return min(ascii_int(request.args.get(arg, "1")) or 1, MAX_PAGE)  # an absurd page must not overflow OFFSET


@bp.route("/theo-doi")
@scope.guard(allowed=permissions.can_follow)
def dashboard():
    organisation = _organisation()
    today, window = _today_and_window()
    figures = queries.dashboard_figures(organisation.id, today, window, DIRECTIVES_SHOWN)
    sort = request.args.get("sort", "overdue")
    descending = request.args.get("dir", "desc") != "asc"
    page = _page_number("sp")
    card = queries.scorecard(figures.counts, sort, descending, SCORES_PER_PAGE, (page - 1) * SCORES_PER_PAGE)
    pages = max(1, -(-card.agencies // SCORES_PER_PAGE))
    if page > pages:  # past the end: the last page
        page = pages
        card = queries.scorecard(figures.counts, sort, descending, SCORES_PER_PAGE, (page - 1) * SCORES_PER_PAGE)
    worst = figures.worst
    directives = {d.id: d for d in db.session.scalars(select(Directive).where(Directive.id.in_([i for i, _ in worst])))}
    progress = [(directives[i], kinds) for i, kinds in worst]
    last = snapshots.previous(today + timedelta(days=1), organisation.id)
    return render_template("tracking/dashboard.html", totals=card.totals, scores=card.scores,
                           score_page=ListPage(page, pages, card.agencies),
                           directive_count=figures.directive_count, sort=sort,
                           descending=descending, progress=progress, today=today, window=window,
                           groups=queries.DASHBOARD_GROUPS, T=T, snapshot=last,
                           before=snapshots.totals(last) if last else None,
                           before_rows=snapshots.rows_for(last, [s.agency.id for s in card.scores]) if last else {},
                           **_org_context(organisation))


@bp.route("/theo-doi/chot-so-lieu", methods=["POST"])
@scope.guard(allowed=permissions.can_follow)
def take_snapshot():
    organisation = _organisation()
    back = url_for("tracking.dashboard", **{ORG_ARG: organisation.id})
    raw = request.form.get("cutoff", "")
    try:
        cutoff = parse_vn_date(raw) if raw.strip() else local_today()
    except ValueError as error:
        flash(f"Ngày chốt số liệu: {error}", "danger")
        return redirect(back)
    if cutoff > local_today():
        flash("Không chốt số liệu cho một ngày trong tương lai.", "danger")
        return redirect(back)
    try:
        snapshot = snapshots.take(cutoff, current_user, current_app.config["DUE_SOON_DAYS"], organisation.id)
    except snapshots.EmptyCutoff as error:
        db.session.rollback()
        flash(str(error), "warning")
        return redirect(back)
    db.session.commit()
    flash(f"Đã chốt số liệu đến ngày {snapshot.cutoff:%d/%m/%Y} ({len(snapshot.rows)} đơn vị).", "success")
    return redirect(back)


@bp.route("/theo-doi/so-lieu-da-chot")
@scope.guard(allowed=permissions.can_follow)
def snapshot_list():
    """The organisation's cut-offs, newest first, each with its figures and the change since the one before."""
    organisation = _organisation()
    rows = snapshots.history(organisation.id)
    return render_template("tracking/snapshots.html", rows=rows, groups=queries.DASHBOARD_GROUPS,
                           **_org_context(organisation))


def _assignment_page(item, form, status_code=200, extension_form=None):
    today, window = _today_and_window()
    periods = occurrences.ensure(item, today) if item.task.recurrence and item.directive.state in LIVE else []
    if periods and db.session.dirty:
        db.session.commit()  # the new period and the moved deadline, whoever opens the page first
    sides = service.sides_of(current_user, item)
    children = rollup.children(item, today, window)
    return render_template(
        "tracking/assignment.html", item=item, form=form, sides=sides, today=today,
        transitions=allowed_transitions(item.status, sides),
        extension_form=extension_form or ExtensionForm(), decision_form=DecisionForm(),
        timeliness=T.classify(item.status, item.deadline, item.completed_date, today, window),
        late_now=T.days_late(item.deadline, item.status, item.completed_date, today),
        late_original=T.days_late(item.original_deadline, item.status, item.completed_date, today),
        evidence=db.session.scalars(select(Evidence).where(Evidence.assignment_id == item.id)).all(),
        children=children, children_counts=rollup.counts(children), partners=coordination.partners(item),
        may_cascade=permissions.can_cascade(current_user, item, item.directive.state in LIVE),
        periods=periods, rule_text=recurrence.describe(item.task.recurrence) if item.task.recurrence else "",
        period_label=lambda due: recurrence.period_label(item.task.recurrence, due),
    ), status_code


def _update_form(item, data=None):
    form = AssignmentUpdateForm(data=data)
    form.action.choices = [(t.code, t.label) for t in allowed_transitions(item.status,
                                                                           service.sides_of(current_user, item))]
    return form


@bp.route("/nhiem-vu/<id:assignment_id>", methods=["GET", "POST"])
@scope.guard(assignment_id="item")
def assignment(item):
    transitions = allowed_transitions(item.status, service.sides_of(current_user, item))
    form = _update_form(item, {"version": item.version, "percent": item.progress_percent}
                        if request.method == "GET" else None)
    if request.method == "GET":
        return _assignment_page(item, form)
    if not transitions:
        abort(403)
    if not form.validate_on_submit():
        return _assignment_page(item, form, 400)
    files, file_errors = service.check_uploads(request.files.getlist(form.files.name))
    if file_errors:
        form.files.errors = file_errors
        return _assignment_page(item, form, 400)
    try:
        service.change_assignment(item, current_user, form.action.data, form.percent.data, form.note.data,
                                  form.version.data, files)
        db.session.commit()
    except TransitionError as error:
        db.session.rollback()
        form.action.errors.append(str(error))
        return _assignment_page(scope.assignment_or_404(item.id), form, 400)
    except (service.StaleAssignment, StaleDataError):
        db.session.rollback()
        flash("Nhiệm vụ vừa được người khác cập nhật. Dưới đây là trạng thái mới nhất; "
              "nội dung bạn nhập vẫn còn trong ô, hãy kiểm tra rồi gửi lại.", "danger")
        item = scope.assignment_or_404(item.id)
        form.version.data = item.version
        form.action.choices = [(t.code, t.label)
                               for t in allowed_transitions(item.status, service.sides_of(current_user, item))]
        return _assignment_page(item, form, 409)
    flash("Đã cập nhật nhiệm vụ." + (f" Đã lưu {len(files)} tệp minh chứng." if files else ""), "success")
    return redirect(url_for("tracking.assignment", assignment_id=item.id))


@bp.route("/nhiem-vu/<id:assignment_id>/gia-han", methods=["POST"])
@scope.guard(assignment_id="item")
def request_extension(item):
    if "department" not in service.sides_of(current_user, item):
        abort(403)
    form = ExtensionForm()
    if form.validate_on_submit():
        try:
            extension = service.request_extension(item, current_user, form.requested_deadline.data, form.reason.data)
            db.session.commit()
            flash(f"Đã gửi đề nghị gia hạn lần {extension.sequence}; chờ cơ quan giao nhiệm vụ duyệt.", "success")
            return redirect(url_for("tracking.assignment", assignment_id=item.id))
        except ExtensionError as error:
            db.session.rollback()
            form.requested_deadline.errors = [*form.requested_deadline.errors, str(error)]
            flash(str(error), "danger")
    return _assignment_page(item, _update_form(item, {"version": item.version, "percent": item.progress_percent}),
                            400, extension_form=form)


@bp.route("/gia-han/<id:request_id>/<any('dong-y', 'tu-choi'):decision>", methods=["POST"])
@scope.guard(request_id="extension")
def decide_extension(extension, decision):
    if "office" not in service.sides_of(current_user, extension.assignment):
        abort(403)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash("Chưa xử lý: " + " ".join(e for errors in form.errors.values() for e in errors), "danger")
        return redirect(url_for("tracking.assignment", assignment_id=extension.assignment_id))
    try:
        service.decide_extension(extension, current_user, decision == "dong-y", form.note.data, form.granted.data)
        db.session.commit()
        flash("Đã xử lý đề nghị gia hạn.", "success")
    except ExtensionError as error:
        db.session.rollback()
        flash(str(error), "danger")
    return redirect(url_for("tracking.assignment", assignment_id=extension.assignment_id))


@bp.route("/nhiem-vu/<id:assignment_id>/minh-chung/<id:evidence_id>")
@scope.guard(assignment_id="item")
def evidence_file(item, evidence_id):
    """Only those who may see the assignment may download its evidence."""
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None or evidence.assignment_id != item.id:
        abort(404)
    try:
        content = service.evidence_bytes(evidence)
    except service.EvidenceMissing as error:
        db.session.commit()  # the admins' notice
        flash(str(error), "danger")
        return redirect(url_for("tracking.assignment", assignment_id=item.id))
    return send_file(BytesIO(content), mimetype=evidence.media_type, as_attachment=True,
                     download_name=evidence.original_name, max_age=0)


def _reports_for(user, item) -> bool:
    return "department" in service.sides_of(user, item)


@bp.route("/nhiem-vu/<id:assignment_id>/ky/<id:occurrence_id>", methods=["POST"])
@scope.guard(assignment_id="item", allowed=_reports_for)
def report_period(item, occurrence_id):
    """One period of a recurring obligation reported ("Báo cáo kỳ này")."""
    try:
        occurrences.report(item, occurrence_id, current_user, clean_text(request.form.get("note", ""))[:5000])
        db.session.commit()
        flash("Đã báo cáo kỳ này; hạn chuyển sang kỳ tiếp theo.", "success")
    except occurrences.OccurrenceError as error:
        db.session.rollback()
        flash(str(error), "danger")
    return redirect(url_for("tracking.assignment", assignment_id=item.id))


@bp.route("/nhiem-vu/<id:assignment_id>/y-kien-phoi-hop", methods=["POST"])
@scope.guard(assignment_id="item", allowed=_reports_for)
def coordinator_input(item):
    """Phối hợp → chủ trì: the coordinator's contribution, for the lead to consolidate."""
    try:
        coordination.send_input(item, current_user, clean_text(request.form.get("note", ""))[:5000])
        db.session.commit()
        flash("Đã gửi ý kiến cho đơn vị chủ trì.", "success")
    except coordination.CoordinationError as error:
        db.session.rollback()
        flash(str(error), "danger")
    return redirect(url_for("tracking.assignment", assignment_id=item.id))


@bp.route("/nhiem-vu/<id:assignment_id>/trien-khai", methods=["POST"])
@scope.guard(assignment_id="item")
def implement(item):
    """Triển khai from one's own assignment: the same draft as from its directive's page."""
    from app.directives import cascade

    if not permissions.can_cascade(current_user, item, item.directive.state in LIVE):
        abort(403)
    try:
        draft, _warnings = cascade.draft_implementing(item.directive, item.agency, current_user)
        db.session.commit()
    except cascade.CascadeError as error:
        db.session.rollback()
        flash(str(error), "danger")
        return redirect(url_for("tracking.assignment", assignment_id=item.id))
    flash("Đã soạn dự thảo văn bản triển khai: chọn đơn vị thực hiện cho từng mục, người ký, rồi lưu.", "success")
    return redirect(url_for("directives.edit", directive_id=draft.id))


@bp.route("/gia-han")
@scope.guard(allowed=permissions.can_follow)
def extension_requests():
    pending = db.session.scalars(service.pending_extensions(current_user)
                                 .order_by(Assignment.id)).all()
    return render_template("tracking/extensions.html", pending=pending)


@bp.route("/thong-bao", methods=["GET", "POST"])
def notifications_page():
    if request.method == "POST":
        db.session.execute(update(Notification).where(Notification.user_id == current_user.id,
                                                      Notification.read_at.is_(None)).values(read_at=utcnow()))
        db.session.commit()
        return redirect(url_for("tracking.notifications_page"))
    items = db.session.scalars(select(Notification).where(Notification.user_id == current_user.id)
                               .order_by(Notification.id.desc()).limit(100)).all()
    alerts = []
    if permissions.has_inbox(current_user):
        today, window = _today_and_window()
        for kind in (T.OVERDUE, T.DUE_SOON):
            count = db.session.scalar(select(func.count()).select_from(
                queries.assignment_rows(queries.Filters(timeliness=kind), today, window,
                                        scope.own_assignments(current_user)).order_by(None).subquery()))
            if count:
                alerts.append((kind, count))
    return render_template("tracking/notifications.html", items=items, alerts=alerts)


def _letter_issuer():
    """Reports and reminders go out under the user's own agency (Văn phòng UBND …) when it has a header."""
    agency = current_user.agency
    while agency is not None and not agency.header_lines:
        agency = agency.parent
    return agency


def _default_signer(form, issuer) -> None:
    """An empty form starts with the signature block ND30 gives the issuing organisation (its head)."""
    if issuer is not None:
        signer = default_signer(issuer.kind, deputy=False)
        form.signer_authority.data = signer["authority"] or ""
        form.signer_authority_title.data = signer["authority_title"]
        form.signer_title.data = signer["title"]


def _signer(form) -> dict:
    return {"authority": form.signer_authority.data or None, "authority_title": form.signer_authority_title.data,
            "title": form.signer_title.data, "name": form.signer_name.data or None}


@bp.route("/theo-doi/bao-cao")
@scope.guard(allowed=permissions.can_follow)
def report():
    """Báo cáo tình hình thực hiện: one directive, or the tasks due in a period; DOCX or PDF."""
    organisation = _organisation()
    form = ReportForm(request.args if set(request.args) - {ORG_ARG} else None)
    directives = choices.directives(organisation.id, ascii_int(request.args.get("directive", "")))
    form.valid_directives = _offer(form.directive, "— Theo kỳ báo cáo —", directives, "van-ban", organisation)
    issuer = _letter_issuer()
    asked = bool(set(request.args) - {ORG_ARG})
    if not asked:
        _default_signer(form, issuer)
    if asked and issuer is None:
        flash("Tài khoản chưa gắn với cơ quan có tiêu đề văn bản nên chưa lập được báo cáo.", "danger")
    elif asked and form.validate():
        from app.jobs import exports, runner
        from app.jobs.runner import JobError

        values = {"directive": form.directive.data or None, "recipients": form.recipients.data,
                  "signer": _signer(form), "format": form.format.data,
                  "deadline_from": form.deadline_from.data.isoformat() if form.deadline_from.data else None,
                  "deadline_to": form.deadline_to.data.isoformat() if form.deadline_to.data else None}
        count = exports.report_rows(current_user, organisation.id, values)
        if count > current_app.config["REPORT_JOB_ROWS"]:
            _filters, scope_text = exports.report_filters(values)
            runner.start(current_user, "report", f"Báo cáo {scope_text[:200]} ({count} nhiệm vụ)",
                         {"organisation_id": organisation.id, "values": values}, organisation_id=organisation.id)
            db.session.commit()
            flash(f"Báo cáo gồm {count} nhiệm vụ nên được lập dưới nền; tệp sẽ có ở đây khi xong.", "info")
            return redirect(url_for("jobs.index"))
        try:
            content, download_name = exports.report_bytes(current_user, organisation.id, values)
        except (LetterError, JobError) as error:
            flash(str(error), "danger")
        else:
            return send_file(BytesIO(content), mimetype=MEDIA_TYPES[form.format.data], as_attachment=True,
                             download_name=download_name, max_age=0)
    return render_template("tracking/report.html", form=form, issuer=issuer, **_org_context(organisation)), \
        400 if form.errors else 200


@bp.route("/theo-doi/don-doc", methods=["GET", "POST"])
@scope.guard(allowed=permissions.can_remind)
def reminder():
    """Công văn đôn đốc: drafted here, then approved and numbered like any letter."""
    organisation = _organisation()
    form = ReminderForm()
    agencies = choices.agencies(organisation.id, False, ascii_int(request.form.get("agency", "")))
    form.valid_agencies = _offer(form.agency, "— Mọi đơn vị có nhiệm vụ quá hạn hoặc sắp đến hạn —", agencies,
                                 "don-vi", organisation)
    issuer = _letter_issuer()
    today, window = _today_and_window()
    if request.method == "GET":
        _default_signer(form, issuer)
    if form.validate_on_submit():
        if issuer is None:
            flash("Tài khoản chưa gắn với cơ quan có tiêu đề văn bản nên chưa lập được công văn.", "danger")
        elif form.report_by.data < today:
            form.report_by.errors.append("Hạn báo cáo không được ở trong quá khứ.")
        else:
            letter, count = reports.draft_reminder(int(form.agency.data) if form.agency.data else None,
                                                   form.report_by.data, issuer, _signer(form), current_user,
                                                   today, window, organisation.id)
            if letter is None:
                flash("Không có nhiệm vụ nào quá hạn hoặc sắp đến hạn để đôn đốc.", "info")
            else:
                db.session.commit()
                flash(f"Đã lập dự thảo công văn đôn đốc {count} nhiệm vụ; trình lãnh đạo duyệt rồi văn thư cấp số.",
                      "success")
                return redirect(url_for("directives.show", directive_id=letter.id))
    return render_template("tracking/reminder.html", form=form, issuer=issuer, **_org_context(organisation)), \
        400 if form.errors else 200
