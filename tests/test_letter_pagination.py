"""A signature never stands alone on a page: the letter's last paragraph goes with it (PDF measured
page by page; DOCX carries keep-with-next and an unsplittable signature row)."""
from datetime import date
from io import BytesIO

import pdfplumber
import pytest
from docx import Document
from docx.oxml.ns import qn

from app.directive_format import read_directive_file
from app.documents import render
from tests.helpers import DIRECTIVES_DIR

SEED = read_directive_file(DIRECTIVES_DIR / "001-kon-tum-tiep-tuc-chi-dao-covid.yaml")
CLOSING = "Yêu cầu các cơ quan, đơn vị nghiêm túc triển khai thực hiện, báo cáo kết quả về Ủy ban nhân dân tỉnh."


def letter_with(tasks: int) -> dict:
    text = "Rà soát, cập nhật kế hoạch phòng, chống dịch của cơ quan, đơn vị, bảo đảm phù hợp với tình hình thực tế."
    return dict(SEED, sections=[{"number": None, "heading": None, "assignees": [],
                                 "tasks": [{"text": text, "deadline": None} for _ in range(tasks)]}],
                closing=CLOSING)


def pages_of(pdf: bytes) -> tuple[int, int]:
    """(page of the closing paragraph's end, page of "Nơi nhận:")."""
    with pdfplumber.open(BytesIO(pdf)) as document:
        closing = label = None
        for number, page in enumerate(document.pages, start=1):
            text = page.extract_text() or ""
            if "Ủy ban nhân dân tỉnh./." in text.replace("\n", " "):
                closing = number
            if "Nơi nhận:" in text:
                label = number
        return closing, label


@pytest.mark.parametrize("tasks", [6, 7, 8, 9, 15, 23, 24, 25, 26])  # where it used to break
def test_the_last_paragraph_and_the_signature_share_a_page(tasks):
    closing, label = pages_of(render(letter_with(tasks), "pdf", today=date(2026, 6, 15)))
    assert closing is not None and label is not None
    assert closing == label, f"{tasks} tasks: closing on page {closing}, signature on page {label}"


def test_the_docx_keeps_the_last_paragraph_with_an_unsplittable_signature():
    document = Document(BytesIO(render(letter_with(15), "docx", today=date(2026, 6, 15))))
    body = document.element.body
    signature = document.tables[-1]
    before = signature._tbl.getprevious()
    assert before.tag == qn("w:p") and "./." in "".join(t.text for t in before.iter(qn("w:t")))
    assert before.find(qn("w:pPr")).find(qn("w:keepNext")) is not None
    assert signature.rows[0]._tr.trPr.find(qn("w:cantSplit")) is not None
    assert body is not None
