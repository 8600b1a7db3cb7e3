"""One assignment: its page with history and roll-up, status changes with evidence, extension requests
and decisions, periodic reports, coordinators' input, cascading it down; and the user's notifications.
Every record named in a URL goes through app/scope.py."""
from io import BytesIO

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select, update
from sqlalchemy.orm.exc import StaleDataError

from app import scope
from app.clock import utcnow
from app.extensions import db
from app.models import Assignment, Evidence, Notification
from app.rules import permissions, recurrence
from app.rules import timeliness as T
from app.rules.directive_states import LIVE
from app.rules.extensions import ExtensionError
from app.rules.workflow import TransitionError, allowed_transitions
from app.text import clean_text
from app.tracking import bp, coordination, occurrences, pages, queries, rollup, service, tallies
from app.tracking.forms import AssignmentUpdateForm, DecisionForm, ExtensionForm


def _assignment_page(item, form, status_code=200, extension_form=None):
    today, window = pages.today_and_window()
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
    return _change_and_return(
        extension.assignment_id, ExtensionError, "Đã xử lý đề nghị gia hạn.",
        lambda: service.decide_extension(extension, current_user, decision == "dong-y", form.note.data,
                                         form.granted.data))


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


def _change_and_return(assignment_id, refusal, done, change):
    """One small change to a task from its page: committed and said, or refused with the rule's own
    words; either way back to the task."""
    try:
        change()
        db.session.commit()
        flash(done, "success")
    except refusal as error:
        db.session.rollback()
        flash(str(error), "danger")
    return redirect(url_for("tracking.assignment", assignment_id=assignment_id))


def _posted_note() -> str:
    return clean_text(request.form.get("note", ""))[:5000]


def _reports_for(user, item) -> bool:
    return "department" in service.sides_of(user, item)


@bp.route("/nhiem-vu/<id:assignment_id>/ky/<id:occurrence_id>", methods=["POST"])
@scope.guard(assignment_id="item", allowed=_reports_for)
def report_period(item, occurrence_id):
    """One period of a recurring obligation reported ("Báo cáo kỳ này")."""
    return _change_and_return(
        item.id, occurrences.OccurrenceError, "Đã báo cáo kỳ này; hạn chuyển sang kỳ tiếp theo.",
        lambda: occurrences.report(item, occurrence_id, current_user, _posted_note()))


@bp.route("/nhiem-vu/<id:assignment_id>/y-kien-phoi-hop", methods=["POST"])
@scope.guard(assignment_id="item", allowed=_reports_for)
def coordinator_input(item):
    """Phối hợp → chủ trì: the coordinator's contribution, for the lead to consolidate."""
    return _change_and_return(
        item.id, coordination.CoordinationError, "Đã gửi ý kiến cho đơn vị chủ trì.",
        lambda: coordination.send_input(item, current_user, _posted_note()))


@bp.route("/nhiem-vu/<id:assignment_id>/trien-khai", methods=["POST"])
@scope.guard(assignment_id="item")
def implement(item):
    """Triển khai from one's own assignment: the same draft as from its directive's page."""
    from app.directives.views import open_implementing_draft

    if not permissions.can_cascade(current_user, item, item.directive.state in LIVE):
        abort(403)
    return open_implementing_draft(item.directive, item.agency,
                                   url_for("tracking.assignment", assignment_id=item.id))


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
        today, window = pages.today_and_window()
        agencies, ahead = scope.own_agencies(current_user), tallies.current(db.session, today, window)
        for kind in (T.OVERDUE, T.DUE_SOON):
            filters = queries.Filters(timeliness=kind)
            count = queries.counted(filters, today, window, scope.own_assignments(current_user),
                                    queries.inbox_total(filters, today, window, agencies, ahead))
            if count:
                alerts.append((kind, count))
    return render_template("tracking/notifications.html", items=items, alerts=alerts)
