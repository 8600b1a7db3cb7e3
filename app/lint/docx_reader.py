"""A DOCX letter as the neutral description. Word files carry no rendered pages, so positions are
computed the way Word lays the text out: columns from the table grid, line breaks from the font
metrics, heights from the spacing. The first table is the header, the last one the signature."""
import io
import re

from app.documents.fonts import ascent_ratio
from app.lint.checks import DRAFT_MARK, TYPE_NAMES, URGENCY_MARKS
from app.lint.docx_styles import R_NS, DPara, Styles, on, para_props, run_props, val, w
from app.lint.model import Block, Box, LaidOutLetter, Mark, PageNumber, Rule, Sheet
from app.lint.text import is_caps, squash, wrapped_widths_pt

ALIGN = {"both": "justify", "distribute": "justify", "center": "center", "right": "right", "end": "right"}
LINE_HEIGHT = 1.15  # a single line of Times New Roman / Liberation Serif, in ems
LEGACY_FONT = re.compile(r"^(\.Vn|VNI-|VN-)")


def _pitch(para: DPara, size: float) -> float:
    if para.line_rule in (None, "auto"):
        return (para.line or 240) / 240 * LINE_HEIGHT * size
    if para.line_rule == "exact":
        return (para.line or 240) / 20
    return max((para.line or 0) / 20, LINE_HEIGHT * size)


def _block(para: DPara, column: tuple[float, float], top: float | None = None) -> tuple[Block, float]:
    """The paragraph placed in a column; returns it and its height (space before and after included)."""
    size = para.size or para.mark_size or 10.0
    left, right = column[0] + para.left, column[1] - para.right
    avail = right - left
    align = ALIGN.get(para.jc or "", "left")
    widths = wrapped_widths_pt(squash(para.text), size, avail - max(para.first, 0), para.bold, para.italic) \
        if para.text.strip() else [0.0]
    widest = max(widths)
    if align == "center":
        x0 = left + (avail - widest) / 2
    elif align == "right":
        x0 = right - widest
    else:
        x0 = left + max(para.first, 0)
    x1 = right if align == "justify" and len(widths) > 1 else x0 + widest
    pitch = _pitch(para, size)
    block = Block(
        text=para.text, size=para.size, sizes=frozenset(r.size for r in para.runs), bold=para.bold,
        any_bold=any(r.bold for r in para.runs), italic=para.italic, any_italic=any(r.italic for r in para.runs),
        align=align, x0=x0, x1=x1, first_x0=left + para.first, rest_x0=left, lines=len(widths), pitch=pitch,
        colours=frozenset((r.colour or "auto").upper() for r in para.runs), column=(left, right),
        caps_property=any(r.caps for r in para.runs), underline=any(r.underline for r in para.runs),
        gap_before=para.before)
    if top is not None:
        block.top = top + para.before
        block.baseline = block.top + ascent_ratio() * size + max(pitch - LINE_HEIGHT * size, 0)
        block.last_baseline = block.baseline + pitch * (len(widths) - 1)
    return block, para.before + pitch * len(widths) + para.after


def _rule(para: DPara, block: Block) -> Rule | None:
    """An empty paragraph with a bottom border: a line as long as the paragraph's indented column."""
    edge = para.borders.get("bottom")
    if para.text.strip() or not edge:
        return None
    return Rule(block.column[0], block.column[1], edge["val"] or "single", (edge["color"] or "000000").upper())


class _Cell:
    def __init__(self, tc, x: float, width: float, margins: tuple[float, float], styles: Styles):
        self.column = (x + margins[0], x + width - margins[1])
        self.paras = [para_props(p, styles) for p in tc.findall(w("p"))]
        self.valign = val(tc.find(f"{w('tcPr')}/{w('vAlign')}"))

    def layout(self, top: float) -> tuple[list[tuple[DPara, Block]], float]:
        """Every paragraph placed from the row's top; the cell's height."""
        placed, y = [], top
        for para in self.paras:
            block, height = _block(para, self.column, y)
            placed.append((para, block))
            y += height
        return placed, y - top


def _table(tbl, left: float, styles: Styles) -> list[list[_Cell]]:
    margins = [108 / 20, 108 / 20]
    mar = tbl.find(f"{w('tblPr')}/{w('tblCellMar')}")
    for index, names in enumerate((("left", "start"), ("right", "end"))):
        for name in names:
            element = mar.find(w(name)) if mar is not None else None
            if element is not None:
                margins[index] = int(element.get(w("w")) or 0) / 20
    indent = tbl.find(f"{w('tblPr')}/{w('tblInd')}")
    x = left + (int(indent.get(w("w")) or 0) / 20 if indent is not None else 0)
    grid = [int(c.get(w("w"))) / 20 for c in tbl.iter(w("gridCol"))]
    rows = []
    for tr in tbl.findall(w("tr")):
        cells, cx = [], x
        for index, tc in enumerate(tr.findall(w("tc"))):
            tcw = tc.find(f"{w('tcPr')}/{w('tcW')}")
            width = int(tcw.get(w("w"))) / 20 if tcw is not None and tcw.get(w("type")) in (None, "dxa") \
                else (grid[index] if index < len(grid) else 0)
            cells.append(_Cell(tc, cx, width, tuple(margins), styles))
            cx += width
        rows.append(cells)
    return rows


def read_docx(content: bytes) -> LaidOutLetter:
    from docx import Document

    document = Document(io.BytesIO(content))
    styles = Styles(document.styles.element)
    body = document.element.body
    doc = LaidOutLetter("docx")
    _sections(doc, document, body, styles)
    _text_facts(doc, document, styles)
    blocks = [child for child in body if child.tag in (w("p"), w("tbl"))]
    tables = [i for i, b in enumerate(blocks) if b.tag == w("tbl")]
    if not tables:
        doc.notes.append("Tệp không có bảng tiêu đề hai cột: phần tiêu đề chưa được kiểm tra.")
        _middle(doc, [para_props(b, styles) for b in blocks], styles)
        return doc
    header = _table(blocks[tables[0]], doc.text_left, styles)
    _header(doc, header)
    end = len(blocks)
    if len(tables) > 1:
        end = tables[-1]
        _signature(doc, blocks[tables[-1]], styles)
    else:
        doc.notes.append("Không thấy bảng khối chữ ký (Nơi nhận | chữ ký) ở cuối văn bản.")
    _middle(doc, [para_props(b, styles) for b in blocks[tables[0] + 1:end] if b.tag == w("p")], styles)
    return doc


def _sections(doc: LaidOutLetter, document, body, styles: Styles) -> None:
    for index, sect in enumerate(body.iter(w("sectPr")), start=1):
        size, mar = sect.find(w("pgSz")), sect.find(w("pgMar"))
        width, height = int(size.get(w("w"))) / 20, int(size.get(w("h"))) / 20
        margins = {side: abs(int(mar.get(w(side)) or 0)) / 20 for side in ("top", "bottom", "left", "right")}
        doc.sheets.append(Sheet(index, width, height, landscape=size.get(w("orient")) == "landscape", declared=True,
                                margins=margins, header_distance=int(mar.get(w("header")) or 0) / 20))
    if not doc.sheets:
        doc.notes.append("Tệp không có thiết lập trang (sectPr).")
        return
    first = doc.sheets[0]
    doc.text_left, doc.text_right = first.margins["left"], first.width - first.margins["right"]
    doc.top_margin = first.margins["top"]
    sect = body.find(w("sectPr"))
    sect = sect if sect is not None else next(body.iter(w("sectPr")))
    title = sect.find(w("titlePg"))
    first_header, default = _header_part(document, sect, "first"), _header_part(document, sect, "default")
    if (title is None or on(title) is False) and default is not None and _has_page_field(default):
        doc.first_page_numbers.append("số trang (không chọn “trang đầu khác”)")
    if first_header is not None and _has_page_field(first_header):
        doc.first_page_numbers.append("trường PAGE ở đầu trang 1")
    numtype = sect.find(w("pgNumType"))
    if default is None:
        return
    for p in default.iter(w("p")):
        if not _has_page_field(p):
            continue
        para = para_props(p, styles)
        runs = [run_props(r, p, styles) for r in p.iter(w("r"))]
        size = max((r.size for r in runs), default=None)
        centred = para.jc == "center"
        doc.page_numbers.append(PageNumber(
            "PAGE", None, size, any(r.bold for r in runs), any(r.italic for r in runs),
            (para.left - para.right) / 2 if centred else 99.0, first.header_distance,
            first.header_distance + LINE_HEIGHT * (size or 14), val(numtype, "fmt"), val(numtype, "start")))
        break


def _header_part(document, sect, kind: str):
    for ref in sect.findall(w("headerReference")):
        if ref.get(w("type")) == kind:
            return document.part.related_parts[ref.get(f"{{{R_NS}}}id")].element
    return None


def _has_page_field(element) -> bool:
    instr = " ".join((t.text or "") for t in element.iter(w("instrText")))
    simple = " ".join(f.get(w("instr")) or "" for f in element.iter(w("fldSimple")))
    return bool(re.search(r"\bPAGE\b", instr + " " + simple))


def _text_facts(doc: LaidOutLetter, document, styles: Styles) -> None:
    """Fonts, colours and text of every run, in the body and in every header and footer."""
    parts = [document.element.body] + [rel.target_part.element for rel in document.part.rels.values()
                                        if not rel.is_external and ("header" in rel.reltype or "footer" in rel.reltype)]
    for part in parts:
        for p in part.iter(w("p")):
            red_ok = squash("".join(t.text or "" for t in p.iter(w("t")))) in URGENCY_MARKS
            for r in p.iter(w("r")):
                run = run_props(r, p, styles)
                if not run.text:
                    continue
                doc.texts.append(run.text)
                for attr in ("ascii", "hAnsi", "cs"):
                    doc.fonts.setdefault(run.fonts.get(attr) or "(không ghi tên phông)", run.text)
                doc.colours.append(((run.colour or "auto").upper(), run.text, red_ok))
    for font in document.part.element.iter(w("rFonts")):
        doc.legacy_fonts.extend(v for v in font.attrib.values() if LEGACY_FONT.match(v) and v not in doc.legacy_fonts)


def _header(doc: LaidOutLetter, rows: list[list[_Cell]]) -> None:
    if not rows or len(rows[0]) < 2:
        return
    doc.has_header = True
    placed, top = [], 0.0
    for row in rows:
        laid = [cell.layout(top) for cell in row]
        placed.append([items for items, _height in laid])
        top += max(height for _items, height in laid)
    right = [(p, b) for p, b in placed[0][1]]
    texts = [i for i, (p, _b) in enumerate(right) if p.text.strip()]
    if texts:
        index = texts[0]
        doc.quoc_hieu = right[index][1]
        doc.quoc_hieu_room = right[index][1].column[1] - right[index][1].column[0]
        if index + 1 < len(right) and right[index + 1][0].text.strip():
            doc.tieu_ngu = right[index + 1][1]
            doc.tieu_ngu_follows = True
            if index + 2 < len(right):
                doc.tieu_ngu.rule_below = _rule(*right[index + 2])
        else:
            doc.tieu_ngu_follows = False
    left = placed[0][0]
    for position, (para, block) in enumerate(left):
        if not para.text.strip():
            continue
        (doc.agency if block.any_bold else doc.superior).append(block)
        if block.any_bold and position + 1 < len(left):
            block.rule_below = _rule(*left[position + 1])
    for agency in doc.agency[:-1]:
        agency.rule_below = None
    number_row = next((i for i, row in enumerate(placed)
                       if any(re.match(r"^Số\s*:", p.text) for p, _b in row[0])), None)
    if number_row is None:
        return
    after, below = False, []
    for r_index in range(number_row, len(placed)):
        for para, block in placed[r_index][0]:
            if after and para.text.strip():
                below.append((para, block))
            if re.match(r"^Số\s*:", para.text) and doc.number is None:
                doc.number, after = block, True
    dates = [b for p, b in placed[number_row][1] if p.text.strip()] if len(placed[number_row]) > 1 else []
    if dates:
        doc.date = [dates[0]]
        doc.date_room = dates[0].column[1] - dates[0].column[0]
    for para, block in below:
        text = squash(para.text)
        if text in URGENCY_MARKS or text == DRAFT_MARK:
            doc.marks.append(Mark(block, _box(para, block), True))
        else:
            doc.subject.append(block)


def _box(para: DPara, block: Block) -> Box | None:
    sides = [para.borders.get(s, {}).get("val") for s in ("top", "left", "bottom", "right")]
    if not all(sides):
        return None
    edge = para.borders["left"]
    extra = edge["space"] + edge["sz"] / 8
    height = None
    if para.line_rule == "exact" and para.line:
        top, bottom = para.borders["top"], para.borders["bottom"]
        height = para.line / 20 + top["space"] + top["sz"] / 8 + bottom["space"] + bottom["sz"] / 8
    style = "single" if set(sides) == {"single"} else "/".join(sorted(set(sides)))
    return Box(block.column[0] - extra, block.column[1] + extra, height, style, (edge["color"] or "000000").upper())


def _middle(doc: LaidOutLetter, paras: list[DPara], styles: Styles) -> None:
    """Type name and summary, Kính gửi, body: the paragraphs between the two tables."""
    column = (doc.text_left or 0.0, doc.text_right or 0.0)
    items = [(p, _block(p, column)[0]) for p in paras]

    def texts(start: int) -> list[tuple[int, DPara, Block]]:
        return [(i, p, b) for i, (p, b) in enumerate(items) if i >= start and p.text.strip()]

    rest = texts(0)
    if rest and (squash(rest[0][1].text) in TYPE_NAMES or squash(rest[0][1].text) == "CÔNG VĂN"):
        position, _para, doc.type_name = rest[0]
        position += 1
        while position < len(items) and items[position][0].text.strip() and items[position][1].bold and \
                items[position][1].align == "center":
            doc.summary.append(items[position][1])
            position += 1
        if doc.summary and position < len(items):
            doc.summary[-1].rule_below = _rule(*items[position])
        rest = texts(position)
    if rest and (rest[0][1].text.startswith("Kính gửi") or squash(rest[0][1].text).endswith("điện:")):
        doc.recipients_label = rest[0][2]
        rest = rest[1:]
        if squash(doc.recipients_label.text).endswith(":"):
            while rest and rest[0][1].text.startswith("- "):
                doc.recipients.append(rest.pop(0)[2])
    doc.body = [block for _i, _p, block in rest]
    for block, (_i, para, _b) in zip(doc.body[1:], rest[:-1]):
        block.gap_before = (block.gap_before or 0) + para.after


def _signature(doc: LaidOutLetter, tbl, styles: Styles) -> None:
    rows = _table(tbl, doc.text_left, styles)
    if not rows or len(rows[0]) < 2:
        doc.notes.append("Bảng cuối văn bản không có hai cột (Nơi nhận | chữ ký).")
        return
    left, right = rows[0][0], rows[0][1]
    lplaced, _ = left.layout(0.0)
    rplaced, _ = right.layout(0.0)
    ltexts = [(p, b) for p, b in lplaced if p.text.strip()]
    rtexts = [(p, b) for p, b in rplaced if p.text.strip()]
    tr = tbl.find(w("tr"))
    doc.signature_together = tr is not None and tr.find(f"{w('trPr')}/{w('cantSplit')}") is not None
    if ltexts and squash(ltexts[0][0].text).startswith("Nơi nhận"):
        doc.cc_label = ltexts[0][1]
        doc.cc = [b for _p, b in ltexts[1:]]
    name = rtexts[-1][1] if rtexts and not is_caps(rtexts[-1][0].text) else None
    doc.positions = [b for _p, b in (rtexts[:-1] if name else rtexts)]
    doc.signer_name = name
    if doc.cc_label is not None and doc.positions:
        level = doc.cc_label.top - doc.positions[0].top
        if (left.valign or "top") != "top" or (right.valign or "top") != "top":
            level = 99.0  # a cell aligned to its middle or bottom does not start level with the other
        doc.signature_level = level
