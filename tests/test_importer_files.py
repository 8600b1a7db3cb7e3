"""The importer's file readers: round trips through the letter renderer (DOCX and PDF), Word's own
numbering and tables, and every kind of bad input refused with a Vietnamese message."""
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml

from app.directive_format import read_directive_file
from app.documents import render
from app.importer.errors import ImportRefused
from app.importer.parser import parse_text
from app.importer.readers import decode_text, read_document, read_text
from app.importer.service import pure_directive
from tests.helpers import FIXTURES, assert_same_structure, load_fixture

SEEDS = FIXTURES.parent / "seeds"
HAND_MADE = sorted(Path("directives").glob("0*.yaml"))
ROUND_TRIP = ["seed_000", "seed_001", "seed_002", "seed_003", "seed_004", "chi_thi_diem_abc", "cong_dien_dien",
              "cong_van_gach_dau_dong", "ke_hoach_bang"]


def printable(name: str) -> dict:
    """The imported directive, with what a letter cannot print without filled in from directives/0*.yaml
    (seeds 002-004 have no printed header, 004 no subject, 002 no signature)."""
    fixture = load_fixture(FIXTURES / f"{name}.yaml")
    data = parse_text(decode_text(fixture["text"])[0]).data
    if name.startswith("seed_"):
        hand = read_directive_file(HAND_MADE[int(name[-3:])])
        data["issuer"] = data["issuer"] or hand["issuer"]
        data["subject"] = data["subject"] or hand["subject"]
        if not data["signer"]["title"]:
            data["signer"] = hand["signer"]
    return data


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
@pytest.mark.parametrize("name", ROUND_TRIP)
def test_round_trip_through_the_letter_renderer(name, fmt):
    data = printable(name)
    content = render(pure_directive(data), fmt)
    source = read_document(content, f"letter.{fmt}")
    assert source.kind == fmt
    again = parse_text(source.text).data
    assert_same_structure(again, data, where=f"{fmt}: ")


def test_word_numbering_bullets_and_tables_are_read():
    from docx import Document

    document = Document()
    for text in ("ỦY BAN NHÂN DÂN", "TỈNH KON TUM", "Số: 15/UBND-KGVX", "V/v tăng cường phòng chống dịch",
                 "Kính gửi: Sở Y tế; Công an tỉnh.", "Thực hiện chỉ đạo của Bộ Y tế, UBND tỉnh yêu cầu:"):
        document.add_paragraph(text)
    document.add_paragraph("Sở Y tế:", style="List Number")
    document.add_paragraph("Tổ chức giám sát dịch tại cộng đồng.", style="List Bullet")
    document.add_paragraph("Báo cáo kết quả trước ngày 15/12/2025.", style="List Bullet")
    document.add_paragraph("Công an tỉnh: bảo đảm an ninh trật tự tại các khu cách ly.", style="List Number")
    table = document.add_table(rows=2, cols=4)
    for cell, text in zip(table.rows[0].cells, ("TT", "Nội dung", "Cơ quan chủ trì", "Thời gian hoàn thành")):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ("3", "Bố trí kinh phí phòng, chống dịch", "Sở Tài chính", "Tháng 12/2025")):
        cell.text = text
    document.add_paragraph("Nhận được Công văn này, các cơ quan khẩn trương thực hiện./.")
    document.add_paragraph("Nơi nhận:\n- Như trên;\n- Lưu: VT.")
    document.add_paragraph("KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH")
    document.add_paragraph("Nguyễn Văn A")
    buffer = io.BytesIO()
    document.save(buffer)
    source = read_document(buffer.getvalue(), "cong-van.docx")
    assert "1. Sở Y tế:" in source.text and "- Tổ chức giám sát" in source.text and "2. Công an tỉnh:" in source.text
    data = parse_text(source.text).data
    assert data["recipients"] == ["Sở Y tế", "Công an tỉnh"]
    assert [(s["number"], [a["agency"] for a in s["assignees"]], len(s["tasks"])) for s in data["sections"]] == \
        [("1", ["Sở Y tế"], 2), ("2", ["Công an tỉnh"], 1), ("3", ["Sở Tài chính"], 1)]
    assert str(data["sections"][2]["tasks"][0]["deadline"]) == "2025-12-31"
    assert data["cc"] == ["Như trên", "Lưu: VT"]
    assert data["signer"] == {"authority": "KT.", "authority_title": "CHỦ TỊCH", "title": "PHÓ CHỦ TỊCH",
                              "name": "Nguyễn Văn A"}


def test_a_text_file_in_utf16_and_with_a_byte_order_mark():
    text = (SEEDS / "000_6501fa3ad1d89cac.txt").read_text(encoding="utf-8")
    expected = yaml.safe_load((FIXTURES / "seed_000.yaml").read_text(encoding="utf-8"))["directive"]
    for content in (text.encode("utf-16"), b"\xef\xbb\xbf" + text.encode("utf-8")):
        assert_same_structure(parse_text(read_document(content, "cv.txt").text).data, expected)


# ---------------------------------------------------------------- bad input

def scanned_pdf() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 800), "white")
    ImageDraw.Draw(image).rectangle((50, 50, 550, 120), outline="black")
    buffer = io.BytesIO()
    image.save(buffer, "PDF")
    return buffer.getvalue()


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    plain = render(read_directive_file(HAND_MADE[0]), "pdf")
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(plain)).pages:
        writer.add_page(page)
    writer.encrypt("mat-khau")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def zip_without_word() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


BAD = [
    (b"", "trong.txt", "Tệp rỗng"),
    (b"   \n\n\t ", "trang.txt", "không có chữ"),
    (bytes(range(256)) * 40, "rac.txt", "nhị phân"),
    (b"\x8f\xaa\x01\x02\x9c\x81" * 500, "rac.md", "không phải văn bản"),
    (b"%$#@!*&^" * 300, "ky-hieu.txt", "không phải văn bản"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "cu.doc", ".doc"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "anh.png", "ảnh"),
    (b"{\\rtf1\\ansi hello}", "van-ban.rtf", "RTF"),
    (b"PK\x03\x04 not really a zip", "hong.docx", "bị hỏng"),
    (b"plain text pretending", "gia.docx", "không phải tệp Word"),
    (b"%PDF-1.4\n%%EOF garbage", "hong.pdf", "PDF bị hỏng"),
    (b"Ky hieu", "bang.xlsx", "không được hỗ trợ"),
    (b"MZ\x90\x00", "chuong-trinh.exe", "không được hỗ trợ"),
]


@pytest.mark.parametrize("content, filename, message", BAD, ids=[b[1] for b in BAD])
def test_bad_files_are_refused_in_vietnamese(content, filename, message):
    with pytest.raises(ImportRefused) as error:
        read_document(content, filename)
    assert message in error.value.message


def test_zip_that_is_not_a_word_file():
    with pytest.raises(ImportRefused, match="không phải Word"):
        read_document(zip_without_word(), "du-lieu.docx")


def test_scanned_pdf_without_text_layer():
    with pytest.raises(ImportRefused, match="không có lớp chữ"):
        read_document(scanned_pdf(), "ban-quet.pdf")


def test_pdf_with_a_password():
    with pytest.raises(ImportRefused, match="mật khẩu"):
        read_document(encrypted_pdf(), "mat-khau.pdf")


def test_file_over_the_size_limit():
    with pytest.raises(ImportRefused, match="quá lớn"):
        read_document(b"a" * 2048, "lon.txt", max_bytes=1024)


def test_undecodable_bytes_name_the_problem():
    with pytest.raises(ImportRefused, match="UTF-8"):
        decode_text("Những dòng chữ".encode("utf-8")[:-1] + b"\x81\x8d and more plain words here")


def test_pasted_text_must_not_be_empty():
    with pytest.raises(ImportRefused, match="Chưa có nội dung"):
        read_text("  \n ")


def _office_layout_docx() -> bytes:
    """A kế hoạch laid out as offices lay it out in Word: the header as a borderless two-column table,
    numbers followed by a tab, the Nơi nhận and the signature side by side in another table."""
    from docx import Document

    document = Document()
    header = document.add_table(rows=1, cols=2)
    header.rows[0].cells[0].text = "ỦY BAN NHÂN DÂN\nTỈNH NGHỆ AN\n\nSố: 1026/KH-UBND"
    header.rows[0].cells[1].text = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
                                    "Nghệ An, ngày 28 tháng 11 năm 2025")
    for text in ("KẾ HOẠCH", "Thực hiện công tác bảo vệ bí mật nhà nước năm 2026",
                 "Để triển khai công tác bảo vệ bí mật nhà nước, UBND tỉnh ban hành Kế hoạch như sau:",
                 "1.\tCông an tỉnh chủ trì, phối hợp với Sở Nội vụ tham mưu kiểm tra công tác bảo vệ bí mật nhà nước.",
                 "2.\tSở Tài chính bố trí kinh phí thực hiện Kế hoạch."):
        document.add_paragraph(text)
    tail = document.add_table(rows=1, cols=2)
    tail.rows[0].cells[0].text = "Nơi nhận:\n- Công an tỉnh;\n- Lưu: VT."
    tail.rows[0].cells[1].text = "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nBùi Đình Long"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _assert_office_layout_read(text: str):
    data = parse_text(text).data
    assert data["issuer"] == ["ỦY BAN NHÂN DÂN", "TỈNH NGHỆ AN"]
    assert (data["number"], data["symbol"], str(data["date"]), data["doc_type"]) == \
        ("1026", "KH-UBND", "2025-11-28", "ke_hoach")
    assert data["subject"] == "thực hiện công tác bảo vệ bí mật nhà nước năm 2026"
    assert [(s["number"], [(a["agency"], a["role"]) for a in s["assignees"]], len(s["tasks"]))
            for s in data["sections"]] == [
        ("1", [("Công an tỉnh", "lead"), ("Sở Nội vụ", "coordinating")], 1), ("2", [("Sở Tài chính", "lead")], 1)]
    assert data["cc"] == ["Công an tỉnh", "Lưu: VT"]
    assert data["signer"]["name"] == "Bùi Đình Long" and data["signer"]["authority"] == "TM."


def test_a_word_file_laid_out_as_offices_do():
    _assert_office_layout_read(read_document(_office_layout_docx(), "ke-hoach.docx").text)


@pytest.mark.skipif(shutil.which("soffice") is None or not Path("/usr/lib/libreoffice/program/libswlo.so").exists(),
                    reason="LibreOffice Writer (make test installs it)")
def test_the_pdf_word_exports_from_that_file(tmp_path):
    source = tmp_path / "ke-hoach.docx"
    source.write_bytes(_office_layout_docx())
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=120)
    _assert_office_layout_read(read_document((tmp_path / "ke-hoach.pdf").read_bytes(), "ke-hoach.pdf").text)
