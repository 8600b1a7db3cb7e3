"""The rule table (id, ND30 reference, level, what to fix) and the report of one lint run.

Each rule is written once in app/lint/rules_*.py over the neutral description (model.py); a
finding names its rule and says, in Vietnamese, what was measured.
"""
from dataclasses import dataclass, field

MUST, SHOULD = "MUST", "SHOULD"
LEVEL_LABELS = {MUST: "bắt buộc", SHOULD: "nên"}
PL1 = "Nghị định 30/2020/NĐ-CP, Phụ lục I"


@dataclass(frozen=True)
class RuleInfo:
    id: str
    level: str
    reference: str  # where ND30 says it
    title: str  # the rule in a few words
    fix: str  # what to change


def _r(id_, level, reference, title, fix):
    return RuleInfo(id_, level, reference, title, fix)


RULES = {rule.id: rule for rule in (
    _r("R01", MUST, f"{PL1}, khổ giấy", "Khổ giấy A4 (210 × 297 mm), hướng dọc", "Đặt khổ giấy A4, hướng dọc."),
    _r("R02", MUST, f"{PL1}, định lề trang", "Lề trên, dưới 20–25 mm; lề trái 30–35 mm; lề phải 15–20 mm",
       "Đặt lại lề trang trong khoảng quy định."),
    _r("R03", MUST, f"{PL1}, phông chữ", "Phông chữ Times New Roman (bộ mã Unicode TCVN 6909:2001), được nhúng",
       "Dùng phông Times New Roman cho toàn bộ văn bản (bản PDF được nhúng phông tương đương có đủ chữ Việt)."),
    _r("R04", MUST, f"{PL1}, phông chữ", "Chữ màu đen (trừ dấu chỉ mức độ khẩn màu đỏ)", "Đổi màu chữ về đen."),
    _r("R05", SHOULD, f"{PL1}, phông chữ (Unicode TCVN 6909:2001)", "Chữ Unicode dựng sẵn (NFC), không dùng phông TCVN3/VNI",
       "Chuyển văn bản sang Unicode dựng sẵn."),
    _r("R06", MUST, f"{PL1}, số trang", "Trang 1 không đánh số trang", "Bỏ số trang ở trang đầu (chọn “trang đầu khác”)."),
    _r("R07", MUST, f"{PL1}, số trang", "Số trang từ trang 2: chữ số Ả Rập, cỡ 13–14, đứng, căn giữa lề trên",
       "Đặt số trang ở giữa lề trên, cỡ 13–14, kiểu đứng, từ trang 2."),
    _r("R08", MUST, f"{PL1}, Quốc hiệu và Tiêu ngữ", "Quốc hiệu in hoa, đậm, cỡ 12–13, một dòng, góc phải trang 1",
       "Sửa dòng “CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM”: chữ in hoa, đậm, cỡ 12–13, trên một dòng."),
    _r("R09", MUST, f"{PL1}, Quốc hiệu và Tiêu ngữ", "Tiêu ngữ “Độc lập - Tự do - Hạnh phúc”, đậm, cỡ 13–14, ngay dưới Quốc hiệu",
       "Sửa Tiêu ngữ: đúng chữ, gạch nối có cách chữ, đậm, cỡ 13–14, căn giữa ngay dưới Quốc hiệu."),
    _r("R10", MUST, f"{PL1}, Quốc hiệu và Tiêu ngữ", "Đường kẻ liền dưới Tiêu ngữ dài bằng dòng chữ",
       "Kẻ một đường liền dưới Tiêu ngữ, dài bằng Tiêu ngữ, căn giữa."),
    _r("R12", MUST, f"{PL1}, tên cơ quan ban hành", "Tên cơ quan ban hành in hoa, đậm, cỡ 12–13; cơ quan chủ quản in hoa, đứng",
       "Sửa tên cơ quan: in hoa, cỡ 12–13, tên cơ quan ban hành đậm, tên cơ quan chủ quản không đậm, căn giữa cột trái."),
    _r("R13", MUST, f"{PL1}, tên cơ quan ban hành", "Đường kẻ dưới tên cơ quan dài 1/3–1/2 dòng chữ",
       "Kẻ đường liền dưới tên cơ quan, dài từ 1/3 đến 1/2 dòng chữ, căn giữa."),
    _r("R14", MUST, f"{PL1}, số, ký hiệu", "Dòng “Số: …/…” cỡ 13, đứng, căn giữa dưới tên cơ quan",
       "Sửa dòng số, ký hiệu: cỡ 13, kiểu đứng, căn giữa dưới tên cơ quan."),
    _r("R15", MUST, f"{PL1}, số, ký hiệu", "Số từ 01 đến 09 có số 0 đứng trước; ký hiệu không có dấu cách",
       "Viết số dạng 01–09 (từ 10 không thêm số 0), ký hiệu liền, các nhóm nối bằng gạch nối."),
    _r("R16", MUST, "Nghị định 30/2020/NĐ-CP, Phụ lục III (chữ viết tắt tên loại)", "Ký hiệu theo cấu trúc của loại văn bản",
       "Văn bản có tên loại: ký hiệu bắt đầu bằng chữ viết tắt tên loại (CT-UBND); công văn: bằng tên cơ quan (UBND-VX)."),
    _r("R17", MUST, f"{PL1}, địa danh và thời gian", "Dòng “Địa danh, ngày … tháng … năm …”, nghiêng, cỡ 13–14, một dòng",
       "Sửa dòng địa danh, ngày tháng: đúng mẫu, chữ nghiêng, cỡ 13–14, căn giữa dưới Quốc hiệu, trên một dòng."),
    _r("R18", MUST, f"{PL1}, vị trí các thành phần thể thức", "Số, ký hiệu và địa danh, ngày tháng trên cùng một dòng",
       "Đặt dòng “Số:” và dòng ngày tháng ngang nhau (cùng một hàng của bảng tiêu đề)."),
    _r("R19", MUST, f"{PL1}, địa danh và thời gian", "Ngày tháng có thật; ngày dưới 10 và tháng 1, 2 có số 0 đứng trước",
       "Sửa ngày tháng: ngày 01–09, tháng 01, 02 có số 0; tháng 3–12 không có."),
    _r("R20", MUST, f"{PL1}, trích yếu nội dung công văn", "Công văn: “V/v …” cỡ 12–13, đứng, dưới dòng số 6 pt; không có tên loại",
       "Sửa trích yếu công văn: bắt đầu “V/v ”, cỡ 12–13, không đậm, không nghiêng, căn giữa dưới dòng số."),
    _r("R21", MUST, f"{PL1}, tên loại và trích yếu", "Tên loại in hoa đậm cỡ 13–14, trích yếu đậm căn giữa, đường kẻ 1/3–1/2",
       "Sửa tên loại và trích yếu: tên loại in hoa, đậm, căn giữa; trích yếu đậm ngay dưới; kẻ đường 1/3–1/2 dòng."),
    _r("R22", MUST, f"{PL1}, nơi nhận (Kính gửi)", "“Kính gửi:”; nhiều nơi nhận thì mỗi dòng “- …;”, dòng cuối “- ….”",
       "Sửa phần Kính gửi: có dấu hai chấm; một nơi nhận ghi cùng dòng; nhiều nơi nhận mỗi dòng “- …;”, dòng cuối kết thúc bằng dấu chấm, gạch đầu dòng thẳng hàng."),
    _r("R23", MUST, f"{PL1}, nội dung văn bản", "Nội dung căn đều hai lề", "Căn đều hai lề các đoạn nội dung."),
    _r("R24", MUST, f"{PL1}, nội dung văn bản", "Dòng đầu đoạn lùi 1 cm hoặc 1,27 cm", "Đặt thụt dòng đầu 1 cm hoặc 1,27 cm, lề trái của đoạn bằng 0."),
    _r("R25", MUST, f"{PL1}, nội dung văn bản", "Nội dung cỡ 13–14, kiểu đứng, một cỡ chữ", "Dùng một cỡ chữ 13 hoặc 14, kiểu đứng cho nội dung."),
    _r("R26", MUST, f"{PL1}, nội dung văn bản", "Khoảng cách giữa các đoạn tối thiểu 6 pt", "Đặt khoảng cách giữa các đoạn từ 6 pt trở lên."),
    _r("R27", MUST, f"{PL1}, nội dung văn bản", "Khoảng cách dòng từ đơn (single) đến 1,5 dòng", "Đặt giãn dòng từ 1 đến 1,5 dòng."),
    _r("R28", SHOULD, "Nghị định 30/2020/NĐ-CP, Phụ lục III (các mẫu)", "Nội dung kết thúc bằng “./.”", "Thêm “./.” ở cuối nội dung."),
    _r("R29", MUST, f"{PL1}, nội dung văn bản (căn cứ ban hành)", "Căn cứ ban hành in nghiêng; “;” cuối mỗi dòng, “.” dòng cuối",
       "Sửa các dòng căn cứ: chữ nghiêng, kết thúc bằng dấu chấm phẩy, dòng cuối bằng dấu chấm."),
    _r("R30", MUST, f"{PL1}, bố cục nội dung", "Phần, mục đánh số La Mã in đậm; điểm a), b), c)… theo thứ tự chữ cái tiếng Việt",
       "Sửa đánh số: phần “I.”, “II.” in đậm; điểm theo thứ tự a, b, c, d, đ, e, g…"),
    _r("R31", MUST, f"{PL1}, chức vụ, họ tên người ký", "Quyền hạn, chức vụ người ký in hoa, đậm, cỡ 13–14, căn giữa; TM./KT./TL./TUQ./Q. đúng thứ tự",
       "Sửa khối chữ ký: “TM.”, “KT.”, “TL.”, “TUQ.”, “Q.” đúng thứ tự, chức vụ in hoa, đậm, cỡ 13–14, cả khối trên một trang."),
    _r("R32", MUST, f"{PL1}, chức vụ, họ tên người ký", "Họ tên người ký chữ thường, đậm, cỡ 13–14, không học hàm, học vị",
       "Sửa họ tên người ký: chữ thường, đậm, cỡ 13–14, căn giữa dưới chức vụ, bỏ học hàm học vị."),
    _r("R33", SHOULD, f"{PL1}, chữ ký", "Đủ chỗ ký và đóng dấu giữa chức vụ và họ tên (≥ 15 mm)", "Để khoảng trống ký, đóng dấu khoảng 3 dòng."),
    _r("R34", MUST, f"{PL1}, nơi nhận", "“Nơi nhận:” cỡ 12, đậm nghiêng, sát lề trái, ngang dòng chức vụ đầu tiên",
       "Sửa “Nơi nhận:”: cỡ 12, đậm, nghiêng, sát lề trái, ngang hàng với dòng quyền hạn, chức vụ."),
    _r("R35", MUST, f"{PL1}, nơi nhận", "Danh sách nơi nhận cỡ 11, đứng; mỗi dòng “- …;”, dòng cuối “- Lưu: VT, ….”",
       "Sửa danh sách nơi nhận: cỡ 11, mỗi dòng bắt đầu “- ” và kết thúc “;”, dòng cuối “- Lưu: VT, ….”"),
    _r("R36", MUST, f"{PL1}, nơi nhận (công văn)", "Nơi nhận của công văn bắt đầu bằng “- Như trên;”", "Thêm “- Như trên;” vào đầu danh sách nơi nhận."),
    _r("R37", MUST, f"{PL1}, mức độ khẩn", "Dấu HỎA TỐC, THƯỢNG KHẨN, KHẨN: in hoa đậm cỡ 13–14, khung đơn đúng cỡ, màu đỏ",
       "Sửa dấu mức độ khẩn: chỉ dùng HỎA TỐC, THƯỢNG KHẨN, KHẨN; chữ đậm, màu đỏ, trong khung 30, 40, 20 × 8 mm dưới số, ký hiệu."),
    _r("R44", MUST, "Nghị định 30/2020/NĐ-CP, Phụ lục I, mục II (văn bản điện tử)",
       "Ảnh chữ ký số màu xanh, PNG nền trong suốt, giữa chức vụ và họ tên; con dấu màu đỏ, PNG nền trong suốt, trùm khoảng 1/3 ảnh chữ ký bên trái",
       "Ký lại: ảnh chữ ký (PNG trong suốt, màu xanh) giữa chức vụ và họ tên, con dấu (PNG trong suốt, màu đỏ, đúng kích thước) trùm 1/3 ảnh chữ ký bên trái."),
    _r("R45", SHOULD, f"{PL1}, cỡ chữ và kiểu chữ", "Chữ in hoa là chữ hoa thật, không dùng định dạng “All caps”",
       "Gõ lại bằng chữ hoa thay vì định dạng chữ hoa."),
    _r("R46", SHOULD, "Nghị định 30/2020/NĐ-CP, Phụ lục III (mẫu 1.4, 1.5)", "Cột phải của tiêu đề đủ rộng cho Quốc hiệu trên một dòng",
       "Nới rộng cột phải của bảng tiêu đề (khoảng 60 % bề rộng)."),
    _r("D01", SHOULD, "Quy ước của hệ thống (ND30 không quy định dấu dự thảo)", "Dấu “DỰ THẢO” chỉ có trên bản dự thảo, khung đơn, chữ đen",
       "In dấu “DỰ THẢO” trên bản dự thảo và bỏ khi phát hành."),
)}


@dataclass
class Finding:
    rule: str
    detail: str  # what was measured, in Vietnamese

    @property
    def info(self) -> RuleInfo:
        return RULES[self.rule]

    @property
    def level(self) -> str:
        return self.info.level

    def __str__(self) -> str:
        return f"{self.rule}: {self.detail}"


@dataclass
class LintReport:
    medium: str  # docx or pdf
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the reader could not locate
    pages: int | None = None
    checked: bool = True  # False: nothing could be read (a scan without a text layer)

    @property
    def must_failures(self) -> list[Finding]:
        return [f for f in self.findings if f.level == MUST]

    @property
    def should_failures(self) -> list[Finding]:
        return [f for f in self.findings if f.level == SHOULD]

    @property
    def passed(self) -> bool:
        """No MUST rule broken (SHOULD rules are advice)."""
        return not self.must_failures

    @property
    def broken_rules(self) -> list[str]:
        return sorted({f.rule for f in self.findings})

    def by_rule(self) -> list[tuple[RuleInfo, list[Finding]]]:
        """The broken rules, MUST first, each with its findings."""
        grouped: dict[str, list[Finding]] = {}
        for finding in self.findings:
            grouped.setdefault(finding.rule, []).append(finding)
        order = sorted(grouped, key=lambda r: (RULES[r].level != MUST, r))
        return [(RULES[rule], grouped[rule]) for rule in order]

    def summary(self) -> str:
        if not self.checked:
            return "Không kiểm tra được thể thức: " + " ".join(self.notes)
        if not self.findings:
            return "Đạt thể thức Nghị định 30/2020/NĐ-CP: không phát hiện lỗi."
        musts, shoulds = len({f.rule for f in self.must_failures}), len({f.rule for f in self.should_failures})
        return (f"{'Không đạt' if musts else 'Đạt'} thể thức Nghị định 30/2020/NĐ-CP: "
                f"{musts} quy định bắt buộc bị vi phạm, {shoulds} khuyến nghị chưa theo.")

    def lines(self) -> list[str]:
        """The report as printed by `flask directive lint`."""
        out = [self.summary()]
        for rule, findings in self.by_rule():
            out.append(f"[{rule.id}] ({LEVEL_LABELS[rule.level]}) {rule.title} — {rule.reference}")
            out.append(f"    Cách sửa: {rule.fix}")
            out.extend(f"    - {finding.detail}" for finding in findings)
        out.extend(f"Ghi chú: {note}" for note in self.notes if self.checked)
        return out

    def as_dict(self) -> dict:
        return {"medium": self.medium, "checked": self.checked, "passed": self.passed, "pages": self.pages,
                "notes": self.notes,
                "findings": [{"rule": f.rule, "level": f.level, "reference": f.info.reference,
                              "title": f.info.title, "detail": f.detail} for f in self.findings]}
