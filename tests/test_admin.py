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
        "username": "SoKHCN", "full_name": "Cán bộ Sở KH&CN", "role": "department",
        "agency_id": str(science_id), "password": "mat-khau-du-dai", "active": "y"})
    assert response.status_code == 302
    short = admin.post_form("/quan-tri/nguoi-dung/moi", {
        "username": "x2", "full_name": "X", "role": "department", "agency_id": "", "password": "ngan"})
    text = short.get_data(as_text=True)
    assert short.status_code == 400 and "Mật khẩu từ 8 đến 200 ký tự." in text
    assert "Tài khoản đơn vị phải thuộc một cơ quan." in text
    with demo.app_context():
        user = db.session.scalar(select(User).where(User.username == "sokhcn"))
        assert user.agency_id == science_id and user.check_password("mat-khau-du-dai")
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {"agency.create", "group.create", "user.create"} <= actions
    new_user = login("sokhcn", "mat-khau-du-dai")
    assert "Nhiệm vụ của đơn vị" in new_user.get("/nhiem-vu").get_data(as_text=True)
    # an admin cannot lock themselves out
    with demo.app_context():
        admin_id = db.session.scalar(select(User.id).where(User.username == "admin"))
    locked = admin.post_form(f"/quan-tri/nguoi-dung/{admin_id}", {
        "username": "admin", "full_name": "Quản trị", "role": "office", "agency_id": "", "password": ""})
    assert locked.status_code == 400 and "Không thể tự khóa" in locked.get_data(as_text=True)
