"""The Phụ lục of a report as PDF pages, drawn with ReportLab, after the letter's pages on the same sheet.

WeasyPrint laid out a quarter's appendix (455 tasks, 72 landscape pages) in about 6.5 s: a table that long
is all cascade, line breaking and table layout, most of it spent again for every cell. The appendix is one
plain grid, so it is drawn here directly: every line broken once with the font's own advance widths, rows
placed page by page, the header row repeated on each page, a row never split unless it is taller than a
page, an agency's name kept with its first task and its "Cộng" line with its last. It takes about 0.35 s
for the same pages.

Every measurement comes from layout.py, as in the letter and the DOCX: the landscape page and its
margins, the sizes, the cell padding, the rule. The text is set as pdf_canvas sets it: no kerning, lines as
tall as the font's ascent and descent in a table cell and 1.15 em in a heading. The numbering starts again at 1 with the appendix's first page, which shows no
number (ND30: the appendix is numbered on its own), as in the DOCX.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.documents import layout as L
from app.documents.letter import Appendix
from app.documents.pdf_canvas import BOLD, ITALIC, REGULAR, Sheet, mm

# an agency's name never ends a page without its first task under it, and its "Cộng" line never starts a
# page without its last task above it
KEEP_WITH_NEXT = ("group",)
KEEP_WITH_PREVIOUS = ("subtotal",)


@dataclass
class Cell:
    lines: list[str]
    face: tuple[str, str]
    align: str  # left, centre, right
    x: float
    width: float


class Table:
    """A grid of the text width: columns by share, a bold centred header row on every page, "group" and
    "subtotal" rows across the whole width (bold; italic, to the right), the first column centred.

    The rules are laid as a browser lays a table with collapsed borders: the grid lines are half a rule
    inside the table's box, a row is as tall as its lines, twice the padding and one rule."""

    def __init__(self, sheet: Sheet, columns: list[tuple[str, float]]):
        self.sheet = sheet
        self.rule = L.RULE_THICKNESS
        inner = sheet.right - sheet.left - self.rule
        total = sum(share for _name, share in columns) or 1
        self.grid = [sheet.left + self.rule / 2]  # x of every vertical rule
        for _name, share in columns:
            self.grid.append(self.grid[-1] + inner * share / total)
        self.size = L.SIZE["appendix_table"]
        self.padding = mm(L.APPENDIX_CELL_PADDING)
        regular = sheet.faces[REGULAR]
        self.line_height = (regular.ascent + regular.descent) * self.size  # a cell's line height is "normal"
        self.header = self._cells([name for name, _share in columns], "row", header=True)

    def _cells(self, texts: list[str], kind: str, header: bool = False) -> list[Cell]:
        wrap, faces, inset = self.sheet.wrap, self.sheet.faces, self.rule / 2 + self.padding
        if kind in ("group", "subtotal"):
            face = BOLD if kind == "group" else ITALIC
            x, width = self.grid[0], self.grid[-1] - self.grid[0]
            return [Cell(wrap.lines(texts[0], faces[face].name, self.size, width - 2 * inset), face,
                         "left" if kind == "group" else "right", x, width)]
        cells = []
        for index, text in enumerate(texts):
            face = BOLD if header else REGULAR
            align = "centre" if header or index == 0 else "left"
            x, width = self.grid[index], self.grid[index + 1] - self.grid[index]
            cells.append(Cell(wrap.lines(text, faces[face].name, self.size, width - 2 * inset), face, align, x,
                              width))
        return cells

    def _height(self, cells: list[Cell]) -> float:
        return max(len(cell.lines) for cell in cells) * self.line_height + 2 * self.padding + self.rule

    def _fits(self, height: float) -> bool:
        return self.sheet.y + height + self.rule <= self.sheet.bottom + 0.01

    def draw(self, rows: list[tuple[str, list[str]]]) -> None:
        sheet = self.sheet
        prepared = [(kind, self._cells(cells, kind)) for kind, cells in rows]
        header_height = self._height(self.header)
        if not self._fits(header_height + (self._height(prepared[0][1]) if prepared else 0)):
            sheet.new_page()
        self._row(self.header, header_height)
        capacity = sheet.bottom - sheet.top - header_height - self.rule  # what a fresh page holds under the header
        for index, (kind, cells) in enumerate(prepared):
            height = self._height(cells)
            needed = height
            if index + 1 < len(prepared) and (kind in KEEP_WITH_NEXT or prepared[index + 1][0] in KEEP_WITH_PREVIOUS):
                following = self._height(prepared[index + 1][1])
                needed += following if following <= capacity else self.line_height + 2 * self.padding + self.rule
            # to a fresh page, unless it is taller than a fresh page: then it starts here and goes on over
            if not self._fits(needed) and sheet.y > sheet.top + header_height + 0.01 and height <= capacity:
                self._close()
                sheet.new_page()
                self._row(self.header, header_height)
            while not self._fits(height):  # split its lines
                cells, height = self._split(cells, header_height)
            self._row(cells, height)
        self._close()

    def _split(self, cells: list[Cell], header_height: float):
        """Draws as many lines of the row as fit and opens a page; the rest of the row and its height."""
        room = self.sheet.bottom - self.sheet.y - 2 * self.padding - 2 * self.rule
        fit = max(1, int(room // self.line_height))
        head = [Cell(cell.lines[:fit], cell.face, cell.align, cell.x, cell.width) for cell in cells]
        self._row(head, self._height(head))
        self._close()
        self.sheet.new_page()
        self._row(self.header, header_height)
        rest = [Cell(cell.lines[fit:] or [""], cell.face, cell.align, cell.x, cell.width) for cell in cells]
        return rest, self._height(rest)

    def _row(self, cells: list[Cell], height: float) -> None:
        """The row's top rule and its vertical rules; the bottom rule is the next row's top (or _close)."""
        sheet, canvas = self.sheet, self.sheet.canvas
        top = sheet.y + self.rule / 2
        path = canvas.beginPath()
        path.moveTo(self.grid[0] - self.rule / 2, sheet.height - top)
        path.lineTo(self.grid[-1] + self.rule / 2, sheet.height - top)
        for x in [cells[0].x] + [cell.x + cell.width for cell in cells]:
            path.moveTo(x, sheet.height - top)
            path.lineTo(x, sheet.height - (top + height))
        canvas.drawPath(path, stroke=1, fill=0)
        for cell in cells:
            face = sheet.faces[cell.face]
            y = top + self.rule / 2 + self.padding
            for text in cell.lines:
                if text:
                    sheet.text_line(text, face, self.size, y, cell.align, cell.x + self.rule / 2 + self.padding,
                                    cell.width - self.rule - 2 * self.padding)
                y += self.line_height
        sheet.y += height

    def _close(self) -> None:
        """The bottom rule of the last row drawn on this page."""
        sheet = self.sheet
        bottom = sheet.height - (sheet.y + self.rule / 2)
        sheet.canvas.line(self.grid[0] - self.rule / 2, bottom, self.grid[-1] + self.rule / 2, bottom)
        sheet.y += self.rule
        sheet.space_after = 0.0


def render_appendix(appendix: Appendix) -> bytes:
    """The appendix's pages as a PDF of their own, numbered from 1 (no number on the first)."""
    sheet = Sheet(appendix.landscape)
    draw_appendix(sheet, appendix)
    return sheet.save()


def draw_appendix(sheet: Sheet, appendix: Appendix) -> None:
    """The appendix from the top of the sheet's current page (a part of its own: numbered from 1)."""
    sheet.paragraph("Phụ lục", BOLD, L.SIZE["appendix_heading"], "centre")
    sheet.paragraph(appendix.title.upper(), BOLD, L.SIZE["appendix_title"], "centre")
    sheet.paragraph(appendix.reference, ITALIC, L.SIZE["appendix_reference"], "centre",
                    space_after=L.BLOCK_SPACE_BEFORE)
    part_space = 6.0  # points above a part's title and under the summary table (the stylesheet's 6pt)
    if appendix.summary is not None:
        sheet.paragraph(appendix.summary.title, BOLD, L.SIZE["appendix_table"], "left", space_before=part_space)
        Table(sheet, appendix.summary.columns).draw(appendix.summary.rows)
        sheet.y += part_space
        sheet.space_after = part_space  # and the detail's title, 6 pt above it, collapses with it
    if appendix.detail_title:
        sheet.paragraph(appendix.detail_title, BOLD, L.SIZE["appendix_table"], "left", space_before=part_space)
    Table(sheet, appendix.columns).draw(appendix.rows)
