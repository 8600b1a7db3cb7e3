"""Reading a scanned PDF (no text layer) with Tesseract's Vietnamese model.

Each page is rasterised at 300 dpi (pypdfium2), cleaned (deskewed by the angle that makes the text
rows sharpest, median-filtered, binarised with Otsu's threshold, specks removed; OpenCV), then read
by Tesseract (pytesseract, `vie`). Words come back with their confidence; a page's confidence is
the mean over its words. Tesseract's blocks keep the two columns of the header and the signature
apart, as the text-layer reader does.

Progress goes to a callback (one call per page); inside a `flask` command the default prints it
on standard error, so `directive import --dry-run` keeps standard output for the JSON.
"""
import os
import re
import shutil
import statistics
import unicodedata
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from app import limits
from app.importer.errors import ImportRefused
from app.importer.source import Source

DPI = 300
LANGUAGE = "vie"
MAX_OCR_PAGES = 30
OCR_SECONDS_PER_PAGE = 15  # measured 2 to 5 s a page on two cores; room for a slow machine
LOW_CONFIDENCE = 60.0  # percent: below it the page is pointed out to the user
MAX_SKEW = 5.0  # degrees searched each way


@dataclass
class OcrPage:
    number: int
    confidence: float  # mean word confidence, 0–100
    words: int
    skew: float  # degrees the page was turned back by


@dataclass
class OcrSource(Source):
    """A Source read by OCR: the text, and how sure Tesseract was of each page."""

    ocr_pages: list[OcrPage] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        words = sum(p.words for p in self.ocr_pages)
        return sum(p.confidence * p.words for p in self.ocr_pages) / words if words else 0.0


_progress: ContextVar = ContextVar("ocr_progress", default=None)


@contextmanager
def reporting(callback):
    """Send per-page progress to `callback(page, pages, ocr_page_or_None)` inside the block."""
    token = _progress.set(callback)
    try:
        yield
    finally:
        _progress.reset(token)


# Titles of signers and of the bodies they sign for: short capital lines whose diacritics a scan often
# loses or changes ("THƯ TRƯỜNG" for "THỨ TRƯỞNG"); without them the signature block is not recognised.
TITLES = ("CHỦ TỊCH", "PHÓ CHỦ TỊCH", "THỦ TƯỚNG", "PHÓ THỦ TƯỚNG", "BỘ TRƯỞNG", "THỨ TRƯỞNG", "GIÁM ĐỐC",
          "PHÓ GIÁM ĐỐC", "CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG", "TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG",
          "CHỦ NHIỆM", "PHÓ CHỦ NHIỆM", "TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "TỔNG CỤC TRƯỞNG", "CỤC TRƯỞNG",
          "PHÓ CỤC TRƯỞNG", "ỦY BAN NHÂN DÂN", "BỘ TRƯỞNG, CHỦ NHIỆM", "BÍ THƯ", "PHÓ BÍ THƯ")
_AUTHORITY_PREFIX = re.compile(r"^((?:KT|TM|TL|TUQ|Q)\s*\.\s*)?(.+)$")


def _folded(text: str) -> str:
    from app.text import fold

    return " ".join(fold(text).split())


_TITLE_BY_FOLD = {_folded(title): title for title in TITLES}


def restore_titles(text: str) -> str:
    """A capital line that reads as a signer's title once accents are set aside is written as the title."""
    out = []
    for line in text.split("\n"):
        stripped = line.strip()
        match = _AUTHORITY_PREFIX.match(stripped) if stripped and len(stripped) <= 40 and stripped.upper() == stripped \
            else None
        title = _TITLE_BY_FOLD.get(_folded(match.group(2))) if match else None
        out.append(f"{match.group(1) or ''}{title}" if title and title != match.group(2) else line)
    return "\n".join(out)


def _report(page: int, pages: int, done) -> None:
    (_progress.get() or _default_progress)(page, pages, done)


def _default_progress(page: int, pages: int, done: OcrPage | None) -> None:
    import click

    if click.get_current_context(silent=True) is None:
        return  # a web request: the page shows the confidences afterwards
    if done is None:
        click.echo(f"Nhận dạng chữ (OCR) trang {page}/{pages}…", err=True)
    else:
        click.echo(f"  trang {page}/{pages}: {done.words} từ, độ tin cậy {done.confidence:.0f} %"
                   f"{f', nắn thẳng {done.skew:+.1f}°' if abs(done.skew) >= 0.05 else ''}", err=True)


def available() -> bool:
    """Tesseract and its Vietnamese model are installed (scripts/system-deps.sh installs both)."""
    if shutil.which("tesseract") is None:
        return False
    import pytesseract

    try:
        return LANGUAGE in pytesseract.get_languages(config="")
    except Exception:
        return False


def check_scan(pages: int | None = None) -> None:
    """ImportRefused when OCR cannot read this scan at all (no Tesseract, too many pages): said before
    any page is read, so the web import refuses at once instead of starting a job that would fail."""
    if not available():
        raise ImportRefused("PDF không có lớp chữ (bản quét) và máy chủ chưa cài Tesseract với dữ liệu tiếng Việt "
                            "(gói tesseract-ocr, tesseract-ocr-vie) nên chưa nhận dạng chữ được.")
    if pages is not None:
        _check_pages(pages)


def _check_pages(pages: int) -> None:
    if pages > MAX_OCR_PAGES:
        raise ImportRefused(f"Bản quét có {pages} trang; chỉ nhận dạng chữ văn bản đến {MAX_OCR_PAGES} trang.")


def read_scanned_pdf(content: bytes) -> OcrSource:
    """The text of a PDF without a text layer, page by page; ImportRefused when it cannot be read."""
    check_scan()
    import pypdfium2 as pdfium

    # Tesseract's OpenMP threads fight over two cores (measured: 15 s a page instead of 2): one each
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    pdf = pdfium.PdfDocument(content)
    try:
        pages = len(pdf)
        _check_pages(pages)
        limits.extend(pages * OCR_SECONDS_PER_PAGE)  # a scan needs more time than a text layer, page by page
        texts, done = [], []
        for index in range(pages):
            limits.relay("app.importer.ocr:_report", index + 1, pages, None)  # shown by the parent (CLI, web)
            image = pdf[index].render(scale=DPI / 72, grayscale=True).to_pil()
            text, page = read_page(image, index + 1)
            texts.append(text)
            done.append(page)
            limits.relay("app.importer.ocr:_report", index + 1, pages, page)
    finally:
        pdf.close()
    text = restore_titles("\n\n".join(texts))
    if sum(1 for ch in text if ch.isalpha()) < 20:
        raise ImportRefused("PDF không có lớp chữ và nhận dạng chữ (OCR) không đọc được chữ nào: kiểm tra lại bản "
                            "quét (ảnh quá mờ hoặc trang trắng).")
    source = OcrSource(text, "pdf", encoding="ocr", pages=pages, ocr_pages=done)
    source.notes.append(f"PDF không có lớp chữ: đã nhận dạng chữ (OCR, Tesseract tiếng Việt), độ tin cậy "
                        f"{source.confidence:.0f} % (" + ", ".join(f"trang {p.number}: {p.confidence:.0f} %"
                                                                   for p in done) + "). Kiểm tra kỹ nội dung.")
    weak = [p.number for p in done if p.confidence < LOW_CONFIDENCE]
    if weak:
        source.notes.append("Các trang đọc kém (độ tin cậy dưới 60 %): " + ", ".join(map(str, weak)) +
                            ". Nên quét lại rõ hơn (200 dpi trở lên) hoặc nhập tay.")
    return source


def read_page(image, number: int = 1) -> tuple[str, OcrPage]:
    """One page image → (text, its OcrPage). Tesseract's lines are cut at column gaps, lines of
    loose accents and flat rule residue are repaired, weak lines read again on their own; then the
    words are laid out by the text-layer reader's own column logic (read_pdf.page_lines), so a
    scan reads like the same PDF with its text layer."""
    cleaned, skew = clean(image)
    points = 72 / DPI
    lines = _split_at_gaps(_tesseract_lines(cleaned, "--psm 3", points))
    heights = sorted(w["bottom"] - w["top"] for line in lines.values() for w in line)
    typical = heights[len(heights) // 2] if heights else 10.0
    _repair_split_accents(cleaned, lines, points, typical)
    _reread_weak_lines(cleaned, lines, points, typical)
    words = []
    for line in lines.values():
        # boxes start at each word's tallest letter (accents, capitals): the words of a line share
        # one baseline and height, so the line builder keeps them together and sees an even pitch
        bottom = statistics.median(w["bottom"] for w in line)
        first = min(line, key=lambda w: w["x0"])
        first["text"] = _roman_start(first["text"])
        words.extend(dict(w, top=bottom - typical, bottom=bottom) for w in line)
    page = _WordsPage(words, cleaned.width * points, cleaned.height * points)
    from app.importer.read_pdf import lines_of_page

    text_lines, _first_zone, _full = lines_of_page(page, number - 1)
    confidences = [w["conf"] for w in words]
    confidence = sum(confidences) / len(confidences) if confidences else 0.0
    return "\n".join(text_lines), OcrPage(number, round(confidence, 1), len(confidences), round(skew, 2))


def _tesseract_lines(image, config: str, points: float, offset=(0.0, 0.0)) -> dict[tuple, list[dict]]:
    """Tesseract's words, NFC, grouped by its (block, paragraph, line), boxes in page points."""
    import pytesseract

    data = pytesseract.image_to_data(image, lang=LANGUAGE, config=config, output_type=pytesseract.Output.DICT)
    lines: dict[tuple, list[dict]] = {}
    for i, word in enumerate(data["text"]):
        word = unicodedata.normalize("NFC", (word or "").strip())
        conf = float(data["conf"][i])
        if not word or conf < 0:
            continue
        left, top, width, height = (data[key][i] * points for key in ("left", "top", "width", "height"))
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        lines.setdefault(key, []).append({"text": word, "conf": conf, "x0": offset[0] + left,
                                          "x1": offset[0] + left + width, "top": offset[1] + top,
                                          "bottom": offset[1] + top + height})
    return lines


ROMAN_LOOKALIKE = re.compile(r"^(?P<numeral>[IVXHl|\[]{1,5})\.(?P<rest>\d.*|)$")
ROMANS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV")


def _roman_start(token: str) -> str:
    """"HI.1." → "III.1.", "[I.2." → "II.2.": Roman numerals that open a line, misread by their strokes."""
    match = ROMAN_LOOKALIKE.match(token)
    if not match or match.group("numeral") in ROMANS or len(match.group("numeral")) == 1 and not match.group("rest"):
        return token
    numeral = match.group("numeral").replace("H", "II")
    numeral = re.sub(r"[l|\[]", "I", numeral)
    return f"{numeral}.{match.group('rest')}" if numeral in ROMANS else token


def _reread_weak_lines(image, lines: dict[tuple, list[dict]], points: float, typical: float,
                       limit: int = 40) -> None:
    """A line Tesseract was unsure of (bold capitals losing their accents: "UY BAN NHAN DÂN") is
    read again alone (one text line, --psm 7); the better-scored reading wins."""
    weak = sorted((statistics.mean(w["conf"] for w in line), key) for key, line in lines.items()
                  if line and statistics.mean(w["conf"] for w in line) < 85)
    for before, key in weak[:limit]:
        line = lines[key]
        pad = typical * 0.6
        box = (min(w["x0"] for w in line) - pad, min(w["top"] for w in line) - pad,
               max(w["x1"] for w in line) + pad, max(w["bottom"] for w in line) + pad)
        crop = image.crop(tuple(max(0, round(v / points)) for v in box))
        again = [w for ws in _tesseract_lines(crop, "--psm 7", points, (max(0.0, box[0]), max(0.0, box[1]))).values()
                 for w in ws]
        if again and statistics.mean(w["conf"] for w in again) > before + 3:
            lines[key] = again


def _split_at_gaps(lines: dict[tuple, list[dict]]) -> dict[tuple, list[dict]]:
    """A Tesseract line may run across both columns (Nơi nhận | chữ ký): cut it where the gap
    between two words is wider than three line heights, so each column keeps its own line."""
    out = {}
    for key, words in lines.items():
        words = sorted(words, key=lambda w: w["x0"])
        height = statistics.median(w["bottom"] - w["top"] for w in words)
        part, segment = 0, [words[0]]
        for prev, word in zip(words, words[1:]):
            if word["x0"] - prev["x1"] > 3 * max(height, 4):
                out[(*key, part)] = segment
                part, segment = part + 1, []
            segment.append(word)
        out[(*key, part)] = segment
    return out


def _repair_split_accents(image, lines: dict[tuple, list[dict]], points: float, typical: float) -> None:
    """Tesseract sometimes reads the accents of a tightly set capital line ("PHÓ CHỦ NHIỆM" under
    another bold line) as a line of their own (". Ầ ^") and the letters without them ("PHO CHU").
    Such a line of marks is joined to the line under it and the two are read again as one line."""
    for key in sorted(lines):
        marks = lines.get(key)
        if not marks:
            continue
        tallest = max(w["bottom"] - w["top"] for w in marks)
        if tallest < 0.35 * typical and len(marks) <= 2:
            lines.pop(key)  # "w", "Ms": what is left of a rule under a name, far flatter than any word
            continue
        if any(sum(ch.isalnum() for ch in w["text"]) >= 2 for w in marks) or tallest > 0.5 * typical:
            continue
        top, bottom = min(w["top"] for w in marks), max(w["bottom"] for w in marks)
        x0, x1 = min(w["x0"] for w in marks), max(w["x1"] for w in marks)
        below = [k for k, line in lines.items() if k != key and line and 0 <= min(w["top"] for w in line) - bottom
                 <= typical and min(w["x0"] for w in line) < x1 and max(w["x1"] for w in line) > x0]
        if not below:
            lines.pop(key)  # marks with no letters under them: specks
            continue
        target = min(below, key=lambda k: min(w["top"] for w in lines[k]))
        line = lines[target]
        box = [min(x0, *(w["x0"] for w in line)), top, max(x1, *(w["x1"] for w in line)),
               max(w["bottom"] for w in line)]
        pad = typical / 2
        origin = (max(0.0, box[0] - pad), max(0.0, box[1] - pad))
        crop = image.crop(tuple(round(v / points) for v in (*origin, box[2] + pad, box[3] + pad)))
        again = [w for ws in _tesseract_lines(crop, "--psm 7", points, origin).values() for w in ws]
        if sum(ch.isalpha() for w in again for ch in w["text"]) >= sum(ch.isalpha() for w in line for ch in w["text"]):
            lines[target] = again
        lines.pop(key)


class _WordsPage:
    """The little of a pdfplumber page that the line builder reads: words with positions in points."""

    def __init__(self, words: list[dict], width: float, height: float):
        self._words, self.width, self.height = words, width, height

    def extract_words(self, **_options) -> list[dict]:
        return [dict(word) for word in self._words]


def clean(image):
    """Grayscale page → (binarised, deskewed, despeckled PIL image, the skew corrected in degrees)."""
    import cv2
    import numpy as np
    from PIL import Image

    gray = np.asarray(image.convert("L"))
    gray = cv2.medianBlur(gray, 3)
    skew = estimate_skew(gray)
    if abs(skew) >= 0.05:
        height, width = gray.shape
        matrix = cv2.getRotationMatrix2D((width / 2, height / 2), skew, 1.0)
        gray = cv2.warpAffine(gray, matrix, (width, height), flags=cv2.INTER_CUBIC, borderValue=255)
    _threshold, binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # the rules under the agency name and the motto read as stray letters ("w", "—"): erase long
    # horizontal strokes (no letter is 5 mm wide and under 0.5 mm high)
    ink = 255 - binary
    rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (DPI // 5, 1)))
    rules = cv2.dilate(rules, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))
    binary[(rules > 0) & (ink > 0)] = 255
    count, labels, stats, _centroids = cv2.connectedComponentsWithStats(255 - binary, connectivity=8)
    specks = np.where(stats[1:, cv2.CC_STAT_AREA] <= 3)[0] + 1  # dots of noise, far smaller than a diacritic
    if len(specks):
        binary[np.isin(labels, specks)] = 255
    return Image.fromarray(binary), skew


def estimate_skew(gray) -> float:
    """The rotation (degrees) that makes the rows of text sharpest: the variance of the ink per row
    peaks when the lines are level. Coarse search on a small copy, then a finer one."""
    import cv2
    import numpy as np

    scale = 1000 / max(gray.shape)
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    _t, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    height, width = ink.shape

    def sharpness(angle: float) -> float:
        matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
        turned = cv2.warpAffine(ink, matrix, (width, height), flags=cv2.INTER_NEAREST, borderValue=0)
        return float(np.var(turned.sum(axis=1, dtype=np.float64)))

    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.5), key=sharpness)
    best = max(np.arange(best - 0.5, best + 0.51, 0.1), key=sharpness)
    return float(round(best, 2))

