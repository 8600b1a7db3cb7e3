from io import BytesIO

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.models import Agency, Assignment, Directive
from app.rules import permissions
from app.rules import timeliness as T
from app.rules.workflow import TransitionError, allowed_transitions
from app.text import local_today
from app.tracking import bp, excel, queries
from app.tracking.forms import AssignmentUpdateForm
from app.tracking.service import StaleAssignment, change_assignment
from app.web import paginate_rows


def _today_and_window():
    return local_today(), current_app.config["DUE_SOON_DAYS"]


def _list_page(template, agency_id=None, **extra):
    filters = queries.parse_filters(request.args)
    today, window = _today_and_window()
    pagination = paginate_rows(queries.assignment_rows(filters, today, window, agency_id),
                               current_app.config["PER_PAGE"])
    return render_template(template, pagination=pagination, rows=pagination.items, filters=filters,
                           query_args=filters.as_args(), today=today, **extra)


@bp.route("/nhiem-vu")
def inbox():
    if not permissions.has_inbox(current_user):
        abort(403)
    return _list_page("tracking/inbox.html", agency_id=current_user.agency_id)


@bp.route("/theo-doi/nhiem-vu")
def assignments():
    """Every agency's assignments, with all the filters; the dashboard's numbers link here."""
    if not permissions.can_follow_all(current_user):
        abort(403)
    directives = db.session.execute(
        select(Directive.id, Directive.number, Directive.symbol, Directive.subject)
        .where(Directive.state.in_(permissions.STATES_VISIBLE_TO_DEPARTMENTS)).order_by(Directive.id.desc())
    ).all()
    agencies = db.session.execute(select(Agency.id, Agency.name).order_by(Agency.name)).all()
    return _list_page("tracking/assignments.html", directives=directives, agencies=agencies)


@bp.route("/theo-doi/nhiem-vu.xlsx")
def assignments_excel():
    if permissions.has_inbox(current_user):
        agency_id = current_user.agency_id
    elif permissions.can_follow_all(current_user):
        agency_id = None
    else:
        abort(403)
    filters = queries.parse_filters(request.args)
    today, window = _today_and_window()
    rows = db.session.execute(queries.assignment_rows(filters, today, window, agency_id)).all()
    content = excel.workbook_bytes(rows)
    return send_file(BytesIO(content), as_attachment=True, max_age=0,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     download_name=f"nhiem-vu-{today:%Y-%m-%d}.xlsx")


@bp.route("/theo-doi")
def dashboard():
    if not permissions.can_follow_all(current_user):
        abort(403)
    today, window = _today_and_window()
    by_agency = queries.counts_by(Assignment.agency_id, today, window)
    totals = {group: 0 for group in queries.DASHBOARD_GROUPS}
    for kinds in by_agency.values():
        for kind, count in kinds.items():
            group = queries.dashboard_group(kind)
            if group:
                totals[group] += count
    sort = request.args.get("sort", "overdue")
    descending = request.args.get("dir", "desc") != "asc"
    scores = queries.scorecard(today, window, sort, descending)
    by_directive = queries.counts_by(Directive.id, today, window)
    directives = {d.id: d for d in db.session.scalars(select(Directive).where(Directive.id.in_(list(by_directive))))}
    progress = sorted(
        ((directives[i], kinds) for i, kinds in by_directive.items()),
        key=lambda item: -item[1].get(T.OVERDUE, 0),
    )
    return render_template("tracking/dashboard.html", totals=totals, scores=scores, sort=sort,
                           descending=descending, progress=progress, today=today, window=window,
                           groups=queries.DASHBOARD_GROUPS, T=T)


def _assignment_or_404(assignment_id) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or not permissions.can_view_assignment(current_user, assignment):
        abort(404)
    return assignment


@bp.route("/nhiem-vu/<id:assignment_id>", methods=["GET", "POST"])
def assignment(assignment_id):
    item = _assignment_or_404(assignment_id)
    side = permissions.acts_as(current_user, item)
    transitions = allowed_transitions(item.status, side)
    form = AssignmentUpdateForm(data={"version": item.version, "percent": item.progress_percent}
                                if request.method == "GET" else None)
    form.action.choices = [(t.code, t.label) for t in transitions]
    status_code = 200
    if request.method == "POST":
        if not transitions:
            abort(403)
        if form.validate_on_submit():
            try:
                change_assignment(item, current_user, form.action.data, form.percent.data, form.note.data,
                                  form.version.data)
                db.session.commit()
                flash("Đã cập nhật nhiệm vụ.", "success")
                return redirect(url_for("tracking.assignment", assignment_id=item.id))
            except TransitionError as error:
                form.action.errors.append(str(error))
                status_code = 400
            except (StaleAssignment, StaleDataError):
                db.session.rollback()
                flash("Nhiệm vụ vừa được người khác cập nhật. Dưới đây là trạng thái mới nhất; "
                      "nội dung bạn nhập vẫn còn trong ô, hãy kiểm tra rồi gửi lại.", "danger")
                item = _assignment_or_404(assignment_id)
                form.version.data = item.version
                transitions = allowed_transitions(item.status, side)
                form.action.choices = [(t.code, t.label) for t in transitions]
                status_code = 409
        else:
            status_code = 400
    today, window = _today_and_window()
    return render_template("tracking/assignment.html", item=item, form=form, transitions=transitions,
                           timeliness=T.classify(item.status, item.deadline, item.completed_date, today, window),
                           late_now=T.days_late(item.deadline, item.status, item.completed_date, today),
                           late_original=T.days_late(item.original_deadline, item.status, item.completed_date,
                                                     today)), status_code
