"""Assignment status and the only ways to change it.

The department moves its own work forward and reports the result; the office confirms,
returns, suspends or cancels. Every move is a Transition listed here.
"""
from dataclasses import dataclass
from datetime import date

NOT_STARTED = "chua_thuc_hien"
IN_PROGRESS = "dang_thuc_hien"
AWAITING = "cho_xac_nhan"
DONE = "hoan_thanh"
SUSPENDED = "tam_dung"
CANCELLED = "huy"

STATUS_LABELS = {
    NOT_STARTED: "Chưa thực hiện",
    IN_PROGRESS: "Đang thực hiện",
    AWAITING: "Chờ xác nhận",
    DONE: "Hoàn thành",
    SUSPENDED: "Tạm dừng",
    CANCELLED: "Hủy",
}
STATUS_BADGES = {
    NOT_STARTED: "secondary",
    IN_PROGRESS: "primary",
    AWAITING: "warning",
    DONE: "success",
    SUSPENDED: "dark",
    CANCELLED: "light",
}
OPEN_STATUSES = (NOT_STARTED, IN_PROGRESS, AWAITING, SUSPENDED)


@dataclass(frozen=True)
class Transition:
    code: str
    label: str
    sources: tuple[str, ...]
    target: str | None  # None: the status stays, only progress and note change
    side: str  # "department" or "office"
    needs_note: bool = False


TRANSITIONS = (
    Transition("start", "Bắt đầu thực hiện", (NOT_STARTED,), IN_PROGRESS, "department"),
    Transition("progress", "Cập nhật tiến độ", (IN_PROGRESS,), None, "department", needs_note=True),
    Transition("submit", "Báo cáo hoàn thành", (NOT_STARTED, IN_PROGRESS), AWAITING, "department", needs_note=True),
    Transition("confirm", "Xác nhận hoàn thành", (AWAITING,), DONE, "office"),
    Transition("return", "Trả lại", (AWAITING,), IN_PROGRESS, "office", needs_note=True),
    Transition("suspend", "Tạm dừng", (NOT_STARTED, IN_PROGRESS, AWAITING), SUSPENDED, "office", needs_note=True),
    Transition("resume", "Tiếp tục thực hiện", (SUSPENDED,), IN_PROGRESS, "office"),
    Transition("cancel", "Hủy nhiệm vụ", (NOT_STARTED, IN_PROGRESS, AWAITING, SUSPENDED), CANCELLED, "office", needs_note=True),
)
TRANSITIONS_BY_CODE = {transition.code: transition for transition in TRANSITIONS}


class TransitionError(ValueError):
    """A refused change, with a message for the user in Vietnamese."""


def _as_sides(sides) -> frozenset[str]:
    if sides is None:
        return frozenset()
    return frozenset((sides,)) if isinstance(sides, str) else frozenset(sides)


def allowed_transitions(status: str, sides) -> list[Transition]:
    """The moves open to someone playing `sides` ("department", "office", or both) at this status."""
    mine = _as_sides(sides)
    return [t for t in TRANSITIONS if t.side in mine and status in t.sources]


def plan_transition(
    status: str, sides, code: str, percent, note: str, today: date, completed_date=None
) -> dict:
    """Check a requested change and return the new field values (status, percent, completed_date)."""
    transition = TRANSITIONS_BY_CODE.get(code)
    if transition is None or transition not in allowed_transitions(status, sides):
        raise TransitionError(
            f"Không thể thực hiện thao tác này khi nhiệm vụ đang ở trạng thái "
            f"“{STATUS_LABELS.get(status, status)}”."
        )
    if transition.needs_note and not (note or "").strip():
        raise TransitionError(f"“{transition.label}” cần ghi nội dung hoặc lý do.")
    new_status = transition.target or status
    if percent is None:
        percent_value = None
    else:
        try:
            percent_value = int(percent)
        except (TypeError, ValueError):
            raise TransitionError("Tiến độ phải là số nguyên từ 0 đến 100.") from None
        if not 0 <= percent_value <= 100:
            raise TransitionError("Tiến độ phải là số nguyên từ 0 đến 100.")
    if new_status in (AWAITING, DONE):
        percent_value = 100
    changes = {"status": new_status}
    if percent_value is not None:
        changes["progress_percent"] = percent_value
    if transition.code == "submit":
        changes["completed_date"] = today  # the day the department says it finished
    elif transition.code == "confirm":
        changes["completed_date"] = completed_date or today
    elif transition.code in ("return", "resume"):
        changes["completed_date"] = None
    return changes
