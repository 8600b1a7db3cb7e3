"""Moving a directive through its states (app/rules/directive_states.py): approval and its return.

Each move is one conditional UPDATE on the state the user saw, so of two leaders pressing the same
button at once exactly one succeeds and the other is told the directive changed first.
Issuing (numbering) is in letters.py; registering a received directive in received.py.
"""
from sqlalchemy import update

from app.extensions import db
from app.models import Directive
from app.models.audit import record
from app.rules import directive_states as states
from app.rules.directive_states import DirectiveStateError


def move(directive: Directive, code: str, user, message: str) -> None:
    """Apply transition `code`; the caller has checked the permission and commits."""
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
    db.session.refresh(directive)
    record(user, f"directive.{code}", directive, message, {"state": [source, target]})


def approve(directive: Directive, user) -> None:
    move(directive, "approve", user, "Đã duyệt văn bản; văn thư cấp số và phát hành để các đơn vị nhận nhiệm vụ.")


def return_to_draft(directive: Directive, user) -> None:
    move(directive, "unapprove", user, "Văn bản đã trở về dự thảo.")
