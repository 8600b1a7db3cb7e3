"""The importer's parser (pure functions, no database): fixtures field by field, messy variants of
the seeds, the agency scanner, deadlines and legacy encodings."""
import re
import textwrap
import unicodedata
from datetime import date
from pathlib import Path

import pytest
import yaml

from app.directive_format import parse_directive
from app.importer import legacy
from app.importer.agencies import assignees_in, split_names
from app.importer.cleanup import clean_lines
from app.importer.deadlines import find_deadline, parse_when
from app.importer.parser import parse_text
from app.importer.readers import decode_text
from app.importer.service import pure_directive
from tests.helpers import FIXTURE_FILES, FIXTURES, assert_same_structure, load_fixture

def parse_bytes(content: bytes):
    text, _encoding, _notes = decode_text(content)
    return parse_text(text)


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.stem)
def test_fixture_imports_field_by_field(path):
    fixture = load_fixture(path)
    parsed = parse_bytes(fixture["text"])
    assert_same_structure(parsed.data, fixture["directive"])


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.stem)
def test_output_is_the_directive_format(path):
    """Without the importer's extra keys, the output is exactly what parse_directive accepts."""
    parsed = parse_bytes(load_fixture(path)["text"])
    pure = pure_directive(parsed.data)
    assert parse_directive(pure) == pure
    for value in (pure["preamble"], pure["subject"], *pure["cc"], *(t["text"] for s in pure["sections"] for t in s["tasks"])):
        assert unicodedata.is_normalized("NFC", value)


def test_seed_fixtures_agree_with_the_hand_made_directive_files():
    """The fixtures were written independently of the parser as directives/0*.yaml: same text."""
    from app.directive_format import read_directive_file

    for number, path in zip(range(5), sorted(Path("directives").glob("0*.yaml"))):
        hand = read_directive_file(path)
        fixture = yaml.safe_load((FIXTURES / f"seed_{number:03d}.yaml").read_text(encoding="utf-8"))["directive"]
        for key in ("preamble", "cc", "recipients"):
            assert fixture[key] == hand[key], (number, key)
        assert fixture["closing"] == (hand["closing"] or ""), number
        got_tasks = [t["text"] for s in fixture["sections"] for t in s["tasks"]]
        assert got_tasks == [t["text"] for s in hand["sections"] for t in s["tasks"]], number


# ---------------------------------------------------------------- messy variants of the seeds

def seed(number: int) -> str:
    return next((FIXTURES.parent / "seeds").glob(f"{number:03d}_*.txt")).read_text(encoding="utf-8")


def expected(number: int) -> dict:
    return yaml.safe_load((FIXTURES / f"seed_{number:03d}.yaml").read_text(encoding="utf-8"))["directive"]


def test_decomposed_unicode_crlf_tabs_and_bold_change_nothing():
    text = seed(1)
    messy = unicodedata.normalize("NFD", text).replace("\n", "\r\n").replace("Kính gửi:", "**Kính gửi:**\t")
    messy = messy.replace("1. Các Sở", "\t1.\tCác Sở")
    assert_same_structure(parse_text(messy).data, expected(1))


def hard_wrap(text: str, width=72) -> str:
    """What a PDF extraction gives: every printed line broken, a blank line after each."""
    out = []
    for line in text.split("\n"):
        wrapped = textwrap.wrap(line, width=width, break_long_words=False, break_on_hyphens=False) or [""]
        out.extend(wrapped)
    return "\n\n".join(out)


@pytest.mark.parametrize("number", [0, 1, 2, 3])
def test_line_breaks_in_the_middle_of_sentences_are_joined(number):
    text = seed(number)
    head, _, rest = text.partition("Kính gửi")
    messy = head + "Kính gửi" + hard_wrap(rest)
    got = parse_text(messy).data
    want = expected(number)
    for key in ("preamble", "closing", "cc", "signer"):
        assert got[key] == want[key], key
    assert [[t["text"] for t in s["tasks"]] for s in got["sections"]] == \
           [[t["text"] for t in s["tasks"]] for s in want["sections"]]
    assert [s["assignees"] for s in got["sections"]] == \
           [[{k: a[k] for k in ("agency", "role")} | {"deadline": None} for a in s["assignees"]] for s in want["sections"]]


def test_header_columns_interleaved_as_a_pdf_prints_them():
    text = seed(1).replace(
        "**ỦY BAN NHÂN DÂN\nTỈNH KON TUM**\n\n**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc**",
        "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nTỈNH KON TUM Độc lập - Tự do - Hạnh phúc")
    assert "CỘNG HÒA" in text.split("\n")[2]
    assert_same_structure(parse_text(text).data, expected(1))


def test_signature_first_then_noi_nhan():
    text = seed(0)
    body, _, tail = text.partition("Nơi nhận:")
    cc, _, signature = tail.partition("**KT. CHỦ TỊCH")
    swapped = body + "**KT. CHỦ TỊCH" + signature + "\n\nNơi nhận:" + cc
    assert_same_structure(parse_text(swapped).data, expected(0))


def test_noi_nhan_interleaved_line_by_line_with_the_signature():
    text = seed(0)
    body, _, _tail = text.partition("Nơi nhận:")
    tail = ("Nơi nhận:\t\t\tKT. CHỦ TỊCH\n- Như trên;\t\t\tPHÓ CHỦ TỊCH\n- TT Tỉnh ủy, TT HĐND tỉnh (b/c);\n"
            "- CT, PCT UBND tỉnh;\n- CVP, PCVP UBND tỉnh;\n- Sở Y tế; Công an tỉnh;\n- Công TTĐT tỉnh;\n"
            "- Lưu: VT, KGVX (Th.30b)\t\t\tH'Yim Kdoh\n")
    assert_same_structure(parse_text(body + tail).data, expected(0))


def test_two_line_authority_and_a_name_glued_to_the_title():
    text = seed(1).replace("**TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH**\n\nLê Ngọc Tuấn",
                           "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCHNguyễn Hữu Tháp")
    signer = parse_text(text).data["signer"]
    assert signer == {"authority": "TM.", "authority_title": "ỦY BAN NHÂN DÂN", "title": "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
                      "name": "Nguyễn Hữu Tháp"}


def test_missing_header_gives_warnings_not_guesses():
    parsed = parse_text(seed(4))
    assert parsed.data["issuer"] == [] and parsed.data["symbol"] == "" and parsed.data["subject"] == ""
    assert any("cơ quan ban hành" in w for w in parsed.warnings)
    assert any("trích yếu" in w for w in parsed.warnings)


def test_one_paragraph_with_no_numbering_is_one_section():
    text = ("Kính gửi: Sở Y tế.\n\nGiao Sở Y tế chủ trì, phối hợp với Sở Tài chính rà soát nhu cầu kinh phí, "
            "báo cáo UBND tỉnh trước ngày 20/12/2025.\n\nNơi nhận:\n- Như trên;\n- Lưu: VT.\n\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n")
    data = parse_text(text).data
    assert len(data["sections"]) == 1
    section = data["sections"][0]
    assert section["number"] is None and section["heading"] is None
    assert section["assignees"] == [{"agency": "Sở Y tế", "role": "lead", "deadline": None},
                                    {"agency": "Sở Tài chính", "role": "coordinating", "deadline": None}]
    assert section["tasks"][0]["deadline"] == date(2025, 12, 20)


def test_roman_parts_with_nested_numbers():
    text = ("KẾ HOẠCH\nThực hiện chuyển đổi số năm 2026\n\nCăn cứ ..., UBND tỉnh ban hành Kế hoạch như sau:\n\n"
            "I. NHIỆM VỤ\n1. Nhiệm vụ chung\n1.1. Sở Thông tin và Truyền thông:\n- Xây dựng nền tảng dữ liệu.\n"
            "- Bảo đảm an toàn thông tin.\n1.2. Sở Nội vụ chủ trì số hóa hồ sơ, hoàn thành trong tháng 6/2026.\n"
            "2. Các sở, ban, ngành: rà soát thủ tục hành chính.\n"
            "II. TỔ CHỨC THỰC HIỆN\nGiao Sở Thông tin và Truyền thông theo dõi, tổng hợp, báo cáo định kỳ hằng quý.\n")
    data = parse_text(text).data
    assert data["doc_type"] == "ke_hoach"
    assert [s["number"] for s in data["sections"]] == ["I.1.1", "I.1.2", "I.2", "II"]
    first = data["sections"][0]
    assert first["heading"] == "Sở Thông tin và Truyền thông:" and len(first["tasks"]) == 2
    assert data["sections"][1]["tasks"][0]["deadline"] == date(2026, 6, 30)
    assert data["sections"][2]["heading"] == "Các sở, ban, ngành:"
    assert data["sections"][3]["tasks"][0]["recurrence"] == "định kỳ hằng quý"


def test_markdown_table_and_tab_separated_table_read_the_same():
    fixture = load_fixture(FIXTURES / "ke_hoach_bang.yaml")
    text = fixture["text"].decode("utf-8")
    tabbed = re.sub(r"^\| (.*) \|$", lambda m: "\t".join(c.strip() for c in m.group(1).split("|")), text, flags=re.M)
    tabbed = "\n".join(line for line in tabbed.split("\n") if not line.startswith("|-"))
    assert "\t" in tabbed and "|" not in tabbed
    assert_same_structure(parse_text(tabbed).data, fixture["directive"])


# ---------------------------------------------------------------- agencies named in a sentence

@pytest.mark.parametrize("text, wanted", [
    ("Giao UBND thành phố làm đầu mối phối hợp với các huyện, thị xã, thành phố thống nhất cơ chế",
     [("UBND thành phố", "lead"), ("các huyện, thị xã, thành phố", "coordinating")]),
    ("Sở Lao động - Thương binh và Xã hội chủ trì, phối hợp với Sở Y tế, Công an tỉnh, UBND các huyện, "
     "thành phố tiếp tục làm tốt", [("Sở Lao động - Thương binh và Xã hội", "lead"), ("Sở Y tế", "coordinating"),
                                   ("Công an tỉnh", "coordinating"), ("UBND các huyện, thành phố", "coordinating")]),
    ("Công an huyện: Kịp thời phát hiện", [("Công an huyện", "lead")]),
    ("Sở Y tế; Sở Tài chính; Công an tỉnh: phối hợp kiểm tra", [("Sở Y tế", "lead"), ("Sở Tài chính", "lead"),
                                                                 ("Công an tỉnh", "lead")]),
    ("Sở Giáo dục và Đào tạo làm đầu mối, phối hợp với UBND các huyện, thị xã, thành phố",
     [("Sở Giáo dục và Đào tạo", "lead"), ("UBND các huyện, thị xã, thành phố", "coordinating")]),
    ("Ủy ban nhân dân các huyện, thị xã, thành phố khẩn trương triển khai",
     [("Ủy ban nhân dân các huyện, thị xã, thành phố", "lead")]),
    ("Kho bạc Nhà nước Kon Tum rà soát, thanh toán", [("Kho bạc Nhà nước Kon Tum", "lead")]),
    ("Uỷ ban nhân dân các xã tổ chức thực hiện", [("Uỷ ban nhân dân các xã", "lead")]),
    ("Sở Y tế phối hợp với các cơ quan, đơn vị liên quan tổ chức", [("Sở Y tế", "lead")]),
    ("Tiếp tục chỉ đạo tăng cường công tác tuyên truyền", []),
    ("Thanh tra, kiểm tra việc thực hiện", []),
    ("Ban hành quy chế phối hợp", []),
    ("Phòng, chống dịch bệnh là nhiệm vụ trọng tâm", []),
])
def test_who_must_act(text, wanted):
    assert [(a["agency"], a["role"]) for a in assignees_in(text).items] == wanted


def test_generic_names_are_set_aside():
    found = assignees_in("Sở Y tế chủ trì, phối hợp với các cơ quan, đơn vị liên quan tổ chức tập huấn")
    assert found.generic == ["các cơ quan, đơn vị liên quan"]
    assert split_names("Sở Y tế, Đài Phát thanh và Truyền hình tỉnh; các đơn vị liên quan") == \
        (["Sở Y tế", "Đài Phát thanh và Truyền hình tỉnh"], ["các đơn vị liên quan"])


# ---------------------------------------------------------------- deadlines

@pytest.mark.parametrize("text, deadline, words, recurrence", [
    ("trình UBND tỉnh trước ngày 06 tháng 12 năm 2025.", date(2025, 12, 6), "trước ngày 06 tháng 12 năm 2025", None),
    ("báo cáo kết quả trước 15/4/2020.", date(2020, 4, 15), "trước 15/4/2020", None),
    ("bố trí kinh phí, hoàn thành trong tháng 12/2025.", date(2025, 12, 31), "hoàn thành trong tháng 12/2025", None),
    ("tổng hợp, báo cáo định kỳ hằng tháng.", None, None, "định kỳ hằng tháng"),
    ("báo cáo UBND tỉnh trước ngày 25 hằng tháng.", None, None, "trước ngày 25 hằng tháng"),
    ("hoàn thành chậm nhất ngày 30/6/2026", date(2026, 6, 30), "chậm nhất ngày 30/6/2026", None),
    ("triển khai trong quý I/2026", date(2026, 3, 31), "trong quý I/2026", None),
    ("(gửi kèm Quyết định 4554/QĐ-UBND ngày 09/7/2021 của UBND thành phố)", None, None, None),
    ("thông tin người về tỉnh (cập nhật hàng ngày) đến các huyện", None, None, None),
    ("hoàn thành trước ngày 31/02/2025", None, None, None),
])
def test_deadlines_keep_their_words(text, deadline, words, recurrence):
    found = find_deadline(text)
    assert (found["deadline"], found["deadline_text"], found["recurrence"]) == (deadline, words, recurrence)


def test_deadline_without_a_year_takes_the_year_of_the_letter():
    assert find_deadline("báo cáo trước ngày 15/12", 2025)["deadline"] == date(2025, 12, 15)
    assert find_deadline("báo cáo trước ngày 15/12")["deadline"] is None


@pytest.mark.parametrize("cell, deadline, recurrence", [
    ("Trước ngày 15/12/2025", date(2025, 12, 15), None),
    ("Tháng 12/2025", date(2025, 12, 31), None),
    ("Quý I/2026", date(2026, 3, 31), None),
    ("Năm 2026", date(2026, 12, 31), None),
    ("Thường xuyên", None, "Thường xuyên"),
])
def test_deadline_column_of_a_table(cell, deadline, recurrence):
    found = parse_when(cell)
    assert (found["deadline"], found["recurrence"]) == (deadline, recurrence)


# ---------------------------------------------------------------- text cleaning and legacy encodings

def test_cleanup_removes_markdown_tabs_and_unifies_bullets():
    assert clean_lines("**KT. CHỦ TỊCH**\n\t• Như trên;\n– Sở Y tế\n* item\n*(Đã ký)*\nPCVP_{KGVX}\n-----") == \
        ["KT. CHỦ TỊCH", "- Như trên;", "- Sở Y tế", "- item", "(Đã ký)", "PCVP KGVX", ""]


@pytest.mark.parametrize("encoding", ["vni", "tcvn3"])
def test_legacy_encodings_are_detected_and_converted(encoding):
    text = seed(3)
    content = legacy.from_unicode(text, encoding).encode("cp1252", errors="strict") if encoding == "vni" else \
        legacy.from_unicode(text, encoding).encode("latin-1")
    decoded, found, notes = decode_text(content)
    assert found == encoding and notes and legacy.NAMES[encoding].split()[0] in notes[0]
    got = parse_text(decoded).data
    want = expected(3)
    if encoding == "vni":
        assert_same_structure(got, want)
    else:  # TCVN3 capitals with tones were a font effect: compare without case
        assert [t["text"].lower() for s in got["sections"] for t in s["tasks"]] == \
               [t["text"].lower() for s in want["sections"] for t in s["tasks"]]
        assert [a["agency"].lower() for s in got["sections"] for a in s["assignees"]] == \
               [a["agency"].lower() for s in want["sections"] for a in s["assignees"]]


def test_unicode_text_is_never_taken_for_legacy():
    for number in range(5):
        assert legacy.detect(seed(number)) is None


def test_topic_labels_and_items_that_name_their_own_agency():
    text = ("Kính gửi: Sở Y tế, Sở Tài chính, Công an tỉnh.\n\nThực hiện ý kiến của Chủ tịch UBND tỉnh, "
            "Văn phòng UBND tỉnh đề nghị:\n\n1. Về công tác tuyên truyền:\n"
            "- Sở Thông tin và Truyền thông chủ trì hướng dẫn các cơ quan báo chí tuyên truyền.\n"
            "- Công an tỉnh phối hợp cung cấp thông tin.\n"
            "2. Về kinh phí: Sở Tài chính tham mưu bố trí kinh phí trước ngày 30/11/2025.\n\n"
            "Văn phòng UBND tỉnh thông báo để các cơ quan biết, thực hiện./.\n")
    data = parse_text(text).data
    assert data["recipients"] == ["Sở Y tế", "Sở Tài chính", "Công an tỉnh"]
    assert [(s["number"], s["heading"], [a["agency"] for a in s["assignees"]]) for s in data["sections"]] == [
        ("1", "Về công tác tuyên truyền:", ["Sở Thông tin và Truyền thông"]),
        (None, None, ["Công an tỉnh"]),
        ("2", "Về kinh phí:", ["Sở Tài chính"]),
    ]
    assert data["sections"][2]["tasks"][0]["deadline"] == date(2025, 11, 30)
    assert data["closing"].startswith("Văn phòng UBND tỉnh thông báo")


def test_short_numbered_title_then_its_text():
    text = ("THÔNG BÁO\nKết luận của Chủ tịch UBND tỉnh tại buổi làm việc với Sở Y tế\n\n"
            "Ngày 10/11/2025, Chủ tịch UBND tỉnh đã làm việc với Sở Y tế, kết luận như sau:\n\n"
            "1. Đánh giá chung\nNăm 2025, ngành y tế đã hoàn thành tốt nhiệm vụ.\n"
            "2. Nhiệm vụ thời gian tới\na) Sở Y tế hoàn thiện đề án, trình UBND tỉnh trước ngày 15/12/2025.\n"
            "b) Sở Nội vụ phối hợp với Sở Y tế rà soát biên chế.\n")
    data = parse_text(text).data
    assert data["doc_type"] == "thong_bao"
    assert data["subject"] == "kết luận của Chủ tịch UBND tỉnh tại buổi làm việc với Sở Y tế"
    first = data["sections"][0]
    assert first["heading"] == "Đánh giá chung" and first["tasks"][0]["text"].startswith("Năm 2025")
    assert [(s["number"], [(a["agency"], a["role"]) for a in s["assignees"]]) for s in data["sections"][1:]] == [
        ("2", [("Sở Y tế", "lead")]), (None, [("Sở Nội vụ", "lead"), ("Sở Y tế", "coordinating")])]


def test_a_kinh_gui_ended_by_a_full_stop_closes_the_list_before_a_dash_item():
    """"Kính gửi: X." then "- X vận động ..." (a letter of one bullet, as our own letters print it): the
    bullet is the task, not a second addressee."""
    text = textwrap.dedent("""\
        ỦY BAN NHÂN DÂN TỈNH AN GIANG
        Số: 554/UBND-KT
        V/v treo cờ Tổ quốc

        Kính gửi: Ủy ban nhân dân các huyện, thị xã, thành phố.

        - Ủy ban nhân dân các huyện, thị xã, thành phố vận động nhân dân treo cờ Tổ quốc từ ngày 22/02/2006.

        Ủy ban nhân dân tỉnh yêu cầu các địa phương khẩn trương thực hiện./.
        """)
    parsed = parse_text(text)
    assert parsed.data["recipients"] == ["Ủy ban nhân dân các huyện, thị xã, thành phố"]
    tasks = [task["text"] for section in parsed.data["sections"] for task in section["tasks"]]
    assert tasks == ["Ủy ban nhân dân các huyện, thị xã, thành phố vận động nhân dân treo cờ Tổ quốc từ ngày "
                     "22/02/2006."]


def test_two_addressees_on_one_line_are_two():
    """A PDF's text layer (or a crawl) may put "- A; - B" on one line: two recipients, as printed."""
    text = textwrap.dedent("""\
        BỘ NỘI VỤ
        Số: 10989/BNV-TCBC
        V/v đề xuất biên chế

        Kính gửi:
        - Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ; - Ủy ban nhân dân tỉnh, thành phố trực thuộc Trung
        ương.

        Đề nghị các bộ, ngành, địa phương gửi đề xuất về Bộ Nội vụ trước ngày 26/11/2025./.
        """)
    assert parse_text(text).data["recipients"] == [
        "Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ", "Ủy ban nhân dân tỉnh, thành phố trực thuộc Trung ương"]
