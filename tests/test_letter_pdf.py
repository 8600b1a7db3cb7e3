"""The letter's PDF as letter_pdf.py and pdf_canvas.py draw it, beyond the ND30 lint (tests/test_letters.py):
where lines may break, the no-break blanks, the embedded faces, the same bytes for the same letter."""
import io
from datetime import date

import pdfplumber
import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from app.directive_format import read_directive_file
from app.documents import pdf_canvas, render
from app.documents.fonts import font_files
from app.documents.pdf_canvas import BOLD, REGULAR, Wrapper, faces
from tests.helpers import DIRECTIVES_DIR

SEED = read_directive_file(DIRECTIVES_DIR / "001-kon-tum-tiep-tuc-chi-dao-covid.yaml")
TODAY = date(2026, 1, 5)


@pytest.fixture(scope="module")
def wrap():
    faces()
    return Wrapper()


def test_a_letter_line_may_end_after_a_hyphen_inside_a_word_but_never_before_a_digit(wrap):
    name = faces()[REGULAR].name
    width = wrap.width("Công điện số 8149/CD-", name, 14)
    assert wrap.lines("Công điện số 8149/CD-VPCP ngày", name, 14, width + 1, hyphens=True)[:2] == \
        ["Công điện số 8149/CD-", "VPCP ngày"]
    # without hyphens (the appendix's cells) the symbol stays whole
    assert wrap.lines("Công điện số 8149/CD-VPCP ngày", name, 14, width + 1)[:2] == ["Công điện số", "8149/CD-VPCP ngày"]
    width = wrap.width("phòng, chống dịch COVID-", name, 14)
    assert wrap.lines("phòng, chống dịch COVID-19 tại", name, 14, width + 1, hyphens=True)[0] == "phòng, chống dịch"


def test_lines_break_at_spaces_not_at_no_break_spaces_and_keep_every_letter(wrap):
    name = faces()[BOLD].name
    text = "Số:\u00a0\u00a0\u00a0\u00a0\u00a0\u00a0/UBND-KGVX Ủy ban nhân dân tỉnh Kon Tum"
    lines = wrap.lines(text, name, 13, wrap.width(text.split(" ")[0] + " Ủy", name, 13))
    assert lines[0] == text.split(" ")[0] + " Ủy" and " ".join(lines) == text
    first = wrap.lines("Một hai ba bốn năm", name, 13, 200, first=wrap.width("Một hai", name, 13) + 1)
    assert first[0] == "Một hai" and " ".join(first) == "Một hai ba bốn năm"


def test_the_pdf_text_keeps_the_blanks_as_no_break_spaces_and_the_body_as_written():
    pdf = render(SEED, "pdf", today=TODAY)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        text = "\n".join(page.extract_text() or "" for page in document.pages)
        chars = [c["text"] for page in document.pages for c in page.chars]
    assert "Số:" + "\u00a0" * 6 + "/UBND-KGVX" in "".join(chars).replace(" ", "")
    flat = " ".join(text.split())
    assert "Ủy ban nhân dân tỉnh yêu cầu:" in flat


def test_the_faces_are_embedded_by_their_own_names_without_hinting():
    pdf = PdfReader(io.BytesIO(render(SEED, "pdf", today=TODAY)))
    embedded = {}
    for page in pdf.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            program = font["/FontDescriptor"].get_object()["/FontFile2"].get_object().get_data()
            embedded[str(font["/BaseFont"]).split("+", 1)[1]] = TTFont(io.BytesIO(program))
    assert set(embedded) == {"LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic",
                             "LiberationSerif-BoldItalic"}
    for font in embedded.values():
        assert not {"fpgm", "prep", "cvt "} & set(font.keys())
        assert all(record.nameID <= 6 for record in font["name"].names)


def test_the_same_letter_prints_the_same_bytes_with_its_title_and_no_made_up_date():
    first, second = render(SEED, "pdf", today=TODAY), render(SEED, "pdf", today=TODAY)
    assert first == second
    info = PdfReader(io.BytesIO(first)).metadata
    assert info.title.startswith("V/v tiếp tục thực hiện chỉ đạo") and info.author == "ỦY BAN NHÂN DÂN TỈNH KON TUM"
    assert "/CreationDate" not in info and "/Subject" not in info


def test_the_font_cache_is_made_once_and_a_folder_that_cannot_be_written_falls_back(tmp_path, monkeypatch):
    regular = font_files()[REGULAR]
    monkeypatch.setenv("LETTER_FONT_CACHE", str(tmp_path / "cache"))
    made = pdf_canvas._embeddable(regular)
    assert made.parent == tmp_path / "cache" and made.stat().st_size < regular.stat().st_size
    assert "fpgm" not in TTFont(str(made)) and list((tmp_path / "cache").iterdir()) == [made]
    assert pdf_canvas._embeddable(regular) == made
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("LETTER_FONT_CACHE", str(blocked / "cache"))
    assert pdf_canvas._embeddable(regular) == regular
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)  # anyone may write here: not trusted with a font
    monkeypatch.setenv("LETTER_FONT_CACHE", str(shared))
    assert pdf_canvas._embeddable(regular) == regular and not list(shared.iterdir())
