"""The period report's appendix on a fixed data set: every assignment of the quarter once, in order, with
the right totals, read back from the DOCX and the PDF; and the PDF's pages and the position of every line
(tests/fixtures/report_quarter_pdf.json: the letter's pages as app/documents/letter_pdf.py draws them, the
appendix as appendix_pdf.py draws it; rewritten when the letter moved from WeasyPrint to ReportLab, every line
the same text within 0.2 pt of where WeasyPrint had put it).

The data is the tracking bench's generator (bench/tracking_bench.py, fixed seed) at a small size, with a
fixed `today`, so the report is the same on every run. Rewrite the fixture only for a change that is meant
to move the printed text: `.venv/bin/python -m tests.test_report_appendix --write`.
"""
import json
import random
import sys
from collections import Counter
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from lxml import etree
from sqlalchemy import select

from app.documents import render
from app.extensions import db
from app.models import Agency, Assignment, Directive, ProgressReport, Section, Task, User
from app.rules import timeliness as T
from app.rules.workflow import STATUS_LABELS

TODAY = date(2026, 11, 15)
QUARTER = {"deadline_from": "2026-10-01", "deadline_to": "2026-12-31"}
SIZE = {"directives": 8, "assignments": 90, "agencies": 36}
SIGNER = {"authority": "TL.", "authority_title": "CHỦ TỊCH", "title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn Văn B"}
GOLDEN = Path(__file__).parent / "fixtures" / "report_quarter_pdf.json"
ROLES = {"lead": "Chủ trì", "coordinating": "Phối hợp"}


def load_quarter(app) -> int:
    """The generated province (UBND tỉnh, its Văn phòng, sở, ngành, huyện) and its directives; the root's id."""
    from bench import tracking_bench as tb

    saved = tb.FIXED_DIRECTIVES
    tb.FIXED_DIRECTIVES = {}  # the bench's two big fixed directives would make the report long
    try:
        data = tb.generate(SIZE, TODAY, random.Random(tb.SEED))
    finally:
        tb.FIXED_DIRECTIVES = saved
    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
    tb.load(app, data, "test", postgres)
    return data["root"]


def build_report(root: int):
    """(letter data, appendix) as the job builds them, for the office user, on the fixed day."""
    from app.jobs import exports
    from app.tracking import queries, reports

    user = db.session.scalar(select(User).where(User.username == "bench_vanphong"))
    filters, scope_text = exports.report_filters(dict(QUARTER, directive=None))
    return reports.report(filters, scope_text, exports.letter_issuer(user), ["Thường trực Ủy ban nhân dân tỉnh"],
                          SIGNER, TODAY, 3, queries.owned_by(root))


_RENDERED: dict[str, bytes] = {}


def quarter_pdf(app) -> bytes:
    """The fixed quarter's report PDF, loaded and printed once per backend (the same bytes every time)."""
    with app.app_context():
        backend = db.engine.dialect.name
    if backend not in _RENDERED:
        root = load_quarter(app)
        with app.app_context():
            data, appendix = build_report(root)
            _RENDERED[backend] = render(data, "pdf", today=TODAY, appendix=appendix)
    return _RENDERED[backend]


def pdf_pages(content: bytes) -> list[list[list]]:
    """Every printed line of every page: [top, left, text], positions in points to one decimal."""
    from app.lint.pdf_lines import open_pdf, page_lines

    pdf = open_pdf(content)
    return [[[round(line.top, 1), round(line.x0, 1), line.text] for line in page_lines(page, number)]
            for number, page in enumerate(pdf.pages, start=1)]


def expected_groups():
    """From the database, without the report's code: the quarter's assignments by agency (agencies by name,
    then deadline and id), each row as the appendix prints it, and each agency's timeliness counts."""
    first, last = date.fromisoformat(QUARTER["deadline_from"]), date.fromisoformat(QUARTER["deadline_to"])
    rows = db.session.execute(
        select(Assignment, Task, Directive, Agency).join(Task, Assignment.task_id == Task.id)
        .join(Section, Task.section_id == Section.id).join(Directive, Section.directive_id == Directive.id)
        .join(Agency, Assignment.agency_id == Agency.id)
        .where(Assignment.deadline >= first, Assignment.deadline <= last)).all()
    notes = {}
    for report in db.session.scalars(select(ProgressReport).order_by(ProgressReport.id)):
        notes[report.assignment_id] = report.note  # the newest wins
    groups: dict[int, dict] = {}
    for assignment, task, directive, agency in sorted(rows, key=lambda r: (r[3].name, r[0].deadline, r[0].id)):
        kind = T.classify(assignment.status, assignment.deadline, assignment.completed_date, TODAY, 3)
        group = groups.setdefault(agency.id, {"name": agency.name, "rows": [], "kinds": Counter()})
        group["kinds"][kind] += 1
        group["rows"].append([str(len(group["rows"]) + 1), f"{task.text} ({directive.number}/{directive.symbol})",
                              ROLES[assignment.role], assignment.deadline.strftime("%d/%m/%Y"),
                              f"{STATUS_LABELS[assignment.status]}; {T.LABELS[kind].lower()}",
                              notes.get(assignment.id, "")])
    return list(groups.values()), len(rows)


def test_appendix_has_every_assignment_once_in_order_with_the_right_totals(app):
    root = load_quarter(app)
    with app.app_context():
        data, appendix = build_report(root)
        groups, count = expected_groups()
    assert count > 40 and len(groups) > 20  # the data set is what the test is about
    expected = []
    for number, group in enumerate(groups, start=1):
        kinds = group["kinds"]
        expected.append(("group", [f"{number}. {group['name']}"]))
        expected += [("row", cells) for cells in group["rows"]]
        expected.append(("subtotal", [
            f"Cộng: {len(group['rows'])} nhiệm vụ; hoàn thành đúng hạn {kinds[T.DONE_ON_TIME]}, hoàn thành quá hạn "
            f"{kinds[T.DONE_LATE]}, quá hạn {kinds[T.OVERDUE]}."]))
    assert appendix.rows == expected
    assert sum(1 for kind, _cells in appendix.rows if kind == "row") == count  # every assignment, once
    # the summary by agency: one row each, its figures the detail's
    summary = [cells for kind, cells in appendix.summary.rows if kind == "row"]
    assert [cells[0] for cells in summary] == [str(n) for n in range(1, len(groups) + 1)]
    for cells, group in zip(summary, groups):
        kinds = group["kinds"]
        assert cells[2:7] == [str(len(group["rows"])), str(kinds[T.DONE_ON_TIME]), str(kinds[T.DONE_LATE]),
                              str(kinds[T.ON_TIME] + kinds[T.DUE_SOON]), str(kinds[T.OVERDUE])]
    totals = sum((group["kinds"] for group in groups), Counter())
    assert appendix.summary.rows[-1][1][0].startswith(f"Tổng cộng: {count} nhiệm vụ của {len(groups)} cơ quan, đơn vị;")
    body = " ".join(task["text"] for section in data["sections"] for task in section["tasks"])
    assert f"Tổng số nhiệm vụ đã giao cho các cơ quan, đơn vị: {count};" in body
    assert f"quá hạn chưa hoàn thành: {totals[T.OVERDUE]};" in body

    # read back from the Word file: the last table is the detail, a row per line of the appendix, in order
    document = Document(BytesIO(render(data, "docx", today=TODAY, appendix=appendix)))
    table = document.tables[-1]
    printed = []
    for row in table.rows[1:]:
        texts = [cell.text for cell in row.cells]
        printed.append(texts[:1] if row._tr.tc_lst[0].grid_span > 1 else texts)  # a group or subtotal: one cell
    assert [cell.text for cell in table.rows[0].cells] == [name for name, _share in appendix.columns]
    assert printed == [cells for _kind, cells in expected]

    # and from the PDF: the agencies and their subtotals in order (one line each); every other line is
    # compared with the fixture by the next test
    from tests import nd30_checks

    text = nd30_checks.squash(nd30_checks.pdf_text_streams(render(data, "pdf", today=TODAY, appendix=appendix))[0])
    position = 0
    for kind, cells in expected:
        if kind != "row":
            found = text.find(nd30_checks.squash(cells[0]), position)
            assert found >= 0, cells[0]
            position = found


def test_report_pdf_has_the_pages_and_lines_it_had(app):
    """Page count and every line (text and place) of the report, as the fixture holds them."""
    pages = pdf_pages(quarter_pdf(app))
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert len(pages) == golden["pages"]
    for number, (page, before) in enumerate(zip(pages, golden["lines"]), start=1):
        assert page == before, f"page {number}"


def test_the_landscape_appendix_fills_the_turned_page_and_no_date_crosses_its_column(app):
    """The appendix pages turn for a wide table: the table spans the landscape text width (as in the
    DOCX), not the portrait 165 mm, and each date stays inside its column (at the portrait width
    "dd/mm/yyyy" ran into "Tình trạng")."""
    import re

    import pdfplumber

    from app.documents import layout as L

    content = quarter_pdf(app)
    width = (L.PAGE_HEIGHT - L.MARGIN_LEFT - L.MARGIN_RIGHT) * 72 / 25.4
    checked = 0
    with pdfplumber.open(BytesIO(content)) as pdf:
        for page in pdf.pages:
            if page.width <= page.height:
                continue
            rules = [edge for edge in page.edges if edge["orientation"] == "v"]
            edges = sorted({round(edge["x0"], 1) for edge in rules})
            assert edges[-1] - edges[0] == pytest.approx(width, abs=2), page.page_number
            table_top = min(edge["top"] for edge in rules)
            for word in page.extract_words():
                if word["top"] > table_top and re.fullmatch(r"\d{2}/\d{2}/\d{4}", word["text"]):
                    inside = [x for x in edges if word["x0"] - 0.5 < x < word["x1"] + 0.5]
                    assert not inside, (page.page_number, word["text"], word["x0"], word["x1"], inside)
                    checked += 1
    assert checked > 20


def test_docx_appendix_rows_are_the_xml_python_docx_writes():
    """The rows written as one XML string are the XML python-docx's own calls (add a row, merge the cells
    of a group or subtotal, fill each cell) give."""
    from app.documents import docx_renderer as R
    from app.documents import layout as L

    columns = [("STT", 0.05), ("Nhiệm vụ", 0.40), ("Vai trò", 0.08), ("Hạn", 0.10), ("Tình trạng", 0.14),
               ("Báo cáo gần nhất", 0.23)]
    rows = [("group", ["1. Sở Y tế & <Kiểm soát> \"bệnh tật\""]),
            ("row", ["1", "Nhiệm vụ A & B < C > D (05/UBND-KGVX)", "Chủ trì", "01/12/2026", "Đang thực hiện; quá hạn",
                     ""]),
            ("row", ["2", "Nhiệm vụ\u0007 có ký tự lạ", "Phối hợp", "Không thời hạn", "Hoàn thành; đúng hạn",
                     "Đã xong  (hai dấu cách)"]),
            ("subtotal", ["Cộng: 2 nhiệm vụ; hoàn thành đúng hạn 1, hoàn thành quá hạn 0, quá hạn 1."])]
    width = L.PAGE_HEIGHT - L.MARGIN_LEFT - L.MARGIN_RIGHT

    fast = Document()
    R._appendix_table(fast, columns, rows, width)

    slow = Document()  # the way it was written before: python-docx, row by row
    table = R._table(slow, [width * share for _name, share in columns], rows=1 + len(rows))
    R._borders(table)
    R._cell_padding(table, L.APPENDIX_CELL_PADDING)
    size = L.SIZE["appendix_table"]
    R._child(table.rows[0]._tr.get_or_add_trPr(), "w:tblHeader", R.TRPR_ORDER)
    for cell, (name, _share) in zip(table.rows[0].cells, columns):
        R._text(R._first(cell), name, size, bold=True)
    for row, (kind, cells) in zip(table.rows[1:], rows):
        if kind in ("group", "subtotal"):
            merged = row.cells[0].merge(row.cells[-1])
            for paragraph in list(merged.paragraphs):
                paragraph._p.getparent().remove(paragraph._p)
            R._text(merged, cells[0], size, bold=kind == "group", italic=kind == "subtotal",
                    align=R.LEFT if kind == "group" else R.RIGHT)
            continue
        for index, (cell, value) in enumerate(zip(row.cells, cells)):
            R._text(R._first(cell), value, size, align=R.CENTER if index == 0 else R.LEFT)

    assert etree.tostring(fast.tables[-1]._tbl) == etree.tostring(slow.tables[-1]._tbl)
    assert fast.tables[-1].rows[1].cells[0].text == rows[0][1][0]


def _write_golden():
    """Print the fixed report with the code as it is and store its lines (for a change meant to move them)."""
    import tempfile

    from app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SECRET_KEY": "golden", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/golden.db",
                          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
        pages = pdf_pages(quarter_pdf(app))
    lines = ",\n".join("[" + ",\n".join(json.dumps(line, ensure_ascii=False) for line in page) + "]" for page in pages)
    GOLDEN.write_text(f'{{"pages": {len(pages)},\n"lines": [\n{lines}]}}\n', encoding="utf-8")
    print(f"{GOLDEN}: {len(pages)} pages")


if __name__ == "__main__" and "--write" in sys.argv:
    _write_golden()
elif __name__ == "__main__":
    pytest.main([__file__])
