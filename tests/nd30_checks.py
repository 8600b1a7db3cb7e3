"""Machine checks of the Nghị định 30/2020/NĐ-CP layout rules (ND30.md §6, R01–R47) on rendered
letters: DOCX bytes (python-docx + raw XML via lxml) and PDF bytes (pdfplumber).

Reusable by any exporter test (letters, reports, reminders):

    from nd30_checks import check_docx, check_pdf, expect_for
    problems = check_pdf(pdf_bytes, expect_for(data, letter, draft=False), layout=layout_module)
    assert problems == []

Every check returns a list of violations, each a string that starts with the rule id
("R08: …"); an empty list means the file passed. Without `expect` only the generic rules
run (what any ND30 document must satisfy); with an `Expect` the element texts, the document
type, draft/issued state and urgency are checked as well. With `layout` (an object with the
attributes of app/documents/layout.py) the exporter's own numbers are checked too — always
in addition to the legal ND30 ranges, never instead of them.

Helpers that other tests may want: `pdf_lines` (chars grouped into lines with font, size,
bold, italic, x0, x1, top, baseline), `pdf_rules` / `pdf_boxes` (vector lines and boxes),
`analyse_pdf` / `analyse_docx` (the letter's elements located in the file), `pdf_text_streams`
and `missing_texts` (is every sentence printed?), `text_width_pt` / `wrapped_widths` (Times New
Roman metrics), `check_number_line` / `check_date_line` (R15/R16, R17/R19 on a text),
`docx_xml_problems` (duplicate XML elements Word may refuse).

Also checked beyond §6's letter rules: "DRAFT" (a boxed, black "DỰ THẢO" exactly when the
letter is a draft), "TXT" (the printed body equals the letter's paragraphs), R29 only for
quyet_dinh (where "Căn cứ …" lines are the legal bases), and "signature block split across
pages" under R31. `Expect.bold_headings` lets reports keep bold "I. …" headings (R19/R30).

Rules not checked here: R11 (a warning only per ND30), R30 (headings of legal texts), R38–R44
(secrecy marks, circulation notes, ô 12, address block, appendices, e-signatures: the letter
exporter prints none of them), R47 (numbering service, not a file property).
"""
from __future__ import annotations

import io
import os
import re
import statistics
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

MM = 72 / 25.4  # points per millimetre
TWIPS_PER_MM = 1440 / 25.4
A4_PT = (595.276, 841.890)
A4_TWIPS = (11906, 16838)
# ND30 §1: legal margin ranges in millimetres.
MARGINS_MM = {"top": (20.0, 25.0), "bottom": (20.0, 25.0), "left": (30.0, 35.0), "right": (15.0, 20.0)}

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
URGENCY_MARKS = {"HỎA TỐC": 30.0, "THƯỢNG KHẨN": 40.0, "KHẨN": 20.0}  # box width in mm (ND30 §3.8)
URGENCY_CODES = {"hoa_toc": "HỎA TỐC", "thuong_khan": "THƯỢNG KHẨN", "khan": "KHẨN"}
MARK_HEIGHT_MM = 8.0
DRAFT_MARK = "DỰ THẢO"
BOX_TOLERANCE_MM = 2.0
# ND30 Phụ lục III, part I (§4.4).
TYPE_ABBREVIATIONS = {
    "NQ", "QĐ", "CT", "QC", "QyĐ", "TC", "TB", "HD", "CTr", "KH", "PA", "ĐA", "DA", "BC", "BB", "TTr",
    "HĐ", "CĐ", "BGN", "BTT", "GUQ", "GM", "GGT", "GNP", "PG", "PC", "PB", "SY", "TrS", "SL",
}
DOC_TYPE_ABBR = {
    "chi_thi": "CT", "cong_dien": "CĐ", "thong_bao": "TB", "ke_hoach": "KH", "quyet_dinh": "QĐ",
    "bao_cao": "BC", "to_trinh": "TTr",
}
DOC_TYPE_NAMES = {
    "chi_thi": "CHỈ THỊ", "cong_dien": "CÔNG ĐIỆN", "thong_bao": "THÔNG BÁO", "ke_hoach": "KẾ HOẠCH",
    "quyet_dinh": "QUYẾT ĐỊNH", "bao_cao": "BÁO CÁO", "to_trinh": "TỜ TRÌNH",
}
HEADING_RE = re.compile(r"^(Phần|Chương|Mục|Điều \d+\.|[IVXLC]+\.|\d+(\.\d+)*\.|[a-zđ]\))\s")
AUTHORITY_RE = re.compile(r"^(TM|KT|TL|TUQ|Q)\. \S")
ACADEMIC_RE = re.compile(r"^(GS|PGS|TS|ThS|KS|BS|CN)\.")
NUMBER_ISSUED_RE = r"(0[1-9]|[1-9]\d+)"
SYMBOL_RE = r"[A-ZĐ0-9][A-Za-zĐđ0-9]*(-[A-ZĐ0-9][A-Za-zĐđ0-9&]*)+"
DATE_ISSUED_RE = re.compile(
    r"^(?P<p>[^,]+), ngày (?P<d>0[1-9]|[12]\d|3[01]) tháng (?P<m>0[12]|[3-9]|1[0-2]) năm (?P<y>\d{4})$")
DATE_BLANK_RE = re.compile(r"^(?P<p>[^,]+), ngày\s+tháng\s+năm (?P<y>\d{4})$")

# Tolerances (ND30 §6 conventions).
SIZE_TOL = 0.1
POS_TOL = 1.0


# --------------------------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------------------------

def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _tone_pairs() -> dict[str, str]:
    """Old tone placement (hoà, Uỷ) → new (hòa, Ủy), for open syllables only."""
    pairs = {}
    for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
        for tone in "\u0300\u0301\u0309\u0303\u0323":
            for a, b in ((first, second), (first.upper(), second.upper()), (first.upper(), second)):
                pairs[a + nfc(b + tone)] = nfc(a + tone) + b
    return pairs


_TONE_PAIRS = _tone_pairs()
_OLD_TONE = re.compile(r"(?<![qQ])(" + "|".join(map(re.escape, _TONE_PAIRS)) + r")(?!\w)")


def tone_normalise(text: str) -> str:
    return _OLD_TONE.sub(lambda m: _TONE_PAIRS[m.group(1)], nfc(text))


def squash(text: str) -> str:
    """Whitespace (incl. no-break spaces) collapsed to single spaces."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def norm(text: str) -> str:
    """For comparisons: NFC, new tone placement, collapsed whitespace."""
    return squash(tone_normalise(text))


def join_lines(texts: list[str]) -> str:
    """Join printed lines into one paragraph: a space between lines, except after a hyphen or a
    slash inside a word ("8149/CD-" + "VPCP", "151/2017/" + "NĐ-CP": the renderers do not
    hyphenate, so such a break sits at a break opportunity of the text itself); " -" (a dash
    between words) keeps its space."""
    out = ""
    for text in texts:
        text = text.strip()
        if not out:
            out = text
        elif out[-1] in "-/" and len(out) > 1 and not out[-2].isspace():
            out += text
        else:
            out += " " + text
    return out


def is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def sentences(text: str) -> list[str]:
    """A paragraph cut into sentences / clauses (after . ; : ! ? followed by a space)."""
    parts = re.split(r"(?<=[.;:!?])\s+", squash(text))
    return [part for part in parts if part.strip()]


# --------------------------------------------------------------------------------------------
# Font metrics (Times New Roman, or the metric-compatible Liberation Serif)
# --------------------------------------------------------------------------------------------

_ROOT = Path(__file__).resolve().parents[1]
_FACES = {
    (False, False): ("times.ttf", "Times_New_Roman.ttf", "LiberationSerif-Regular.ttf"),
    (True, False): ("timesbd.ttf", "Times_New_Roman_Bold.ttf", "LiberationSerif-Bold.ttf"),
    (False, True): ("timesi.ttf", "Times_New_Roman_Italic.ttf", "LiberationSerif-Italic.ttf"),
    (True, True): ("timesbi.ttf", "Times_New_Roman_Bold_Italic.ttf", "LiberationSerif-BoldItalic.ttf"),
}
_FONT_DIRS = [
    os.environ.get("ND30_FONT_DIR") or "",
    "/usr/share/fonts/truetype/msttcorefonts",
    str(_ROOT / "app" / "documents" / "fonts"),
    "/usr/share/fonts/truetype/liberation2",
    "/usr/share/fonts/truetype/liberation",
]


@lru_cache(maxsize=4)
def _metrics(bold: bool, italic: bool):
    from fontTools.ttLib import TTFont

    for folder in filter(None, _FONT_DIRS):
        for name in _FACES[(bold, italic)]:
            path = Path(folder) / name
            if path.is_file():
                font = TTFont(str(path), lazy=True)
                return font.getBestCmap(), font["hmtx"].metrics, font["head"].unitsPerEm
    raise FileNotFoundError("no Times New Roman / Liberation Serif font file for the width checks")


def text_width_pt(text: str, size: float, bold: bool = False, italic: bool = False) -> float:
    """Advance width of one line set in Times New Roman metrics (no kerning), in points."""
    cmap, advances, units = _metrics(bool(bold), bool(italic))
    total = 0
    for char in nfc(text):
        glyph = cmap.get(ord(char))
        total += advances[glyph][0] if glyph in advances else units // 2
    return total / units * size


def wrapped_widths(text: str, size: float, width_pt: float, bold: bool = False,
                   italic: bool = False) -> list[float]:
    """Greedy line breaking at spaces (as Word does): the width of every printed line."""
    lines, current = [], ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if not current or text_width_pt(candidate, size, bold, italic) <= width_pt + 0.01:
            current = candidate
        else:
            lines.append(current)
            current = word
    lines.append(current)
    return [text_width_pt(line, size, bold, italic) for line in lines]


# --------------------------------------------------------------------------------------------
# What a file is expected to say
# --------------------------------------------------------------------------------------------

@dataclass
class Expect:
    """The letter a file should show. None for a field = not checked."""

    doc_type: str = "cong_van"
    issued: bool | None = None  # True: number and date filled in; False: blanks for the clerk
    draft: bool | None = None  # True: a boxed "DỰ THẢO"; False: none
    urgency: str | None = None  # "KHẨN", "THƯỢNG KHẨN", "HỎA TỐC" or None (no mark)
    check_urgency: bool = True
    superior_lines: list[str] | None = None
    agency_lines: list[str] | None = None
    number_line: str | None = None
    date_line: str | None = None
    subject_line: str | None = None
    type_name: str | None = None
    summary: str | None = None
    recipients_label: str | None = None
    recipients: list[str] | None = None
    body: list[str] | None = None
    cc: list[str] | None = None
    signature_lines: list[str] | None = None
    signer_name: str | None = None
    cc_first_exempt: bool = False  # R36 waived: the letter warns that Nơi nhận lacks "Như trên"
    bold_headings: bool = False  # reports: bold body paragraphs like "I. KẾT QUẢ …" / "1. Tên khoản" allowed

    @property
    def named(self) -> bool:
        return self.doc_type != "cong_van"


def expect_for(data: dict, letter=None, *, draft: bool = False) -> Expect:
    """Expectations from a directive (directive format) and, optionally, the Letter built from it.

    The document type, the issued state and the urgency come from the directive data; the
    element texts from the Letter (so the file is checked against what the letter says)."""
    doc_type = data.get("doc_type") or "cong_van"
    expect = Expect(doc_type=doc_type, issued=bool(data.get("number")), draft=draft,
                    urgency=URGENCY_CODES.get(data.get("urgency")))
    if letter is not None:
        expect.superior_lines = list(letter.superior_lines)
        expect.agency_lines = list(letter.agency_lines)
        expect.number_line = letter.number_line
        expect.date_line = letter.date_line
        expect.subject_line = letter.subject_line
        expect.type_name = letter.type_name
        expect.summary = letter.summary
        expect.recipients_label = letter.recipients_label
        expect.recipients = list(letter.recipients)
        expect.body = [p.text for p in letter.body]
        expect.cc = list(letter.cc)
        expect.signature_lines = list(letter.signature_lines)
        expect.signer_name = letter.signer_name
        expect.cc_first_exempt = any("Như trên" in warning for warning in letter.warnings)
    return expect


def _range(value: float, low: float, high: float, tol: float = SIZE_TOL) -> bool:
    return low - tol <= value <= high + tol


def _near(value: float, target: float, tol: float) -> bool:
    return abs(value - target) <= tol


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _same(a: str | None, b: str | None) -> bool:
    return norm(a or "") == norm(b or "")


def _check_number_line(text: str, expect: Expect | None, out: list[str]) -> None:
    """R15 and R16 on the text of the Số line."""
    text = nfc(text)
    issued = re.fullmatch(rf"Số: {NUMBER_ISSUED_RE}/({SYMBOL_RE})", text)
    blank = re.fullmatch(rf"Số:\s+/({SYMBOL_RE})", text)
    want_issued = expect.issued if expect else None
    if want_issued is True and not issued:
        out.append(f"R15: Số line {text!r} is not 'Số: NN/SYMBOL' with 01–09 padded, no spaces")
    elif want_issued is False and not blank:
        out.append(f"R15: Số line {text!r} of a letter not yet issued should be 'Số:' + blanks + '/SYMBOL'")
    elif want_issued is None and not (issued or blank):
        out.append(f"R15: Số line {text!r} matches neither 'Số: NN/SYMBOL' nor the blank form")
    match = issued or blank
    if not match:
        return
    symbol = text.split("/", 1)[1]
    groups = symbol.split("-")
    doc_type = expect.doc_type if expect else None
    if doc_type == "cong_van" and groups[0] in TYPE_ABBREVIATIONS:
        out.append(f"R16: công văn symbol {symbol!r} starts with a document-type abbreviation")
    elif doc_type and doc_type != "cong_van":
        want = DOC_TYPE_ABBR.get(doc_type)
        if groups[0] not in TYPE_ABBREVIATIONS or (want and groups[0] != want):
            out.append(f"R16: symbol {symbol!r} of a {doc_type} should start with {want!r}")
        if len(groups) < 2:
            out.append(f"R16: symbol {symbol!r} lacks the issuer abbreviation after the type")


def check_number_line(text: str, expect: Expect | None = None) -> list[str]:
    """R15/R16 on the text of a "Số: …" line (issued or blank form, per expect.issued)."""
    out: list[str] = []
    _check_number_line(text, expect, out)
    return out


def check_date_line(text: str, expect: Expect | None = None) -> list[str]:
    """R17/R19 on the text of a place/date line."""
    out: list[str] = []
    _check_date_text(text, expect, out)
    return out


def _check_date_text(text: str, expect: Expect | None, out: list[str]) -> None:
    """R17 (wording, place capitals) and R19 (valid, padded date) on the date line text."""
    text = nfc(text)
    issued = DATE_ISSUED_RE.match(text)
    blank = DATE_BLANK_RE.match(text)
    want = expect.issued if expect else None
    if want is True and not issued:
        out.append(f"R17: date line {text!r} is not '<Place>, ngày DD tháng M năm YYYY'")
        return
    if want is False and not blank:
        out.append(f"R17: date line {text!r} of a letter not yet issued should leave day and month blank")
        return
    match = issued or blank
    if not match:
        out.append(f"R17: date line {text!r} is not '<Place>, ngày DD tháng M năm YYYY'")
        return
    place = match.group("p")
    words = place.split()
    for word in words:
        special = word == "phố" and place == "Thành phố Hồ Chí Minh"
        if not word[0].isupper() and not special:
            out.append(f"R17: place name {place!r}: syllable {word!r} should start with a capital")
    if issued:
        day, month, year = int(issued.group("d")), int(issued.group("m")), int(issued.group("y"))
        try:
            when = date(year, month, day)
        except ValueError:
            out.append(f"R19: date {text!r} does not exist")
            return
        month_text = f"{month:02d}" if month < 3 else str(month)
        if issued.group("d") != f"{when.day:02d}" or issued.group("m") != month_text:
            out.append(f"R19: date {text!r} is not padded as ND30 requires (day 2 digits, months 1–2 padded)")


def _check_signature_grammar(lines: list[str], out: list[str]) -> None:
    """R31: [TM. X] [KT.|TL.|TUQ.|Q. Y] [KT. Z] POSITION."""
    notes = []
    for line in lines:
        match = AUTHORITY_RE.match(line)
        notes.append(match.group(1) if match else None)
    if not lines:
        return
    if notes[-1] is not None:
        out.append(f"R31: last position line {lines[-1]!r} carries an authority notation")
    sequence = [n for n in notes[:-1]]
    if None in sequence:
        return  # an "other position" line; not validated further
    text = " ".join(sequence)
    if not re.fullmatch(r"(TM)?( ?(KT|TL|TUQ|Q))?( ?KT)?", text.strip()) or (
            len(sequence) >= 2 and sequence[-1] == "KT" and sequence[-2] not in ("TL", "TM")):
        out.append(f"R31: authority notations {sequence} do not follow [TM.] [KT.|TL.|TUQ.|Q.] [KT.]")


# --------------------------------------------------------------------------------------------
# PDF: lines, rules, boxes
# --------------------------------------------------------------------------------------------

@dataclass
class Line:
    """One printed line (or the part of a row in one column)."""

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
    italic: bool  # every glyph italic
    any_bold: bool
    any_italic: bool
    colours: frozenset
    chars: list = field(repr=False, default_factory=list)

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def width(self) -> float:
        return self.x1 - self.x0


@dataclass
class Segment:
    """A horizontal rule or a box (rect / flat path) on a page."""

    page: int
    x0: float
    x1: float
    top: float
    bottom: float
    colour: tuple

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


def _font_name(name: str) -> str:
    return name.split("+", 1)[1] if "+" in name else name


def _bold(name: str) -> bool:
    return bool(re.search(r"bold|black|heavy", name, re.I))


def _italic(name: str) -> bool:
    return bool(re.search(r"italic|oblique", name, re.I))


def _colour(value) -> tuple:
    if value is None:
        return (0.0,)
    if isinstance(value, (int, float)):
        return (float(value),)
    return tuple(round(float(v), 3) for v in value)


def is_black(colour: tuple) -> bool:
    colour = tuple(colour)
    if len(colour) == 1:
        return colour[0] <= 0.01
    if len(colour) == 3:
        return max(colour) <= 0.01
    if len(colour) == 4:  # CMYK
        return colour[3] >= 0.99 and max(colour[:3]) <= 0.01 or (max(colour) >= 0.99 and min(colour) >= 0.99)
    return False


def is_red(colour: tuple) -> bool:
    colour = tuple(colour)
    if len(colour) == 3:
        r, g, b = colour
        return r >= 0.75 and g <= 0.25 and b <= 0.25
    if len(colour) == 4:
        c, m, y, k = colour
        return c <= 0.1 and m >= 0.75 and y >= 0.75 and k <= 0.2
    return False


def open_pdf(data):
    import pdfplumber

    if hasattr(data, "pages"):
        return data
    return pdfplumber.open(io.BytesIO(data))


def _line_from(chars: list, page: int) -> Line:
    chars = sorted(chars, key=lambda c: c["x0"])
    visible = [c for c in chars if c["text"].strip()] or chars
    text = "".join(c["text"] for c in chars).strip()
    fonts = frozenset(_font_name(c["fontname"]) for c in visible)
    sizes = frozenset(round(c["size"], 2) for c in visible)
    return Line(
        page=page, text=text,
        x0=min(c["x0"] for c in visible), x1=max(c["x1"] for c in visible),
        top=min(c["top"] for c in visible), bottom=max(c["bottom"] for c in visible),
        baseline=statistics.median(c["_baseline"] for c in visible),
        size=max(sizes), sizes=sizes, fonts=fonts,
        bold=all(_bold(c["fontname"]) for c in visible),
        italic=all(_italic(c["fontname"]) for c in visible),
        any_bold=any(_bold(c["fontname"]) for c in visible),
        any_italic=any(_italic(c["fontname"]) for c in visible),
        colours=frozenset(_colour(c.get("non_stroking_color")) for c in visible),
        chars=chars,
    )


def page_lines(page, number: int) -> list[Line]:
    """The chars of one pdfplumber page grouped into lines.

    Chars sharing a baseline (±1.5 pt) form a row; a row is cut where the gap between two
    glyphs is wider than half an em (a space glyph allows 3 em), so the two header columns
    and the two signature columns give separate lines."""
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
            size = max(prev["size"], char["size"])
            spacey = not prev["text"].strip() or not char["text"].strip()
            if gap > (3.0 if spacey else 0.5) * size:
                lines.append(_line_from(segment, number))
                segment = []
            segment.append(char)
        lines.append(_line_from(segment, number))
    lines = [line for line in lines if line.text.strip()]
    lines.sort(key=lambda l: (l.baseline, l.x0))
    return lines


def pdf_lines(pdf, page: int | None = None) -> list[Line]:
    """All lines of a PDF (bytes or an open pdfplumber PDF), in reading order per page."""
    pdf = open_pdf(pdf)
    out = []
    for index, p in enumerate(pdf.pages, start=1):
        if page is None or page == index:
            out.extend(page_lines(p, index))
    return out


def _graphics(page, number: int) -> list[Segment]:
    found = []
    for obj in list(page.rects) + list(page.lines) + list(page.curves):
        colour = obj.get("non_stroking_color") if obj.get("fill") else obj.get("stroking_color")
        if colour is None:
            colour = obj.get("stroking_color") or obj.get("non_stroking_color")
        found.append(Segment(number, obj["x0"], obj["x1"], obj["top"], obj["bottom"], _colour(colour)))
    return found


def pdf_rules(pdf, page: int | None = None) -> list[Segment]:
    """Horizontal vector lines (height ≤ 1.5 pt, width ≥ 5 pt), de-duplicated."""
    pdf = open_pdf(pdf)
    out: list[Segment] = []
    for index, p in enumerate(pdf.pages, start=1):
        if page is not None and index != page:
            continue
        for seg in _graphics(p, index):
            if seg.height <= 1.5 and seg.width >= 5:
                if not any(abs(s.x0 - seg.x0) < 0.5 and abs(s.x1 - seg.x1) < 0.5 and abs(s.top - seg.top) < 1
                           and s.page == seg.page for s in out):
                    out.append(seg)
    return out


def pdf_boxes(pdf, page: int | None = None) -> list[Segment]:
    """Rectangles at least 5 × 5 pt (borders of boxed marks, …)."""
    pdf = open_pdf(pdf)
    out = []
    for index, p in enumerate(pdf.pages, start=1):
        if page is None or index == page:
            out.extend(seg for seg in _graphics(p, index) if seg.height >= 5 and seg.width >= 5)
    return out


# --------------------------------------------------------------------------------------------
# PDF: the letter's elements
# --------------------------------------------------------------------------------------------

@dataclass
class PdfLetter:
    page_sizes: list
    lines: list  # every content line (page-number band excluded)
    margin_lines: list  # lines inside the top margin band (page numbers)
    rules: list
    boxes: list
    left: float  # text-area edges used by the checks (points)
    right: float
    top_band: float
    qh: Line | None = None
    tn: Line | None = None
    superior: list = field(default_factory=list)
    agency: list = field(default_factory=list)
    number: Line | None = None
    date: list = field(default_factory=list)
    subject: list = field(default_factory=list)
    marks: list = field(default_factory=list)
    header_other: list = field(default_factory=list)
    type_name: Line | None = None
    summary: list = field(default_factory=list)
    rec_label: Line | None = None
    recipients: list = field(default_factory=list)  # list of items, each a list of lines
    body_lines: list = field(default_factory=list)
    body: list = field(default_factory=list)  # paragraphs, each a list of lines
    cc_label: Line | None = None
    cc_lines: list = field(default_factory=list)
    signature: list = field(default_factory=list)
    name: Line | None = None

    @property
    def centre(self) -> float:
        return (self.left + self.right) / 2


def _is_mark(line: Line) -> bool:
    return squash(line.text) in URGENCY_MARKS or squash(line.text) == DRAFT_MARK


def analyse_pdf(data, expect: Expect | None = None, layout=None) -> PdfLetter:
    """Locate the ND30 elements of a rendered letter in a PDF."""
    pdf = open_pdf(data)
    sizes = [(p.width, p.height) for p in pdf.pages]
    top_band = (layout.MARGIN_TOP if layout else MARGINS_MM["top"][0]) * MM
    everything = pdf_lines(pdf)
    margin_lines = [l for l in everything if l.bottom <= top_band + 0.5]
    lines = [l for l in everything if l.bottom > top_band + 0.5]
    if layout:
        left = layout.MARGIN_LEFT * MM
        right = sizes[0][0] - layout.MARGIN_RIGHT * MM
    else:
        left = min((l.x0 for l in lines), default=MARGINS_MM["left"][0] * MM)
        right = max((l.x1 for l in lines), default=sizes[0][0] - MARGINS_MM["right"][0] * MM)
    doc = PdfLetter(sizes, lines, margin_lines, pdf_rules(pdf), pdf_boxes(pdf), left, right, top_band)
    centre = doc.centre
    first = [l for l in lines if l.page == 1]

    doc.qh = next((l for l in first if norm(l.text).startswith("CỘNG HÒA")), None)
    doc.tn = next((l for l in first if norm(l.text).startswith("Độc lập")), None)
    doc.number = next((l for l in first if re.match(r"^Số\s*:", l.text) and l.centre < centre), None)
    if doc.number is None:
        return doc
    num = doc.number
    above = [l for l in first if l.bottom <= num.top + 1 and l.centre < centre]
    for line in above:
        (doc.agency if line.any_bold else doc.superior).append(line)
    date_first = next((l for l in first if l.centre > centre and abs(l.baseline - num.baseline) <= 6), None)
    if date_first:
        doc.date = [date_first]
        for line in first:
            last = doc.date[-1]
            if line.centre > centre and line.baseline > last.baseline and line.baseline - last.baseline <= 1.5 * last.size \
                    and line.italic:
                doc.date.append(line)

    # Where the header ends: the type name, the recipients label, or a line across the centre.
    label = (expect.recipients_label if expect and expect.recipients_label else "Kính gửi")
    type_names = set(DOC_TYPE_NAMES.values()) | ({expect.type_name} if expect and expect.type_name else set())
    after = [l for l in lines if (l.page, l.baseline) > (1, num.baseline + 2) and l not in doc.date]
    start = len(after)
    for index, line in enumerate(after):
        text = squash(line.text)
        if text in type_names or text.startswith(label) or text.endswith("điện:") or \
                (line.x0 < centre - 5 and line.x1 > centre + 5) or line.page > 1:
            start = index
            break
    for line in after[:start]:
        if line.centre >= centre:
            doc.header_other.append(line)
        elif _is_mark(line):
            doc.marks.append(line)
        elif squash(line.text).startswith("V/v") or (doc.subject and not line.any_bold and not doc.marks):
            doc.subject.append(line)
        else:
            doc.header_other.append(line)
    rest = after[start:]

    # Named types: type name, summary lines (bold, centred).
    if rest and squash(rest[0].text) in type_names:
        doc.type_name = rest.pop(0)
        while rest and rest[0].bold and abs(rest[0].centre - centre) <= 6 and not squash(rest[0].text).startswith(label):
            doc.summary.append(rest.pop(0))

    # Recipients block.
    if rest and (squash(rest[0].text).startswith(label) or squash(rest[0].text).endswith("điện:")):
        doc.rec_label = rest.pop(0)
        items: list[list[Line]] = []
        multi = squash(doc.rec_label.text).endswith(":")
        dash_x = None
        while rest and rest[0].page == doc.rec_label.page and rest[0].x0 >= doc.rec_label.x0 - 1:
            line = rest.pop(0)
            closed = bool(items) and join_lines([l.text for l in items[-1]]).endswith((";", "."))
            if multi and line.text.startswith("- ") and (dash_x is None or abs(line.x0 - dash_x) <= 3 or closed):
                dash_x = line.x0 if dash_x is None else dash_x
                items.append([line])
            elif items:
                items[-1].append(line)
            else:
                items.append([line])
        doc.recipients = items

    # Signature block: the last "Nơi nhận:" label.
    labels = [i for i, l in enumerate(rest) if squash(l.text).startswith("Nơi nhận")]
    if labels:
        index = labels[-1]
        doc.cc_label = rest[index]
        doc.body_lines = rest[:index]
        block = rest[index + 1:]
        sig_left = layout.MARGIN_LEFT * MM + layout.SIGNATURE_LEFT * MM if layout else centre
        for line in block:
            (doc.signature if line.x0 >= sig_left - 1 or line.centre > centre + 20 else doc.cc_lines).append(line)
        if doc.signature and not is_caps(doc.signature[-1].text):
            doc.name = doc.signature.pop()
    else:
        doc.body_lines = rest
    doc.body = _paragraphs(doc.body_lines, doc.left)
    return doc


def _paragraphs(lines: list[Line], left: float) -> list[list[Line]]:
    """Body lines → paragraphs: a paragraph starts at a line indented from the left edge, or
    after a vertical gap clearly larger than the line pitch."""
    pitches = [b.baseline - a.baseline for a, b in zip(lines, lines[1:])
               if a.page == b.page and b.x0 <= left + 3]
    pitch = statistics.median(pitches) if pitches else None
    paragraphs: list[list[Line]] = []
    for line in lines:
        prev = paragraphs[-1][-1] if paragraphs else None
        indented = line.x0 > left + 5
        gap = prev is not None and prev.page == line.page and pitch is not None and \
            line.baseline - prev.baseline > pitch + 3
        if prev is None or indented or gap:
            paragraphs.append([line])
        else:
            paragraphs[-1].append(line)
    return paragraphs


def pdf_text_streams(data) -> list[str]:
    """The printed text as three streams (page-number band left out): every line in reading
    order, the lines left of the page centre, and the lines right of it — so that text set in
    the two header or signature columns reads contiguously in one of them."""
    pdf = open_pdf(data)
    lines = []
    for index, page in enumerate(pdf.pages, start=1):
        band = MARGINS_MM["top"][0] * MM
        lines.extend(l for l in page_lines(page, index) if l.bottom > band + 0.5)
    centre = pdf.pages[0].width / 2 + 7.5 * MM  # text-area centre with 30/15 mm margins (approx.)
    streams = [lines, [l for l in lines if l.centre < centre], [l for l in lines if l.centre >= centre]]
    return [join_lines([l.text for l in stream]) for stream in streams]


def missing_texts(streams: list[str], pieces: list[str]) -> list[str]:
    """The pieces (sentences, lines) that appear in none of the text streams (whitespace
    collapsed, no-break spaces read as spaces; no other normalisation: the PDF must be NFC)."""
    flat = [squash(stream) for stream in streams]
    return [piece for piece in pieces if squash(piece) and not any(squash(piece) in s for s in flat)]


# --------------------------------------------------------------------------------------------
# PDF checks
# --------------------------------------------------------------------------------------------

LETTER_FONT_RE = re.compile(r"^(Letter-?Serif|TimesNewRoman|Times-New-Roman|TimesNewRomanPS)", re.I)


def check_pdf(data: bytes, expect: Expect | None = None, layout=None,
              font_pattern: re.Pattern = LETTER_FONT_RE) -> list[str]:
    """Every ND30 violation found in a rendered letter (PDF bytes)."""
    pdf = open_pdf(data)
    doc = analyse_pdf(pdf, expect, layout)
    out: list[str] = []
    _pdf_page(pdf, doc, layout, out)
    _pdf_fonts(pdf, doc, font_pattern, out)
    _pdf_page_numbers(doc, layout, out)
    _pdf_header(doc, expect, layout, out)
    _pdf_title(doc, expect, layout, out)
    _pdf_recipients(doc, expect, layout, out)
    _pdf_body(doc, expect, layout, out)
    _pdf_signature(doc, expect, layout, out)
    _pdf_marks(doc, expect, layout, out)
    return out


def _pdf_page(pdf, doc: PdfLetter, layout, out):
    for index, (width, height) in enumerate(doc.page_sizes, start=1):
        if abs(width - A4_PT[0]) > 1 or abs(height - A4_PT[1]) > 1:
            out.append(f"R01: page {index} is {width:.1f} × {height:.1f} pt, not A4 portrait 595.3 × 841.9")
    width, height = doc.page_sizes[0]
    lo_left, hi_left = (v * MM for v in MARGINS_MM["left"])
    lo_right, hi_right = (v * MM for v in MARGINS_MM["right"])
    lo_top = MARGINS_MM["top"][0] * MM
    lo_bottom = MARGINS_MM["bottom"][0] * MM
    edge_left = max(lo_left, doc.left) if layout else lo_left
    edge_right = min(width - lo_right, doc.right) if layout else width - lo_right
    for page in range(1, len(doc.page_sizes) + 1):
        lines = [l for l in doc.lines if l.page == page]
        if not lines:
            continue
        worst_left = min(lines, key=lambda l: l.x0)
        worst_right = max(lines, key=lambda l: l.x1)
        if worst_left.x0 < edge_left - POS_TOL:
            out.append(f"R02: page {page}: text starts at x0={worst_left.x0:.2f} pt ({worst_left.text[:30]!r}), "
                       f"left of the text edge {edge_left:.2f} pt (left margin ≥ 30 mm)")
        if worst_right.x1 > edge_right + POS_TOL:
            out.append(f"R02: page {page}: text reaches x1={worst_right.x1:.2f} pt (…{worst_right.text[-30:]!r}), "
                       f"past the right text edge {edge_right:.2f} pt + 1 (right margin ≥ 15 mm)")
        high = min(lines, key=lambda l: l.top)
        low = max(lines, key=lambda l: l.bottom)
        if high.top < lo_top - POS_TOL:
            out.append(f"R02: page {page}: text at top={high.top:.2f} pt inside the top margin ({high.text[:30]!r})")
        if low.bottom > height - lo_bottom + POS_TOL:
            out.append(f"R02: page {page}: text at bottom={low.bottom:.2f} pt inside the bottom margin "
                       f"({low.text[:30]!r}, limit {height - lo_bottom:.2f})")
    body = [l for p in doc.body for l in p]
    if body:
        min_x0 = min(l.x0 for l in body)
        if not _range(min_x0, lo_left, hi_left, POS_TOL):
            out.append(f"R02: body text starts at {min_x0:.2f} pt = {min_x0 / MM:.1f} mm: left margin not 30–35 mm")
        justified = [l.x1 for p in doc.body for l in p[:-1]]
        if justified:
            edge = statistics.median(justified)
            if not _range(width - edge, lo_right, hi_right, POS_TOL):
                out.append(f"R02: justified body lines end at {edge:.2f} pt: right margin "
                           f"{(width - edge) / MM:.1f} mm not 15–20 mm")
            if layout and abs(edge - doc.right) > 1.0:
                out.append(f"R02: justified lines end at {edge:.2f} pt, layout's right edge is {doc.right:.2f} pt")
        if layout and abs(min_x0 - doc.left) > POS_TOL:
            out.append(f"R02: body starts at {min_x0:.2f} pt, layout's left margin is {doc.left:.2f} pt")
    first = [l for l in doc.lines if l.page == 1]
    if first:
        top = min(l.top for l in first)
        hi_top = MARGINS_MM["top"][1] * MM
        if top > hi_top + 4:
            out.append(f"R02: first line of page 1 starts at {top:.2f} pt: top margin > 25 mm")


def _pdf_fonts(pdf, doc: PdfLetter, pattern, out):
    fonts = {}
    for line in doc.lines + doc.margin_lines:
        for char in line.chars:
            if char["text"].strip():
                fonts.setdefault(_font_name(char["fontname"]), char["text"])
    for name, sample in sorted(fonts.items()):
        if not pattern.match(name):
            out.append(f"R03: text set in {name!r} (e.g. {sample!r}), not the letter font (Times New Roman "
                       f"or its embedded metric clone)")
    for problem in _pdf_unembedded(pdf):
        out.append(f"R03: {problem}")
    nonblack = {}
    for line in doc.lines + doc.margin_lines:
        allowed_red = squash(line.text) in URGENCY_MARKS
        for char in line.chars:
            if not char["text"].strip():
                continue
            colour = _colour(char.get("non_stroking_color"))
            if not is_black(colour) and not (allowed_red and is_red(colour)):
                nonblack.setdefault(colour, line.text[:40])
    for colour, where in nonblack.items():
        out.append(f"R04: text in colour {colour} ({where!r}); only the urgency mark may be red")
    for line in doc.lines + doc.margin_lines:
        if nfc(line.text) != line.text:
            out.append(f"R05: text not NFC on page {line.page}: {line.text[:40]!r}")
            break
        if any(unicodedata.category(c) == "Mn" for c in line.text):
            out.append(f"R05: combining marks in {line.text[:40]!r}")
            break


def _pdf_unembedded(pdf) -> list[str]:
    """Fonts used on the pages that are not embedded (no FontFile)."""
    problems = []
    try:
        from pypdf import PdfReader
        stream = getattr(pdf, "stream", None)
        if stream is None:
            return ["could not inspect the PDF fonts (no byte stream)"]
        stream.seek(0)
        reader = PdfReader(stream)
        seen = set()
        for page in reader.pages:
            resources = page.get("/Resources") or {}
            fonts = resources.get("/Font") or {}
            for ref in fonts.values():
                font = ref.get_object()
                name = str(font.get("/BaseFont"))
                if name in seen:
                    continue
                seen.add(name)
                descriptor = font.get("/FontDescriptor")
                if descriptor is None and "/DescendantFonts" in font:
                    descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
                descriptor = descriptor.get_object() if descriptor is not None else {}
                if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                    problems.append(f"font {name} is not embedded")
    except Exception as error:  # pragma: no cover - a reader problem is a finding too
        problems.append(f"could not inspect the PDF fonts: {error}")
    return problems


def _pdf_page_numbers(doc: PdfLetter, layout, out):
    for line in doc.margin_lines:
        if line.page == 1:
            out.append(f"R06: page 1 shows {line.text!r} in the top margin (page 1 has no number)")
    pages = len(doc.page_sizes)
    for page in range(2, pages + 1):
        found = [l for l in doc.margin_lines if l.page == page]
        numbers = [l for l in found if l.text == str(page)]
        if not numbers:
            out.append(f"R07: page {page} has no page number {page} in the top margin "
                       f"(found {[l.text for l in found]})")
            continue
        line = numbers[0]
        if abs(line.centre - doc.centre) > 10 * MM:
            out.append(f"R07: page number on page {page} at centre x={line.centre:.1f}, text centre {doc.centre:.1f}")
        if layout and abs(line.centre - doc.centre) > 1.5:
            out.append(f"R07: page number on page {page} not centred: {line.centre:.2f} vs {doc.centre:.2f}")
        if not _range(line.size, 13, 14):
            out.append(f"R07: page number size {_fmt(line.size)} pt (13–14)")
        if line.any_bold or line.any_italic:
            out.append(f"R07: page number on page {page} is bold/italic")
        if line.bottom > doc.top_band:
            out.append(f"R07: page number on page {page} not inside the top margin")


def _pdf_header(doc: PdfLetter, expect: Expect | None, layout, out):
    centre = doc.centre
    qh, tn = doc.qh, doc.tn
    # R08
    if qh is None:
        out.append("R08: Quốc hiệu not found on page 1")
    else:
        if norm(qh.text) != QUOC_HIEU:
            out.append(f"R08: Quốc hiệu reads {qh.text!r} on one line, expected {QUOC_HIEU!r} on one line")
        if not qh.bold:
            out.append("R08: Quốc hiệu not bold")
        if not _range(qh.size, 12, 13):
            out.append(f"R08: Quốc hiệu size {_fmt(qh.size)} pt (12–13)")
        if qh.centre <= centre:
            out.append("R08: Quốc hiệu not in the right half of page 1")
        if qh.text != qh.text.upper():
            out.append("R45: Quốc hiệu is not upper-case text")
    # R09
    if tn is None:
        out.append("R09: Tiêu ngữ not found on page 1")
    else:
        if nfc(tn.text) != TIEU_NGU:
            out.append(f"R09: Tiêu ngữ reads {tn.text!r}, expected {TIEU_NGU!r}")
        if not tn.bold:
            out.append("R09: Tiêu ngữ not bold")
        if not _range(tn.size, 13, 14):
            out.append(f"R09: Tiêu ngữ size {_fmt(tn.size)} pt (13–14)")
        if qh is not None:
            gap = tn.baseline - qh.baseline
            if not 0 < gap <= 1.5 * tn.size:
                out.append(f"R09: Tiêu ngữ baseline {gap:.2f} pt under the Quốc hiệu (≤ {1.5 * tn.size:.1f})")
            if abs(tn.centre - qh.centre) > 2:
                out.append(f"R09: Tiêu ngữ centre {tn.centre:.2f} vs Quốc hiệu {qh.centre:.2f} (±2 pt)")
        # R10
        rules = [r for r in doc.rules if r.page == 1 and tn.bottom - 1 <= r.top <= tn.bottom + 10
                 and r.centre > centre]
        if not rules:
            out.append("R10: no horizontal line within 10 pt under the Tiêu ngữ")
        else:
            rule = rules[0]
            ratio = rule.width / tn.width
            if not 0.9 <= ratio <= 1.1:
                out.append(f"R10: line under the motto is {rule.width:.2f} pt, motto {tn.width:.2f} pt "
                           f"(ratio {ratio:.3f}, 0.9–1.1)")
            if abs(rule.centre - tn.centre) > 2:
                out.append(f"R10: line under the motto centred at {rule.centre:.2f}, motto at {tn.centre:.2f}")
            if not is_black(rule.colour):
                out.append(f"R04: line under the motto in colour {rule.colour}")
    # R12 / R13 / R45
    if not doc.agency:
        out.append("R12: no bold issuing-agency line above the Số line")
    for line in doc.superior + doc.agency:
        if line.text != line.text.upper() or not is_caps(line.text):
            out.append(f"R12: agency line {line.text!r} is not upper case")
        if not _range(line.size, 12, 13):
            out.append(f"R12: agency line {line.text!r} size {_fmt(line.size)} pt (12–13)")
        if line in doc.superior and line.any_bold:
            out.append(f"R12: superior agency line {line.text!r} is bold (must be regular)")
        if line in doc.agency and not line.bold:
            out.append(f"R12: issuing agency line {line.text!r} is not bold throughout")
    if doc.superior and doc.agency and max(l.baseline for l in doc.superior) > min(l.baseline for l in doc.agency):
        out.append("R12: superior agency line below the issuing agency")
    block = doc.superior + doc.agency
    if block:
        centres = [l.centre for l in block]
        if max(centres) - min(centres) > 2:
            out.append(f"R12: agency lines not centred on one axis (centres {min(centres):.1f}–{max(centres):.1f})")
    if expect and expect.agency_lines is not None:
        if not _same(join_lines([l.text for l in doc.agency]), " ".join(expect.agency_lines)):
            out.append(f"R12: issuing agency reads {[l.text for l in doc.agency]}, letter says {expect.agency_lines}")
        if not _same(join_lines([l.text for l in doc.superior]), " ".join(expect.superior_lines or [])):
            out.append(f"R12: superior agency reads {[l.text for l in doc.superior]}, "
                       f"letter says {expect.superior_lines}")
    if doc.agency:
        widest = max(doc.agency, key=lambda l: l.width)
        last = max(doc.agency, key=lambda l: l.baseline)
        rules = [r for r in doc.rules if r.page == 1 and last.bottom - 1 <= r.top <= last.bottom + 10
                 and r.centre < centre]
        if not rules:
            out.append("R13: no horizontal line within 10 pt under the issuing agency")
        else:
            rule = rules[0]
            ratio = rule.width / widest.width
            if not 0.31 <= ratio <= 0.52:
                out.append(f"R13: line under the agency is {rule.width:.2f} pt for a name line of {widest.width:.2f} pt "
                           f"({widest.text!r}): ratio {ratio:.3f}, must be 1/3–1/2")
            if abs(rule.centre - widest.centre) > 2:
                out.append(f"R13: agency line centred at {rule.centre:.2f}, name at {widest.centre:.2f}")
    # R14 / R15 / R16
    num = doc.number
    if num is None:
        out.append("R14: no 'Số:' line in the left header column of page 1")
        return
    if not _near(num.size, 13, SIZE_TOL):
        out.append(f"R14: Số line size {_fmt(num.size)} pt (13)")
    if num.any_bold or num.any_italic:
        out.append("R14: Số line is bold/italic (must be regular)")
    if block:
        axis = max(block, key=lambda l: l.width).centre
        if abs(num.centre - axis) > 3 * MM:
            out.append(f"R14: Số line centred at {num.centre:.1f}, agency at {axis:.1f} (±3 mm)")
    _check_number_line(num.text, expect, out)
    if expect and expect.number_line is not None and not _same(num.text, expect.number_line):
        out.append(f"R14: Số line reads {num.text!r}, letter says {expect.number_line!r}")
    # R17 / R18 / R19
    if not doc.date:
        out.append("R17: no place/date line on the Số line's row in the right column")
    else:
        first = doc.date[0]
        text = join_lines([l.text for l in doc.date])
        if len(doc.date) > 1:
            out.append(f"R17: place/date line wraps onto {len(doc.date)} lines: {[l.text for l in doc.date]}")
        _check_date_text(text, expect, out)
        if not all(l.italic for l in doc.date):
            out.append("R17: place/date line not italic")
        if not _range(first.size, 13, 14):
            out.append(f"R17: place/date size {_fmt(first.size)} pt (13–14)")
        if qh is not None and abs(first.centre - qh.centre) > 3 * MM:
            out.append(f"R17: place/date centred at {first.centre:.1f}, Quốc hiệu at {qh.centre:.1f} (±3 mm)")
        if abs(first.baseline - num.baseline) > 2:
            out.append(f"R18: Số baseline {num.baseline:.2f} and date baseline {first.baseline:.2f} differ "
                       f"by {abs(first.baseline - num.baseline):.2f} pt (≤ 2)")
        if expect and expect.date_line is not None and not _same(text, expect.date_line):
            out.append(f"R17: date line reads {text!r}, letter says {expect.date_line!r}")
    # R20
    named = expect.named if expect else bool(doc.type_name)
    if not named:
        if not doc.subject:
            out.append("R20: no 'V/v …' line under the Số line")
        else:
            first = doc.subject[0]
            if not first.text.startswith("V/v "):
                out.append(f"R20: trích yếu starts {first.text[:12]!r}, not 'V/v '")
            for line in doc.subject:
                if not _range(line.size, 12, 13):
                    out.append(f"R20: V/v line size {_fmt(line.size)} pt (12–13)")
                    break
                if line.any_bold or line.any_italic:
                    out.append("R20: V/v line is bold/italic (must be regular)")
                    break
                if abs(line.centre - num.centre) > 3 * MM:
                    out.append(f"R20: V/v line {line.text!r} centred at {line.centre:.1f}, Số at {num.centre:.1f}")
                    break
            gap = (first.baseline - num.baseline) - 1.15 * num.size
            if not 4 <= gap <= 8:
                out.append(f"R20: space between the Số line and V/v ≈ {gap:.2f} pt (6 ± 2)")
            if expect and expect.subject_line is not None and \
                    not _same(join_lines([l.text for l in doc.subject]), expect.subject_line):
                out.append(f"R20: V/v reads {join_lines([l.text for l in doc.subject])!r}, "
                           f"letter says {expect.subject_line!r}")
        if any(squash(l.text) == "CÔNG VĂN" for l in doc.lines):
            out.append("R20: a công văn must not print a 'CÔNG VĂN' title")
    elif doc.subject:
        out.append(f"R21: a {expect.doc_type if expect else 'named type'} prints a 'V/v' line: {doc.subject[0].text!r}")
    # Header columns keep their widths (R46, exporter's column widths).
    if layout:
        left_axis = doc.left + layout.HEADER_LEFT * MM / 2
        right_axis = doc.left + (layout.HEADER_LEFT + layout.HEADER_RIGHT / 2) * MM
        split = doc.left + layout.HEADER_LEFT * MM
        for line in doc.superior + doc.agency + [num] + doc.subject:
            if abs(line.centre - left_axis) > 1.5 or line.x1 > split + 0.5:
                out.append(f"R46: left header line {line.text[:40]!r} spans {line.x0:.1f}–{line.x1:.1f}, "
                           f"not centred in the {layout.HEADER_LEFT} mm column (axis {left_axis:.1f})")
        for line in [l for l in (qh, tn) if l] + doc.date:
            if abs(line.centre - right_axis) > 1.5 or line.x0 < split - 0.5:
                out.append(f"R46: right header line {line.text[:40]!r} spans {line.x0:.1f}–{line.x1:.1f}, "
                           f"not centred in the right column (axis {right_axis:.1f})")
    for line in doc.header_other:
        out.append(f"R12: unexpected text in the header area: {line.text[:50]!r}")


def _pdf_title(doc: PdfLetter, expect: Expect | None, layout, out):
    named = expect.named if expect else bool(doc.type_name)
    if not named:
        if doc.type_name:
            out.append(f"R20: công văn prints a type name {doc.type_name.text!r}")
        return
    want = expect.type_name if expect and expect.type_name else DOC_TYPE_NAMES.get(expect.doc_type if expect else "")
    line = doc.type_name
    if line is None:
        out.append(f"R21: type name {want!r} not found under the header")
        return
    if want and squash(line.text) != want:
        out.append(f"R21: type name reads {line.text!r}, expected {want!r}")
    if line.text != line.text.upper():
        out.append("R45: type name is not upper-case text")
    if not line.bold:
        out.append("R21: type name not bold")
    if not _range(line.size, 13, 14):
        out.append(f"R21: type name size {_fmt(line.size)} pt (13–14)")
    if abs(line.centre - doc.centre) > 1.5:
        out.append(f"R21: type name centred at {line.centre:.2f}, text centre {doc.centre:.2f}")
    if not doc.summary:
        out.append("R21: no bold summary line under the type name")
        return
    for summary in doc.summary:
        if not _range(summary.size, 13, 14):
            out.append(f"R21: summary size {_fmt(summary.size)} pt (13–14)")
            break
        if abs(summary.centre - doc.centre) > 1.5:
            out.append(f"R21: summary line {summary.text[:40]!r} centred at {summary.centre:.2f}")
            break
    if is_caps(join_lines([l.text for l in doc.summary])):
        out.append("R21: summary is all caps (normal case expected)")
    if doc.summary[0].baseline - line.baseline > 1.6 * line.size:
        out.append("R21: summary not directly under the type name")
    if expect and expect.summary is not None and not _same(join_lines([l.text for l in doc.summary]), expect.summary):
        out.append(f"R21: summary reads {join_lines([l.text for l in doc.summary])!r}, letter says {expect.summary!r}")
    last = doc.summary[-1]
    widest = max(doc.summary, key=lambda l: l.width)
    rules = [r for r in doc.rules if r.page == last.page and last.bottom - 1 <= r.top <= last.bottom + 10]
    if not rules:
        out.append("R21: no line under the summary")
        return
    rule = rules[0]
    ratio = rule.width / widest.width
    if not 0.31 <= ratio <= 0.52:
        out.append(f"R21: line under the summary is {rule.width:.2f} pt for a summary line of {widest.width:.2f} pt "
                   f"(ratio {ratio:.3f}, 1/3–1/2)")
    if abs(rule.centre - doc.centre) > 2:
        out.append(f"R21: line under the summary centred at {rule.centre:.2f}, text centre {doc.centre:.2f}")


def _pdf_recipients(doc: PdfLetter, expect: Expect | None, layout, out):
    want_label = expect.recipients_label if expect else None
    cong_van = (expect.doc_type if expect else "cong_van") == "cong_van"
    if doc.rec_label is None:
        if cong_van or want_label:
            out.append(f"R22: no '{want_label or 'Kính gửi'}:' line after the header")
        return
    label = doc.rec_label
    text = squash(label.text)
    for line in [label] + [l for item in doc.recipients for l in item]:
        if not _range(line.size, 13, 14):
            out.append(f"R22: recipients line {line.text[:30]!r} size {_fmt(line.size)} pt (13–14)")
            break
        if line.any_bold or line.any_italic:
            out.append(f"R22: recipients line {line.text[:30]!r} is bold/italic (must be regular)")
            break
    if layout and abs(label.x0 - doc.left - layout.KINH_GUI_INDENT * MM) > POS_TOL:
        out.append(f"R22: '{text[:12]}' starts {(label.x0 - doc.left) / MM:.1f} mm from the margin, "
                   f"layout says {layout.KINH_GUI_INDENT} mm")
    kinh_gui = text.startswith("Kính gửi")
    items = [join_lines([l.text for l in item]) for item in doc.recipients]
    if kinh_gui and not text.startswith("Kính gửi:"):
        out.append(f"R22: label {text[:20]!r} lacks the colon")
    if text.endswith(":"):
        if kinh_gui and len(items) < 2:
            out.append(f"R22: 'Kính gửi:' alone on its line but {len(items)} addressee line(s) follow "
                       "(a single addressee goes on the label's line)")
        starts = [item[0] for item in doc.recipients]
        for index, item in enumerate(items):
            last = index == len(items) - 1
            if not re.fullmatch(r"- .+" + (r"\." if last else ";"), item):
                out.append(f"R22: addressee line {item!r} should read '- …{'.' if last else ';'}'")
        if starts and max(l.x0 for l in starts) - min(l.x0 for l in starts) > POS_TOL:
            out.append(f"R22: addressee dashes not aligned (x0 {min(l.x0 for l in starts):.2f}–"
                       f"{max(l.x0 for l in starts):.2f})")
    else:
        if not re.fullmatch(r"Kính gửi: \S.*", text) and kinh_gui:
            out.append(f"R22: single addressee line reads {text!r}")
        if kinh_gui and doc.recipients:
            out.append(f"R22: single addressee wraps / has extra lines: {[l.text for i in doc.recipients for l in i]}")
        items = [text.split(":", 1)[1].strip()] if ":" in text else []
    if expect and expect.recipients is not None:
        if [norm(i) for i in items] != [norm(r) for r in expect.recipients]:
            out.append(f"R22: addressees read {items}, letter says {expect.recipients}")
    if expect and want_label and not text.startswith(want_label):
        out.append(f"R22: label reads {text!r}, expected {want_label!r}")


def _pdf_body(doc: PdfLetter, expect: Expect | None, layout, out):
    paragraphs = doc.body
    if not paragraphs:
        out.append("R23: no body paragraphs found")
        return
    left, right = doc.left, doc.right
    indents = []
    for para in paragraphs:
        first = para[0]
        indent = first.x0 - left
        indents.append(indent)
        if not (_near(indent, 28.35, 1.5) or _near(indent, 36.0, 1.5)):
            out.append(f"R24: paragraph {first.text[:40]!r} first-line indent {indent:.2f} pt "
                       f"({indent / MM:.2f} mm; must be 10 or 12.7 mm)")
        elif layout and abs(indent - layout.BODY_FIRST_LINE_INDENT * MM) > POS_TOL:
            out.append(f"R24: first-line indent {indent:.2f} pt, layout says {layout.BODY_FIRST_LINE_INDENT} mm")
        for line in para[1:]:
            if abs(line.x0 - left) > POS_TOL:
                out.append(f"R23: continuation line {line.text[:40]!r} starts at {line.x0:.2f}, not at the left "
                           f"edge {left:.2f}")
                break
        for line in para[:-1]:
            if abs(line.x1 - right) > 1.5:
                out.append(f"R23: justified line (page {line.page}) ends at x1={line.x1:.2f} pt, right text edge "
                           f"{right:.2f} (±1.5): …{line.text[-40:]!r}")
    # Sizes / style.
    all_lines = [l for p in paragraphs for l in p]
    sizes = sorted({round(s, 1) for l in all_lines for s in l.sizes})
    if any(not _range(s, 13, 14) for s in sizes) or len(sizes) > 1:
        out.append(f"R25: body sizes {sizes} pt (one size, 13–14)")
    elif layout and not _near(sizes[0], layout.SIZE["body"], SIZE_TOL):
        out.append(f"R25: body size {sizes[0]} pt, layout says {layout.SIZE['body']}")
    quyet_dinh = expect is not None and expect.doc_type == "quyet_dinh"
    for para in paragraphs:
        text = join_lines([l.text for l in para])
        basis = quyet_dinh and re.match(r"^(Căn cứ|Theo đề nghị)", text)
        heading = expect is not None and expect.bold_headings and HEADING_RE.match(text) and all(l.bold for l in para)
        if (any(l.any_bold for l in para) and not heading) or (any(l.any_italic for l in para) and not basis):
            out.append(f"R25: body paragraph {text[:40]!r} is not regular (bold/italic)")
    # Line spacing (R27) and paragraph spacing (R26).
    size = max(sizes) if sizes else 14
    pitches = [b.baseline - a.baseline for p in paragraphs for a, b in zip(p, p[1:]) if a.page == b.page]
    pitch = statistics.median(pitches) if pitches else None
    if pitch is not None:
        if not 1.10 * size - 0.1 <= pitch <= 1.75 * size + 0.1:
            out.append(f"R27: line pitch {pitch:.2f} pt for {size} pt text (1.10–1.75 × size)")
        if layout:
            want = layout.LINE_SPACING * layout.FONT_LINE_HEIGHT * size
            if abs(pitch - want) > 0.5:
                out.append(f"R27: line pitch {pitch:.2f} pt, layout gives {want:.2f}")
        odd = [p for p in pitches if abs(p - pitch) > 0.5]
        if odd:
            out.append(f"R27: uneven line pitch inside paragraphs: {sorted(set(round(p, 2) for p in odd))[:5]}")
        for a, b in zip(paragraphs, paragraphs[1:]):
            if a[-1].page != b[0].page:
                continue
            extra = (b[0].baseline - a[-1].baseline) - pitch
            if extra < 5.5:
                out.append(f"R26: {extra:.2f} pt between paragraphs ({a[-1].text[-25:]!r} → {b[0].text[:25]!r}; ≥ 6)")
            elif layout and abs(extra - layout.PARAGRAPH_SPACE_BEFORE) > 1.0:
                out.append(f"R26: {extra:.2f} pt between paragraphs, layout says {layout.PARAGRAPH_SPACE_BEFORE}")
    texts = [join_lines([l.text for l in p]) for p in paragraphs]
    if not texts[-1].rstrip().endswith("./."):
        out.append(f"R28: last body paragraph ends {texts[-1][-20:]!r}, not './.'")
    if expect and expect.body is not None:
        if len(texts) != len(expect.body):
            out.append(f"R24: {len(texts)} body paragraphs found by first-line indent, the letter has "
                       f"{len(expect.body)}")
        else:
            for got, want in zip(texts, expect.body):
                if norm(got) != norm(want):
                    out.append(f"TXT: body paragraph printed as {got[:60]!r}…, letter says {want[:60]!r}…")
    if quyet_dinh:
        _check_basis([(t, all(l.italic for l in p)) for t, p in zip(texts, paragraphs)], out)


def _check_basis(paragraphs: list[tuple[str, bool]], out: list[str]) -> None:
    """R29: Căn cứ / Theo đề nghị lines of a decision: italic; ';' each, '.' on the last."""
    block = [(t, it) for t, it in paragraphs if re.match(r"^(Căn cứ|Theo đề nghị)", t)]
    for index, (text, italic) in enumerate(block):
        if not italic:
            out.append(f"R29: legal-basis line {text[:40]!r} is not italic")
        last = index == len(block) - 1
        if not text.rstrip().endswith("." if last else ";"):
            out.append(f"R29: legal-basis line {text[:40]!r}… should end with {'.' if last else ';'!r}")


def _pdf_signature(doc: PdfLetter, expect: Expect | None, layout, out):
    label = doc.cc_label
    if label is None:
        out.append("R34: no 'Nơi nhận:' label")
        return
    if squash(label.text) != "Nơi nhận:":
        out.append(f"R34: label reads {label.text!r}")
    if not _near(label.size, 12, SIZE_TOL):
        out.append(f"R34: 'Nơi nhận:' size {_fmt(label.size)} pt (12)")
    if not (label.bold and label.italic):
        out.append("R34: 'Nơi nhận:' not bold italic")
    if label.x0 - doc.left > 1 * MM or label.x0 < doc.left - POS_TOL:
        out.append(f"R34: 'Nơi nhận:' at x0={label.x0:.2f}, not flush with the left margin {doc.left:.2f}")
    sig = doc.signature
    if not sig:
        out.append("R31: no authority/position lines in the signature column")
    else:
        if abs(label.top - sig[0].top) > 3:
            out.append(f"R34: 'Nơi nhận:' top {label.top:.2f} vs first authority line top {sig[0].top:.2f} (±3 pt)")
        if {l.page for l in sig} != {label.page}:
            out.append("R31: signature block split across pages")
        for line in sig:
            if not is_caps(line.text) or line.text != line.text.upper():
                out.append(f"R31: position line {line.text!r} is not upper case")
            if not line.bold:
                out.append(f"R31: position line {line.text!r} not bold")
            if not _range(line.size, 13, 14):
                out.append(f"R31: position line {line.text!r} size {_fmt(line.size)} pt (13–14)")
        centres = [l.centre for l in sig]
        if max(centres) - min(centres) > 2:
            out.append(f"R31: position lines not centred on one axis ({min(centres):.1f}–{max(centres):.1f})")
        if layout:
            axis = doc.left + (layout.SIGNATURE_LEFT + layout.SIGNATURE_RIGHT / 2) * MM
            if any(abs(c - axis) > 1.5 for c in centres):
                out.append(f"R31: position lines centred at {centres[0]:.2f}, signature column axis {axis:.2f}")
        _check_signature_grammar([squash(l.text) for l in sig], out)
        if expect and expect.signature_lines is not None and \
                [norm(l.text) for l in sig] != [norm(s) for s in expect.signature_lines]:
            out.append(f"R31: signature lines read {[l.text for l in sig]}, letter says {expect.signature_lines}")
    want_name = expect.signer_name if expect else None
    name = doc.name
    if want_name == "":
        if name is not None:
            out.append(f"R32: a name {name.text!r} is printed for a letter without signer name")
    elif name is None:
        out.append("R32: no signer name under the position lines")
    else:
        if name.page != label.page:
            out.append("R31: signature block split across pages (signer name on another page)")
        if is_caps(name.text):
            out.append(f"R32: signer name {name.text!r} all caps")
        if not name.bold:
            out.append("R32: signer name not bold")
        if not _range(name.size, 13, 14):
            out.append(f"R32: signer name size {_fmt(name.size)} pt (13–14)")
        if ACADEMIC_RE.match(name.text):
            out.append(f"R32: academic title before the name {name.text!r}")
        if want_name and not _same(name.text, want_name):
            out.append(f"R32: signer name reads {name.text!r}, letter says {want_name!r}")
        if sig:
            if abs(name.centre - sig[-1].centre) > 3 * MM:
                out.append(f"R32: name centred at {name.centre:.1f}, position at {sig[-1].centre:.1f} (±3 mm)")
            gap = name.baseline - sig[-1].baseline
            if gap < 15 * MM:
                out.append(f"R33: only {gap / MM:.1f} mm between the position line and the name (≥ 15 mm)")
    # Nơi nhận list (R35 / R36).
    lines = doc.cc_lines
    if not lines:
        out.append("R35: no recipients under 'Nơi nhận:'")
        return
    if {l.page for l in lines} != {label.page}:
        out.append("R31: Nơi nhận list split across pages")
    for line in lines:
        if not _near(line.size, 11, SIZE_TOL):
            out.append(f"R35: Nơi nhận line {line.text!r} size {_fmt(line.size)} pt (11)")
            break
        if line.any_bold or line.any_italic:
            out.append(f"R35: Nơi nhận line {line.text!r} is bold/italic")
            break
        if line.x0 - doc.left > 1 * MM:
            out.append(f"R35: Nơi nhận line {line.text!r} not flush left (x0 {line.x0:.2f})")
            break
    items = _cc_items(lines, expect.cc if expect else None)
    _check_cc_items(items, expect, out)


def _cc_items(lines: list[Line], expected: list[str] | None) -> list[str]:
    """Group printed Nơi nhận lines into items: by the letter's items when known (a wrapped
    item may start a continuation line with "- "), else by the leading dash."""
    texts = [l.text for l in lines]
    if expected:
        items, index = [], 0
        for want in expected:
            acc = []
            while index < len(texts):
                acc.append(texts[index])
                index += 1
                if norm(join_lines(acc)) == norm(want) or len(norm(join_lines(acc))) >= len(norm(want)):
                    break
            items.append(join_lines(acc))
        if index < len(texts):
            items.extend(texts[index:])
        return items
    items = []
    for text in texts:
        if text.startswith("- ") or not items:
            items.append(text)
        else:
            items[-1] = join_lines([items[-1], text])
    return items


def _check_cc_items(items: list[str], expect: Expect | None, out: list[str]) -> None:
    for index, item in enumerate(items):
        last = index == len(items) - 1
        if last:
            if not re.fullmatch(r"- Lưu\b.*\.", item):
                out.append(f"R35: last Nơi nhận line {item!r} should be '- Lưu: VT, ….'")
        elif not re.fullmatch(r"- .+;", item):
            out.append(f"R35: Nơi nhận line {item!r} should read '- …;'")
    cong_van = (expect.doc_type if expect else "cong_van") == "cong_van"
    if cong_van and items and not (expect and expect.cc_first_exempt) and norm(items[0]) != "- Như trên;":
        out.append(f"R36: first Nơi nhận line of a công văn is {items[0]!r}, not '- Như trên;'")
    if expect and expect.cc is not None and [norm(i) for i in items] != [norm(c) for c in expect.cc]:
        out.append(f"R35: Nơi nhận reads {items}, letter says {expect.cc}")


def _pdf_marks(doc: PdfLetter, expect: Expect | None, layout, out):
    marks = {squash(l.text): l for l in doc.marks}
    page_width = doc.page_sizes[0][0]
    urgent = [m for m in marks if m in URGENCY_MARKS]
    if expect and expect.check_urgency:
        want = [expect.urgency] if expect.urgency else []
        if urgent != want:
            out.append(f"R37: urgency marks {urgent}, expected {want}")
    if expect and expect.draft is not None:
        if expect.draft and DRAFT_MARK not in marks:
            out.append("DRAFT: no boxed 'DỰ THẢO' mark on a draft")
        if not expect.draft and DRAFT_MARK in marks:
            out.append("DRAFT: 'DỰ THẢO' printed on a letter that is not a draft")
    for text, line in marks.items():
        rule = "R37" if text in URGENCY_MARKS else "DRAFT"
        legal = URGENCY_MARKS.get(text)
        ours = None
        if layout:
            if text in URGENCY_MARKS:
                ours = next((w for t, w in layout.URGENCY_BOXES.values() if t == text), None)
            else:
                ours = layout.DRAFT_BOX[1]
        if not line.bold:
            out.append(f"{rule}: mark {text!r} not bold")
        if not _range(line.size, 13, 14):
            out.append(f"{rule}: mark {text!r} size {_fmt(line.size)} pt (13–14)")
        if line.text != line.text.upper():
            out.append(f"R45: mark {text!r} not upper-case text")
        colours = line.colours
        if text in URGENCY_MARKS and not all(is_red(c) for c in colours):
            out.append(f"R37: urgency mark {text!r} text colour {sorted(colours)} is not red")
        if text == DRAFT_MARK and not all(is_black(c) for c in colours):
            out.append(f"R04: draft mark colour {sorted(colours)} not black")
        boxes = [b for b in doc.boxes if b.page == line.page and b.x0 <= line.x0 + 0.5 and b.x1 >= line.x1 - 0.5
                 and b.top <= line.top + 0.5 and b.bottom >= line.bottom - 0.5 and b.width < 80 * MM]
        if not boxes:
            out.append(f"{rule}: mark {text!r} is not inside a box")
            continue
        box = max(boxes, key=lambda b: b.width * b.height)
        width_mm, height_mm = box.width / MM, box.height / MM
        if legal and abs(width_mm - legal) > BOX_TOLERANCE_MM:
            out.append(f"R37: box of {text!r} is {width_mm:.2f} mm wide, ND30 says {legal} mm (±2)")
        if ours and abs(width_mm - ours) > BOX_TOLERANCE_MM:
            out.append(f"{rule}: box of {text!r} is {width_mm:.2f} mm wide, layout says {ours} mm (±2)")
        if abs(height_mm - MARK_HEIGHT_MM) > BOX_TOLERANCE_MM:
            out.append(f"{rule}: box of {text!r} is {height_mm:.2f} mm high (8 ± 2)")
        if text in URGENCY_MARKS and not is_red(box.colour):
            out.append(f"R37: box of {text!r} drawn in colour {box.colour}, not red")
        if box.x1 >= page_width / 2:
            out.append(f"{rule}: box of {text!r} reaches x1={box.x1:.1f}, right of the page centre {page_width / 2:.1f}")
        above = [doc.number] + doc.subject if doc.number else doc.subject
        if above and box.top < max(l.bottom for l in above):
            out.append(f"{rule}: box of {text!r} is not under the Số / V/v lines")


# --------------------------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def _val(element, attr="val"):
    return None if element is None else element.get(w(attr))


def _on(element) -> bool | None:
    """A toggle property (w:b, w:i, w:caps): None when absent."""
    if element is None:
        return None
    value = element.get(w("val"))
    return value not in ("0", "false", "off", "none")


class _Styles:
    """Style chains and document defaults, for effective run / paragraph properties."""

    def __init__(self, styles_el):
        self.by_id = {}
        self.default_para = None
        for style in styles_el.iter(w("style")) if styles_el is not None else []:
            sid = style.get(w("styleId"))
            self.by_id[sid] = style
            if style.get(w("type")) == "paragraph" and style.get(w("default")) in ("1", "true"):
                self.default_para = sid
        defaults = styles_el.find(w("docDefaults")) if styles_el is not None else None
        self.rpr_default = defaults.find(f"{w('rPrDefault')}/{w('rPr')}") if defaults is not None else None
        self.ppr_default = defaults.find(f"{w('pPrDefault')}/{w('pPr')}") if defaults is not None else None

    def chain(self, sid):
        seen = set()
        while sid and sid in self.by_id and sid not in seen:
            seen.add(sid)
            style = self.by_id[sid]
            yield style
            based = style.find(w("basedOn"))
            sid = _val(based)

    def para_style(self, p):
        ppr = p.find(w("pPr"))
        sid = _val(ppr.find(w("pStyle"))) if ppr is not None and ppr.find(w("pStyle")) is not None else None
        return sid or self.default_para

    def rpr_levels(self, r, p):
        """rPr elements from the most specific to the least."""
        rpr = r.find(w("rPr"))
        if rpr is not None:
            yield rpr
            rstyle = rpr.find(w("rStyle"))
            for style in self.chain(_val(rstyle)):
                if style.find(w("rPr")) is not None:
                    yield style.find(w("rPr"))
        for style in self.chain(self.para_style(p)):
            if style.find(w("rPr")) is not None:
                yield style.find(w("rPr"))
        if self.rpr_default is not None:
            yield self.rpr_default

    def ppr_levels(self, p):
        ppr = p.find(w("pPr"))
        if ppr is not None:
            yield ppr
        for style in self.chain(self.para_style(p)):
            if style.find(w("pPr")) is not None:
                yield style.find(w("pPr"))
        if self.ppr_default is not None:
            yield self.ppr_default


@dataclass
class DRun:
    text: str
    fonts: dict
    size: float | None
    bold: bool
    italic: bool
    colour: str | None
    caps: bool
    underline: bool


@dataclass
class DPara:
    el: object = field(repr=False)
    text: str
    runs: list
    jc: str | None
    left: int
    right: int
    first: int  # twips; negative for a hanging indent
    before: int
    after: int
    line: int | None
    line_rule: str | None
    borders: dict
    keep_next: bool
    styles: object = field(repr=False, default=None)

    @property
    def sizes(self) -> set:
        return {r.size for r in self.runs}

    @property
    def bold(self) -> bool:
        return bool(self.runs) and all(r.bold for r in self.runs)

    @property
    def any_bold(self) -> bool:
        return any(r.bold for r in self.runs)

    @property
    def italic(self) -> bool:
        return bool(self.runs) and all(r.italic for r in self.runs)

    @property
    def any_italic(self) -> bool:
        return any(r.italic for r in self.runs)

    @property
    def size(self) -> float | None:
        sizes = [s for s in self.sizes if s is not None]
        return max(sizes) if sizes else None

    @property
    def centred(self) -> bool:
        return self.jc == "center"


THEME_ATTRS = {"ascii": "asciiTheme", "hAnsi": "hAnsiTheme", "cs": "cstheme", "eastAsia": "eastAsiaTheme"}


def _run_props(r, p, styles: _Styles) -> DRun:
    text = "".join((t.text or "") for t in r.iter(w("t")))
    fonts, size, bold, italic, colour, caps, underline = {}, None, None, None, None, None, None
    for rpr in styles.rpr_levels(r, p):
        rfonts = rpr.find(w("rFonts"))
        if rfonts is not None:
            for attr in ("ascii", "hAnsi", "cs", "eastAsia"):
                if attr in fonts:
                    continue
                theme = rfonts.get(w(THEME_ATTRS[attr]))
                if theme:
                    fonts[attr] = f"theme:{theme}"
                elif rfonts.get(w(attr)):
                    fonts[attr] = rfonts.get(w(attr))
        if size is None and rpr.find(w("sz")) is not None:
            size = int(_val(rpr.find(w("sz")))) / 2
        if bold is None:
            bold = _on(rpr.find(w("b")))
        if italic is None:
            italic = _on(rpr.find(w("i")))
        if colour is None and rpr.find(w("color")) is not None:
            element = rpr.find(w("color"))
            colour = f"theme:{element.get(w('themeColor'))}" if element.get(w("themeColor")) else _val(element)
        if caps is None:
            caps = _on(rpr.find(w("caps"))) or _on(rpr.find(w("smallCaps")))
        if underline is None and rpr.find(w("u")) is not None:
            underline = _val(rpr.find(w("u"))) not in (None, "none")
    return DRun(text, fonts, size if size is not None else 10.0, bool(bold), bool(italic), colour, bool(caps),
                bool(underline))


def _para(p, styles: _Styles) -> DPara:
    def first_found(path, attr=None):
        for ppr in styles.ppr_levels(p):
            element = ppr.find(path)
            if element is not None and (attr is None or element.get(w(attr)) is not None):
                return element if attr is None else element.get(w(attr))
        return None

    jc = first_found(w("jc"), "val")
    ind = {}
    for attr, names in (("left", ("left", "start")), ("right", ("right", "end")), ("firstLine", ("firstLine",)),
                        ("hanging", ("hanging",))):
        for name in names:
            value = first_found(w("ind"), name)
            if value is not None:
                ind[attr] = int(value)
                break
    first = ind.get("firstLine", 0) - ind.get("hanging", 0) if "hanging" in ind else ind.get("firstLine", 0)
    spacing = {name: first_found(w("spacing"), name) for name in ("before", "after", "line", "lineRule")}
    borders = {}
    pbdr = p.find(f"{w('pPr')}/{w('pBdr')}")
    if pbdr is not None:
        for edge in pbdr:
            borders[edge.tag.split("}")[1]] = {
                "val": edge.get(w("val")), "sz": int(edge.get(w("sz")) or 0),
                "space": int(edge.get(w("space")) or 0), "color": edge.get(w("color"))}
    runs = [_run_props(r, p, styles) for r in p.iter(w("r"))]
    runs = [r for r in runs if r.text]
    keep = first_found(w("keepNext"))
    return DPara(
        el=p, text="".join(r.text for r in runs), runs=runs, jc=jc,
        left=ind.get("left", 0), right=ind.get("right", 0), first=first,
        before=int(spacing["before"] or 0), after=int(spacing["after"] or 0),
        line=int(spacing["line"]) if spacing["line"] else None, line_rule=spacing["lineRule"],
        borders=borders, keep_next=_on(keep) is True, styles=styles)


@dataclass
class DCell:
    el: object = field(repr=False)
    width: int  # twips
    inner: int  # width minus cell margins
    paras: list
    valign: str | None


@dataclass
class DocxLetter:
    document: object = field(repr=False)
    styles: _Styles = field(repr=False)
    sections: list  # sectPr elements
    header_rows: list = field(default_factory=list)  # list of [DCell, DCell]
    header_grid: list = field(default_factory=list)
    middle: list = field(default_factory=list)  # paragraphs between the two tables
    signature_cells: list = field(default_factory=list)
    signature_grid: list = field(default_factory=list)
    signature_row: object = None
    signature_tbl: object = None
    text_width: int = 0  # twips


def _cell_margins(tbl) -> tuple[int, int]:
    left = right = None
    mar = tbl.find(f"{w('tblPr')}/{w('tblCellMar')}")
    if mar is not None:
        for name, target in (("left", "left"), ("start", "left"), ("right", "right"), ("end", "right")):
            element = mar.find(w(name))
            if element is not None:
                value = int(element.get(w("w")) or 0)
                if target == "left":
                    left = value
                else:
                    right = value
    return (108 if left is None else left), (108 if right is None else right)


def _cells(tbl, tr, styles) -> list[DCell]:
    left, right = _cell_margins(tbl)
    grid = [int(c.get(w("w"))) for c in tbl.iter(w("gridCol"))]
    cells = []
    for index, tc in enumerate(tr.findall(w("tc"))):
        tcw = tc.find(f"{w('tcPr')}/{w('tcW')}")
        width = int(tcw.get(w("w"))) if tcw is not None and tcw.get(w("type")) in (None, "dxa") \
            else (grid[index] if index < len(grid) else 0)
        valign = tc.find(f"{w('tcPr')}/{w('vAlign')}")
        paras = [_para(p, styles) for p in tc.findall(w("p"))]
        cells.append(DCell(tc, width, width - left - right, paras, _val(valign)))
    return cells


def analyse_docx(data: bytes) -> DocxLetter:
    from docx import Document

    document = Document(io.BytesIO(data))
    styles = _Styles(document.styles.element)
    body = document.element.body
    sections = list(body.iter(w("sectPr")))
    doc = DocxLetter(document, styles, sections)
    sect = body.find(w("sectPr"))
    if sect is not None:
        size, mar = sect.find(w("pgSz")), sect.find(w("pgMar"))
        if size is not None and mar is not None:
            doc.text_width = int(size.get(w("w"))) - int(mar.get(w("left"))) - int(mar.get(w("right")))
    blocks = [child for child in body if child.tag in (w("p"), w("tbl"))]
    tables = [i for i, b in enumerate(blocks) if b.tag == w("tbl")]
    if not tables:
        doc.middle = [_para(b, styles) for b in blocks]
        return doc
    header = blocks[tables[0]]
    doc.header_grid = [int(c.get(w("w"))) for c in header.iter(w("gridCol"))]
    doc.header_rows = [_cells(header, tr, styles) for tr in header.findall(w("tr"))]
    end = len(blocks)
    if len(tables) > 1:
        sig = blocks[tables[-1]]
        doc.signature_tbl = sig
        doc.signature_grid = [int(c.get(w("w"))) for c in sig.iter(w("gridCol"))]
        rows = sig.findall(w("tr"))
        if rows:
            doc.signature_row = rows[0]
            doc.signature_cells = _cells(sig, rows[0], styles)
        end = tables[-1]
    doc.middle = [_para(b, styles) for b in blocks[tables[0] + 1:end] if b.tag == w("p")]
    return doc


def _header_part(document, sect, kind: str):
    for ref in sect.findall(w("headerReference")):
        if ref.get(w("type")) == kind:
            return document.part.related_parts[ref.get(f"{{{R_NS}}}id")].element
    return None


def _has_page_field(element) -> bool:
    instr = " ".join((t.text or "") for t in element.iter(w("instrText")))
    simple = " ".join(f.get(w("instr")) or "" for f in element.iter(w("fldSimple")))
    return bool(re.search(r"\bPAGE\b", instr + " " + simple))


def docx_xml_problems(data: bytes) -> list[str]:
    """X01: property elements that occur twice in one parent (the schema allows one; Word may
    refuse the file or read the wrong value)."""
    from lxml import etree
    import zipfile

    problems = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if not (name.startswith("word/") and name.endswith(".xml")):
                continue
            root = etree.fromstring(archive.read(name))
            for parent in ("tblPr", "pPr", "rPr", "tcPr", "sectPr", "tblGrid", "trPr"):
                for element in root.iter(w(parent)):
                    tags = [c.tag for c in element if c.tag not in (w("headerReference"), w("footerReference"),
                                                                      w("gridCol"))]
                    dupes = sorted({t.split("}")[1] for t in tags if tags.count(t) > 1})
                    if dupes:
                        problems.append(f"X01: {name}: <w:{parent}> holds duplicate {dupes}")
    unique = []
    for problem in problems:
        if problem not in unique:
            unique.append(problem)
    return unique


def _docx_runs_everywhere(doc: DocxLetter):
    """(paragraph, run) for every text run of the body and of every header/footer."""
    body = doc.document.element.body
    for p in body.iter(w("p")):
        para = _para(p, doc.styles)
        for run in para.runs:
            yield para, run, "body"
    for rel in doc.document.part.rels.values():
        if not rel.is_external and ("header" in rel.reltype or "footer" in rel.reltype):
            part = rel.target_part
            for p in part.element.iter(w("p")):
                para = _para(p, doc.styles)
                for run in para.runs:
                    yield para, run, part.partname


def check_docx(data: bytes, expect: Expect | None = None, layout=None) -> list[str]:
    """Every ND30 violation found in a rendered letter (DOCX bytes)."""
    doc = analyse_docx(data)
    out: list[str] = []
    _docx_page(doc, layout, out)
    _docx_text(doc, out)
    _docx_page_numbers(doc, layout, out)
    header_ok = _docx_header(doc, expect, layout, out)
    middle = _docx_title(doc, expect, out) if header_ok else doc.middle
    middle = _docx_recipients(doc, middle, expect, layout, out)
    _docx_body(doc, middle, expect, layout, out)
    _docx_signature(doc, expect, layout, out)
    return out


def _docx_page(doc: DocxLetter, layout, out):
    for index, sect in enumerate(doc.sections, start=1):
        size = sect.find(w("pgSz"))
        width, height = int(size.get(w("w"))), int(size.get(w("h")))
        if abs(width - A4_TWIPS[0]) > 5 or abs(height - A4_TWIPS[1]) > 5 or size.get(w("orient")) == "landscape":
            out.append(f"R01: section {index} page {width} × {height} twips "
                       f"(orient {size.get(w('orient'))}), not A4 portrait 11906 × 16838")
        mar = sect.find(w("pgMar"))
        for side in ("top", "bottom", "left", "right"):
            value = abs(int(mar.get(w(side))))
            low, high = (round(v * TWIPS_PER_MM) for v in MARGINS_MM[side])
            if not low - 2 <= value <= high + 2:
                out.append(f"R02: {side} margin {value} twips = {value / TWIPS_PER_MM:.2f} mm "
                           f"(ND30 {MARGINS_MM[side][0]:g}–{MARGINS_MM[side][1]:g} mm)")
            if layout:
                want = getattr(layout, f"MARGIN_{side.upper()}") * TWIPS_PER_MM
                if abs(value - want) > 2:
                    out.append(f"R02: {side} margin {value} twips, layout says {want:.0f}")
        header = int(mar.get(w("header")) or 0)
        if header >= int(mar.get(w("top"))):
            out.append(f"R07: header distance {header} twips not inside the top margin {mar.get(w('top'))}")


def _docx_text(doc: DocxLetter, out):
    fonts_bad, colours_bad, nfc_bad, caps_bad = {}, {}, None, set()
    for para, run, _part in _docx_runs_everywhere(doc):
        for attr in ("ascii", "hAnsi", "cs"):
            name = run.fonts.get(attr)
            if name != "Times New Roman":
                fonts_bad.setdefault((attr, name), run.text[:30])
        red_ok = squash(para.text) in URGENCY_MARKS
        colour = (run.colour or "auto").upper()
        if colour not in ("AUTO", "000000") and not (red_ok and _hex_red(colour)):
            colours_bad.setdefault(colour, run.text[:30])
        if nfc(run.text) != run.text and nfc_bad is None:
            nfc_bad = run.text[:40]
        if run.caps:
            caps_bad.add(para.text[:30])
    for (attr, name), sample in fonts_bad.items():
        out.append(f"R03: run {sample!r} has rFonts {attr}={name!r}, not 'Times New Roman'")
    for colour, sample in colours_bad.items():
        out.append(f"R04: run {sample!r} in colour {colour}; only the urgency mark may be red")
    if nfc_bad:
        out.append(f"R05: text not NFC: {nfc_bad!r}")
    for text in sorted(caps_bad):
        out.append(f"R45: {text!r} uses w:caps/w:smallCaps instead of real capitals")
    for font in doc.document.part.element.iter(w("rFonts")):
        for value in font.attrib.values():
            if re.match(r"^(\.Vn|VNI-|VN-)", value):
                out.append(f"R05: legacy Vietnamese font {value!r}")


def _hex_red(colour: str) -> bool:
    try:
        r, g, b = int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)
    except ValueError:
        return False
    return r >= 0xC0 and g <= 0x40 and b <= 0x40


def _docx_page_numbers(doc: DocxLetter, layout, out):
    if not doc.sections:
        out.append("R01: no section properties")
        return
    sect = doc.sections[0]
    title = sect.find(w("titlePg"))
    if title is None or _on(title) is False:
        out.append("R06: section 1 has no 'different first page' (w:titlePg): page 1 would show its number")
    first = _header_part(doc.document, sect, "first")
    if first is not None and _has_page_field(first):
        out.append("R06: the first-page header holds a PAGE field")
    default = _header_part(doc.document, sect, "default")
    if default is None:
        out.append("R07: no default header: pages ≥ 2 show no number")
        return
    paras = [_para(p, doc.styles) for p in default.iter(w("p"))]
    numbered = [p for p in paras if _has_page_field(p.el)]
    if not numbered:
        out.append("R07: the default header has no PAGE field")
        return
    para = numbered[0]
    if para.jc != "center":
        out.append(f"R07: page-number paragraph alignment {para.jc!r}, not centred")
    if abs(para.left - para.right) > 20:
        out.append(f"R07: page-number paragraph indents {para.left}/{para.right} twips put it off centre")
    runs = [_run_props(r, para.el, doc.styles) for r in para.el.iter(w("r"))]
    for run in runs:
        if not _range(run.size, 13, 14):
            out.append(f"R07: page-number run size {_fmt(run.size)} pt (13–14)")
            break
        if run.bold or run.italic:
            out.append("R07: page number bold/italic")
            break
        if layout and not _near(run.size, layout.SIZE["page_number"], SIZE_TOL):
            out.append(f"R07: page-number size {run.size}, layout says {layout.SIZE['page_number']}")
            break
    numtype = sect.find(w("pgNumType"))
    if numtype is not None:
        if numtype.get(w("fmt")) not in (None, "decimal"):
            out.append(f"R07: page numbers in format {numtype.get(w('fmt'))!r}, not Arabic")
        if numtype.get(w("start")) not in (None, "1"):
            out.append(f"R07: page numbering starts at {numtype.get(w('start'))}")
    mar = sect.find(w("pgMar"))
    size = max((r.size for r in runs), default=14)
    if int(mar.get(w("header")) or 0) + 1.15 * size * 20 > int(mar.get(w("top"))):
        out.append("R07: the page number line does not fit inside the top margin")


def _cell_text_paras(cell: DCell) -> list[DPara]:
    return [p for p in cell.paras if p.text.strip()]


def _rule_after(paras: list[DPara], index: int) -> DPara | None:
    """The empty bottom-bordered paragraph right after paras[index] (a drawn rule)."""
    if index + 1 < len(paras):
        candidate = paras[index + 1]
        if not candidate.text.strip() and candidate.borders.get("bottom"):
            return candidate
    return None


def _rule_length(rule: DPara, inner: int) -> float:
    """Length in points of a paragraph bottom border spanning the paragraph's text width."""
    return (inner - rule.left - rule.right) / 20


def _docx_header(doc: DocxLetter, expect: Expect | None, layout, out) -> bool:
    rows = doc.header_rows
    if not rows or len(rows[0]) < 2:
        out.append("R08: the letter does not start with a two-column header table")
        return False
    # Locate the Số row.
    number_row = None
    for index, row in enumerate(rows):
        texts = _cell_text_paras(row[0])
        if texts and re.match(r"^Số\s*:", texts[0].text):
            number_row = index
            break
    left0, right0 = rows[0][0], rows[0][1]
    # R08 / R09 / R10 in the right cell of row 1.
    rparas = right0.paras
    qh_index = next((i for i, p in enumerate(rparas) if p.text.strip()), None)
    if qh_index is None:
        out.append("R08: no Quốc hiệu in the right header cell")
    else:
        qh = rparas[qh_index]
        if norm(qh.text) != QUOC_HIEU:
            out.append(f"R08: Quốc hiệu reads {qh.text!r}")
        if not qh.bold:
            out.append("R08: Quốc hiệu not bold")
        if qh.size is None or not _range(qh.size, 12, 13):
            out.append(f"R08: Quốc hiệu size {qh.size} pt (12–13)")
        if not qh.centred:
            out.append(f"R08: Quốc hiệu alignment {qh.jc!r}, not centred")
        if qh.text != qh.text.upper():
            out.append("R45: Quốc hiệu is not upper-case text")
        if qh.size and text_width_pt(qh.text, qh.size, True) > (right0.inner - qh.left - qh.right) / 20:
            out.append(f"R08: Quốc hiệu ({text_width_pt(qh.text, qh.size, True) / MM:.1f} mm) does not fit on one "
                       f"line of the right column ({(right0.inner - qh.left - qh.right) / 20 / MM:.1f} mm)")
        if qh_index + 1 >= len(rparas) or not rparas[qh_index + 1].text.strip():
            out.append("R09: the paragraph right after the Quốc hiệu is not the Tiêu ngữ")
        else:
            tn = rparas[qh_index + 1]
            if nfc(tn.text) != TIEU_NGU:
                out.append(f"R09: Tiêu ngữ reads {tn.text!r}")
            if not tn.bold:
                out.append("R09: Tiêu ngữ not bold")
            if tn.size is None or not _range(tn.size, 13, 14):
                out.append(f"R09: Tiêu ngữ size {tn.size} pt (13–14)")
            if not tn.centred:
                out.append("R09: Tiêu ngữ not centred")
            rule = _rule_after(rparas, qh_index + 1)
            if rule is None:
                out.append("R10: no bordered line paragraph right under the Tiêu ngữ")
            else:
                edge = rule.borders["bottom"]
                if edge["val"] != "single":
                    out.append(f"R10: line under the motto is {edge['val']!r}, not a single solid line")
                motto = text_width_pt(tn.text, tn.size or 14, True)
                length = _rule_length(rule, right0.inner)
                ratio = length / motto
                if not 0.9 <= ratio <= 1.1:
                    out.append(f"R10: line under the motto {length / MM:.2f} mm, motto {motto / MM:.2f} mm "
                               f"(ratio {ratio:.3f}, 0.9–1.1)")
                if abs(rule.left - rule.right) > 80:
                    out.append(f"R10: line under the motto off centre (indents {rule.left}/{rule.right})")
                if (edge["color"] or "000000").upper() not in ("AUTO", "000000"):
                    out.append(f"R04: line under the motto in colour {edge['color']}")
    # R12 / R13 in the left cell of row 1.
    lparas = left0.paras
    texts = [(i, p) for i, p in enumerate(lparas) if p.text.strip()]
    superior = [p for i, p in texts if not p.any_bold]
    agency = [p for i, p in texts if p.any_bold]
    if not agency:
        out.append("R12: no bold issuing-agency line in the left header cell")
    if superior and agency and lparas.index(superior[-1]) > lparas.index(agency[0]):
        out.append("R12: superior agency line below the issuing agency")
    for para in superior + agency:
        if not is_caps(para.text) or para.text != para.text.upper():
            out.append(f"R12: agency line {para.text!r} is not upper case")
        if para.size is None or not _range(para.size, 12, 13):
            out.append(f"R12: agency line {para.text!r} size {para.size} pt (12–13)")
        if not para.centred:
            out.append(f"R12: agency line {para.text!r} not centred")
        if para in agency and not para.bold:
            out.append(f"R12: issuing agency line {para.text!r} not bold throughout")
    if expect and expect.agency_lines is not None:
        if [norm(p.text) for p in agency] != [norm(t) for t in expect.agency_lines]:
            out.append(f"R12: issuing agency reads {[p.text for p in agency]}, letter says {expect.agency_lines}")
        if [norm(p.text) for p in superior] != [norm(t) for t in expect.superior_lines or []]:
            out.append(f"R12: superior agency reads {[p.text for p in superior]}, letter says {expect.superior_lines}")
    if agency:
        last = lparas.index(agency[-1])
        rule = _rule_after(lparas, last)
        if rule is None:
            out.append("R13: no bordered line paragraph right under the issuing agency")
        else:
            widths = [max(wrapped_widths(p.text, p.size or 13, (left0.inner - p.left - p.right) / 20, True))
                      for p in agency]
            name = max(widths)
            length = _rule_length(rule, left0.inner)
            ratio = length / name
            if not 0.31 <= ratio <= 0.52:
                out.append(f"R13: line under the agency {length / MM:.2f} mm for a name line of {name / MM:.2f} mm: "
                           f"ratio {ratio:.3f}, must be 1/3–1/2")
            if abs(rule.left - rule.right) > 80:
                out.append(f"R13: agency line off centre (indents {rule.left}/{rule.right})")
    # Column widths (R46) — the exporter's values, and the Quốc hiệu must fit (checked above).
    if layout and len(doc.header_grid) >= 2:
        for got, want, name in zip(doc.header_grid, (layout.HEADER_LEFT, layout.HEADER_RIGHT), ("left", "right")):
            if abs(got - want * TWIPS_PER_MM) > 3:
                out.append(f"R46: header {name} column {got} twips = {got / TWIPS_PER_MM:.1f} mm, layout says {want} mm")
        for cell, want in zip(rows[0], (layout.HEADER_LEFT, layout.HEADER_RIGHT)):
            if abs(cell.width - want * TWIPS_PER_MM) > 3:
                out.append(f"R46: header cell width {cell.width} twips, layout says {want} mm")
    if number_row is None:
        out.append("R14: no 'Số:' paragraph in the left header column")
        return True
    row = rows[number_row]
    numbers = _cell_text_paras(row[0])
    num = numbers[0]
    if num.size is None or not _near(num.size, 13, SIZE_TOL):
        out.append(f"R14: Số line size {num.size} pt (13)")
    if num.any_bold or num.any_italic:
        out.append("R14: Số line bold/italic")
    if not num.centred:
        out.append("R14: Số line not centred under the agency")
    _check_number_line(num.text, expect, out)
    if expect and expect.number_line is not None and not _same(num.text, expect.number_line):
        out.append(f"R14: Số line reads {num.text!r}, letter says {expect.number_line!r}")
    dates = _cell_text_paras(row[1]) if len(row) > 1 else []
    if not dates:
        out.append("R18: the place/date line is not in the Số line's table row")
    else:
        dat = dates[0]
        _check_date_text(dat.text, expect, out)
        if not dat.italic:
            out.append("R17: place/date line not italic")
        if dat.size is None or not _range(dat.size, 13, 14):
            out.append(f"R17: place/date size {dat.size} pt (13–14)")
        if not dat.centred:
            out.append("R17: place/date line not centred")
        inner = (row[1].inner - dat.left - dat.right) / 20
        width = text_width_pt(dat.text, dat.size or 14, italic=True)
        if width > inner:
            out.append(f"R17: place/date line {width / MM:.1f} mm does not fit on one line of its "
                       f"{inner / MM:.1f} mm column: it wraps")
        if expect and expect.date_line is not None and not _same(dat.text, expect.date_line):
            out.append(f"R17: date line reads {dat.text!r}, letter says {expect.date_line!r}")
        if row[0].paras[0] is not num or row[1].paras[0] is not dat:
            out.append("R18: Số and date are not the first lines of their cells in the row")
        if abs(num.before - dat.before) > 40 or (row[0].valign or "top") != (row[1].valign or "top"):
            out.append(f"R18: Số (space before {num.before / 20} pt) and date ({dat.before / 20} pt) "
                       "do not start on the same line")
    # R20 (công văn) and the marks in the left column under Số.
    below = []
    after_num = False
    for r_index in range(number_row, len(rows)):
        for para in rows[r_index][0].paras:
            if para is num:
                after_num = True
                continue
            if after_num:
                below.append(para)
    below_text = [p for p in below if p.text.strip()]
    marks = [p for p in below_text if squash(p.text) in URGENCY_MARKS or squash(p.text) == DRAFT_MARK]
    subject = [p for p in below_text if p not in marks]
    named = expect.named if expect else False
    if not named:
        if not subject or not subject[0].text.startswith("V/v "):
            out.append(f"R20: no 'V/v …' paragraph under Số (found {[p.text[:20] for p in subject]})")
        else:
            vv = subject[0]
            if vv.size is None or not _range(vv.size, 12, 13):
                out.append(f"R20: V/v size {vv.size} pt (12–13)")
            if vv.any_bold or vv.any_italic:
                out.append("R20: V/v bold/italic")
            if not vv.centred:
                out.append("R20: V/v not centred under Số")
            gap = (num.after + vv.before) / 20
            if not 4 <= gap <= 8:
                out.append(f"R20: {gap} pt between Số and V/v (6 ± 2)")
            if expect and expect.subject_line is not None and not _same(vv.text, expect.subject_line):
                out.append(f"R20: V/v reads {vv.text!r}, letter says {expect.subject_line!r}")
        if any(squash(p.text) == "CÔNG VĂN" for p in doc.middle):
            out.append("R20: a công văn must not print a 'CÔNG VĂN' title")
    elif subject:
        out.append(f"R21: unexpected header text under Số: {[p.text[:30] for p in subject]}")
    _docx_marks(marks, rows[number_row][0], expect, layout, out)
    return True


def _docx_marks(marks: list[DPara], cell: DCell, expect: Expect | None, layout, out):
    texts = [squash(p.text) for p in marks]
    urgent = [t for t in texts if t in URGENCY_MARKS]
    if expect and expect.check_urgency:
        want = [expect.urgency] if expect.urgency else []
        if urgent != want:
            out.append(f"R37: urgency marks {urgent}, expected {want}")
    if expect and expect.draft is not None:
        if expect.draft and DRAFT_MARK not in texts:
            out.append("DRAFT: no boxed 'DỰ THẢO' mark on a draft")
        if not expect.draft and DRAFT_MARK in texts:
            out.append("DRAFT: 'DỰ THẢO' printed on a letter that is not a draft")
    for para in marks:
        text = squash(para.text)
        rule = "R37" if text in URGENCY_MARKS else "DRAFT"
        if not para.bold:
            out.append(f"{rule}: mark {text!r} not bold")
        if para.size is None or not _range(para.size, 13, 14):
            out.append(f"{rule}: mark {text!r} size {para.size} pt (13–14)")
        sides = [para.borders.get(s, {}).get("val") for s in ("top", "left", "bottom", "right")]
        if sides != ["single"] * 4:
            out.append(f"{rule}: mark {text!r} borders {sides}, not a single-line box")
            continue
        edge = para.borders["left"]
        extra = 2 * (edge["space"] + edge["sz"] / 8)  # border spacing and width, both sides (points)
        width_mm = ((cell.inner - para.left - para.right) / 20 + extra) / MM
        legal = URGENCY_MARKS.get(text)
        ours = None
        if layout:
            ours = next((w_ for t, w_ in layout.URGENCY_BOXES.values() if t == text), None) \
                if text in URGENCY_MARKS else layout.DRAFT_BOX[1]
        if legal and abs(width_mm - legal) > BOX_TOLERANCE_MM:
            out.append(f"R37: box of {text!r} is {width_mm:.2f} mm wide, ND30 says {legal} mm (±2)")
        if ours and abs(width_mm - ours) > BOX_TOLERANCE_MM:
            out.append(f"{rule}: box of {text!r} is {width_mm:.2f} mm wide, layout says {ours} mm (±2)")
        if para.line_rule == "exact" and para.line:
            top, bottom = para.borders["top"], para.borders["bottom"]
            height = (para.line / 20 + top["space"] + top["sz"] / 8 + bottom["space"] + bottom["sz"] / 8) / MM
            if abs(height - MARK_HEIGHT_MM) > BOX_TOLERANCE_MM:
                out.append(f"{rule}: box of {text!r} is {height:.2f} mm high (8 ± 2)")
        if text in URGENCY_MARKS:
            colours = {(r.colour or "auto").upper() for r in para.runs}
            if not all(_hex_red(c) for c in colours):
                out.append(f"R37: urgency mark {text!r} text colour {sorted(colours)} is not red")
            if not all(_hex_red((para.borders[s]["color"] or "000000").upper()) for s in ("top", "left", "bottom", "right")):
                out.append(f"R37: urgency box of {text!r} not red")


def _docx_title(doc: DocxLetter, expect: Expect | None, out) -> list[DPara]:
    """R21 for named types; returns the paragraphs after the title block."""
    middle = list(doc.middle)
    named = expect.named if expect else False
    first = next((p for p in middle if p.text.strip()), None)
    if not named:
        if first is not None and squash(first.text) in DOC_TYPE_NAMES.values():
            out.append(f"R20: công văn prints a type name {first.text!r}")
        return middle
    want = expect.type_name or DOC_TYPE_NAMES.get(expect.doc_type)
    if first is None or squash(first.text) != want:
        out.append(f"R21: first paragraph after the header is {first.text if first else None!r}, expected {want!r}")
        return middle
    index = middle.index(first)
    if not is_caps(first.text) or first.text != first.text.upper():
        out.append("R21: type name not upper-case text")
    if not first.bold:
        out.append("R21: type name not bold")
    if first.size is None or not _range(first.size, 13, 14):
        out.append(f"R21: type name size {first.size} pt (13–14)")
    if not first.centred:
        out.append("R21: type name not centred")
    summary = []
    index += 1
    while index < len(middle) and middle[index].text.strip():
        summary.append(middle[index])
        index += 1
    if not summary:
        out.append("R21: no summary paragraph under the type name")
        return middle[index:]
    for para in summary:
        if not para.bold:
            out.append(f"R21: summary {para.text[:30]!r} not bold")
        if para.size is None or not _range(para.size, 13, 14):
            out.append(f"R21: summary size {para.size} pt (13–14)")
        if not para.centred:
            out.append("R21: summary not centred")
    if is_caps(" ".join(p.text for p in summary)):
        out.append("R21: summary all caps (normal case expected)")
    if expect.summary is not None and not _same(" ".join(p.text for p in summary), expect.summary):
        out.append(f"R21: summary reads {[p.text for p in summary]}, letter says {expect.summary!r}")
    rule = middle[index] if index < len(middle) and middle[index].borders.get("bottom") else None
    if rule is None:
        out.append("R21: no bordered line paragraph under the summary")
        return middle[index:]
    available = doc.text_width / 20
    line = max(max(wrapped_widths(p.text, p.size or 14, (doc.text_width - p.left - p.right) / 20, True))
               for p in summary)
    length = (doc.text_width - rule.left - rule.right) / 20
    ratio = length / line
    if not 0.31 <= ratio <= 0.52:
        out.append(f"R21: line under the summary {length / MM:.2f} mm for a summary line of {line / MM:.2f} mm "
                   f"(ratio {ratio:.3f}, 1/3–1/2; text width {available / MM:.1f} mm)")
    if abs(rule.left - rule.right) > 80:
        out.append("R21: line under the summary off centre")
    return middle[index + 1:]


def _docx_recipients(doc: DocxLetter, middle: list[DPara], expect: Expect | None, layout, out) -> list[DPara]:
    paras = [p for p in middle if p.text.strip()]
    want_label = expect.recipients_label if expect else None
    cong_van = (expect.doc_type if expect else "cong_van") == "cong_van"
    if not paras or not (paras[0].text.startswith(want_label or "Kính gửi") or paras[0].text.rstrip().endswith("điện:")):
        if cong_van or want_label:
            out.append(f"R22: no '{want_label or 'Kính gửi'}:' paragraph after the header")
        return paras
    label = paras[0]
    rest = paras[1:]
    block = [label]
    text = squash(label.text)
    if layout and abs(label.left + label.first - layout.KINH_GUI_INDENT * TWIPS_PER_MM) > 20:
        out.append(f"R22: label starts {(label.left + label.first) / TWIPS_PER_MM:.1f} mm from the margin, "
                   f"layout says {layout.KINH_GUI_INDENT} mm")
    items = []
    if text.endswith(":"):
        while rest and rest[0].text.startswith("- "):
            block.append(rest[0])
            items.append(rest.pop(0))
        if text.startswith("Kính gửi") and len(items) < 2:
            out.append(f"R22: 'Kính gửi:' alone but {len(items)} addressee paragraph(s) follow")
        for index, item in enumerate(items):
            last = index == len(items) - 1
            if not re.fullmatch(r"- .+" + (r"\." if last else ";"), item.text):
                out.append(f"R22: addressee {item.text!r} should read '- …{'.' if last else ';'}'")
        starts = {p.left + p.first for p in items}
        if starts and max(starts) - min(starts) > 20:
            out.append(f"R22: addressee dashes not aligned (first-line positions {sorted(starts)} twips)")
        names = [p.text for p in items]
    else:
        if text.startswith("Kính gửi") and not re.fullmatch(r"Kính gửi: \S.*", text):
            out.append(f"R22: single addressee paragraph reads {text!r}")
        names = [text.split(":", 1)[1].strip()] if ":" in text else []
    if text.startswith("Kính gửi") and not text.startswith("Kính gửi:"):
        out.append("R22: 'Kính gửi' lacks the colon")
    for para in block:
        if para.size is None or not _range(para.size, 13, 14):
            out.append(f"R22: recipients paragraph {para.text[:30]!r} size {para.size} pt (13–14)")
            break
        if para.any_bold or para.any_italic:
            out.append(f"R22: recipients paragraph {para.text[:30]!r} bold/italic")
            break
    if expect and expect.recipients is not None and [norm(n) for n in names] != [norm(r) for r in expect.recipients]:
        out.append(f"R22: addressees read {names}, letter says {expect.recipients}")
    return rest


def _docx_body(doc: DocxLetter, paras: list[DPara], expect: Expect | None, layout, out):
    paras = [p for p in paras if p.text.strip()]
    if not paras:
        out.append("R23: no body paragraphs")
        return
    quyet_dinh = expect is not None and expect.doc_type == "quyet_dinh"
    sizes = set()
    for para in paras:
        label = para.text[:40]
        if para.jc != "both":
            out.append(f"R23: body paragraph {label!r} alignment {para.jc!r}, not justified")
        indent_mm = para.first / TWIPS_PER_MM
        if not (abs(para.first - 567) <= 10 or abs(para.first - 720) <= 10):
            out.append(f"R24: body paragraph {label!r} first-line indent {para.first} twips = {indent_mm:.2f} mm "
                       "(10 or 12.7 mm)")
        elif layout and abs(para.first - layout.BODY_FIRST_LINE_INDENT * TWIPS_PER_MM) > 10:
            out.append(f"R24: first-line indent {indent_mm:.2f} mm, layout says {layout.BODY_FIRST_LINE_INDENT}")
        if para.left != 0 or para.right != 0:
            out.append(f"R24: body paragraph {label!r} has side indents {para.left}/{para.right} twips")
        sizes |= {r.size for r in para.runs}
        basis = quyet_dinh and re.match(r"^(Căn cứ|Theo đề nghị)", para.text)
        heading = expect is not None and expect.bold_headings and HEADING_RE.match(para.text) and para.bold
        if (para.any_bold and not heading) or (para.any_italic and not basis):
            out.append(f"R25: body paragraph {label!r} has bold/italic runs")
        size = para.size or 14
        if para.line_rule in (None, "auto"):
            factor = (para.line or 240) / 240
            if not 1.0 - 0.001 <= factor <= 1.5 + 0.001:
                out.append(f"R27: line spacing {factor:.2f} lines in {label!r} (1.0–1.5)")
            elif layout and abs(factor - layout.LINE_SPACING) > 0.01:
                out.append(f"R27: line spacing {factor:.2f}, layout says {layout.LINE_SPACING}")
        else:
            points = (para.line or 0) / 20
            if not 1.15 * size - 0.5 <= points <= 1.5 * 1.15 * size + 0.5:
                out.append(f"R27: line spacing {para.line_rule} {points} pt in {label!r}")
    if any(not _range(s, 13, 14) for s in sizes) or len(sizes) > 1:
        out.append(f"R25: body sizes {sorted(sizes)} pt (one size, 13–14)")
    elif layout and not _near(next(iter(sizes)), layout.SIZE["body"], SIZE_TOL):
        out.append(f"R25: body size {sizes}, layout says {layout.SIZE['body']}")
    for a, b in zip(paras, paras[1:]):
        gap = (a.after + b.before) / 20
        if gap < 6:
            out.append(f"R26: {gap} pt between body paragraphs {a.text[-20:]!r} → {b.text[:20]!r} (≥ 6)")
        elif layout and abs(b.before / 20 - layout.PARAGRAPH_SPACE_BEFORE) > 0.1:
            out.append(f"R26: space before {b.before / 20} pt, layout says {layout.PARAGRAPH_SPACE_BEFORE}")
    if not paras[-1].text.rstrip().endswith("./."):
        out.append(f"R28: last body paragraph ends {paras[-1].text[-20:]!r}, not './.'")
    if expect and expect.body is not None and [norm(p.text) for p in paras] != [norm(t) for t in expect.body]:
        out.append(f"TXT: body has {len(paras)} paragraphs differing from the letter's {len(expect.body)}")
    if quyet_dinh:
        _check_basis([(p.text, p.italic) for p in paras], out)


def _docx_signature(doc: DocxLetter, expect: Expect | None, layout, out):
    cells = doc.signature_cells
    if len(cells) < 2:
        out.append("R34: no two-column signature table (Nơi nhận | signature) at the end")
        return
    left, right = cells[0], cells[1]
    lparas = [p for p in left.paras if p.text.strip()]
    rparas = [p for p in right.paras if p.text.strip()]
    if doc.signature_row is not None and doc.signature_row.find(f"{w('trPr')}/{w('cantSplit')}") is None:
        out.append("R31: the signature row may split across pages (no w:cantSplit)")
    if not lparas or squash(lparas[0].text) != "Nơi nhận:":
        out.append(f"R34: first paragraph of the left signature cell is {lparas[0].text if lparas else None!r}")
        return
    label = lparas[0]
    if label.size is None or not _near(label.size, 12, SIZE_TOL):
        out.append(f"R34: 'Nơi nhận:' size {label.size} pt (12)")
    if not (label.bold and label.italic):
        out.append("R34: 'Nơi nhận:' not bold italic")
    if label.jc not in (None, "left", "start", "both"):
        out.append(f"R34: 'Nơi nhận:' alignment {label.jc!r}")
    tbl_ind = doc.signature_tbl.find(f"{w('tblPr')}/{w('tblInd')}") if doc.signature_tbl is not None else None
    offset = (int(tbl_ind.get(w("w")) or 0) if tbl_ind is not None else 0) + _cell_margins(doc.signature_tbl)[0] \
        + label.left + label.first
    if offset > 1 * TWIPS_PER_MM or offset < -20:
        out.append(f"R34: 'Nơi nhận:' is {offset / TWIPS_PER_MM:.2f} mm from the left margin (flush left, ≤ 1 mm)")
    for cell in (left, right):
        if cell.valign not in (None, "top"):
            out.append(f"R34: signature cell vertical alignment {cell.valign!r}, not top")
    # R31 / R32 / R33
    want_name = expect.signer_name if expect else None
    name = rparas[-1] if rparas and not is_caps(rparas[-1].text) else None
    positions = rparas[:-1] if name else rparas
    if not positions:
        out.append("R31: no authority/position paragraphs in the signature cell")
    else:
        if abs(label.before - positions[0].before) > 60 or right.paras[0] is not positions[0]:
            out.append(f"R34: 'Nơi nhận:' (space before {label.before / 20} pt) and the first authority line "
                       f"({positions[0].before / 20} pt) do not start level")
        for para in positions:
            if not is_caps(para.text) or para.text != para.text.upper():
                out.append(f"R31: position line {para.text!r} not upper case")
            if not para.bold:
                out.append(f"R31: position line {para.text!r} not bold")
            if para.size is None or not _range(para.size, 13, 14):
                out.append(f"R31: position line {para.text!r} size {para.size} pt (13–14)")
            if not para.centred:
                out.append(f"R31: position line {para.text!r} not centred")
        _check_signature_grammar([squash(p.text) for p in positions], out)
        if expect and expect.signature_lines is not None and \
                [norm(p.text) for p in positions] != [norm(s) for s in expect.signature_lines]:
            out.append(f"R31: signature lines read {[p.text for p in positions]}, letter says {expect.signature_lines}")
    if want_name == "":
        if name is not None:
            out.append(f"R32: a name {name.text!r} is printed for a letter without signer name")
    elif name is None:
        out.append("R32: no signer name in the signature cell")
    else:
        if not name.bold:
            out.append("R32: signer name not bold")
        if name.size is None or not _range(name.size, 13, 14):
            out.append(f"R32: signer name size {name.size} pt (13–14)")
        if not name.centred:
            out.append("R32: signer name not centred")
        if ACADEMIC_RE.match(name.text):
            out.append(f"R32: academic title before {name.text!r}")
        if want_name and not _same(name.text, want_name):
            out.append(f"R32: signer name reads {name.text!r}, letter says {want_name!r}")
        if positions:
            all_paras = right.paras
            start, end = all_paras.index(positions[-1]), all_paras.index(name)
            gap = positions[-1].after / 20 + name.before / 20
            for para in all_paras[start + 1:end]:
                gap += para.before / 20 + para.after / 20 + 1.15 * (para.size or 14)
            need = 3 * 1.15 * (name.size or 14)
            if gap < need:
                out.append(f"R33: {gap:.1f} pt between the position and the name (≥ 3 lines = {need:.1f} pt)")
    # R35 / R36
    items = [p for p in lparas[1:]]
    for para in items:
        if para.size is None or not _near(para.size, 11, SIZE_TOL):
            out.append(f"R35: Nơi nhận line {para.text!r} size {para.size} pt (11)")
            break
        if para.any_bold or para.any_italic:
            out.append(f"R35: Nơi nhận line {para.text!r} bold/italic")
            break
    _check_cc_items([p.text for p in items], expect, out)
    if layout and len(doc.signature_grid) >= 2:
        for got, want in zip(doc.signature_grid, (layout.SIGNATURE_LEFT, layout.SIGNATURE_RIGHT)):
            if abs(got - want * TWIPS_PER_MM) > 3:
                out.append(f"R46: signature column {got} twips, layout says {want} mm")
