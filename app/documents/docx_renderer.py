"""The letter as a Word file (python-docx), laid out with the numbers of layout.py.

Every run names Times New Roman and its size explicitly, so Word shows the same thing whatever
its default template. Raw XML elements are inserted in schema order, or Word refuses the file.
"""
import gc
from copy import deepcopy
from functools import lru_cache
from io import BytesIO
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from app.documents import layout as L
from app.documents.geometry import Geometry, geometry
from app.documents.letter import Letter
from app.text import xml_safe

CENTER, LEFT, RIGHT, JUSTIFY = (WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT,
                                WD_ALIGN_PARAGRAPH.JUSTIFY)
PPR_ORDER = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl", "w:numPr",
    "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
    "w:sectPr", "w:pPrChange",
)
TRPR_ORDER = ("w:cnfStyle", "w:divId", "w:gridBefore", "w:gridAfter", "w:wBefore", "w:wAfter", "w:cantSplit",
              "w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del", "w:trPrChange")
# ECMA-376 order of a section's properties: Word refuses a file with pgNumType after docGrid
SECTPR_ORDER = ("w:headerReference", "w:footerReference", "w:footnotePr", "w:endnotePr", "w:type", "w:pgSz",
                "w:pgMar", "w:paperSrc", "w:pgBorders", "w:lnNumType", "w:pgNumType", "w:cols", "w:formProt",
                "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi", "w:rtlGutter", "w:docGrid",
                "w:printerSettings", "w:sectPrChange")
TBLPR_ORDER = (
    "w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize", "w:tblStyleColBandSize",
    "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar",
    "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange",
)


def _insert(parent, element, order):
    """Insert a child element at its place in the schema sequence."""
    tag = element.tag
    names = [qn(name) for name in order]
    later = set(names[names.index(tag) + 1:])
    for index, child in enumerate(parent):
        if child.tag in later:
            parent.insert(index, element)
            return element
    parent.append(element)
    return element


def _fonts(rpr):
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), L.FONT_FAMILY)


def _flag(parent, tag, on):
    element = OxmlElement(tag)
    if not on:
        element.set(qn("w:val"), "0")
    parent.append(element)


@lru_cache(maxsize=64)
def _run_properties(size, bold, italic, colour):
    """w:rPr written once per style and copied: explicit font, size, weight, slant and colour."""
    rpr = OxmlElement("w:rPr")
    _fonts(rpr)
    _flag(rpr, "w:b", bold)
    _flag(rpr, "w:bCs", bold)
    _flag(rpr, "w:i", italic)
    _flag(rpr, "w:iCs", italic)
    color = OxmlElement("w:color")
    color.set(qn("w:val"), colour)
    rpr.append(color)
    for tag in ("w:sz", "w:szCs"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), str(int(size * 2)))
        rpr.append(element)
    return rpr


def _run(paragraph, text, size, bold=False, italic=False, colour=None):
    run = OxmlElement("w:r")
    run.append(deepcopy(_run_properties(size, bold, italic, colour or "000000")))
    if text:
        element = OxmlElement("w:t")
        element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        element.text = xml_safe(text)  # a character XML cannot hold, stored before input cleaning
        run.append(element)
    paragraph._p.append(run)
    return run


@lru_cache(maxsize=128)
def _paragraph_properties(align, before, after, line, left, right, first, keep_next):
    """w:pPr written once per style and copied (python-docx's setters are slow on every call)."""
    ppr = OxmlElement("w:pPr")
    if keep_next:
        ppr.append(OxmlElement("w:keepNext"))
    ppr.append(OxmlElement("w:widowControl"))
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:before"), str(round(before * 20)))
    spacing.set(qn("w:after"), str(round(after * 20)))
    spacing.set(qn("w:line"), str(round(240 * (line or 1.0))))
    spacing.set(qn("w:lineRule"), "auto")
    ppr.append(spacing)
    indent = OxmlElement("w:ind")
    indent.set(qn("w:left"), str(Mm(left).twips))
    indent.set(qn("w:right"), str(Mm(right).twips))
    if first >= 0:
        indent.set(qn("w:firstLine"), str(Mm(first).twips))
    else:
        indent.set(qn("w:hanging"), str(Mm(-first).twips))
    ppr.append(indent)
    jc = OxmlElement("w:jc")
    jc.set(qn("w:val"), {CENTER: "center", LEFT: "left", RIGHT: "right", JUSTIFY: "both"}[align])
    ppr.append(jc)
    return ppr


def _paragraph(container, align=CENTER, before=0.0, after=0.0, line=None, left=0.0, right=0.0, first=0.0,
               keep_next=False):
    paragraph = container.add_paragraph()
    paragraph._p.insert(0, deepcopy(_paragraph_properties(align, before, after, line, left, right, first, keep_next)))
    return paragraph


def _exact_line(paragraph, points):
    spacing = paragraph._p.pPr.find(qn("w:spacing"))
    spacing.set(qn("w:line"), str(round(points * 20)))
    spacing.set(qn("w:lineRule"), "exact")


def _text(container, text, size, bold=False, italic=False, align=CENTER, colour=None, **spacing):
    paragraph = _paragraph(container, align=align, **spacing)
    _run(paragraph, text, size, bold, italic, colour)
    return paragraph


def _mark_size(paragraph, size):
    """Font size of the paragraph mark, which sets the height of an empty paragraph."""
    rpr = paragraph._p.get_or_add_pPr()
    mark = rpr.find(qn("w:rPr"))
    if mark is None:
        mark = _insert(rpr, OxmlElement("w:rPr"), PPR_ORDER)
    _fonts(mark)
    for tag in ("w:sz", "w:szCs"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), str(int(size * 2)))
        mark.append(element)


def _border(paragraph, sides, colour="000000"):
    pbdr = _insert(paragraph._p.get_or_add_pPr(), OxmlElement("w:pBdr"), PPR_ORDER)
    for side in ("top", "left", "bottom", "right"):
        if side in sides:
            edge = OxmlElement(f"w:{side}")
            edge.set(qn("w:val"), "single")
            edge.set(qn("w:sz"), str(int(L.RULE_THICKNESS * 8)))  # eighths of a point
            edge.set(qn("w:space"), "1")
            edge.set(qn("w:color"), colour)
            pbdr.append(edge)


def _rule(cell, length_mm, column_mm):
    """A solid line of a given length, centred in its column: an empty paragraph with a bottom border."""
    side = max((column_mm - length_mm) / 2, 0)
    paragraph = _paragraph(cell, left=side, right=side, before=L.RULE_GAP)
    _exact_line(paragraph, 2)
    _mark_size(paragraph, 1)
    _border(paragraph, ("bottom",))
    return paragraph


def _boxed(cell, text, width_mm, column_mm, red):
    """ô 10b (KHẨN …) and the draft mark: bold capitals in a single-line box of the legal width."""
    side = max((column_mm - width_mm) / 2, 0)
    colour = L.URGENCY_COLOUR if red else "000000"
    paragraph = _text(cell, text, L.SIZE["mark"], bold=True, colour=colour, before=L.MARK_SPACE_BEFORE,
                      left=side, right=side)
    _exact_line(paragraph, L.MARK_HEIGHT / L.MM_PER_PT - 4)
    _border(paragraph, ("top", "left", "bottom", "right"), colour)


def _child(parent, tag, order):
    """The one child element with this tag (the schema allows a single tblW, tblLayout …)."""
    element = parent.find(qn(tag))
    return element if element is not None else _insert(parent, OxmlElement(tag), order)


def _table(document, widths_mm, rows=1):
    table = document.add_table(rows=rows, cols=len(widths_mm))
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    tblpr = table._tbl.tblPr
    width = _child(tblpr, "w:tblW", TBLPR_ORDER)
    width.set(qn("w:w"), str(int(Mm(sum(widths_mm)).twips)))
    width.set(qn("w:type"), "dxa")
    _child(tblpr, "w:tblLayout", TBLPR_ORDER).set(qn("w:type"), "fixed")
    margins = _child(tblpr, "w:tblCellMar", TBLPR_ORDER)
    for side in ("top", "left", "bottom", "right"):  # zero padding, or long lines wrap
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), "0")
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)
    for index, column_width in enumerate(widths_mm):
        table.columns[index].width = Mm(column_width)
        for cell in table.columns[index].cells:
            cell.width = Mm(column_width)
    for row in table.rows:
        trpr = row._tr.get_or_add_trPr()
        trpr.append(OxmlElement("w:cantSplit"))
    return table


def _first(cell):
    """Empty a new cell (it holds one blank paragraph) so that its first line has no gap above."""
    paragraph = cell.paragraphs[0]
    paragraph._p.getparent().remove(paragraph._p)
    return cell


def _page_setup(document):
    section = document.sections[0]
    section.page_width, section.page_height = Mm(L.PAGE_WIDTH), Mm(L.PAGE_HEIGHT)
    section.top_margin, section.bottom_margin = Mm(L.MARGIN_TOP), Mm(L.MARGIN_BOTTOM)
    section.left_margin, section.right_margin = Mm(L.MARGIN_LEFT), Mm(L.MARGIN_RIGHT)
    section.header_distance = Mm(L.HEADER_DISTANCE)
    section.footer_distance = Mm(L.HEADER_DISTANCE)
    section.different_first_page_header_footer = True  # page 1 shows no number
    header = section.header.paragraphs[0]
    header.alignment = CENTER
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, None), ("end", None)):
        run = _run(header, "2" if (kind is None and text is None) else "", L.SIZE["page_number"])
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run.append(char)
        elif text:
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            run.append(instruction)
    normal = document.styles["Normal"]
    normal.font.name = L.FONT_FAMILY
    normal.font.size = Pt(L.SIZE["body"])
    _fonts(normal.element.get_or_add_rPr())
    normal.paragraph_format.space_after = Pt(0)


def _header(document, letter: Letter, geo: Geometry):
    table = _table(document, (L.HEADER_LEFT, L.HEADER_RIGHT), rows=3)
    left, right = (_first(cell) for cell in table.rows[0].cells)
    for line in letter.superior_lines:
        _text(left, line, L.SIZE["superior"])
    for line in letter.agency_lines:
        _text(left, line, L.SIZE["agency"], bold=True)
    _rule(left, geo.agency_rule, L.HEADER_LEFT)
    _text(right, L.QUOC_HIEU, L.SIZE["quoc_hieu"], bold=True)
    _text(right, L.TIEU_NGU, L.SIZE["tieu_ngu"], bold=True)
    _rule(right, geo.motto_rule, L.HEADER_RIGHT)

    left, right = (_first(cell) for cell in table.rows[1].cells)
    _text(left, letter.number_line, L.SIZE["number"], before=L.NUMBER_ROW_SPACE_BEFORE)
    _text(right, letter.date_line, geo.date_size, italic=True, before=L.NUMBER_ROW_SPACE_BEFORE)

    left, right = (_first(cell) for cell in table.rows[2].cells)
    if letter.subject_line:
        _text(left, letter.subject_line, L.SIZE["subject_cong_van"], before=L.SUBJECT_SPACE_BEFORE)
    for text, width, red in letter.marks:
        _boxed(left, text, width, L.HEADER_LEFT, red)
    if not left.paragraphs:
        _paragraph(left)
    _paragraph(right)


def _title(document, letter: Letter, geo: Geometry):
    if not letter.type_name:
        return
    _text(document, letter.type_name, L.SIZE["type_name"], bold=True, before=L.TITLE_SPACE_BEFORE, keep_next=True)
    _text(document, letter.summary, L.SIZE["subject"], bold=True, keep_next=True)
    _rule(document, geo.summary_rule, L.TEXT_WIDTH)


def _recipients(document, letter: Letter, geo: Geometry):
    if not letter.recipients_label:
        return
    size = L.SIZE["recipients"]
    label = f"{letter.recipients_label}:"
    if len(letter.recipients) == 1 and not letter.recipients[0].startswith("- "):
        paragraph = _paragraph(document, align=LEFT, before=L.BLOCK_SPACE_BEFORE, left=geo.recipients_indent,
                               line=L.LINE_SPACING)
        _run(paragraph, f"{label} {letter.recipients[0]}", size)
        return
    _text(document, label, size, align=LEFT, before=L.BLOCK_SPACE_BEFORE, left=geo.recipients_indent, line=L.LINE_SPACING,
          keep_next=True)
    for line in letter.recipients:
        _text(document, line, size, align=LEFT, left=geo.dash_start + geo.dash_width, first=-geo.dash_width,
              line=L.LINE_SPACING)


def _body(document, letter: Letter):
    last = len(letter.body) - 1
    for index, paragraph in enumerate(letter.body):
        before = L.BLOCK_SPACE_BEFORE if index == 0 else L.PARAGRAPH_SPACE_BEFORE
        # the last paragraph keeps with the signature table, so a signature never stands alone on a page
        _text(document, paragraph.text, L.SIZE["body"], bold=paragraph.kind == "part",
              italic=paragraph.kind == "basis", align=JUSTIFY,
              before=before, first=L.BODY_FIRST_LINE_INDENT, line=L.LINE_SPACING, keep_next=index == last)


def _signature(document, letter: Letter):
    table = _table(document, (L.SIGNATURE_LEFT, L.SIGNATURE_RIGHT))
    _child(table.rows[0]._tr.get_or_add_trPr(), "w:cantSplit", TRPR_ORDER)  # the block stays on one page
    left, right = (_first(cell) for cell in table.rows[0].cells)
    _text(left, "Nơi nhận:", L.SIZE["cc_label"], bold=True, italic=True, align=LEFT, before=L.BLOCK_SPACE_BEFORE)
    for line in letter.cc:
        _text(left, line, L.SIZE["cc"], align=LEFT)
    for index, line in enumerate(letter.signature_lines):
        _text(right, line, L.SIZE["signature"], bold=True, before=L.BLOCK_SPACE_BEFORE if index == 0 else 0)
    name = _text(right, letter.signer_name, L.SIZE["signer_name"], bold=True,
                 before=L.SIGNATURE_GAP / L.MM_PER_PT)
    if not letter.signer_name:
        _mark_size(name, L.SIZE["signer_name"])


def _cell_padding(table, mm):
    margins = _child(table._tbl.tblPr, "w:tblCellMar", TBLPR_ORDER)
    for edge in margins:
        edge.set(qn("w:w"), str(Mm(mm).twips))


def _borders(table):
    borders = _child(table._tbl.tblPr, "w:tblBorders", TBLPR_ORDER)
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single")
        edge.set(qn("w:sz"), "4")
        edge.set(qn("w:color"), "000000")
        borders.append(edge)


def _appendix(document, letter: Letter):
    """Phụ lục: a new section that numbers its pages from 1 again, then a bordered table."""
    appendix = letter.appendix
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.different_first_page_header_footer = True
    if appendix.landscape:  # a wide table: the appendix pages turn (ND30 allows it for tables)
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(L.PAGE_HEIGHT), Mm(L.PAGE_WIDTH)
    _child(section._sectPr, "w:pgNumType", SECTPR_ORDER).set(qn("w:start"), "1")
    _text(document, "Phụ lục", L.SIZE["appendix_heading"], bold=True)
    _text(document, appendix.title.upper(), L.SIZE["appendix_title"], bold=True)
    _text(document, appendix.reference, L.SIZE["appendix_reference"], italic=True)
    width = (L.PAGE_HEIGHT if appendix.landscape else L.PAGE_WIDTH) - L.MARGIN_LEFT - L.MARGIN_RIGHT
    if appendix.summary is not None:  # the figures per agency first, then the detail
        _paragraph(document)
        _text(document, appendix.summary.title, L.SIZE["appendix_table"], bold=True, align=LEFT)
        _appendix_table(document, appendix.summary.columns, appendix.summary.rows, width)
    _paragraph(document)
    if appendix.detail_title:
        _text(document, appendix.detail_title, L.SIZE["appendix_table"], bold=True, align=LEFT)
    _appendix_table(document, appendix.columns, appendix.rows, width)


def _appendix_table(document, columns, rows, width):
    """A bordered table whose header row repeats on every page; "group" rows span it (an agency),
    "subtotal" rows too (its figures, in italics).

    The header row is made by python-docx; the body rows (hundreds in a period report) are written as one
    XML string and parsed once: python-docx adds a row and fills its cells one call at a time, with
    searches over the whole table, which cost seconds at a few hundred rows. The XML is the same as
    python-docx would write (tests/test_report_appendix.py compares it)."""
    table = _table(document, [width * share for _name, share in columns], rows=1)
    _borders(table)
    _cell_padding(table, L.APPENDIX_CELL_PADDING)
    size = L.SIZE["appendix_table"]
    header = table.rows[0]
    _child(header._tr.get_or_add_trPr(), "w:tblHeader", TRPR_ORDER)  # repeated on every page
    for cell, (name, _share) in zip(header.cells, columns):
        _text(_first(cell), name, size, bold=True)
    if rows:
        widths = [tc.tcPr.find(qn("w:tcW")).get(qn("w:w")) for tc in header._tr.tc_lst]
        table._tbl.extend(parse_xml(_appendix_rows_xml(rows, widths, size)))


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CELL_PPR = ('<w:pPr><w:widowControl/><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
             '<w:ind w:left="0" w:right="0" w:firstLine="0"/><w:jc w:val="{align}"/></w:pPr>')
_CELL_RPR = ('<w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:cs="{font}" w:eastAsia="{font}"/>'
             '<w:b{bold}/><w:bCs{bold}/><w:i{italic}/><w:iCs{italic}/><w:color w:val="000000"/>'
             '<w:sz w:val="{half}"/><w:szCs w:val="{half}"/></w:rPr>')


def _cell_paragraph(text: str, size, align: str, bold=False, italic=False) -> str:
    """One paragraph of a cell as _text() writes it: the same pPr and rPr, one run."""
    off = ' w:val="0"'
    run = _CELL_RPR.format(font=escape(L.FONT_FAMILY, {'"': "&quot;"}), bold="" if bold else off,
                           italic="" if italic else off, half=int(size * 2))
    text = xml_safe(text)
    body = f'<w:t xml:space="preserve">{escape(text)}</w:t>' if text else ""
    return f"<w:p>{_CELL_PPR.format(align=align)}<w:r>{run}{body}</w:r></w:p>"


def _appendix_rows_xml(rows, widths: list[str], size) -> str:
    span = str(sum(int(width) for width in widths))
    parts = [f'<w:tbl xmlns:w="{_W_NS}">']
    for kind, cells in rows:
        parts.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        if kind in ("group", "subtotal"):
            paragraph = _cell_paragraph(cells[0], size, "left" if kind == "group" else "right",
                                        bold=kind == "group", italic=kind == "subtotal")
            parts.append(f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{span}"/><w:gridSpan w:val="{len(widths)}"/>'
                         f"</w:tcPr>{paragraph}</w:tc>")
        else:
            for index, (width, value) in enumerate(zip(widths, cells)):
                parts.append(f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/></w:tcPr>'
                             f'{_cell_paragraph(value, size, "center" if index == 0 else "left")}</w:tc>')
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    return "".join(parts)


def render_docx(letter: Letter) -> bytes:
    document = Document()
    _page_setup(document)
    body = document.element.body
    for paragraph in list(body.iterchildren(qn("w:p"))):  # the template's empty first paragraph
        body.remove(paragraph)
    geo = geometry(letter)
    _header(document, letter, geo)
    _title(document, letter, geo)
    _recipients(document, letter, geo)
    _body(document, letter)
    _signature(document, letter)
    if letter.appendix:
        _appendix(document, letter)
    core = document.core_properties
    core.title = xml_safe(letter.subject_line or letter.summary or "")[:250]
    core.author = xml_safe(" ".join(letter.agency_lines))[:250]
    core.comments = ""
    output = BytesIO()
    document.save(output)
    del document
    # python-docx keeps each document in reference cycles; collecting the young generations now keeps
    # a long-running process flat (measured: 84 MiB after 200 letters, 150 MiB without) at no cost.
    gc.collect(1)
    return output.getvalue()
