"""Rules of the page as a whole: paper and margins (R01, R02), font, colour and encoding (R03–R05,
R45), page numbers (R06, R07)."""
import re
import unicodedata

from app.lint.checks import URGENCY_MARKS, Findings, in_range, is_red, mm, pt, short
from app.lint.model import MM, LaidOutLetter
from app.lint.text import nfc, squash

A4 = (595.276, 841.890)
MARGINS_MM = {"top": (20.0, 25.0), "bottom": (20.0, 25.0), "left": (30.0, 35.0), "right": (15.0, 20.0)}
SIDES = {"top": "trên", "bottom": "dưới", "left": "trái", "right": "phải"}
# ND30.md's exception: a PDF may embed a metric-compatible serif with every Vietnamese letter.
TIMES_RE = re.compile(r"^(Times ?New ?Roman|TimesNewRoman(PS)?(-\w+)?(MT)?|Times-New-Roman(-\w+)*)$", re.I)
CLONE_RE = re.compile(r"^(Liberation ?Serif|Tinos|TeX ?Gyre ?Termes|TeXGyreTermes)(-\w+)?$", re.I)


def check_page(doc: LaidOutLetter, out: Findings) -> None:
    for sheet in doc.sheets:
        where = f"trang {sheet.number}" if doc.medium == "pdf" else f"phần (section) {sheet.number}"
        if sheet.landscape or abs(sheet.width - A4[0]) > 1 or abs(sheet.height - A4[1]) > 1:
            out.add("R01", f"{where} có khổ {mm(sheet.width)} × {mm(sheet.height)} mm"
                           f"{' (ngang)' if sheet.landscape else ''}, không phải A4 dọc 210 × 297 mm")
        for side, value in sheet.margins.items():
            low, high = MARGINS_MM[side]
            if value is None:
                continue
            if value < low * MM - 1:
                out.add("R02", f"{where}: {'lề' if sheet.declared else 'chữ cách mép'} {SIDES[side]} "
                               f"{mm(value)} mm, phải từ {low:g} mm")
            elif sheet.declared and value > high * MM + 1:
                out.add("R02", f"{where}: lề {SIDES[side]} {mm(value)} mm, tối đa {high:g} mm")
        if not sheet.declared:
            if sheet.body_left is not None and not in_range(sheet.body_left, 30 * MM, 35 * MM, 1):
                out.add("R02", f"{where}: nội dung bắt đầu cách mép trái {mm(sheet.body_left)} mm (lề trái 30–35 mm)")
            if sheet.body_right is not None and not in_range(sheet.width - sheet.body_right, 15 * MM, 20 * MM, 1):
                out.add("R02", f"{where}: dòng căn đều kết thúc cách mép phải {mm(sheet.width - sheet.body_right)} mm "
                               "(lề phải 15–20 mm)")
            if sheet.first_top is not None and sheet.first_top > 25 * MM + 4:
                out.add("R02", f"dòng đầu trang 1 cách mép trên {mm(sheet.first_top)} mm (lề trên 20–25 mm)")
        if sheet.header_distance is not None and sheet.margins.get("top") is not None and \
                sheet.header_distance >= sheet.margins["top"]:
            out.add("R07", f"số trang đặt cách mép trên {mm(sheet.header_distance)} mm, không nằm trong lề trên")


def font_allowed(name: str, medium: str) -> bool:
    if medium == "docx":
        return name == "Times New Roman"
    return bool(TIMES_RE.match(name) or CLONE_RE.match(name))


def check_text(doc: LaidOutLetter, out: Findings) -> None:
    for name, sample in sorted(doc.fonts.items()):
        if not font_allowed(name, doc.medium):
            out.add("R03", f"chữ {short(sample, 30)} dùng phông “{name}”, không phải Times New Roman"
                           f"{' hay phông tương đương có tên thật' if doc.medium == 'pdf' else ''}")
    for name in doc.unembedded:
        out.add("R03", f"phông “{name}” không được nhúng vào tệp PDF")
    seen = set()
    for colour, sample, red_allowed in doc.colours:
        if colour in ("000000", "AUTO") or (red_allowed and is_red(colour)) or colour in seen:
            continue
        seen.add(colour)
        out.add("R04", f"chữ {short(sample, 30)} màu #{colour}; chỉ dấu mức độ khẩn được màu đỏ")
    for text in doc.texts:
        if nfc(text) != text or any(unicodedata.category(c) == "Mn" for c in text):
            out.add("R05", f"chữ {short(text, 40)} không ở dạng Unicode dựng sẵn (NFC)")
            break
    for font in doc.legacy_fonts:
        out.add("R05", f"phông bảng mã cũ “{font}”")
    upper = [doc.quoc_hieu, doc.type_name, *(m.block for m in doc.marks)]
    for block in upper + [*doc.agency, *doc.superior, *doc.positions]:
        if block is not None and (block.caps_property or (block in upper and block.text != block.text.upper())):
            out.add("R45", f"{short(block.text, 40)} phải là chữ hoa thật (không dùng định dạng chữ hoa)")


def check_page_numbers(doc: LaidOutLetter, out: Findings) -> None:
    for text in doc.first_page_numbers:
        out.add("R06", f"trang 1 có {short(text, 20)} ở lề trên (trang 1 không đánh số)")
    pages = doc.page_count
    numbers = doc.page_numbers
    if doc.medium == "docx":
        if not numbers:
            out.add("R07", "không có trường số trang (PAGE) ở đầu trang của các trang từ 2")
    elif pages:
        found = {n.page: n for n in numbers}
        for page in range(2, pages + 1):
            if page not in found:
                out.add("R07", f"trang {page} không có số trang {page} ở giữa lề trên")
    for number in numbers:
        where = f"trang {number.page}" if number.page else "đầu trang"
        if number.centre_offset is not None and abs(number.centre_offset) > (10 * MM if doc.medium == "pdf" else 1):
            out.add("R07", f"số trang ở {where} lệch tâm {mm(number.centre_offset)} mm")
        if not in_range(number.size, 13, 14):
            out.add("R07", f"số trang ở {where} cỡ {pt(number.size)} (13–14)")
        if number.bold or number.italic:
            out.add("R07", f"số trang ở {where} in đậm hoặc nghiêng (phải đứng)")
        if number.number_format not in (None, "decimal"):
            out.add("R07", f"số trang kiểu “{number.number_format}”, phải là chữ số Ả Rập")
        if number.start not in (None, "1"):
            out.add("R07", f"số trang bắt đầu từ {number.start}")
        if number.bottom is not None and doc.top_margin is not None and number.bottom > doc.top_margin + 0.5:
            out.add("R07", f"số trang ở {where} không nằm trong lề trên")


def is_urgency(text: str) -> bool:
    return squash(text) in URGENCY_MARKS
