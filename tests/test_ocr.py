"""Scans: a PDF without a text layer is read by Tesseract's Vietnamese model, page images cleaned
first; the result carries each page's confidence, the command prints progress per page, and the
import page shows the confidences. One small letter, scanned at 200 dpi with noise and skew."""
import io
import json
from datetime import date
from functools import lru_cache

import pytest

from app.directive_format import parse_directive
from app.documents import render
from app.importer import ocr
from app.importer.errors import ImportRefused
from app.importer.readers import read_document
from tests.helpers import csrf_from
from tests.scanning import scan

pytestmark = pytest.mark.skipif(not ocr.available(), reason="Tesseract with the vie model is not installed")

LETTER = {
    "doc_type": "cong_van", "issuer": ["UBND TỈNH GIA LAI", "SỞ Y TẾ"], "number": "05", "symbol": "SYT-KHTC",
    "place": "Gia Lai", "date": date(2026, 1, 5),
    "subject": "đề nghị bổ sung kinh phí mua vắc xin tiêm chủng mở rộng năm 2026",
    "recipients": ["Sở Tài chính tỉnh Gia Lai"],
    "preamble": "Thực hiện kế hoạch tiêm chủng mở rộng năm 2026, Sở Y tế đề nghị Sở Tài chính:",
    "sections": [{"number": "1", "heading": None, "assignees": [],
                  "tasks": [{"text": "Bổ sung kinh phí mua vắc xin sởi, bạch hầu cho các trạm y tế xã trước ngày "
                                     "15 tháng 3 năm 2026."}]}],
    "closing": "Sở Y tế kính đề nghị Sở Tài chính xem xét, giải quyết./.",
    "cc": ["Như trên", "Giám đốc Sở (b/c)", "Lưu: VT, KHTC"],
    "signer": {"authority": "KT.", "authority_title": "GIÁM ĐỐC", "title": "PHÓ GIÁM ĐỐC", "name": "Đỗ Minh Tâm"},
}


@lru_cache(maxsize=1)
def scanned() -> bytes:
    return scan(render(parse_directive(LETTER), "pdf"), dpi=200, skew=1.2, seed=3)


def test_the_scan_has_no_text_layer():
    import pdfplumber

    with pdfplumber.open(io.BytesIO(scanned())) as pdf:
        assert len(pdf.pages) == 1 and not pdf.pages[0].chars


def test_a_scanned_letter_is_read_with_each_page_confidence():
    calls = []
    with ocr.reporting(lambda page, pages, done: calls.append((page, pages, done))):
        source = read_document(scanned(), "ban-quet.pdf")
    assert isinstance(source, ocr.OcrSource) and source.kind == "pdf" and source.pages == 1
    assert [(page, pages, done is None) for page, pages, done in calls] == [(1, 1, True), (1, 1, False)]
    page = source.ocr_pages[0]
    assert page.confidence >= 80 and page.words >= 100
    assert abs(page.skew + 1.2) <= 0.3, "the 1.2° skew of the scan is turned back"
    text = source.text
    for line in ("Số: 05/SYT-KHTC", "Gia Lai, ngày 05 tháng 01 năm 2026", "Kính gửi: Sở Tài chính tỉnh Gia Lai.",
                 "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "PHÓ GIÁM ĐỐC", "Đỗ Minh Tâm", "- Lưu: VT, KHTC."):
        assert line in text, f"{line!r} not read from the scan:\n{text}"
    assert f"độ tin cậy {page.confidence:.0f} %" in source.notes[0]


def test_cleaning_turns_a_skewed_page_level():
    from PIL import Image, ImageDraw

    page = Image.new("L", (1200, 1600), 255)
    draw = ImageDraw.Draw(page)
    for row in range(20):
        draw.rectangle((100, 100 + row * 60, 1100, 118 + row * 60), fill=0)  # rows of "text"
    for angle in (-2.0, 0.0, 1.5):
        turned = page.rotate(angle, fillcolor=255)
        cleaned, skew = ocr.clean(turned)
        assert abs(skew + angle) <= 0.15, (angle, skew)
        assert set(cleaned.histogram()[1:255]) == {0}, "binarised: only black and white"


def test_without_tesseract_the_scan_is_refused_in_vietnamese(monkeypatch):
    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)
    with pytest.raises(ImportRefused, match="chưa cài Tesseract"):
        read_document(scanned(), "ban-quet.pdf")


def test_the_command_prints_progress_per_page_and_the_json(app, tmp_path):
    path = tmp_path / "ban-quet.pdf"
    path.write_bytes(scanned())
    result = app.test_cli_runner().invoke(args=["directive", "import", "--dry-run", str(path)])
    assert result.exit_code == 0, result.output
    assert "Nhận dạng chữ (OCR) trang 1/1" in result.stderr and "độ tin cậy" in result.stderr
    out = json.loads(result.stdout)
    assert out["number"] == "05" and out["symbol"] == "SYT-KHTC"
    assert out["import"]["format"] == "pdf" and any("OCR" in note for note in out["import"]["notes"])


def test_the_import_page_shows_the_pages_confidence(demo, login):
    office = login("vanphong")
    page = office.get("/nhap-van-ban").get_data(as_text=True)
    response = office.client.post("/nhap-van-ban", data={"csrf_token": csrf_from(page), "step": "doc",
                                                          "file": (io.BytesIO(scanned()), "ban-quet.pdf")},
                                  content_type="multipart/form-data")
    assert response.status_code == 302  # a job (tests/test_ocr_job.py), run at once in tests
    response = office.get(response.headers["Location"])
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-testid="import-ocr"' in html
    assert 'data-page="1"' in html and "trang 1:" in html and "nhận dạng chữ (OCR)" in html
    assert "Không kiểm tra được thể thức" in html  # the lint has no laid-out text to check on a scan


def test_a_scan_cannot_be_linted_and_says_so():
    from app.lint import lint_file

    report = lint_file(scanned(), "pdf")
    assert not report.checked and report.findings == []
    assert report.summary().startswith("Không kiểm tra được thể thức: Tệp PDF không có lớp chữ")


@pytest.mark.parametrize("read, meant", [("HI.1.", "III.1."), ("[I.2.", "II.2."), ("Il.", "II."), ("II.3.", "II.3."),
                                         ("1.", "1."), ("1.2.", "1.2."), ("H.", "H."), ("Hà", "Hà")])
def test_roman_numbers_misread_at_a_line_start_are_put_back(read, meant):
    assert ocr._roman_start(read) == meant


def test_a_scanned_title_that_lost_its_accents_is_written_as_the_title():
    from app.importer.ocr import restore_titles

    scanned = "KT. BỘ TRƯỞNG\nTHƯ TRƯỜNG\nVũ Chiến Thắng\nKT. CHU TICH\nPHO CHỦ TỊCH\nTHU TUONG CHINH PHU\nthư trường"
    assert restore_titles(scanned).split("\n") == [
        "KT. BỘ TRƯỞNG", "THỨ TRƯỞNG", "Vũ Chiến Thắng", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH",
        "THU TUONG CHINH PHU",  # not a title as it stands: left as read
        "thư trường",  # not a capital line: body text, left alone
    ]
