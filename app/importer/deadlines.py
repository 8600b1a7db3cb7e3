"""Deadlines written in a task: "trước ngày 06 tháng 12 năm 2025", "trước 15/4/2020",
"hoàn thành trong tháng 12/2025", "trong quý I/2026", and recurrences ("định kỳ hằng tháng").

The task keeps its text as written; these functions only read a date (or a recurrence note) and
the words that said it. Pure functions, no Flask.
"""
import calendar
import re
from datetime import date

_ROMAN_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_DAY = r"(?P<d>\d{1,2})"
# "ngày 06 tháng 12 năm 2025" or "06/12/2025" or "06-12-2025" (year optional: "15/4")
_DATE = (rf"(?:ngày\s+)?{_DAY}\s*(?:tháng\s+(?P<m>\d{{1,2}})(?:\s*,?\s*năm\s+(?P<y>\d{{4}}))?"
         rf"|[/.\-]\s*(?P<m2>\d{{1,2}})(?:\s*[/.\-]\s*(?P<y2>\d{{4}}))?)")
_CUE = (r"(?:(?:hoàn\s+thành|xong|báo\s+cáo(?:\s+\S+){0,4}?|gửi(?:\s+\S+){0,4}?|trình(?:\s+\S+){0,4}?)\s+)?"
        r"(?P<core>trước|chậm\s+nhất(?:\s+(?:là|vào|trước))?(?:\s+ngày)?|muộn\s+nhất(?:\s+là)?|"
        r"hạn\s+chót|thời\s+hạn|không\s+quá|trong\s+ngày|đến\s+hết\s+ngày|xong\s+trước)")
_DEADLINE_DATE = re.compile(rf"(?P<cue>{_CUE})\s*(?:ngày\s+)?(?P<date>{_DATE})(?![\d/])", re.IGNORECASE)
_MONTH_DEADLINE = re.compile(
    r"(?P<all>(?:hoàn\s+thành|xong|thực\s+hiện|triển\s+khai|báo\s+cáo|tổ\s+chức)(?:\s+\S+){0,3}?\s+"
    r"(?:trong|trước|vào)\s+tháng\s+(?P<m>\d{1,2})\s*(?:/|năm|\s)\s*(?P<y>\d{4}))", re.IGNORECASE)
_QUARTER_DEADLINE = re.compile(
    r"(?P<all>(?:(?:hoàn\s+thành|xong|thực\s+hiện|triển\s+khai|báo\s+cáo)(?:\s+\S+){0,3}?\s+)?"
    r"(?:trong|trước|vào)\s+quý\s+(?P<q>IV|III|II|I|[1-4])\s*(?:/|năm|\s)\s*(?P<y>\d{4}))", re.IGNORECASE)
_PERIOD = r"(?:hằng|hàng|mỗi)\s+(?:ngày|tuần|tháng|quý|năm|6\s+tháng|sáu\s+tháng)"
# A recurrence is a reporting rhythm: "định kỳ hằng tháng", "trước ngày 25 hằng tháng",
# "báo cáo ... hằng tuần"; "(cập nhật hàng ngày)" inside a sentence is not one.
_RECURRENCES = (
    re.compile(rf"(?:trước|vào)\s+(?:ngày\s+\d{{1,2}}|\d{{1,2}}\s+giờ(?:\s+\d{{1,2}})?(?:\s+ngày)?)\s+{_PERIOD}",
               re.IGNORECASE),
    re.compile(rf"định\s+kỳ(?:\s+(?:{_PERIOD}|\d+\s+tháng(?:\s+một\s+lần)?))?", re.IGNORECASE),
    re.compile(rf"(?:báo\s+cáo|gửi|tổng\s+hợp|giao\s+ban|họp)(?:\s+\S+){{0,8}}?\s+(?P<period>{_PERIOD})", re.IGNORECASE),
)


_LABELLED = re.compile(r"(?:thời\s+gian\s+(?:hoàn\s+thành|thực\s+hiện)|thời\s+hạn(?:\s+hoàn\s+thành)?|"
                       r"hạn\s+hoàn\s+thành)\s*:\s*(?P<value>[^.;\n]+?)\s*(?:[.;]\s|[.;]?$)", re.IGNORECASE)


def _recurrence(text: str) -> str | None:
    for pattern in _RECURRENCES:
        match = pattern.search(text)
        if match:
            return (match.groupdict().get("period") or match.group(0)).strip()
    return None


def find_deadline(text: str, default_year: int | None = None) -> dict:
    """{'deadline': date|None, 'deadline_text': str|None, 'recurrence': str|None} for one task."""
    result = {"deadline": None, "deadline_text": None, "recurrence": None}
    result["recurrence"] = _recurrence(text)
    candidates = []
    for match in _DEADLINE_DATE.finditer(text):
        when = _date_from(match, default_year)
        if when:
            candidates.append((match.start("core"), when, match.group(0)[match.start("core") - match.start():]))
    for match in _MONTH_DEADLINE.finditer(text):
        when = _month_end(int(match.group("y")), int(match.group("m")))
        if when:
            candidates.append((match.start(), when, _period_words(match.group("all"))))
    for match in _QUARTER_DEADLINE.finditer(text):
        quarter = _ROMAN_QUARTERS[match.group("q").lower()]
        when = _month_end(int(match.group("y")), quarter * 3)
        candidates.append((match.start(), when, _period_words(match.group("all"))))
    for match in _LABELLED.finditer(text):  # "Thời gian hoàn thành: Quý I/2026."
        value = match.group("value").strip()
        when = parse_when(value, default_year)
        if when["deadline"]:
            candidates.append((match.start("value"), when["deadline"], value))
    if candidates:
        _, when, words = min(candidates, key=lambda item: item[0])
        result["deadline"] = when
        result["deadline_text"] = words.strip(" ,;.")
    return result


def parse_when(text: str, default_year: int | None = None) -> dict:
    """A cell of a "Thời gian hoàn thành" column: any date, month or quarter, no cue needed."""
    text = (text or "").strip()
    result = find_deadline(text, default_year)
    if result["deadline"] or not text:
        return result
    match = re.search(rf"{_DATE}(?![\d/])", text, re.IGNORECASE)
    if match:
        when = _date_from(match, default_year)
        if when:
            return {**result, "deadline": when, "deadline_text": text.strip(" .;")}
    match = re.search(r"tháng\s+(\d{1,2})\s*(?:/|năm|\s)\s*(\d{4})", text, re.IGNORECASE)
    if match:
        return {**result, "deadline": _month_end(int(match.group(2)), int(match.group(1))),
                "deadline_text": text.strip(" .;")}
    match = re.search(r"quý\s+(IV|III|II|I|[1-4])\s*(?:/|năm|\s)\s*(\d{4})", text, re.IGNORECASE)
    if match:
        quarter = _ROMAN_QUARTERS[match.group(1).lower()]
        return {**result, "deadline": _month_end(int(match.group(2)), quarter * 3),
                "deadline_text": text.strip(" .;")}
    match = re.search(r"năm\s+(\d{4})", text, re.IGNORECASE)
    if match and re.fullmatch(r"(?:(?:trong|cuối|hết|đến\s+hết)\s+)?năm\s+\d{4}\.?", text, re.IGNORECASE):
        return {**result, "deadline": date(int(match.group(1)), 12, 31), "deadline_text": text.strip(" .;")}
    if not result["recurrence"]:
        result["recurrence"] = text.strip(" .;")  # "Thường xuyên", "Hằng năm": kept as a note
    return result


def _period_words(words: str) -> str:
    """"hoàn thành trong tháng 12/2025" keeps its verb; "triển khai ... trong quý I/2026" starts at "trong"."""
    if re.match(r"(hoàn\s+thành|xong)\s+(trong|trước|vào)\s", words, re.IGNORECASE):
        return words
    match = re.search(r"\b(trong|trước|vào)\s+(tháng|quý)\b", words, re.IGNORECASE)
    return words[match.start():] if match else words


def _date_from(match, default_year):
    day = match.group("d")
    month = match.group("m") or match.group("m2")
    year = match.group("y") or match.group("y2")
    if not (day and month):
        return None
    year = int(year) if year else default_year
    if not year:
        return None
    try:
        return date(year, int(month), int(day))
    except ValueError:
        return None


def _month_end(year: int, month: int):
    if not 1 <= month <= 12:
        return None
    return date(year, month, calendar.monthrange(year, month)[1])
