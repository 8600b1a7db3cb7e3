"""What a crafted or broken file can do to the server: every parse of an upload runs under a time and
memory limit (app/limits.py), evidence is opened by a real parser, and characters that XML cannot hold
never reach a renderer (issue 11, defects 1, 5 and part of 8)."""
import time
import zipfile
from io import BytesIO

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import func, select

from app import limits
from app.extensions import db
from app.models import Agency, Assignment, Directive, Evidence, ProgressReport
from app.text import clean_line, clean_text, xml_safe
from tests.helpers import csrf_from, inflating_pdf, pdf_bytes

HEALTH = "Sở Y tế tỉnh Kon Tum"
UNSAFE = "\ufffe\uffff\x01\x0b\x1f\x7f\x85\u202e"


# ---- the limit itself ------------------------------------------------------------------------

def _sleep(seconds):
    time.sleep(seconds)
    return "woke"


def _allocate(megabytes):
    block = bytearray(megabytes * 1024 * 1024)
    return len(block)


def _refuse():
    raise ValueError("tệp hỏng")


def _extend_then_sleep(seconds):
    limits.extend(seconds)
    time.sleep(seconds)
    return "done"


def test_a_parse_that_takes_too_long_is_stopped():
    started = time.monotonic()
    with pytest.raises(limits.LimitExceeded) as caught:
        limits.run(_sleep, 30, seconds=1)
    assert time.monotonic() - started < 10
    assert caught.value.kind == "time" and "quá 1 giây" in caught.value.message


def test_a_parse_that_needs_too_much_memory_is_stopped():
    with pytest.raises(limits.LimitExceeded) as caught:
        limits.run(_allocate, 2048, seconds=30, megabytes=256)
    assert caught.value.kind == "memory" and "256 MB" in caught.value.message


def test_within_the_limits_the_result_and_the_errors_come_back_as_they_were():
    assert limits.run(_allocate, 16, seconds=30, megabytes=256) == 16 * 1024 * 1024
    with pytest.raises(ValueError, match="tệp hỏng"):
        limits.run(_refuse, seconds=30)


def test_work_that_knows_it_is_slow_asks_for_more_time():
    assert limits.run(_extend_then_sleep, 1.5, seconds=1) == "done"


def _relay_to_a_module_the_parent_never_imported():
    limits.relay("tests.relay_target:remember", 1, 2)
    return "sent"


def test_progress_relayed_from_the_child_reaches_a_module_the_parent_had_not_loaded():
    """OCR is imported in the child only (a web server never needed it before the first scan): its
    progress must still be shown, not end the import with a KeyError."""
    import sys

    sys.modules.pop("tests.relay_target", None)
    assert limits.run(_relay_to_a_module_the_parent_never_imported, seconds=30) == "sent"
    assert sys.modules["tests.relay_target"].SEEN == [(1, 2)]


# ---- the import page and the evidence form ----------------------------------------------------

def test_an_inflating_pdf_is_stopped_with_a_message_and_nothing_saved(demo, login):
    demo.config["PARSE_SECONDS"] = 2
    office = login("vanphong")
    page = office.get("/nhap-van-ban").get_data(as_text=True)
    with demo.app_context():
        before = db.session.scalar(select(func.count(Directive.id)))
    started = time.monotonic()
    response = office.client.post("/nhap-van-ban", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "step": "doc", "file": (BytesIO(inflating_pdf(4)), "bom.pdf")})
    elapsed = time.monotonic() - started
    assert response.status_code == 400
    assert "quá lâu (quá 2 giây)" in response.get_data(as_text=True)
    assert elapsed < 15  # unlimited, this file takes pdfminer about 30 s
    with demo.app_context():
        assert db.session.scalar(select(func.count(Directive.id))) == before
    assert office.get("/nhap-van-ban").status_code == 200  # the server still answers


def own_assignment(app):
    with app.app_context():
        return db.session.scalar(select(Assignment.id).join(Agency).where(Agency.name == HEALTH)
                                 .order_by(Assignment.id))


def post_report(user, url, note="Đã triển khai.", files=()):
    import re

    page = user.get(url).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    return user.client.post(url, content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "version": version, "action": "start", "percent": "30", "note": note,
        "files": list(files)})


@pytest.mark.parametrize("content, message", [
    (b"%PDF-1.4 garbage that only starts like a PDF", "PDF bị hỏng"),
    (None, "bị hỏng"),  # a zip holding word/document.xml that is not XML
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "bị hỏng"),
])
def test_evidence_that_only_starts_like_an_allowed_file_is_refused(live, login, tmp_path, content, message):
    live.config["UPLOAD_DIR"] = str(tmp_path)
    if content is None:
        content = BytesIO()
        with zipfile.ZipFile(content, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<w:document><w:body>")
        content = content.getvalue()
    url = f"/nhiem-vu/{own_assignment(live)}"
    response = post_report(login("soyte"), url, files=[(BytesIO(content), "bien-ban.pdf")])
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with live.app_context():
        assert db.session.scalar(select(func.count(Evidence.id))) == 0


def test_a_name_with_a_right_to_left_override_is_stored_as_it_reads(live, login, tmp_path):
    live.config["UPLOAD_DIR"] = str(tmp_path)
    url = f"/nhiem-vu/{own_assignment(live)}"
    response = post_report(login("soyte"), url, files=[(BytesIO(pdf_bytes()), "hoso\u202efdp.exe")])
    assert response.status_code == 302
    with live.app_context():
        assert db.session.scalar(select(Evidence.original_name)) == "hosofdp.exe"


# ---- characters XML cannot hold -----------------------------------------------------------------

def test_input_cleaning_removes_what_xml_cannot_hold_and_keeps_vietnamese():
    assert clean_line(f"Báo cáo{UNSAFE} tuần") == "Báo cáo tuần"
    assert clean_text(f"Dòng một\tcột\nDòng{UNSAFE} hai") == "Dòng một cột\nDòng hai"
    assert xml_safe("Quyết\ufffe định") == "Quyết định" and xml_safe(None) is None and xml_safe(3) == 3


def test_a_progress_note_typed_with_them_is_stored_clean(live, login):
    url = f"/nhiem-vu/{own_assignment(live)}"
    assert post_report(login("soyte"), url, note=f"Đã họp{UNSAFE} triển khai").status_code == 302
    with live.app_context():
        assert db.session.scalar(select(ProgressReport.note).order_by(ProgressReport.id.desc())) == \
            "Đã họp triển khai"


def test_one_stored_before_the_rule_breaks_neither_excel_nor_the_docx_report(live, login):
    assignment_id = own_assignment(live)
    with live.app_context():
        assignment = db.session.get(Assignment, assignment_id)
        assignment.directive.subject += "\ufffe"
        db.session.add(ProgressReport(assignment=assignment, new_status="dang_thuc_hien", percent=10,
                                      note="Ghi chú\ufffe\x01 cũ"))
        assignment.status = "dang_thuc_hien"
        db.session.commit()
        directive_id = assignment.directive.id
    office = login("vanphong")
    export = office.get("/theo-doi/nhiem-vu.xlsx")
    assert export.status_code == 200
    values = [cell for row in load_workbook(BytesIO(export.data)).active.iter_rows(values_only=True)
              for cell in row if isinstance(cell, str)]
    assert any("Ghi chú cũ" in value for value in values)
    report = office.get(f"/theo-doi/bao-cao?directive={directive_id}&recipients=X&format=docx"
                        "&signer_title=CHÁNH VĂN PHÒNG")
    assert report.status_code == 200
    assert "\ufffe" not in "\n".join(p.text for p in Document(BytesIO(report.data)).paragraphs)
    letter = office.get(f"/van-ban/{directive_id}/tai-ve.docx")
    assert letter.status_code == 200 and Document(BytesIO(letter.data)).paragraphs
