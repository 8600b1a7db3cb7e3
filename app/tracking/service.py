"""Changing an assignment: transitions with their history, evidence files, deadline extensions.

Every change appends a ProgressReport (the history shown to everyone) and an AuditEvent, and
tells the other side through a notification.
"""
import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from app import limits, scope
from app import storage as file_storage
from app.extensions import db
from app.models import Assignment, Evidence, ExtensionRequest, ProgressReport
from app.models.audit import diff, record
from app.rules import directive_states as states
from app.rules import permissions, uploads
from app.rules.extensions import ExtensionError, check_grant, check_request
from app.rules.workflow import STATUS_LABELS, plan_transition
from app.clock import local_today, utcnow
from app.tracking import notifications, rollup


class StaleAssignment(Exception):
    """Someone else changed the assignment since the user opened it."""


@dataclass
class Upload:
    name: str
    data: bytes
    media_type: str


def check_uploads(files) -> tuple[list[Upload], list[str]]:
    """Read and check every file before anything is saved: type by content, size, a clean name."""
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    accepted, errors = [], []
    for storage in files or []:
        if storage is None or not getattr(storage, "filename", ""):
            continue
        name = uploads.display_name(storage.filename)
        data = storage.read(limit + 1)
        if len(data) > limit:
            errors.append(f"“{name}” lớn hơn {limit // (1024 * 1024)} MB.")
        elif not data:
            errors.append(f"“{name}” là tệp rỗng.")
        else:
            try:  # opened by a real parser, in a child under a time and memory limit
                media_type, problem = limits.run(uploads.inspect, data)
            except limits.LimitExceeded as error:
                media_type, problem = None, None
                errors.append(f"“{name}”: {error.message}")
            if media_type is not None:
                accepted.append(Upload(name, data, media_type))
            elif problem:
                errors.append(f"“{name}” {problem}.")
    if len(accepted) + len(errors) > current_app.config["MAX_UPLOAD_FILES"]:
        errors.append(f"Tối đa {current_app.config['MAX_UPLOAD_FILES']} tệp mỗi lần.")
    return accepted, errors


def _store(assignment: Assignment, report: ProgressReport, files: list[Upload], user) -> list[Path]:
    folder = file_storage.evidence_dir()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for upload in files:
        stored = uuid.uuid4().hex + uploads.ALLOWED[upload.media_type]
        (folder / stored).write_bytes(upload.data)
        written.append(folder / stored)
        db.session.add(Evidence(assignment_id=assignment.id, report=report, original_name=upload.name,
                                stored_name=stored, media_type=upload.media_type, size=len(upload.data),
                                sha256=hashlib.sha256(upload.data).hexdigest(), uploaded_by_id=user.id))
    return written


class EvidenceMissing(Exception):
    """The stored evidence file is gone or no longer matches the hash taken when it was uploaded."""


def evidence_bytes(evidence: Evidence) -> bytes:
    """The evidence as uploaded, checked against its SHA-256; the admins hear when it is not."""
    import hashlib

    try:
        data = evidence_path(evidence).read_bytes()
    except OSError:
        data = None
    if data is None or hashlib.sha256(data).hexdigest() != evidence.sha256:
        problem = "không còn trên máy chủ" if data is None else "không còn khớp mã SHA-256 lúc tải lên (có thể đã bị sửa)"
        assignment = db.session.get(Assignment, evidence.assignment_id)
        notifications.stored_file_missing(assignment.directive.owner_agency_id,
                                          f"tệp minh chứng “{evidence.original_name}” ({evidence.stored_name})",
                                          assignment=assignment)
        raise EvidenceMissing(f"Tệp minh chứng “{evidence.original_name}” {problem}. Đã báo quản trị hệ thống.")
    return data


def evidence_path(evidence: Evidence) -> Path:
    return file_storage.evidence_file(evidence.stored_name)


def sides_of(user, assignment: Assignment) -> frozenset[str]:
    """"department" (the assigned organisation), "office" (the issuing one), both, or none."""
    directive = assignment.directive
    return permissions.sides(user, assignment, directive.owner_agency_id, states.is_live(directive.state))


def change_assignment(assignment: Assignment, user, code: str, percent, note: str, seen_version,
                      files: list[Upload] | None = None) -> ProgressReport:
    if str(seen_version) != str(assignment.version):
        raise StaleAssignment()
    assignment.claim()
    changes = plan_transition(assignment.status, sides_of(user, assignment), code, percent, note, local_today(),
                              assignment.completed_date)
    if code == "submit":
        summary = rollup.summary_line(assignment, local_today(), current_app.config["DUE_SOON_DAYS"])
        if summary:  # the organisation's result carries what its own units did
            note = f"{note}\n{summary}" if note else summary
    before = {field: getattr(assignment, field) for field in changes}
    report = ProgressReport(
        assignment=assignment, user_id=user.id, old_status=assignment.status, new_status=changes["status"],
        percent=changes.get("progress_percent", assignment.progress_percent), note=note or "",
    )
    for field, value in changes.items():
        setattr(assignment, field, value)
    db.session.add(report)
    written = _store(assignment, report, files or [], user)
    try:
        record(user, f"assignment.{code}", assignment,
               f"{assignment.agency.short_name}: {report.old_status_label} → {report.new_status_label}",
               {**diff(before, changes), **({"note": [None, note]} if note else {}),
                **({"evidence": [None, [f.name for f in files]]} if files else {})})
        _tell(assignment, code, note)
        from app.exchange.service import assignment_moved
        assignment_moved(assignment)  # a directive received by edXML: its sender hears 05 / 06
    except Exception:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return report


def _tell(assignment: Assignment, code: str, note: str) -> None:
    task = assignment.task.text[:120]
    if code == "submit":
        notifications.notify(notifications.office_users(assignment.directive.owner_agency_id), "submitted",
                             f"{assignment.agency.short_name} báo cáo hoàn thành: {task}", assignment)
    elif code in ("return", "confirm", "suspend", "resume", "cancel"):
        label = STATUS_LABELS.get(assignment.status, assignment.status)
        detail = f" Lý do: {note}" if note and code != "confirm" else ""
        message = ("Kết quả bị trả lại: " if code == "return" else f"Nhiệm vụ chuyển sang “{label}”: ") + task + detail
        notifications.notify(notifications.agency_users([assignment.agency_id]), code, message, assignment)


def request_extension(assignment: Assignment, user, requested, reason: str) -> ExtensionRequest:
    if "department" not in sides_of(user, assignment):
        raise ExtensionError("Chỉ đơn vị được giao mới đề nghị gia hạn.")
    pending = any(request.status == "pending" for request in assignment.extensions)
    check_request(assignment.status, assignment.deadline, requested, reason, pending, local_today())
    assignment.claim()  # two requests at once: the second conflicts instead of taking the same number
    request = ExtensionRequest(
        assignment=assignment, sequence=len(assignment.extensions) + 1, requested_by_id=user.id,
        deadline_before=assignment.deadline, requested_deadline=requested, reason=reason, status="pending",
    )
    db.session.add(request)
    record(user, "extension.request", assignment,
           f"{assignment.agency.short_name} đề nghị gia hạn lần {request.sequence} đến {requested:%d/%m/%Y}")
    notifications.notify(notifications.office_users(assignment.directive.owner_agency_id), "extension",
                         f"{assignment.agency.short_name} đề nghị gia hạn lần {request.sequence} đến "
                         f"{requested:%d/%m/%Y}: {assignment.task.text[:100]}", assignment)
    return request


def decide_extension(request: ExtensionRequest, user, approve: bool, note: str, granted=None) -> None:
    assignment = request.assignment
    if "office" not in sides_of(user, assignment):
        raise ExtensionError("Chỉ cơ quan giao nhiệm vụ duyệt đề nghị gia hạn.")
    if request.status != "pending":
        raise ExtensionError("Đề nghị này đã được xử lý.")
    if not approve and not (note or "").strip():
        raise ExtensionError("Ghi lý do không đồng ý gia hạn.")
    until = check_grant(assignment.deadline, request.requested_deadline, granted, note, local_today()) \
        if approve else None
    assignment.claim()  # approve and reject at once: only the first stands
    request.status = "approved" if approve else "rejected"
    request.decided_by_id, request.decided_at, request.decision_note = user.id, utcnow(), note or ""
    request.granted_deadline = until
    verdict = "Đồng ý" if approve else "Không đồng ý"
    asked = request.requested_deadline
    if approve and until != asked:
        text = f"Đồng ý gia hạn lần {request.sequence} đến {until:%d/%m/%Y} (đề nghị {asked:%d/%m/%Y})."
    else:
        text = f"{verdict} gia hạn lần {request.sequence} đến {asked:%d/%m/%Y}."
    text += f" {note}" if note else ""
    if approve:
        before = assignment.deadline
        assignment.deadline = until  # the original deadline stays as it was
        record(user, "extension.approve", assignment, text,
               {"deadline": [before.strftime("%d/%m/%Y") if before else None, until.strftime("%d/%m/%Y")]})
    else:
        record(user, "extension.reject", assignment, text)
    db.session.add(ProgressReport(assignment=assignment, user_id=user.id, old_status=assignment.status,
                                  new_status=assignment.status, percent=assignment.progress_percent, note=text))
    notifications.notify(notifications.agency_users([assignment.agency_id]), "extension_decided",
                         f"{text} Nhiệm vụ: {assignment.task.text[:100]}", assignment)


def pending_extensions(user):
    """Extension requests waiting for the user's organisations to decide."""
    return scope.join_directive(select(ExtensionRequest).join(Assignment, ExtensionRequest.assignment_id == Assignment.id)
                                ).where(ExtensionRequest.status == "pending", scope.followed_assignments(user))


def pending_extensions_count(user) -> int:
    return db.session.scalar(select(func.count()).select_from(pending_extensions(user).subquery())) or 0
