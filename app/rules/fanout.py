"""From "who is named in a section" to "which agency must do each task".

A group named once in a letter becomes one assignment per member agency. If an agency is
reached twice (named itself and through a group), leading beats coordinating.
"""
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Duty:
    agency_id: int
    role: str  # "lead" or "coordinating"
    deadline: date | None
    via_group_id: int | None


def expand(assignees, task_deadline: date | None = None) -> dict[int, Duty]:
    """Each assignee is a mapping {"agency_id": int | None, "group_id": int | None, "member_ids": [...],
    "role": str, "deadline": date | None}. The agency's own deadline wins over the task's.
    """
    duties: dict[int, Duty] = {}
    for item in assignees:
        deadline = item.get("deadline") or task_deadline
        if item.get("agency_id") is not None:
            targets = [(item["agency_id"], None)]
        else:
            targets = [(member_id, item["group_id"]) for member_id in item.get("member_ids", [])]
        for agency_id, group_id in targets:
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
