"""What every stage of the parser shares: the patterns of printed markers and header fields, the
parse result, the tree node of the body, and a few small tests on lines (capitals, markers, ends)."""
import re
import unicodedata
from dataclasses import dataclass, field

from app import doc_types
from app.importer import agencies as ag
from app.importer.deadlines import find_deadline
from app.text import fold


_VN_LETTERS = [chr(c) for c in range(0xC0, 0x1EFA) if chr(c).isalpha()]
_UPPER_VN = "".join(ch for ch in _VN_LETTERS if ch.isupper())
_LOWER_VN = "".join(ch for ch in _VN_LETTERS if ch.islower())
UPPER = "A-Z" + _UPPER_VN
LOWER = "a-z" + _LOWER_VN

# Title lines and symbol prefixes of the named types, from the one table of document types.
TYPE_LINES = {**{fold(t.label): t.code for t in doc_types.DOC_TYPE_LIST}, "thong bao ket luan": "thong_bao"}
SYMBOL_TYPES = {fold(t.abbreviation): t.code for t in doc_types.DOC_TYPE_LIST if t.printed_name}
URGENCY_LINES = {"khan": "khan", "thuong khan": "thuong_khan", "hoa toc": "hoa_toc"}
AUTHORITIES = ("TM", "KT", "TL", "TUQ", "Q")
# Roman parts that hold the purpose of a plan, not tasks: their text goes to the preamble.
NON_TASK_PARTS = ("muc dich", "yeu cau", "can cu", "quan diem", "muc tieu", "su can thiet", "tinh hinh",
                  "ket qua", "danh gia", "dac diem", "pham vi", "doi tuong", "noi dung", "kinh phi")
SIGNER_WORDS = ("CHỦ TỊCH", "GIÁM ĐỐC", "CHÁNH", "TRƯỞNG", "THỦ TƯỚNG", "CHỦ NHIỆM", "BÍ THƯ", "PHÓ", "CHỈ HUY", "ĐẠI DIỆN", "ỦY VIÊN")
# Below an authority line ("TM."), the body it acts for: "ỦY BAN NHÂN DÂN", "BAN CHỈ ĐẠO ...".
BODY_WORDS = ("ỦY BAN", "UỶ BAN", "HỘI ĐỒNG", "BAN ", "VĂN PHÒNG", "SỞ ", "CỤC", "UBND", "HĐND", "TỔNG", "VIỆN",
              "ĐỘI", "BỘ ", "TRUNG TÂM", "CÔNG AN", "TỔ ")
PLACEHOLDERS = re.compile(r"^[\[(]?\s*(đã\s+ký|ký\s+tên.*|ký,?\s+ghi\s+rõ.*|chữ\s+ký.*|daky|đóng\s+dấu.*|"
                          r"ký\s+và\s+đóng\s+dấu.*|\.{3,}|…+)\s*[\])]?$", re.IGNORECASE)
SENTENCE_STARTS = ("Thực hiện", "Căn cứ", "Triển khai", "Trong", "Theo", "Để", "Xét", "Nhằm", "Ngày", "Qua",
                   "Nhằm", "Tiếp theo", "Ủy ban nhân dân", "UBND", "Chủ tịch", "Hiện nay", "Thời gian qua")

_NUMBER = re.compile(r"^s[ốo]\s*[:.]?\s*(?P<number>\d*)[\s._…]*/\s*(?P<symbol>[\wĐđ&.\-]+?(?:-\s[\wĐđ&.\-]+)?)(?=\s|$)\s*(?P<rest>.*)$",
                     re.IGNORECASE)
_NUMBER_ONLY = re.compile(r"^s[ốo]\s*:\s*(?P<number>\d*)\s*$", re.IGNORECASE)
_PLACE_DATE = re.compile(r"^(?P<place>[^\d,;:()]{2,60}?|)\s*,\s*ngày\b\s*(?P<d>\d{1,2})?[\s.…_]*(?:/|\s)?\s*"
                         r"(?:tháng\s*(?P<m>\d{1,2})?)?[\s.…_]*(?:/|\s)?\s*(?:năm\s*(?P<y>\d{4})?)?\s*(?P<rest>.*)$",
                         re.IGNORECASE)
_SUBJECT = re.compile(r"^(?P<quote>[“\"])?(?:V\s*/\s*v|về\s+vi[eêệ]c)\s*[:.]?\s*(?P<subject>.*?)(?(quote)[”\"]|)$",
                      re.IGNORECASE)
_KINH_GUI = re.compile(r"^kính\s+gửi\s*[:.]?\s*(?P<rest>.*)$", re.IGNORECASE)
_DIEN = re.compile(r"^(?P<who>[^:]{6,}?)\s+(?:điện|ĐIỆN)\s*(?:[:.]\s*(?P<rest>.*))?$")
_NOI_NHAN = re.compile(r"^nơi\s+nhận\s*[:.]?\s*(?P<rest>.*)$", re.IGNORECASE)
_AUTHORITY = re.compile(f"^(?P<a>TM|KT|TL|TUQ|Q)\\s*(?:\\.\\s*|\\s+(?=[{UPPER}]{{2}}))(?P<title>.*)$")  # "KT GIÁM ĐỐC" too
_ROMAN = re.compile(r"^(?P<label>[IVX]{1,5})\s*[.)]\s+(?P<rest>\S.*)$")
_PART_NUM = re.compile(r"^(?P<part>[IVX]{1,5})\.(?P<label>\d{1,2}(?:\.\d{1,2}){0,2})\.?\s+(?P<rest>\S.*)$")
_NESTED = re.compile(r"^(?P<label>\d{1,2}(?:\.\d{1,2}){1,3})\s*[.)]?\s+(?P<rest>\S.*)$")
_NUM = re.compile(r"^(?P<label>\d{1,3})\s*[.)]\s*(?P<rest>\S.*)$")
_ARTICLE = re.compile(r"^(?P<label>Điều\s+\d{1,2})\s*[.:]\s*(?P<rest>\S.*)$")  # a quyết định's articles
_LETTER = re.compile(r"^(?P<label>[a-zđ])\s*[).]\s*(?P<rest>\S.*)$")
_BULLET = re.compile(r"^-\s+(?P<rest>.*)$")
_PLUS = re.compile(r"^\+\s+(?P<rest>.*)$")
_LETTERS = "abcdđeghiklmnopqrstuvxy"
_META = re.compile(r"^(?:(?:cơ\s+quan|đơn\s+vị)\s+)?(?P<key>chủ\s+trì|phối\s+hợp|thời\s+gian(?:\s+hoàn\s+thành|\s+thực\s+hiện)?"
                   r"|thời\s+hạn(?:\s+hoàn\s+thành)?|hạn\s+hoàn\s+thành)\s*(?:thực\s+hiện\s*)?:\s*(?P<value>.+)$",
                   re.IGNORECASE)


# Kế hoạch activities: "- Nội dung: ..." / "- Cơ quan thực hiện: Sở Nội vụ chủ trì, phối hợp với ...".
_IMPLEMENTING = re.compile(r"^(?:cơ\s+quan|đơn\s+vị)\s+(?:thực\s+hiện|thực\s+hiện\s+chính)\s*:\s*(?P<value>.*)$",
                           re.IGNORECASE | re.DOTALL)
_CONTENT_LABEL = re.compile(r"^nội\s+dung\s*(?:thực\s+hiện)?\s*:\s*", re.IGNORECASE)
_TOPIC = re.compile(r"^(?P<topic>(?:Về|Đối với)\s[^:;.]{2,80}:)\s*(?P<rest>.+)$", re.DOTALL)
_LABELLED_ROLE = re.compile(r"(?:(?:cơ\s+quan|đơn\s+vị)\s+)(?P<key>chủ\s+trì|phối\s+hợp)(?:\s+thực\s+hiện)?\s*:\s*"
                            r"(?P<value>.+?)(?:\.\s|\.$|$)", re.IGNORECASE)



def fold_chars(text: str) -> str:
    """Lower case without diacritics, one character for one character (offsets stay valid)."""
    out = []
    for ch in text:
        base = unicodedata.normalize("NFD", ch.lower().replace("đ", "d").replace("Đ", "d"))
        base = "".join(c for c in base if unicodedata.category(c) != "Mn")
        out.append(base[:1] or ch)
    return "".join(out)


def _roman_value(label: str) -> int | None:
    values = {"I": 1, "V": 5, "X": 10}
    total, previous = 0, 0
    for ch in reversed(label):
        value = values[ch]
        total = total - value if value < previous else total + value
        previous = max(previous, value)
    roman = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV"]
    return total if total < len(roman) and roman[total] == label else None


def _upper_ratio(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    return sum(1 for ch in letters if ch.isupper()) / len(letters) if letters else 0.0


def _is_upper_line(text: str) -> bool:
    return _upper_ratio(text) >= 0.85 and sum(1 for ch in text if ch.isalpha()) >= 2


@dataclass
class Parsed:
    data: dict
    warnings: list[str] = field(default_factory=list)  # what could not be recognised
    notes: list[str] = field(default_factory=list)  # what was read but left out of the structure
    found: set = field(default_factory=set)  # which parts were recognised (header, number, ...)
    year: int | None = None  # year of the letter, for deadlines written without one
    subject_parts: list = field(default_factory=list)


def empty_directive() -> dict:
    return {
        "doc_type": "cong_van", "issuer": [], "number": None, "symbol": "", "place": "", "date": None,
        "subject": "", "urgency": None, "recipients": [], "preamble": "", "sections": [], "closing": "",
        "cc": [], "signer": {"authority": None, "authority_title": "", "title": "", "name": None},
    }



@dataclass
class Node:
    kind: str  # root, part, num, nested, letter, bullet, plus, para, row
    label: str | None
    text: str
    children: list = field(default_factory=list)
    cells: dict | None = None  # table rows: column role -> cell text
    rank: float = 0
    part: str | None = None  # "II" of "II.1." (a part printed inside the number)
    labels: dict | None = None  # table rows: column role -> header as printed ("Cơ quan chủ trì")
    when: str | None = None  # "Thời gian hoàn thành: Trước ngày 31/5/2026" printed on its own under an item



def _marker(line: str) -> bool:
    return bool(_BULLET.match(line) or _PLUS.match(line) or _NESTED.match(line) or _NUM.match(line) or _ARTICLE.match(line)
                or _PART_NUM.match(line) and _roman_value(_PART_NUM.match(line).group("part"))
                or _LETTER.match(line) and len(line) > 6 or _ROMAN.match(line) and _roman_value(_ROMAN.match(line).group("label"))
                or line.startswith("|"))


def _terminal(text: str) -> bool:
    """The line ends a paragraph ("…; UBND tỉnh chỉ đạo" goes on after a semicolon)."""
    return text.rstrip().endswith((".", ":", "!", "?", "./.", "…"))


def _starts_lower(line: str) -> bool:
    first = next((ch for ch in line if ch.isalnum() or ch in "(\"“"), "")
    return bool(first) and (first.islower() or first in "(\"“" and False)



def _item(text: str) -> str:
    """A Kính gửi or Nơi nhận line without its dash and final ";" or "."."""
    text = text.strip()
    if text.startswith("- "):
        text = text[2:]
    text = re.sub(r"\s*[;.,]+\s*$", "", text)
    if text.endswith("./"):
        text = text[:-2]
    return text.strip()



def _assignee_dicts(items) -> list[dict]:
    seen, out = set(), []
    for item in items:
        key = (ag.low(item["agency"]), item["role"])
        if key not in seen:
            seen.add(key)
            out.append({"agency": item["agency"], "role": item["role"], "deadline": None})
    return out


def _task(text: str, default_year=None) -> dict:
    text = "\n".join(re.sub(r"\s+", " ", part).strip() for part in text.split("\n")).strip()
    task = {"text": text, "deadline": None}
    found = find_deadline(text, default_year)
    if found["deadline"]:
        task["deadline"] = found["deadline"]
        task["deadline_text"] = found["deadline_text"]
    if found["recurrence"]:
        task["recurrence"] = found["recurrence"]
    return task


_LEAD_IN_VERB = re.compile(r"\b(?:đề\s+nghị|yêu\s+cầu|giao(?:\s+cho)?|chỉ\s+đạo|ủy\s+quyền(?:\s+cho)?)\s+",
                           re.IGNORECASE)



def _asked_in(text: str, vocabulary) -> list[dict]:
    """One paragraph that names nobody at its start: the bodies after its "đề nghị" / "yêu cầu" / "giao"
    ("..., đề nghị bộ, ngành, địa phương khẩn trương ..."), the last such request first."""
    for match in reversed(list(_LEAD_IN_VERB.finditer(text))):
        rest = text[match.end():]
        found = ag.scan_list(rest, 0, vocabulary)
        prefix = "" if found else "các "  # "bộ, ngành, địa phương": a group written without "các"
        if not found:
            found = ag.scan_list(prefix + rest, 0, vocabulary)
        if found:
            names = [name[len(prefix):] if name.startswith(prefix) else name for name, _s, _e in found.names]
            return [{"agency": name, "role": "lead"} for name in names if not ag.GENERIC.search(name)]
    return []
