"""Rules of the first-page header: Quốc hiệu, Tiêu ngữ and their rule (R08–R10), the agency block
(R12, R13), Số and date (R14–R19), the trích yếu or type name (R20, R21), the header columns (R46)
and the boxed marks under Số (R37, and the draft mark D01)."""
from app.lint.checks import (BOX_TOLERANCE_MM, DRAFT_MARK, MARK_HEIGHT_MM, QUOC_HIEU, TIEU_NGU, URGENCY_MARKS,
                             Findings, LintContext, check_date_text, check_number_text, in_range, is_red, mm, near,
                             pt, short)
from app.lint.model import MM, Block, LaidOutLetter
from app.lint.text import is_caps, join_lines, nfc, norm, squash, width_pt


def _centred(block: Block) -> bool:
    return block.align in (None, "center")


def check_header(doc: LaidOutLetter, ctx: LintContext, doc_type: str, out: Findings) -> None:
    if not doc.has_header:
        out.add("R08", "không thấy phần tiêu đề hai cột (tên cơ quan | Quốc hiệu) ở đầu trang 1")
        return
    _national(doc, out)
    _agency(doc, out)
    _number_and_date(doc, ctx, doc_type, out)
    _subject(doc, doc_type, out)
    for block in doc.header_other:
        out.add("R12", f"chữ lạ trong phần tiêu đề: {short(block.text)}")


def _national(doc: LaidOutLetter, out: Findings) -> None:
    qh, tn = doc.quoc_hieu, doc.tieu_ngu
    if qh is None:
        out.add("R08", "không thấy Quốc hiệu “CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM” ở trang 1")
    else:
        if norm(qh.text) != QUOC_HIEU or qh.lines > 1:
            out.add("R08", f"Quốc hiệu in là {short(qh.text)}{' trên nhiều dòng' if qh.lines > 1 else ''}")
        if not qh.bold:
            out.add("R08", "Quốc hiệu không in đậm")
        if not in_range(qh.size, 12, 13):
            out.add("R08", f"Quốc hiệu cỡ {pt(qh.size)} (12–13)")
        if not _centred(qh) or (doc.centre is not None and qh.centre is not None and qh.centre <= doc.centre):
            out.add("R08", "Quốc hiệu không căn giữa ở nửa phải trang 1")
        if doc.quoc_hieu_room is not None and qh.size and \
                width_pt(QUOC_HIEU, qh.size, True) > doc.quoc_hieu_room + 0.5:
            out.add("R46", f"Quốc hiệu rộng {mm(width_pt(QUOC_HIEU, qh.size, True))} mm, cột phải chỉ "
                           f"{mm(doc.quoc_hieu_room)} mm: Quốc hiệu bị xuống dòng")
    if tn is None or doc.tieu_ngu_follows is False:
        out.add("R09", "ngay dưới Quốc hiệu không phải dòng Tiêu ngữ")
        return
    if nfc(squash(tn.text)) != TIEU_NGU:
        out.add("R09", f"Tiêu ngữ in là {short(tn.text)}, phải là “{TIEU_NGU}”")
    if not tn.bold:
        out.add("R09", "Tiêu ngữ không in đậm")
    if not in_range(tn.size, 13, 14):
        out.add("R09", f"Tiêu ngữ cỡ {pt(tn.size)} (13–14)")
    if not _centred(tn):
        out.add("R09", "Tiêu ngữ không căn giữa")
    if qh is not None:
        if qh.baseline is not None and tn.baseline is not None and not 0 < tn.baseline - qh.baseline <= 1.5 * (tn.size or 14):
            out.add("R09", f"Tiêu ngữ cách Quốc hiệu {pt(tn.baseline - qh.baseline)} pt, phải ngay dòng dưới")
        if qh.centre is not None and tn.centre is not None and abs(tn.centre - qh.centre) > 2:
            out.add("R09", f"Tiêu ngữ lệch tâm Quốc hiệu {pt(tn.centre - qh.centre)} pt")
    rule = tn.rule_below
    if rule is None:
        out.add("R10", "không có đường kẻ liền ngay dưới Tiêu ngữ")
        return
    if rule.style != "single":
        out.add("R10", f"đường dưới Tiêu ngữ kiểu “{rule.style}”, phải là nét liền đơn")
    if tn.width:
        ratio = rule.width / tn.width
        if not 0.9 <= ratio <= 1.1:
            out.add("R10", f"đường dưới Tiêu ngữ dài {mm(rule.width)} mm, Tiêu ngữ {mm(tn.width)} mm (phải bằng nhau ±10 %)")
    if tn.centre is not None and abs(rule.centre - tn.centre) > 2:
        out.add("R10", f"đường dưới Tiêu ngữ lệch tâm {pt(rule.centre - tn.centre)} pt")
    if rule.colour.upper() not in ("000000", "AUTO"):
        out.add("R04", f"đường dưới Tiêu ngữ màu #{rule.colour}")


def _agency(doc: LaidOutLetter, out: Findings) -> None:
    if not doc.agency:
        out.add("R12", "không thấy tên cơ quan ban hành in đậm ở cột trái phần tiêu đề")
    for block in doc.superior + doc.agency:
        if not is_caps(block.text) or block.text != block.text.upper():
            out.add("R12", f"tên cơ quan {short(block.text)} không in hoa")
        if not in_range(block.size, 12, 13):
            out.add("R12", f"tên cơ quan {short(block.text)} cỡ {pt(block.size)} (12–13)")
        if block in doc.superior and block.any_bold:
            out.add("R12", f"tên cơ quan chủ quản {short(block.text)} in đậm (phải đứng, không đậm)")
        if block in doc.agency and not block.bold:
            out.add("R12", f"tên cơ quan ban hành {short(block.text)} không đậm toàn bộ")
        if not _centred(block):
            out.add("R12", f"tên cơ quan {short(block.text)} không căn giữa")
    if doc.superior and doc.agency and doc.superior[-1].baseline is not None and doc.agency[0].baseline is not None \
            and doc.superior[-1].baseline > doc.agency[0].baseline:
        out.add("R12", "tên cơ quan chủ quản nằm dưới tên cơ quan ban hành")
    centres = [b.centre for b in doc.superior + doc.agency if b.centre is not None]
    if centres and max(centres) - min(centres) > 2:
        out.add("R12", "các dòng tên cơ quan không cùng một trục giữa")
    if not doc.agency:
        return
    widest = max(doc.agency, key=lambda b: b.width or 0)
    rule = doc.agency[-1].rule_below
    if rule is None:
        out.add("R13", "không có đường kẻ liền dưới tên cơ quan ban hành")
        return
    if widest.width:
        ratio = rule.width / widest.width
        if not 0.31 <= ratio <= 0.52:
            out.add("R13", f"đường dưới tên cơ quan dài {mm(rule.width)} mm cho dòng chữ {mm(widest.width)} mm "
                           f"(tỉ lệ {ratio:.2f}, phải 1/3–1/2)")
    if widest.centre is not None and abs(rule.centre - widest.centre) > 2:
        out.add("R13", f"đường dưới tên cơ quan lệch tâm {pt(rule.centre - widest.centre)} pt")


def _number_and_date(doc: LaidOutLetter, ctx: LintContext, doc_type: str, out: Findings) -> None:
    num = doc.number
    if num is None:
        out.add("R14", "không thấy dòng “Số:” ở cột trái phần tiêu đề")
        return
    if not near(num.size, 13, 0.1):
        out.add("R14", f"dòng số cỡ {pt(num.size)} (phải 13)")
    if num.any_bold or num.any_italic:
        out.add("R14", "dòng số in đậm hoặc nghiêng (phải đứng)")
    block = doc.superior + doc.agency
    axis = max(block, key=lambda b: b.width or 0).centre if block else None
    if not _centred(num) or (axis is not None and num.centre is not None and abs(num.centre - axis) > 3 * MM):
        out.add("R14", "dòng số không căn giữa dưới tên cơ quan")
    check_number_text(num.text, doc_type, ctx.issued, out)
    if not doc.date:
        out.add("R18", "không thấy dòng địa danh, ngày tháng ngang dòng số")
        return
    first = doc.date[0]
    text = join_lines([b.text for b in doc.date])
    if len(doc.date) > 1 or first.lines > 1:
        out.add("R17", f"dòng ngày tháng bị xuống dòng: {short(text)}")
    elif doc.date_room is not None and first.size and width_pt(text, first.size, italic=True) > doc.date_room + 0.5:
        out.add("R17", f"dòng ngày tháng rộng {mm(width_pt(text, first.size, italic=True))} mm, cột chỉ "
                       f"{mm(doc.date_room)} mm: bị xuống dòng")
    check_date_text(text, ctx.issued, out)
    if not all(b.italic for b in doc.date):
        out.add("R17", "dòng ngày tháng không in nghiêng")
    if not in_range(first.size, 13, 14):
        out.add("R17", f"dòng ngày tháng cỡ {pt(first.size)} (13–14)")
    qh = doc.quoc_hieu
    if not _centred(first) or (qh is not None and qh.centre is not None and first.centre is not None
                               and abs(first.centre - qh.centre) > 3 * MM):
        out.add("R17", "dòng ngày tháng không căn giữa dưới Quốc hiệu, Tiêu ngữ")
    if num.baseline is not None and first.baseline is not None and abs(first.baseline - num.baseline) > 2:
        out.add("R18", f"dòng số và dòng ngày tháng lệch nhau {pt(abs(first.baseline - num.baseline))} pt (≤ 2)")


def _subject(doc: LaidOutLetter, doc_type: str, out: Findings) -> None:
    num = doc.number
    if doc_type != "cong_van":
        if doc.subject:
            out.add("R21", f"văn bản có tên loại nhưng có dòng trích yếu kiểu công văn {short(doc.subject[0].text)}")
        return
    if doc.type_name is not None and squash(doc.type_name.text) == "CÔNG VĂN":
        out.add("R20", "công văn không in tên loại “CÔNG VĂN”")
    if not doc.subject:
        out.add("R20", "không thấy dòng “V/v …” dưới dòng số")
        return
    first = doc.subject[0]
    if not first.text.startswith("V/v "):
        out.add("R20", f"trích yếu bắt đầu {short(first.text[:12])}, phải là “V/v ”")
    for block in doc.subject:
        if not in_range(block.size, 12, 13):
            out.add("R20", f"dòng V/v cỡ {pt(block.size)} (12–13)")
            break
        if block.any_bold or block.any_italic:
            out.add("R20", "dòng V/v in đậm hoặc nghiêng (phải đứng)")
            break
        if not _centred(block) or (num is not None and num.centre is not None and block.centre is not None
                                   and abs(block.centre - num.centre) > 3 * MM):
            out.add("R20", f"dòng V/v {short(block.text, 30)} không căn giữa dưới dòng số")
            break
    if num is not None and num.baseline is not None and first.baseline is not None:
        gap = (first.baseline - num.baseline) - 1.15 * (num.size or 13)
        if not 4 <= gap <= 8:
            out.add("R20", f"dòng V/v cách dòng số {pt(gap)} pt (phải khoảng 6 pt)")


def check_title(doc: LaidOutLetter, doc_type: str, out: Findings) -> None:
    """R21: the type name and summary of a named document, and the short rule under the summary."""
    if doc_type == "cong_van":
        return
    line = doc.type_name
    if line is None:
        out.add("R21", "không thấy tên loại văn bản (CHỈ THỊ, KẾ HOẠCH …) dưới phần tiêu đề")
        return
    if not line.bold:
        out.add("R21", "tên loại không in đậm")
    if not in_range(line.size, 13, 14):
        out.add("R21", f"tên loại cỡ {pt(line.size)} (13–14)")
    if not _centred(line) or (doc.centre is not None and line.centre is not None and abs(line.centre - doc.centre) > 1.5):
        out.add("R21", "tên loại không căn giữa trang")
    if not doc.summary:
        out.add("R21", "không thấy trích yếu in đậm dưới tên loại")
        return
    for block in doc.summary:
        if not in_range(block.size, 13, 14):
            out.add("R21", f"trích yếu cỡ {pt(block.size)} (13–14)")
            break
        if not block.bold:
            out.add("R21", f"trích yếu {short(block.text, 30)} không in đậm")
            break
        if not _centred(block) or (doc.centre is not None and block.centre is not None
                                   and abs(block.centre - doc.centre) > 1.5):
            out.add("R21", f"trích yếu {short(block.text, 30)} không căn giữa")
            break
    if is_caps(join_lines([b.text for b in doc.summary])):
        out.add("R21", "trích yếu in hoa toàn bộ (phải chữ thường)")
    if line.baseline is not None and doc.summary[0].baseline is not None and \
            doc.summary[0].baseline - line.baseline > 1.6 * (line.size or 14):
        out.add("R21", "trích yếu không nằm ngay dưới tên loại")
    widest = max(doc.summary, key=lambda b: b.width or 0)
    rule = doc.summary[-1].rule_below
    if rule is None:
        out.add("R21", "không có đường kẻ dưới trích yếu")
        return
    if widest.width:
        ratio = rule.width / widest.width
        if not 0.31 <= ratio <= 0.52:
            out.add("R21", f"đường dưới trích yếu dài {mm(rule.width)} mm cho dòng chữ {mm(widest.width)} mm "
                           f"(tỉ lệ {ratio:.2f}, phải 1/3–1/2)")
    if doc.centre is not None and abs(rule.centre - doc.centre) > 2:
        out.add("R21", f"đường dưới trích yếu lệch tâm {pt(rule.centre - doc.centre)} pt")


def check_marks(doc: LaidOutLetter, ctx: LintContext, out: Findings) -> None:
    texts = [squash(m.block.text) for m in doc.marks]
    if ctx.check_urgency:
        urgent, want = [t for t in texts if t in URGENCY_MARKS], [ctx.urgency] if ctx.urgency else []
        if urgent != want:
            out.add("R37", f"dấu mức độ khẩn in là {urgent or 'không có'}, văn bản là {want or 'không khẩn'}")
    if ctx.draft is True and DRAFT_MARK not in texts:
        out.add("D01", "bản dự thảo không có dấu “DỰ THẢO”")
    if ctx.draft is False and DRAFT_MARK in texts:
        out.add("D01", "văn bản không phải dự thảo nhưng in dấu “DỰ THẢO”")
    page_half = doc.sheets[0].width / 2 if doc.sheets else 297.6
    for mark, text in zip(doc.marks, texts):
        rule = "R37" if text in URGENCY_MARKS else "D01"
        block = mark.block
        if not block.bold:
            out.add(rule, f"dấu {short(text)} không in đậm")
        if not in_range(block.size, 13, 14):
            out.add(rule, f"dấu {short(text)} cỡ {pt(block.size)} (13–14)")
        if rule == "R37" and not all(is_red(c) for c in block.colours):
            out.add("R37", f"chữ của dấu {short(text)} không màu đỏ")
        if rule == "D01" and any(c not in ("000000", "AUTO") for c in block.colours):
            out.add("R04", f"dấu {short(text)} không màu đen")
        box = mark.box
        if box is None or box.style != "single":
            out.add(rule, f"dấu {short(text)} không nằm trong khung nét đơn")
            continue
        legal = URGENCY_MARKS.get(text)
        if legal and abs(box.width / MM - legal) > BOX_TOLERANCE_MM:
            out.add("R37", f"khung dấu {short(text)} rộng {mm(box.width)} mm, phải {legal:g} mm")
        if box.height is not None and abs(box.height / MM - MARK_HEIGHT_MM) > BOX_TOLERANCE_MM:
            out.add(rule, f"khung dấu {short(text)} cao {mm(box.height)} mm, phải 8 mm")
        if rule == "R37" and not is_red(box.colour):
            out.add("R37", f"khung dấu {short(text)} không màu đỏ")
        if box.x1 >= page_half:
            out.add(rule, f"khung dấu {short(text)} vượt sang nửa phải trang")
        if mark.under_number is False:
            out.add(rule, f"dấu {short(text)} không nằm dưới dòng số, ký hiệu và trích yếu")
