"""From an uploaded file to text: .txt/.md (any common encoding), .docx (python-docx), .pdf with a
text layer (pdfplumber). Every failure is an ImportRefused with a Vietnamese message.

The readers keep what the parser needs: DOCX paragraphs are separated by blank lines, Word's
automatic numbering ("1.", "a)", "-") is written out, tables become "| a | b |" rows (a layout
table of two columns is read column by column, as the header and signature blocks are printed).
PDF lines are rebuilt from word positions; where the page has two columns (header, Nơi nhận and
signature) the left column is read before the right one.
"""
import io
import re
import zipfile
from dataclasses import dataclass, field

from app.importer import legacy
from app.importer.errors import ImportRefused
from app.numbers import number as vn_number

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
SUFFIXES = TEXT_SUFFIXES + (".docx", ".pdf")
MAX_BYTES = 10 * 1024 * 1024
MAX_TEXT_CHARS = 400_000
MAX_PDF_PAGES = 80
MAX_DOCX_UNCOMPRESSED = 60 * 1024 * 1024


@dataclass
class Source:
    text: str
    kind: str  # txt, docx, pdf, text (pasted)
    encoding: str | None = None
    pages: int | None = None
    notes: list[str] = field(default_factory=list)


def megabytes(size: int) -> str:
    from app.numbers import filesize

    return filesize(size)


def read_document(content: bytes, filename: str, max_bytes: int = MAX_BYTES) -> Source:
    name = (filename or "").strip()
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if content is None or len(content) == 0:
        raise ImportRefused("Tệp rỗng: không có nội dung để nhập.")
    if len(content) > max_bytes:
        raise ImportRefused(f"Tệp quá lớn ({megabytes(len(content))}); chỉ nhận tệp đến {megabytes(max_bytes)}.")
    kind = _sniff(content)
    if kind == "doc":
        raise ImportRefused("Tệp Word 97-2003 (.doc) chưa được hỗ trợ: mở bằng Word rồi lưu thành .docx.")
    if kind == "rtf":
        raise ImportRefused("Tệp RTF chưa được hỗ trợ: mở bằng Word rồi lưu thành .docx.")
    if kind == "image":
        raise ImportRefused("Đây là tệp ảnh (ảnh chụp hoặc bản quét): cần nhận dạng chữ (OCR) trước; "
                            "chỉ nhận .txt, .md, .docx hoặc .pdf có lớp chữ.")
    if kind == "zip":
        raise ImportRefused("Tệp nén hoặc tài liệu không phải Word (.docx) chưa được hỗ trợ.")
    if kind == "pdf":
        return read_pdf(content)
    if kind == "docx":
        return read_docx(content)
    if suffix == ".docx":
        raise ImportRefused("Tệp .docx bị hỏng hoặc không phải tệp Word: không mở được.")
    if suffix == ".pdf":
        raise ImportRefused("Tệp .pdf bị hỏng hoặc không phải PDF: không mở được.")
    if suffix not in TEXT_SUFFIXES and suffix != "":
        raise ImportRefused(f"Định dạng “{suffix}” không được hỗ trợ: chọn tệp .txt, .md, .docx hoặc .pdf.")
    text, encoding, notes = decode_text(content)
    return Source(text, "txt", encoding=encoding, notes=notes)


def _sniff(content: bytes) -> str | None:
    head = content[:8]
    if content.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"BM")) or \
            content[8:12] == b"WEBP":
        return "image"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return "broken-zip"
        return "docx" if "word/document.xml" in names else "zip"
    return None


def decode_text(content: bytes) -> tuple[str, str, list[str]]:
    """Bytes of a text file to (text, encoding, notes); refuse binary data."""
    notes = []
    if content.startswith(b"\xef\xbb\xbf"):
        text, encoding = content[3:].decode("utf-8", errors="replace"), "utf-8"
    elif content.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, encoding = content.decode("utf-16", errors="replace"), "utf-16"
    else:
        if b"\x00" in content[:4096]:
            raise ImportRefused("Tệp không phải văn bản (có dữ liệu nhị phân): chọn tệp .txt, .md, .docx hoặc .pdf.")
        try:
            text, encoding = content.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = _decode_legacy_bytes(content)
    _refuse_garbage(text)
    found = legacy.detect(text)
    if found:
        text = legacy.to_unicode(text, found)
        encoding = found
        notes.append(f"Văn bản dùng bảng mã cũ {legacy.NAMES[found]}: đã chuyển sang Unicode."
                     + (" Chữ hoa có dấu của phông TCVN3 có thể bị chuyển thành chữ thường: kiểm tra lại."
                        if found == "tcvn3" else ""))
    if len(text) > MAX_TEXT_CHARS:
        raise ImportRefused(f"Văn bản quá dài ({vn_number(len(text))} ký tự); chỉ nhận đến {vn_number(MAX_TEXT_CHARS)} ký tự.")
    return text, encoding, notes


def _decode_legacy_bytes(content: bytes) -> tuple[str, str]:
    latin = content.decode("cp1252", errors="replace")
    if legacy.detect(latin):
        return latin, "cp1252"
    try:
        text = content.decode("cp1258")
    except UnicodeDecodeError:
        text = None
    if text is not None and re.search(r"[\u0300\u0301\u0303\u0309\u0323]", text):
        import unicodedata

        return unicodedata.normalize("NFC", text), "cp1258"
    raise ImportRefused("Không đọc được bảng mã của tệp (không phải UTF-8, TCVN3 hay VNI): "
                        "hãy lưu lại tệp với bảng mã Unicode UTF-8.")


def _refuse_garbage(text: str) -> None:
    sample = text[:100000]
    if not sample.strip():
        raise ImportRefused("Tệp không có chữ nào: không có nội dung để nhập.")
    control = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\n\r\t\f\v") or ch == "\ufffd")
    visible = [ch for ch in sample if not ch.isspace()]
    letters = sum(1 for ch in visible if ch.isalpha())
    if control > 0.01 * len(sample) or (len(visible) > 20 and letters < 0.4 * len(visible)):
        raise ImportRefused("Tệp không phải văn bản đọc được (dữ liệu nhị phân hoặc ký tự lạ): "
                            "chọn tệp .txt, .md, .docx hoặc .pdf.")


def read_text(text: str) -> Source:
    """Text pasted into the web form."""
    text = (text or "").replace("\x00", "")
    if not text.strip():
        raise ImportRefused("Chưa có nội dung: dán văn bản hoặc chọn tệp.")
    if len(text) > MAX_TEXT_CHARS:
        raise ImportRefused(f"Văn bản quá dài ({vn_number(len(text))} ký tự); chỉ nhận đến {vn_number(MAX_TEXT_CHARS)} ký tự.")
    _refuse_garbage(text)
    notes = []
    found = legacy.detect(text)
    if found:
        text = legacy.to_unicode(text, found)
        notes.append(f"Văn bản dùng bảng mã cũ {legacy.NAMES[found]}: đã chuyển sang Unicode.")
    return Source(text, "text", encoding=found or "unicode", notes=notes)


# ---------------------------------------------------------------- DOCX

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
    if len(text) > MAX_TEXT_CHARS:
        raise ImportRefused(f"Văn bản quá dài ({vn_number(len(text))} ký tự); chỉ nhận đến {vn_number(MAX_TEXT_CHARS)} ký tự.")
    notes = []
    found = legacy.detect(text)
    if found:
        text = legacy.to_unicode(text, found)
        notes.append(f"Văn bản dùng phông chữ bảng mã cũ {legacy.NAMES[found]}: đã chuyển sang Unicode.")
    return Source(text, "docx", encoding=found or "unicode", notes=notes)


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


# ---------------------------------------------------------------- PDF

def read_pdf(content: bytes) -> Source:
    try:
        import pdfplumber
        from pdfminer.pdfdocument import PDFPasswordIncorrect

        try:
            pdf = pdfplumber.open(io.BytesIO(content))
        except PDFPasswordIncorrect:
            raise ImportRefused("PDF được đặt mật khẩu: hãy bỏ mật khẩu rồi nhập lại.") from None
        with pdf:
            pages = pdf.pages
            if len(pages) > MAX_PDF_PAGES:
                raise ImportRefused(f"PDF có {len(pages)} trang; chỉ nhận văn bản đến {MAX_PDF_PAGES} trang.")
            lines: list[str] = []
            runs_on = False
            for number, page in enumerate(pages):
                page_lines, first_zone, last_full = _page_lines(page, number)
                if runs_on and lines and page_lines and not first_zone:
                    # a paragraph that goes on over the page break
                    while lines and not lines[-1]:
                        lines.pop()
                    lines[-1] = _join(lines[-1], page_lines.pop(0))
                lines.extend(page_lines)
                lines.append("")
                runs_on = last_full
            page_count = len(pages)
    except ImportRefused:
        raise
    except Exception as error:  # pdfminer raises many kinds of errors on broken or encrypted files
        causes = " ".join(type(e).__name__ + " " + repr(e) for e in (error, *getattr(error, "args", ())))
        if "password" in causes.lower() or "encrypt" in causes.lower():
            raise ImportRefused("PDF được đặt mật khẩu: hãy bỏ mật khẩu rồi nhập lại.") from None
        raise ImportRefused("Tệp PDF bị hỏng, không đọc được.") from None
    text = "\n".join(lines)
    if sum(1 for ch in text if ch.isalpha()) < 20:
        from app.importer.ocr import read_scanned_pdf  # no text layer: a scan, read by OCR

        return read_scanned_pdf(content)
    notes = []
    found = legacy.detect(text)
    if found:
        text = legacy.to_unicode(text, found)
        notes.append(f"PDF dùng phông chữ bảng mã cũ {legacy.NAMES[found]}: đã chuyển sang Unicode.")
    return Source(text, "pdf", encoding=found or "unicode", pages=page_count, notes=notes)


@dataclass
class _Line:
    top: float
    bottom: float
    words: list

    @property
    def x0(self):
        return self.words[0]["x0"]

    @property
    def x1(self):
        return self.words[-1]["x1"]


def _join(previous: str, line: str) -> str:
    if re.search(r"[\w/]-$", previous):
        return previous + line  # "8149/CD-" + "VPCP"
    return previous + " " + line


def _page_lines(page, number: int) -> tuple[list[str], bool, bool]:
    """The page's lines (two-column zones read column by column), whether it starts with such a zone,
    and whether its last line runs to the right margin (the paragraph goes on)."""
    words = page.extract_words(keep_blank_chars=False, use_text_flow=False, x_tolerance=1.5, y_tolerance=2)
    if not words:
        return [], False, False
    words.sort(key=lambda w: (round(w["top"]), w["x0"]))
    lines: list[_Line] = []
    for word in words:
        if lines and abs(word["top"] - lines[-1].top) <= 2.5:
            lines[-1].words.append(word)
            lines[-1].bottom = max(lines[-1].bottom, word["bottom"])
        else:
            lines.append(_Line(word["top"], word["bottom"], [word]))
    for line in lines:
        line.words.sort(key=lambda w: w["x0"])
    width = float(page.width)
    middle = width / 2
    if number > 0 and lines and re.fullmatch(r"\d{1,3}", _words_text(lines[0].words)) and lines[0].top < 60:
        lines = lines[1:]  # the page number at the top of pages 2, 3 ...
    left_margin = min(line.x0 for line in lines)
    right_margin = max(line.x1 for line in lines)
    segments = [_split_columns(line, middle) for line in lines]
    out: list[str] = []
    index = 0
    body_right = max((line.x1 for line in lines if line.x0 < middle < line.x1), default=right_margin)
    first_zone = False
    full = False  # the previous body line runs to the right margin: its paragraph goes on
    # the usual distance between two lines of one paragraph, from lines that cross the page
    gaps = sorted(b.top - a.top for a, b in zip(lines, lines[1:])
                  if 0 < b.top - a.top < 40 and a.x0 < middle < a.x1 and b.x0 < middle < b.x1)
    usual = gaps[len(gaps) // 3] if gaps else 1.2 * max((line.bottom - line.top for line in lines), default=12)
    previous = None
    while index < len(lines):
        left, right = segments[index]
        if right is not None and (left is not None or lines[index].x0 >= middle - 5):
            # a two-column zone: read its left column first, then the right one
            end = _zone_end(lines, segments, index, middle)
            left_column = [segments[k][0] for k in range(index, end) if segments[k][0]]
            right_column = [segments[k][1] for k in range(index, end) if segments[k][1]]
            out.append("")
            out.extend(left_column)
            out.append("")
            out.extend(right_column)
            out.append("")
            previous = None
            first_zone = first_zone or index == 0
            full = False
            index = end
            continue
        line = lines[index]
        if previous is not None:
            gap = line.top - previous.top
            indented = left_margin + 8 <= line.x0 <= left_margin + 60
            if full and gap <= usual * 1.25 and out and out[-1]:
                out[-1] = _join(out[-1], left)  # a justified line never ends a paragraph
                previous = line
                full = line.x1 >= body_right - 12
                index += 1
                continue
            if gap > usual * 1.25 or indented and previous.x1 < right_margin - 40 and line.x1 > middle:
                out.append("")
        out.append(left)
        previous = line
        full = line.x1 >= body_right - 12 and line.x0 < middle
        index += 1
    return out, first_zone, full


def _words_text(words) -> str:
    return " ".join(w["text"] for w in words)


def _split_columns(line: _Line, middle: float) -> tuple[str | None, str | None]:
    """(left, right) text of a line: split at a wide gap that crosses the middle of the page."""
    words = line.words
    if words[0]["x0"] >= middle - 5:
        return None, _words_text(words)
    best, at = 0.0, None
    for k in range(1, len(words)):
        gap = words[k]["x0"] - words[k - 1]["x1"]
        if gap > best:
            best, at = gap, k
    if at is not None and best > 18 and words[at - 1]["x1"] < middle + 40 and words[at]["x0"] > middle - 60:
        return _words_text(words[:at]), _words_text(words[at:])
    return _words_text(words), None


def _zone_end(lines, segments, start, middle) -> int:
    """A zone goes on while lines are split in two, or sit in one half between such lines."""
    last_two_column = start
    k = start + 1
    while k < len(lines):
        left, right = segments[k]
        if right is not None:
            last_two_column = k
        elif lines[k].x1 > middle + 10:
            break  # a body line across the page
        if lines[k].top - lines[k - 1].top > 80:
            break
        k += 1
    return last_two_column + 1
