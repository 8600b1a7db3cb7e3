"""A PDF letter as the neutral description: its elements found from glyph positions, fonts and
vector lines (pdfplumber). Nothing of the exporter is assumed: the text area is where the text is."""
import re
import statistics

from app.lint.checks import DRAFT_MARK, TYPE_NAMES, URGENCY_MARKS
from app.lint.model import MM, Block, Box, LaidOutLetter, Mark, PageNumber, Rule, Sheet
from app.lint.pdf_lines import Line, open_pdf, page_lines, rules_and_boxes, unembedded_fonts
from app.lint.text import is_caps, join_lines, squash

TOP_BAND = 20 * MM  # the legal minimum top margin: the page number sits above it


def _block(lines: list[Line], right: float | None = None) -> Block:
    """Printed lines of one paragraph as a Block (alignment read from where the lines end)."""
    first = lines[0]
    widest = max(lines, key=lambda l: l.width)
    same_page = [(a, b) for a, b in zip(lines, lines[1:]) if a.page == b.page]
    pitches = [b.baseline - a.baseline for a, b in same_page]
    pitch = statistics.median(pitches) if pitches else None
    align = None
    if right is not None and len(lines) > 1:
        align = "justify" if all(abs(l.x1 - right) <= 1.5 for l in lines[:-1]) else "left"
    return Block(
        text=join_lines([l.text for l in lines]), size=max(l.size for l in lines),
        sizes=frozenset(s for l in lines for s in l.sizes), bold=all(l.bold for l in lines),
        any_bold=any(l.any_bold for l in lines), italic=all(l.italic for l in lines),
        any_italic=any(l.any_italic for l in lines), align=align, x0=widest.x0, x1=widest.x1,
        first_x0=first.x0, rest_x0=min((l.x0 for l in lines[1:]), default=None), top=first.top,
        baseline=first.baseline, last_baseline=lines[-1].baseline, page=first.page, lines=len(lines),
        pitch=pitch, pitch_spread=max((abs(p - pitch) for p in pitches), default=0.0),
        colours=frozenset(c for l in lines for c in l.colours))


def _rule_under(line: Line | None, rules, lo: float, hi: float) -> Rule | None:
    if line is None:
        return None
    found = [r for r in rules if r.page == line.page and line.bottom - 1 <= r.top <= line.bottom + 10
             and lo <= r.centre <= hi]
    if not found:
        return None
    seg = min(found, key=lambda r: r.top)
    return Rule(seg.x0, seg.x1, "single", seg.colour)


def _paragraphs(lines: list[Line], left: float) -> list[list[Line]]:
    """A paragraph starts at a line indented from the left edge, or after a gap wider than the pitch."""
    pitches = [b.baseline - a.baseline for a, b in zip(lines, lines[1:]) if a.page == b.page and b.x0 <= left + 3]
    pitch = statistics.median(pitches) if pitches else None
    out: list[list[Line]] = []
    for line in lines:
        prev = out[-1][-1] if out else None
        gap = prev is not None and prev.page == line.page and pitch is not None and line.baseline - prev.baseline > pitch + 3
        if prev is None or line.x0 > left + 5 or gap:
            out.append([line])
        else:
            out[-1].append(line)
    return out


def _dien_label(rest: list[Line]) -> bool:
    """A công điện's "<AGENCY> điện:" line, perhaps wrapped over a few lines set at the same place."""
    lines = [rest[0]]
    for line in rest[1:4]:
        if squash(join_lines([l.text for l in lines])).endswith(":") or abs(line.x0 - rest[0].x0) > 1 or \
                line.text.startswith("- "):
            break
        lines.append(line)
    return squash(join_lines([l.text for l in lines])).endswith("điện:")


def read_pdf(data) -> LaidOutLetter:
    pdf = open_pdf(data)
    doc = LaidOutLetter("pdf", page_count=len(pdf.pages))
    everything = [line for index, page in enumerate(pdf.pages, start=1) for line in page_lines(page, index)]
    margin = [l for l in everything if l.bottom <= TOP_BAND + 0.5]
    lines = [l for l in everything if l.bottom > TOP_BAND + 0.5]
    rules, boxes = rules_and_boxes(pdf)
    doc.top_margin = TOP_BAND
    for line in everything:
        doc.texts.append(line.text)
        for char in line.chars:
            if char["text"].strip():
                doc.fonts.setdefault(re.sub(r"^[A-Z]{6}\+", "", char["fontname"]), line.text)
        for colour in line.colours:
            doc.colours.append((colour, line.text, squash(line.text) in URGENCY_MARKS))
    doc.unembedded = unembedded_fonts(pdf)
    if not lines:
        doc.notes.append("Tệp PDF không có lớp chữ: không kiểm tra được thể thức.")
        return doc
    doc.text_left = min(l.x0 for l in lines)
    doc.text_right = max(l.x1 for l in lines)
    _page_numbers(doc, margin)
    _locate(doc, lines, rules, boxes)
    for index, page in enumerate(pdf.pages, start=1):
        on_page = [l for l in lines if l.page == index]
        sheet = Sheet(index, float(page.width), float(page.height))
        if on_page:
            sheet.margins = {"left": min(l.x0 for l in on_page), "right": sheet.width - max(l.x1 for l in on_page),
                             "top": min(l.top for l in on_page), "bottom": sheet.height - max(l.bottom for l in on_page)}
        if index == 1:
            body = doc.body
            # the left edge is where a paragraph's second line starts; a one-line paragraph shows only
            # its indented first line, so a letter of short paragraphs leaves the edge unmeasured
            sheet.body_left = min((min(b.first_x0, b.rest_x0) for b in body if b.rest_x0 is not None), default=None)
            ends = [b.x1 for b in body if b.lines > 1]
            sheet.body_right = statistics.median(ends) if ends else None
            sheet.first_top = min((l.top for l in on_page), default=None)
        doc.sheets.append(sheet)
    return doc


def _page_numbers(doc: LaidOutLetter, margin: list[Line]) -> None:
    centre = doc.centre
    for line in margin:
        if line.page == 1:
            doc.first_page_numbers.append(line.text)
        elif line.text == str(line.page) or re.fullmatch(r"\d{1,3}", line.text):
            doc.page_numbers.append(PageNumber(line.text, line.page if line.text == str(line.page) else None,
                                               line.size, line.any_bold, line.any_italic,
                                               line.centre - centre, line.top, line.bottom))


def _locate(doc: LaidOutLetter, lines: list[Line], rules, boxes) -> None:
    centre = doc.centre
    first = [l for l in lines if l.page == 1]
    qh = next((l for l in first if squash(l.text).upper().startswith("CỘNG HÒA") or
               squash(l.text).upper().startswith("CỘNG HOÀ")), None)
    tn = next((l for l in first if squash(l.text).startswith("Độc lập")), None)
    num = next((l for l in first if re.match(r"^Số\s*:", l.text) and l.centre < centre), None)
    doc.has_header = qh is not None or num is not None
    doc.quoc_hieu = _block([qh]) if qh else None
    if tn:
        doc.tieu_ngu = _block([tn])
        doc.tieu_ngu.rule_below = _rule_under(tn, rules, centre, doc.text_right)
    if num is None:
        doc.notes.append("Không thấy dòng “Số:” ở cột trái trang 1: phần tiêu đề chưa được kiểm tra hết.")
        rest = [l for l in lines if qh is None or (l.page, l.baseline) > (1, (tn or qh).baseline + 2)]
        _tail(doc, rest, rules, boxes)
        return
    doc.number = _block([num])
    above = [l for l in first if l.bottom <= num.top + 1 and l.centre < centre]
    for line in above:
        (doc.agency if line.any_bold else doc.superior).append(_block([line]))
    if doc.agency:
        last = max((l for l in above if l.any_bold), key=lambda l: l.baseline)
        doc.agency[-1].rule_below = _rule_under(last, rules, doc.text_left, centre)
    date_lines = []
    date_first = next((l for l in first if l.centre > centre and abs(l.baseline - num.baseline) <= 6), None)
    if date_first:
        date_lines = [date_first]
        for line in first:
            last = date_lines[-1]
            if line.centre > centre and 0 < line.baseline - last.baseline <= 1.5 * last.size and line.italic:
                date_lines.append(line)
        doc.date = [_block([l]) for l in date_lines]
    after = [l for l in lines if (l.page, l.baseline) > (1, num.baseline + 2) and l not in date_lines]
    start = len(after)
    for index, line in enumerate(after):
        text = squash(line.text)
        if text in TYPE_NAMES or text == "CÔNG VĂN" or text.startswith("Kính gửi") or text.endswith("điện:") or \
                (line.x0 < centre - 5 and line.x1 > centre + 5) or line.page > 1:
            start = index
            break
    subject: list[Line] = []
    for line in after[:start]:
        text = squash(line.text)
        if line.centre >= centre:
            doc.header_other.append(_block([line]))
        elif text in URGENCY_MARKS or text == DRAFT_MARK:
            box = next((b for b in sorted(boxes, key=lambda b: b.width * b.height, reverse=True)
                        if b.page == line.page and b.x0 <= line.x0 + 0.5 and b.x1 >= line.x1 - 0.5
                        and b.top <= line.top + 0.5 and b.bottom >= line.bottom - 0.5 and b.width < 80 * MM), None)
            above_lines = [num] + subject
            doc.marks.append(Mark(_block([line]), Box(box.x0, box.x1, box.height, "single", box.colour, box.top)
                                  if box else None,
                                  None if box is None else box.top >= max(l.bottom for l in above_lines)))
        elif text.startswith("V/v") or (subject and not line.any_bold and not doc.marks):
            subject.append(line)
        else:
            doc.header_other.append(_block([line]))
    doc.subject = [_block([l]) for l in subject]
    _tail(doc, after[start:], rules, boxes)


def _tail(doc: LaidOutLetter, rest: list[Line], rules, boxes) -> None:
    """Type name and summary, Kính gửi, body, Nơi nhận and signature."""
    centre = doc.centre
    if rest and (squash(rest[0].text) in TYPE_NAMES or squash(rest[0].text) == "CÔNG VĂN"):
        type_line = rest.pop(0)
        doc.type_name = _block([type_line])
        summary = []
        while rest and rest[0].bold and abs(rest[0].centre - centre) <= 6 and \
                not squash(rest[0].text).startswith("Kính gửi"):
            summary.append(rest.pop(0))
        doc.summary = [_block([l]) for l in summary]
        if summary:
            doc.summary[-1].rule_below = _rule_under(summary[-1], rules, doc.text_left, doc.text_right)
    if rest and (squash(rest[0].text).startswith("Kính gửi") or _dien_label(rest)):
        label_lines = [rest.pop(0)]
        # a long label ("ỦY BAN NHÂN DÂN TỈNH … điện:") or a single addressee wraps under itself
        while rest and rest[0].page == label_lines[0].page and abs(rest[0].x0 - label_lines[0].x0) <= 1 and \
                not rest[0].text.startswith("- ") and not squash(join_lines([l.text for l in label_lines])).endswith(":"):
            label_lines.append(rest.pop(0))
        label = label_lines[0]
        doc.recipients_label = _block(label_lines)
        items: list[list[Line]] = []
        multi = squash(doc.recipients_label.text).endswith(":")
        dash_x = None
        while rest and rest[0].page == label.page and rest[0].x0 >= label.x0 - 1:
            line = rest.pop(0)
            closed = bool(items) and join_lines([l.text for l in items[-1]]).endswith((";", "."))
            if multi and line.text.startswith("- ") and (dash_x is None or abs(line.x0 - dash_x) <= 3 or closed):
                dash_x = line.x0 if dash_x is None else dash_x
                items.append([line])
            elif items:
                items[-1].append(line)
            else:
                items.append([line])
        doc.recipients = [_block(item) for item in items]
    labels = [i for i, l in enumerate(rest) if squash(l.text).startswith("Nơi nhận")]
    body_lines = rest
    if labels:
        index = labels[-1]
        label = rest[index]
        body_lines = rest[:index]
        cc_lines, sig = [], []
        for line in rest[index + 1:]:
            (sig if line.x0 >= centre - 1 or line.centre > centre + 20 else cc_lines).append(line)
        name = sig.pop() if sig and not is_caps(sig[-1].text) else None
        doc.cc_label = _block([label])
        items = []
        for line in cc_lines:
            if line.text.startswith("- ") or not items:
                items.append([line])
            else:
                items[-1].append(line)
        doc.cc = [_block(item) for item in items]
        doc.positions = [_block([l]) for l in sig]
        doc.signer_name = _block([name]) if name else None
        doc.signature_together = len({l.page for l in [label, *cc_lines, *sig, *([name] if name else [])]}) == 1
        if sig:
            doc.signature_level = label.top - sig[0].top
    else:
        doc.notes.append("Không thấy “Nơi nhận:”: khối chữ ký chưa được kiểm tra.")
    paragraphs = _paragraphs(body_lines, doc.text_left)
    doc.body = [_block(p, doc.text_right) for p in paragraphs]
    pitches = [b.pitch for b in doc.body if b.pitch is not None]
    pitch = statistics.median(pitches) if pitches else None
    for prev, (block, lines) in zip(paragraphs, list(zip(doc.body, paragraphs))[1:]):
        if pitch is not None and prev[-1].page == lines[0].page:
            block.gap_before = (lines[0].baseline - prev[-1].baseline) - pitch
