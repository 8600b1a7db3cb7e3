"""Triển khai: an organisation carries out the tasks it received by issuing a directive of its own to
its units, and the chain of directives that results (Thủ tướng → UBND tỉnh → Sở → đơn vị).

The implementing draft cites the parent in its preamble as ND30 asks (type, number, date, issuer,
summary) and offers each task the organisation received as a section to assign; every task keeps a
link to the assignment it carries out, so the results roll up one level at a time.
"""
from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from app import scope
from app.directives.service import save_directive
from app.extensions import db
from app.models import Agency, Assignment, Directive, Section, Task
from app.models.audit import record
from app.rules import directive_states as states
from app.rules.signers import default_signer
from app.rules.workflow import DONE


class CascadeError(ValueError):
    """An implementing directive that cannot be drafted, with a Vietnamese message."""


def received_assignments(parent: Directive, organisation_id: int) -> list[Assignment]:
    """The organisation's live assignments in the parent directive, in the letter's order."""
    return db.session.scalars(
        scope.join_directive(select(Assignment))
        .where(Section.directive_id == parent.id, Assignment.agency_id == organisation_id, scope.live_assignment())
        .order_by(Section.position, Task.position)
    ).all()


def _issuer_for(organisation: Agency, user) -> Agency:
    """The letter goes out under the organisation's own header; an agency without one (a phòng) writes
    under the user's agency."""
    if organisation.header_lines:
        return organisation
    if user.agency is not None and user.agency.header_lines:
        return user.agency
    raise CascadeError("Cơ quan chưa có tiêu đề in trên văn bản (Quản trị → Cơ quan) nên chưa soạn được văn bản.")


def draft_implementing(parent: Directive, organisation: Agency, user) -> tuple[Directive, list[str]]:
    """A new draft of `organisation` implementing `parent`: one section per task it received there."""
    taken = received_assignments(parent, organisation.id)
    if not taken:
        raise CascadeError(f"{organisation.name} không có nhiệm vụ nào trong văn bản này để triển khai.")
    issuer = _issuer_for(organisation, user)
    subject = parent.subject.rstrip(" .")
    sections = [{
        "number": str(index) if len(taken) > 1 else None, "heading": None, "assignees": [],
        "tasks": [{"text": assignment.task.text, "deadline": assignment.deadline, "implements": assignment.id}],
    } for index, assignment in enumerate(taken, start=1)]
    data = {
        "doc_type": "cong_van", "issuer": issuer.header_lines, "symbol": issuer.abbreviation or "",
        "place": issuer.place, "subject": f"triển khai thực hiện {parent.citation}", "urgency": parent.urgency,
        "recipients": [], "deadline": None,
        "preamble": f"Thực hiện {parent.citation} về việc {subject}; {issuer.short_name} đề nghị các đơn vị "
                    f"triển khai thực hiện các nội dung sau:",
        "sections": sections, "closing": "", "cc": ["Như trên", "Lưu: VT"],
        "signer": default_signer(issuer.kind),
    }
    draft, warnings = save_directive(None, data, user, issuer, parent=parent)
    record(user, "directive.cascade", draft, f"Soạn văn bản triển khai {parent.citation}")
    return draft, warnings


@dataclass
class Node:
    directive: Directive
    total: int
    done: int
    overdue: int
    visible: bool
    children: list["Node"] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def chain_root(directive: Directive) -> Directive:
    seen = {directive.id}
    while directive.parent is not None and directive.parent.id not in seen:
        directive = directive.parent
        seen.add(directive.id)
    return directive


def chain(directive: Directive, user, today, due_soon_days: int) -> Node:
    """The whole tree the directive belongs to, with the completion at each level. Directives the user
    may not open are shown by their citation only."""
    from app.tracking.queries import timeliness_expression
    from app.rules import timeliness as T

    root = chain_root(directive)
    members, frontier = [root], [root.id]
    while frontier:  # one query per level of the chain
        rows = db.session.scalars(select(Directive).where(Directive.parent_id.in_(frontier))
                                  .order_by(Directive.id)).all()
        members.extend(rows)
        frontier = [row.id for row in rows]
    ids = [d.id for d in members]
    label = timeliness_expression(today, due_soon_days)
    figures = {key: (total, done, overdue) for key, total, done, overdue in db.session.execute(
        scope.join_directive(select(Directive.id, func.count(Assignment.id),
                                    func.sum(case((Assignment.status == DONE, 1), else_=0)),
                                    func.sum(case((label == T.OVERDUE, 1), else_=0))))
        .where(Directive.id.in_(ids), scope.live_assignment()).group_by(Directive.id)).all()}
    visible = set(db.session.scalars(select(Directive.id).where(Directive.id.in_(ids), scope.directives(user))))
    nodes = {d.id: Node(d, *(int(x or 0) for x in figures.get(d.id, (0, 0, 0))), d.id in visible) for d in members}
    for d in members[1:]:
        nodes[d.parent_id].children.append(nodes[d.id])
    return nodes[root.id]


def can_draft_from(parent: Directive, user) -> list[Agency]:
    """The user's organisations that have a live task in `parent` and so may implement it."""
    from app.rules.permissions import STAFF, holds

    if not states.is_live(parent.state):
        return []
    ids = {a.agency_id for s in parent.live_sections for t in s.live_tasks for a in t.assignments if a.active}
    return [db.session.get(Agency, i) for i in sorted(ids) if holds(user, STAFF, i)]
