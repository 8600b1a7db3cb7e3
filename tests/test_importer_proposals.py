"""Names the directory does not hold, proposed as new agencies under the right parent; the form of a
proposal filled in for the administrator; the agency, once created, found by the next import."""
import json
from urllib.parse import parse_qs, urlparse

import lxml.html
import pytest
from sqlalchemy import select

from app.extensions import db
from app.importer.proposals import agency_case, propose
from app.importer.service import import_document
from app.models import Agency

LETTER = """{header}
Số: 12/{symbol}
V/v tăng cường ứng dụng khoa học trong phòng, chống dịch bệnh
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
{place}, ngày 05 tháng 11 năm 2026

Kính gửi:
{recipients}

{speaker} có ý kiến như sau:

1. Giao {first} chủ trì, phối hợp với các đơn vị liên quan xây dựng kế hoạch, hoàn thành trước ngày 30/12/2026.
2. Giao {second} triển khai thí điểm, báo cáo kết quả trước ngày 15/01/2027.

Nơi nhận:
- Như trên;
- Lưu: VT.
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH

Nguyễn Văn An
"""
PROVINCE = dict(header="ỦY BAN NHÂN DÂN\nTỈNH KON TUM", symbol="UBND-KGVX", place="Kon Tum",
                speaker="Ủy ban nhân dân tỉnh")
DISTRICT = dict(header="ỦY BAN NHÂN DÂN\nHUYỆN IA H'DRAI", symbol="UBND-VX", place="Ia H'Drai",
                speaker="Ủy ban nhân dân huyện")


def letter(where: dict, first: str, second: str) -> str:
    return LETTER.format(**where, first=first, second=second, recipients=f"- {first};\n- {second}.")


def agency(name: str) -> Agency:
    return db.session.scalar(select(Agency).where(Agency.name == name))


def proposals(text: str) -> dict:
    result = import_document(text=text)
    return {item["agency"]: item["proposal"] for item in result.unresolved}


@pytest.mark.parametrize("printed, expected", [
    ("SỞ KHOA HỌC VÀ CÔNG NGHỆ", "Sở Khoa học và Công nghệ"),
    ("SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "Sở Lao động - Thương binh và Xã hội"),
    ("SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH", "Sở Văn hóa, Thể thao và Du lịch"),
    ("PHÒNG TÀI CHÍNH - KẾ HOẠCH HUYỆN ĐẮK HÀ", "Phòng Tài chính - Kế hoạch huyện Đắk Hà"),
    ("TRUNG TÂM KIỂM SOÁT BỆNH TẬT THÀNH PHỐ HỒ CHÍ MINH", "Trung tâm Kiểm soát bệnh tật thành phố Hồ Chí Minh"),
    ("BẢO HIỂM XÃ HỘI TỈNH KON TUM", "Bảo hiểm xã hội tỉnh Kon Tum"),
    ("ỦY BAN NHÂN DÂN XÃ IA TƠI", "Ủy ban nhân dân xã Ia Tơi"),
])
def test_a_name_printed_in_capitals_is_written_as_nd30_writes_names(printed, expected):
    assert agency_case(printed) == expected


def test_a_province_letter_proposes_its_own_sở_and_units_under_the_province(demo):
    with demo.app_context():
        found = proposals(letter(PROVINCE, "Sở Khoa học và Công nghệ", "Bệnh viện Đa khoa tỉnh"))
        assert found["Sở Khoa học và Công nghệ"] == {
            "name": "Sở Khoa học và Công nghệ tỉnh Kon Tum", "short_name": "Sở Khoa học và Công nghệ",
            "kind": "so", "parent": "Ủy ban nhân dân tỉnh Kon Tum",
            "parent_id": agency("Ủy ban nhân dân tỉnh Kon Tum").id, "place": "Kon Tum"}
        assert found["Bệnh viện Đa khoa tỉnh"]["name"] == "Bệnh viện Đa khoa tỉnh Kon Tum"
        assert found["Bệnh viện Đa khoa tỉnh"]["kind"] == "don_vi"


def test_a_văn_phòng_proposes_under_the_ubnd_it_serves(demo):
    with demo.app_context():
        office = agency("Văn phòng Ủy ban nhân dân tỉnh Kon Tum")
        proposal = propose("Giám đốc Sở Tư pháp", office)  # the person's title is not part of the name
        assert (proposal.name, proposal.kind, proposal.parent.name) == \
               ("Sở Tư pháp tỉnh Kon Tum", "so", "Ủy ban nhân dân tỉnh Kon Tum")


def test_a_district_letter_proposes_its_phòng_and_xã_under_the_district(demo):
    with demo.app_context():
        found = proposals(letter(DISTRICT, "Phòng Nội vụ", "UBND xã Ia Mơ"))
        assert (found["Phòng Nội vụ"]["name"], found["Phòng Nội vụ"]["kind"], found["Phòng Nội vụ"]["parent"]) == \
               ("Phòng Nội vụ huyện Ia H'Drai", "phong", "Ủy ban nhân dân huyện Ia H'Drai")
        assert (found["UBND xã Ia Mơ"]["name"], found["UBND xã Ia Mơ"]["kind"], found["UBND xã Ia Mơ"]["parent"]) == \
               ("Ủy ban nhân dân xã Ia Mơ", "ubnd_xa", "Ủy ban nhân dân huyện Ia H'Drai")


def test_no_proposal_for_another_place_a_group_or_a_person(demo):
    with demo.app_context():
        province = agency("Ủy ban nhân dân tỉnh Kon Tum")
        assert propose("Sở Y tế tỉnh Gia Lai", province) is None
        assert propose("các Sở, ban, ngành thuộc tỉnh", province) is None
        assert propose("Ông Nguyễn Văn B", province) is None
        assert propose("Phòng Khám đa khoa", province) is None  # a phòng of what? the province has none
        assert propose("Sở Khoa học và Công nghệ tỉnh Kon Tum", province).name == "Sở Khoa học và Công nghệ tỉnh Kon Tum"


def test_a_foreign_letter_proposes_nothing_inside_a_tree_the_directory_does_not_hold(demo):
    foreign = dict(header="ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HỒ CHÍ MINH", symbol="UBND-VX", place="Thành phố Hồ Chí Minh",
                   speaker="Ủy ban nhân dân Thành phố")
    with demo.app_context():
        result = import_document(text=letter(foreign, "Sở Khoa học và Công nghệ", "Sở Nội vụ"))
        assert result.issuer is None and result.issuer_proposal is None
        assert {item["agency"]: item["proposal"] for item in result.unresolved}["Sở Nội vụ"] is None


def test_a_header_naming_a_missing_sở_under_a_known_province_proposes_the_sở(demo):
    own = dict(header="UBND TỈNH KON TUM\nSỞ KHOA HỌC VÀ CÔNG NGHỆ", symbol="SKHCN-QLKH", place="Kon Tum",
               speaker="Sở Khoa học và Công nghệ")
    with demo.app_context():
        result = import_document(text=letter(own, "Sở Y tế", "Sở Tài chính"))
        assert result.issuer is None
        proposal = result.issuer_proposal
        assert (proposal.name, proposal.kind, proposal.parent.name) == \
               ("Sở Khoa học và Công nghệ tỉnh Kon Tum", "so", "Ủy ban nhân dân tỉnh Kon Tum")
        assert any("tạo Sở Khoa học và Công nghệ tỉnh Kon Tum (Sở) thuộc Ủy ban nhân dân tỉnh Kon Tum" in w
                   for w in result.warnings)


def test_the_dry_run_carries_the_proposals_and_still_renders(demo, tmp_path):
    source = tmp_path / "cv.txt"
    source.write_text(letter(PROVINCE, "Sở Khoa học và Công nghệ", "Sở Y tế"), encoding="utf-8")
    printed = demo.test_cli_runner().invoke(args=["directive", "import", "--dry-run", str(source)])
    assert printed.exit_code == 0, printed.output
    data = json.loads(printed.stdout)
    assert data["import"]["unresolved"][0]["proposal"]["name"] == "Sở Khoa học và Công nghệ tỉnh Kon Tum"
    assert data["import"]["task_words"][0] == {"section": "1", "at": [1, 1], "deadline": "trước ngày 30/12/2026"}
    path = tmp_path / "nhap.json"
    path.write_text(printed.stdout, encoding="utf-8")
    rendered = demo.test_cli_runner().invoke(args=["directive", "render", str(path), "--format", "pdf",
                                                   "--out", str(tmp_path / "cv.pdf")])
    assert rendered.exit_code == 0, rendered.output
    assert (tmp_path / "cv.pdf").read_bytes()[:4] == b"%PDF"


def test_the_import_page_shows_the_proposal_and_the_admin_creates_it_from_the_filled_form(demo, login):
    text = letter(PROVINCE, "Sở Khoa học và Công nghệ", "Sở Y tế")
    office = login("vanphong")
    page = office.post_form("/nhap-van-ban", {"step": "doc", "text": text}).get_data(as_text=True)
    cell = lxml.html.fromstring(page).xpath('//*[@data-testid="import-proposal"]')[0].text_content()
    assert "Sở Khoa học và Công nghệ tỉnh Kon Tum" in cell and "thuộc Ủy ban nhân dân tỉnh Kon Tum" in cell
    assert "Tạo cơ quan này" not in cell  # staff do not manage the directory; the administrator does

    with demo.app_context():
        kon_tum = agency("Ủy ban nhân dân tỉnh Kon Tum").id
    admin = login("admin")
    form_url = (f"/quan-tri/co-quan/moi?name=Sở+Khoa+học+và+Công+nghệ+tỉnh+Kon+Tum&short_name=Sở+Khoa+học+và+Công+nghệ"
                f"&kind=so&parent_id={kon_tum}&place=Kon+Tum")
    form = lxml.html.fromstring(admin.get(form_url).get_data(as_text=True))
    assert form.xpath('//input[@name="name"]/@value') == ["Sở Khoa học và Công nghệ tỉnh Kon Tum"]
    assert form.xpath('//select[@name="kind"]/option[@selected]/@value') == ["so"]
    assert form.xpath('//select[@name="parent_id"]/option[@selected]/@value') == [str(kon_tum)]
    fields = {"name": "Sở Khoa học và Công nghệ tỉnh Kon Tum", "short_name": "Sở Khoa học và Công nghệ",
              "kind": "so", "parent_id": str(kon_tum), "place": "Kon Tum", "active": "y"}
    assert admin.post_form("/quan-tri/co-quan/moi", fields, page=form_url).status_code == 302

    with demo.app_context():
        assert import_document(text=text).unresolved == []  # the next import finds it


def test_a_directory_manager_who_imports_gets_the_filled_form_link(demo, login):
    from app.models import User

    with demo.app_context():
        user = db.session.scalar(select(User).where(User.username == "vanphong"))
        user.set_roles(set(user.role_names) | {"admin"})
        db.session.commit()
    office = login("vanphong")
    page = office.post_form("/nhap-van-ban", {"step": "doc", "text": letter(PROVINCE, "Sở Khoa học và Công nghệ",
                                                                             "Sở Y tế")})
    links = lxml.html.fromstring(page.get_data(as_text=True)).xpath(
        '//*[@data-testid="import-proposal"]//a[text()="Tạo cơ quan này"]/@href')
    assert len(links) == 1
    query = parse_qs(urlparse(links[0]).query)
    assert query["name"] == ["Sở Khoa học và Công nghệ tỉnh Kon Tum"] and query["kind"] == ["so"]
    with demo.app_context():
        assert query["parent_id"] == [str(agency("Ủy ban nhân dân tỉnh Kon Tum").id)]
