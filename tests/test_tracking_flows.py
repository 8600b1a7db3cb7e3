"""Extensions, evidence files, notifications, snapshots, the report and the reminder letter."""
import re
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import func, select

from app.documents.letter import build_letter
from app.extensions import db
from app.models import (
    Agency, Assignment, Directive, Evidence, ExtensionRequest, Notification, ProgressReport, Reminder, Snapshot, User,
)
from app.clock import local_today
from app.tracking import queries, reports, snapshots
from tests import nd30_checks
from tests.helpers import csrf_from, pdf_bytes

HEALTH = "Sở Y tế tỉnh Kon Tum"


def own_assignment(app, deadline=None, status="chua_thuc_hien"):
    """One of Sở Y tế's assignments, with the given deadline and status."""
    with app.app_context():
        assignment = db.session.scalar(select(Assignment).join(Agency).where(Agency.name == HEALTH)
                                       .order_by(Assignment.id))
        assignment.deadline = assignment.original_deadline = deadline
        assignment.status = status
        db.session.commit()
        return assignment.id


def version_of(page_html):
    return re.search(r'name="version" type="hidden" value="(\d+)"', page_html).group(1)


# ---- evidence files ------------------------------------------------------------------------

def post_report(user, url, files, action="start", note="Đã triển khai."):
    page = user.get(url).get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "version": version_of(page), "action": action, "percent": "30", "note": note, "files": files}
    return user.client.post(url, data=data, content_type="multipart/form-data")


def test_evidence_is_checked_by_content_and_stored_outside_static(live, login, tmp_path):
    live.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    url = f"/nhiem-vu/{own_assignment(live)}"
    department = login("soyte")
    renamed = post_report(department, url, [(BytesIO(b"MZ\x90\x00\x03 this is a windows program"), "bao-cao.pdf")])
    assert renamed.status_code == 400
    assert "không phải tệp PDF, DOCX, XLSX, PNG, JPEG" in renamed.get_data(as_text=True)
    live.config["MAX_UPLOAD_BYTES"] = 1024
    big = post_report(department, url, [(BytesIO(b"%PDF-1.4\n" + b"0" * 2048), "lon.pdf")])
    assert big.status_code == 400 and "lớn hơn" in big.get_data(as_text=True)
    live.config["MAX_UPLOAD_BYTES"] = 10 * 1024 * 1024
    with live.app_context():
        assert db.session.scalar(select(func.count(Evidence.id))) == 0
        assert db.session.scalar(select(func.count(ProgressReport.id))) == 0  # nothing half-saved

    docx = BytesIO()
    Document().save(docx)
    ok = post_report(department, url, [(BytesIO(pdf_bytes()), "../../etc/bien-ban kiểm tra.pdf"),
                                       (BytesIO(docx.getvalue()), "C:\\Users\\a\\ke-hoach.docx")])
    assert ok.status_code == 302
    with live.app_context():
        stored = db.session.scalars(select(Evidence).order_by(Evidence.id)).all()
        assert [e.original_name for e in stored][0] == "bien-ban kiểm tra.pdf"
        assert "/" not in stored[1].original_name and "\\" not in stored[1].original_name
        assert [e.media_type.split("/")[-1][:20] for e in stored] == [
            "pdf", "vnd.openxmlformats-o"]
        for evidence in stored:
            assert (tmp_path / "uploads" / evidence.stored_name).is_file()
            assert evidence.stored_name.endswith((".pdf", ".docx")) and "kiểm" not in evidence.stored_name
        first = stored[0].id
    page = department.get(url).get_data(as_text=True)
    assert f"/minh-chung/{first}" in page
    download = department.get(f"{url}/minh-chung/{first}")
    assert download.status_code == 200 and download.data == pdf_bytes()
    assert login("vanphong").get(f"{url}/minh-chung/{first}").status_code == 200
    # another agency's user cannot fetch it, even with the right ids
    with live.app_context():
        other_agency = db.session.scalar(select(Agency.id).where(Agency.name == "Công an tỉnh Kon Tum"))
        police = User(username="congan", full_name="Công an", agency_id=other_agency, active=True)
        police.set_roles(["staff"])
        police.set_password("demo1234")
        db.session.add(police)
        db.session.commit()
    assert login("congan").get(f"{url}/minh-chung/{first}").status_code == 404


# ---- extensions ------------------------------------------------------------------------------

def test_extension_history_keeps_each_request_and_the_original_deadline(live, login):
    original = local_today() + timedelta(days=5)
    assignment_id = own_assignment(live, deadline=original, status="dang_thuc_hien")
    url = f"/nhiem-vu/{assignment_id}"
    department, office = login("soyte"), login("vanphong")
    first = (original + timedelta(days=10)).strftime("%d/%m/%Y")
    too_early = department.post_form(f"{url}/gia-han", {"requested_deadline": original.strftime("%d/%m/%Y"),
                                                         "reason": "Cần thêm thời gian"}, page=url)
    assert too_early.status_code == 400 and "phải sau hạn hiện tại" in too_early.get_data(as_text=True)
    assert department.post_form(f"{url}/gia-han", {"requested_deadline": first, "reason": ""},
                                page=url).status_code == 400
    assert department.post_form(f"{url}/gia-han", {"requested_deadline": first, "reason": "Chờ kinh phí"},
                                page=url).status_code == 302
    # the office sees the request in the navigation bar and rejects one without a reason: refused
    page = office.get("/gia-han").get_data(as_text=True)
    assert 'data-testid="pending-extensions">1<' in page and "Chờ kinh phí" in page
    with live.app_context():
        request_id = db.session.scalar(select(ExtensionRequest.id))
    office.post_form(f"/gia-han/{request_id}/tu-choi", {"note": ""}, page=url)
    with live.app_context():
        assert db.session.get(ExtensionRequest, request_id).status == "pending"
    assert office.post_form(f"/gia-han/{request_id}/dong-y", {"note": "Đồng ý"}, page=url).status_code == 302
    assert department.post_form(f"/gia-han/{request_id}/dong-y", {"note": ""}, page=url).status_code == 403
    second = (original + timedelta(days=20)).strftime("%d/%m/%Y")
    department.post_form(f"{url}/gia-han", {"requested_deadline": second, "reason": "Lần hai"}, page=url)
    with live.app_context():
        second_id = db.session.scalar(select(ExtensionRequest.id).where(ExtensionRequest.sequence == 2))
    office.post_form(f"/gia-han/{second_id}/tu-choi", {"note": "Không có căn cứ"}, page=url)
    with live.app_context():
        assignment = db.session.get(Assignment, assignment_id)
        assert assignment.original_deadline == original
        assert assignment.deadline == original + timedelta(days=10)
        history = [(e.sequence, e.status) for e in assignment.extensions]
        assert history == [(1, "approved"), (2, "rejected")]
    page = department.get(url).get_data(as_text=True)
    assert "Gia hạn lần 1" in page and "Gia hạn lần 2" in page and "Không có căn cứ" in page


# ---- notifications ---------------------------------------------------------------------------

def test_notifications_reach_the_other_side(live, login):
    assignment_id = own_assignment(live, deadline=local_today() - timedelta(days=2), status="dang_thuc_hien")
    url = f"/nhiem-vu/{assignment_id}"
    department, office = login("soyte"), login("vanphong")
    office.post_form("/thong-bao", {})  # the Văn phòng's own new tasks, read
    alerts = department.get("/thong-bao").get_data(as_text=True)
    assert 'data-testid="deadline-alert"' in alerts and "quá hạn" in alerts
    page = department.get(url).get_data(as_text=True)
    department.post_form(url, {"version": version_of(page), "action": "submit", "note": "Đã xong"})
    inbox = office.get("/thong-bao").get_data(as_text=True)
    assert "báo cáo hoàn thành" in inbox and 'data-testid="unread-count">1<' in inbox
    page = office.get(url).get_data(as_text=True)
    office.post_form(url, {"version": version_of(page), "action": "return", "note": "Thiếu số liệu"})
    page = department.get("/thong-bao").get_data(as_text=True)
    assert "Kết quả bị trả lại" in page and "Thiếu số liệu" in page
    department.post_form("/thong-bao", {})
    with live.app_context():
        soyte = db.session.scalar(select(User).where(User.username == "soyte"))
        assert db.session.scalar(select(func.count(Notification.id)).where(
            Notification.user_id == soyte.id, Notification.read_at.is_(None))) == 0


def test_issuing_a_directive_tells_the_assigned_agencies_approval_does_not(demo, login, tmp_path):
    demo.config["GENERATED_DIR"] = str(tmp_path)
    with demo.app_context():
        directive = db.session.scalar(select(Directive).where(Directive.source_key.contains("001-")))
        directive.state = "draft"
        db.session.commit()
        directive_id = directive.id
    login("lanhdao").post_form(f"/van-ban/{directive_id}/duyet", {}, page=f"/van-ban/{directive_id}")
    assert "Nhiệm vụ mới" not in login("soyte").get("/thong-bao").get_data(as_text=True)
    login("vanthu").post_form(f"/van-ban/{directive_id}/phat-hanh", {}, page=f"/van-ban/{directive_id}")
    page = login("soyte").get("/thong-bao").get_data(as_text=True)
    assert "Nhiệm vụ mới" in page and f"/nhiem-vu?directive={directive_id}" in page


# ---- snapshots -------------------------------------------------------------------------------

@pytest.mark.dates
def test_snapshot_reproduces_figures_at_a_cutoff(live, login):
    today = local_today()
    assignment_id = own_assignment(live, deadline=today - timedelta(days=3), status="hoan_thanh")
    with live.app_context():
        assignment = db.session.get(Assignment, assignment_id)
        assignment.completed_date = today  # done late, today
        db.session.commit()
        kon_tum = assignment.directive.owner_agency_id
        now = snapshots.counts_at(today, 3, kon_tum)
        health = assignment.agency_id
        assert now[health]["done_late"] == 1
        yesterday = snapshots.counts_at(today - timedelta(days=1), 3, kon_tum)
        assert health not in yesterday  # the assignments were created today
    result = live.test_cli_runner().invoke(args=["tracking", "snapshot", "--date", today.isoformat()])
    assert result.exit_code == 0 and "Đã chốt số liệu" in result.output
    with live.app_context():
        stored = db.session.scalar(select(Snapshot).where(Snapshot.organisation_id == kon_tum))
        row = next(r for r in stored.rows if r.agency_id == health)
        assert (row.done_late, row.assigned) == (1, now[health]["assigned"])
    page = login("vanphong").get("/theo-doi").get_data(as_text=True)
    assert 'data-testid="snapshot-note"' in page and 'data-testid="delta-qua_han">0 so' in page
    bad = login("vanphong").post_form("/theo-doi/chot-so-lieu", {"cutoff": "31/02/2026"}, page="/theo-doi")
    assert bad.status_code == 302


# ---- report and reminder letters -------------------------------------------------------------

def make_late(app, days=5):
    with app.app_context():
        agency_id = db.session.scalar(select(Agency.id).where(Agency.name == HEALTH))
        rows = db.session.scalars(select(Assignment).where(Assignment.agency_id == agency_id)).all()
        for assignment in rows:
            assignment.deadline = assignment.original_deadline = local_today() - timedelta(days=days)
            assignment.status = "dang_thuc_hien"
        db.session.commit()
        return len(rows)


def test_report_letter_follows_nd30_and_carries_the_appendix(live, login):
    overdue = make_late(live)
    with live.app_context():
        office = db.session.scalar(select(User).where(User.username == "vanphong"))
        directive = db.session.scalar(select(Directive).where(Directive.source_key.contains("001-")))
        signer = {"authority": "TL.", "authority_title": "CHỦ TỊCH", "title": "CHÁNH VĂN PHÒNG", "name": "Nguyễn B"}
        data, appendix = reports.report(queries.Filters(directive=directive.id), "Công văn về phòng, chống dịch",
                                        office.agency, ["Thường trực Ủy ban nhân dân tỉnh"], signer, local_today(), 3,
                                        queries.owned_by(directive.owner_agency_id))
    letter = build_letter(data, appendix=None)
    assert f"quá hạn chưa hoàn thành: {overdue}" in " ".join(p.text for p in letter.body)
    for fmt, check in (("docx", nd30_checks.check_docx), ("pdf", nd30_checks.check_pdf)):
        from app.documents import render

        content = render(data, fmt)  # the letter itself against ND30
        assert check(content, nd30_checks.expect_for(data, letter)) == [], fmt
    groups = [cells[0] for kind, cells in appendix.rows if kind == "group"]
    assert any(group.endswith(HEALTH) for group in groups)
    assert appendix.landscape and appendix.summary is not None  # the figures by agency come first
    assert len([k for k, _c in appendix.rows if k == "subtotal"]) == len(groups)  # a subtotal per agency
    summary = {cells[1]: cells for kind, cells in appendix.summary.rows if kind == "row"}
    assert summary["Sở Y tế (Kon Tum)"][6] == str(overdue)
    rows = [cells for kind, cells in appendix.rows if kind == "row"]
    assert sum(1 for cells in rows if "quá hạn" in cells[4]) >= overdue
    # downloaded from the web, with the appendix on its own pages
    response = login("vanphong").get(
        f"/theo-doi/bao-cao?directive={directive.id}&recipients=Thường trực UBND tỉnh&format=pdf"
        "&signer_authority=TL.&signer_authority_title=CHỦ TỊCH&signer_title=CHÁNH VĂN PHÒNG&signer_name=Nguyễn B")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    text = nd30_checks.join_lines(nd30_checks.pdf_text_streams(response.data))
    assert "Phụ lục" in text and "TÌNH HÌNH THỰC HIỆN NHIỆM VỤ THEO CƠ QUAN, ĐƠN VỊ" in text
    docx = login("vanphong").get(
        f"/theo-doi/bao-cao?directive={directive.id}&recipients=X&format=docx&signer_title=CHÁNH VĂN PHÒNG")
    document = Document(BytesIO(docx.data))
    assert len(document.sections) == 2
    assert document.sections[1].page_width > document.sections[1].page_height  # the appendix in landscape
    start = document.sections[1]._sectPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}pgNumType")
    assert start is not None and start.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}start") == "1"
    assert document.tables[-1].rows[0].cells[1].text == "Nhiệm vụ"


def test_report_needs_a_scope(live, login):
    response = login("vanphong").get("/theo-doi/bao-cao?directive=&recipients=X&format=pdf&signer_title=CVP")
    assert response.status_code == 400 and "Chọn một văn bản, hoặc nhập kỳ báo cáo" in response.get_data(as_text=True)


def test_reminder_is_a_draft_letter_counting_each_reminder(live, login, tmp_path):
    """A reminder names existing assignments: it creates no tracked task, and "đôn đốc lần n" goes into
    their history when it is issued."""
    live.config["GENERATED_DIR"] = str(tmp_path)
    overdue = make_late(live)
    office = login("vanphong")
    with live.app_context():
        health = db.session.scalar(select(Agency.id).where(Agency.name == HEALTH))
        leading_before = db.session.scalar(select(func.count(Assignment.id)).where(
            Assignment.agency_id == health, Assignment.role == "lead", Assignment.active.is_(True)))
    form = {"agency": str(health), "report_by": (local_today() + timedelta(days=7)).strftime("%d/%m/%Y"),
            "signer_authority": "TL.", "signer_authority_title": "CHỦ TỊCH", "signer_title": "CHÁNH VĂN PHÒNG",
            "signer_name": "Nguyễn Văn B"}
    first = office.post_form("/theo-doi/don-doc", form)
    assert first.status_code == 302
    first_id = int(first.headers["Location"].rsplit("/", 1)[1])
    with live.app_context():
        letter = db.session.get(Directive, first_id)
        assert letter.state == "draft" and letter.doc_type == "cong_van" and letter.purpose == "don_doc"
        assert [r.name for r in letter.recipients] == [HEALTH]
        texts = [t.text for s in letter.sections for t in s.tasks]
        assert len(texts) == overdue and all("đôn đốc lần 1" in t for t in texts)
        assert [a for s in letter.sections for t in s.tasks for a in t.assignments] == []  # nothing new to track
        from app.directive_format import directive_to_data

        data = directive_to_data(letter)
    from app.documents import render

    built = build_letter(data, draft=True)
    for fmt, check in (("docx", nd30_checks.check_docx), ("pdf", nd30_checks.check_pdf)):
        assert check(render(data, fmt, draft=True), nd30_checks.expect_for(data, built, draft=True)) == [], fmt
    # approved and issued like any letter (the Văn phòng's own register); then it counts
    page = f"/van-ban/{first_id}"
    with live.app_context():

        chief = User(username="cvp", full_name="Chánh Văn phòng", active=True,
                     agency_id=db.session.get(Directive, first_id).issuer_agency_id)
        chief.set_roles(["leader"])
        chief.set_password("demo1234")
        db.session.add(chief)
        db.session.commit()
    assert login("cvp").post_form(f"{page}/duyet", {}, page=page).status_code == 302
    assert login("vanthu").post_form(f"{page}/phat-hanh", {}, page=page).status_code == 302
    with live.app_context():
        letter = db.session.get(Directive, first_id)
        assert letter.state == "issued"
        notes = db.session.scalars(select(ProgressReport.note).where(ProgressReport.kind == "reminder")).all()
        assert len(notes) == overdue and all(f"Đôn đốc lần 1 tại Công văn số {letter.number_symbol}" in n
                                             for n in notes)
        leading_after = db.session.scalar(select(func.count(Assignment.id)).where(
            Assignment.agency_id == health, Assignment.role == "lead", Assignment.active.is_(True)))
        assert leading_after == leading_before  # no new "chủ trì" task for Sở Y tế
    second = office.post_form("/theo-doi/don-doc", form)
    second_id = int(second.headers["Location"].rsplit("/", 1)[1])
    with live.app_context():
        texts = [t.text for s in db.session.get(Directive, second_id).sections for t in s.tasks]
        assert all("đôn đốc lần 2" in t for t in texts)
        assert db.session.scalar(select(func.count(Reminder.id))) == 2 * overdue
    past = dict(form, report_by="01/01/2020")
    assert office.post_form("/theo-doi/don-doc", past).status_code == 400


def test_reminder_with_nothing_late(live, login):
    office = login("vanphong")
    form = {"agency": "", "report_by": (local_today() + timedelta(days=7)).strftime("%d/%m/%Y"),
            "signer_title": "CHÁNH VĂN PHÒNG"}
    response = office.post_form("/theo-doi/don-doc", form)
    assert response.status_code == 200 and "Không có nhiệm vụ nào quá hạn" in response.get_data(as_text=True)
    with live.app_context():
        assert db.session.scalar(select(func.count(Directive.id))) == 5  # no letter drafted


def test_evidence_lives_in_the_storage_folder(live, login, tmp_path):
    """Without UPLOAD_DIR, evidence goes to STORAGE_DIR/evidence; one an older version kept in
    instance/uploads is moved there when it is downloaded."""
    import shutil

    live.config["UPLOAD_DIR"] = ""
    live.instance_path = str(tmp_path / "instance")  # an older installation's instance folder
    url = f"/nhiem-vu/{own_assignment(live)}"
    department = login("soyte")
    response = post_report(department, url, [(BytesIO(pdf_bytes()), "bien-ban.pdf")])
    assert response.status_code == 302
    with live.app_context():
        evidence = db.session.scalar(select(Evidence).order_by(Evidence.id.desc()))
        stored, evidence_id = evidence.stored_name, evidence.id
    storage = Path(live.config["STORAGE_DIR"]) / "evidence"
    assert (storage / stored).read_bytes() == pdf_bytes()
    legacy = Path(live.instance_path) / "uploads" / stored
    legacy.parent.mkdir(parents=True)
    shutil.move(str(storage / stored), str(legacy))
    downloaded = department.get(f"{url}/minh-chung/{evidence_id}")
    assert downloaded.status_code == 200 and downloaded.data == pdf_bytes()
    assert (storage / stored).is_file() and not legacy.exists()
