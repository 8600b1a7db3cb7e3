"""Letters of directives in the database: rendering, readable file names, issuing with a number.

Issuing is one transaction: claim the directive (approved → issued), take the next number of the
agency's register for the year with an atomic UPDATE … RETURNING, render and store both files,
record their SHA-256. If anything fails, everything rolls back, so the register stays gapless.
"""
import hashlib
import re
from pathlib import Path

from sqlalchemy import update

from app.directive_format import directive_to_data
from app.directives import received
from app.directives.registers import next_in_register
from app.documents import MEDIA_TYPES, render
from app import doc_types, storage
from app.documents.letter import build_letter, format_number, letter_problems
from app.extensions import db
from app.tracking import tallies
from app.lint import must_fix
from app.models import Directive, RegisterCounter, RegisterEntry
from app.models.audit import record
from app.rules.permissions import can_issue_directive
from app.clock import local_today
from app.rules.directive_states import DRAFT, SUBMITTED
from app.text import fold
from app.tracking import notifications


class IssueError(Exception):
    """Issuing refused, with a Vietnamese message."""


def problems(directive: Directive) -> list[str]:
    return letter_problems(directive_to_data(directive))


def readiness(directive: Directive) -> tuple[list[str], list[str]]:
    """(what stops printing, ND30 habits the letter does not follow such as Nơi nhận without "Như trên")."""
    data = directive_to_data(directive)
    missing = letter_problems(data)
    return missing, ([] if missing else build_letter(data).warnings)


def file_name(directive: Directive, fmt: str) -> str:
    """"CV-05-UBND-KGVX-tang-cuong-cong-tac-phong-chong-dich.pdf": readable, ASCII, no spaces."""
    kind = doc_types.get(directive.doc_type).abbreviation
    symbol = fold(directive.symbol).upper().replace("/", "-") or "VB"
    slug = re.sub(r"[^a-z0-9]+", "-", fold(directive.subject)).strip("-")
    if len(slug) > 60:
        slug = slug[:61].rsplit("-", 1)[0]  # cut at a word boundary
    number = directive.number or "du-thao"
    name = "-".join(part for part in (fold(kind).upper(), number, symbol, slug) if part)
    return f"{re.sub(r'[^A-Za-z0-9-]+', '-', name)}.{fmt}"


def letter_bytes(directive: Directive, fmt: str) -> bytes:
    """The letter as it stands: the frozen file once issued, otherwise rendered now."""
    entry = directive.register_entry
    if entry is not None:
        path, digest = (entry.docx_path, entry.docx_sha256) if fmt == "docx" else (entry.pdf_path, entry.pdf_sha256)
        try:
            data = storage.issued_file(path).read_bytes()
        except OSError:
            data = None
        if data is None or hashlib.sha256(data).hexdigest() != digest:
            problem = "không còn trên máy chủ" if data is None else "không còn khớp mã SHA-256 đã lưu (có thể đã bị sửa)"
            notifications.stored_file_missing(directive.owner_agency_id, f"bản {fmt.upper()} đã phát hành của văn bản "
                                              f"{directive.number_symbol} ({path})", directive=directive)
            raise IssueError(f"Tệp {fmt.upper()} đã phát hành {problem}. Đã báo quản trị hệ thống để khôi phục "
                             "từ bản sao lưu.")
        return data
    return render(directive_to_data(directive), fmt, draft=directive.state in (DRAFT, SUBMITTED), today=local_today())


def _claim(directive: Directive) -> None:
    """approved → issued in one conditional UPDATE: of two clerks, exactly one gets the directive."""
    result = db.session.execute(
        update(Directive)
        .where(Directive.id == directive.id, Directive.state == "approved")
        .values(state="issued", version=Directive.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise IssueError("Văn bản đã được phát hành hoặc không còn ở trạng thái đã duyệt.")
    tallies.touch(db.session, directive.id)  # issued: its tasks count on the dashboard


def next_number(agency_id: int, year: int) -> int:
    return next_in_register(RegisterCounter, agency_id, year)


def issue(directive: Directive, user, today=None) -> RegisterEntry:
    """"Cấp số và phát hành". The caller commits; on any error it must roll back."""
    if not can_issue_directive(user, directive):
        raise IssueError("Chỉ văn thư của cơ quan ban hành được cấp số, và chỉ cho văn bản đã được lãnh đạo duyệt.")
    if directive.issuer_agency_id is None:
        raise IssueError("Văn bản chưa gắn với cơ quan ban hành trong danh mục nên chưa có sổ đăng ký.")
    missing = problems(directive)
    if missing:
        raise IssueError("Văn bản chưa đủ để phát hành: " + "; ".join(missing) + ".")
    today = today or local_today()
    _claim(directive)
    sequence = next_number(directive.issuer_agency_id, today.year)
    db.session.refresh(directive)
    directive.number = format_number(sequence)
    directive.issued_date = today
    data = directive_to_data(directive)
    folder = Path("issued") / str(today.year) / str(directive.issuer_agency_id)
    root = storage.root()
    (root / folder).mkdir(parents=True, exist_ok=True)
    written, digests = [], {}
    try:
        for fmt in MEDIA_TYPES:
            content = render(data, fmt, draft=False, today=today)
            blocking = must_fix(content, fmt, data)  # ND30 lint of the very bytes being issued
            if blocking:
                raise IssueError("Văn bản chưa đạt thể thức Nghị định 30/2020/NĐ-CP nên chưa cấp số: "
                                 + "; ".join(blocking))
            path = folder / f"{directive.id}-{file_name(directive, fmt)}"
            (root / path).write_bytes(content)
            written.append(root / path)
            digests[fmt] = (str(path), hashlib.sha256(content).hexdigest())
        entry = RegisterEntry(
            directive=directive, agency_id=directive.issuer_agency_id, year=today.year, sequence=sequence,
            number=directive.number, issued_date=today, issued_by_id=user.id,
            docx_path=digests["docx"][0], docx_sha256=digests["docx"][1],
            pdf_path=digests["pdf"][0], pdf_sha256=digests["pdf"][1],
        )
        db.session.add(entry)
        db.session.flush()
    except Exception:
        for path in written:  # nothing half-issued stays on disk
            path.unlink(missing_ok=True)
        raise
    record(user, "directive.issue", directive, f"Cấp số {directive.number_symbol} ngày {today:%d/%m/%Y}",
           {"number": [None, directive.number], "state": ["approved", "issued"],
            "pdf_sha256": [None, digests["pdf"][1]], "docx_sha256": [None, digests["docx"][1]]})
    received.went_out(directive, today, user)
    return entry
