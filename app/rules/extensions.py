"""When a department may ask for a later deadline."""
from datetime import date

from app.rules.workflow import CANCELLED, DONE


class ExtensionError(ValueError):
    """A refused request, with a Vietnamese message."""


def check_request(status: str, deadline: date | None, requested: date | None, reason: str,
                  has_pending: bool, today: date) -> None:
    if status in (DONE, CANCELLED):
        raise ExtensionError("Nhiệm vụ đã kết thúc, không cần gia hạn.")
    if deadline is None:
        raise ExtensionError("Nhiệm vụ không có thời hạn nên không cần gia hạn.")
    if has_pending:
        raise ExtensionError("Đơn vị đã có một đề nghị gia hạn đang chờ duyệt.")
    if requested is None:
        raise ExtensionError("Nhập ngày đề nghị gia hạn (dd/mm/yyyy).")
    if requested <= deadline:
        raise ExtensionError(f"Ngày đề nghị phải sau hạn hiện tại ({deadline:%d/%m/%Y}).")
    if requested < today:
        raise ExtensionError("Ngày đề nghị không được ở trong quá khứ.")
    if not (reason or "").strip():
        raise ExtensionError("Ghi rõ lý do đề nghị gia hạn.")


def check_grant(deadline: date | None, requested: date, granted: date | None, note: str, today: date) -> date:
    """The date the office grants: the one asked for, or another with its reason."""
    if granted is None or granted == requested:
        return requested
    if deadline is not None and granted <= deadline:
        raise ExtensionError(f"Ngày gia hạn phải sau hạn hiện tại ({deadline:%d/%m/%Y}).")
    if granted < today:
        raise ExtensionError("Ngày gia hạn không được ở trong quá khứ.")
    if not (note or "").strip():
        raise ExtensionError("Gia hạn đến ngày khác ngày đề nghị: ghi lý do.")
    return granted
