"""The letter as PDF: an HTML template (templates/letters/letter.html) with a static stylesheet
(static/letters/letter.css), printed by WeasyPrint with the embedded letter font. A report's appendix
(Phụ lục) is drawn by appendix_pdf.py and its pages joined after the letter's (pypdf).

The stylesheet holds no numbers: they come from layout.py as CSS custom properties, so the PDF
and the DOCX share one set of measurements.
"""
import atexit
import io
import threading
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.documents import layout as L
from app.documents.fonts import font_files, postscript_name
from app.documents.geometry import geometry
from app.documents.letter import Letter
from app.text import xml_safe

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATE_DIR = ROOT / "templates"
STYLESHEET = ROOT / "static" / "letters" / "letter.css"
FAMILY = "Letter Serif"  # private to the stylesheet, so fontconfig never swaps in an installed font
# WeasyPrint names an embedded font after the CSS family and style ("Letter-Serif-Bold"): a receiving
# office could not tell what font that is, so the finisher renames each font to its own PostScript name.
PANGO_STYLES = {("normal", "normal"): "", ("bold", "normal"): "-Bold", ("normal", "italic"): "-Italic",
                ("bold", "italic"): "-Bold-Italic"}
# WeasyPrint shares font state (fontconfig, Pango) between calls: one rendering at a time per process.
_RENDER_LOCK = threading.Lock()


def _mm(value: float) -> str:
    return f"{value:.2f}mm"


@lru_cache(maxsize=2)
def layout_css(font_dir: str | None = None) -> str:
    """@font-face rules, the page box and every measurement, from layout.py."""
    faces = "\n".join(
        f'@font-face {{ font-family: "{FAMILY}"; src: url("{path.as_uri()}"); '
        f"font-weight: {weight}; font-style: {style}; }}"
        for (weight, style), path in font_files(font_dir).items()
    )
    sizes = "\n".join(f"  --size-{name.replace('_', '-')}: {size}pt;" for name, size in L.SIZE.items())
    return f"""{faces}
@page {{
  size: {_mm(L.PAGE_WIDTH)} {_mm(L.PAGE_HEIGHT)};
  margin: {_mm(L.MARGIN_TOP)} {_mm(L.MARGIN_RIGHT)} {_mm(L.MARGIN_BOTTOM)} {_mm(L.MARGIN_LEFT)};
  @top-center {{
    content: counter(page); font-family: "{FAMILY}"; font-size: {L.SIZE['page_number']}pt;
    vertical-align: top; padding-top: {_mm(L.HEADER_DISTANCE - L.pt_to_mm(L.SIZE['page_number']) / 2)};
  }}
}}
@page :first {{ @top-center {{ content: none; }} }}
:root {{
  --font: "{FAMILY}";
  --header-left: {_mm(L.HEADER_LEFT)}; --header-right: {_mm(L.HEADER_RIGHT)};
  --signature-left: {_mm(L.SIGNATURE_LEFT)}; --signature-right: {_mm(L.SIGNATURE_RIGHT)};
  --text-width: {_mm(L.TEXT_WIDTH)};
  --first-line-indent: {_mm(L.BODY_FIRST_LINE_INDENT)};
  --paragraph-space: {L.PARAGRAPH_SPACE_BEFORE}pt;
  --block-space: {L.BLOCK_SPACE_BEFORE}pt;
  --number-row-space: {L.NUMBER_ROW_SPACE_BEFORE}pt;
  --subject-space: {L.SUBJECT_SPACE_BEFORE}pt;
  --title-space: {L.TITLE_SPACE_BEFORE}pt;
  --mark-space: {L.MARK_SPACE_BEFORE}pt;
  --mark-height: {_mm(L.MARK_HEIGHT)};
  --line-height: {L.LINE_SPACING * L.FONT_LINE_HEIGHT:.3f};
  --single-line: {L.FONT_LINE_HEIGHT};
  --signature-gap: {_mm(L.SIGNATURE_GAP)};
  --rule: {L.RULE_THICKNESS}pt;
  --rule-gap: {L.RULE_GAP}pt;
  --urgent: #{L.URGENCY_COLOUR};
{sizes}
}}
"""


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATE_DIR)), autoescape=select_autoescape(["html"]),
                       finalize=xml_safe)


@lru_cache(maxsize=2)
def _stylesheets(font_dir: str | None = None):
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    return fonts, [CSS(string=layout_css(font_dir), font_config=fonts),
                   CSS(filename=str(STYLESHEET), font_config=fonts)]


# the cached FontConfiguration is dropped before the interpreter tears its modules down; left to the end,
# its __del__ finds them gone and prints a TypeError after every command that rendered a letter
atexit.register(_stylesheets.cache_clear)


def render_html(letter: Letter) -> str:
    return _environment().get_template("letters/letter.html").render(
        letter=letter, geo=geometry(letter), L=L, mm=_mm)


@lru_cache(maxsize=2)
def _real_names(font_dir: str | None = None) -> dict[bytes, bytes]:
    """b"Letter-Serif-Bold" -> b"LiberationSerif-Bold" (or the Times New Roman face the operator gave)."""
    prefix = FAMILY.replace(" ", "-")
    return {f"{prefix}{PANGO_STYLES[face]}".encode(): postscript_name(str(path)).encode()
            for face, path in font_files(font_dir).items()}


def _rename_fonts(_document, pdf) -> None:
    """WeasyPrint finisher: every font object and descriptor carries the face's real name."""
    names = _real_names()
    for obj in pdf.objects:
        if not isinstance(obj, dict):
            continue
        for key in ("BaseFont", "FontName"):
            value = obj.get(key)
            if isinstance(value, bytes) and b"+" in value:
                subset, name = value.split(b"+", 1)
                if name in names:
                    obj[key] = subset + b"+" + names[name]


def render_pdf(letter: Letter) -> bytes:
    from weasyprint import HTML

    html = render_html(letter)
    with _RENDER_LOCK:
        fonts, stylesheets = _stylesheets()
        pages = HTML(string=html, base_url=str(ROOT)).write_pdf(stylesheets=stylesheets, font_config=fonts,
                                                                 finisher=_rename_fonts)
    if letter.appendix is None:
        return pages
    from app.documents.appendix_pdf import render_appendix

    return joined(pages, render_appendix(letter.appendix))


def joined(letter_pdf: bytes, appendix_pdf: bytes) -> bytes:
    """The letter's pages then the appendix's, with the letter's title, author and PDF version."""
    from pypdf import PdfReader, PdfWriter

    letter_pages = PdfReader(io.BytesIO(letter_pdf))
    writer = PdfWriter()
    writer.append(letter_pages)
    writer.append(PdfReader(io.BytesIO(appendix_pdf)))
    writer.pdf_header = letter_pages.pdf_header
    writer.add_metadata(dict(letter_pages.metadata or {}))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
