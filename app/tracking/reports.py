"""Documents about the follow-up: the ND30 report on how a directive (or a period) is being carried
out, and the reminder letter (công văn đôn đốc) saved as a draft so it is approved and numbered like
any other letter."""
from datetime import date

from sqlalchemy import func, select

from app.directives.service import save_directive
from app.documents.letter import Appendix, AppendixTable
from app.extensions import db
from app.models import Agency, Directive, Reminder
from app.models.audit import record
from app.models.directives import ASSIGNEE_ROLES, number_symbol
from app.rules import timeliness as T
from app.rules.workflow import STATUS_LABELS
from app import numbers
from app.tracking import queries
from app.web import agency_label

# The appendix is printed in landscape: the task and its latest report get the room they need.
APPENDIX_COLUMNS = [("STT", 0.05), ("Nhiệm vụ", 0.40), ("Vai trò", 0.08), ("Hạn", 0.10), ("Tình trạng", 0.14),
                    ("Báo cáo gần nhất", 0.23)]
SUMMARY_COLUMNS = [("STT", 0.05), ("Cơ quan, đơn vị", 0.35), ("Tổng số", 0.08), ("Hoàn thành đúng hạn", 0.11),
                   ("Hoàn thành quá hạn", 0.11), ("Đang thực hiện trong hạn", 0.11), ("Quá hạn", 0.08),
                   ("Tỷ lệ đúng hạn", 0.11)]


def _figures(rows) -> dict[str, int]:
    figures = {group: 0 for group in queries.DASHBOARD_GROUPS}
    for *_objects, timeliness, _note in rows:
        group = queries.dashboard_group(timeliness)
        if group:
            figures[group] += 1
    return figures


def _percent(part: int, whole: int) -> str:
    return numbers.ratio(part, whole)


def report(filters: queries.Filters, scope_text: str, issuer: Agency, recipients: list[str], signer: dict,
           today: date, due_soon_days: int, within) -> tuple[dict, Appendix]:
    """The báo cáo in the directive format, and its appendix table by agency (agencies counted by id:
    two "Sở Y tế" of two provinces are two rows)."""
    rows = db.session.execute(queries.report_columns(filters, today, due_soon_days, within)).all()
    figures = _figures(rows)
    total = sum(figures.values())
    overdue_by_agency: dict[int, tuple[Agency, int]] = {}
    for row in rows:
        if row.timeliness == T.OVERDUE:
            known = overdue_by_agency.get(row.Agency.id, (row.Agency, 0))
            overdue_by_agency[row.Agency.id] = (row.Agency, known[1] + 1)
    summary = (
        f"Tổng số nhiệm vụ đã giao cho các cơ quan, đơn vị: {total}; trong đó hoàn thành đúng hạn: "
        f"{figures[T.DONE_ON_TIME]} ({_percent(figures[T.DONE_ON_TIME], total)}); hoàn thành quá hạn: "
        f"{figures[T.DONE_LATE]}; đang thực hiện trong hạn: {figures[T.IN_PROGRESS_ON_TIME]}; "
        f"quá hạn chưa hoàn thành: {figures[T.OVERDUE]}; không có thời hạn: {figures[T.NO_DEADLINE]}."
    )
    late = [f"{agency_label(agency)}: {count} nhiệm vụ quá hạn" for agency, count in
            sorted(overdue_by_agency.values(), key=lambda item: (-item[1], item[0].name))]
    sections = [
        {"number": "1", "heading": "Kết quả chung", "assignees": [], "tasks": [{"text": summary, "deadline": None}]},
        {"number": "2", "heading": "Cơ quan, đơn vị có nhiệm vụ quá hạn:" if late else None, "assignees": [],
         "tasks": [{"text": line, "deadline": None} for line in late]
         or [{"text": "Không có cơ quan, đơn vị nào có nhiệm vụ quá hạn.", "deadline": None}]},
        {"number": "3", "heading": None, "assignees": [], "tasks": [{"text": (
            "Tình hình thực hiện của từng cơ quan, đơn vị (nhiệm vụ, vai trò, thời hạn, tình trạng và báo cáo "
            "gần nhất) tại Phụ lục kèm theo."), "deadline": None}]},
    ]
    data = {
        "doc_type": "bao_cao", "issuer": issuer.header_lines, "number": None, "date": None,
        "symbol": f"BC-{issuer.abbreviation or 'UBND'}", "place": issuer.place,
        "subject": f"tình hình thực hiện {scope_text}", "urgency": None, "recipients": recipients,
        "preamble": f"{issuer.short_name} báo cáo tình hình thực hiện {scope_text}, "
                    f"số liệu tính đến ngày {today:%d/%m/%Y}, như sau:",
        "sections": sections,
        "closing": f"Trên đây là báo cáo tình hình thực hiện {scope_text}./.",
        "cc": ["Như trên", "Lưu: VT"], "signer": signer,
    }
    appendix = Appendix("Tình hình thực hiện nhiệm vụ theo cơ quan, đơn vị",
                        f"(Kèm theo Báo cáo tình hình thực hiện {scope_text})", APPENDIX_COLUMNS, [],
                        landscape=True, detail_title="II. CHI TIẾT THEO CƠ QUAN, ĐƠN VỊ")
    by_agency: dict[int, list] = {}
    for row in sorted(rows, key=lambda row: (row.Agency.name, row.deadline or date.max)):
        by_agency.setdefault(row.Agency.id, []).append(row)
    summary = []
    for number, items in enumerate(by_agency.values(), start=1):
        agency = items[0].Agency
        kinds = _figures(items)
        counted = sum(kinds.values())
        known = kinds[T.DONE_ON_TIME] + kinds[T.DONE_LATE] + kinds[T.OVERDUE]
        summary.append(("row", [str(number), agency_label(agency), numbers.number(counted),
                                numbers.number(kinds[T.DONE_ON_TIME]), numbers.number(kinds[T.DONE_LATE]),
                                numbers.number(kinds[T.IN_PROGRESS_ON_TIME]), numbers.number(kinds[T.OVERDUE]),
                                numbers.ratio(kinds[T.DONE_ON_TIME], known) if known else "—"]))
        appendix.rows.append(("group", [f"{number}. {agency.name}"]))
        for index, row in enumerate(items, start=1):
            appendix.rows.append(("row", [
                str(index), f"{row.task_text} ({number_symbol(row.number, row.symbol)})",
                ASSIGNEE_ROLES.get(row.role, row.role),
                row.deadline.strftime("%d/%m/%Y") if row.deadline else "Không thời hạn",
                f"{STATUS_LABELS.get(row.status)}; {T.LABELS.get(row.timeliness, '').lower()}",
                row.note or "",
            ]))
        appendix.rows.append(("subtotal", [
            f"Cộng: {numbers.number(counted)} nhiệm vụ; hoàn thành đúng hạn {numbers.number(kinds[T.DONE_ON_TIME])}, "
            f"hoàn thành quá hạn {numbers.number(kinds[T.DONE_LATE])}, quá hạn {numbers.number(kinds[T.OVERDUE])}."]))
    total = sum(figures.values())
    summary.append(("subtotal", [
        f"Tổng cộng: {numbers.number(total)} nhiệm vụ của {numbers.number(len(by_agency))} cơ quan, đơn vị; hoàn thành "
        f"đúng hạn {numbers.number(figures[T.DONE_ON_TIME])} ({numbers.ratio(figures[T.DONE_ON_TIME], total)})."]))
    appendix.summary = AppendixTable("I. TỔNG HỢP THEO CƠ QUAN, ĐƠN VỊ", SUMMARY_COLUMNS, summary)
    return data, appendix


def reminder_items(agency_id: int | None, organisation_id: int, today: date, due_soon_days: int):
    """Open assignments of the organisation's directives that are overdue or due soon, for one agency or all."""
    rows = []
    for kind in (T.OVERDUE, T.DUE_SOON):
        filters = queries.Filters(agency=agency_id, timeliness=kind)
        rows += db.session.execute(queries.assignment_rows(filters, today, due_soon_days,
                                                           queries.owned_by(organisation_id))).all()
    return rows


def draft_reminder(agency_id: int | None, report_by: date, issuer: Agency, signer: dict, user, today: date,
                   due_soon_days: int, organisation_id: int) -> tuple[Directive | None, int]:
    """A công văn đôn đốc listing each agency's overdue and soon-due items; None when there are none.

    It refers to assignments that exist: it creates no tracked task; "đôn đốc lần n" is written into
    their history when the letter is issued."""
    rows = reminder_items(agency_id, organisation_id, today, due_soon_days)
    if not rows:
        return None, 0
    previous = dict(db.session.execute(  # reminders that went out; a draft never sent does not count
        select(Reminder.assignment_id, func.count(Reminder.id)).join(Directive, Reminder.letter_id == Directive.id)
        .where(Reminder.assignment_id.in_([row[0].id for row in rows]), Directive.state == "issued")
        .group_by(Reminder.assignment_id)
    ).all())
    by_agency: dict[int, list] = {}
    for row in rows:
        by_agency.setdefault(row[4].id, []).append(row)
    sections, recipients = [], []
    for index, (_agency_id, items) in enumerate(sorted(by_agency.items(), key=lambda item: item[1][0][4].name),
                                                start=1):
        agency = items[0][4]
        recipients.append(agency.name)
        tasks = []
        for assignment, task, _section, directive, _agency, timeliness, _note in items:
            issued = f" ngày {directive.issued_date:%d/%m/%Y}" if directive.issued_date else ""
            state = "đã quá hạn" if timeliness == T.OVERDUE else "sắp đến hạn"
            tasks.append({"text": (
                f"Nhiệm vụ “{task.text.rstrip('.;')}” tại {directive.doc_type_label} số {directive.number_symbol}"
                f"{issued} (hạn {assignment.deadline:%d/%m/%Y}, {state}; đôn đốc lần "
                f"{previous.get(assignment.id, 0) + 1})."), "deadline": None})
        sections.append({"number": str(index), "heading": f"{agency.name}:",
                         "assignees": [{"target": agency, "role": "lead", "deadline": report_by}], "tasks": tasks})
    data = {
        "doc_type": "cong_van", "issuer": issuer.header_lines, "symbol": f"{issuer.abbreviation or 'UBND'}-TH",
        "place": issuer.place, "subject": "đôn đốc thực hiện nhiệm vụ được giao", "urgency": None,
        "recipients": recipients,
        "preamble": (f"Theo dõi tình hình thực hiện các nhiệm vụ được giao, đến ngày {today:%d/%m/%Y} còn các "
                     f"nhiệm vụ dưới đây đã quá hạn hoặc sắp đến hạn nhưng chưa hoàn thành. {issuer.short_name} "
                     "đề nghị:"),
        "sections": sections,
        "closing": (f"Đề nghị các cơ quan, đơn vị khẩn trương thực hiện và báo cáo kết quả về {issuer.short_name} "
                    f"trước ngày {report_by:%d/%m/%Y}./."),
        "cc": ["Như trên", "Lưu: VT"], "signer": signer,
    }
    letter, _warnings = save_directive(None, data, user, issuer, purpose="don_doc")
    for assignment, *_rest in rows:
        db.session.add(Reminder(assignment_id=assignment.id, letter_id=letter.id,
                                sequence=previous.get(assignment.id, 0) + 1))
    record(user, "reminder.draft", letter, f"Dự thảo công văn đôn đốc {len(rows)} nhiệm vụ")
    return letter, len(rows)
