from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.web import requested_page
from app.models import Assignment, Task
from app.rules import permissions
from app.rules.workflow import STATUS_LABELS, TransitionError, allowed_transitions
from app.text import clean_line
from app.tracking import bp
from app.tracking.forms import AssignmentUpdateForm
from app.tracking.service import StaleAssignment, change_assignment, inbox_query


@bp.route("/nhiem-vu")
def inbox():
    if not permissions.has_inbox(current_user):
        abort(403)
    status = request.args.get("status", "")
    status = status if status in STATUS_LABELS else ""
    q = clean_line(request.args.get("q", ""))[:200]
    query = inbox_query(current_user.agency_id, status, q).options(
        selectinload(Assignment.task).selectinload(Task.section)
    )
    pagination = db.paginate(query, page=requested_page(),
                             per_page=current_app.config["PER_PAGE"], max_per_page=100, error_out=False)
    query_args = {k: v for k, v in {"status": status, "q": q}.items() if v}
    return render_template("tracking/inbox.html", pagination=pagination, status=status, q=q, query_args=query_args)


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
            except (StaleAssignment, StaleDataError):
                db.session.rollback()
                flash("Nhiệm vụ vừa được người khác cập nhật. Dưới đây là trạng thái mới nhất; "
                      "nội dung bạn nhập vẫn còn trong ô, hãy kiểm tra rồi gửi lại.", "danger")
                item = _assignment_or_404(assignment_id)
                form.version.data = item.version
                transitions = allowed_transitions(item.status, side)
                form.action.choices = [(t.code, t.label) for t in transitions]
                return render_template("tracking/assignment.html", item=item, form=form,
                                       transitions=transitions), 409
        status_code = 400
    return render_template("tracking/assignment.html", item=item, form=form, transitions=transitions), status_code
