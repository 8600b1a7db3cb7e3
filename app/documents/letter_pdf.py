"""The letter's own pages, drawn with ReportLab from the numbers of layout.py and geometry.py.

A letter is a fixed arrangement (ND30 §3): a two-column header table on the first page, the title,
Kính gửi, the body, and the two-column Nơi nhận / signature table. It used to be an HTML page printed by
WeasyPrint, whose cascade, line breaking and table layout took about 60 ms of a letter's 90; here every
line is broken once with the font's advance widths and placed where the stylesheet placed it, in a few
milliseconds. How each kind of line looks (size, face, alignment, indent, spacing) is one Style in STYLES;
the lint's tests draw a letter with a changed style to see that the rule catches it.

Pages follow the stylesheet's rules: a paragraph leaves at least two lines at the foot of a page and
takes at least two to the next (orphans, widows), space above a block is dropped at the top of a page,
the signature table is never split and the last paragraph goes with it, so a signature never stands
alone on a page.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

from app.documents import layout as L
from app.documents.geometry import Geometry, geometry
from app.documents.letter import Letter
from app.documents.pdf_canvas import Sheet, mm

BODY_LINE_HEIGHT = L.LINE_SPACING * L.FONT_LINE_HEIGHT  # em: Kính gửi and the body
ORPHANS = WIDOWS = 2


@dataclass(frozen=True)
class Style:
    size: float  # points
    bold: bool = False
    italic: bool = False
    align: str = "centre"  # left, centre, right, justify (the last line of a justified paragraph: left)
    line_height: float = L.FONT_LINE_HEIGHT  # em
    indent: float = 0.0  # points on the first line; negative hangs it out
    space_before: float = 0.0  # points
    colour: str | None = None  # "RRGGBB"; None is black

    @property
    def face(self) -> tuple[str, str]:
        return ("bold" if self.bold else "normal", "italic" if self.italic else "normal")


_BODY = Style(L.SIZE["body"], align="justify", line_height=BODY_LINE_HEIGHT, indent=mm(L.BODY_FIRST_LINE_INDENT),
              space_before=L.PARAGRAPH_SPACE_BEFORE)
STYLES: dict[str, Style] = {
    "superior": Style(L.SIZE["superior"]),
    "agency": Style(L.SIZE["agency"], bold=True),
    "quoc_hieu": Style(L.SIZE["quoc_hieu"], bold=True),
    "tieu_ngu": Style(L.SIZE["tieu_ngu"], bold=True),
    "number": Style(L.SIZE["number"], space_before=L.NUMBER_ROW_SPACE_BEFORE),
    "date": Style(L.SIZE["place_date"], italic=True, space_before=L.NUMBER_ROW_SPACE_BEFORE),
    "subject_cv": Style(L.SIZE["subject_cong_van"], space_before=L.SUBJECT_SPACE_BEFORE),
    "mark": Style(L.SIZE["mark"], bold=True, space_before=L.MARK_SPACE_BEFORE),
    "type_name": Style(L.SIZE["type_name"], bold=True, space_before=L.TITLE_SPACE_BEFORE),
    "summary": Style(L.SIZE["subject"], bold=True),
    "recipients": Style(L.SIZE["recipients"], align="left", line_height=BODY_LINE_HEIGHT,
                        space_before=L.BLOCK_SPACE_BEFORE),
    "body": _BODY,
    "basis": replace(_BODY, italic=True),
    "part": replace(_BODY, bold=True),
    "cc_label": Style(L.SIZE["cc_label"], bold=True, italic=True, align="left"),
    "cc": Style(L.SIZE["cc"], align="left"),
    "authority": Style(L.SIZE["signature"], bold=True),
    "signer_name": Style(L.SIZE["signer_name"], bold=True, space_before=mm(L.SIGNATURE_GAP)),
}
SIGNATURE_SPACE = L.BLOCK_SPACE_BEFORE  # above the Nơi nhận / signature table
FIRST_BODY_SPACE = L.BLOCK_SPACE_BEFORE  # above the first paragraph


@dataclass
class Block:
    """What goes down the page after the header: lines (each a height and how to draw it at a top), the
    space above it, whether it may be split between pages and whether it must share a page with the next."""

    lines: list[tuple[float, Callable[[float], None]]]
    space_before: float = 0.0
    splittable: bool = True
    keep_with_next: bool = False

    @property
    def height(self) -> float:
        return sum(height for height, _draw in self.lines)


@dataclass
class Painter:
    sheet: Sheet
    styles: dict[str, Style] = field(default_factory=lambda: STYLES)

    def set(self, text: str, style: Style, x: float, width: float, first_x: float | None = None,
            size: float | None = None) -> list[tuple[float, Callable[[float], None]]]:
        """The lines of a paragraph in a column [x, x + width] as (height, draw at top); `first_x` moves
        the first line's start (an indent or a hanging dash), the style's indent adds to it."""
        sheet, size = self.sheet, size or style.size
        face = sheet.faces[style.face]
        start = (x if first_x is None else first_x) + style.indent
        first_room = width - (start - x)
        # a line break inside a paragraph is white space, as in the HTML the letter used to be
        texts = sheet.wrap.lines(text.replace("\n", " "), face.name, size, width, first=first_room, hyphens=True)
        leading = sheet.leading(face, size, style.line_height)
        height = style.line_height * size
        lines = []
        for index, line in enumerate(texts):
            line_x = start if index == 0 else x
            room = first_room if index == 0 else width
            word_space = 0.0
            if style.align == "justify" and index < len(texts) - 1 and " " in line:
                word_space = (room - sheet.wrap.width(line, face.name, size)) / line.count(" ")
            align = "left" if style.align == "justify" else style.align

            def draw(top, line=line, line_x=line_x, room=room, word_space=word_space, align=align):
                if line:
                    sheet.text_line(line, face, size, top + leading, align, line_x, room, word_space, style.colour)
            lines.append((height, draw))
        return lines

    def column(self, parts: list[tuple[float, list]], top: float) -> float:
        """Draws a table cell's paragraphs from `top` ((space above, lines) each); returns its bottom."""
        y = top
        for space, lines in parts:
            y += space
            for height, draw in lines:
                draw(y)
                y += height
        return y

    def rule_line(self, x: float, width: float, centre_in: float, colour: str | None = None):
        """A short rule centred in a column, RULE_GAP under the text above it: (height, draw)."""
        sheet = self.sheet

        def draw(top):
            sheet.rule(top + L.RULE_GAP, x + (centre_in - width) / 2, width, colour)
        return L.RULE_GAP + L.RULE_THICKNESS, draw


def _header(painter: Painter, letter: Letter, geo: Geometry) -> None:
    """The header table, from the top of the first page: agency | Quốc hiệu, Số | date, V/v and marks."""
    sheet, styles = painter.sheet, painter.styles
    left, left_width = sheet.left, mm(L.HEADER_LEFT)
    right, right_width = left + left_width, mm(L.HEADER_RIGHT)
    agency = [(0.0, painter.set(line, styles["superior"], left, left_width)) for line in letter.superior_lines]
    agency += [(0.0, painter.set(line, styles["agency"], left, left_width)) for line in letter.agency_lines]
    agency.append((0.0, [painter.rule_line(left, mm(geo.agency_rule), left_width)]))
    quoc_hieu = styles["quoc_hieu"]
    face = sheet.faces[quoc_hieu.face]
    nowrap = [(quoc_hieu.line_height * quoc_hieu.size,
               lambda top: sheet.text_line(L.QUOC_HIEU, face, quoc_hieu.size,
                                           top + sheet.leading(face, quoc_hieu.size, quoc_hieu.line_height),
                                           "centre", right, right_width, colour=quoc_hieu.colour))]
    motto = [(0.0, nowrap), (0.0, painter.set(L.TIEU_NGU, styles["tieu_ngu"], right, right_width)),
             (0.0, [painter.rule_line(right, mm(geo.motto_rule), right_width)])]
    y = max(painter.column(agency, sheet.y), painter.column(motto, sheet.y))
    number, date = styles["number"], styles["date"]
    y = max(painter.column([(number.space_before, painter.set(letter.number_line, number, left, left_width))], y),
            painter.column([(date.space_before, painter.set(letter.date_line, date, right, right_width,
                                                            size=geo.date_size))], y))
    below = []
    if letter.subject_line:
        subject = styles["subject_cv"]
        below.append((subject.space_before, painter.set(letter.subject_line, subject, left, left_width)))
    for text, width, red in letter.marks:
        below.append((styles["mark"].space_before, [_mark(painter, text, mm(width), red, left, left_width)]))
    sheet.y = painter.column(below, y)


def _mark(painter: Painter, text: str, width: float, red: bool, x: float, column: float):
    """A boxed mark (KHẨN, DỰ THẢO …) centred in the column, its text centred in the box: (height, draw)."""
    sheet, style = painter.sheet, painter.styles["mark"]
    face, height = sheet.faces[style.face], mm(L.MARK_HEIGHT)
    colour = L.URGENCY_COLOUR if red else style.colour
    box_x = x + (column - width) / 2
    inside = L.RULE_THICKNESS

    def draw(top):
        sheet.box(top, box_x, width, height, colour)
        line_top = top + inside + (height - (face.ascent + face.descent) * style.size) / 2
        sheet.text_line(text, face, style.size, line_top, "centre", box_x, width, colour=colour)
    return height, draw


def _title(painter: Painter, letter: Letter, geo: Geometry) -> list[Block]:
    if not letter.type_name:
        return []
    sheet, styles = painter.sheet, painter.styles
    x, width = sheet.left, sheet.right - sheet.left
    name = painter.set(letter.type_name, styles["type_name"], x, width)
    summary = painter.set(letter.summary or "", styles["summary"], x, width)
    rule = painter.rule_line(x, mm(geo.summary_rule), width)
    return [Block(name + summary + [rule], styles["type_name"].space_before, splittable=False)]


def _recipients(painter: Painter, letter: Letter, geo: Geometry) -> list[Block]:
    if not letter.recipients_label:
        return []
    sheet, style = painter.sheet, painter.styles["recipients"]
    x, width = sheet.left + mm(geo.recipients_indent), sheet.right - sheet.left - mm(geo.recipients_indent)
    if len(letter.recipients) == 1 and not letter.recipients[0].startswith("- "):
        return [Block(painter.set(f"{letter.recipients_label}: {letter.recipients[0]}", style, x, width),
                      style.space_before)]
    blocks = [Block(painter.set(f"{letter.recipients_label}:", style, x, width), style.space_before)]
    hang = sheet.left + mm(geo.dash_start + geo.dash_width)
    for line in letter.recipients:
        blocks.append(Block(painter.set(line, style, hang, sheet.right - hang,
                                        first_x=sheet.left + mm(geo.dash_start))))
    return blocks


def _body(painter: Painter, letter: Letter) -> list[Block]:
    sheet, styles = painter.sheet, painter.styles
    x, width = sheet.left, sheet.right - sheet.left
    blocks = []
    for index, paragraph in enumerate(letter.body):
        style = styles[paragraph.kind] if paragraph.kind in ("basis", "part") else styles["body"]
        space = FIRST_BODY_SPACE if index == 0 else style.space_before
        blocks.append(Block(painter.set(paragraph.text, style, x, width), space))
    return blocks


def _signature(painter: Painter, letter: Letter) -> Block:
    """The Nơi nhận / signature table as one unsplittable line."""
    sheet, styles = painter.sheet, painter.styles
    left, left_width = sheet.left, mm(L.SIGNATURE_LEFT)
    right, right_width = left + left_width, sheet.right - sheet.left - left_width
    cc = [(0.0, painter.set("Nơi nhận:", styles["cc_label"], left, left_width))]
    cc += [(0.0, painter.set(line, styles["cc"], left, left_width)) for line in letter.cc]
    signer = [(0.0, painter.set(line, styles["authority"], right, right_width)) for line in letter.signature_lines]
    name = styles["signer_name"]
    signer.append((name.space_before, painter.set(letter.signer_name or "", name, right, right_width)))

    def height(parts):
        return sum(space + sum(h for h, _d in lines) for space, lines in parts)

    def draw(top):
        painter.column(cc, top)
        painter.column(signer, top)
    return Block([(max(height(cc), height(signer)), draw)], SIGNATURE_SPACE, splittable=False)


def flow(sheet: Sheet, blocks: list[Block]) -> None:
    """Places the blocks down the pages (see the module's docstring for the rules)."""
    for index, block in enumerate(blocks):
        following = blocks[index + 1] if block.keep_with_next and index + 1 < len(blocks) else None
        _place(sheet, block, following)


def _place(sheet: Sheet, block: Block, following: Block | None) -> None:
    lines = list(block.lines)
    space = 0.0 if sheet.at_top else block.space_before
    while lines:
        room = sheet.room - space
        fit, used = 0, 0.0
        for height, _draw in lines:
            if used + height > room + 0.01:
                break
            fit, used = fit + 1, used + height
        tail = following.space_before + following.height if following is not None else 0.0
        if fit == len(lines) and used + tail <= room + 0.01:
            pass  # all of it here, and what must follow it fits too
        elif not block.splittable:
            fit = 0
        else:
            if fit == len(lines):  # it fits but the next block does not: the last lines go with that block
                fit = len(lines) - WIDOWS
            elif len(lines) - fit < WIDOWS:
                fit = len(lines) - WIDOWS
            if fit < ORPHANS:
                fit = 0
        if fit == 0 and sheet.at_top:  # nothing to gain from a fresh page: as much as this one holds
            fit = max(1, next((n for n in range(len(lines), 0, -1)
                               if sum(h for h, _d in lines[:n]) <= room + 0.01), 1))
        if fit:
            sheet.y += space
            for height, draw in lines[:fit]:
                draw(sheet.y)
                sheet.y += height
            lines = lines[fit:]
        if lines:
            sheet.new_page()
            space = 0.0


def draw_letter(sheet: Sheet, letter: Letter, styles: dict[str, Style] | None = None) -> None:
    """The letter's pages from the top of the sheet's first page."""
    painter = Painter(sheet, styles or STYLES)
    geo = geometry(letter)
    _header(painter, letter, geo)
    blocks = _title(painter, letter, geo) + _recipients(painter, letter, geo) + _body(painter, letter)
    if blocks:
        blocks[-1].keep_with_next = True  # the signature never stands alone on a page
    flow(sheet, blocks + [_signature(painter, letter)])
