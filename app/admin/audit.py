"""The audit log read as sentences: who did what to which record, with the changed fields named and
their values in words (statuses, states, roles), and the filters an admin needs (user, action, kind of
record, dates)."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from app.clock import period_bounds
from app.models import AuditEvent
from app.rules import directive_states
from app.rules.permissions import ROLE_LABELS
from app.rules.workflow import STATUS_LABELS, TRANSITIONS_BY_CODE

ACTIONS = {
    "auth.login": "đăng nhập", "auth.logout": "đăng xuất (kết thúc mọi phiên)",
    "directive.create": "tạo văn bản", "directive.update": "sửa văn bản", "directive.import": "nhập văn bản từ tệp",
    "directive.submit": "trình duyệt", "directive.approve": "duyệt văn bản",
    "directive.return": "trả lại dự thảo kèm ý kiến", "directive.unapprove": "trả văn bản về dự thảo",
    "directive.issue": "cấp số và phát hành", "directive.receive": "vào sổ văn bản đến",
    "directive.cascade": "soạn văn bản triển khai", "directive.comment": "góp ý dự thảo",
    "directive.delete": "xóa dự thảo", "reminder.draft": "lập công văn đôn đốc",
    "extension.request": "đề nghị gia hạn", "extension.approve": "đồng ý gia hạn",
    "extension.reject": "không đồng ý gia hạn", "assignment.input": "gửi ý kiến phối hợp",
    "assignment.occurrence": "báo cáo kỳ", "snapshot.take": "chốt số liệu",
    "agency.create": "thêm cơ quan", "agency.update": "sửa cơ quan", "agency.dissolve": "giải thể, sáp nhập cơ quan",
    "group.create": "thêm nhóm cơ quan", "group.update": "sửa nhóm cơ quan",
    "user.create": "tạo tài khoản", "user.update": "sửa tài khoản", "user.password": "đổi mật khẩu",
    "user.mail": "cài đặt thư điện tử",
    "token.create": "tạo mã truy cập API", "token.revoke": "thu hồi mã truy cập API",
    **{f"assignment.{code}": t.label.lower() for code, t in TRANSITIONS_BY_CODE.items()},
}
RECORDS = {"Directive": "văn bản", "Assignment": "nhiệm vụ", "Agency": "cơ quan", "AgencyGroup": "nhóm cơ quan",
           "User": "tài khoản", "Snapshot": "số liệu chốt", "ExtensionRequest": "đề nghị gia hạn"}
FIELDS = {
    "status": "trạng thái", "state": "tình trạng văn bản", "progress_percent": "tiến độ", "completed_date": "ngày hoàn thành",
    "deadline": "hạn", "note": "nội dung", "evidence": "tệp minh chứng", "subject": "trích yếu", "symbol": "ký hiệu",
    "doc_type": "loại văn bản", "place": "địa danh", "urgency": "độ khẩn", "preamble": "phần mở đầu",
    "closing": "câu kết", "signer_authority": "thẩm quyền ký", "signer_authority_title": "thay mặt",
    "signer_title": "chức vụ người ký", "signer_name": "người ký", "issuer_text": "cơ quan ban hành",
    "number": "số", "pdf_sha256": "mã SHA-256 bản PDF", "docx_sha256": "mã SHA-256 bản DOCX",
    "name": "tên", "short_name": "tên ngắn", "abbreviation": "chữ viết tắt", "code": "mã định danh", "kind": "loại cơ quan",
    "parent_id": "cơ quan cấp trên", "serves_id": "tham mưu cho", "header_text": "tiêu đề văn bản", "active": "hoạt động",
    "username": "tên đăng nhập", "full_name": "họ tên", "roles": "vai trò", "agency_id": "cơ quan",
    "admin_scope_id": "phạm vi quản trị", "password": "mật khẩu", "members": "thành viên", "owner_id": "cơ quan sử dụng",
    "valid_to": "kết thúc hoạt động", "successor": "cơ quan tiếp nhận", "moved": "số nhiệm vụ chuyển",
    "email": "thư điện tử", "mail_kinds": "loại thư nhận", "mail_digest": "nhận thư tổng hợp",
}
VALUES = {**STATUS_LABELS, **directive_states.LABELS, **ROLE_LABELS}


def value_text(value) -> str:
    """A stored value in words: statuses and states by their labels, lists joined, nothing as "—"."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, list):
        return ", ".join(value_text(v) for v in value)
    if isinstance(value, str) and value in VALUES:
        return VALUES[value]
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"


@dataclass
class Line:
    event: AuditEvent
    who: str
    what: str
    record: str
    changes: list[tuple[str, str, str]]


def describe(event: AuditEvent) -> Line:
    who = event.user.full_name if event.user else "Hệ thống"
    what = ACTIONS.get(event.action, event.action)
    kind = RECORDS.get(event.object_type, event.object_type.lower())
    record = f"{kind} số {event.object_id}" if event.object_id else kind
    changes = [(FIELDS.get(field, field), value_text(old_new[0]), value_text(old_new[1]))
               for field, old_new in (event.changes or {}).items()
               if isinstance(old_new, (list, tuple)) and len(old_new) == 2]
    return Line(event, who, what, record, changes)


def filtered(query, user_id: int | None, action: str, record: str, first: date | None, last: date | None):
    if user_id:
        query = query.where(AuditEvent.user_id == user_id)
    if action in ACTIONS:
        query = query.where(AuditEvent.action == action)
    if record in RECORDS:
        query = query.where(AuditEvent.object_type == record)
    if first or last:
        start, end = period_bounds(first or date(1900, 1, 1), last or date(2200, 12, 31))
        query = query.where(AuditEvent.created_at >= start, AuditEvent.created_at < end)
    return query


def base_query():
    return select(AuditEvent).order_by(AuditEvent.id.desc())
