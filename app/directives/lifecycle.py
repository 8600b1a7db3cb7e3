"""Moving a directive through its states (app/rules/directive_states.py): submitting, approving,
sending back with comments, deleting a letter never issued; and the draft's comment thread.

Each move is one conditional UPDATE on the state the user saw, so of two leaders pressing the same
button at once exactly one succeeds and the other is told the directive changed first.
Issuing (numbering) is in letters.py; registering a received directive in received.py.
"""
from sqlalchemy import delete as sql_delete
from sqlalchemy import select, update

from app.extensions import db
from app.models import Assignment, Directive, DirectiveComment, Notification, Reminder, Section, Task
from app.models.audit import record
from app.tracking import notifications
from app.rules import directive_states as states
from app.tracking import tallies
from app.rules.directive_states import DirectiveStateError


def move(directive: Directive, code: str, user, message: str, note: str = "") -> None:
    """Apply transition `code`, with its note in the draft's thread; the caller has checked the
    permission and commits."""
    source = directive.state
    target = states.check(code, source)
    result = db.session.execute(
        update(Directive)
        .where(Directive.id == directive.id, Directive.state == source)
        .values(state=target, version=Directive.version + 1, updated_by_id=getattr(user, "id", None))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise DirectiveStateError("Văn bản vừa được người khác thay đổi trạng thái; tải lại trang để xem.")
    tallies.touch(db.session, directive.id)  # its tasks start or stop counting on the dashboard
    db.session.refresh(directive)
    if note or code in ("submit", "return", "approve"):
        db.session.add(DirectiveComment(directive_id=directive.id, user_id=getattr(user, "id", None), kind=code,
                                        text=note or ""))
    record(user, f"directive.{code}", directive, message, {"state": [source, target]})


def submit(directive: Directive, user, note: str = "") -> None:
    move(directive, "submit", user, "Đã trình lãnh đạo duyệt.", note)
    leaders = notifications.leaders_of(directive.owner_agency_id)
    notifications.notify(leaders, "submitted_draft", f"Dự thảo chờ duyệt: {directive.doc_type_label} V/v "
                         f"{directive.subject}", directive=directive)


def approve(directive: Directive, user, note: str = "") -> None:
    move(directive, "approve", user, "Đã duyệt văn bản; văn thư cấp số và phát hành để các đơn vị nhận nhiệm vụ.",
         note)


def send_back(directive: Directive, user, note: str) -> None:
    """The leader returns a submitted draft; saying what to change is required."""
    if not (note or "").strip():
        raise DirectiveStateError("Ghi ý kiến để người soạn biết cần sửa gì.")
    move(directive, "return", user, "Văn bản được trả lại kèm ý kiến.", note)
    notifications.notify(notifications.staff_of([directive.owner_agency_id]), "returned_draft",
                         f"Dự thảo bị trả lại: {directive.subject} — {note}", directive=directive)


def return_to_draft(directive: Directive, user) -> None:
    move(directive, "unapprove", user, "Văn bản đã trở về dự thảo.")


def comment(directive: Directive, user, text: str) -> DirectiveComment:
    if not (text or "").strip():
        raise DirectiveStateError("Nhập nội dung ý kiến.")
    row = DirectiveComment(directive_id=directive.id, user_id=user.id, kind="comment", text=text)
    db.session.add(row)
    record(user, "directive.comment", directive, f"Ý kiến về dự thảo: {text[:200]}")
    return row


def delete(directive: Directive, user) -> None:
    """A letter never issued goes, with its rows; the audit log keeps what it was."""
    if directive.state not in states.NEVER_ISSUED or directive.register_entry is not None:
        raise DirectiveStateError("Văn bản đã phát hành không xóa được; muốn thay đổi phải ban hành văn bản mới.")
    record(user, "directive.delete", directive,
           f"Xóa {states.LABELS[directive.state].lower()} {directive.doc_type_label} V/v {directive.subject[:200]}",
           {"state": [directive.state, None], "subject": [directive.subject, None]})
    ids = select(Assignment.id).join(Task, Assignment.task_id == Task.id).join(Section, Task.section_id == Section.id) \
        .where(Section.directive_id == directive.id)
    db.session.execute(update(Task).where(Task.implements_id.in_(ids)).values(implements_id=None))
    db.session.execute(update(Directive).where(Directive.parent_id == directive.id).values(parent_id=None))
    db.session.execute(sql_delete(Reminder).where(Reminder.letter_id == directive.id))
    db.session.execute(sql_delete(Notification).where(Notification.directive_id == directive.id))
    db.session.delete(directive)
