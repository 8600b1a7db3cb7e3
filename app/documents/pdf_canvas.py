"""What the letter's and the appendix's PDF pages share: the four faces registered with ReportLab, line
breaking with the font's own advance widths, and a sheet that places lines from the top of the page.

Text is set with no kerning. A line box is `line_height` em tall and its glyphs sit in the middle of it:
the baseline is half the leading plus the ascent below its top, where ascent and descent are the face's
hhea values (as a browser sets a line). A page past the first of a part carries its number at the top,
centred over the text.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from app.documents import layout as L
from app.documents.fonts import font_files, postscript_name
from app.text import xml_safe

PT_PER_MM = 72 / 25.4
REGULAR, BOLD, ITALIC, BOLD_ITALIC = ("normal", "normal"), ("bold", "normal"), ("normal", "italic"), ("bold", "italic")
# breaks only at ASCII white space: a no-break space (the blanks a clerk fills in by hand) stays in its line
_BREAKS = re.compile(r"[ \t\r\n]+")
# and, in a letter's text, after a hyphen inside a word unless a digit follows (UAX #14: "8149/CD-|VPCP",
# never "COVID-|19"); the appendix's cells keep a symbol such as "(4/UBND-KGVX)" whole
_AFTER_HYPHEN = re.compile(r"(?<=[^\s-]-)(?=[^\d\s-])")
_REGISTER_LOCK = threading.Lock()


def mm(value: float) -> float:
    return value * PT_PER_MM


@dataclass(frozen=True)
class Face:
    name: str  # the name ReportLab knows the face by (its PostScript name: what a reader shows)
    ascent: float  # in em
    descent: float  # in em, positive


_NBSP, _NBSP_STAND_IN = 0xA0, 0xE0A0


def _letter_font(name: str, path: str):
    """A ReportLab TrueType font that prints a no-break space as itself.

    ReportLab sets U+00A0 with the code of a space, so a reader of the PDF finds spaces where the letter
    has the blanks a clerk fills in by hand, and a line such as "Số:      " seems to end early. Here a no-break
    space goes through ReportLab's subsetting as a private-use stand-in with the same glyph, and the code it
    gets is then given back to U+00A0: the subset draws the no-break space's glyph and its ToUnicode map
    names U+00A0 (tests/test_letters.py reads it back)."""
    from reportlab.pdfbase.ttfonts import TTFont

    class LetterFont(TTFont):
        def splitString(self, text, doc, encoding="utf-8"):
            if "\xa0" not in text or _NBSP_STAND_IN not in self.face.charToGlyph:
                return super().splitString(text, doc, encoding)
            chunks = super().splitString(text.replace("\xa0", chr(_NBSP_STAND_IN)), doc, encoding)
            state = self.state[doc]
            code = state.assignments[_NBSP_STAND_IN]
            state.subsets[code >> 8][code & 0xFF] = _NBSP
            return chunks

    # asciiReadable off: a subset holds the glyphs the document uses, not every ASCII letter besides
    font = LetterFont(name, path, asciiReadable=False)
    if _NBSP in font.face.charToGlyph:
        font.face.charToGlyph[_NBSP_STAND_IN] = font.face.charToGlyph[_NBSP]
    return font


# what a PDF reader never uses: TrueType hinting (instructions and their tables, for screens at small sizes)
# and the tables of kerning and shaping (the letter is set with neither); about half of every embedded subset
_UNUSED_TABLES = ("fpgm", "prep", "cvt ", "hdmx", "LTSH", "VDMX", "gasp", "kern", "GPOS", "GSUB", "GDEF", "DSIG")
_CACHE_LOCK = threading.Lock()


def _embeddable(path: Path) -> Path:
    """The face without hinting and layout tables, made once and kept in a cache folder (keyed by the
    file's SHA-256, written under a temporary name and renamed, so processes never see half a file);
    the face itself where the folder cannot be written or is not this user's alone."""
    from fontTools.ttLib import TTFont as Source

    data = path.read_bytes()
    folder = Path(os.environ.get("LETTER_FONT_CACHE") or Path(tempfile.gettempdir()) / f"letter-fonts-{os.getuid()}")
    target = folder / f"{hashlib.sha256(data).hexdigest()[:32]}.ttf"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(folder):  # a folder another user could write to could hand us any font
            return path
    except OSError:
        return path
    if target.is_file():
        return target
    with _CACHE_LOCK:
        font = Source(io.BytesIO(data))
        for tag in _UNUSED_TABLES:
            if tag in font:
                del font[tag]
        names = font["name"]  # the family, style and PostScript names; not the licence text, in every PDF
        names.names = [record for record in names.names if record.nameID <= 6]
        if "glyf" in font:
            glyphs = font["glyf"]
            for name in font.getGlyphOrder():
                glyphs[name].removeHinting()
        try:
            partial = folder / f"{target.stem}.{os.getpid()}.{threading.get_ident()}.part"
            font.save(str(partial))
            os.replace(partial, target)
        except OSError:
            return path
    return target


def _private(folder: Path) -> bool:
    info = folder.stat()
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


@lru_cache(maxsize=4)
def faces(font_dir: str | None = None) -> dict[tuple[str, str], Face]:
    """The letter's four faces, registered with ReportLab once per process."""
    from fontTools.ttLib import TTFont as Metrics
    from reportlab.pdfbase import pdfmetrics

    found = {}
    with _REGISTER_LOCK:
        for face, path in font_files(font_dir).items():
            name = postscript_name(str(path))
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(_letter_font(name, str(_embeddable(path))))
            metrics = Metrics(str(path), lazy=True)
            units = metrics["head"].unitsPerEm
            found[face] = Face(name, metrics["hhea"].ascent / units, -metrics["hhea"].descent / units)
    return found


class Wrapper:
    """Breaks text into lines of a given width, greedily at spaces (as the letter's other renderers do);
    a word wider than the line is cut between letters. Word widths are remembered for the whole document."""

    def __init__(self):
        from reportlab.pdfbase.pdfmetrics import stringWidth

        self._measure = stringWidth
        self._widths: dict[tuple[str, str, float], float] = {}

    def width(self, text: str, font: str, size: float) -> float:
        key = (text, font, size)
        if key not in self._widths:
            self._widths[key] = self._measure(text, font, size)
        return self._widths[key]

    def lines(self, text: str, font: str, size: float, room: float, first: float | None = None,
              hyphens: bool = False) -> list[str]:
        """The lines of `text` in `room` points (`first`: the first line's room, where it is indented;
        `hyphens`: a line may also end after a hyphen inside a word, as a browser and Word break a letter)."""
        out: list[str] = []
        space = self.width(" ", font, size)
        for paragraph in (xml_safe(text) or "").split("\n"):
            width = room if out or first is None else first
            line, used = "", 0.0
            for word in _BREAKS.split(paragraph):
                for index, piece in enumerate(_AFTER_HYPHEN.split(word) if hyphens and "-" in word else (word,)):
                    if not piece:
                        continue
                    glue = " " if index == 0 else ""
                    wide = self.width(piece, font, size)
                    if line and used + (space if glue else 0.0) + wide <= width + 1e-6:  # a sum of widths: allow its rounding
                        line, used = f"{line}{glue}{piece}", used + (space if glue else 0.0) + wide
                        continue
                    if line:
                        out.append(line)
                        width = room
                    line, used = piece, wide
                    while used > width and len(line) > 1:  # a word longer than the column: cut it
                        cut = self._fitting(line, font, size, width)
                        out.append(line[:cut])
                        width = room
                        line = line[cut:]
                        used = self.width(line, font, size)
            out.append(line)
        return out or [""]

    def _fitting(self, word: str, font: str, size: float, room: float) -> int:
        cut = 1
        while cut < len(word) and self._measure(word[:cut + 1], font, size) <= room:
            cut += 1
        return cut


def _info(title: str, author: str):
    """The document information: title and author only. ReportLab's own adds a subject "unspecified" and,
    with `invariant` (the same letter prints the same bytes), a creation date of 01/01/2000."""
    from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFInfo, PDFString

    class Info(PDFInfo):
        def format(self, document):
            entries = {"Title": PDFString(title), "Author": PDFString(author), "Producer": PDFString(self.producer)}
            return PDFDictionary({key: value for key, value in entries.items() if value.s}).format(document)

    return Info()


class Sheet:
    """The canvas, the page being filled and where the next thing goes on it (y grows downwards here).

    One sheet holds a whole document: the letter's pages, then (start_part) the appendix's, landscape or
    not, numbered again from 1."""

    def __init__(self, landscape: bool = False, title: str = "", author: str = ""):
        from reportlab.pdfgen.canvas import Canvas

        self.faces = faces()
        self.wrap = Wrapper()
        self.buffer = io.BytesIO()
        # invariant: no creation time in the file, so the same letter prints the same bytes
        self.canvas = Canvas(self.buffer, pageCompression=1, invariant=1, initialFontName=self.faces[REGULAR].name,
                             initialFontSize=L.SIZE["body"], lang="vi", pdfVersion=(1, 7))
        self.canvas._doc.info = _info(title, author)
        self._started = False
        self.start_part(landscape)

    def start_part(self, landscape: bool) -> None:
        """A new page, in the orientation asked, numbered 1 (and showing no number)."""
        if self._started:
            self.canvas.showPage()
        self._started = True
        self.width = mm(L.PAGE_HEIGHT if landscape else L.PAGE_WIDTH)
        self.height = mm(L.PAGE_WIDTH if landscape else L.PAGE_HEIGHT)
        self.canvas.setPageSize((self.width, self.height))
        self.left, self.right = mm(L.MARGIN_LEFT), self.width - mm(L.MARGIN_RIGHT)
        self.top, self.bottom = mm(L.MARGIN_TOP), self.height - mm(L.MARGIN_BOTTOM)
        self.canvas.setLineWidth(L.RULE_THICKNESS)
        self.page = 1
        self.y = self.top
        self.space_after = 0.0  # the last paragraph's margin below, which collapses with the next one's above

    @property
    def room(self) -> float:
        return self.bottom - self.y

    @property
    def at_top(self) -> bool:
        return self.y <= self.top + 0.01

    def new_page(self) -> None:
        self.canvas.showPage()
        self.canvas.setLineWidth(L.RULE_THICKNESS)
        self.page += 1
        self.y = self.top
        self.space_after = 0.0
        self._page_number()

    def _page_number(self) -> None:
        """At the top, centred over the text, half its size above HEADER_DISTANCE."""
        size = L.SIZE["page_number"]
        face = self.faces[REGULAR]
        self.text_line(str(self.page), face, size, mm(L.HEADER_DISTANCE) - size / 2, "centre", self.left,
                       self.right - self.left)

    def text_line(self, text: str, face: Face, size: float, line_top: float, align: str, x: float,
                  width: float, word_space: float = 0.0, colour: str | None = None) -> None:
        """One line whose ascent starts at line_top; `word_space` widens every space (a justified line)."""
        canvas = self.canvas
        if colour:
            canvas.setFillColor(f"#{colour}")
        canvas.setFont(face.name, size)
        baseline = self.height - (line_top + face.ascent * size)
        if word_space:
            words = canvas.beginText(x, baseline)
            words.setFont(face.name, size)
            words.setWordSpace(word_space)
            words.textOut(text)
            words.setWordSpace(0)  # the word spacing is text state: it would widen every later line's spaces
            canvas.drawText(words)
        elif align == "centre":
            canvas.drawCentredString(x + width / 2, baseline, text)
        elif align == "right":
            canvas.drawRightString(x + width, baseline, text)
        else:
            canvas.drawString(x, baseline, text)
        if colour:
            canvas.setFillColor("#000000")

    def leading(self, face: Face, size: float, line_height: float) -> float:
        """Space above the glyphs in a line box `line_height` em tall."""
        return (line_height * size - (face.ascent + face.descent) * size) / 2

    def rule(self, top: float, x: float, width: float, colour: str | None = None) -> None:
        """A horizontal rule whose upper edge is at `top`."""
        canvas = self.canvas
        if colour:
            canvas.setStrokeColor(f"#{colour}")
        y = self.height - (top + L.RULE_THICKNESS / 2)
        canvas.line(x, y, x + width, y)
        if colour:
            canvas.setStrokeColor("#000000")

    def box(self, top: float, x: float, width: float, height: float, colour: str | None = None) -> None:
        """A frame whose outer edges are the box's (the rule drawn inside them)."""
        canvas = self.canvas
        if colour:
            canvas.setStrokeColor(f"#{colour}")
        half = L.RULE_THICKNESS / 2
        canvas.rect(x + half, self.height - (top + height - half), width - 2 * half, height - 2 * half,
                    stroke=1, fill=0)
        if colour:
            canvas.setStrokeColor("#000000")

    def paragraph(self, text: str, face_key, size: float, align: str, space_before: float = 0.0,
                  space_after: float = 0.0) -> None:
        """A heading line of the appendix (line height 1.15 em), wrapped to the text width."""
        face = self.faces[face_key]
        line_height = L.FONT_LINE_HEIGHT * size
        lines = self.wrap.lines(text, face.name, size, self.right - self.left)
        self.y += max(space_before - self.space_after, 0)  # margins collapse, as between two paragraphs
        if self.room < line_height * len(lines):
            self.new_page()
        leading = self.leading(face, size, L.FONT_LINE_HEIGHT)
        for line in lines:
            self.text_line(line, face, size, self.y + leading, align, self.left, self.right - self.left)
            self.y += line_height
        self.y += space_after
        self.space_after = space_after

    def save(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()
