"""Exported letters (DOCX and PDF) against Nghị định 30/2020/NĐ-CP (../shared/ND30.md §6).

Plain pytest, no Flask app: directive → app.documents (build_letter, render) → bytes →
tests/nd30_checks.py, which lists every rule violation ("R08: …"). Each case is rendered
once per format (module-level caches), so the whole file runs in a few seconds.

- the five directive files in directives/, as drafts (number blank, "DỰ THẢO" box) and as
  issued letters (number 05, date 05/01/2026): every applicable rule in both formats, every
  sentence of the directive printed in the PDF (NFC), every line of the letter in the DOCX;
- made-up directives: one of each named type (type name, summary, rule, symbol), a 40-task
  letter over several pages, a single addressee, the three urgency marks, a draft and its
  issued twin, very long agency names / subject / 15 addressees;
- bad input: LetterError names each missing field in Vietnamese.

Layout numbers come from app/documents/layout.py and are checked in addition to the legal
ranges of ND30, never instead of them.
"""
import re
from datetime import date
from functools import lru_cache
from pathlib import Path

import pytest

import nd30_checks as C
from app.directive_format import parse_directive, read_directive_file
from app.lint.docx_reader import read_docx
from app.lint.pdf_reader import read_pdf
from app.documents import layout as L
from app.documents import render
from app.documents.letter import LetterError, build_letter

ROOT = Path(__file__).resolve().parents[1]
DIRECTIVE_FILES = sorted((ROOT / "directives").glob("0*.yaml"))
TODAY = date(2026, 1, 5)
ISSUED = {"number": "05", "date": date(2026, 1, 5)}


def _report(problems, what: str) -> str:
    return f"{what}: {len(problems)} ND30 violation(s)\n  " + "\n  ".join(problems)


# --------------------------------------------------------------------------------------------
# Made-up directives (directive format, as the importer or the web form would produce them)
# --------------------------------------------------------------------------------------------

SIGNER_UBND = {"authority": "TM.", "authority_title": "ỦY BAN NHÂN DÂN", "title": "CHỦ TỊCH",
               "name": "Nguyễn Văn Lộc"}
SIGNER_KT = {"authority": "KT.", "authority_title": "CHỦ TỊCH", "title": "PHÓ CHỦ TỊCH", "name": "Trần Thị Mai"}


def cong_van(**changes) -> dict:
    """A realistic công văn of UBND tỉnh Kon Tum; keyword arguments replace keys."""
    raw = {
        "doc_type": "cong_van",
        "issuer": ["ỦY BAN NHÂN DÂN", "TỈNH KON TUM"],
        "number": None,
        "symbol": "UBND-KTTH",
        "place": "Kon Tum",
        "date": None,
        "subject": "tăng cường quản lý, sử dụng tài sản công tại các cơ quan, đơn vị năm 2026",
        "urgency": None,
        "recipients": ["Các Sở, ban ngành, đơn vị thuộc UBND tỉnh", "Ủy ban nhân dân các xã, phường"],
        "preamble": ("Thực hiện Luật Quản lý, sử dụng tài sản công và Nghị định số 151/2017/NĐ-CP ngày 26 tháng 12 "
                     "năm 2017 của Chính phủ; để nâng cao hiệu quả quản lý, sử dụng tài sản công, Ủy ban nhân dân "
                     "tỉnh yêu cầu:"),
        "sections": [
            {"number": "1", "heading": "Các Sở, ban ngành, đơn vị thuộc UBND tỉnh:",
             "assignees": [{"agency": "Các Sở, ban ngành, đơn vị thuộc UBND tỉnh", "role": "lead"}],
             "tasks": [
                 {"text": "Rà soát, cập nhật đầy đủ dữ liệu tài sản công vào Cơ sở dữ liệu quốc gia về tài sản "
                          "công; hoàn thành trước ngày 31 tháng 3 năm 2026."},
                 {"text": "Xây dựng, ban hành quy chế quản lý, sử dụng tài sản công của cơ quan, đơn vị; công khai "
                          "tài sản công theo quy định."},
             ]},
            {"number": "2", "heading": None,
             "assignees": [{"agency": "Sở Tài chính", "role": "lead"}],
             "tasks": [{"text": "Sở Tài chính chủ trì, phối hợp với các cơ quan liên quan kiểm tra việc quản lý, sử "
                                "dụng tài sản công; tổng hợp, báo cáo Ủy ban nhân dân tỉnh kết quả thực hiện trước "
                                "ngày 15 tháng 12 năm 2026."}]},
        ],
        "closing": "Ủy ban nhân dân tỉnh yêu cầu các cơ quan, đơn vị, địa phương nghiêm túc triển khai thực hiện./.",
        "cc": ["Như trên", "Bộ Tài chính (b/c)", "Thường trực Tỉnh ủy (b/c)", "Chủ tịch, các PCT UBND tỉnh",
               "Lưu: VT, KTTH (NVA.10)"],
        "signer": SIGNER_KT,
    }
    raw.update(changes)
    return parse_directive(raw)


NAMED = {
    "chi_thi": dict(
        doc_type="chi_thi", symbol="CT-UBND", number="05", date=date(2026, 1, 5),
        subject="Về tăng cường công tác phòng cháy, chữa cháy và cứu nạn, cứu hộ trong mùa khô năm 2026",
        recipients=[],
        preamble=("Mùa khô năm 2026 được dự báo nắng nóng kéo dài, nguy cơ cháy rừng, cháy nhà ở và cơ sở sản xuất "
                  "rất cao. Để chủ động phòng ngừa, hạn chế thấp nhất thiệt hại do cháy, nổ gây ra, Chủ tịch Ủy "
                  "ban nhân dân tỉnh chỉ thị:"),
        sections=[
            {"number": "1", "heading": None, "assignees": [{"agency": "Công an tỉnh", "role": "lead"}],
             "tasks": [{"text": "Công an tỉnh chủ trì tổ chức kiểm tra an toàn phòng cháy, chữa cháy tại các chợ, "
                                "trung tâm thương mại, cơ sở kinh doanh karaoke, nhà trọ; xử lý nghiêm các vi phạm."}]},
            {"number": "2", "heading": None, "assignees": [{"agency": "Sở Nông nghiệp và Môi trường", "role": "lead"}],
             "tasks": [{"text": "Sở Nông nghiệp và Môi trường chỉ đạo lực lượng kiểm lâm tăng cường tuần tra, canh "
                                "gác lửa rừng, bố trí lực lượng ứng trực 24/24 giờ tại các khu rừng có nguy cơ cháy "
                                "cao."}]},
        ],
        closing="Yêu cầu Thủ trưởng các Sở, ban ngành, Chủ tịch Ủy ban nhân dân các xã, phường nghiêm túc thực hiện "
                "Chỉ thị này./.",
        cc=["Bộ Công an (b/c)", "Thường trực Tỉnh ủy (b/c)", "Các Sở, ban ngành", "UBND các xã, phường",
            "Lưu: VT, NC"],
        signer={"authority": "TM.", "authority_title": "ỦY BAN NHÂN DÂN", "title": "CHỦ TỊCH",
                "name": "Nguyễn Văn Lộc"},
    ),
    "cong_dien": dict(
        doc_type="cong_dien", symbol="CĐ-UBND", number="03", date=date(2026, 9, 7),
        issuer=["ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NINH"], place="Quảng Ninh",
        subject="Về việc tập trung ứng phó khẩn cấp với bão số 3 và mưa lũ",
        recipients=["Giám đốc các Sở, Thủ trưởng các ban, ngành thuộc tỉnh",
                    "Chủ tịch Ủy ban nhân dân các xã, phường, đặc khu"],
        preamble=("Theo tin của Trung tâm Dự báo khí tượng thủy văn quốc gia, bão số 3 đang di chuyển nhanh về phía "
                  "vịnh Bắc Bộ, có khả năng ảnh hưởng trực tiếp đến tỉnh từ chiều ngày 08 tháng 9 năm 2026."),
        sections=[
            {"number": "1", "heading": None, "assignees": [{"agency": "Các xã, phường, đặc khu", "role": "lead"}],
             "tasks": [{"text": "Kiên quyết sơ tán người dân ra khỏi khu vực nguy hiểm, nhất là các lồng bè nuôi "
                                "trồng thủy sản, nhà ở ven biển, vùng trũng thấp, hoàn thành trước 17 giờ ngày 07 "
                                "tháng 9 năm 2026."}]},
            {"number": "2", "heading": None, "assignees": [{"agency": "Bộ Chỉ huy Quân sự tỉnh", "role": "lead"}],
             "tasks": [{"text": "Bộ Chỉ huy Quân sự tỉnh, Công an tỉnh bố trí lực lượng, phương tiện sẵn sàng cứu "
                                "hộ, cứu nạn khi có yêu cầu."}]},
        ],
        closing="Yêu cầu các cơ quan, đơn vị, địa phương khẩn trương triển khai thực hiện./.",
        cc=["Như trên", "Ban Chỉ đạo quốc gia về phòng thủ dân sự (b/c)", "Thường trực Tỉnh ủy (b/c)",
            "Lưu: VT, NLN"],
        signer=SIGNER_KT,
    ),
    "thong_bao": dict(
        doc_type="thong_bao", symbol="TB-UBND", number="45", date=date(2026, 3, 9),
        subject="Kết luận của Chủ tịch Ủy ban nhân dân tỉnh tại cuộc họp về tiến độ giải ngân vốn đầu tư công",
        recipients=[],
        preamble=("Ngày 06 tháng 3 năm 2026, Chủ tịch Ủy ban nhân dân tỉnh chủ trì cuộc họp về tiến độ giải ngân "
                  "vốn đầu tư công năm 2026. Sau khi nghe báo cáo và ý kiến của các đại biểu, Chủ tịch Ủy ban "
                  "nhân dân tỉnh kết luận như sau:"),
        sections=[
            {"number": "1", "heading": None, "assignees": [{"agency": "Sở Tài chính", "role": "lead"}],
             "tasks": [{"text": "Sở Tài chính tham mưu điều chuyển kế hoạch vốn của các dự án chậm giải ngân sang "
                                "các dự án có khả năng giải ngân tốt, báo cáo trước ngày 20 tháng 3 năm 2026."}]},
            {"number": "2", "heading": None, "assignees": [{"agency": "Các chủ đầu tư", "role": "lead"}],
             "tasks": [{"text": "Các chủ đầu tư đẩy nhanh tiến độ thi công, nghiệm thu, thanh toán khối lượng hoàn "
                                "thành; chịu trách nhiệm trước Chủ tịch Ủy ban nhân dân tỉnh nếu để chậm trễ."}]},
        ],
        closing="Văn phòng Ủy ban nhân dân tỉnh thông báo để các cơ quan, đơn vị biết, thực hiện./.",
        cc=["Chủ tịch, các PCT UBND tỉnh", "Sở Tài chính", "Các chủ đầu tư", "Lưu: VT, KTTH"],
        signer={"authority": "TL.", "authority_title": "CHỦ TỊCH", "title": "CHÁNH VĂN PHÒNG",
                "name": "Lê Hoàng Nam"},
    ),
    "ke_hoach": dict(
        doc_type="ke_hoach", symbol="KH-UBND", number="120", date=date(2026, 2, 15),
        issuer=["ỦY BAN NHÂN DÂN", "TỈNH LÀO CAI"], place="Lào Cai",
        subject="Triển khai thực hiện chuyển đổi số tỉnh Lào Cai năm 2026",
        recipients=[],
        preamble=("Thực hiện Nghị quyết số 57-NQ/TW ngày 22 tháng 12 năm 2024 của Bộ Chính trị về đột phá phát "
                  "triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia, Ủy ban nhân dân tỉnh "
                  "ban hành Kế hoạch triển khai thực hiện chuyển đổi số năm 2026 như sau:"),
        sections=[
            {"number": "I", "heading": "MỤC ĐÍCH, YÊU CẦU", "assignees": [],
             "tasks": [{"text": "Phát triển đồng bộ chính quyền số, kinh tế số, xã hội số; 100% hồ sơ công việc "
                                "cấp tỉnh được xử lý trên môi trường mạng."}]},
            {"number": "II", "heading": "NHIỆM VỤ, GIẢI PHÁP", "assignees": [{"agency": "Sở Khoa học và Công nghệ", "role": "lead"}],
             "tasks": [{"text": "Sở Khoa học và Công nghệ chủ trì xây dựng nền tảng dữ liệu dùng chung của tỉnh, "
                                "hoàn thành trong quý III năm 2026."},
                       {"text": "Các Sở, ban ngành rà soát, tái cấu trúc quy trình giải quyết thủ tục hành chính "
                                "trên môi trường điện tử."}]},
        ],
        closing="Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các cơ quan, đơn vị báo cáo Ủy ban nhân dân "
                "tỉnh (qua Sở Khoa học và Công nghệ) để xem xét, giải quyết./.",
        cc=["Bộ Khoa học và Công nghệ (b/c)", "Thường trực Tỉnh ủy (b/c)", "Các Sở, ban ngành",
            "Lưu: VT, KGVX"],
        signer=SIGNER_KT,
    ),
    "quyet_dinh": dict(
        doc_type="quyet_dinh", symbol="QĐ-UBND", number="1234", date=date(2026, 10, 20),
        subject="Về việc thành lập Tổ công tác rà soát thủ tục hành chính năm 2026",
        recipients=[],
        preamble=("Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;\n"
                  "Căn cứ Nghị định số 63/2010/NĐ-CP ngày 08 tháng 6 năm 2010 của Chính phủ về kiểm soát thủ tục "
                  "hành chính;\n"
                  "Theo đề nghị của Chánh Văn phòng Ủy ban nhân dân tỉnh."),
        sections=[
            {"number": "Điều 1", "heading": None, "assignees": [{"agency": "Văn phòng UBND tỉnh", "role": "lead"}],
             "tasks": [{"text": "Thành lập Tổ công tác rà soát thủ tục hành chính năm 2026, gồm đại diện Văn "
                                "phòng Ủy ban nhân dân tỉnh, Sở Tư pháp và Sở Nội vụ."}]},
            {"number": "Điều 2", "heading": None, "assignees": [],
             "tasks": [{"text": "Quyết định này có hiệu lực kể từ ngày ký."}]},
            {"number": "Điều 3", "heading": None, "assignees": [],
             "tasks": [{"text": "Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc các Sở: Tư pháp, Nội vụ và các "
                                "thành viên Tổ công tác chịu trách nhiệm thi hành Quyết định này."}]},
        ],
        closing="",
        cc=["Như Điều 3", "Chủ tịch, các PCT UBND tỉnh", "Lưu: VT, KSTT"],
        signer={"authority": None, "authority_title": "", "title": "CHỦ TỊCH", "name": "Nguyễn Văn Lộc"},
    ),
    "bao_cao": dict(
        doc_type="bao_cao", symbol="BC-UBND", number="88", date=date(2026, 4, 1),
        issuer=["ỦY BAN NHÂN DÂN", "XÃ TÂN PHÚ"], place="Tân Phú",
        subject="Kết quả thực hiện công tác cải cách hành chính quý I năm 2026",
        recipients=["Ủy ban nhân dân tỉnh Đồng Nai"],
        preamble="Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh, Ủy ban nhân dân xã Tân Phú báo cáo như sau:",
        sections=[
            {"number": "1", "heading": None, "assignees": [],
             "tasks": [{"text": "Trong quý I năm 2026, xã đã tiếp nhận 1.254 hồ sơ thủ tục hành chính, giải quyết "
                                "đúng hạn 1.240 hồ sơ, đạt tỷ lệ 98,9%."}]},
            {"number": "2", "heading": None, "assignees": [],
             "tasks": [{"text": "Khó khăn, vướng mắc: hạ tầng mạng tại một số ấp còn yếu, ảnh hưởng đến việc "
                                "tiếp nhận hồ sơ trực tuyến."}]},
        ],
        closing="Ủy ban nhân dân xã Tân Phú kính báo cáo Ủy ban nhân dân tỉnh xem xét, chỉ đạo./.",
        cc=["Như trên", "Thường trực Đảng ủy xã", "Lưu: VT, VP"],
        signer=SIGNER_UBND,
    ),
    "to_trinh": dict(
        doc_type="to_trinh", symbol="TTr-STC", number="07", date=date(2026, 11, 12),
        issuer=["UBND TỈNH ĐỒNG NAI", "SỞ TÀI CHÍNH"], place="Đồng Nai",
        subject="Đề nghị phê duyệt danh mục dự án đầu tư công khởi công mới năm 2027",
        recipients=["Ủy ban nhân dân tỉnh Đồng Nai"],
        preamble=("Căn cứ Luật Đầu tư công năm 2024 và hồ sơ đề xuất của các chủ đầu tư, Sở Tài chính kính trình "
                  "Ủy ban nhân dân tỉnh xem xét, phê duyệt danh mục dự án đầu tư công khởi công mới năm 2027."),
        sections=[
            {"number": "1", "heading": None, "assignees": [],
             "tasks": [{"text": "Danh mục gồm 24 dự án với tổng mức đầu tư 3.250 tỷ đồng, trong đó 15 dự án giao "
                                "thông và 9 dự án giáo dục, y tế."}]},
        ],
        closing="Sở Tài chính kính trình Ủy ban nhân dân tỉnh xem xét, quyết định./.",
        cc=["Như trên", "Giám đốc Sở", "Lưu: VT, ĐT"],
        signer={"authority": "KT.", "authority_title": "GIÁM ĐỐC", "title": "PHÓ GIÁM ĐỐC",
                "name": "Phạm Quốc Hưng"},
    ),
}

FIELDS = ["văn hóa", "giáo dục", "y tế", "giao thông", "xây dựng", "nông nghiệp", "tài chính", "đất đai",
          "lao động", "du lịch"]
ACTIONS = [
    "Rà soát, cập nhật danh mục thủ tục hành chính thuộc lĩnh vực {f}, đề xuất cắt giảm thành phần hồ sơ "
    "không cần thiết; hoàn thành trước ngày {d:02d} tháng {m} năm 2026.",
    "Kiểm tra việc tiếp nhận, giải quyết hồ sơ trực tuyến lĩnh vực {f} tại bộ phận một cửa các xã, phường; "
    "báo cáo kết quả trước ngày {d:02d} tháng {m} năm 2026.",
    "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính lĩnh vực {f} còn hiệu lực, bảo đảm kết nối với "
    "Cổng Dịch vụ công quốc gia trước ngày {d:02d} tháng {m} năm 2026.",
    "Tổ chức tập huấn nghiệp vụ cho công chức làm công tác {f} ở cấp xã về quy trình nội bộ, quy trình điện "
    "tử; hoàn thành trong tháng {m} năm 2026.",
]


def forty_tasks() -> list[dict]:
    sections = []
    for index, heading in enumerate(["Các Sở, ban ngành thuộc UBND tỉnh:", "Ủy ban nhân dân các xã, phường:",
                                     "Văn phòng Ủy ban nhân dân tỉnh:", "Sở Nội vụ:"]):
        tasks = []
        for k in range(10):
            text = ACTIONS[(index + k) % 4].format(f=FIELDS[k], d=(k * 3) % 28 + 1, m=3 + (index * 2 + k) % 10)
            tasks.append({"text": text})
        sections.append({"number": str(index + 1), "heading": heading, "assignees": [], "tasks": tasks})
    return sections


RECIPIENTS_15 = [
    "Công ty TNHH MTV Phát triển Công nghiệp Tân Thuận (chủ đầu tư Khu chế xuất Tân Thuận)",
    "Công ty TNHH MTV Sepzone - Linh Trung (Việt Nam)",
    "Công ty Cổ phần Khu công nghiệp Hiệp Phước",
    "Công ty Cổ phần Đầu tư và Công nghiệp Tân Tạo",
    "Công ty Cổ phần Sản xuất Kinh doanh Xuất nhập khẩu Dịch vụ và Đầu tư Tân Bình",
    "Công ty Cổ phần Khu công nghiệp Vĩnh Lộc",
    "Công ty Phát triển Khu công nghiệp Lê Minh Xuân",
    "Công ty Cổ phần Đầu tư Xây dựng Tân Phú Trung",
    "Công ty TNHH MTV Phát triển Khu công nghiệp Tây Bắc Củ Chi",
    "Công ty Cổ phần Đầu tư Phát triển Khu công nghiệp Cát Lái",
    "Công ty TNHH MTV Phát triển Khu công nghiệp Bình Chiểu",
    "Công ty Cổ phần Đầu tư Khu công nghiệp Tân Thới Hiệp",
    "Công ty Cổ phần Khu công nghiệp Đông Nam",
    "Công ty Cổ phần Phát triển Khu công nghiệp Phong Phú",
    "Các doanh nghiệp đang hoạt động trong các khu chế xuất, khu công nghiệp trên địa bàn Thành phố",
]


def long_names() -> dict:
    return cong_van(
        issuer=["ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH",
                "BAN QUẢN LÝ CÁC KHU CHẾ XUẤT VÀ CÔNG NGHIỆP THÀNH PHỐ HỒ CHÍ MINH"],
        place="Thành phố Hồ Chí Minh", symbol="BQL-QLDN", number="1234", date=date(2026, 11, 25),
        subject=("triển khai đồng bộ các giải pháp bảo đảm an toàn, vệ sinh lao động, phòng cháy, chữa cháy, cứu "
                 "nạn, cứu hộ và bảo vệ môi trường tại các doanh nghiệp trong các khu chế xuất, khu công nghiệp "
                 "trên địa bàn Thành phố dịp cuối năm 2026 và Tết Nguyên đán Đinh Mùi 2027"),
        recipients=RECIPIENTS_15,
        preamble=("Thực hiện chỉ đạo của Ủy ban nhân dân Thành phố về bảo đảm an toàn, an ninh trật tự dịp cuối "
                  "năm 2026, Ban Quản lý các khu chế xuất và công nghiệp Thành phố Hồ Chí Minh đề nghị các doanh "
                  "nghiệp thực hiện các nội dung sau:"),
        sections=[{"number": "1", "heading": None, "assignees": [],
                   "tasks": [{"text": "Rà soát, kiểm tra hệ thống phòng cháy, chữa cháy, lối thoát nạn; tổ chức "
                                      "diễn tập phương án chữa cháy tại cơ sở trước ngày 15 tháng 12 năm 2026."}]},
                  {"number": "2", "heading": None, "assignees": [],
                   "tasks": [{"text": "Bảo đảm đầy đủ tiền lương, thưởng Tết cho người lao động; báo cáo tình hình "
                                      "lao động, tiền lương về Ban Quản lý trước ngày 20 tháng 12 năm 2026."}]}],
        closing="Đề nghị các đơn vị nghiêm túc triển khai thực hiện./.",
        cc=["Như trên", "UBND Thành phố (b/c)", "Sở Nội vụ", "Sở Công Thương", "Công an Thành phố",
            "Lưu: VT, QLDN (NTH.20b)"],
        signer={"authority": "KT.", "authority_title": "TRƯỞNG BAN", "title": "PHÓ TRƯỞNG BAN",
                "name": "Nguyễn Thị Thanh Hương"},
    )


# --------------------------------------------------------------------------------------------
# Cases, each rendered once per format
# --------------------------------------------------------------------------------------------

def _cases() -> dict:
    """key → (factory of the directive data, draft flag)."""
    cases = {}
    for path in DIRECTIVE_FILES:
        stem = path.stem[:3]
        cases[f"{stem}-draft"] = (lambda p=path: read_directive_file(p), True)
        cases[f"{stem}-issued"] = (lambda p=path: dict(read_directive_file(p), **ISSUED), False)
    for kind, changes in NAMED.items():
        cases[f"type-{kind}"] = (lambda c=changes: cong_van(**c), False)
    cases["forty-tasks"] = (lambda: cong_van(sections=forty_tasks(), **ISSUED), False)
    cases["single-addressee"] = (lambda: cong_van(
        issuer=["UBND TỈNH GIA LAI", "SỞ Y TẾ"], place="Gia Lai", symbol="SYT-KHTC",
        recipients=["Sở Tài chính tỉnh Gia Lai"],
        subject="đề nghị bổ sung kinh phí mua vắc xin tiêm chủng mở rộng năm 2026",
        cc=["Như trên", "Giám đốc Sở (b/c)", "Lưu: VT, KHTC"],
        signer={"authority": "KT.", "authority_title": "GIÁM ĐỐC", "title": "PHÓ GIÁM ĐỐC", "name": "Đỗ Minh Tâm"},
        **ISSUED), False)
    for code in C.URGENCY_CODES:
        cases[f"urgent-{code}"] = (lambda c=code: cong_van(urgency=c, **ISSUED), False)
    cases["draft-on"] = (lambda: cong_van(), True)
    cases["draft-off"] = (lambda: cong_van(), False)
    cases["long-names"] = (long_names, False)
    return cases


CASES = _cases()
DIRECTIVE_CASES = [key for key in CASES if key[0].isdigit()]


@lru_cache(maxsize=None)
def data_of(key: str) -> dict:
    return CASES[key][0]()


@lru_cache(maxsize=None)
def letter_of(key: str):
    return build_letter(data_of(key), draft=CASES[key][1], today=TODAY)


@lru_cache(maxsize=None)
def output(key: str, fmt: str) -> bytes:
    return render(data_of(key), fmt, draft=CASES[key][1], today=TODAY)


def expect_of(key: str) -> C.Expect:
    return C.expect_for(data_of(key), letter_of(key), draft=CASES[key][1])


@lru_cache(maxsize=None)
def problems(key: str, fmt: str) -> tuple:
    check = C.check_pdf if fmt == "pdf" else C.check_docx
    return tuple(check(output(key, fmt), expect_of(key), layout=L))


@lru_cache(maxsize=None)
def pdf_doc(key: str):
    """The PDF read back as the lint's neutral description of a laid-out letter."""
    return read_pdf(output(key, "pdf"))


@lru_cache(maxsize=None)
def docx_doc(key: str):
    return read_docx(output(key, "docx"))


def pdf_pages(key: str) -> int:
    return pdf_doc(key).page_count


def assert_clean(key: str, fmt: str):
    found = problems(key, fmt)
    assert not found, _report(found, f"{key} ({fmt})")


# --------------------------------------------------------------------------------------------
# 1. The directive files: every applicable rule, both formats, draft and issued
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", DIRECTIVE_CASES)
def test_directive_file_docx_follows_nd30(key):
    """R01–R10, R12–R28, R31–R37, R45 and the draft mark in the DOCX of each directive file."""
    assert_clean(key, "docx")


@pytest.mark.parametrize("key", DIRECTIVE_CASES)
def test_directive_file_pdf_follows_nd30(key):
    """The same rules measured on the PDF (glyph positions, fonts, colours, vector lines)."""
    assert_clean(key, "pdf")


def test_docx_xml_has_no_duplicate_elements():
    """X01 (file validity, not an ND30 rule): no property element twice in one parent — the
    schema allows one, and Word may refuse the file or read the wrong value. Every case."""
    found = {}
    for key in CASES:
        for problem in C.docx_xml_problems(output(key, "docx")):
            found.setdefault(problem, []).append(key)
    assert not found, "\n".join(f"{problem} (in {len(keys)} files, e.g. {keys[:3]})" for problem, keys in found.items())


def test_directive_files_exist():
    assert len(DIRECTIVE_FILES) == 5


@pytest.mark.parametrize("key", DIRECTIVE_CASES)
def test_directive_file_number_and_date_lines(key):
    """R14/R15/R17/R19 wording: blanks before issuing, the clerk's number and date after."""
    letter, data = letter_of(key), data_of(key)
    doc = pdf_doc(key)
    assert doc.number is not None and doc.date, "Số / date line not found in the PDF"
    if key.endswith("issued"):
        assert C.squash(doc.number.text) == f"Số: 05/{data['symbol']}"
        assert C.squash(C.join_lines([b.text for b in doc.date])) == f"{data['place']}, ngày 05 tháng 01 năm 2026"
    else:
        assert doc.number.text.replace("\u00a0", " ").split() == ["Số:", f"/{data['symbol']}"]
        assert "\u00a0" in doc.number.text, "the blank number keeps no-break spaces for the clerk"
        assert C.DATE_BLANK_RE.match(C.join_lines([b.text for b in doc.date]))
    assert letter.number_line.replace("\u00a0", " ").split() == doc.number.text.replace("\u00a0", " ").split()


@pytest.mark.parametrize("key", DIRECTIVE_CASES)
def test_directive_file_r36_exception_only_with_warning(key):
    """R36: a công văn's Nơi nhận starts with "- Như trên;" — unless the letter warns (seed 004)."""
    letter = letter_of(key)
    warned = any("Như trên" in w for w in letter.warnings)
    if key.startswith("004"):
        assert warned, "seed 004 starts its Nơi nhận otherwise: the letter must say so"
        assert letter.cc[0] == "- Giám đốc TTYT (báo cáo);"
    else:
        assert not warned
        assert letter.cc[0] == "- Như trên;"


@pytest.mark.parametrize("key", DIRECTIVE_CASES)
def test_directive_file_without_signer_name_is_warned(key):
    """Seeds 002 and 004 give no signer name: the letter prints none and says so (R32 waived)."""
    letter = letter_of(key)
    if data_of(key)["signer"].get("name"):
        assert letter.signer_name and "Chưa có họ tên người ký." not in letter.warnings
    else:
        assert letter.signer_name == "" and "Chưa có họ tên người ký." in letter.warnings
        assert pdf_doc(key).signer_name is None


# --------------------------------------------------------------------------------------------
# 2. Every sentence is printed (PDF) / every line is in the DOCX
# --------------------------------------------------------------------------------------------

def directive_sentences(data: dict) -> list[str]:
    pieces = [data["subject"], data["place"], *data["recipients"], *data["cc"]]
    for key in ("preamble", "closing"):
        for paragraph in (data.get(key) or "").split("\n"):
            pieces.extend(C.sentences(paragraph))
    for section in data["sections"]:
        if section.get("heading"):
            pieces.extend(C.sentences(section["heading"]))
        for task in section["tasks"]:
            pieces.extend(C.sentences(task["text"]))
    signer = data.get("signer") or {}
    pieces.extend(filter(None, [signer.get("authority_title"), signer.get("title"), signer.get("name")]))
    return [p for p in pieces if p]


def letter_pieces(letter) -> list[str]:
    return [*letter.superior_lines, *letter.agency_lines, letter.number_line, letter.date_line,
            *(p for p in (letter.subject_line, letter.type_name, letter.summary) if p),
            *letter.recipients, *(p.text for p in letter.body), *letter.cc, *letter.signature_lines,
            *([letter.signer_name] if letter.signer_name else [])]


@pytest.mark.parametrize("key", DIRECTIVE_CASES + ["type-quyet_dinh", "long-names", "forty-tasks"])
def test_every_sentence_is_printed_in_the_pdf(key):
    data, letter = data_of(key), letter_of(key)
    streams = C.pdf_text_streams(output(key, "pdf"))
    for stream in streams:
        assert C.nfc(stream) == stream, "PDF text is not NFC"
    wanted = directive_sentences(data)
    assert all(C.nfc(p) == p for p in wanted), "directive text is not NFC"
    missing = C.missing_texts(streams, wanted)
    assert not missing, f"{len(missing)} sentence(s) of the directive not in the PDF: {missing[:5]}"
    missing = C.missing_texts(streams, letter_pieces(letter))
    assert not missing, f"{len(missing)} line(s) of the letter not in the PDF: {missing[:5]}"


@pytest.mark.parametrize("key", DIRECTIVE_CASES)
def test_every_line_of_the_letter_is_in_the_docx(key):
    from docx import Document
    from io import BytesIO

    document = Document(BytesIO(output(key, "docx")))
    texts = {C.squash(p.text) for p in document.paragraphs}
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                texts.update(C.squash(p.text) for p in cell.paragraphs)
    letter = letter_of(key)
    wanted = letter_pieces(letter)
    if letter.recipients_label and len(letter.recipients) == 1 and not letter.recipients[0].startswith("- "):
        wanted = [p for p in wanted if p != letter.recipients[0]] + [f"Kính gửi: {letter.recipients[0]}"]
    missing = [p for p in wanted if C.squash(p) not in texts]
    assert not missing, f"letter lines missing from the DOCX: {missing[:5]}"
    flat = " | ".join(sorted(texts))
    missing = [s for s in directive_sentences(data_of(key)) if C.squash(s) not in flat]
    assert not missing, f"directive sentences missing from the DOCX: {missing[:5]}"


# --------------------------------------------------------------------------------------------
# 3. Made-up directives
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", list(NAMED))
@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_named_type_follows_nd30(kind, fmt):
    """R21 (type name caps bold centred, summary bold centred, rule 1/3–1/2), R16 symbol, and all
    the other rules, for chỉ thị, công điện, thông báo, kế hoạch, quyết định, báo cáo, tờ trình."""
    assert_clean(f"type-{kind}", fmt)


@pytest.mark.parametrize("kind", list(NAMED))
def test_named_type_title_and_symbol(kind):
    key = f"type-{kind}"
    data = data_of(key)
    doc = pdf_doc(key)
    assert doc.type_name is not None and C.squash(doc.type_name.text) == C.DOC_TYPE_NAMES[kind]
    assert doc.type_name.bold and abs(doc.type_name.centre - doc.centre) <= 1.5
    assert doc.summary and all(b.bold for b in doc.summary)
    assert C.squash(doc.number.text) == f"Số: {data['number']}/{C.DOC_TYPE_ABBR[kind]}-{data['symbol'].split('-', 1)[1]}"
    assert not doc.subject, "a named type has no 'V/v' line"
    assert C.check_number_line(doc.number.text, expect_of(key)) == []
    assert C.check_date_line(C.join_lines([b.text for b in doc.date]), expect_of(key)) == []


def test_many_tasks_run_over_several_pages():
    """40 tasks: pages 2, 3, … numbered in the top margin, centred; signature block in one piece."""
    key = "forty-tasks"
    pages = pdf_pages(key)
    assert pages >= 3, f"40 tasks fit on {pages} page(s)?"
    doc = pdf_doc(key)
    assert doc.first_page_numbers == []
    assert [n.page for n in doc.page_numbers] == list(range(2, pages + 1))
    for number in doc.page_numbers:
        assert number.text == str(number.page) and abs(number.centre_offset) <= 1.5
        assert 13 <= number.size <= 14 and not number.bold
    block = [doc.cc_label, *doc.cc, *doc.positions, doc.signer_name]
    assert all(block), "signature block incomplete"
    assert {b.page for b in block} == {pages}, f"signature block on pages {sorted({b.page for b in block})}"
    assert doc.signature_together
    assert len(doc.body) == len(letter_of(key).body)
    assert_clean(key, "pdf")
    assert_clean(key, "docx")


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_single_addressee_on_one_line(fmt):
    key = "single-addressee"
    if fmt == "pdf":
        doc = pdf_doc(key)
        assert doc.recipients_label is not None
        assert C.squash(doc.recipients_label.text) == "Kính gửi: Sở Tài chính tỉnh Gia Lai."
        assert doc.recipients == [], "nothing else belongs to the Kính gửi block"
    else:
        doc = docx_doc(key)
        assert doc.recipients_label.text == "Kính gửi: Sở Tài chính tỉnh Gia Lai." and doc.recipients == []
    assert_clean(key, fmt)


@pytest.mark.parametrize("code", list(C.URGENCY_CODES))
@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_urgency_mark(code, fmt):
    """R37: the mark's text, bold, red, in a box of the legal / layout width, left, under Số/V/v."""
    key = f"urgent-{code}"
    text, width = L.URGENCY_BOXES[code]
    assert text == C.URGENCY_CODES[code] and abs(width - C.URGENCY_MARKS[text]) <= 2
    assert_clean(key, fmt)
    doc = pdf_doc(key) if fmt == "pdf" else docx_doc(key)
    marks = [m for m in doc.marks if C.squash(m.block.text) == text]
    assert len(marks) == 1 and marks[0].block.bold and marks[0].block.colours == {"FF0000"}
    box = marks[0].box
    assert box is not None and abs(box.width / C.MM - width) <= 2 and box.colour == "FF0000"
    assert box.x1 < doc.sheets[0].width / 2 and marks[0].under_number


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_draft_mark_only_on_drafts(fmt):
    on, off = output("draft-on", fmt), output("draft-off", fmt)
    read = read_pdf if fmt == "pdf" else read_docx
    for data, want in ((on, [C.DRAFT_MARK]), (off, [])):
        doc = read(data)
        assert [C.squash(m.block.text) for m in doc.marks if m.box is not None] == want
    assert_clean("draft-on", fmt)
    assert_clean("draft-off", fmt)


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_long_names_subject_and_fifteen_addressees_fit(fmt):
    """Nothing overflows the text area; the header columns keep their widths; Số and the date
    stay on one baseline; the 15 addressees print as '- X;' … '- Y.' with aligned dashes."""
    key = "long-names"
    doc = pdf_doc(key) if fmt == "pdf" else docx_doc(key)
    right = doc.sheets[0].width - L.MARGIN_RIGHT * C.MM
    assert all(sheet.margins["right"] >= L.MARGIN_RIGHT * C.MM - 1 for sheet in doc.sheets), "text past the right edge"
    assert doc.text_right <= right + 1
    assert doc.number is not None and doc.date and len(doc.date) == 1
    assert abs(doc.number.baseline - doc.date[0].baseline) <= 2
    assert len(doc.recipients) == 15
    assert doc.quoc_hieu.column is None or round((doc.quoc_hieu.column[1] - doc.quoc_hieu.column[0]) / C.MM, 1) == \
        L.HEADER_RIGHT
    assert_clean(key, fmt)


# --------------------------------------------------------------------------------------------
# 4. Bad input
# --------------------------------------------------------------------------------------------

MISSING = {
    "issuer": ({"issuer": []}, "cơ quan ban hành"),
    "subject": ({"subject": "   "}, "trích yếu"),
    "signer": ({"signer": None}, "chức vụ người ký"),
    "recipients": ({"recipients": []}, "Kính gửi"),
}


@pytest.mark.parametrize("field_name", list(MISSING))
def test_missing_field_raises_letter_error(field_name):
    changes, words = MISSING[field_name]
    data = cong_van(**changes)
    with pytest.raises(LetterError) as caught:
        build_letter(data, today=TODAY)
    problems_ = caught.value.problems
    assert len(problems_) == 1, problems_
    assert words in problems_[0] and field_name in problems_[0] and problems_[0].startswith("thiếu")
    assert "Văn bản chưa đủ để in" in str(caught.value)
    for fmt in ("docx", "pdf"):
        with pytest.raises(LetterError):
            render(data, fmt, today=TODAY)


def test_every_missing_field_is_named():
    data = cong_van(issuer=[], subject="", signer=None, recipients=[])
    with pytest.raises(LetterError) as caught:
        build_letter(data, today=TODAY)
    joined = " | ".join(caught.value.problems)
    assert len(caught.value.problems) == 4, joined
    for _, words in MISSING.values():
        assert words in joined


# --------------------------------------------------------------------------------------------
# 5. Fonts by their real names, signatures without a separate title, Roman-numbered parts
# --------------------------------------------------------------------------------------------

def test_pdf_embeds_the_letter_font_under_its_real_name():
    """What `pdffonts` lists: the PostScript names of the bundled faces, every one embedded."""
    from app.documents.fonts import font_files, postscript_name
    from app.lint.pdf_lines import open_pdf, unembedded_fonts
    from pdfminer.pdftypes import resolve1

    pdf = open_pdf(output("001-issued", "pdf"))
    names = set()
    for page in pdf.pages:
        for ref in resolve1(resolve1(page.page_obj.resources)["Font"]).values():
            names.add(str(resolve1(ref)["BaseFont"]).split("+", 1)[1].rstrip("'"))
    wanted = {postscript_name(str(path)) for path in font_files().values()}
    assert wanted == {"LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic", "LiberationSerif-BoldItalic"}
    assert names and names <= wanted, names
    assert not any("Letter" in name for name in names)
    assert unembedded_fonts(pdf) == []


SIGNERS_WITHOUT_TITLE = {
    "acting": ({"authority": "Q.", "authority_title": "GIÁM ĐỐC", "title": "", "name": "Phan Văn Hải"},
               ["Q. GIÁM ĐỐC"]),
    "bare": ({"authority": None, "authority_title": "CHỦ TỊCH", "title": None, "name": "Lê Ngọc Tuấn"},
             ["CHỦ TỊCH"]),
    "title-only": ({"authority": None, "authority_title": "", "title": "THỦ TƯỚNG", "name": "Phạm Minh Chính"},
                   ["THỦ TƯỚNG"]),
}


@pytest.mark.parametrize("kind", list(SIGNERS_WITHOUT_TITLE))
@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_signature_without_a_separate_title_renders(kind, fmt):
    signer, lines = SIGNERS_WITHOUT_TITLE[kind]
    data = cong_van(signer=signer, **ISSUED)
    letter = build_letter(data, today=TODAY)
    assert letter.signature_lines == lines
    content = render(data, fmt, today=TODAY)
    doc = read_pdf(content) if fmt == "pdf" else read_docx(content)
    assert [C.squash(b.text) for b in doc.positions] == lines
    assert doc.signer_name is not None and doc.signer_name.text == signer["name"]
    found = (C.check_pdf if fmt == "pdf" else C.check_docx)(content, C.expect_for(data, letter), layout=L)
    assert found == [], found


def test_a_signer_with_neither_title_nor_authority_title_is_refused():
    with pytest.raises(LetterError) as caught:
        build_letter(cong_van(signer={"authority": "TM.", "authority_title": "ỦY BAN NHÂN DÂN", "title": "", "name": "A"}),
                     today=TODAY)
    assert caught.value.problems == ["thiếu chức vụ người ký (signer.title)"]


ROMAN_SECTIONS = [
    {"number": "I", "heading": "MỤC ĐÍCH, YÊU CẦU", "assignees": [],
     "tasks": [{"text": "Nâng cao nhận thức về bảo vệ bí mật nhà nước."}]},
    {"number": "II", "heading": "PHÂN CÔNG NHIỆM VỤ", "assignees": [],
     "tasks": [{"text": "Các cơ quan, đơn vị quán triệt Kế hoạch này."}]},
    {"number": "II.1", "heading": "Công an tỉnh:", "assignees": [],
     "tasks": [{"text": "Chủ trì tham mưu triển khai Kế hoạch."}, {"text": "Kiểm tra việc thực hiện."}]},
    {"number": "II.2", "heading": None, "assignees": [], "tasks": [{"text": "Sở Nội vụ phối hợp thực hiện."}]},
    {"number": "III.1", "heading": None, "assignees": [], "tasks": [{"text": "Các sở, ngành báo cáo kết quả."}]},
]


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_roman_numbered_parts_print_as_the_original_numbers_them(fmt):
    """A section "II" with a heading is the part's title line, in bold (R30), and the part's items
    "II.1", "II.2" print under it as "1.", "2."; a part whose title the directive does not hold
    keeps the full number ("III.1.") so the part still shows."""
    data = cong_van(doc_type="ke_hoach", symbol="KH-UBND", recipients=[], sections=ROMAN_SECTIONS, **ISSUED)
    letter = build_letter(data, today=TODAY)
    numbered = [(p.text, p.kind) for p in letter.body if re.match(r"^([IVX]+|\d+)\.", p.text)]
    assert numbered == [("I. MỤC ĐÍCH, YÊU CẦU", "part"), ("II. PHÂN CÔNG NHIỆM VỤ", "part"),
                        ("1. Công an tỉnh:", "heading"), ("2. Sở Nội vụ phối hợp thực hiện.", "heading"),
                        ("III.1. Các sở, ngành báo cáo kết quả.", "heading")]
    content = render(data, fmt, today=TODAY)
    doc = read_pdf(content) if fmt == "pdf" else read_docx(content)
    parts = [b for b in doc.body if re.match(r"^[IVX]+\. ", b.text)]
    assert [C.squash(b.text) for b in parts] == ["I. MỤC ĐÍCH, YÊU CẦU", "II. PHÂN CÔNG NHIỆM VỤ"]
    assert all(b.bold for b in parts)
    assert not any(re.match(r"^II\.\d", b.text) for b in doc.body)
    found = (C.check_pdf if fmt == "pdf" else C.check_docx)(content, C.expect_for(data, letter), layout=L)
    assert found == [], found
