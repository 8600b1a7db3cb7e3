"""Stage 3 of the parser: the tail (Nơi nhận and the signature block, in whatever order a crawl left them).

Order of precedence for each line: "Nơi nhận:", a signature placeholder, a "- " Nơi nhận item (with a
signature glued to it), a signature title line, the body an authority acts for, a title glued to a
name, the signer's name, a wrapped Nơi nhận item; what is left is noted."""
import re

from app.importer.parse_common import (
    _starts_lower,    BODY_WORDS, LOWER, PLACEHOLDERS, Parsed, SIGNER_WORDS, UPPER, _AUTHORITY, _NOI_NHAN, _NUM, _ROMAN,
    _is_upper_line, _item, _marker,
)


def _signature_line(line: str) -> bool:
    if _AUTHORITY.match(line) and _is_upper_line(line):
        return True
    if _marker(line):
        return False
    if not _is_upper_line(line) or any(ch in line for ch in ",;:()/") or len(line) > 70:
        return False
    return any(word in line.upper() for word in SIGNER_WORDS)


def find_tail(lines: list[str], start: int) -> int:
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


def read_tail(lines: list[str], parsed: Parsed) -> None:
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
        if line.startswith("+ ") and data["cc"] and re.search(r":\s*\+", cc_raw):
            # "- VPUB: + CVP, các PCVP (đ/b);" / "+ Cổng TTĐT tỉnh (đưa tin);": one entry with its sub-entries
            cc_raw = cc_raw + " " + line
            data["cc"][-1] = _cc_item(cc_raw)
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
        if in_cc and data["cc"] and (cc_open or _starts_lower(line) and not titles):
            # "- C, PCVP UBND tỉnh, các Phòng: KG-VX," / "KT, TH-NC;"; "- VPCP: ..., TGĐ Cổng TTĐT;" / "các Vụ: ..."
            cc_raw = cc_raw + " " + line
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
