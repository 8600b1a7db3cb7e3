"""Timeliness is derived from dates, never stored: on time, due soon, overdue, done on time, done late,
no deadline. `classify` is the rule; tracking/queries.py states the same rule in SQL for lists and
counts, and a test checks that both agree."""
from datetime import date

from app.rules.workflow import AWAITING, CANCELLED, DONE

ON_TIME = "trong_han"
DUE_SOON = "sap_den_han"
OVERDUE = "qua_han"
DONE_ON_TIME = "hoan_thanh_dung_han"
DONE_LATE = "hoan_thanh_qua_han"
NO_DEADLINE = "khong_thoi_han"
NOT_COUNTED = "da_huy"

LABELS = {
    ON_TIME: "Trong hạn",
    DUE_SOON: "Sắp đến hạn",
    OVERDUE: "Quá hạn",
    DONE_ON_TIME: "Hoàn thành đúng hạn",
    DONE_LATE: "Hoàn thành quá hạn",
    NO_DEADLINE: "Không thời hạn",
    NOT_COUNTED: "Đã hủy",
}
BADGES = {
    ON_TIME: "primary", DUE_SOON: "warning", OVERDUE: "danger", DONE_ON_TIME: "success",
    DONE_LATE: "secondary", NO_DEADLINE: "light", NOT_COUNTED: "light",
}
DEFAULT_DUE_SOON_DAYS = 3

# The dashboard's five boxes: "trong hạn" and "sắp đến hạn" together are work in progress on time.
IN_PROGRESS_ON_TIME = "dang_trong_han"
GROUPS = {IN_PROGRESS_ON_TIME: (ON_TIME, DUE_SOON)}
FILTER_LABELS = {IN_PROGRESS_ON_TIME: "Đang thực hiện trong hạn", **LABELS}


def classify(status: str, deadline: date | None, completed: date | None, today: date,
             due_soon_days: int = DEFAULT_DUE_SOON_DAYS) -> str:
    """Where an assignment stands against its (current) deadline.

    A result waiting for the office's confirmation is judged by the day the department reported it.
    """
    if status == CANCELLED:
        return NOT_COUNTED
    if status == DONE:
        return DONE_LATE if deadline and completed and completed > deadline else DONE_ON_TIME
    if deadline is None:
        return NO_DEADLINE
    if status == AWAITING and completed and completed <= deadline:
        return ON_TIME
    reference = completed if status == AWAITING and completed else today
    if reference > deadline:
        return OVERDUE
    if (deadline - today).days <= due_soon_days:
        return DUE_SOON
    return ON_TIME


def days_late(deadline: date | None, status: str, completed: date | None, today: date) -> int:
    """Days past a deadline (0 when not late): for done work at completion, otherwise today."""
    if deadline is None or status == CANCELLED:
        return 0
    reference = completed if status in (DONE, AWAITING) and completed else today
    return max((reference - deadline).days, 0)
