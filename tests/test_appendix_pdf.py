"""The appendix drawn by app/documents/appendix_pdf.py, read back from the PDF: nothing lost when a row is
taller than a page or a word wider than its column, the header row on every page, an agency's name never
alone at the foot of a page, the numbering, the fonts and the letter's metadata after the join."""
import unicodedata
from datetime import date
from io import BytesIO

import pdfplumber
import pytest

from app.directive_format import read_directive_file
from app.documents import layout as L
from app.documents import render
from app.documents.letter import Appendix
from app.lint.pdf_lines import page_lines, unembedded_fonts
from conftest import DIRECTIVES_DIR

TODAY = date(2026, 1, 5)
SEED = DIRECTIVES_DIR / "001-kon-tum-tiep-tuc-chi-dao-covid.yaml"
COLUMNS = [("STT", 0.05), ("Nhiệm vụ", 0.40), ("Vai trò", 0.08), ("Hạn", 0.10), ("Tình trạng", 0.14),
           ("Báo cáo gần nhất", 0.23)]
PT = 72 / 25.4


def letter_data() -> dict:
    return dict(read_directive_file(SEED), number="05", date=TODAY)


def appendix(rows, summary=None) -> Appendix:
    return Appendix("Tình hình thực hiện nhiệm vụ theo cơ quan, đơn vị", "(Kèm theo Báo cáo số 05/BC-UBND)",
                    COLUMNS, rows, landscape=True, summary=summary, detail_title="II. CHI TIẾT")


def task(number: int, text: str = "Rà soát, tổng hợp số liệu giải ngân vốn đầu tư công", note: str = ""):
    return ("row", [str(number), text, "Chủ trì", "15/12/2026", "Đang thực hiện; trong hạn", note])


def printed(rows) -> tuple[bytes, list]:
    content = render(letter_data(), "pdf", today=TODAY, appendix=appendix(rows))
    pdf = pdfplumber.open(BytesIO(content))
    return content, pdf


def appendix_pages(pdf):
    return [page for page in pdf.pages if page.width > page.height]


def words(page) -> list[str]:
    return [word["text"] for word in page.extract_words()]


def test_a_row_taller_than_a_page_goes_on_over_the_next_pages_and_loses_no_word():
    long_text = " ".join(f"việc{n:03d}" for n in range(900))  # far more than one landscape page holds
    content, pdf = printed([("group", ["1. Sở Y tế"]), task(1, long_text, "ghi chú cuối"), task(2)])
    pages = appendix_pages(pdf)
    assert len(pages) >= 3
    found = [w for page in pages for w in words(page) if w.startswith("việc")]
    assert found == [f"việc{n:03d}" for n in range(900)]  # every word once, in order
    for page in pages:  # the header row heads every page, and nothing is printed under the bottom margin
        assert "STT" in words(page) and "Nhiệm" in words(page)
        assert max(char["bottom"] for char in page.chars) <= page.height - L.MARGIN_BOTTOM * PT + 0.5
    # a row no page could hold starts where it is (under the headings), not on a page of its own
    assert "cuối" in words(pages[0]) and "việc000" in words(pages[0])


def test_a_word_wider_than_its_column_is_cut_between_letters_and_stays_inside_it():
    url = "https://dichvucong.kontum.gov.vn/" + "thủtụchànhchính" * 8
    _content, pdf = printed([task(1, "Xem hướng dẫn", url)])
    page = appendix_pages(pdf)[0]
    rules = sorted({round(edge["x0"], 2) for edge in page.edges if edge["orientation"] == "v"})
    last_column = (rules[-2], rules[-1])
    pieces = [line for line in page_lines(page, 1)
              if line.x0 > last_column[0] and line.text != "Báo cáo gần nhất" and line.top > L.MARGIN_TOP * PT]
    assert "".join(line.text for line in pieces) == unicodedata.normalize("NFC", url)
    assert len(pieces) > 3 and all(line.x1 < last_column[1] for line in pieces)


def test_an_agency_name_is_never_left_alone_at_the_foot_of_a_page_nor_its_total_at_the_head():
    rows = []
    for agency in range(1, 40):
        rows.append(("group", [f"{agency}. Cơ quan thứ {agency}"]))
        rows += [task(n, "Tổng hợp, báo cáo kết quả " * (agency % 7 * 2 + 1)) for n in range(1, 3)]
        rows.append(("subtotal", ["Cộng: 2 nhiệm vụ."]))
    _content, pdf = printed(rows)
    pages = appendix_pages(pdf)
    assert len(pages) > 5
    for page in pages:
        lines = [line for line in page_lines(page, 1) if line.top > L.MARGIN_TOP * PT]
        assert not lines[-1].text.split(". ", 1)[-1].startswith("Cơ quan thứ"), lines[-1].text
        # nor its "Cộng" line alone at the head of a page, under the repeated header row
        body = [line.text for line in lines if line.text not in {name for name, _share in COLUMNS}]
        assert not body[0].startswith("Cộng:"), page.page_number
    groups = [line.text for page in pages for line in page_lines(page, 1) if "Cơ quan thứ" in line.text]
    assert groups == [f"{n}. Cơ quan thứ {n}" for n in range(1, 40)]


def test_numbering_fonts_metadata_and_text_survive_the_join():
    rows = [("group", ["1. Ủy ban nhân dân xã Đắk Hà"])] + [
        task(n, "Kiểm tra\u0007 việc thực hiện chế độ báo cáo định kỳ hằng tháng " * 3) for n in range(1, 60)]
    content, pdf = printed(rows)
    letter_pages = [page for page in pdf.pages if page.width < page.height]
    pages = appendix_pages(pdf)
    assert letter_pages and len(pages) >= 3 and pdf.pages[len(letter_pages)].width > pdf.pages[0].width

    def number(page):
        top = [line for line in page_lines(page, 1) if line.bottom < L.MARGIN_TOP * PT]
        return [(line.text, round((line.x0 + line.x1) / 2)) for line in top]

    centre = round((L.MARGIN_LEFT + (L.PAGE_HEIGHT - L.MARGIN_RIGHT)) / 2 * PT)
    assert number(pages[0]) == []  # the appendix's first page shows no number
    for index, page in enumerate(pages[1:], start=2):  # then 2, 3, … counted from the appendix
        [(text, x)] = number(page)
        assert text == str(index) and abs(x - centre) <= 2
    assert unembedded_fonts(pdf) == []
    fonts = {char["fontname"].split("+", 1)[-1] for page in pages for char in page.chars}
    assert fonts == {"LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic"}  # the reference line
    text = " ".join(page.extract_text() for page in pages)
    assert "Ủy ban nhân dân xã Đắk Hà" in text and "\u0007" not in text and "Kiểm tra việc" in text
    from pypdf import PdfReader

    reader = PdfReader(BytesIO(content))
    assert reader.metadata.title == read_directive_file(SEED)["subject"] or reader.metadata.title
    assert reader.metadata.author and reader.pdf_header == "%PDF-1.7"
    assert render(letter_data(), "pdf", today=TODAY, appendix=appendix(rows)) == content  # same bytes again


@pytest.mark.parametrize("landscape", [False, True])
def test_the_table_spans_the_text_width_of_its_page(landscape):
    content = render(letter_data(), "pdf", today=TODAY,
                     appendix=Appendix("Danh sách", "(Kèm theo)", COLUMNS, [task(1)], landscape=landscape))
    with pdfplumber.open(BytesIO(content)) as pdf:
        page = pdf.pages[-1]
        assert (page.width > page.height) == landscape
        rules = sorted({edge["x0"] for edge in page.edges if edge["orientation"] == "v"})
        text_width = (page.width / PT - L.MARGIN_LEFT - L.MARGIN_RIGHT) * PT
        assert rules[0] == pytest.approx(L.MARGIN_LEFT * PT, abs=0.5)
        assert rules[-1] - rules[0] == pytest.approx(text_width, abs=1)
        assert len(rules) == len(COLUMNS) + 1
