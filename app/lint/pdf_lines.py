"""A PDF page as printed lines, vector rules and boxes (pdfplumber), and its fonts (pdfminer).

Chars sharing a baseline form a row; a row is cut where the gap between two glyphs is wide, so
the two header columns and the two signature columns come out as separate lines.
"""
import io
import re
import statistics
from dataclasses import dataclass, field


@dataclass
class Line:
    page: int  # 1-based
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    baseline: float
    size: float
    sizes: frozenset
    fonts: frozenset  # font names without the subset prefix
    bold: bool  # every glyph bold
    italic: bool
    any_bold: bool
    any_italic: bool
    colours: frozenset  # hex "RRGGBB"
    chars: list = field(repr=False, default_factory=list)

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def width(self) -> float:
        return self.x1 - self.x0


@dataclass
class Segment:
    """A vector line or rectangle on a page."""

    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    colour: str

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


def font_name(name: str) -> str:
    return name.split("+", 1)[1] if "+" in name else name


def _bold(name: str) -> bool:
    return bool(re.search(r"bold|black|heavy", name, re.I))


def _italic(name: str) -> bool:
    return bool(re.search(r"italic|oblique", name, re.I))


def hex_colour(value) -> str:
    """A pdfplumber colour (gray, RGB or CMYK tuple) as "RRGGBB"."""
    if value is None:
        return "000000"
    if isinstance(value, (int, float)):
        value = (value,)
    value = tuple(float(v) for v in value if isinstance(v, (int, float)))
    if len(value) == 1:
        rgb = (value[0],) * 3
    elif len(value) == 3:
        rgb = value
    elif len(value) == 4:
        c, m, y, k = value
        rgb = ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    else:
        return "000000"
    return "".join(f"{max(0, min(255, round(v * 255))):02X}" for v in rgb)


def open_pdf(data):
    import pdfplumber

    if hasattr(data, "pages"):
        return data
    return pdfplumber.open(io.BytesIO(data))


def _line_from(chars: list, page: int) -> Line:
    chars = sorted(chars, key=lambda c: c["x0"])
    # a no-break space is printed on purpose (the blanks the clerk fills in by hand): it counts
    visible = [c for c in chars if c["text"].strip() or c["text"] == "\u00a0"] or chars
    sizes = frozenset(round(c["size"], 2) for c in visible)
    return Line(
        page=page, text="".join(c["text"] for c in chars).strip(),
        x0=min(c["x0"] for c in visible), x1=max(c["x1"] for c in visible),
        top=min(c["top"] for c in visible), bottom=max(c["bottom"] for c in visible),
        baseline=statistics.median(c["_baseline"] for c in visible),
        size=max(sizes), sizes=sizes, fonts=frozenset(font_name(c["fontname"]) for c in visible),
        bold=all(_bold(c["fontname"]) for c in visible), italic=all(_italic(c["fontname"]) for c in visible),
        any_bold=any(_bold(c["fontname"]) for c in visible), any_italic=any(_italic(c["fontname"]) for c in visible),
        colours=frozenset(hex_colour(c.get("non_stroking_color")) for c in visible), chars=chars)


def page_lines(page, number: int) -> list[Line]:
    """The chars of one page grouped into lines (cut at gaps wider than half an em, 3 em at a space)."""
    chars = []
    for char in page.chars:
        if not char.get("upright", True):
            continue
        char = dict(char)
        matrix = char.get("matrix")
        char["_baseline"] = page.height - matrix[5] if matrix else char["bottom"] - 0.216 * char["size"]
        chars.append(char)
    chars.sort(key=lambda c: (c["_baseline"], c["x0"]))
    rows: list[list] = []
    for char in chars:
        if rows and abs(char["_baseline"] - rows[-1][0]["_baseline"]) <= 1.5:
            rows[-1].append(char)
        else:
            rows.append([char])
    lines = []
    for row in rows:
        row.sort(key=lambda c: c["x0"])
        segment = [row[0]]
        for prev, char in zip(row, row[1:]):
            gap = char["x0"] - prev["x1"]
            spacey = not prev["text"].strip() or not char["text"].strip()
            if gap > (3.0 if spacey else 0.5) * max(prev["size"], char["size"]):
                lines.append(_line_from(segment, number))
                segment = []
            segment.append(char)
        lines.append(_line_from(segment, number))
    lines = [line for line in lines if line.text.strip()]
    lines.sort(key=lambda l: (l.baseline, l.x0))
    return lines


def graphics(page, number: int) -> list[Segment]:
    found = []
    for obj in list(page.rects) + list(page.lines) + list(page.curves):
        colour = obj.get("non_stroking_color") if obj.get("fill") else obj.get("stroking_color")
        if colour is None:
            colour = obj.get("stroking_color") or obj.get("non_stroking_color")
        found.append(Segment(number, obj["x0"], obj["x1"], obj["top"], obj["bottom"], hex_colour(colour)))
    return found


def rules_and_boxes(pdf) -> tuple[list[Segment], list[Segment]]:
    """Horizontal lines (≤ 1.5 pt high, ≥ 5 pt wide, de-duplicated) and rectangles of at least 5 × 5 pt."""
    rules, boxes = [], []
    for index, page in enumerate(pdf.pages, start=1):
        for seg in graphics(page, index):
            if seg.height <= 1.5 and seg.width >= 5:
                if not any(abs(s.x0 - seg.x0) < 0.5 and abs(s.x1 - seg.x1) < 0.5 and abs(s.top - seg.top) < 1
                           and s.page == seg.page for s in rules):
                    rules.append(seg)
            elif seg.height >= 5 and seg.width >= 5:
                boxes.append(seg)
    return rules, boxes


def unembedded_fonts(pdf) -> list[str]:
    """Fonts used on the pages without a font file in the PDF."""
    from pdfminer.pdftypes import resolve1

    missing, seen = [], set()
    for page in pdf.pages:
        resources = resolve1(page.page_obj.resources) or {}
        for ref in (resolve1(resources.get("Font")) or {}).values():
            font = resolve1(ref)
            name = str(font.get("BaseFont"))
            if name in seen:
                continue
            seen.add(name)
            descriptor = resolve1(font.get("FontDescriptor"))
            if descriptor is None and font.get("DescendantFonts"):
                descriptor = resolve1(resolve1(resolve1(font["DescendantFonts"])[0]).get("FontDescriptor"))
            if not any(key in (descriptor or {}) for key in ("FontFile", "FontFile2", "FontFile3")):
                missing.append(font_name(name.lstrip("/'").rstrip("'")))
    return missing
