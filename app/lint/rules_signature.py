"""Rules of the signature block and Nơi nhận (R31–R36)."""
import re

from app.lint.checks import ACADEMIC_RE, Findings, check_signature_grammar, in_range, mm, near, pt, short
from app.lint.model import MM, LaidOutLetter
from app.lint.text import is_caps, norm, squash


def check_signature(doc: LaidOutLetter, doc_type: str, out: Findings) -> None:
    label = doc.cc_label
    if label is None:
        out.add("R34", "không thấy “Nơi nhận:” ở khối chữ ký")
    else:
        if squash(label.text) != "Nơi nhận:":
            out.add("R34", f"nhãn in là {short(label.text)}, phải là “Nơi nhận:”")
        if not near(label.size, 12, 0.1):
            out.add("R34", f"“Nơi nhận:” cỡ {pt(label.size)} (phải 12)")
        if not (label.bold and label.italic):
            out.add("R34", "“Nơi nhận:” không in đậm nghiêng")
        if label.first_x0 is not None and doc.text_left is not None and \
                not -1 <= label.first_x0 - doc.text_left <= 1 * MM:
            out.add("R34", f"“Nơi nhận:” cách lề trái {mm(label.first_x0 - doc.text_left)} mm (phải sát lề)")
        if doc.signature_level is not None and abs(doc.signature_level) > 3:
            out.add("R34", f"“Nơi nhận:” lệch {pt(doc.signature_level)} pt so với dòng chức vụ đầu tiên (phải ngang hàng)")
    if doc.signature_together is False:
        out.add("R31", "khối nơi nhận và chữ ký bị tách sang hai trang")
    positions = doc.positions
    if not positions:
        out.add("R31", "không thấy dòng quyền hạn, chức vụ người ký")
    for block in positions:
        if not is_caps(block.text) or block.text != block.text.upper():
            out.add("R31", f"dòng chức vụ {short(block.text)} không in hoa")
        if not block.bold:
            out.add("R31", f"dòng chức vụ {short(block.text)} không in đậm")
        if not in_range(block.size, 13, 14):
            out.add("R31", f"dòng chức vụ {short(block.text)} cỡ {pt(block.size)} (13–14)")
        if block.align not in (None, "center"):
            out.add("R31", f"dòng chức vụ {short(block.text)} không căn giữa")
    centres = [b.centre for b in positions if b.centre is not None]
    if centres and max(centres) - min(centres) > 2:
        out.add("R31", "các dòng chức vụ không cùng một trục giữa")
    check_signature_grammar([squash(b.text) for b in positions], out)
    name = doc.signer_name
    if name is None and positions:
        out.add("R32", "thiếu họ tên người ký dưới chức vụ")
    if name is not None:
        if is_caps(name.text):
            out.add("R32", f"họ tên {short(name.text)} in hoa toàn bộ (phải chữ thường)")
        if not name.bold:
            out.add("R32", "họ tên người ký không in đậm")
        if not in_range(name.size, 13, 14):
            out.add("R32", f"họ tên người ký cỡ {pt(name.size)} (13–14)")
        if ACADEMIC_RE.match(name.text):
            out.add("R32", f"có học hàm, học vị trước họ tên {short(name.text)}")
        if positions:
            last = positions[-1]
            if name.align not in (None, "center") or (name.centre is not None and last.centre is not None
                                                      and abs(name.centre - last.centre) > 3 * MM):
                out.add("R32", "họ tên không căn giữa dưới chức vụ")
            if name.baseline is not None and last.baseline is not None and name.baseline - last.baseline < 15 * MM:
                out.add("R33", f"chỉ {mm(name.baseline - last.baseline)} mm giữa chức vụ và họ tên (≥ 15 mm để ký, đóng dấu)")
    _cc(doc, doc_type, out)


def _cc(doc: LaidOutLetter, doc_type: str, out: Findings) -> None:
    if doc.cc_label is None:
        return
    items = doc.cc
    if not items:
        out.add("R35", "không có nơi nhận nào dưới “Nơi nhận:”")
        return
    for block in items:
        if not near(block.size, 11, 0.1):
            out.add("R35", f"dòng nơi nhận {short(block.text, 30)} cỡ {pt(block.size)} (phải 11)")
            break
        if block.any_bold or block.any_italic:
            out.add("R35", f"dòng nơi nhận {short(block.text, 30)} in đậm hoặc nghiêng")
            break
        if block.first_x0 is not None and doc.text_left is not None and block.first_x0 - doc.text_left > 1 * MM:
            out.add("R35", f"dòng nơi nhận {short(block.text, 30)} không sát lề trái")
            break
    texts = [squash(b.text) for b in items]
    for index, text in enumerate(texts):
        if index == len(texts) - 1:
            if not re.fullmatch(r"- Lưu\b.*\.", text):
                out.add("R35", f"dòng cuối nơi nhận {short(text)} phải là “- Lưu: VT, ….”")
        elif not re.fullmatch(r"- .+;", text):
            out.add("R35", f"dòng nơi nhận {short(text)} phải viết “- …;”")
    if doc_type == "cong_van" and norm(texts[0]) != "- Như trên;":
        out.add("R36", f"nơi nhận đầu tiên của công văn là {short(texts[0])}, phải là “- Như trên;”")
