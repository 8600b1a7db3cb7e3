"""PDF with a text layer to text: lines rebuilt from word positions (pdfplumber); where a page has two
columns (header, Nơi nhận and signature) the left column is read before the right one."""
import io
import re
from dataclasses import dataclass

from app.importer import legacy
from app.importer.errors import ImportRefused, NeedsOcr
from app.importer.source import MAX_PDF_PAGES, Source

def read_pdf(content: bytes, ocr: bool = True) -> Source:
    """The text of a PDF; a scan (no text layer) is read by OCR, or with `ocr=False` raises NeedsOcr once it
    is known that OCR could read it (the web import runs OCR as a job instead of in the request)."""
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
                page_lines, first_zone, last_full = lines_of_page(page, number)
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
        from app.importer.ocr import check_scan, read_scanned_pdf  # no text layer: a scan, read by OCR

        if not ocr:
            check_scan(page_count)
            raise NeedsOcr(page_count)
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


def lines_of_page(page, number: int) -> tuple[list[str], bool, bool]:
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
