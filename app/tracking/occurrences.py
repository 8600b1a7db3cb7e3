"""Recurring obligations, one period at a time: the occurrences of an assignment are kept up to the
next one due, its deadline is the earliest period not yet reported, and reporting a period moves it
on. Called when a letter goes out, when the assignment's page opens, and by the daily job
(`flask tracking occurrences`)."""
from datetime import date, timedelta

from sqlalchemy import select

from app import scope
from app.clock import local_date, local_today
from app.extensions import db
from app.models import Assignment, Occurrence, ProgressReport, Task
from app.models.audit import record
from app.rules import recurrence


class OccurrenceError(ValueError):
    """A refused period report, with a Vietnamese message."""


def _start(assignment: Assignment) -> date:
    directive = assignment.directive
    return directive.issued_date or local_date(assignment.created_at) or local_today()


def ensure(assignment: Assignment, today: date | None = None) -> list[Occurrence]:
    """Create the periods due from the start up to the next one after today; set the deadline to the
    earliest period still open. Returns the assignment's periods, oldest first."""
    rule = assignment.task.recurrence
    if not rule:
        return []
    today = today or local_today()
    start = _start(assignment)
    upcoming = recurrence.next_due(rule, max(today, start) - timedelta(days=1))
    wanted = recurrence.due_dates(rule, start, max(upcoming or today, today))
    have = {o.due_date for o in assignment.occurrences}
    for due in wanted:
        if due not in have:
            assignment.occurrences.append(Occurrence(due_date=due))
    assignment.occurrences.sort(key=lambda o: o.due_date)
    open_ = [o.due_date for o in assignment.occurrences if o.reported_on is None]
    if open_:
        if assignment.original_deadline is None and assignment.occurrences:
            assignment.original_deadline = assignment.occurrences[0].due_date
        assignment.deadline = open_[0]
    return assignment.occurrences


def report(assignment: Assignment, occurrence_id: int, user, note: str) -> Occurrence:
    """The agency reports one period; the deadline moves to the next open one."""
    occurrence = next((o for o in assignment.occurrences if o.id == occurrence_id), None)
    if occurrence is None:
        raise OccurrenceError("Không có kỳ báo cáo này.")
    if occurrence.reported_on is not None:
        raise OccurrenceError(f"Kỳ {recurrence.period_label(assignment.task.recurrence, occurrence.due_date)} "
                              "đã báo cáo rồi.")
    if not (note or "").strip():
        raise OccurrenceError("Nhập nội dung báo cáo của kỳ.")
    today = local_today()
    assignment.claim()  # the same period reported twice at once: the second conflicts
    label = recurrence.period_label(assignment.task.recurrence, occurrence.due_date)
    late = " (quá hạn)" if today > occurrence.due_date else ""
    entry = ProgressReport(assignment=assignment, user_id=user.id, kind="occurrence", old_status=assignment.status,
                           new_status=assignment.status, percent=assignment.progress_percent,
                           note=f"Báo cáo kỳ {label}{late}: {note}")
    db.session.add(entry)
    db.session.flush()
    occurrence.reported_on, occurrence.report_id = today, entry.id
    ensure(assignment, today)
    record(user, "assignment.occurrence", assignment, f"{assignment.agency.short_name} báo cáo kỳ {label}{late}")
    return occurrence


def refresh_all(today: date | None = None) -> int:
    """The daily job: every live recurring assignment gets its new period and its deadline moved."""
    rows = db.session.scalars(scope.join_directive(select(Assignment))
                              .where(Task.recurrence.is_not(None), scope.live_assignment())).all()
    for assignment in rows:
        ensure(assignment, today)
    return len(rows)
