"""Reading a directive's text into the directive format (DESIGN.md, "One directive format").

    parse_text(text) -> Parsed(data, warnings, notes)

`data` has the keys of the directive format. Assignees name agencies as written in the letter
({"agency": "UBND các huyện, thành phố", "role": "lead", "deadline": None}); the resolver adds the
directory agency beside them. Tasks keep their wording; a deadline found in it is also given as
a date, with the words that said it ("deadline_text") or a recurrence note ("recurrence").

The text may be messy: markdown bold, tabs, PDF line breaks in the middle of sentences,
decomposed Unicode, the two header columns one after the other or interleaved, the Nơi nhận list
interleaved with the signature, no header at all, bullets only, nested numbering. Pure functions,
no Flask, no database.
"""
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from app import doc_types
from app.importer import agencies as ag
from app.importer.cleanup import clean_lines
from app.importer.deadlines import find_deadline, parse_when
from app.importer.header_lines import join_lone_markers, normalize_header, normalize_tail
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
_AUTHORITY = re.compile(r"^(?P<a>TM|KT|TL|TUQ|Q)\s*\.\s*(?P<title>.*)$")
_ROMAN = re.compile(r"^(?P<label>[IVX]{1,5})\s*[.)]\s+(?P<rest>\S.*)$")
_PART_NUM = re.compile(r"^(?P<part>[IVX]{1,5})\.(?P<label>\d{1,2}(?:\.\d{1,2}){0,2})\.?\s+(?P<rest>\S.*)$")
_NESTED = re.compile(r"^(?P<label>\d{1,2}(?:\.\d{1,2}){1,3})\s*[.)]?\s+(?P<rest>\S.*)$")
_NUM = re.compile(r"^(?P<label>\d{1,3})\s*[.)]\s*(?P<rest>\S.*)$")
_LETTER = re.compile(r"^(?P<label>[a-zđ])\s*[).]\s*(?P<rest>\S.*)$")
_BULLET = re.compile(r"^-\s+(?P<rest>.*)$")
_PLUS = re.compile(r"^\+\s+(?P<rest>.*)$")
_LETTERS = "abcdđeghiklmnopqrstuvxy"
_META = re.compile(r"^(?:(?:cơ\s+quan|đơn\s+vị)\s+)?(?P<key>chủ\s+trì|phối\s+hợp|thời\s+gian(?:\s+hoàn\s+thành|\s+thực\s+hiện)?"
                   r"|thời\s+hạn(?:\s+hoàn\s+thành)?|hạn\s+hoàn\s+thành)\s*(?:thực\s+hiện\s*)?:\s*(?P<value>.+)$",
                   re.IGNORECASE)


# Kế hoạch activities: "- Nội dung: ..." / "- Cơ quan thực hiện: Sở Nội vụ chủ trì, phối hợp với ...".
_IMPLEMENTING = re.compile(r"^(?:cơ\s+quan|đơn\s+vị)\s+(?:thực\s+hiện|thực\s+hiện\s+chính)\s*:\s*(?P<value>.+)$",
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


def parse_text(text: str, vocabulary=None) -> Parsed:
    lines = join_lone_markers(normalize_tail(normalize_header(clean_lines(text))))
    parsed = Parsed(empty_directive())
    body_start = _parse_header(lines, parsed)
    parsed.data["subject"] = " ".join(part.strip() for part in parsed.subject_parts if part.strip())
    tail_start = _find_tail(lines, body_start)
    attached_at = _attachment_start(lines, tail_start)
    body = lines[body_start:tail_start]
    _parse_body(body, parsed, vocabulary)
    _parse_tail(lines[tail_start:attached_at], parsed)
    if attached_at < len(lines):
        _parse_attachment(lines[attached_at:], parsed, vocabulary)
    _finish(parsed)
    return parsed


def _attachment_start(lines: list[str], tail_start: int) -> int:
    """A document issued with this one ("KẾ HOẠCH" after the signature of a quyết định): where it starts."""
    signed = False
    for index in range(tail_start, len(lines)):
        line = lines[index]
        if _signature_line(line) or _NOI_NHAN.match(line):
            signed = True
        elif signed and _is_upper_line(line) and fold_chars(line).strip(" .:") in TYPE_LINES:
            return index
    return len(lines)


def _parse_attachment(lines: list[str], parsed: Parsed, vocabulary) -> None:
    """The attached document's items are tasks of this directive; its title and signature are not read."""
    start = 1
    while start < len(lines) and (not lines[start] or _is_upper_line(lines[start])):
        start += 1  # the title lines
    end = _find_tail(lines, start)
    attached = Parsed(empty_directive(), year=parsed.year)
    _parse_body(lines[start:end], attached, vocabulary)
    parsed.data["sections"].extend(attached.data["sections"])
    parsed.notes.extend(attached.notes)


# ---------------------------------------------------------------- header

_MOTTO = re.compile(r"cong hoa xa hoi chu nghia viet nam|doc lap\s*[-–]?\s*tu do\s*[-–]?\s*hanh phuc")


def _split_motto(line: str) -> tuple[str, str | None]:
    """Remove the national motto from a line (PDF text may glue it to the agency line)."""
    folded = fold_chars(line)
    match = _MOTTO.search(folded)
    if match:
        rest = (line[:match.start()] + " " + line[match.end():]).strip(" -–")
        return rest, match.group(0)
    return line, None


def _parse_header(lines: list[str], parsed: Parsed) -> int:
    data = parsed.data
    state = None  # "subject", "summary", "recipients"
    subject = parsed.subject_parts
    recipients_open = False  # the last Kính gửi line ended with ";"
    recipient_raw = ""
    loose = _blank_separated(lines)  # a blank line after every line: blank lines mean nothing
    pending: list[str] = []
    i = 0
    seen_anchor = False
    blank_run = 0
    while i < len(lines) or pending:
        if pending:
            line = pending.pop(0)
            index = i - 1
        else:
            line = lines[i]
            index = i
            i += 1
        if not line:
            blank_run += 1
            if state in ("subject", "summary") and subject:
                state = "subject_pause"  # ends here unless the next line obviously goes on
            continue
        if state == "subject_pause":
            state = "subject" if _subject_goes_on(subject, line, loose) else None
        if data["issuer"] and not _is_upper_line(line):
            blank_run = 0
        line, motto = _split_motto(line)
        if motto:
            seen_anchor = True
            parsed.found.add("motto")
            if line:
                pending.insert(0, line)
            continue
        folded = fold_chars(line).strip(" .:")
        number = _NUMBER.match(line)
        if number and index < 60 and "number" not in parsed.found:
            data["number"] = number.group("number") or None
            data["symbol"] = number.group("symbol").strip(".-")
            parsed.found.add("number")
            seen_anchor = True
            state = None
            if number.group("rest"):
                pending.insert(0, number.group("rest"))
            continue
        number = _NUMBER_ONLY.match(line)
        if number and index < 60 and "number" not in parsed.found:
            data["number"] = number.group("number") or None
            parsed.found.add("number")
            seen_anchor = True
            continue
        place = _PLACE_DATE.match(line)
        if place and "date_line" not in parsed.found and len(place.group("place").split()) <= 6 \
                and (place.group("place")[:1].isupper() or not place.group("place")) \
                and (place.group("place") or re.search(r"tháng.*năm", line)):
            _set_place_date(place, parsed)
            seen_anchor = True
            state = None if state != "recipients" else state
            if place.group("rest"):
                pending.insert(0, place.group("rest"))
            continue
        if folded in URGENCY_LINES and _is_upper_line(line):
            data["urgency"] = URGENCY_LINES[folded]
            parsed.found.add("urgency")
            continue
        if folded in TYPE_LINES and _is_upper_line(line) and "type" not in parsed.found:
            data["doc_type"] = TYPE_LINES[folded]
            parsed.found.add("type")
            seen_anchor = True
            state = "summary"
            subject.clear()
            continue
        match = _SUBJECT.match(line) or _bare_about(line, parsed, state)
        if match and "subject" not in parsed.found and (state != "recipients"):
            subject.clear()
            subject.append(match.group("subject"))
            parsed.found.add("subject")
            state = "subject"
            seen_anchor = True
            continue
        if state == "summary" and not subject:
            subject.append(line)
            parsed.found.add("subject")
            continue
        if state in ("subject", "summary") and subject and _continues_subject(subject, line):
            subject.append(line)
            continue
        match = _KINH_GUI.match(line)
        if match:
            parsed.found.add("recipients")
            seen_anchor = True
            state = "recipients"
            _add_recipients(match.group("rest"), data)
            recipients_open = match.group("rest").rstrip().endswith(";")
            recipient_raw = re.split(r";\s*", match.group("rest").strip())[-1]
            continue
        match = _DIEN.match(line)
        if match and _is_upper_line(match.group("who")) and not _AUTHORITY.match(line):
            parsed.found.add("recipients")
            seen_anchor = True
            state = "recipients"
            _add_recipients(match.group("rest") or "", data)
            recipients_open = (match.group("rest") or "").rstrip().endswith(";")
            continue
        if state == "recipients":
            if line.startswith("- ") or line.startswith("+ "):
                data["recipients"].append(_item(line[2:]))
                recipient_raw = line[2:]
                recipients_open = line.rstrip().endswith(";")
                continue
            if data["recipients"] and recipient_raw and not recipient_raw.rstrip().endswith((";", ".")) \
                    and len(line) < 100 and not _marker(line) and not _starts_sentence(line):
                recipient_raw = recipient_raw + " " + line  # a long line of Kính gửi wrapped
                data["recipients"][-1] = _item(recipient_raw)
                recipients_open = line.rstrip().endswith(";")
                continue
            if recipients_open and len(line) < 120 and line.rstrip()[-1:] in ";." and not _marker(line):
                data["recipients"].append(_item(line))
                recipients_open = line.rstrip().endswith(";")
                continue
            return _body_index(lines, index, pending)
        if _marker(line) or seen_anchor and not _is_upper_line(line):
            return _body_index(lines, index, pending)
        if _is_upper_line(line) and len(line) <= 90 and "number" not in parsed.found and not data["recipients"] \
                and index < 15:
            if data["issuer"] and _wrapped_issuer_line(data["issuer"][-1], line):
                data["issuer"][-1] += " " + line  # "SỞ Y TẾ TỈNH BÀ RỊA - VŨNG" / "TÀU": one name wrapped
            else:
                data["issuer"].append(line)
            blank_run = 0
            parsed.found.add("issuer")
            continue
        return _body_index(lines, index, pending)
    return len(lines)


_ABOUT = re.compile(r"^về\s+(?P<subject>[^:]{10,})$", re.IGNORECASE)


def _bare_about(line: str, parsed: Parsed, state) -> re.Match | None:
    """"Về hướng dẫn ..." right below the number (a trích yếu printed without "V/v")."""
    if "number" in parsed.found and "type" not in parsed.found and "recipients" not in parsed.found \
            and state is None and not _is_upper_line(line):
        return _ABOUT.match(line)
    return None


def _starts_sentence(line: str) -> bool:
    """The first words of a body sentence ("Căn cứ ...", "Xét đề nghị ...", "Thực hiện ...")."""
    return any(re.match(re.escape(start) + r"[\s,]", line) for start in SENTENCE_STARTS + ("Xét", "Nhân dịp"))


def _wrapped_issuer_line(previous: str, line: str) -> bool:
    words = previous.split()
    if previous.endswith(("-", "–")) or words[-1] in ("HUYỆN", "TỈNH", "XÃ", "PHỐ", "QUẬN", "PHƯỜNG", "VÀ", "CỦA"):
        return True
    return len(line.split()) == 1 and len(words) >= 4


def _body_index(lines, index, pending) -> int:
    if pending:  # the rest of a line that held a header field and the start of the body
        lines[index] = " ".join(pending)
    return index


def _blank_separated(lines: list[str]) -> bool:
    content = [k for k, line in enumerate(lines) if line]
    followed = sum(1 for k in content if k + 1 >= len(lines) or not lines[k + 1])
    return len(content) >= 8 and followed >= 0.8 * len(content)


def _subject_goes_on(subject: list[str], line: str, loose: bool = False) -> bool:
    """After a blank line: "... năm 2025 -" / "2026" (a PDF line break) is still the subject."""
    last = subject[-1].rstrip()
    if loose and not last.endswith(".") and len(line) <= 90:
        if re.search(r"[\d)]$", last) and line[:1].isupper():
            return False  # "... mùa Đông - Xuân 2025 - 2026" then "Thời gian qua, ...": the body
        return _continues_subject(subject, line)
    return (last.endswith(("-", "–", ",")) or last.split()[-1:] == ["và"] or _starts_lower(line)) \
        and _continues_subject(subject, line)


def _continues_subject(subject: list[str], line: str) -> bool:
    dien = _DIEN.match(line)
    if _marker(line) or _KINH_GUI.match(line) or _NOI_NHAN.match(line) or dien and _is_upper_line(dien.group("who")):
        return False
    if sum(len(part) for part in subject) > 400 or len(line) > 110:
        return False
    if len(line) > 60 and any(re.match(re.escape(start) + r"[\s,]", line) for start in SENTENCE_STARTS) \
            and subject[-1].rstrip()[-1:] not in ",-":
        return False  # the first sentence of the body, not a wrapped subject
    return True


def _set_place_date(match, parsed: Parsed) -> None:
    data = parsed.data
    data["place"] = match.group("place").strip()
    parsed.found.add("date_line")
    day, month, year = match.group("d"), match.group("m"), match.group("y")
    parsed.year = int(year) if year else None
    if day and month and year:
        try:
            data["date"] = date(int(year), int(month), int(day))
        except ValueError:
            parsed.warnings.append(f"Ngày ban hành không hợp lệ: {day}/{month}/{year}.")


def _item(text: str) -> str:
    """A Kính gửi or Nơi nhận line without its dash and final ";" or "."."""
    text = text.strip()
    if text.startswith("- "):
        text = text[2:]
    text = re.sub(r"\s*[;.,]+\s*$", "", text)
    if text.endswith("./"):
        text = text[:-2]
    return text.strip()


def _add_recipients(rest: str, data: dict) -> None:
    rest = rest.strip()
    if not rest:
        return
    if rest.startswith("- "):
        rest = rest[2:]
    for part in re.split(r";\s*(?:-\s+)?", rest):
        part = _item(part)
        if not part:
            continue
        if "," in part and ":" not in part:
            found = ag.scan_list(part)  # "Sở Y tế, Sở Tài chính, Công an tỉnh": three recipients
            if found and len(found.names) > 1 and found.end >= len(part) - 1:
                data["recipients"].extend(name for name, _s, _e in found.names)
                continue
        data["recipients"].append(part)


# ---------------------------------------------------------------- tail: Nơi nhận and signature

def _signature_line(line: str) -> bool:
    if _AUTHORITY.match(line) and _is_upper_line(line):
        return True
    if _marker(line):
        return False
    if not _is_upper_line(line) or any(ch in line for ch in ",;:()/") or len(line) > 70:
        return False
    return any(word in line.upper() for word in SIGNER_WORDS)


def _find_tail(lines: list[str], start: int) -> int:
    end_mark = None
    for index in range(start, len(lines)):
        if lines[index].rstrip().endswith("./.") or lines[index].rstrip().endswith("/."):
            end_mark = index
    for index in range(start, len(lines)):
        line = lines[index]
        if _NOI_NHAN.match(line):
            return index
        if end_mark is not None and index <= end_mark:
            continue
        if _signature_line(line) and (end_mark is not None or _only_tail_after(lines, index)):
            return index
    return len(lines)


def _only_tail_after(lines, index) -> bool:
    """No numbered section or long paragraph after this line: it is the signature, not the body."""
    for line in lines[index + 1:]:
        if _NUM.match(line) or _ROMAN.match(line) or len(line) > 120:
            return False
    return True


def _parse_tail(lines: list[str], parsed: Parsed) -> None:
    data = parsed.data
    signer = data["signer"]
    titles: list[str] = []
    in_cc = False
    cc_raw = ""
    cc_open = False  # the last Nơi nhận line has not ended with ";" or "."
    leftovers = []
    name_last = False  # the line before held the signer's name
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        match = _NOI_NHAN.match(line)
        if match:
            parsed.found.add("cc")
            in_cc = True
            rest = match.group("rest").strip()
            if rest:
                line = rest
            else:
                continue
        if PLACEHOLDERS.match(line):
            continue
        if line.startswith("- ") or line.startswith("+ "):
            item, signature = _split_glued_signature(line)
            cc_raw = item
            data["cc"].append(_cc_item(item))
            cc_open = not item.rstrip().endswith((";", ".", ".)"))
            in_cc = True
            if signature:
                glued = _split_title_name(signature)
                if glued:
                    titles.append(glued[0])
                    signer["name"] = glued[1]
                else:
                    titles.append(signature)
            continue
        if _signature_line(line):
            titles.append(line)
            cc_open = False
            continue
        if titles and _is_upper_line(line) and not any(ch in line for ch in ",;:()") and \
                any(word in line + " " for word in BODY_WORDS):
            titles.append(line)  # "TM." / "ỦY BAN NHÂN DÂN" / "CHỦ TỊCH"
            continue
        glued = _split_title_name(line)
        if glued:
            titles.append(glued[0])
            signer["name"] = glued[1]
            continue
        if name_last and _name_goes_on(signer["name"], line):
            signer["name"] = signer["name"] + " " + line.strip()  # "Lê Tấn" / "Cận": a name broken over lines
            continue
        name_last = False
        if titles and signer["name"] is None and _looks_like_name(line):
            signer["name"] = line.strip()
            name_last = True
            continue
        if in_cc and cc_open and data["cc"]:
            cc_raw = cc_raw + " " + line  # "- C, PCVP UBND tỉnh, các Phòng: KG-VX," / "KT, TH-NC;"
            data["cc"][-1] = _cc_item(cc_raw)
            cc_open = not line.rstrip().endswith((";", "."))
            continue
        if _looks_like_name(line) or titles and signer["name"] is None and len(line.split()) <= 6 and \
                not line.rstrip().endswith((";", ".", ":")):
            signer["name"] = line.strip()
            name_last = True
            continue
        leftovers.append(line)
    _set_signer(titles, signer, parsed)
    if leftovers:
        parsed.notes.append("Phần cuối văn bản có dòng không thuộc Nơi nhận hay chữ ký: " + " / ".join(leftovers[:3]))


def _name_goes_on(name: str | None, line: str) -> bool:
    """"Vũ" / "Chiến Thắng": the next line completes a name of one to three words."""
    if not name or _is_upper_line(name):
        return False
    words = line.split()
    return len(name.split()) <= 3 and 1 <= len(words) <= 3 and len(name.split()) + len(words) <= 5 and \
        all(re.fullmatch(f"[{UPPER}][{LOWER}'’\\-]*", word) for word in words)


def _split_glued_signature(line: str) -> tuple[str, str | None]:
    """"- Như trên; KT. CHỦ TỊCH": a Nơi nhận line and a signature line on one line."""
    match = re.match(f"^(?P<cc>.*?[;.])\\s+(?P<sig>(?:TM|KT|TL|TUQ|Q)\\s*\\..*|[{UPPER}]{{2,}}.*)$", line)
    if match:
        signature = match.group("sig").strip()
        if _signature_line(signature) or _split_title_name(signature):
            return match.group("cc"), signature
    return line, None


def _cc_item(text: str) -> str:
    text = _item(text)
    text = re.sub(r"^(Lưu|LƯU)\s*:\s*", r"\1: ", text)
    return text


def _looks_like_name(line: str) -> bool:
    words = line.split()
    if not 2 <= len(words) <= 6:
        return False
    return all(re.fullmatch(f"[{UPPER}][\\w'’\\-]*", word) for word in words) and not _is_upper_line(line)


def _split_title_name(line: str) -> tuple[str, str] | None:
    """"PHÓ CHỦ TỊCH Nguyễn Văn A" or "PHÓ CHỦ TỊCHNguyễn Văn A": title and name glued."""
    match = re.match(f"^(?P<title>[{UPPER}\\s.\\-]+?)\\s*(?P<name>[{UPPER}][{LOWER}'’].*)$", line)
    if not match:
        return None
    title, name = match.group("title").strip(), match.group("name").strip()
    if not _signature_line(title) or not _looks_like_name(name):
        return None
    return title, name


def _authority_goes_on(title: str, line: str) -> bool:
    """The title an authority acts for, broken over two lines."""
    if _AUTHORITY.match(line) or not _is_upper_line(line):
        return False
    last = title.split()[-1]
    return title.endswith(",") or last in ("ỦY", "UỶ", "CỦA", "VÀ", "-") or line.split()[0] in ("NHÂN", "DÂN")


def _set_signer(titles: list[str], signer: dict, parsed: Parsed) -> None:
    lines = []
    for line in titles:
        line = re.sub(r"\s+", " ", line).strip()
        if line:
            lines.append(line)
    if not lines:
        return
    parsed.found.add("signer")
    first = _AUTHORITY.match(lines[0])
    if first:
        signer["authority"] = first.group("a") + "."
        rest = first.group("title").strip()
        while rest and len(lines) > 1 and _authority_goes_on(rest, lines[1]):
            rest = rest + " " + lines.pop(1)  # "KT. BỘ TRƯỞNG," / "CHỦ NHIỆM", "TL. CHỦ TỊCH ỦY" / "BAN NHÂN DÂN TỈNH"
        if rest:
            signer["authority_title"] = rest
            lines = lines[1:]
        else:  # "TM." alone on its line, the title below
            signer["authority_title"] = lines[1] if len(lines) > 1 else ""
            lines = lines[2:]
    if lines and not first and len(lines) >= 2 and _looks_like_name(lines[-1].title()) and \
            not any(word in lines[-1] for word in SIGNER_WORDS) and signer["name"] is None:
        signer["name"] = lines.pop()  # a name printed in capitals
    signer["title"] = "\n".join(lines)


# ---------------------------------------------------------------- body

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


def _marker(line: str) -> bool:
    return bool(_BULLET.match(line) or _PLUS.match(line) or _NESTED.match(line) or _NUM.match(line)
                or _PART_NUM.match(line) and _roman_value(_PART_NUM.match(line).group("part"))
                or _LETTER.match(line) and len(line) > 6 or _ROMAN.match(line) and _roman_value(_ROMAN.match(line).group("label"))
                or line.startswith("|"))


def _terminal(text: str) -> bool:
    """The line ends a paragraph ("…; UBND tỉnh chỉ đạo" goes on after a semicolon)."""
    return text.rstrip().endswith((".", ":", "!", "?", "./.", "…"))


def _starts_lower(line: str) -> bool:
    first = next((ch for ch in line if ch.isalnum() or ch in "(\"“"), "")
    return bool(first) and (first.islower() or first in "(\"“" and False)


def _hard_wrapped(lines: list[str]) -> bool:
    """Text broken at the end of every printed line (PDF extraction): blank lines mean nothing."""
    content = [line for line in lines if line]
    lower = 0
    for prev, line in zip(content, content[1:]):
        if line.startswith("- "):
            line = line[2:]
        if not _marker(line) and _starts_lower(line) and not _terminal(prev):
            lower += 1
    return lower >= 3 and lower >= 0.15 * len(content)


def _paragraphs(lines: list[str]) -> tuple[list[str], bool]:
    wrapped = _hard_wrapped(lines)
    paragraphs: list[str] = []
    blank = True
    for line in lines:
        if not line:
            blank = True
            continue
        if paragraphs and _continues(paragraphs[-1], line, blank, wrapped):
            paragraphs[-1] = _glue(paragraphs[-1], line)
        else:
            paragraphs.append(line)
        blank = False
    return paragraphs, wrapped


def _glue(prev: str, line: str) -> str:
    """Join a broken line: "8149/CD-" + "VPCP" is one word; "kinh tế -" + "xã hội" keeps its spaces."""
    prev = prev.rstrip()
    if re.search(r"[\w/]-$", prev) and not re.match(r"-", line):
        return prev + line.lstrip()
    return prev + " " + line.lstrip()


def _continues(prev: str, line: str, blank: bool, wrapped: bool) -> bool:
    if re.match(r"-\s\d{4}\b", line) and re.search(r"\b\d{4}$", prev) and not _terminal(prev):
        return True  # "giai đoạn 2021" / "- 2025”; ...": a year range broken at the end of a line
    if line.startswith("- ") and _starts_lower(line[2:]) and not _terminal(prev) and not prev.startswith("|"):
        return True  # "kinh tế" / "- xã hội": a dash inside a sentence broken at the end of a line
    if _marker(line) or prev.startswith("|") or _NOI_NHAN.match(line):
        return False
    if _is_upper_line(prev) and not _is_upper_line(line):
        return False  # a heading in capitals
    lower = _starts_lower(line)
    if prev.rstrip().endswith(","):
        return True
    if _marker(prev) and len(prev) < 50 and not lower and not wrapped:
        return False  # "1. Đánh giá chung" / "Năm 2025, ...": a title, then its text
    if blank and not wrapped:
        return lower
    return lower or not _terminal(prev)


def _classify(paragraph: str, state: dict) -> Node:
    if paragraph.startswith("|"):
        cells = [cell.strip() for cell in paragraph.strip().strip("|").split("|")]
        return Node("row", None, paragraph, cells=cells)
    match = _ROMAN.match(paragraph)
    if match and _roman_value(match.group("label")):
        value = _roman_value(match.group("label"))
        if value == (state.get("part") or 0) + 1 or state.get("part") is None and value <= 3:
            state.update(part=value, num=None, letter=None)
            return Node("part", match.group("label"), match.group("rest"), rank=0)
    match = _PART_NUM.match(paragraph)
    if match and _roman_value(match.group("part")):
        label = match.group("label")
        state.update(part=_roman_value(match.group("part")), num=int(label.split(".")[0]), letter=None)
        kind = "num" if "." not in label else "nested"
        return Node(kind, label, match.group("rest"), rank=label.count(".") + 1, part=match.group("part"))
    match = _NESTED.match(paragraph)
    if match:
        label = match.group("label").rstrip(".")
        depth = label.count(".") + 1
        state["letter"] = None
        return Node("nested", label, match.group("rest"), rank=depth)
    match = _NUM.match(paragraph)
    if match:
        value = int(match.group("label"))
        last = state.get("num")
        if last is None and value <= 30 or last is not None and value in (last + 1, 1):
            state.update(num=value, letter=None)
            return Node("num", match.group("label"), match.group("rest"), rank=1)
    match = _LETTER.match(paragraph)
    if match:
        letter = match.group("label")
        last = state.get("letter")
        expected = _LETTERS[_LETTERS.index(last) + 1] if last and last in _LETTERS[:-1] else None
        if letter == "a" or letter == expected:
            state["letter"] = letter
            return Node("letter", letter, match.group("rest"), rank=None)
    match = _BULLET.match(paragraph)
    if match:
        return Node("bullet", None, match.group("rest"), rank=10)
    match = _PLUS.match(paragraph)
    if match:
        return Node("plus", None, match.group("rest"), rank=11)
    return Node("para", None, paragraph)


def _build_tree(paragraphs: list[str], wrapped: bool) -> tuple[list[str], Node, list[str]]:
    """Preamble paragraphs, the tree of marked paragraphs, and the closing paragraphs."""
    state: dict = {"part": None, "num": None, "letter": None}
    nodes = [_classify(p, state) for p in paragraphs]
    first = next((k for k, n in enumerate(nodes) if n.kind != "para"), None)
    if first is None:
        return [], Node("root", None, ""), []
    preamble = [n.text for n in nodes[:first]]
    last = max(k for k, n in enumerate(nodes) if n.kind != "para")
    trailing = nodes[last + 1:]
    closing = [n.text for n in trailing]
    last_node = nodes[last]
    if trailing and (last_node.kind == "part" or last_node.kind in ("num", "nested", "letter")
                     and last_node.text.rstrip().endswith(":")):
        nodes = nodes[:last + 2]  # "5. Sở Y tế:" then its task on the next paragraph
        closing = closing[1:]
    else:
        nodes = nodes[:last + 1]
    root = Node("root", None, "", rank=-1)
    stack = [root]
    table_header: dict | None = None
    header_labels: dict = {}
    for node in nodes[first:]:
        if node.kind == "row":
            roles = _table_roles(node.cells)
            if roles:
                table_header = roles
                header_labels = {role: node.cells[index].strip().rstrip(":") for index, role in roles.items()}
                continue
            if table_header is None or not any(cell for cell in node.cells):
                node = Node("para", None, " ".join(cell for cell in node.cells if cell))
            else:
                node.cells = {role: node.cells[index] if index < len(node.cells) else ""
                              for index, role in table_header.items()}
                if not node.cells.get("content"):
                    continue
                node.label = (node.cells.get("number") or "").strip(" .") or None
                node.rank = 1
                node.labels = header_labels
        if node.kind == "para":
            top = stack[-1]
            if top.kind in ("bullet", "plus", "letter") and not top.children or top.kind == "para" or \
                    top.kind in ("num", "nested", "part") and not top.children and not top.text.rstrip().endswith(":") \
                    and not _SectionBuilder._title(top.text):
                top.text = top.text.rstrip() + (" " if wrapped else "\n") + node.text
                continue
            node.rank = 9
        if node.kind == "letter":
            node.rank = max([n.rank for n in stack if n.kind in ("num", "nested", "part", "row")] + [0]) + 0.5
        if node.part and any(n.kind == "part" and n.label != node.part for n in stack):
            del stack[1:]  # "II.1." after part I: part I is over
        while len(stack) > 1 and stack[-1].rank >= node.rank:
            stack.pop()
        stack[-1].children.append(node)
        stack.append(node)
    return preamble, root, closing


def _table_roles(cells: list[str]) -> dict | None:
    """A table header row: which column holds what."""
    roles = {}
    for index, cell in enumerate(cells):
        folded = fold_chars(cell)
        if re.fullmatch(r"s?tt|so\s*tt|số", folded.strip(" .")):
            roles[index] = "number"
        elif "chu tri" in folded:
            roles[index] = "lead"
        elif "phoi hop" in folded:
            roles[index] = "coordinating"
        elif "thoi gian" in folded or "thoi han" in folded or "hoan thanh" in folded or folded.strip() == "han":
            roles[index] = "deadline"
        elif "noi dung" in folded or "nhiem vu" in folded or "cong viec" in folded:
            roles[index] = "content"
        elif "san pham" in folded or "ket qua" in folded:
            roles[index] = "product"
        elif "ghi chu" in folded:
            roles[index] = "note"
    if "content" in roles.values() and ("lead" in roles.values() or "deadline" in roles.values()):
        return roles
    return None


def _parse_body(lines: list[str], parsed: Parsed, vocabulary) -> None:
    data = parsed.data
    paragraphs, wrapped = _paragraphs(lines)
    if not paragraphs:
        parsed.warnings.append("Không thấy nội dung văn bản (các mục, nhiệm vụ).")
        return
    preamble, root, closing = _build_tree(paragraphs, wrapped)
    if not root.children:
        preamble, sections, closing = _unmarked_body(paragraphs, vocabulary)
        data["sections"] = sections
    else:
        parsed.found.add("markers")
        builder = _SectionBuilder(parsed, vocabulary)
        lead_in = _lead_in_assignees(preamble, vocabulary)
        named = sum(1 for child in root.children if ag.assignees_in(child.text, vocabulary).items)
        if named * 2 >= len(root.children):
            lead_in = []  # the items name their own bodies: the lead-in only introduces them
        for child in _group_loose_items(root.children):
            builder.emit(child, None, lead_in)
        data["sections"] = builder.sections
        preamble = preamble + builder.preamble_extra
        closing = _closing_tasks(closing, data["sections"], vocabulary)
    data["preamble"] = "\n".join(preamble)
    data["closing"] = "\n".join(closing)


_CLOSING_OPENER = re.compile(r"^(?:Đề\s+nghị|Giao|Yêu\s+cầu)\s+", re.IGNORECASE)


def _closing_tasks(closing: list[str], sections: list[dict], vocabulary) -> list[str]:
    """"Đề nghị Đài truyền thanh xã, các đồng chí Trưởng thôn thông báo ..." after the last item: a paragraph
    that gives named bodies work is one more (unnumbered) section, not the closing formula."""
    kept = []
    for paragraph in closing:
        opener = _CLOSING_OPENER.match(paragraph)
        found = ag.assignees_in(paragraph, vocabulary) if opener else None
        if found and found.items and len(paragraph) > 100:  # longer than a closing formula
            sections.append({"number": None, "heading": None, "assignees": _assignee_dicts(found.items),
                             "tasks": [_task(paragraph)]})
        else:
            kept.append(paragraph)
    return kept


_LEAD_IN_VERB = re.compile(r"\b(?:đề\s+nghị|yêu\s+cầu|giao(?:\s+cho)?|chỉ\s+đạo|ủy\s+quyền(?:\s+cho)?)\s+",
                           re.IGNORECASE)


def _lead_in_assignees(preamble: list[str], vocabulary) -> list[dict]:
    """"... Bộ Tài chính đề nghị UBND các tỉnh, thành phố quan tâm chỉ đạo:" / "1. ...": the bodies named in
    the paragraph that introduces the items are given every item that names nobody itself."""
    if not preamble or not preamble[-1].rstrip().endswith(":"):
        return []
    text = preamble[-1]
    sentence_start = max(text.rfind(". ", 0, len(text) - 1), text.rfind("; ", 0, len(text) - 1)) + 1
    for match in _LEAD_IN_VERB.finditer(text, sentence_start):
        found = ag.scan_list(text, match.end(), vocabulary)
        if found:
            names = [name for name, _s, _e in found.names if not ag.GENERIC.search(name)]
            return _assignee_dicts([{"agency": name, "role": "lead"} for name in names])
    return []


def _group_loose_items(children: list[Node]) -> list[Node]:
    """Bullets outside any numbered section (a letter of bullets only) form one unnumbered section."""
    out: list[Node] = []
    for child in children:
        if child.kind in ("bullet", "plus", "para"):
            if not out or out[-1].kind != "group":
                out.append(Node("group", None, "", rank=0))
            out[-1].children.append(child)
        else:
            out.append(child)
    return out


def _unmarked_body(paragraphs, vocabulary):
    """No numbering and no bullets: the paragraphs that give work are the sections."""
    sections = []
    preamble, closing = [], []
    if len(paragraphs) == 1:
        body = paragraphs
    elif len(paragraphs) == 2:
        if paragraphs[1].rstrip().endswith("./.") and not ag.assignees_in(paragraphs[1], vocabulary).items:
            body, closing = paragraphs[:1], paragraphs[1:]
        else:
            preamble, body = paragraphs[:1], paragraphs[1:]
    else:
        preamble, body, closing = paragraphs[:1], paragraphs[1:-1], paragraphs[-1:]
    for text in body:
        found = ag.assignees_in(text, vocabulary)
        heading, task = None, text
        if found.colon_at and text[found.colon_at:].strip():
            heading, task = text[:found.colon_at].strip(), text[found.colon_at:].strip()
        sections.append({"number": None, "heading": heading, "assignees": _assignee_dicts(found.items),
                         "tasks": [_task(task)]})
    return preamble, sections, closing


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


class _SectionBuilder:
    def __init__(self, parsed: Parsed, vocabulary):
        self.parsed = parsed
        self.vocabulary = vocabulary
        self.sections: list[dict] = []
        self.preamble_extra: list[str] = []

    def emit(self, node: Node, part: str | None, inherited: list[dict], purpose: bool = False) -> None:
        if node.kind == "part":
            purpose = any(key in fold_chars(node.text) for key in NON_TASK_PARTS)
            if purpose and not self._assigns(node):
                self.preamble_extra.extend(self._flatten(node))
                return
            part = node.label
        elif purpose and not self._assigns(node) and not ag.assignees_in(node.text, self.vocabulary).items:
            return  # inside a part of targets ("Mục tiêu"): only the items that name who acts are tasks
        number = self._number(node, part)
        if node.kind == "row":
            self._row(node, number)
            return
        tasks = [child for child in node.children if self._task_like(node, child)]
        structural = [child for child in node.children if not self._task_like(node, child)]
        own = ag.assignees_in(node.text, self.vocabulary)
        self._note_generic(own.generic)
        if node.kind == "para":
            tasks, own = [node], ag.Assignees([], None, [])
        if tasks or not structural:
            self._section(node, number, tasks, own, inherited)
        elif node.text and not self._title(node.text):
            self._section(node, number, [], own, inherited)  # a full sentence before sub-items: its own task
        elif node.text:
            self.parsed.notes.append(f"Tiêu đề “{self._label(node)}{node.text}” không có nhiệm vụ riêng.")
        passed = _assignee_dicts(own.items) or inherited
        for child in structural:
            self.emit(child, part, passed, purpose)

    def _assigns(self, node: Node) -> bool:
        """Whether a part names anyone who must act (a "Mục đích, yêu cầu" part does not)."""
        def texts(n):
            for child in n.children:
                yield child.text
                yield from texts(child)
        return any(ag.assignees_in(text, self.vocabulary).items or _META.match(text) or _IMPLEMENTING.match(text)
                   for text in texts(node))

    @staticmethod
    def _title(text: str) -> bool:
        """A heading that only names a part ("Nhiệm vụ chung", "II. TỔ CHỨC THỰC HIỆN", "Sở Y tế:")."""
        return _is_upper_line(text) or text.rstrip().endswith(":") or len(text.split()) <= 12

    @staticmethod
    def _label(node) -> str:
        return f"{node.label}. " if node.label else ""

    def _flatten(self, node: Node, depth=0) -> list[str]:
        lines = [f"{node.label}. {node.text}" if node.kind in ("part", "num", "nested") else
                 f"{node.label}) {node.text}" if node.kind == "letter" else
                 f"- {node.text}" if node.kind == "bullet" else f"+ {node.text}" if node.kind == "plus" else node.text]
        for child in node.children:
            lines.extend(self._flatten(child, depth + 1))
        return lines

    def _number(self, node: Node, part: str | None) -> str | None:
        part = node.part or part
        if node.kind == "part":
            return node.label
        if node.kind in ("num", "row") and node.label:
            return f"{part}.{node.label}" if part else node.label
        if node.kind == "nested":
            return f"{part}.{node.label}" if part else node.label
        if node.kind == "letter":
            return node.label
        return None

    @staticmethod
    def _task_like(parent: Node, child: Node) -> bool:
        if child.kind in ("bullet", "plus", "para"):
            return True
        if child.kind in ("letter", "nested") and parent.kind in ("num", "nested", "part", "letter"):
            siblings = [c for c in parent.children if c.kind == child.kind]
            if any(sibling.children for sibling in siblings):
                return False  # "1.1" with its own items: every "1.x" is a section
            return parent.kind != "part" or child.kind == "letter"
        return False

    def _note_generic(self, names):
        for name in names:
            note = f"“{name}” là nhóm chung, không giao riêng cho ai: kiểm tra lại người thực hiện."
            if note not in self.parsed.notes:
                self.parsed.notes.append(note)

    def _section(self, node, number, task_nodes, own, inherited):
        year = getattr(self.parsed, "year", None)
        heading = node.text if task_nodes and node.kind != "para" else None
        assignees = _assignee_dicts(own.items) or ([] if own.items else list(inherited))
        tasks = []
        meta_lead, meta_coord, meta_when, meta_label, meta_words = [], [], None, "", []
        for child in task_nodes:
            implementing = _IMPLEMENTING.match(child.text)
            if implementing:
                found = ag.assignees_in(implementing.group("value"), self.vocabulary)
                self._note_generic(found.generic)
                meta_lead += [item["agency"] for item in found.items if item["role"] == "lead"]
                meta_coord += [item["agency"] for item in found.items if item["role"] != "lead"]
                continue
            meta = _META.match(child.text)
            if meta:
                key = fold_chars(meta.group("key"))
                value = meta.group("value")
                if "chu tri" in key:
                    names, generic = ag.split_names(value, self.vocabulary)
                    meta_lead += names
                    meta_words.append(child.text.strip().rstrip(".;") + ".")
                    self._note_generic(generic)
                elif "phoi hop" in key:
                    names, generic = ag.split_names(value, self.vocabulary)
                    meta_coord += names
                    meta_words.append(child.text.strip().rstrip(".;") + ".")
                    self._note_generic(generic)
                else:
                    meta_when = value.strip(" .;")
                    meta_label = meta.group(0)[:meta.start("value")].strip()
                continue
            text = _CONTENT_LABEL.sub("", child.text)
            if child.children:  # "+" sub-items stay with their item
                text = text + "\n" + "\n".join(self._flatten(grand)[0] for grand in child.children)
            tasks.append(_task(text, year))
        if meta_lead or meta_coord:
            assignees = _assignee_dicts([{"agency": n, "role": "lead"} for n in meta_lead] +
                                        [{"agency": n, "role": "coordinating"} for n in meta_coord])
        topic = _TOPIC.match(node.text) if not task_nodes and not own.items else None
        if topic and topic.group("rest").strip():
            # "Về kinh phí: Sở Tài chính tham mưu ...": a topic, then who must act
            found = ag.assignees_in(topic.group("rest"), self.vocabulary)
            if found.items:
                own = ag.Assignees(found.items, None, found.generic)
                assignees = _assignee_dicts(found.items) or assignees
                heading = topic.group("topic").strip()
                tasks = [_task(topic.group("rest"), year)]
        if not task_nodes or not tasks:
            # one paragraph: "X: task", or the whole paragraph is the task
            if own.colon_at and node.text[own.colon_at:].strip() and not tasks:
                heading = node.text[:own.colon_at].strip()
                tasks = [_task(node.text[own.colon_at:], year)]
            elif not tasks:
                heading = None
                tasks = [_task(node.text, year)]
            elif heading is not None and meta_lead:
                tasks = [_task(node.text, year)]
                heading = None
        if meta_words:  # who leads stays in the task's words, as the letter said it
            for task in tasks:
                task["text"] = f"{task['text'].rstrip('.')}. " + " ".join(meta_words)
        if meta_when:
            when = parse_when(meta_when, year)
            for task in tasks:  # the words of the deadline stay in the task, as the letter said them
                task["text"] = f"{task['text'].rstrip('.')}. {meta_label} {meta_when}."
                if not task["deadline"] and when["deadline"]:
                    task["deadline"] = when["deadline"]
                    task["deadline_text"] = when["deadline_text"]
                elif when["recurrence"] and "recurrence" not in task:
                    task["recurrence"] = when["recurrence"]
        if not assignees and not inherited and len(tasks) == 1:
            assignees = self._labelled(tasks[0]["text"]) or self._named_in_task(tasks[0]["text"])
        if own.items and tasks and not meta_coord:
            assignees = self._with_coordinating(assignees, tasks)
        section = {"number": number, "heading": heading or None, "assignees": assignees, "tasks": tasks}
        if not assignees and not inherited and len(tasks) > 1:
            self._split_by_task_agencies(section)
        else:
            self.sections.append(section)

    def _with_coordinating(self, assignees: list[dict], tasks: list[dict]) -> list[dict]:
        """"Sở Y tế:" / "- Chủ trì, phối hợp với Công an tỉnh ...": who the heading's body works with."""
        names = []
        for task in tasks:
            found, generic = ag.coordinating_in(task["text"], self.vocabulary)
            self._note_generic(generic)
            names += found
        extra = [{"agency": name, "role": "coordinating"} for name in names
                 if all(ag.low(name) != ag.low(a["agency"]) for a in assignees)]
        return _assignee_dicts(assignees + extra)

    def _named_in_task(self, text: str) -> list[dict]:
        """A heading that names nobody ("Về kinh phí:"), then "Giao Bộ Xây dựng chủ trì, ..." as its text."""
        found = ag.assignees_in(text, self.vocabulary)
        self._note_generic(found.generic)
        return _assignee_dicts(found.items)

    def _labelled(self, text: str) -> list[dict]:
        """"... Cơ quan chủ trì: Sở Y tế. Cơ quan phối hợp: Sở Tài chính, UBND các huyện." inside a paragraph."""
        items = []
        for match in _LABELLED_ROLE.finditer(text):
            role = "lead" if "chu tri" in fold_chars(match.group("key")) else "coordinating"
            names, generic = ag.split_names(match.group("value"), self.vocabulary)
            self._note_generic(generic)
            items += [{"agency": name, "role": role} for name in names]
        return _assignee_dicts(items)

    def _split_by_task_agencies(self, section):
        """The lead-in names nobody but the items do ("- Sở Y tế chủ trì ..."): one section each."""
        groups = [dict(section, tasks=[])]
        for task in section["tasks"]:
            found = ag.assignees_in(task["text"], self.vocabulary)
            if found.items:
                groups.append({"number": None, "heading": None, "assignees": _assignee_dicts(found.items),
                               "tasks": [task]})
            else:
                groups[-1]["tasks"].append(task)
        if len(groups) > 1 and not groups[0]["tasks"]:
            first = groups.pop(0)
            groups[0].update(number=first["number"], heading=first["heading"])
        self.sections.extend(g for g in groups if g["tasks"])

    def _row(self, node: Node, number):
        cells = node.cells
        year = getattr(self.parsed, "year", None)
        text = cells.get("content", "").strip()
        labels = {role: label[:1].upper() + label[1:] for role, label in (node.labels or {}).items()}
        for role, label in (("lead", "Cơ quan chủ trì"), ("coordinating", "Cơ quan phối hợp"),
                            ("product", "Sản phẩm"), ("note", "Ghi chú")):
            if cells.get(role, "").strip():
                text = f"{text.rstrip('.')}. {labels.get(role, label)}: {cells[role].strip().rstrip('.')}"
        when_text = cells.get("deadline", "").strip()
        if when_text:
            text = f"{text.rstrip('.')}. {labels.get('deadline', 'Thời gian hoàn thành')}: {when_text.rstrip('.')}"
        text = text.rstrip(".") + "."
        task = {"text": text, "deadline": None}
        if when_text:
            when = parse_when(when_text, year)
            if when["deadline"]:
                task["deadline"] = when["deadline"]
                task["deadline_text"] = when["deadline_text"]
            if when["recurrence"]:
                task["recurrence"] = when["recurrence"]
        lead, generic_lead = ag.split_names(cells.get("lead", ""), self.vocabulary)
        coord, generic_coord = ag.split_names(cells.get("coordinating", ""), self.vocabulary)
        self._note_generic(generic_lead + generic_coord)
        assignees = _assignee_dicts([{"agency": n, "role": "lead"} for n in lead] +
                                    [{"agency": n, "role": "coordinating"} for n in coord])
        self.sections.append({"number": number, "heading": None, "assignees": assignees, "tasks": [task]})


# ---------------------------------------------------------------- finishing touches

def _finish(parsed: Parsed) -> None:
    data = parsed.data
    subject = data["subject"]
    if data["doc_type"] == "cong_van" and data["symbol"]:
        prefix = fold_chars(data["symbol"].split("-")[0]).strip()
        if prefix in SYMBOL_TYPES:
            data["doc_type"] = SYMBOL_TYPES[prefix]
    if subject and doc_types.get(data["doc_type"]).printed_name:
        subject = re.sub(r"^(?:V\s*/\s*V|VỀ VIỆC|VỀ)\s*[:.]?\s+", "", subject)  # "CHỈ THỊ" / "VỀ TĂNG CƯỜNG ..."
    if subject:
        if len(subject) > 1 and subject[0].isupper() and subject[1:2].islower():
            subject = subject[0].lower() + subject[1:]
        data["subject"] = subject.rstrip(" .;")
    warnings = parsed.warnings
    if not data["issuer"]:
        warnings.append("Không thấy tên cơ quan ban hành ở đầu văn bản: chọn cơ quan ban hành.")
    if "number" not in parsed.found:
        warnings.append("Không thấy dòng “Số: …/…”: ký hiệu văn bản để trống.")
    if not data["subject"]:
        warnings.append("Không thấy trích yếu (dòng “V/v …” hoặc tên loại văn bản và trích yếu): nhập trích yếu.")
    if doc_types.get(data["doc_type"]).takes_recipients and not data["recipients"]:
        warnings.append("Không thấy “Kính gửi”: nhập nơi nhận.")
    if not data["sections"]:
        warnings.append("Không nhận ra mục hay nhiệm vụ nào.")
    if "cc" not in parsed.found:
        warnings.append("Không thấy “Nơi nhận”.")
    if not data["signer"]["title"]:
        warnings.append("Không thấy khối chữ ký (thẩm quyền, chức vụ người ký).")
    elif not data["signer"]["name"]:
        warnings.append("Không thấy họ tên người ký.")

