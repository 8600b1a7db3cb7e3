"""An assignment list as an Excel workbook: real dates, a frozen header row, set widths, wrapped text."""
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from app.models.directives import ASSIGNEE_ROLES
from app.rules import timeliness as T
from app.rules.workflow import STATUS_LABELS

COLUMNS = (  # header, width in characters, wrap
    ("Số, ký hiệu", 16, False), ("Ngày ban hành", 12, False), ("Trích yếu", 45, True), ("Mục", 6, False),
    ("Nhiệm vụ", 70, True), ("Đơn vị", 30, True), ("Vai trò", 10, False), ("Hạn ban đầu", 12, False),
    ("Hạn hiện tại", 12, False), ("Trạng thái", 16, False), ("Tình hình thời hạn", 20, False),
    ("Tiến độ (%)", 10, False), ("Báo cáo gần nhất", 50, True), ("Ngày hoàn thành", 14, False),
)
DATE_FORMAT = "DD/MM/YYYY"


def workbook_bytes(rows, title: str = "Nhiệm vụ") -> bytes:
    """rows: tuples (Assignment, Task, Section, Directive, Agency, timeliness, note) as from assignment_rows."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    for index, (_header, width, _wrap) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    header = []
    for name, _width, _wrap in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        header.append(cell)
    sheet.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    wrapped = [index for index, (_name, _width, wraps) in enumerate(COLUMNS) if wraps]
    for assignment, task, section, directive, agency, timeliness, note in rows:
        values = [
            directive.number_symbol, directive.issued_date, directive.subject, section.number or "", task.text,
            agency.name, ASSIGNEE_ROLES.get(assignment.role, assignment.role), assignment.original_deadline,
            assignment.deadline, STATUS_LABELS.get(assignment.status, assignment.status),
            T.LABELS.get(timeliness, timeliness), assignment.progress_percent, note or "", assignment.completed_date,
        ]
        # Styled cells only where needed (long text wraps, dates show as dd/mm/yyyy): styling every
        # cell triples the time of a large export.
        for index in wrapped:
            cell = WriteOnlyCell(sheet, value=values[index])
            cell.alignment = wrap
            values[index] = cell
        for index, value in enumerate(values):
            if hasattr(value, "year"):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = DATE_FORMAT
                values[index] = cell
        sheet.append(values)
    output = BytesIO()
    book.save(output)
    return output.getvalue()

