"""What office staff, leaders, clerks and departments hit on a first day (issue 13), one view test each:
entering, approving, following up and reading the figures."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.clock import local_today
from app.extensions import db
from app.models import (
    Agency, AgencyGroup, Assignment, AuditEvent, Directive, DirectiveComment, ExtensionRequest, Occurrence,
    ProgressReport, User,
)
from app.rules import recurrence
from tests.helpers import DEFAULT_CLOCK, csrf_from

PROVINCE = "Ủy ban nhân dân tỉnh Kon Tum"
HEALTH = "Sở Y tế tỉnh Kon Tum"


def ids(app):
    with app.app_context():
        province = db.session.scalar(select(Agency.id).where(Agency.name == PROVINCE))
        health = db.session.scalar(select(Agency.id).where(Agency.name == HEALTH))
        districts = db.session.scalar(select(AgencyGroup.id).where(
            AgencyGroup.name == "Ủy ban nhân dân các huyện, thành phố", AgencyGroup.owner_id == province))
        return province, health, districts


def form(province, health, **extra):
    data = {
        "doc_type": "cong_van", "issuer_agency_id": str(province), "symbol": "UBND-KGVX", "place": "",
        "subject": "kiểm tra an toàn thực phẩm", "urgency": "", "recipients-0-text": "Sở Y tế",
        "preamble": "", "sections-0-number": "", "sections-0-heading": "",
        "sections-0-assignees-0-target": f"a:{health}", "sections-0-assignees-0-role": "lead",
        "sections-0-assignees-0-deadline": "", "sections-0-tasks-0-text": "- Rà soát các bếp ăn tập thể.",
        "sections-0-tasks-0-deadline": "", "sections-1-number": "", "sections-1-heading": "",
        "sections-1-tasks-0-text": "Báo cáo kết quả.", "sections-1-tasks-0-deadline": "",
        "closing": "", "cc-0-text": "Như trên", "cc-1-text": "Lưu: VT", "signer_authority": "KT.",
        "signer_authority_title": "CHỦ TỊCH", "signer_title": "PHÓ CHỦ TỊCH", "signer_name": "Nguyễn Văn A",
    }
    data.update(extra)
    return data


def saved(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    return int(response.headers["Location"].rsplit("/", 1)[1])


# ---- entering --------------------------------------------------------------------------------

def test_placeholders_never_look_like_values_and_a_typed_dash_is_not_doubled(demo, login):
    office = login("vanphong")
    page = office.get("/van-ban/moi").get_data(as_text=True)
    assert 'placeholder="- ' not in page and 'placeholder="1"' not in page
    province, health, _ = ids(demo)
    directive_id = saved(office.post_form("/van-ban/moi", form(province, health)))
    with demo.app_context():
        directive = db.session.get(Directive, directive_id)
        first, second = directive.live_sections
        assert first.live_tasks[0].text == "Rà soát các bếp ăn tập thể."  # the typed "- " went
        assert (first.number, second.number) == ("1", "2")  # numbered for the user
    numbered = saved(office.post_form("/van-ban/moi", form(province, health, **{"sections-1-number": "3"})))
    with demo.app_context():
        assert [s.number for s in db.session.get(Directive, numbered).live_sections] == [None, "3"]  # theirs kept
    letter = office.get(f"/van-ban/{directive_id}/tai-ve.docx")
    from io import BytesIO

    from docx import Document

    text = "\n".join(p.text for p in Document(BytesIO(letter.data)).paragraphs)
    assert "- - " not in text and "Rà soát các bếp ăn tập thể." in text


def test_which_fields_a_type_needs_comes_from_the_type_table(demo, login):
    office = login("vanphong")
    province, health, _ = ids(demo)
    directive = form(province, health, doc_type="chi_thi", symbol="CT-UBND", **{"recipients-0-text": ""})
    assert office.post_form("/van-ban/moi", directive).status_code == 302  # a chỉ thị has no Kính gửi
    letter = form(province, health, **{"recipients-0-text": ""})
    refused = office.post_form("/van-ban/moi", letter)
    assert refused.status_code == 400 and "Công văn cần ít nhất một nơi nhận ở mục Kính gửi." in \
        refused.get_data(as_text=True)


def test_a_deadline_in_the_past_is_accepted_with_a_warning(demo, login):
    office = login("vanphong")
    province, health, _ = ids(demo)
    past = (local_today() - timedelta(days=30)).strftime("%d/%m/%Y")
    response = office.post_form("/van-ban/moi", form(province, health, **{"sections-0-tasks-0-deadline": past}),
                                follow_redirects=True)
    assert response.status_code == 200 and f"có hạn đã qua ({past})" in response.get_data(as_text=True)


def test_pickers_search_the_directory_and_the_form_sends_the_list_once(demo, login):
    page = login("vanphong").get("/van-ban/moi").get_data(as_text=True)
    assert page.count('id="target-choices"') == 1 and "Sở Y tế tỉnh Kon Tum" in page
    pickers = re.findall(r'<select name="[^"]*-target"[^>]*data-search[^>]*>(.*?)</select>', page, re.S)
    assert pickers and all(picker.count("<option") <= 2 for picker in pickers)  # not the whole directory each
    assert "Sở Y tế tỉnh Lạng Sơn" not in page  # another province's agencies are not offered
    assert 'src="/static/vendor/tom-select-2.6.2/tom-select.complete.min.js?v=' in page


# ---- approving ---------------------------------------------------------------------------------

def test_a_draft_goes_to_the_leaders_queue_comes_back_with_comments_and_is_approved(demo, login):
    office, leader = login("vanphong"), login("lanhdao")
    province, health, _ = ids(demo)
    directive_id = saved(office.post_form("/van-ban/moi", form(province, health)))
    page = f"/van-ban/{directive_id}"
    assert office.post_form(f"{page}/trinh-duyet", {}, page=page).status_code == 302
    queue = leader.get("/van-ban/cho-duyet").get_data(as_text=True)
    assert "kiểm tra an toàn thực phẩm" in queue and 'data-testid="waiting-drafts">1<' in queue
    no_reason = leader.post_form(f"{page}/tra-lai", {"note": " "}, page=page, follow_redirects=True)
    assert "Ghi ý kiến để người soạn biết cần sửa gì." in no_reason.get_data(as_text=True)
    leader.post_form(f"{page}/tra-lai", {"note": "Bổ sung hạn báo cáo."}, page=page)
    office.post_form(f"{page}/y-kien", {"note": "Đã bổ sung, trình lại."}, page=page)
    with demo.app_context():
        directive = db.session.get(Directive, directive_id)
        assert directive.state == "draft"
        assert [(c.kind, c.text) for c in directive.comments] == [
            ("submit", ""), ("return", "Bổ sung hạn báo cáo."), ("comment", "Đã bổ sung, trình lại.")]
    assert "Dự thảo bị trả lại" in office.get("/thong-bao").get_data(as_text=True)
    thread = office.get(page).get_data(as_text=True)
    assert thread.count('data-testid="comment"') == 3 and "Bổ sung hạn báo cáo." in thread
    office.post_form(f"{page}/trinh-duyet", {}, page=page)
    leader.post_form(f"{page}/duyet", {"note": "Đồng ý."}, page=page)
    with demo.app_context():
        assert db.session.get(Directive, directive_id).state == "approved"
    assert "Không có dự thảo nào chờ duyệt." in leader.get("/van-ban/cho-duyet").get_data(as_text=True)


def test_a_draft_never_issued_can_be_deleted_and_the_audit_log_says_so(demo, login, tmp_path):
    office = login("vanphong")
    province, health, _ = ids(demo)
    directive_id = saved(office.post_form("/van-ban/moi", form(province, health)))
    with demo.app_context():
        rows = [a.id for s in db.session.get(Directive, directive_id).sections for t in s.tasks for a in t.assignments]
        assert rows
    assert login("lanhdao").post_form(f"/van-ban/{directive_id}/xoa", {}, page=f"/van-ban/{directive_id}") \
        .status_code == 403
    assert office.post_form(f"/van-ban/{directive_id}/xoa", {}, page=f"/van-ban/{directive_id}").status_code == 302
    with demo.app_context():
        assert db.session.get(Directive, directive_id) is None
        assert db.session.scalar(select(func.count(Assignment.id)).where(Assignment.id.in_(rows))) == 0
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "directive.delete"))
        assert event.object_id == directive_id and "kiểm tra an toàn thực phẩm" in event.summary
    log = login("admin").get("/quan-tri/nhat-ky?thao-tac=directive.delete").get_data(as_text=True)
    assert "xóa dự thảo" in log and "kiểm tra an toàn thực phẩm" in log
    # an issued letter is never deleted
    demo.config["GENERATED_DIR"] = str(tmp_path)
    with demo.app_context():
        seed = db.session.scalar(select(Directive).where(Directive.source_key.contains("001-")))
        seed_id = seed.id
    login("vanthu").post_form(f"/van-ban/{seed_id}/phat-hanh", {}, page=f"/van-ban/{seed_id}")
    assert office.post_form(f"/van-ban/{seed_id}/xoa", {}, page=f"/van-ban/{seed_id}").status_code == 403


def test_users_change_their_own_password(demo, login):
    office = login("vanphong")
    wrong = office.post_form("/tai-khoan", {"current": "sai", "new": "mat-khau-moi-1", "confirm": "mat-khau-moi-1"})
    assert wrong.status_code == 400 and "Mật khẩu hiện tại không đúng." in wrong.get_data(as_text=True)
    mismatch = office.post_form("/tai-khoan", {"current": "demo1234", "new": "mat-khau-moi-1", "confirm": "khac"})
    assert "Hai lần nhập mật khẩu mới không giống nhau." in mismatch.get_data(as_text=True)
    assert office.post_form("/tai-khoan", {"current": "demo1234", "new": "mat-khau-moi-1",
                                           "confirm": "mat-khau-moi-1"}).status_code == 302
    login("vanphong", "mat-khau-moi-1")
    with demo.app_context():
        user = db.session.scalar(select(User).where(User.username == "vanphong"))
        assert user.check_password("mat-khau-moi-1") and not user.check_password("demo1234")


# ---- following up --------------------------------------------------------------------------------

def test_the_lead_sees_its_coordinators_and_a_coordinator_sends_its_input(live, login):
    with live.app_context():
        dak_lak = db.session.scalar(select(Directive).where(Directive.source_key.contains("000-")))
        task = dak_lak.live_sections[1].live_tasks[0]
        lead = next(a for a in task.assignments if a.role == "lead")
        helper = next(a for a in task.assignments if a.role == "coordinating")
        for assignment, username in ((lead, "lead.user"), (helper, "helper.user")):
            user = User(username=username, full_name=username, agency_id=assignment.agency_id, active=True)
            user.set_roles(["staff"])
            user.set_password("demo1234")
            db.session.add(user)
        db.session.commit()
        lead_id, helper_id, helper_agency = lead.id, helper.id, helper.agency.name
    coordinator = login("helper.user")
    page = f"/nhiem-vu/{helper_id}"
    assert "Đơn vị chủ trì" in coordinator.get(page).get_data(as_text=True)
    coordinator.post_form(f"{page}/y-kien-phoi-hop", {"note": "Đã rà soát 3 chốt, gửi số liệu."}, page=page)
    leader = login("lead.user")
    lead_page = leader.get(f"/nhiem-vu/{lead_id}").get_data(as_text=True)
    assert 'data-testid="partners"' in lead_page and helper_agency in lead_page
    assert "Đã rà soát 3 chốt, gửi số liệu." in lead_page
    assert "gửi ý kiến" in leader.get("/thong-bao").get_data(as_text=True)
    with live.app_context():
        assert db.session.scalar(select(ProgressReport.kind).where(ProgressReport.assignment_id == helper_id)) == \
            "input"


@pytest.mark.parametrize("text, rule", [
    ("Báo cáo định kỳ hằng tháng trước ngày 20 về Sở Y tế", "monthly:20"),
    ("Tổng hợp, báo cáo vào thứ Sáu hằng tuần", "weekly:4"),
    ("Báo cáo hằng quý trước ngày 15 của tháng cuối quý", "quarterly:15"),
    ("Báo cáo định kỳ 6 tháng trước ngày 30 tháng 6", "halfyearly:30"),
    ("Báo cáo hằng năm trước ngày 15/12", "yearly:12-15"),
    ("Hoàn thành trong 6 tháng", None),
    ("Thực hiện chế độ trợ cấp hằng tháng cho người có công", None),
    ("Kiểm tra việc thực hiện quy định về an toàn", None),
])
def test_recurring_obligations_are_read_from_the_wording(text, rule):
    assert recurrence.parse(text) == rule


def test_due_dates_of_each_rule():
    assert recurrence.due_dates("monthly:20", date(2026, 6, 21), date(2026, 9, 30)) == [
        date(2026, 7, 20), date(2026, 8, 20), date(2026, 9, 20)]
    assert recurrence.due_dates("monthly:31", date(2026, 2, 1), date(2026, 2, 28)) == [date(2026, 2, 28)]
    assert recurrence.due_dates("weekly:4", date(2026, 6, 15), date(2026, 6, 30)) == [date(2026, 6, 19),
                                                                                      date(2026, 6, 26)]
    assert recurrence.due_dates("quarterly:last", date(2026, 1, 1), date(2026, 12, 31))[-1] == date(2026, 12, 31)
    assert recurrence.period_label("quarterly:last", date(2026, 9, 30)) == "quý III/2026"


@pytest.mark.clock(DEFAULT_CLOCK)  # the periods below are those of 15/06/2026, whatever TEST_CLOCK says
def test_each_period_of_a_recurring_task_has_its_deadline_and_status(live, login, clock):
    with live.app_context():
        assignment = db.session.scalar(select(Assignment).join(Agency).where(Agency.name == HEALTH)
                                       .order_by(Assignment.id))
        assignment.task.text = "Báo cáo định kỳ hằng tháng trước ngày 20 kết quả kiểm tra"
        assignment.task.recurrence = recurrence.parse(assignment.task.text)
        directive = assignment.directive
        directive.issued_date = date(2026, 4, 1)
        db.session.commit()
        assignment_id = assignment.id
    department = login("soyte")
    page = department.get(f"/nhiem-vu/{assignment_id}").get_data(as_text=True)
    assert 'data-testid="periods"' in page and "Định kỳ: hằng tháng, trước ngày 20" in page
    with live.app_context():
        periods = db.session.scalars(select(Occurrence).where(Occurrence.assignment_id == assignment_id)
                                     .order_by(Occurrence.due_date)).all()
        # today is 15/06/2026: April and May are overdue, June is due on the 20th
        assert [p.due_date for p in periods] == [date(2026, 4, 20), date(2026, 5, 20), date(2026, 6, 20)]
        assert db.session.get(Assignment, assignment_id).deadline == date(2026, 4, 20)
        april = periods[0].id
    assert "Quá hạn, chưa báo cáo" in page
    url = f"/nhiem-vu/{assignment_id}/ky/{april}"
    department.post_form(url, {"note": "Đã kiểm tra 12 cơ sở."}, page=f"/nhiem-vu/{assignment_id}")
    again = department.post_form(url, {"note": "Lần nữa"}, page=f"/nhiem-vu/{assignment_id}", follow_redirects=True)
    assert "đã báo cáo rồi" in again.get_data(as_text=True)
    with live.app_context():
        assignment = db.session.get(Assignment, assignment_id)
        assert assignment.deadline == date(2026, 5, 20)  # the next open period
        assert "Báo cáo kỳ tháng 4/2026 (quá hạn): Đã kiểm tra 12 cơ sở." in [r.note for r in assignment.reports]
    assert login("vanphong").post_form(url, {"note": "x"}, page="/theo-doi").status_code == 403


def test_the_office_grants_another_date_than_the_one_asked_with_a_reason(live, login):
    with live.app_context():
        assignment = db.session.scalar(select(Assignment).join(Agency).where(Agency.name == HEALTH)
                                       .order_by(Assignment.id))
        assignment.deadline = assignment.original_deadline = local_today() + timedelta(days=5)
        assignment.status = "dang_thuc_hien"
        db.session.add(ExtensionRequest(assignment=assignment, sequence=1, deadline_before=assignment.deadline,
                                        requested_deadline=local_today() + timedelta(days=30), reason="Chờ kinh phí"))
        db.session.commit()
        request_id, assignment_id = db.session.scalar(select(ExtensionRequest.id)), assignment.id
    office, url = login("vanphong"), f"/nhiem-vu/{assignment_id}"
    other = (local_today() + timedelta(days=20)).strftime("%d/%m/%Y")
    silent = office.post_form(f"/gia-han/{request_id}/dong-y", {"granted": other, "note": ""}, page=url,
                              follow_redirects=True)
    assert "ghi lý do" in silent.get_data(as_text=True)
    office.post_form(f"/gia-han/{request_id}/dong-y", {"granted": other, "note": "Đủ thời gian mua sinh phẩm."},
                     page=url)
    with live.app_context():
        request = db.session.get(ExtensionRequest, request_id)
        assert request.status == "approved" and request.granted_deadline == local_today() + timedelta(days=20)
        assert db.session.get(Assignment, assignment_id).deadline == local_today() + timedelta(days=20)
    assert f"Được gia hạn đến {other}" in login("soyte").get(url).get_data(as_text=True)


def test_snapshots_are_listed_and_a_cutoff_with_nothing_is_refused(live, login):
    office = login("vanphong")
    empty = office.post_form("/theo-doi/chot-so-lieu", {"cutoff": "01/01/2020"}, page="/theo-doi",
                             follow_redirects=True).get_data(as_text=True)
    assert "chưa có nhiệm vụ nào được giao" in empty
    office.post_form("/theo-doi/chot-so-lieu", {"cutoff": local_today().strftime("%d/%m/%Y")}, page="/theo-doi")
    listing = office.get("/theo-doi/so-lieu-da-chot").get_data(as_text=True)
    assert listing.count("<tr>") >= 2 and local_today().strftime("%d/%m/%Y") in listing
    assert "01/01/2020" not in listing


# ---- reading the figures ---------------------------------------------------------------------------

def test_numbers_follow_vietnamese_conventions():
    from app import numbers

    assert numbers.percent(18.4) == "18,4 %" and numbers.filesize(25088) == "24,5 KB"
    assert numbers.number(1234567) == "1.234.567" and numbers.signed(-2) == "\u22122" and numbers.signed(3) == "+3"


def test_numbers_print_what_babels_own_functions_print():
    """app/numbers.py parses the locale and each pattern once: the text must stay Babel's, value for value."""
    import random

    from babel.numbers import format_decimal, format_percent

    from app import numbers

    pick = random.Random(12)
    values = [0, 100, 12.25, 0.05, 99.95, 1e9, 2.5, 33.333333] + [pick.random() * 100 for _ in range(500)] + [
        pick.randint(0, 10 ** 9) for _ in range(200)]
    for value in values:
        assert numbers.percent(value) == format_percent(value / 100, format="#,##0.0 %", locale="vi_VN"), value
        assert numbers.percent(value, 0) == format_percent(value / 100, format="#,##0 %", locale="vi_VN"), value
        assert numbers.number(value) == format_decimal(value, locale="vi_VN"), value


def test_the_audit_log_speaks_vietnamese_and_filters(live, login):
    office = login("vanphong")
    with live.app_context():
        assignment_id = db.session.scalar(select(Assignment.id).join(Agency).where(Agency.name == HEALTH))
    department = login("soyte")
    page = department.get(f"/nhiem-vu/{assignment_id}").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    department.post_form(f"/nhiem-vu/{assignment_id}", {"version": version, "action": "start", "note": "Bắt đầu"})
    admin = login("admin")
    page = admin.get("/quan-tri/nhat-ky").get_data(as_text=True)
    log = page[page.index('data-testid="audit"'):]
    assert "auth.login" not in log and "#" not in log and "None" not in log  # no codes, ids or Python words
    assert "Lê Thị Sở Y Tế</strong> bắt đầu thực hiện" in log and "Lê Thị Sở Y Tế</strong> đăng nhập" in log
    assert "Trạng thái: Chưa thực hiện → Đang thực hiện" in log
    with live.app_context():
        soyte = db.session.scalar(select(User.id).where(User.username == "soyte"))
    only = admin.get(f"/quan-tri/nhat-ky?nguoi={soyte}&doi-tuong=Assignment").get_data(as_text=True)
    assert only.count('data-testid="audit-line"') == 1
    bad = admin.get("/quan-tri/nhat-ky?tu=31/02/2026")
    assert bad.status_code == 400 and "Không có ngày 31/02/2026" in bad.get_data(as_text=True)
    assert office is not None


def test_signature_defaults_follow_the_issuing_organisation(demo, login):
    page = login("vanphong").get("/theo-doi/bao-cao").get_data(as_text=True)
    # the report goes out under the Văn phòng's own name: its head signs, with no TL. CHỦ TỊCH
    assert re.search(r'name="signer_title"[^>]*value="CHÁNH VĂN PHÒNG"', page)
    assert not re.search(r'<option selected value="TL\.">|<option value="TL\." selected', page)
    form_page = login("soyte").get("/van-ban/moi").get_data(as_text=True)
    assert re.search(r'name="signer_authority_title"[^>]*value="GIÁM ĐỐC"', form_page)
    assert "PHÓ GIÁM ĐỐC" in form_page
    from app.rules.signers import default_signer

    assert default_signer("ubnd_tinh") == {"authority": "TM.", "authority_title": "ỦY BAN NHÂN DÂN",
                                           "title": "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", "name": None}


def test_the_side_panel_prints_the_whole_signature_block(live, login):
    with live.app_context():
        seed = db.session.scalar(select(Directive).where(Directive.source_key.contains("001-")))
        directive_id = seed.id
        lines = [line for line in (seed.signer_authority, seed.signer_authority_title) if line]
    page = login("vanphong").get(f"/van-ban/{directive_id}").get_data(as_text=True)
    assert " ".join(lines) in page
    assert DirectiveComment is not None and csrf_from is not None
