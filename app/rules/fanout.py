"""From "who is named in a section" to "which agency must do each task", and by when.

A group named once in a letter becomes one assignment per member agency. If an agency is
reached twice (named itself and through a group), leading beats coordinating.

The deadline printed closest to the task wins: one set for this agency inside the task, then the
task's own, then the one beside the agency's name in the section, then the letter's.
"""
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Duty:
    agency_id: int
    role: str  # "lead" or "coordinating"
    deadline: date | None
    via_group_id: int | None


def effective_deadline(agency_deadline=None, task_deadline=None, assignee_deadline=None,
                       directive_deadline=None) -> date | None:
    """Per task and agency > task > section assignee > directive."""
    for deadline in (agency_deadline, task_deadline, assignee_deadline, directive_deadline):
        if deadline is not None:
            return deadline
    return None


def expand(assignees, task_deadline: date | None = None, directive_deadline: date | None = None,
           agency_deadlines: dict[int, date] | None = None) -> dict[int, Duty]:
    """Each assignee is a mapping {"agency_id": int | None, "group_id": int | None, "member_ids": [...],
    "role": str, "deadline": date | None}; `agency_deadlines` are the task's own per-agency deadlines.
    """
    agency_deadlines = agency_deadlines or {}
    duties: dict[int, Duty] = {}
    for item in assignees:
        if item.get("agency_id") is not None:
            targets = [(item["agency_id"], None)]
        else:
            targets = [(member_id, item["group_id"]) for member_id in item.get("member_ids", [])]
        for agency_id, group_id in targets:
            deadline = effective_deadline(agency_deadlines.get(agency_id), task_deadline, item.get("deadline"),
                                          directive_deadline)
            duty = Duty(agency_id, item["role"], deadline, group_id)
            current = duties.get(agency_id)
            if current is None or _stronger(duty, current):
                duties[agency_id] = duty
    return duties


def _stronger(new: Duty, current: Duty) -> bool:
    if new.role != current.role:
        return new.role == "lead"
    # same role: a direct mention beats a group, then the earlier deadline
    if (new.via_group_id is None) != (current.via_group_id is None):
        return new.via_group_id is None
    if new.deadline and (current.deadline is None or new.deadline < current.deadline):
        return True
    return False


@dataclass
class SyncPlan:
    create: list[Duty]
    update: list[tuple[object, Duty]]  # (existing assignment, new duty)
    retire: list[object]  # existing assignments no longer wanted


def plan_sync(existing, duties: dict[int, Duty]) -> SyncPlan:
    """Compare a task's existing assignments with the wanted duties, keeping rows that still apply."""
    by_agency = {assignment.agency_id: assignment for assignment in existing}
    plan = SyncPlan([], [], [])
    for agency_id, duty in duties.items():
        assignment = by_agency.get(agency_id)
        if assignment is None:
            plan.create.append(duty)
        else:
            plan.update.append((assignment, duty))
    plan.retire = [a for agency_id, a in by_agency.items() if agency_id not in duties]
    return plan


def deadline_conflicts(task_deadline: date | None, assignee_deadlines) -> list[tuple[str, date]]:
    """(name, date) of section assignees whose printed deadline differs from the task's own: the
    task's wins, and the person entering it should know."""
    if task_deadline is None:
        return []
    return [(name, deadline) for name, deadline in assignee_deadlines if deadline and deadline != task_deadline]
