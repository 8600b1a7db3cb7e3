"""The admin pages: an agency, a group and a user created through the forms, then used."""
import re

from sqlalchemy import select

from app.extensions import db
from app.models import Agency, AgencyGroup, AuditEvent, User


def option_value(html, label):
    match = re.search(r'<option value="(\d+)"[^>]*>' + re.escape(label) + "</option>", html)
    assert match, label
    return match.group(1)


def test_admin_creates_agency_group_and_user(demo, login):
    admin = login("admin")
    page = admin.get("/quan-tri/co-quan/moi").get_data(as_text=True)
    parent = option_value(page, "Ủy ban nhân dân tỉnh Kon Tum")
    response = admin.post_form("/quan-tri/co-quan/moi", {
        "name": "  Sở Khoa học và Công nghệ tỉnh Kon Tum ", "short_name": "Sở Khoa học và Công nghệ",
        "abbreviation": "SKHCN", "kind": "so", "parent_id": parent,
        "header_text": "UBND TỈNH KON TUM\nSỞ KHOA HỌC VÀ CÔNG NGHỆ", "place": "Kon Tum", "active": "y"})
    assert response.status_code == 302
    duplicate = admin.post_form("/quan-tri/co-quan/moi", {
        "name": "Sở Khoa học và Công nghệ tỉnh Kon Tum", "short_name": "x", "kind": "so", "parent_id": parent})
    assert duplicate.status_code == 400 and "Đã có cơ quan mang tên này." in duplicate.get_data(as_text=True)
    with demo.app_context():
        science = db.session.scalar(select(Agency).where(Agency.name == "Sở Khoa học và Công nghệ tỉnh Kon Tum"))
        assert science.parent.name == "Ủy ban nhân dân tỉnh Kon Tum"
        assert science.header_lines == ["UBND TỈNH KON TUM", "SỞ KHOA HỌC VÀ CÔNG NGHỆ"]
        health = db.session.scalar(select(Agency.id).where(Agency.name == "Sở Y tế tỉnh Kon Tum"))
        science_id = science.id

    page = admin.get("/quan-tri/nhom/moi").get_data(as_text=True)
    response = admin.post_form("/quan-tri/nhom/moi", {
        "name": "Các sở khối khoa giáo", "owner_id": parent, "description": "",
        "members": [str(science_id), str(health)]})
    assert response.status_code == 302
    with demo.app_context():
        group = db.session.scalar(select(AgencyGroup).where(AgencyGroup.name == "Các sở khối khoa giáo"))
        assert {m.id for m in group.members} == {science_id, health}

    response = admin.post_form("/quan-tri/nguoi-dung/moi", {
        "username": "SoKHCN", "full_name": "Cán bộ Sở KH&CN", "roles": ["staff", "leader"],
        "agency_id": str(science_id), "admin_scope_id": "", "password": "mat-khau-du-dai", "active": "y"})
    assert response.status_code == 302
    short = admin.post_form("/quan-tri/nguoi-dung/moi", {
        "username": "x2", "full_name": "X", "roles": ["staff"], "agency_id": "", "admin_scope_id": "",
        "password": "ngan"})
    text = short.get_data(as_text=True)
    assert short.status_code == 400 and "Mật khẩu từ 8 đến 200 ký tự." in text
    assert "Người dùng phải thuộc một cơ quan" in text
    no_role = admin.post_form("/quan-tri/nguoi-dung/moi", {
        "username": "x3", "full_name": "X", "agency_id": str(science_id), "admin_scope_id": "",
        "password": "mat-khau-du-dai"})
    assert no_role.status_code == 400 and "Chọn ít nhất một vai trò." in no_role.get_data(as_text=True)
    with demo.app_context():
        user = db.session.scalar(select(User).where(User.username == "sokhcn"))
        assert user.agency_id == science_id and user.check_password("mat-khau-du-dai")
        assert user.role_names == {"staff", "leader"} and user.organisation_ids == {science_id}
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {"agency.create", "group.create", "user.create"} <= actions
    new_user = login("sokhcn", "mat-khau-du-dai")
    assert "Nhiệm vụ của đơn vị" in new_user.get("/nhiem-vu").get_data(as_text=True)
    # an admin cannot lock themselves out
    with demo.app_context():
        admin_id = db.session.scalar(select(User.id).where(User.username == "admin"))
    locked = admin.post_form(f"/quan-tri/nguoi-dung/{admin_id}", {
        "username": "admin", "full_name": "Quản trị", "roles": ["staff"], "agency_id": "", "admin_scope_id": "",
        "password": ""})
    assert locked.status_code == 400 and "Không thể tự khóa" in locked.get_data(as_text=True)


def test_an_admin_of_one_subtree_manages_only_that_subtree(demo, login):
    """A Sở's admin sees and edits its own units and people, never another Sở's or province's."""
    with demo.app_context():
        health = db.session.scalar(select(Agency).where(Agency.name == "Sở Y tế tỉnh Kon Tum"))
        unit = db.session.scalar(select(Agency).where(Agency.name == "Trung tâm Y tế huyện Ia H'Drai"))
        police = db.session.scalar(select(Agency).where(Agency.name == "Công an tỉnh Kon Tum"))
        keeper = User(username="qt.soyte", full_name="Quản trị Sở Y tế", agency=health, admin_scope=health, active=True)
        keeper.set_roles(["admin"])
        keeper.set_password("demo1234")
        db.session.add(keeper)
        db.session.commit()
        health_id, unit_id, police_id = health.id, unit.id, police.id
        outsider = db.session.scalar(select(User.id).where(User.username == "congan.kontum"))
        insider = db.session.scalar(select(User.id).where(User.username == "ttyt.iahdrai"))
    admin = login("qt.soyte")
    listing = admin.get("/quan-tri/co-quan").get_data(as_text=True)
    assert "Trung tâm Y tế huyện Ia H&#39;Drai" in listing and "Công an tỉnh Kon Tum" not in listing
    assert admin.get(f"/quan-tri/co-quan/{unit_id}").status_code == 200
    assert admin.get(f"/quan-tri/co-quan/{police_id}").status_code == 404
    assert admin.get(f"/quan-tri/nguoi-dung/{insider}").status_code == 200
    assert admin.get(f"/quan-tri/nguoi-dung/{outsider}").status_code == 404
    page = admin.get("/quan-tri/nguoi-dung/moi").get_data(as_text=True)
    assert "Toàn hệ thống" not in page  # cannot hand out more than it holds
    widen = admin.post_form("/quan-tri/nguoi-dung/moi", {
        "username": "qt2", "full_name": "Q", "roles": ["admin"], "agency_id": str(unit_id),
        "admin_scope_id": str(police_id), "password": "mat-khau-du-dai"})
    assert widen.status_code == 400 and "Phạm vi quản trị không hợp lệ." in widen.get_data(as_text=True)
    blank = admin.post_form("/quan-tri/nguoi-dung/moi", {  # no scope given: its own, never the deployment
        "username": "qt3", "full_name": "Q", "roles": ["admin"], "agency_id": str(unit_id), "admin_scope_id": "",
        "password": "mat-khau-du-dai"})
    assert blank.status_code == 302
    with demo.app_context():
        assert db.session.scalar(select(User.admin_scope_id).where(User.username == "qt3")) == health_id
    foreign = admin.post_form("/quan-tri/co-quan/moi", {
        "name": "Phòng mới", "short_name": "Phòng mới", "kind": "phong", "parent_id": str(police_id)})
    assert foreign.status_code == 400  # a parent outside the subtree is not a choice
    ok = admin.post_form("/quan-tri/co-quan/moi", {
        "name": "Phòng Nghiệp vụ Y Sở Y tế tỉnh Kon Tum", "short_name": "Phòng Nghiệp vụ Y", "kind": "bo_phan",
        "parent_id": str(health_id)})
    assert ok.status_code == 302


def test_dissolving_an_agency_moves_its_open_work_to_the_successor(live, login):
    """1 July 2025: a district ends; its open assignments go to its successor, with the move in their
    history; the letters keep the name they printed."""
    from app.models import Assignment, ProgressReport

    with live.app_context():
        district = db.session.scalar(select(Agency).where(Agency.name == "Ủy ban nhân dân huyện Đắk Hà"))
        successor = db.session.scalar(select(Agency).where(Agency.name == "Ủy ban nhân dân thành phố Kon Tum"))
        moved_ids = db.session.scalars(select(Assignment.id).where(Assignment.agency_id == district.id)).all()
        assert moved_ids
        district_id, successor_id = district.id, successor.id
    admin = login("admin")
    page = admin.get(f"/quan-tri/co-quan/{district_id}").get_data(as_text=True)
    assert 'data-testid="dissolve"' in page
    bad = admin.post_form(f"/quan-tri/co-quan/{district_id}/giai-the", {"successor_id": "", "day": "31/02/2025"},
                          page=f"/quan-tri/co-quan/{district_id}", follow_redirects=True)
    assert "Chưa giải thể" in bad.get_data(as_text=True)
    done = admin.post_form(f"/quan-tri/co-quan/{district_id}/giai-the",
                           {"successor_id": str(successor_id), "day": "01/07/2025", "note": "Luật 72/2025/QH15"},
                           page=f"/quan-tri/co-quan/{district_id}", follow_redirects=True)
    assert "kết thúc hoạt động từ ngày 01/07/2025" in done.get_data(as_text=True)
    with live.app_context():
        district = db.session.get(Agency, district_id)
        assert district.valid_to.isoformat() == "2025-07-01" and district.successor_id == successor_id
        assert not district.active
        for assignment_id in moved_ids:
            assignment = db.session.get(Assignment, assignment_id)
            owner = assignment.agency_id if assignment.active else None
            history = db.session.scalars(select(ProgressReport).where(ProgressReport.kind == "transfer")).all()
            assert owner in (successor_id, None)
            assert any("Chuyển giao từ Ủy ban nhân dân huyện Đắk Hà" in r.note for r in history)
        letter = db.session.scalar(select(AgencyGroup).where(AgencyGroup.name == "Ủy ban nhân dân các huyện, thành phố"))
        assert district_id not in {m.id for m in letter.members}
    again = admin.post_form(f"/quan-tri/co-quan/{district_id}/giai-the",
                            {"successor_id": str(successor_id), "day": "02/07/2025"},
                            page=f"/quan-tri/co-quan/{district_id}", follow_redirects=True)
    assert "đã kết thúc hoạt động" in again.get_data(as_text=True)
