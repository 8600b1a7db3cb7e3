"""Rules of the text: Kính gửi (R22), body paragraphs (R23–R28), legal bases (R29), numbering of
parts and points (R30)."""
import re
import statistics

from app import doc_types
from app.lint.checks import Findings, in_range, mm, pt, short
from app.lint.model import LaidOutLetter
from app.lint.text import is_caps, squash

BASIS_RE = re.compile(r"^(Căn cứ|Theo đề nghị)")
PART_RE = re.compile(r"^[IVXLC]+\.(\s|$)")
POINT_RE = re.compile(r"^([a-zđ])\)\s")
POINT_ORDER = "abcdđeghiklmnopqrstuvxy"
INDENTS = (28.35, 36.0)  # 1 cm, 1.27 cm in points


def check_recipients(doc: LaidOutLetter, doc_type: str, out: Findings) -> None:
    label = doc.recipients_label
    kind = doc_types.get(doc_type)
    if label is None:
        if doc_type == "cong_van":
            out.add("R22", "công văn không có dòng “Kính gửi:” sau phần tiêu đề")
        return
    text = squash(label.text)
    kinh_gui = text.startswith("Kính gửi")
    for block in [label] + doc.recipients:
        if not in_range(block.size, 13, 14):
            out.add("R22", f"dòng {short(block.text, 30)} cỡ {pt(block.size)} (13–14)")
            break
        if block.any_bold or block.any_italic:
            out.add("R22", f"dòng {short(block.text, 30)} in đậm hoặc nghiêng (phải đứng)")
            break
    if kinh_gui and not text.startswith("Kính gửi:"):
        out.add("R22", "“Kính gửi” thiếu dấu hai chấm")
    items = [squash(b.text) for b in doc.recipients]
    if text.endswith(":"):
        if kinh_gui and len(items) < 2:
            out.add("R22", f"“Kính gửi:” đứng riêng một dòng nhưng chỉ có {len(items)} nơi nhận "
                           "(một nơi nhận thì ghi cùng dòng)")
        for index, item in enumerate(items):
            last = index == len(items) - 1
            if not re.fullmatch(r"- .+" + (r"\." if last else ";"), item):
                out.add("R22", f"nơi nhận {short(item)} phải viết “- …{'.' if last else ';'}”")
        starts = [b.first_x0 for b in doc.recipients if b.first_x0 is not None]
        if starts and max(starts) - min(starts) > 1:
            out.add("R22", f"gạch đầu dòng các nơi nhận không thẳng hàng (lệch {pt(max(starts) - min(starts))} pt)")
    elif kinh_gui and not re.fullmatch(r"Kính gửi: \S.*", text):
        out.add("R22", f"dòng Kính gửi {short(text)} không đúng mẫu")
    elif kinh_gui and doc.recipients:
        out.add("R22", "một nơi nhận ghi cùng dòng “Kính gửi:” nhưng còn dòng khác đi kèm")
    if not kind.takes_recipients and kinh_gui:
        out.add("R22", f"{kind.label.lower()} không có phần “Kính gửi”")


def check_body(doc: LaidOutLetter, doc_type: str, out: Findings) -> None:
    paragraphs = doc.body
    if not paragraphs:
        out.add("R23", "không thấy đoạn nội dung nào")
        return
    decision = doc_type == "quyet_dinh"
    for block in paragraphs:
        label = short(block.text, 40)
        if block.align not in (None, "justify"):
            out.add("R23", f"đoạn {label} không căn đều hai lề")
        if block.rest_x0 is not None and doc.text_left is not None and abs(block.rest_x0 - doc.text_left) > 1:
            out.add("R24", f"đoạn {label}: các dòng sau lùi {mm(block.rest_x0 - doc.text_left)} mm so với lề trái")
        if block.first_x0 is not None and doc.text_left is not None:
            indent = block.first_x0 - doc.text_left
            if not any(abs(indent - want) <= 1.5 for want in INDENTS):
                out.add("R24", f"đoạn {label} thụt dòng đầu {mm(indent)} mm (phải 10 hoặc 12,7 mm)")
        part = bool(PART_RE.match(block.text)) and block.bold
        basis = decision and BASIS_RE.match(block.text)
        if (block.any_bold and not part) or (block.any_italic and not basis):
            out.add("R25", f"đoạn {label} có chữ đậm hoặc nghiêng")
    sizes = sorted({round(s, 1) for b in paragraphs for s in b.sizes if s is not None})
    if len(sizes) > 1 or any(not in_range(s, 13, 14) for s in sizes):
        out.add("R25", f"nội dung dùng cỡ chữ {', '.join(pt(s) for s in sizes)} (một cỡ 13 hoặc 14)")
    size = max(sizes) if sizes else 14
    pitches = [b.pitch for b in paragraphs if b.pitch is not None]
    if pitches:
        pitch = statistics.median(pitches)
        bad = [b for b in paragraphs if b.pitch is not None and not 1.10 * size - 0.1 <= b.pitch <= 1.75 * size + 0.1]
        if bad:
            out.add("R27", f"khoảng cách dòng {pt(bad[0].pitch)} pt cho chữ cỡ {pt(size)} "
                           f"(từ 1 đến 1,5 dòng) ở đoạn {short(bad[0].text, 30)}")
        uneven = [b for b in paragraphs if b.pitch is not None and (b.pitch_spread > 0.5 or abs(b.pitch - pitch) > 0.5)]
        if uneven and not bad:
            out.add("R27", f"khoảng cách dòng không đều ở đoạn {short(uneven[0].text, 30)}")
    for block in paragraphs[1:]:
        if block.gap_before is not None and block.gap_before < 5.5:
            out.add("R26", f"chỉ {pt(block.gap_before)} pt trước đoạn {short(block.text, 30)} (tối thiểu 6 pt)")
    if not squash(paragraphs[-1].text).endswith("./."):
        out.add("R28", f"đoạn cuối kết thúc {short(paragraphs[-1].text[-20:])}, không phải “./.”")
    if decision:
        _basis(doc, out)
    _numbering(doc, out)


def _basis(doc: LaidOutLetter, out: Findings) -> None:
    block = [b for b in doc.body if BASIS_RE.match(b.text)]
    for index, para in enumerate(block):
        if not para.italic:
            out.add("R29", f"dòng căn cứ {short(para.text, 40)} không in nghiêng")
        last = index == len(block) - 1
        if not squash(para.text).endswith("." if last else ";"):
            out.add("R29", f"dòng căn cứ {short(para.text, 40)} phải kết thúc bằng “{'.' if last else ';'}”")


def _numbering(doc: LaidOutLetter, out: Findings) -> None:
    """R30: a Roman-numbered part line is bold (and its title in capitals); points a), b) … follow
    the Vietnamese alphabet (a b c d đ e g h i k …, never f j w z)."""
    expected = None
    for block in doc.body:
        text = squash(block.text)
        if PART_RE.match(text) and (is_caps(text) or len(text) <= 6) and not block.bold:
            out.add("R30", f"dòng phần {short(text, 40)} không in đậm")
        point = POINT_RE.match(text)
        if not point:
            if not text.startswith("- "):
                expected = None
            continue
        letter = point.group(1)
        if letter not in POINT_ORDER:
            out.add("R30", f"điểm “{letter})” không có trong bảng chữ cái tiếng Việt (không dùng f, j, w, z)")
        elif expected is not None and letter != expected and letter != "a":
            out.add("R30", f"điểm “{letter})” đứng sau điểm trước đó, đúng ra là “{expected})”")
        if letter in POINT_ORDER:
            position = POINT_ORDER.index(letter)
            expected = POINT_ORDER[position + 1] if position + 1 < len(POINT_ORDER) else None

