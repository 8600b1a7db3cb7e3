"""Saving a directive from its plain-data form: one path for the web form and the loader.

Existing sections and tasks are updated in place (matched by id), so the assignments of a task
that stays keep their history. Removing something that already has history only hides it.
"""
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Agency,
    AgencyGroup,
    Assignment,
    Directive,
    DirectiveCcLine,
    DirectiveRecipient,
    Section,
    SectionAssignee,
    Task,
    TaskDeadline,
)
from app.models.agencies import same_tree
from app.models.audit import diff, record
from app.rules import directive_states as states
from app.rules import fanout, names, recurrence
from app.rules.workflow import NOT_STARTED
from app.text import fold

HEADER_FIELDS = (
    "doc_type", "symbol", "place", "subject", "urgency", "preamble", "closing", "deadline",
    "signer_authority", "signer_authority_title", "signer_title", "signer_name", "issuer_text",
)


class DirectoryIndex:
    """Names of the agencies and groups an issuer's letters can name: its whole top-level tree."""

    def __init__(self, issuer: Agency | None):
        agencies = db.session.scalars(select(Agency).where(Agency.active.is_(True))).all()
        if issuer is not None:
            agencies = same_tree(issuer, agencies)
        groups = db.session.scalars(select(AgencyGroup)).all()
        agency_ids = {agency.id for agency in agencies}
        groups = [group for group in groups if group.owner_id in agency_ids]
        self.index = names.build_index(
            [([a.name, a.short_name], a) for a in agencies] + [([g.name], g) for g in groups]
        )

    def find(self, name: str):
        return names.lookup(self.index, name)


def find_issuer(lines: list[str]) -> Agency | None:
    """The agency whose printed header is exactly these lines (case and accents ignored)."""
    wanted = [fold(line) for line in lines]
    for agency in db.session.scalars(select(Agency)):
        if [fold(line) for line in agency.header_lines] == wanted:
            return agency
    return None


def resolve_assignees(data: dict, issuer: Agency | None) -> list[str]:
    """Attach a `target` (Agency or AgencyGroup) to every named assignee, and to every agency named
    with a deadline of its own inside a task; return the names not found."""
    index = DirectoryIndex(issuer)
    unknown = []
    for section in data["sections"]:
        named = list(section["assignees"])
        for task in section["tasks"]:
            named.extend(task.get("agency_deadlines") or [])
        for assignee in named:
            if assignee.get("target") is None:
                assignee["target"] = index.find(assignee["agency"])
                if assignee["target"] is None:
                    unknown.append(assignee["agency"])
    return unknown


def save_directive(directive: Directive | None, data: dict, user, issuer: Agency | None,
                   source_key: str | None = None, state: str | None = None, owner: Agency | None = None,
                   parent: Directive | None = None, purpose: str | None = None) -> tuple[Directive, list[str]]:
    """Create or update a directive from normalised data; return it and warnings for the user.

    Assignees must already carry `target`; sections and tasks may carry `id` to match rows, and a
    task `implements` (the id of the assignment it carries out). `owner` is the organisation whose
    books hold it: the issuer for its own letters (the default), the receiver of a received one.
    All header changes reach the database in one UPDATE, so `version` counts saves.
    """
    creating = directive is None
    if creating:
        directive = Directive(state=state or states.DRAFT, created_by_id=getattr(user, "id", None),
                              source_key=source_key, purpose=purpose or "chi_dao", parent=parent)
        db.session.add(directive)
    elif state:
        directive.state = state
    before = {field: getattr(directive, field) for field in HEADER_FIELDS}
    with db.session.no_autoflush:  # one UPDATE of the directive row per save
        directive.issuer_agency = issuer
        if creating or owner is not None:
            directive.owner_agency = owner or issuer
        directive.deadline = data.get("deadline")
        directive.issuer_text = "\n".join(data.get("issuer") or (issuer.header_lines if issuer else []))
        directive.doc_type = data["doc_type"]
        directive.symbol = data.get("symbol") or ""
        directive.place = data.get("place") or (issuer.place if issuer else "")
        directive.subject = data["subject"]
        directive.urgency = data.get("urgency")
        directive.preamble = data.get("preamble") or ""
        directive.closing = data.get("closing") or ""
        signer = data.get("signer") or {}
        directive.signer_authority = signer.get("authority")
        directive.signer_authority_title = signer.get("authority_title") or ""
        directive.signer_title = signer.get("title") or ""
        directive.signer_name = signer.get("name")
        if "number" in data:  # files carry the register number and date; the web form never does
            directive.number = data["number"]
            directive.issued_date = data.get("date")
        directive.updated_by_id = getattr(user, "id", None)
        _replace_lines(directive.recipients, DirectiveRecipient, "name", data.get("recipients", []))
        _replace_lines(directive.cc_lines, DirectiveCcLine, "text", data.get("cc", []))
        _sync_sections(directive, data["sections"])
        directive.search_text = search_text(directive)
    warnings = sync_assignments(directive)
    db.session.flush()

    if creating:
        record(user, "directive.create", directive, f"Tạo văn bản: {directive.subject[:200]}")
    else:
        after = {field: getattr(directive, field) for field in HEADER_FIELDS}
        record(user, "directive.update", directive, f"Sửa văn bản: {directive.subject[:200]}", diff(before, after))
    return directive, warnings


def _replace_lines(collection, model, attribute, values):
    """Recipients and Nơi nhận are plain ordered lines: rewrite them, reusing rows by position."""
    for position, value in enumerate(values):
        if position < len(collection):
            setattr(collection[position], attribute, value)
        else:
            collection.append(model(position=position, **{attribute: value}))
    del collection[len(values):]


def _has_history(assignment: Assignment) -> bool:
    return bool(assignment.reports) or assignment.status != NOT_STARTED


def _retire_task(task: Task) -> bool:
    """Drop a task the editor removed; keep it hidden if any of its assignments has history."""
    kept = False
    for assignment in list(task.assignments):
        if _has_history(assignment):
            assignment.active = False
            kept = True
        else:
            task.assignments.remove(assignment)
    task.removed = kept
    return kept


def _sync_sections(directive: Directive, sections_data: list[dict]) -> None:
    existing = {section.id: section for section in directive.sections if section.id is not None}
    ordered: list[Section] = []
    for position, data in enumerate(sections_data):
        section = existing.pop(data.get("id"), None) or Section()
        section.position = position
        section.number = data.get("number")
        section.heading = data.get("heading")
        section.removed = False
        section.assignees = [
            SectionAssignee(
                position=index,
                agency=item["target"] if isinstance(item["target"], Agency) else None,
                group=item["target"] if isinstance(item["target"], AgencyGroup) else None,
                role=item["role"],
                deadline=item.get("deadline"),
            )
            for index, item in enumerate(data["assignees"])
        ]
        old_tasks = {task.id: task for task in section.tasks if task.id is not None}
        tasks = []
        for task_position, task_data in enumerate(data["tasks"]):
            task = old_tasks.pop(task_data.get("id"), None) or Task()
            task.position = task_position
            task.text = task_data["text"]
            task.deadline = task_data.get("deadline")
            task.removed = False
            if "implements" in task_data:
                task.implements_id = task_data["implements"]
            task.recurrence = task_data.get("recurrence") or recurrence.parse(task.text)
            wanted = {item["target"].id: item["deadline"] for item in task_data.get("agency_deadlines") or []
                      if isinstance(item.get("target"), Agency) and item.get("deadline")}
            task.agency_deadlines = [row for row in task.agency_deadlines if row.agency_id in wanted]
            for row in task.agency_deadlines:
                row.deadline = wanted.pop(row.agency_id)
            task.agency_deadlines.extend(TaskDeadline(agency_id=agency_id, deadline=deadline)
                                         for agency_id, deadline in wanted.items())
            tasks.append(task)
        kept = [task for task in old_tasks.values() if _retire_task(task)]
        for offset, task in enumerate(kept):
            task.position = len(tasks) + offset
        section.tasks = tasks + kept
        ordered.append(section)
    leftovers = []
    for section in existing.values():
        if any([_retire_task(task) for task in section.tasks]):
            section.removed = True
            section.tasks = [task for task in section.tasks if task.removed]
            leftovers.append(section)
    for offset, section in enumerate(leftovers):
        section.position = len(ordered) + offset
    directive.sections = ordered + leftovers


def _recipient_targets(directive: Directive) -> tuple[list[dict], list[str]]:
    """A section that names nobody is for the Kính gửi recipients, each leading its own copy."""
    index = DirectoryIndex(directive.issuer_agency or directive.owner_agency)
    items, unknown = [], []
    for recipient in directive.recipients:
        target = index.find(recipient.name)
        if target is None:
            unknown.append(recipient.name)
        else:
            items.append(_duty_source(target, "lead", None))
    return items, unknown


def _duty_source(target, role, deadline) -> dict:
    if isinstance(target, AgencyGroup):
        return {"agency_id": None, "group_id": target.id, "member_ids": [m.id for m in target.members if m.active],
                "role": role, "deadline": deadline}
    return {"agency_id": target.id, "group_id": None, "role": role, "deadline": deadline}


def _drop_untracked(directive: Directive) -> None:
    """A reminder creates no tracked task: whatever assignments it had go (or are hidden if used)."""
    for section in directive.sections:
        for task in section.tasks:
            for assignment in list(task.assignments):
                if _has_history(assignment):
                    assignment.active = False
                else:
                    task.assignments.remove(assignment)


def sync_assignments(directive: Directive) -> list[str]:
    """Make each live task's assignments match its section's assignees (fan-out of groups), each with
    the deadline printed closest to the task; say where a task's deadline overrides its section's."""
    db.session.flush()  # ids for new agencies, groups and tasks
    if not directive.tracks_tasks:
        _drop_untracked(directive)
        return []
    warnings: list[str] = []
    recipient_items = None
    # a directive received from outside names bodies of another system: its tasks are the receiver's
    received = [_duty_source(directive.owner_agency, "lead", None)] if (
        directive.state == states.RECEIVED and directive.owner_agency is not None) else None
    for section in directive.live_sections:
        if received is not None:
            sources = received
        elif section.assignees:
            sources = [_duty_source(a.target, a.role, a.deadline) for a in section.assignees]
        else:
            if recipient_items is None:
                recipient_items, unknown = _recipient_targets(directive)
                if unknown:
                    warnings.append(
                        "Không tìm thấy trong danh mục cơ quan nên chưa giao nhiệm vụ cho: " + "; ".join(unknown)
                    )
            sources = recipient_items
        printed = [(a.name, a.deadline) for a in section.assignees]
        for task in section.live_tasks:
            for name, deadline in fanout.deadline_conflicts(task.deadline, printed):
                warnings.append(f"Nhiệm vụ “{task.text[:60]}…” có hạn riêng {task.deadline:%d/%m/%Y}, khác hạn "
                                f"{deadline:%d/%m/%Y} ghi cho {name} ở đầu mục: theo dõi theo hạn của nhiệm vụ.")
            duties = fanout.expand(sources, task.deadline, directive.deadline,
                                   {row.agency_id: row.deadline for row in task.agency_deadlines})
            plan = fanout.plan_sync(task.assignments, duties)
            for duty in plan.create:
                task.assignments.append(Assignment(
                    agency_id=duty.agency_id, role=duty.role, via_group_id=duty.via_group_id,
                    deadline=duty.deadline, original_deadline=duty.deadline, status=NOT_STARTED,
                    progress_percent=0, active=True,
                ))
            for assignment, duty in plan.update:
                assignment.role = duty.role
                assignment.via_group_id = duty.via_group_id
                assignment.active = True
                if not states.is_live(directive.state):  # until it goes out, the deadline set now is the original
                    assignment.deadline = duty.deadline
                    assignment.original_deadline = duty.deadline
            for assignment in plan.retire:
                if _has_history(assignment):
                    assignment.active = False
                else:
                    task.assignments.remove(assignment)
        if not any(task.assignments for task in section.live_tasks) and section.live_tasks:
            label = f"Mục {section.number}" if section.number else "Một mục"
            warnings.append(f"{label} chưa có đơn vị thực hiện.")
    return warnings


def search_text(directive: Directive) -> str:
    """Everything a user might type to find the directive, folded (no accents, lower case)."""
    parts = [
        directive.number or "", directive.symbol, directive.subject, directive.issuer_text, directive.place,
        directive.preamble, directive.closing, directive.signer_name or "",
        *[r.name for r in directive.recipients], *[c.text for c in directive.cc_lines],
    ]
    for section in directive.live_sections:
        parts.append(section.heading or "")
        parts.extend(task.text for task in section.live_tasks)
        parts.extend(a.name for a in section.assignees)
    return fold(" \n ".join(part for part in parts if part))


def past_deadlines(directive: Directive, today) -> list[str]:
    """Deadlines already gone when a letter is entered: allowed (an old received directive is
    legitimate), but the person typing should know."""
    gone = sorted({d for d in [directive.deadline] + [a.deadline for s in directive.live_sections for a in s.assignees]
                   + [t.deadline for s in directive.live_sections for t in s.live_tasks] if d and d < today})
    if not gone:
        return []
    days = ", ".join(f"{d:%d/%m/%Y}" for d in gone[:5]) + (" …" if len(gone) > 5 else "")
    return [f"Lưu ý: có hạn đã qua ({days}), trước ngày hôm nay {today:%d/%m/%Y}. Kiểm tra lại nếu không phải "
            "văn bản cũ nhập lại."]
