"""The web interface end to end through the Flask test client, with CSRF on."""
import re

from sqlalchemy import select

from app.extensions import db
from app.models import Agency, AgencyGroup, Assignment, Directive


def ids(app):
    with app.app_context():
        issuer = db.session.scalar(select(Agency.id).where(Agency.name == "Ủy ban nhân dân tỉnh Kon Tum"))
        health = db.session.scalar(select(Agency.id).where(Agency.name == "Sở Y tế tỉnh Kon Tum"))
        districts = db.session.scalar(select(AgencyGroup).where(
            AgencyGroup.name == "Ủy ban nhân dân các huyện, thành phố", AgencyGroup.owner_id == issuer))
        return issuer, health, districts.id, len(districts.members)


def directive_form(issuer, health, districts, **extra):
    form = {
        "doc_type": "cong_van", "issuer_agency_id": str(issuer), "symbol": "UBND-KGVX", "place": "",
        "subject": "triển khai tiêm chủng mùa đông", "urgency": "",
        "recipients-0-text": "Sở Y tế", "recipients-1003-text": "Ủy ban nhân dân các huyện, thành phố",
        "preamble": "Thực hiện chỉ đạo của Bộ Y tế;",
        "sections-0-number": "1", "sections-0-heading": "Sở Y tế chủ trì, phối hợp với UBND các huyện, thành phố:",
        "sections-0-assignees-0-target": f"a:{health}", "sections-0-assignees-0-role": "lead",
        "sections-0-assignees-0-deadline": "15/12/2026",
        "sections-0-assignees-1001-target": f"g:{districts}", "sections-0-assignees-1001-role": "coordinating",
        "sections-0-assignees-1001-deadline": "",
        "sections-0-tasks-0-text": "Lập kế hoạch tiêm chủng.", "sections-0-tasks-0-deadline": "",
        "sections-0-tasks-1002-text": "Báo cáo kết quả.", "sections-0-tasks-1002-deadline": "31/12/2026",
        "closing": "Đề nghị các đơn vị thực hiện./.",
        "cc-0-text": "Như trên;", "cc-1-text": "Lưu: VT, KGVX.",
        "signer_authority": "KT.", "signer_authority_title": "CHỦ TỊCH", "signer_title": "PHÓ CHỦ TỊCH",
        "signer_name": "Nguyễn Văn A",
    }
    form.update(extra)
    return form


def create_directive(office, app):
    issuer, health, districts, members = ids(app)
    response = office.post_form("/van-ban/moi", directive_form(issuer, health, districts))
    assert response.status_code == 302, response.get_data(as_text=True)
    directive_id = int(response.headers["Location"].rsplit("/", 1)[1])
    return directive_id, health, members


def approve_and_issue(app, login, directive_id, tmp_path):
    """The leader approves, the clerk numbers it: only then do the tasks reach the departments."""
    app.config["GENERATED_DIR"] = str(tmp_path / "generated")
    page = f"/van-ban/{directive_id}"
    assert login("lanhdao").post_form(f"{page}/duyet", {}, page=page).status_code == 302
    assert login("vanthu").post_form(f"{page}/phat-hanh", {}, page=page).status_code == 302
    with app.app_context():
        assert db.session.get(Directive, directive_id).state == "issued"


def own_assignment(app, directive_id, agency_id):
    with app.app_context():
        directive = db.session.get(Directive, directive_id)
        return next(a.id for s in directive.sections for t in s.tasks for a in t.assignments
                    if a.agency_id == agency_id)


def test_office_creates_a_directive_with_group_fan_out(demo, login):
    office = login("vanphong")
    directive_id, health, members = create_directive(office, demo)
    with demo.app_context():
        directive = db.session.get(Directive, directive_id)
        assert directive.state == "draft" and directive.place == "Kon Tum"
        assert [r.name for r in directive.recipients] == ["Sở Y tế", "Ủy ban nhân dân các huyện, thành phố"]
        assert [c.text for c in directive.cc_lines] == ["Như trên", "Lưu: VT, KGVX"]
        first, second = directive.sections[0].tasks
        assert len(first.assignments) == 1 + members
        # no deadline on the task: Sở Y tế keeps the one beside its name, the districts have none
        assert {a.agency_id: a.deadline.strftime("%d/%m/%Y") if a.deadline else None
                for a in first.assignments}[health] == "15/12/2026"
        # the task's own deadline (31/12) is printed closer to it than the section's (15/12): it wins
        lead = next(a for a in second.assignments if a.agency_id == health)
        assert lead.role == "lead" and lead.deadline.strftime("%d/%m/%Y") == "31/12/2026"
        assert {a.deadline.strftime("%d/%m/%Y") for a in second.assignments} == {"31/12/2026"}
    page = office.get(f"/van-ban/{directive_id}").get_data(as_text=True)
    assert "triển khai tiêm chủng mùa đông" in page and "Dự thảo" in page


def test_department_follows_a_task_to_confirmed_completion(demo, login, tmp_path):
    office = login("vanphong")
    directive_id, health, _ = create_directive(office, demo)
    department = login("soyte")
    assert department.get(f"/van-ban/{directive_id}").status_code == 404  # still a draft

    leader = login("lanhdao")
    response = leader.post_form(f"/van-ban/{directive_id}/duyet", {}, page=f"/van-ban/{directive_id}")
    assert response.status_code == 302
    # approved is not yet sent: nothing in the department's inbox
    assert "Lập kế hoạch tiêm chủng." not in department.get("/nhiem-vu?q=tiem+chung").get_data(as_text=True)
    assert department.get(f"/van-ban/{directive_id}").status_code == 404
    clerk = login("vanthu")
    demo.config["GENERATED_DIR"] = str(tmp_path / "generated")
    assert clerk.post_form(f"/van-ban/{directive_id}/phat-hanh", {}, page=f"/van-ban/{directive_id}").status_code == 302

    inbox = department.get("/nhiem-vu?q=tiem+chung").get_data(as_text=True)
    assert "Lập kế hoạch tiêm chủng." in inbox
    with demo.app_context():
        from app.models import ReceivedEntry

        arrived = db.session.scalar(select(ReceivedEntry).where(ReceivedEntry.directive_id == directive_id,
                                                                ReceivedEntry.agency_id == health))
        assert arrived is not None and arrived.sequence == 1 and arrived.source == "internal"
    assignment_id = own_assignment(demo, directive_id, health)
    url = f"/nhiem-vu/{assignment_id}"
    page = department.get(url).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    response = department.post_form(url, {"version": version, "action": "start", "percent": "30",
                                          "note": "Đã phân công cán bộ."})
    assert response.status_code == 302
    page = department.get(url).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    department.post_form(url, {"version": version, "action": "submit", "percent": "", "note": "Đã hoàn thành."})
    assert department.post_form(url, {"version": version, "action": "confirm", "note": ""}).status_code == 403

    page = office.get(url).get_data(as_text=True)
    assert "Chờ xác nhận" in page and "Xác nhận hoàn thành" in page
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    assert office.post_form(url, {"version": version, "action": "confirm", "note": ""}).status_code == 302

    with demo.app_context():
        assignment = db.session.get(Assignment, assignment_id)
        assert assignment.status == "hoan_thanh" and assignment.progress_percent == 100
        history = [(r.old_status, r.new_status) for r in assignment.reports]
        assert history == [("chua_thuc_hien", "dang_thuc_hien"), ("dang_thuc_hien", "cho_xac_nhan"),
                           ("cho_xac_nhan", "hoan_thanh")]
    directive_page = office.get(f"/van-ban/{directive_id}").get_data(as_text=True)
    row = re.search(r'<tr data-agency="Sở Y tế tỉnh Kon Tum">(.*?)</tr>', directive_page, re.S).group(1)
    assert "Hoàn thành" in row


def test_stale_assignment_update_is_refused_and_shows_the_new_state(demo, login, tmp_path):
    office = login("vanphong")
    directive_id, health, _ = create_directive(office, demo)
    approve_and_issue(demo, login, directive_id, tmp_path)
    department = login("soyte")
    url = f"/nhiem-vu/{own_assignment(demo, directive_id, health)}"
    page = department.get(url).get_data(as_text=True)
    old_version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    department.post_form(url, {"version": old_version, "action": "start", "percent": "10", "note": "Bắt đầu."})
    response = department.post_form(url, {"version": old_version, "action": "submit", "note": "Báo cáo cũ"})
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "vừa được người khác cập nhật" in text and "Báo cáo cũ" in text and "Đang thực hiện" in text


def test_stale_directive_edit_keeps_what_the_user_typed(demo, login):
    office = login("vanphong")
    directive_id, _, _ = create_directive(office, demo)
    edit_url = f"/van-ban/{directive_id}/sua"
    issuer, health, districts, _ = ids(demo)
    first = office.post_form(edit_url, directive_form(issuer, health, districts, version="1", subject="bản thứ hai"))
    assert first.status_code == 302
    second = office.post_form(edit_url, directive_form(issuer, health, districts, version="1",
                                                       subject="bản của người chậm chân"))
    assert second.status_code == 409
    text = second.get_data(as_text=True)
    assert "vừa được người khác cập nhật" in text and "bản của người chậm chân" in text
    with demo.app_context():
        assert db.session.get(Directive, directive_id).subject == "bản thứ hai"


def test_editing_through_the_form_keeps_assignment_rows_and_needs_a_new_approval(demo, login):
    office = login("vanphong")
    directive_id, health, _ = create_directive(office, demo)
    login("lanhdao").post_form(f"/van-ban/{directive_id}/duyet", {}, page=f"/van-ban/{directive_id}")
    assignment_id = own_assignment(demo, directive_id, health)

    # the edit page carries the row ids; change the heading and save
    edit_page = office.get(f"/van-ban/{directive_id}/sua").get_data(as_text=True)
    fields = dict(re.findall(r'name="((?:sections|recipients|cc)-[^"]+)"[^>]*value="([^"]*)"', edit_page))
    fields = {k: v for k, v in fields.items() if k.endswith("-id")}
    issuer, health, districts, _ = ids(demo)
    form = directive_form(issuer, health, districts, version="2",
                          **{"sections-0-heading": "Sở Y tế chủ trì thực hiện:"})
    form.update(fields)
    form["sections-0-tasks-1002-id"] = form.pop("sections-0-tasks-1-id")
    response = office.post_form(f"/van-ban/{directive_id}/sua", form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with demo.app_context():
        assignment = db.session.get(Assignment, assignment_id)
        assert assignment is not None and assignment.active  # the same row, nothing reached anyone yet
        directive = db.session.get(Directive, directive_id)
        assert directive.sections[0].heading == "Sở Y tế chủ trì thực hiện:"
        assert directive.state == "draft"  # a changed approved text goes back for approval


def test_directive_list_filters_and_accent_free_search(live, login):
    """Each organisation's list holds its own directives and those that give it a task."""
    office = login("daklak.vp")
    page = office.get("/van-ban").get_data(as_text=True)
    assert "1 văn bản" in page
    found = office.get("/van-ban?q=BUON+MA+THUOT+quy+che").get_data(as_text=True)
    assert "Chốt kiểm soát phòng chống dịch COVID-19" in found and "1 văn bản" in found
    assert "0 văn bản" in login("vanphong").get("/van-ban?q=BUON+MA+THUOT+quy+che").get_data(as_text=True)
    with live.app_context():
        lang_son = db.session.scalar(select(Agency.id).where(Agency.name == "Văn phòng Ủy ban nhân dân tỉnh Lạng Sơn"))
    by_issuer = login("langson.vp").get(f"/van-ban?issuer={lang_son}").get_data(as_text=True)
    assert "1 văn bản" in by_issuer and "tăng cường công tác phòng" in by_issuer
    assert "1 văn bản" in office.get("/van-ban?state=issued").get_data(as_text=True)
    assert "0 văn bản" in office.get("/van-ban?state=draft").get_data(as_text=True)
    assert "0 văn bản" in office.get("/van-ban?year=2001").get_data(as_text=True)


def test_pagination(demo, login):
    demo.config["PER_PAGE"] = 2
    office = login("vanphong")
    issuer, health, districts, _ = ids(demo)
    for index in range(4):
        office.post_form("/van-ban/moi", directive_form(issuer, health, districts, subject=f"bản số {index}"))
    first = office.get("/van-ban").get_data(as_text=True)
    third = office.get("/van-ban?page=3").get_data(as_text=True)
    assert first.count("/van-ban/") - third.count("/van-ban/") >= 1
    assert 'href="/van-ban?page=3"' in first


def test_the_directive_list_counts_ahead_and_its_pager_reaches_every_directive(demo, login):
    """Counted only LIST_COUNT_AHEAD rows past the page's first: "Hơn …" while there are more, the exact
    count once the end is within reach, and the pages followed with "Sau" hold every directive once, in
    the list's order (the same as counted in full)."""
    from app.directives import queries
    from app.models import User

    demo.config.update(PER_PAGE=1, LIST_COUNT_AHEAD=2)
    office = login("vanphong")
    issuer, health, districts, _ = ids(demo)
    for index in range(4):
        office.post_form("/van-ban/moi", directive_form(issuer, health, districts, subject=f"bản số {index}"))
    with demo.app_context():
        user = db.session.scalar(select(User).where(User.username == "vanphong"))
        filters = queries.parse_filters({})
        expected = list(db.session.scalars(queries.filtered_directives(filters, user)).unique())
        expected = [d.id for d in expected]
    assert len(expected) >= 5
    seen, page, counts = [], 1, []
    while page:
        html = office.get(f"/van-ban?page={page}").get_data(as_text=True)
        counts.append(re.search(r'data-testid="directive-count">([^<]*) văn bản', html).group(1))
        table = html[html.index('data-testid="directive-table"'):]
        seen += [int(i) for i in re.findall(r'href="/van-ban/(\d+)"', table)]
        following = re.search(r'href="/van-ban\?page=(\d+)">Sau', html)
        page = int(following.group(1)) if following else None
    assert seen == expected
    assert counts[0] == "Hơn 2"  # page 1 counted rows 1–3: more than 2
    assert counts[-1] == str(len(expected))  # the last page sees the end
    assert all(count.startswith("Hơn ") for count in counts[:-2])


def test_department_inbox_lists_own_tasks(live, login):
    department = login("soyte")
    page = department.get("/nhiem-vu").get_data(as_text=True)
    assert "Nhiệm vụ của đơn vị" in page and "Sở Y tế (Kon Tum)" in page
    assert "Tăng cường kiểm tra công tác phòng, chống dịch" in page  # seed 001, section 3
