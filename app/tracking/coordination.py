"""Chủ trì and phối hợp on one task: the lead sees how its coordinators are doing and what they sent
it; a coordinator sends its input to the lead, who consolidates and reports (Vietnamese practice)."""
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import scope
from app.extensions import db
from app.models import Assignment, ProgressReport
from app.models.audit import record
from app.tracking import notifications


class CoordinationError(ValueError):
    """A refused input, with a Vietnamese message."""


@dataclass
class Partner:
    assignment: Assignment
    inputs: list[ProgressReport] = field(default_factory=list)
    latest_note: str = ""


def partners(assignment: Assignment) -> list[Partner]:
    """The other agencies on the same task: the coordinators for the lead, the lead for a coordinator."""
    wanted = "coordinating" if assignment.role == "lead" else "lead"
    rows = db.session.scalars(
        scope.join_directive(select(Assignment))
        .where(Assignment.task_id == assignment.task_id, Assignment.id != assignment.id, Assignment.role == wanted,
               scope.live_assignment())
        .options(joinedload(Assignment.agency)).order_by(Assignment.id)
    ).all()
    if not rows:
        return []
    reports = db.session.scalars(select(ProgressReport).where(ProgressReport.assignment_id.in_([r.id for r in rows]))
                                 .order_by(ProgressReport.id)).all()
    by_assignment: dict[int, list[ProgressReport]] = {}
    for report in reports:
        by_assignment.setdefault(report.assignment_id, []).append(report)
    out = []
    for row in rows:
        history = by_assignment.get(row.id, [])
        notes = [r.note for r in history if r.note]
        out.append(Partner(row, [r for r in history if r.kind == "input"], notes[-1] if notes else ""))
    return out


def send_input(assignment: Assignment, user, note: str) -> ProgressReport:
    """A coordinator's input to the lead, kept in its own history and announced to the lead."""
    if assignment.role != "coordinating":
        raise CoordinationError("Chỉ đơn vị phối hợp gửi ý kiến cho đơn vị chủ trì.")
    if not (note or "").strip():
        raise CoordinationError("Nhập nội dung gửi đơn vị chủ trì.")
    assignment.claim()
    report = ProgressReport(assignment=assignment, user_id=user.id, kind="input", old_status=assignment.status,
                            new_status=assignment.status, percent=assignment.progress_percent, note=note)
    db.session.add(report)
    leads = [p.assignment for p in partners(assignment)]
    record(user, "assignment.input", assignment, f"{assignment.agency.short_name} gửi ý kiến phối hợp: {note[:200]}")
    for lead in leads:
        notifications.notify(notifications.agency_users([lead.agency_id]), "input",
                             f"{assignment.agency.short_name} (phối hợp) gửi ý kiến: {note[:200]}", lead)
    return report
