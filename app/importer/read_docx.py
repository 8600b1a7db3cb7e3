"""DOCX to text: paragraphs separated by blank lines, Word's automatic numbering ("1.", "a)", "-")
written out, text boxes read, tables as "| a | b |" rows, and a layout table of two columns (the header
and signature blocks as offices print them) read column by column."""
import io
import re
import zipfile

from app.importer.errors import ImportRefused
from app.importer.source import MAX_DOCX_UNCOMPRESSED, Source, unicode_text

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def read_docx(content: bytes) -> Source:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            total = sum(info.file_size for info in archive.infolist())
        if total > MAX_DOCX_UNCOMPRESSED:
            raise ImportRefused("Tệp DOCX quá lớn khi giải nén: không nhập được.")
        from docx import Document

        document = Document(io.BytesIO(content))
    except ImportRefused:
        raise
    except Exception:  # python-docx raises many kinds of errors on a broken package
        raise ImportRefused("Tệp DOCX bị hỏng hoặc không phải tệp Word: không mở được.") from None
    numbering = _Numbering(document)
    blocks: list[str] = []
    for child in document.element.body.iterchildren():
        if child.tag == W + "p":
            blocks.extend(_textbox_paragraphs(child, numbering))
            blocks.append(_paragraph_text(child, numbering))
        elif child.tag == W + "tbl":
            blocks.extend(_table_blocks(child, numbering))
    text = "\n\n".join(block for block in blocks if block.strip())
    if not text.strip():
        raise ImportRefused("Tệp DOCX không có chữ (có thể chỉ chứa ảnh quét): cần nhận dạng chữ (OCR) trước.")
    return unicode_text(text, "docx", "phông chữ bảng mã cũ")


def _paragraph_text(p, numbering) -> str:
    parts = []
    for node in p.iter():
        if node.tag == W + "txbxContent" or _inside(node, p, W + "txbxContent"):
            continue
        if node.tag == W + "t" and node.text:
            parts.append(node.text)
        elif node.tag == W + "tab":
            parts.append("\t")
        elif node.tag in (W + "br", W + "cr"):
            parts.append("\n")
        elif node.tag == W + "noBreakHyphen":
            parts.append("-")
    text = "".join(parts)
    label = numbering.label(p)
    if label and text.strip():
        text = f"{label} {text.lstrip()}"
    return text


def _inside(node, stop, tag) -> bool:
    parent = node.getparent()
    while parent is not None and parent is not stop:
        if parent.tag == tag:
            return True
        parent = parent.getparent()
    return False


def _textbox_paragraphs(p, numbering) -> list[str]:
    out = []
    for box in p.iter(W + "txbxContent"):
        if _inside(box, p, MC_FALLBACK):
            continue  # the same text box again, for old versions of Word
        for inner in box.iter(W + "p"):
            out.append(_paragraph_text(inner, numbering))
    return out


def _cell_blocks(tc, numbering) -> list[str]:
    out = []
    for child in tc.iterchildren():
        if child.tag == W + "p":
            out.extend(_textbox_paragraphs(child, numbering))
            out.append(_paragraph_text(child, numbering))
        elif child.tag == W + "tbl":
            out.extend(_table_blocks(child, numbering))
    return out


def _table_blocks(tbl, numbering) -> list[str]:
    rows = []
    for tr in tbl.iterchildren(W + "tr"):
        cells = [tc for tc in tr.iterchildren(W + "tc")]
        rows.append(cells)
    columns = max((len(r) for r in rows), default=0)
    first_row = " ".join(" ".join(_cell_blocks(tc, numbering)) for tc in rows[0]) if rows else ""
    data_table = columns >= 3 or re.search(r"(?i)chủ\s*trì|phối\s*hợp|nội\s*dung|STT|thời\s*gian", first_row)
    if not data_table:
        # a layout table (header block, Nơi nhận | signature): read column by column
        out = []
        for column in range(columns):
            for cells in rows:
                if column < len(cells):
                    out.extend(_cell_blocks(cells[column], numbering))
        return out
    out = []
    for cells in rows:
        texts = [" ".join(b.strip() for b in _cell_blocks(tc, numbering) if b.strip()).replace("|", "/")
                 for tc in cells]
        if any(texts):
            out.append("| " + " | ".join(texts) + " |")
    return out


class _Numbering:
    """Word's automatic numbering written out ("1.", "a)", "-"), counted as Word counts it."""

    def __init__(self, document):
        self.formats: dict[tuple[str, int], tuple[str, str, int]] = {}
        self.counters: dict[str, list[int]] = {}
        self.styles: dict[str, tuple[str, int]] = {}
        try:
            part = document.part.numbering_part
        except Exception:
            return
        root = part.element
        abstract = {}
        for node in root.iterchildren(W + "abstractNum"):
            levels = {}
            for lvl in node.iterchildren(W + "lvl"):
                ilvl = int(lvl.get(W + "ilvl", "0"))
                fmt = lvl.find(W + "numFmt")
                text = lvl.find(W + "lvlText")
                start = lvl.find(W + "start")
                levels[ilvl] = (fmt.get(W + "val") if fmt is not None else "decimal",
                                text.get(W + "val") if text is not None else "%1.",
                                int(start.get(W + "val")) if start is not None else 1)
            abstract[node.get(W + "abstractNumId")] = levels
        for num in root.iterchildren(W + "num"):
            ref = num.find(W + "abstractNumId")
            if ref is None:
                continue
            for ilvl, spec in abstract.get(ref.get(W + "val"), {}).items():
                self.formats[(num.get(W + "numId"), ilvl)] = spec
        try:
            for style in document.styles.element.iterchildren(W + "style"):
                num_pr = style.find(f"{W}pPr/{W}numPr")
                if num_pr is not None and num_pr.find(W + "numId") is not None:
                    ilvl = num_pr.find(W + "ilvl")
                    self.styles[style.get(W + "styleId")] = (num_pr.find(W + "numId").get(W + "val"),
                                                             int(ilvl.get(W + "val")) if ilvl is not None else 0)
        except Exception:
            pass

    def label(self, p) -> str | None:
        if not self.formats:
            return None
        num_pr = p.find(f"{W}pPr/{W}numPr")
        num_id, ilvl = None, 0
        if num_pr is not None and num_pr.find(W + "numId") is not None:
            num_id = num_pr.find(W + "numId").get(W + "val")
            level = num_pr.find(W + "ilvl")
            ilvl = int(level.get(W + "val")) if level is not None else 0
        else:
            style = p.find(f"{W}pPr/{W}pStyle")
            if style is not None and style.get(W + "val") in self.styles:
                num_id, ilvl = self.styles[style.get(W + "val")]
        if num_id is None or (num_id, ilvl) not in self.formats:
            return None
        fmt, text, start = self.formats[(num_id, ilvl)]
        counters = self.counters.setdefault(num_id, [None] * 9)
        counters[ilvl] = start if counters[ilvl] is None else counters[ilvl] + 1
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = None
        if fmt == "bullet":
            return "-"
        if fmt == "none":
            return None

        def value(level):
            spec = self.formats.get((num_id, level), ("decimal", "", 1))
            count = counters[level] if counters[level] is not None else spec[2]
            return _format_number(count, spec[0])

        return re.sub(r"%(\d)", lambda m: value(int(m.group(1)) - 1), text).strip() or None


def _format_number(count: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letters = "abcdđeghiklmnopqrstuvxy"
        letter = letters[(count - 1) % len(letters)]
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("upperRoman", "lowerRoman"):
        numerals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
        out, n = "", count
        for amount, numeral in numerals:
            while n >= amount:
                out += numeral
                n -= amount
        return out if fmt == "upperRoman" else out.lower()
    return str(count)
