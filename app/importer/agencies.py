"""Who must act: agency names at the start of a sentence, as written, with their role.

"Sở Lao động - Thương binh và Xã hội chủ trì, phối hợp với Sở Y tế, Công an tỉnh, UBND các
huyện, thành phố tiếp tục ..." gives the Sở as lead and the three others as coordinating.
"Giao UBND thành phố làm đầu mối phối hợp với các huyện, thị xã, thành phố ...", "Công an
huyện: Kịp thời ...", "Các Sở, ban ngành, đơn vị thuộc UBND tỉnh, UBND các huyện, thành phố
tiếp tục ..." (several agencies, none in charge: each leads its own copy).

A name starts with a capitalised head word (Sở, Ủy ban nhân dân, UBND, Công an, Trung tâm ...)
or "các" + a unit word (các huyện, các Sở), and runs until a lower-case verb (tiếp tục, chủ trì,
đề xuất ...), a colon, or a comma that does not continue it (", thị xã, thành phố" continues
"UBND các huyện"; ", Công an tỉnh" starts a new name). Pure functions, no Flask.
"""
import re
from dataclasses import dataclass

from app.importer.agency_words import (  # noqa: F401  (GENERIC and low are read by other modules as ag.X)
    DOCUMENT_WORDS, GENERIC, HEADS, NOT_HEADS, OPENERS, ROLE_LEAD, SENTENCE_VERBS, STOPS, UNITS, _phrases, low,
)

_TOKEN = re.compile(r"\(|\)|[,;:]|[^\s,;:()]+")


@dataclass
class Token:
    text: str
    start: int
    end: int

    @property
    def low(self) -> str:
        return low(self.text)

    @property
    def word(self) -> bool:
        return self.text not in ",;:()"

    @property
    def capital(self) -> bool:
        first = next((ch for ch in self.text if ch.isalpha()), "")
        return bool(first) and first.isupper()


def tokens(text: str) -> list[Token]:
    return [Token(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _match(toks: list[Token], i: int, phrases) -> int:
    """Length (in tokens) of the longest phrase matching at i, or 0."""
    for phrase in phrases:
        n = len(phrase)
        if i + n <= len(toks) and all(toks[i + k].word and toks[i + k].low.strip(".") == phrase[k]
                                      for k in range(n)):
            return n
    return 0


def _head_at(toks, i) -> int:
    """Tokens of a head word starting a name at i (0 if none)."""
    if i >= len(toks) or not toks[i].word:
        return 0
    if toks[i].low == "các":
        if _match(toks, i + 1, DOCUMENT_WORDS):
            return 0  # "Các Nghị định về ...": documents, not bodies
        if i + 1 < len(toks) and toks[i + 1].word and (toks[i + 1].capital or _match(toks, i + 1, UNITS)
                                                        or _match(toks, i + 1, HEADS)):
            return 1
        return 0
    if not toks[i].capital:
        return 0
    n = _match(toks, i, HEADS)
    if not n:
        return 0
    if i + n < len(toks) and (toks[i + n - 1].low, toks[i + n].low.strip(",.")) in NOT_HEADS:
        return 0
    if i + n < len(toks) and toks[i + n].text == "," and n == 1 and toks[i].low in ("phòng", "ban", "thanh"):
        return 0
    return n


@dataclass
class Found:
    names: list[tuple[str, int, int]]  # (name as written, start, end offsets)
    end: int  # offset where the list ends in the text
    colon: bool  # the list is followed by ":" (the "X: task" form)


def scan_list(text: str, start: int = 0, vocabulary=None) -> Found | None:
    """Agency names starting at `start`, or None when the words there are not an agency list.

    `vocabulary` (optional): a function telling whether a string is a known agency name; it lets
    a name run past a word that would otherwise end it ("Trung tâm Giáo dục thường xuyên").
    """
    toks = [t for t in tokens(text) if t.start >= start]
    names, i, colon = [], 0, False
    while i < len(toks):
        n = _head_at(toks, i) or (len(names) >= 2 and _loose_name_at(toks, i))
        if not n:
            break
        first = i
        i = _read_name(toks, i, n)
        if i == first + n and i + 1 < len(toks) and toks[i].text == "," and toks[i + 1].word \
                and not toks[i + 1].capital and not _match(toks, i + 1, UNITS):
            return None  # "Thanh tra, kiểm tra việc ...": a verb, not an agency
        if vocabulary is not None:
            i = _extend_with_vocabulary(text, toks, first, i, vocabulary)
        name_text = text[toks[first].start:toks[i - 1].end].strip(" ,;")
        names.append((name_text, toks[first].start, toks[i - 1].end))
        if i >= len(toks):
            break
        tok = toks[i]
        if tok.text == ":":
            colon = True
            break
        if tok.text in ",;":
            if _head_at(toks, i + 1) or len(names) >= 2 and _loose_name_at(toks, i + 1):
                i += 1
                continue
            break
        if tok.low == "và" and _head_at(toks, i + 1):
            i += 1
            continue
        break
    if not names:
        return None
    end = toks[i].start if i < len(toks) else len(text)
    if not _valid_end(toks, i):
        return None
    for name, _s, _e in names:
        words = name.split()
        if len(words) < 2 and low(words[0]) not in ("ubnd", "hđnd", "bcđ", "ttyt", "vp"):
            return None
    return Found(names=names, end=end, colon=colon)


def _loose_name_at(toks, i) -> int:
    """In a long list of bodies ("..., Tòa án nhân dân tỉnh, Thuế tỉnh, Kiểm toán nhà nước khu vực II, ..."), a
    capitalised name whose first word is no agency word still starts a name (1 token), else 0."""
    if i < len(toks) and toks[i].word and toks[i].capital and not _match(toks, i, STOPS) and \
            not _match(toks, i, DOCUMENT_WORDS) and i + 1 < len(toks) and toks[i + 1].word:
        return 1
    return 0


def _read_name(toks, i, head_len) -> int:
    """Read one name starting at toks[i]; return the index of the token after it."""
    group_mode = toks[i].low == "các"
    start = i
    i += head_len
    if group_mode:
        i += _match(toks, i, UNITS)  # "các tổ chức": the unit, not the verb "tổ chức"
    previous_capital = toks[i - 1].capital
    while i < len(toks):
        tok = toks[i]
        if tok.text == "(":
            close = next((k for k in range(i + 1, min(len(toks), i + 30)) if toks[k].text == ")"), None)
            if close is None:
                break
            i = close + 1
            previous_capital = False
            continue
        if tok.text == ",":
            nxt = i + 1
            if nxt < len(toks) and toks[nxt].word:
                unit = _match(toks, nxt, UNITS)
                if group_mode and unit and not toks[nxt].capital:
                    i = nxt + unit
                    i = _thuoc_tail(toks, i)
                    continue
                if group_mode and toks[nxt].capital and not _head_at(toks, nxt):
                    i = nxt + 1  # "các huyện Đắk Hà, Đắk Tô"
                    previous_capital = True
                    continue
                if toks[i - 1].low == "phòng" and toks[nxt].low == "chống":
                    i = nxt + 1  # "phòng, chống dịch"
                    previous_capital = False
                    continue
                if not group_mode and not toks[nxt].capital and unit:
                    # "Các Sở, ban ngành" written with a capital S: still a group
                    group_mode = True
                    i = nxt + unit
                    i = _thuoc_tail(toks, i)
                    continue
            break
        if tok.text == ":" and _match(toks, i - 1, UNITS):
            after = _place_list(toks, i + 1)  # "các tỉnh: Khánh Hòa, Đắk Lắk, Gia Lai", "Các Bộ: Quốc phòng, Tài chính"
            if after:
                i = after
                continue
        if tok.text in ";:)":
            break
        if tok.low == "và":
            if _head_at(toks, i + 1):
                break
            if i + 1 < len(toks) and toks[i + 1].low == "các":
                break
            i += 1
            previous_capital = False
            continue
        if tok.low == "liên" and i + 1 < len(toks) and toks[i + 1].low == "quan" or \
                tok.low == "có" and i + 2 < len(toks) and toks[i + 1].low == "liên" and toks[i + 2].low == "quan":
            i += 2 if tok.low == "liên" else 3  # "các cơ quan có liên quan": generic, kept whole
            break
        if tok.text in ("-", "–") and i + 1 < len(toks) and _match(toks, i + 1, _phrases("cơ quan|đơn vị")):
            break  # "Sở Tài chính - Cơ quan thường trực Ban Chỉ đạo": the body, then what it is
        if tok.capital and _match(toks, i, ROLE_LEAD + SENTENCE_VERBS):
            break  # "Sở Nội vụ" / "Chủ trì, phối hợp ...": a heading and its text run together
        if not tok.capital:
            if tok.low == "các" and _match(toks, i + 1, UNITS):
                group_mode = True
                i += 1 + _match(toks, i + 1, UNITS)
                previous_capital = False
                continue
            if not previous_capital and _match(toks, i, STOPS):
                break
            if previous_capital and _match(toks, i, STOPS) > 1:
                break  # "Kon Tum rà soát"; but "Đào tạo" goes on (a one-word verb after a capital)
        if group_mode and not tok.capital and toks[i - 1].word and _match(toks, i - 1, UNITS) == 1 and \
                not _match(toks, i, UNITS) and tok.low not in ("thuộc", "trực", "trên", "-") and \
                toks[i - 1].low not in ("các",):
            # "các huyện, thị xã, thành phố thống nhất cơ chế": a group ends after its unit words
            if not tok.capital:  # a place name ("các huyện Đắk Hà") would go on
                break
        previous_capital = tok.capital
        i += 1
        if i - start > 60:  # no name is that long
            break
    return i


def _place_list(toks, i) -> int:
    """After "các tỉnh:": capitalised names separated by "," and "và", up to a ":" or a verb; the index after
    them, or 0 when the words there are not such a list (the text of a task)."""
    start = i
    while i < len(toks):
        tok = toks[i]
        if tok.text == "," or tok.low == "và" and i + 1 < len(toks) and toks[i + 1].capital and \
                not _head_at(toks, i + 1):
            i += 1
            continue
        if tok.word and tok.capital and not _head_at(toks, i) and not _match(toks, i, STOPS):
            i += 1
            continue
        if i > start and tok.word and not tok.capital and not _match(toks, i, STOPS) and \
                (tok.text in ("-", "–") or toks[i - 1].capital):
            i += 1  # "Nông nghiệp và Môi trường", "Quy hoạch - Kiến trúc": names with small words
            continue
        break
    if i == start or not toks[i - 1].word:
        return 0
    if i >= len(toks) or toks[i].text == ":" or toks[i].low == "và" or \
            toks[i].word and not toks[i].capital and _match(toks, i, STOPS):
        return i
    return 0


def _thuoc_tail(toks, i) -> int:
    """After a unit word: "thuộc Ủy ban nhân dân tỉnh", "trực thuộc", "trên địa bàn tỉnh", "từ Hà Tĩnh đến Lâm Đồng"."""
    if i + 1 < len(toks) and toks[i].low == "từ" and toks[i + 1].capital:
        k = i + 1
        while k < len(toks) and toks[k].word and toks[k].capital:
            k += 1
        if k + 1 < len(toks) and toks[k].low == "đến" and toks[k + 1].capital:
            k += 1
            while k < len(toks) and toks[k].word and toks[k].capital:
                k += 1
            return k
    if i + 1 < len(toks) and toks[i].low == "của" and toks[i + 1].capital and not _head_at(toks, i + 1):
        i += 2  # "các Sở, ban, ngành của Thành phố"
        while i < len(toks) and toks[i].word and toks[i].capital:
            i += 1
        return i
    if i < len(toks) and toks[i].low in ("thuộc", "trực"):
        i += 1
        while i < len(toks) and toks[i].word and toks[i].low not in ("và",):
            if not toks[i].capital and _match(toks, i, STOPS) and not toks[i - 1].capital:
                break
            i += 1
    return i


def _extend_with_vocabulary(text, toks, first, end, vocabulary) -> int:
    """Run a name on to the longest directory name that starts the same way ("Trung tâm Giáo dục
    nghề nghiệp - Giáo dục thường xuyên", where "thường xuyên" would otherwise end it)."""
    best = end
    for k in range(end + 1, min(len(toks), first + 30) + 1):
        last = toks[k - 1]
        if not last.word and last.text != ")" or last.text in ("-", "–"):
            continue
        if vocabulary(text[toks[first].start:last.end]):
            best = k
    return best


def _valid_end(toks, i) -> bool:
    """What follows a list: end of text, a colon, "(", a verb or a role word."""
    if i >= len(toks):
        return True
    tok = toks[i]
    if tok.text in (":", "(", ")"):
        return True
    if tok.text in ",;":
        i += 1
        if i >= len(toks):
            return True
    tok = toks[i]
    if tok.text == ".":
        return True
    if tok.word and not tok.capital and (_match(toks, i, STOPS) or _match(toks, i, ROLE_LEAD)):
        return True
    if tok.word and tok.capital and _match(toks, i, ROLE_LEAD + SENTENCE_VERBS):
        return True
    if tok.text in ("-", "–") and _match(toks, i + 1, _phrases("cơ quan|đơn vị")):
        return True  # "Sở Tài chính - Cơ quan thường trực ..."  # "Sở Nội vụ" / "Chủ trì, ...": the heading's text on the same line
    if tok.text.strip(".") == "" or tok.text in ("./.", "."):
        return True
    return False


_CLAUSE = re.compile(r"^(?:Căn\s+cứ|Trên\s+cơ\s+sở)\s[^,;:]{3,160},\s*(?=[A-ZĐÀ-Ỹ]|các\s)")


def _opener(text: str) -> int:
    clause = _CLAUSE.match(text)  # "Căn cứ kế hoạch này, Giám đốc các Sở, ... xây dựng ..."
    offset = clause.end() if clause and scan_list(text, clause.end()) else 0
    toks = [t for t in tokens(text) if t.start >= offset]
    n = _match(toks, 0, OPENERS)
    if n and toks[0].capital:
        return toks[n - 1].end
    return offset


@dataclass
class Assignees:
    items: list[dict]  # {"agency": name as written, "role": "lead" | "coordinating"}
    colon_at: int | None  # where "X:" ends when the text is "X: task"
    generic: list[str]  # names too vague to assign ("các cơ quan liên quan")


def assignees_in(text: str, vocabulary=None) -> Assignees:
    """Who must act in a heading or a one-paragraph section (empty when it names nobody)."""
    text = text or ""
    start = _opener(text)
    found = scan_list(text, start, vocabulary)
    if found is None:
        return Assignees([], None, [])
    items, generic = [], []
    for name, _s, _e in found.names:
        (generic if GENERIC.search(name) else items).append(name)
    result = [{"agency": name, "role": "lead"} for name in items]
    if found.colon:
        colon_at = text.index(":", found.end) + 1
        return Assignees(result, colon_at, generic)
    rest = text[found.end:]
    for match in re.finditer(r"\bphối\s+hợp(?:\s+chặt\s+chẽ)?(?:\s+với)?\s+", rest, re.IGNORECASE):
        offset = found.end + match.end()
        coordinating = scan_list(text, offset, vocabulary)
        if coordinating is None:
            continue
        for name, _s, _e in coordinating.names:
            if GENERIC.search(name):
                generic.append(name)
            elif all(low(name) != low(item["agency"]) for item in result):
                result.append({"agency": name, "role": "coordinating"})
        break
    return Assignees(result, None, generic)


def only_a_name(text: str) -> bool:
    """A short heading that starts with an agency word and holds no verb ("Báo và Phát thanh, Truyền hình
    thành phố"): a name the reader could not delimit, but a name."""
    toks = tokens(text)
    words = [t for t in toks if t.word]
    if not 2 <= len(words) <= 12 or not _head_at(toks, 0) or any(t.text in ".;()" for t in toks):
        return False
    return not any(not t.capital and (_match(toks, k, STOPS) or _match(toks, k, ROLE_LEAD))
                   for k, t in enumerate(toks) if t.word and t.low not in ("và", "các", "của", "thuộc", "trực"))


def coordinating_in(text: str, vocabulary=None) -> tuple[list[str], list[str]]:
    """The bodies after "phối hợp (chặt chẽ) (với)" anywhere in a task's text, and the generic ones among them."""
    names, generic = [], []
    for match in re.finditer(r"\bphối\s+hợp(?:\s+chặt\s+chẽ)?(?:\s+với)?\s+", text or "", re.IGNORECASE):
        found = scan_list(text, match.end(), vocabulary)
        for name, _s, _e in found.names if found else []:
            (generic if GENERIC.search(name) else names).append(name)
    return names, generic


def split_names(cell: str, vocabulary=None) -> tuple[list[str], list[str]]:
    """A table cell or a "Cơ quan phối hợp: ..." value: every name in it (and the generic ones)."""
    cell = (cell or "").strip(" .;")
    if not cell:
        return [], []
    found = scan_list(cell, 0, vocabulary)
    names = [name for name, _s, _e in found.names] if found else []
    if not found or found.end < len(cell.rstrip(" .;")) - 1:
        # not a clean list: fall back to the separators people use in tables
        names = [part.strip(" .;,") for part in re.split(r"\s*;\s*|\s*\n\s*", cell) if part.strip(" .;,")]
    items = [name for name in names if not GENERIC.search(name)]
    generic = [name for name in names if GENERIC.search(name)]
    return items, generic
