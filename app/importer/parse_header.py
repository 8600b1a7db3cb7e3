"""Stage 1 of the parser: the header (agency lines, number and symbol, place and date, type and subject,
urgency, Kính gửi or the công điện's "... điện:" addressees), up to the first line of the body.

Order of precedence for each line: the motto, the number, the place-date line, an urgency mark, a type
title, a "V/v"/"Về việc" subject, the continuation of the subject, Kính gửi, "... điện:", a recipient
item, then an agency line; anything else starts the body."""
import re
from datetime import date

from app.importer import agencies as ag
from app.importer.parse_common import (
    Parsed, SENTENCE_STARTS, TYPE_LINES, URGENCY_LINES, _AUTHORITY, _DIEN, _KINH_GUI, _NOI_NHAN, _NUMBER,
    _NUMBER_ONLY, _PLACE_DATE, _SUBJECT, _is_upper_line, _item, _marker, _starts_lower, fold_chars,
)


_MOTTO = re.compile(r"cong hoa xa hoi chu nghia viet nam|doc lap\s*[-–]?\s*tu do\s*[-–]?\s*hanh phuc")


def _split_motto(line: str) -> tuple[str, str | None]:
    """Remove the national motto from a line (PDF text may glue it to the agency line)."""
    folded = fold_chars(line)
    match = _MOTTO.search(folded)
    if match:
        rest = (line[:match.start()] + " " + line[match.end():]).strip(" -–")
        return rest, match.group(0)
    return line, None


def read_header(lines: list[str], parsed: Parsed) -> int:
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
            closed = bool(data["recipients"]) and recipient_raw.rstrip().endswith(".")
            if (line.startswith("- ") or line.startswith("+ ")) and closed:
                return _body_index(lines, index, pending)  # "Kính gửi: X." ended the list: a dash item is body
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
