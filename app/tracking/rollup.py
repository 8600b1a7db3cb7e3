"""Roll-up along the chain: an organisation's assignment and the assignments of its own units that
carry it out (the tasks of its implementing directives, linked by Task.implements)."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import scope
from app.extensions import db
from app.models import Assignment, Task
from app.rules import timeliness as T
from app.rules.workflow import DONE


@dataclass
class Child:
    assignment: Assignment
    timeliness: str


def children(assignment: Assignment, today: date, due_soon_days: int) -> list[Child]:
    """The live assignments one level down that implement this one, each with its timeliness."""
    rows = db.session.scalars(
        scope.join_directive(select(Assignment))
        .where(Task.implements_id == assignment.id, scope.live_assignment())
        .options(joinedload(Assignment.agency), joinedload(Assignment.task))
        .order_by(Assignment.deadline.asc().nulls_last(), Assignment.id)
    ).all()
    return [Child(row, T.classify(row.status, row.deadline, row.completed_date, today, due_soon_days))
            for row in rows]


def counts(items: list[Child]) -> dict[str, int]:
    out = {"total": 0, "done": 0, "done_on_time": 0, "done_late": 0, "overdue": 0, "open": 0}
    for child in items:
        if child.timeliness == T.NOT_COUNTED:
            continue
        out["total"] += 1
        if child.assignment.status == DONE:
            out["done"] += 1
            out["done_late" if child.timeliness == T.DONE_LATE else "done_on_time"] += 1
        else:
            out["open"] += 1
            out["overdue"] += child.timeliness == T.OVERDUE
    return out


def summary_line(assignment: Assignment, today: date, due_soon_days: int) -> str | None:
    """One sentence for the organisation's report upward; None when nothing was passed down."""
    figures = counts(children(assignment, today, due_soon_days))
    if not figures["total"]:
        return None
    return (f"Kết quả triển khai đến các đơn vị: {figures['done']}/{figures['total']} nhiệm vụ đã hoàn thành "
            f"({figures['done_on_time']} đúng hạn, {figures['done_late']} quá hạn); {figures['open']} chưa hoàn "
            f"thành, trong đó {figures['overdue']} quá hạn.")
