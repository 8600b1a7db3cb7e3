"""Reporting periods: the counts per agency at a cut-off date, stored so a month's figures stay reproducible.

Counts at a cut-off take the assignments that existed then; work reported done after the cut-off
counts as still open at it. Deadlines are the current ones (an extension granted later is not undone).
"""
from datetime import date

from sqlalchemy import and_, case, delete, func, literal, select

from app.clock import day_bounds
from app.extensions import db
from app.models import Assignment, Directive, Section, Snapshot, SnapshotRow, Task
from app.models.audit import record
from app.rules import directive_states as states
from app.rules import timeliness as T
from app.rules.workflow import AWAITING, DONE, IN_PROGRESS
from app.tracking.queries import dashboard_group, timeliness_expression

FIELDS = {T.DONE_ON_TIME: "done_on_time", T.DONE_LATE: "done_late", T.IN_PROGRESS_ON_TIME: "in_progress_on_time",
          T.OVERDUE: "overdue", T.NO_DEADLINE: "no_deadline"}


def counts_at(cutoff: date, due_soon_days: int, organisation_id: int) -> dict[int, dict[str, int]]:
    """{agency_id: {field: count}} of one organisation's directives as things stood at the end of the
    cut-off day."""
    finished_later = and_(Assignment.status.in_((DONE, AWAITING)), Assignment.completed_date > cutoff)
    status = case((finished_later, literal(IN_PROGRESS)), else_=Assignment.status)
    completed = case((Assignment.completed_date > cutoff, literal(None)), else_=Assignment.completed_date)
    label = timeliness_expression(cutoff, due_soon_days, status=status, completed=completed)
    _start, end_of_cutoff = day_bounds(cutoff)  # the local day's end, in UTC like created_at
    query = (
        select(Assignment.agency_id, label, func.count(Assignment.id))
        .join(Task, Assignment.task_id == Task.id).join(Section, Task.section_id == Section.id)
        .join(Directive, Section.directive_id == Directive.id)
        .where(Assignment.active.is_(True), Task.removed.is_(False), Section.removed.is_(False),
               Directive.state.in_(states.LIVE), Directive.owner_agency_id == organisation_id,
               Assignment.created_at < end_of_cutoff)
        .group_by(Assignment.agency_id, label)
    )
    result: dict[int, dict[str, int]] = {}
    for agency_id, kind, count in db.session.execute(query).all():
        row = result.setdefault(agency_id, {"assigned": 0, **{field: 0 for field in FIELDS.values()}})
        if kind == T.NOT_COUNTED:
            continue
        row["assigned"] += count
        row[FIELDS[dashboard_group(kind)]] += count
    return result


class EmptyCutoff(ValueError):
    """Nothing had been assigned by that day: a snapshot of it would compare with nothing."""


def take(cutoff: date, user, due_soon_days: int, organisation_id: int) -> Snapshot:
    """Store (or store again) one organisation's figures at a cut-off date. A day before any task was
    assigned is refused: a snapshot of nothing would make the next comparison meaningless."""
    figures = counts_at(cutoff, due_soon_days, organisation_id)
    if not any(row["assigned"] for row in figures.values()):
        raise EmptyCutoff(f"Đến hết ngày {cutoff:%d/%m/%Y} chưa có nhiệm vụ nào được giao: không có số liệu để chốt.")
    existing = db.session.scalar(select(Snapshot).where(Snapshot.cutoff == cutoff,
                                                        Snapshot.organisation_id == organisation_id))
    if existing is not None:
        db.session.execute(delete(SnapshotRow).where(SnapshotRow.snapshot_id == existing.id))
        db.session.delete(existing)
        db.session.flush()
    snapshot = Snapshot(cutoff=cutoff, created_by_id=getattr(user, "id", None), organisation_id=organisation_id)
    snapshot.rows = [SnapshotRow(agency_id=agency_id, **values) for agency_id, values in figures.items()
                     if values["assigned"]]
    db.session.add(snapshot)
    db.session.flush()
    record(user, "snapshot.take", snapshot, f"Chốt số liệu đến ngày {cutoff:%d/%m/%Y}")
    return snapshot


def previous(before: date, organisation_id: int) -> Snapshot | None:
    return db.session.scalar(select(Snapshot).where(Snapshot.cutoff < before, Snapshot.organisation_id == organisation_id)
                             .order_by(Snapshot.cutoff.desc()))


def totals(snapshot: Snapshot) -> dict[str, int]:
    """The dashboard's five boxes for a stored snapshot, summed over agencies in SQL."""
    sums = db.session.execute(select(*(func.coalesce(func.sum(getattr(SnapshotRow, field)), 0) for field in FIELDS.values()))
                              .where(SnapshotRow.snapshot_id == snapshot.id)).one()
    return {group: int(value) for group, value in zip(FIELDS, sums)}


def rows_for(snapshot: Snapshot, agency_ids) -> dict[int, SnapshotRow]:
    """The snapshot's rows of the agencies on one page of the scorecard."""
    ids = sorted(set(agency_ids))
    if not ids:
        return {}
    return {row.agency_id: row for row in db.session.scalars(
        select(SnapshotRow).where(SnapshotRow.snapshot_id == snapshot.id, SnapshotRow.agency_id.in_(ids)))}


def history(organisation_id: int) -> list[tuple[Snapshot, dict[str, int], dict[str, int] | None]]:
    """(snapshot, its totals, the change since the previous one) newest first."""
    stored = db.session.scalars(select(Snapshot).where(Snapshot.organisation_id == organisation_id)
                                .order_by(Snapshot.cutoff)).all()
    out, before = [], None
    for snapshot in stored:
        figures = totals(snapshot)
        change = {key: figures[key] - before[key] for key in figures} if before else None
        out.append((snapshot, figures, change))
        before = figures
    return list(reversed(out))
