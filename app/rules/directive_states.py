"""The life of a directive and the only ways to change it.

An organisation's own letter goes draft → submitted (chờ duyệt) → approved → issued (numbered in
its outgoing register); the leader may send a submitted draft back with comments, and editing a
submitted or approved text sends it back to draft. A letter never issued may be deleted. A directive received from outside is registered
in the receiving organisation's incoming register as `received`, with its printed number kept.
Tasks reach the assignees only in a live state: when the letter is issued, or when a received one
is registered; never at approval, so editing a draft never makes tasks appear and vanish.
"""
from dataclasses import dataclass

DRAFT = "draft"
SUBMITTED = "submitted"
APPROVED = "approved"
ISSUED = "issued"
RECEIVED = "received"

LABELS = {DRAFT: "Dự thảo", SUBMITTED: "Chờ duyệt", APPROVED: "Đã duyệt", ISSUED: "Đã phát hành",
          RECEIVED: "Văn bản đến"}
BADGES = {DRAFT: "secondary", SUBMITTED: "primary", APPROVED: "info", ISSUED: "success", RECEIVED: "warning"}
STATES = tuple(LABELS)

LIVE = (ISSUED, RECEIVED)  # its tasks are assigned and tracked
EDITABLE = (DRAFT, SUBMITTED, APPROVED)  # the text may still change
NEVER_ISSUED = EDITABLE  # may still be deleted

# Which role of the organisation performs each change (see app/rules/permissions.py).
STAFF, LEADER, CLERK = "staff", "leader", "clerk"


@dataclass(frozen=True)
class Transition:
    code: str
    label: str
    sources: tuple[str, ...]
    target: str
    role: str  # the role, held in the directive's organisation, that performs it


TRANSITIONS = (
    Transition("edit", "Sửa văn bản", EDITABLE, DRAFT, STAFF),
    Transition("submit", "Trình duyệt", (DRAFT,), SUBMITTED, STAFF),
    Transition("approve", "Duyệt văn bản", (DRAFT, SUBMITTED), APPROVED, LEADER),
    Transition("return", "Trả lại kèm ý kiến", (SUBMITTED,), DRAFT, LEADER),
    Transition("unapprove", "Trả về dự thảo", (APPROVED,), DRAFT, LEADER),
    Transition("issue", "Cấp số và phát hành", (APPROVED,), ISSUED, CLERK),
)
TRANSITIONS_BY_CODE = {transition.code: transition for transition in TRANSITIONS}


class DirectiveStateError(ValueError):
    """A refused change, with a Vietnamese message."""


def is_live(state: str) -> bool:
    return state in LIVE


def transition(code: str) -> Transition:
    return TRANSITIONS_BY_CODE[code]


def allows(code: str, state: str) -> bool:
    return state in TRANSITIONS_BY_CODE[code].sources


def check(code: str, state: str) -> str:
    """The state after `code`, or DirectiveStateError saying why not."""
    move = TRANSITIONS_BY_CODE.get(code)
    if move is None:
        raise DirectiveStateError("Thao tác không hợp lệ.")
    if state not in move.sources:
        raise DirectiveStateError(
            f"Không thể “{move.label.lower()}” khi văn bản đang ở trạng thái “{LABELS.get(state, state)}”.")
    return move.target
