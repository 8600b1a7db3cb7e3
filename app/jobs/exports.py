"""Long exports, run in the request when small and as a job when large, by the same functions:
the Excel list of assignments, the period report (báo cáo), a ZIP of the letters of a register.

Each takes the user explicitly (a job runs without a request) and checks again, when it runs, that
the user may still see what they asked for."""
import zipfile
from datetime import date
from io import BytesIO

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from app import scope
from app.clock import local_today
from app.extensions import db
from app.jobs.runner import JobError, kind
from app.models import Agency, Directive, RegisterEntry, User
from app.rules import permissions
from app.rules.directive_states import DRAFT, EDITABLE, SUBMITTED
from app.tracking import excel, queries, reports

NO_LONGER = "Tài khoản không còn quyền xem danh sách này nên tệp không được tạo."


def _may_follow(user: User, organisation_id: int) -> None:
    """The job's owner still follows the organisation's work (rights change between queue and run)."""
    if not permissions.can_follow(user) or organisation_id not in permissions.organisations(user):
        raise JobError(NO_LONGER)


# --- Excel -----------------------------------------------------------------------------------------

def excel_within(user: User, scope_name: str, organisation_id: int | None):
    """The condition of an Excel list: the organisation's own directives ("owned"), or what was given
    to the user's organisations ("own")."""
    if scope_name == "owned":
        _may_follow(user, organisation_id)
        return queries.owned_by(organisation_id)
    if not permissions.has_inbox(user):
        raise JobError(NO_LONGER)
    return scope.own_assignments(user)


def count_rows(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def excel_query(args, within, today: date):
    filters = queries.parse_filters(args)
    return queries.export_rows(filters, today, current_app.config["DUE_SOON_DAYS"], within)


def excel_bytes(query, title: str, description: str, progress=None, total: int = 0) -> bytes:
    # Core rows streamed in batches: plain values, no ORM identity map to fill. The option goes on the
    # statement: on the connection it would stay, and every later statement would open a server-side cursor.
    rows = db.session.connection().execute(query.execution_options(yield_per=2000))
    if progress is None:
        return excel.workbook_bytes(rows, title, description)

    def counted():
        done = 0
        for row in rows:
            yield row
            done += 1
            if done % 500 == 0:
                progress(done)
        progress(done, max(total, done), force=True)

    return excel.workbook_bytes(counted(), title, description)


@kind("excel")
def excel_job(job, params, progress):
    within = excel_within(job.user, params["scope"], params.get("organisation_id"))
    today = local_today()
    query = excel_query(MultiDict(params.get("args") or {}), within, today)
    total = count_rows(query)
    progress(0, total, force=True)
    content = excel_bytes(query, params["title"], params.get("description", ""), progress, total)
    return content, f"{params['name']}-{today:%Y-%m-%d}.xlsx"


# --- the period report -----------------------------------------------------------------------------

def letter_issuer(user: User) -> Agency | None:
    """Reports and reminders go out under the user's own agency (Văn phòng UBND …) when it has a header."""
    agency = user.agency
    while agency is not None and not agency.header_lines:
        agency = agency.parent
    return agency


def report_filters(values: dict) -> tuple[queries.Filters, str]:
    """The report's rows and the words saying what it covers, from the form's values."""
    if values.get("directive"):
        target = db.session.get(Directive, int(values["directive"]))
        if target is None:
            raise JobError("Văn bản của báo cáo không còn trong hệ thống.")
        if target.number:
            scope_text = (f"{target.doc_type_label} số {target.number_symbol} ngày {target.issued_date:%d/%m/%Y} "
                          f"về {target.subject}")
        else:
            scope_text = f"{target.doc_type_label} về {target.subject} (chưa cấp số)"
        return queries.Filters(directive=target.id), scope_text
    first, last = date.fromisoformat(values["deadline_from"]), date.fromisoformat(values["deadline_to"])
    scope_text = f"các nhiệm vụ có thời hạn từ ngày {first:%d/%m/%Y} đến ngày {last:%d/%m/%Y}"
    return queries.Filters(deadline_from=first, deadline_to=last), scope_text


def report_rows(user: User, organisation_id: int, values: dict) -> int:
    filters, _text = report_filters(values)
    today = local_today()
    return count_rows(queries.assignment_rows(filters, today, current_app.config["DUE_SOON_DAYS"],
                                              queries.owned_by(organisation_id)))


def report_bytes(user: User, organisation_id: int, values: dict, progress=None) -> tuple[bytes, str]:
    """The báo cáo as DOCX or PDF; raises LetterError (Vietnamese) when it cannot be printed."""
    from app.documents import render

    _may_follow(user, organisation_id)
    issuer = letter_issuer(user)
    if issuer is None:
        raise JobError("Tài khoản chưa gắn với cơ quan có tiêu đề văn bản nên chưa lập được báo cáo.")
    filters, scope_text = report_filters(values)
    today, window = local_today(), current_app.config["DUE_SOON_DAYS"]
    if progress:
        progress(0, 3, force=True)
    data, appendix = reports.report(filters, scope_text, issuer, [values["recipients"]], values["signer"], today,
                                    window, queries.owned_by(organisation_id))
    if progress:
        progress(1, 3, force=True)
    content = render(data, values["format"], today=today, appendix=appendix)
    if progress:
        progress(3, 3, force=True)
    return content, f"bao-cao-tinh-hinh-thuc-hien-{today:%Y-%m-%d}.{values['format']}"


@kind("report")
def report_job(job, params, progress):
    return report_bytes(job.user, params["organisation_id"], params["values"], progress)


# --- ZIPs of letters: the outgoing register's (frozen files), the drafts not yet issued (printed now) --

def register_entries(organisation_id: int, year: int):
    return db.session.execute(
        select(RegisterEntry, Directive).join(Directive, RegisterEntry.directive_id == Directive.id)
        .where(RegisterEntry.agency_id == organisation_id, RegisterEntry.year == year)
        .order_by(RegisterEntry.sequence)).all()


def _unissued(organisation_id: int):
    return (Directive.owner_agency_id == organisation_id, Directive.state.in_(EDITABLE))


def unissued_directives(organisation_id: int) -> list[Directive]:
    """The organisation's own letters not yet numbered (dự thảo, chờ duyệt, đã duyệt), oldest first."""
    return db.session.scalars(select(Directive).where(*_unissued(organisation_id))
                              .options(selectinload(Directive.register_entry)).order_by(Directive.id)).all()


def unissued_count(organisation_id: int) -> int:
    """How many unissued_directives() there are, counted without loading them (the page decides: job or not)."""
    return db.session.scalar(select(func.count(Directive.id)).where(*_unissued(organisation_id))) or 0


def _label(directive: Directive) -> str:
    """"Công văn chưa cấp số về tăng cường …": which letter, in an error message."""
    number = directive.number_symbol if directive.number else "chưa cấp số"
    subject = f" về {directive.subject}" if (directive.subject or "").strip() else ""
    return f"{directive.doc_type_label} {number}{subject}"


def _zip_letters(letters: list[tuple[str, Directive]], progress=None, parallel: bool = True) -> bytes:
    """The PDF and DOCX of each (prefix, directive), in order: an issued letter's frozen files (checked
    against their SHA-256), the others printed now as `letter_bytes` prints them, their PDFs on every core
    (app/documents/batch.py) while this process writes the DOCX files and the archive."""
    from app.directive_format import directive_to_data
    from app.directives.letters import file_name, letter_bytes
    from app.documents import render
    from app.documents.batch import BatchLetter, render_pdfs

    today = local_today()
    to_print = [directive for _prefix, directive in letters if directive.register_entry is None]
    data: dict[int, dict] = {}  # what the batch took, until the archive writes its DOCX

    def batch():  # pulled by render_pdfs a few letters ahead of the archive: memory stays bounded
        for directive in to_print:
            data[directive.id] = directive_to_data(directive)
            yield BatchLetter(data[directive.id], draft=directive.state in (DRAFT, SUBMITTED), today=today,
                              label=_label(directive))

    printed = render_pdfs(batch(), total=len(to_print), workers=None if parallel else 1)
    if progress:
        progress(0, len(letters), force=True)
    output = BytesIO()
    try:
        with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
            for done, (prefix, directive) in enumerate(letters, start=1):
                if directive.register_entry is None:
                    pdf = next(printed)
                    docx = render(data.pop(directive.id), "docx", draft=directive.state in (DRAFT, SUBMITTED),
                                  today=today)
                else:
                    pdf, docx = letter_bytes(directive, "pdf"), letter_bytes(directive, "docx")
                archive.writestr(f"{prefix}{file_name(directive, 'pdf')}", pdf)
                archive.writestr(f"{prefix}{file_name(directive, 'docx')}", docx)
                if progress:
                    progress(done)
    finally:
        printed.close()  # a letter that failed: the pool drops what is still in flight
    if progress:
        progress(len(letters), len(letters), force=True)
    return output.getvalue()


def _short_name(organisation_id: int) -> str:
    agency = db.session.get(Agency, organisation_id)
    return (agency.abbreviation or "co-quan") if agency else "co-quan"


def letters_zip(user: User, organisation_id: int, year: int, progress=None) -> tuple[bytes, str]:
    """The frozen DOCX and PDF of every letter of an organisation's outgoing register for a year, each
    checked against its SHA-256."""
    _may_follow(user, organisation_id)
    rows = register_entries(organisation_id, year)
    content = _zip_letters([(f"{entry.sequence:04d}-", directive) for entry, directive in rows], progress)
    return content, f"so-van-ban-di-{_short_name(organisation_id)}-{year}.zip"


@kind("letters_zip")
def letters_zip_job(job, params, progress):
    return letters_zip(job.user, params["organisation_id"], int(params["year"]), progress)


def drafts_zip(user: User, organisation_id: int, progress=None, parallel: bool = True) -> tuple[bytes, str]:
    """The letters of an organisation not yet issued, as they stand today (with the DỰ THẢO mark until a
    leader approves them), PDF and DOCX: printed now, the PDFs on every core."""
    _may_follow(user, organisation_id)
    rows = unissued_directives(organisation_id)
    content = _zip_letters([(f"{index:04d}-", directive) for index, directive in enumerate(rows, start=1)],
                           progress, parallel)
    return content, f"van-ban-chua-cap-so-{_short_name(organisation_id)}-{local_today():%Y-%m-%d}.zip"


@kind("drafts_zip")
def drafts_zip_job(job, params, progress):
    return drafts_zip(job.user, params["organisation_id"], progress)
