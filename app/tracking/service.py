"""Changing an assignment: check the transition, apply it, append the history, audit it."""
from app.extensions import db
from app.models import Assignment, ProgressReport
from app.models.audit import diff, record
from app.rules import permissions
from app.rules.workflow import plan_transition
from app.text import local_today


class StaleAssignment(Exception):
    """Someone else changed the assignment since the user opened it."""


def change_assignment(assignment: Assignment, user, code: str, percent, note: str, seen_version) -> ProgressReport:
    if str(seen_version) != str(assignment.version):
        raise StaleAssignment()
    side = permissions.acts_as(user, assignment)
    changes = plan_transition(assignment.status, side, code, percent, note, local_today(),
                              assignment.completed_date)
    before = {field: getattr(assignment, field) for field in changes}
    report = ProgressReport(
        assignment=assignment, user_id=user.id, old_status=assignment.status, new_status=changes["status"],
        percent=changes.get("progress_percent", assignment.progress_percent), note=note or "",
    )
    for field, value in changes.items():
        setattr(assignment, field, value)
    db.session.add(report)
    record(user, f"assignment.{code}", assignment,
           f"{assignment.agency.short_name}: {report.old_status_label} → {report.new_status_label}",
           diff(before, changes))
    return report

