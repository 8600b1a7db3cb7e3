"""Shared pieces of the rules: the context of a lint run, tolerances, the findings collector, and
the text rules of the Số line (R15, R16) and the date line (R17, R19)."""
import re
from dataclasses import dataclass
from datetime import date

from app import doc_types
from app.lint.model import MM
from app.lint.report import Finding
from app.lint.text import nfc

SIZE_TOL = 0.1
POS_TOL = 1.0
QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
URGENCY_MARKS = {"HỎA TỐC": 30.0, "THƯỢNG KHẨN": 40.0, "KHẨN": 20.0}  # box width, mm (ND30 §3.8)
URGENCY_CODES = {"hoa_toc": "HỎA TỐC", "thuong_khan": "THƯỢNG KHẨN", "khan": "KHẨN"}
DRAFT_MARK = "DỰ THẢO"
MARK_HEIGHT_MM = 8.0
BOX_TOLERANCE_MM = 2.0
# ND30 Phụ lục III, part I: abbreviations of the document types.
TYPE_ABBREVIATIONS = {
    "NQ", "QĐ", "CT", "QC", "QyĐ", "TC", "TB", "HD", "CTr", "KH", "PA", "ĐA", "DA", "BC", "BB", "TTr",
    "HĐ", "CĐ", "BGN", "BTT", "GUQ", "GM", "GGT", "GNP", "PG", "PC", "PB", "SY", "TrS", "SL",
}
TYPE_NAMES = {t.printed_name: t.code for t in doc_types.DOC_TYPE_LIST if t.printed_name}
AUTHORITY_RE = re.compile(r"^(TM|KT|TL|TUQ|Q)\. \S")
ACADEMIC_RE = re.compile(r"^(GS|PGS|TS|ThS|KS|BS|CN)\.")
NUMBER_ISSUED_RE = r"(0[1-9]|[1-9]\d+)"
SYMBOL_RE = r"[A-ZĐ0-9][A-Za-zĐđ0-9]*(-[A-ZĐ0-9][A-Za-zĐđ0-9&]*)+"
DATE_ISSUED_RE = re.compile(
    r"^(?P<p>[^,]+), ngày (?P<d>0[1-9]|[12]\d|3[01]) tháng (?P<m>0[12]|[3-9]|1[0-2]) năm (?P<y>\d{4})$")
DATE_BLANK_RE = re.compile(r"^(?P<p>[^,]+), ngày\s+tháng\s+năm (?P<y>\d{4})$")
DATE_ANY_RE = re.compile(r"^(?P<p>[^,]+), ngày (?P<d>\d{1,2}) tháng (?P<m>\d{1,2}) năm (?P<y>\d{4})$")


@dataclass
class LintContext:
    """What the file is meant to be; None: read it from the file itself."""

    doc_type: str | None = None  # cong_van, chi_thi … (None: from the type name printed, if any)
    issued: bool | None = None  # True: number and date filled in; False: blanks for the clerk
    draft: bool | None = None  # True: a "DỰ THẢO" box is expected; False: none
    urgency: str | None = None  # "KHẨN" … ; checked only when check_urgency
    check_urgency: bool = False


class Findings(list):
    def add(self, rule: str, detail: str) -> None:
        self.append(Finding(rule, detail))


def in_range(value, low: float, high: float, tol: float = SIZE_TOL) -> bool:
    return value is not None and low - tol <= value <= high + tol


def near(value, target: float, tol: float) -> bool:
    return value is not None and abs(value - target) <= tol


def pt(value) -> str:
    return "?" if value is None else f"{value:.1f}".rstrip("0").rstrip(".")


def mm(value) -> str:
    return "?" if value is None else f"{value / MM:.1f}"


def short(text: str, limit: int = 50) -> str:
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[:limit - 1] + '…'}”"


def is_red(colour: str) -> bool:
    """"FF0000" and near it: the colour of the urgency mark."""
    try:
        r, g, b = int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)
    except ValueError:
        return False
    return r >= 0xC0 and g <= 0x40 and b <= 0x40


def check_number_text(text: str, doc_type: str | None, issued: bool | None, out: Findings) -> None:
    """R15 (number padding, symbol without spaces) and R16 (symbol structure of the type)."""
    text = nfc(" ".join(text.replace("\u00a0", " ").split()) if issued is not False else text)
    filled = re.fullmatch(rf"Số: {NUMBER_ISSUED_RE}/({SYMBOL_RE})", text)
    blank = re.fullmatch(rf"Số:\s+/({SYMBOL_RE})", text)
    if issued is True and not filled:
        out.add("R15", f"dòng số {short(text)} không theo mẫu “Số: NN/KÝ-HIỆU” (01–09 có số 0, ký hiệu liền)")
    elif issued is False and not blank:
        out.add("R15", f"dòng số {short(text)} của văn bản chưa phát hành phải để trống số: “Số:      /KÝ-HIỆU”")
    elif issued is None and not (filled or blank):
        out.add("R15", f"dòng số {short(text)} không theo mẫu “Số: NN/KÝ-HIỆU”")
    match = filled or blank
    if not match:
        return
    symbol = text.split("/", 1)[1]
    groups = symbol.split("-")
    if doc_type == "cong_van" and groups[0] in TYPE_ABBREVIATIONS:
        out.add("R16", f"ký hiệu công văn {short(symbol)} lại bắt đầu bằng chữ viết tắt tên loại")
    elif doc_type and doc_type != "cong_van":
        want = doc_types.get(doc_type).abbreviation
        if groups[0] != want:
            out.add("R16", f"ký hiệu {short(symbol)} của {doc_types.get(doc_type).label.lower()} phải bắt đầu bằng “{want}-”")
        if len(groups) < 2:
            out.add("R16", f"ký hiệu {short(symbol)} thiếu chữ viết tắt tên cơ quan sau tên loại")


def check_date_text(text: str, issued: bool | None, out: Findings) -> None:
    """R17 (wording, capitals of the place name) and R19 (a real, padded date)."""
    text = nfc(" ".join(text.replace("\u00a0", " ").split())) if issued is not False else nfc(text)
    filled = DATE_ISSUED_RE.match(text) or DATE_ANY_RE.match(text)
    blank = DATE_BLANK_RE.match(text)
    if text.startswith(","):
        out.add("R17", f"dòng ngày tháng {short(text)} thiếu địa danh")
        return
    if issued is True and not filled or issued is False and not blank or not (filled or blank):
        want = "để trống ngày và tháng" if issued is False else "theo mẫu “Địa danh, ngày DD tháng M năm YYYY”"
        out.add("R17", f"dòng ngày tháng {short(text)} phải {want}")
        return
    match = filled or blank
    place = match.group("p")
    for word in place.split():
        special = word == "phố" and place == "Thành phố Hồ Chí Minh"
        if not word[0].isupper() and not special:
            out.add("R17", f"địa danh {short(place)}: chữ “{word}” phải viết hoa chữ cái đầu")
    if filled:
        day, month, year = int(filled.group("d")), int(filled.group("m")), int(filled.group("y"))
        try:
            date(year, month, day)
        except ValueError:
            out.add("R19", f"ngày {short(text)} không có thật")
            return
        month_text = f"{month:02d}" if month < 3 else str(month)
        if filled.group("d") != f"{day:02d}" or filled.group("m") != month_text:
            out.add("R19", f"ngày {short(text)}: ngày phải có 2 chữ số, tháng 1 và 2 viết 01, 02, tháng 3–12 không có số 0")


def check_signature_grammar(lines: list[str], out: Findings) -> None:
    """R31: [TM. X] [KT.|TL.|TUQ.|Q. Y] [KT. Z] CHỨC VỤ; "Q. GIÁM ĐỐC" alone is an acting head's line."""
    if not lines:
        return
    notes = [(AUTHORITY_RE.match(line).group(1) if AUTHORITY_RE.match(line) else None) for line in lines]
    if notes[-1] is not None and not (len(lines) == 1 and notes[-1] == "Q") and \
            not (notes[-1] == "Q" and all(n in ("TM", "TL") for n in notes[:-1])):
        out.add("R31", f"dòng chức vụ cuối {short(lines[-1])} còn ký hiệu quyền hạn: thiếu chức vụ của người ký")
        return
    sequence = notes[:-1] if notes[-1] != "Q" else notes
    if None in sequence:
        return  # an "other position" line, not validated further
    text = " ".join(n for n in sequence if n)
    if not re.fullmatch(r"(TM)?( ?(KT|TL|TUQ|Q))?( ?KT)?", text.strip()) or (
            len(sequence) >= 2 and sequence[-1] == "KT" and sequence[-2] not in ("TL", "TM")):
        out.add("R31", f"thứ tự quyền hạn {sequence} không theo [TM.] [KT.|TL.|TUQ.|Q.] [KT.]")
