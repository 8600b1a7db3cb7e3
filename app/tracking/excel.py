"""An assignment list as an Excel workbook ready to print: a title saying what was listed and when, a
numbered (STT) header row that stays on screen and repeats on every printed page, an autofilter, real
dates as dd/mm/yyyy, set widths and wrapped text, landscape fitted to the page width.

Every cell written from text a user typed is stored as text, never as a formula: a progress note
that starts with "=" must not become a live formula in the office's copy.

Written by rustpy-xlsxwriter (rust_xlsxwriter, constant memory: rows streamed to the file as they come,
strings inline). At 100,000 rows (bench/excel_bench.py, same rows, same run, quiet machine) it takes 1.7 s
where XlsxWriter 3.3.1 in constant-memory mode took 10.1 s (its undecorated _write_string 9.7 s, shared strings
7.5 s; openpyxl write-only about 2.2 times XlsxWriter's CPU time): the whole unfiltered export of 100,000
assignments (bench/tracking_bench.py, SQLite) went from 10.5 s to 2.9 s. The title and the description are
merged across the table's width (the writer writes a text cell above the header only as a merged range)."""
from itertools import chain
from io import BytesIO

from rustpy_xlsxwriter import Format, write_worksheet

from app.models.directives import ASSIGNEE_ROLES, number_symbol
from app.text import xml_safe
from app.rules import timeliness as T
from app.rules.workflow import STATUS_LABELS

COLUMNS = (  # header, width in characters, wrap
    ("STT", 6, False), ("Số, ký hiệu", 16, False), ("Ngày ban hành", 12, False), ("Trích yếu", 45, True),
    ("Mục", 6, False), ("Nhiệm vụ", 70, True), ("Đơn vị", 30, True), ("Vai trò", 10, False),
    ("Hạn ban đầu", 12, False), ("Hạn hiện tại", 12, False), ("Trạng thái", 16, False),
    ("Tình hình thời hạn", 20, False), ("Tiến độ (%)", 10, False), ("Báo cáo gần nhất", 50, True),
    ("Ngày hoàn thành", 14, False),
)
NAMES = tuple(name for name, _width, _wrap in COLUMNS)
DATE_COLUMNS = ("Ngày ban hành", "Hạn ban đầu", "Hạn hiện tại", "Ngày hoàn thành")
TEXT_COLUMNS = (1, 3, 4, 5, 6, 7, 10, 11, 13)  # positions of _values() that hold text
DATE_FORMAT = "DD/MM/YYYY"
HEADER_ROW = 4  # title, what was listed, a blank line, then the header
MAX_TEXT = 32_767  # Excel's limit for one cell, in UTF-16 units: the writer refuses longer text


def _values(count, row) -> tuple:
    """One line of the sheet from a row of queries.export_rows()."""
    return (
        count, number_symbol(row.number, row.symbol), row.issued_date, row.subject, row.section_number or "", row.task_text,
        row.agency_name, ASSIGNEE_ROLES.get(row.role, row.role), row.original_deadline,
        row.deadline, STATUS_LABELS.get(row.status, row.status),
        T.LABELS.get(row.timeliness, row.timeliness), row.progress_percent, row.note or "", row.completed_date,
    )


def fit(text: str) -> str:
    """The text XML and Excel can hold: characters XML cannot hold dropped, cut at Excel's cell limit."""
    text = xml_safe(text)
    if len(text) > MAX_TEXT // 2:  # under half the limit it cannot be over it, whatever the characters
        units = text.encode("utf-16-le")
        if len(units) > 2 * MAX_TEXT:
            text = units[:2 * MAX_TEXT].decode("utf-16-le", "ignore")  # a cut surrogate pair is dropped
    return text


def _records(rows):
    """{header: value} for each row; text cleaned once per distinct value (the same subject, agency and
    labels come back on thousands of rows)."""
    safe: dict = {}
    count = 0
    for row in rows:
        count += 1
        values = list(_values(count, row))
        for column in TEXT_COLUMNS:
            value = values[column]
            if value:
                text = safe.get(value)
                if text is None:
                    text = fit(value)
                    if len(safe) < 50_000:
                        safe[value] = text
                values[column] = text
        yield dict(zip(NAMES, values))


def _write(records, title: str, description: str) -> bytes:
    output = BytesIO()
    wrap, dates = Format().set_text_wrap().set_align("top"), Format().set_num_format(DATE_FORMAT)
    formats = {name: wrap for name, _width, wraps in COLUMNS if wraps} | dict.fromkeys(DATE_COLUMNS, dates)
    last = len(COLUMNS) - 1
    write_worksheet(
        records, output, sheet_name="Nhiệm vụ", header_row=HEADER_ROW - 1, freeze_row=HEADER_ROW,
        header_format=Format().set_bold().set_background_color("#DDEBF7").set_text_wrap().set_align("vcenter"),
        # the title and the description over the width of the table (a merge needs two cells or more)
        merge_ranges=[(0, 0, 0, last, fit(title.upper()), Format().set_bold().set_font_size(14)),
                      (1, 0, 1, last, fit(description))],
        column_widths=[width for _name, width, _wrap in COLUMNS], column_formats=formats,
        datetime_format=DATE_FORMAT, autofilter=True,
        page_setup={"landscape": True, "paper_size": 9, "fit_to_pages": (1, 0), "repeat_rows": HEADER_ROW - 1})
    return output.getvalue()


def workbook_bytes(rows, title: str = "Danh sách nhiệm vụ", description: str = "") -> bytes:
    """rows: as from queries.export_rows() (plain columns, read by name). Strings are written as text
    (rust_xlsxwriter has no string-to-formula guessing), dates as day numbers formatted DD/MM/YYYY."""
    records = _records(rows)
    first = next(records, None)
    # no row at all: one blank record, so that the header is still written (a blank row writes no cell)
    return _write(chain((first,), records) if first is not None else [dict.fromkeys(NAMES)], title, description)
