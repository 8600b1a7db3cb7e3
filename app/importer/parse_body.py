"""Stage 2 of the parser: the body, from lines to paragraphs (undoing hard wraps), paragraphs to a tree
of numbered parts, items, letters and bullets, and the tree to sections (parse_sections.py).

Who acts, in order of precedence: the item's own heading, a "Cơ quan thực hiện"/"chủ trì"/"phối hợp" line
under it, the body named in its text, the bodies of the lead-in paragraph ("... đề nghị UBND các tỉnh:"),
then (in the directive format) the Kính gửi."""
import re

from app.importer import agencies as ag
from app.importer.parse_common import (
    _META,    _LEAD_IN_VERB, _asked_in, _ARTICLE, Node, Parsed, _BULLET, _LETTER, _LETTERS, _NESTED, _NOI_NHAN, _NUM, _PART_NUM, _PLUS, _ROMAN,
    _assignee_dicts, _is_upper_line, _marker, _roman_value, _starts_lower, _task, _terminal, fold_chars,
)
from app.importer.parse_sections import SectionBuilder


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
    if prev.rstrip().endswith(":") and line.rstrip().endswith(":") and len(line) < 80 and \
            re.fullmatch(r"(?:[A-ZĐÀ-Ỹ][^\s,:]*(?:\s+[A-ZĐÀ-Ỹ][^\s,:]*)*(?:,\s*|\s+và\s+)?)+:", line.strip()):
        return True  # "... trọng tâm là các tỉnh:" / "Đắk Lắk, Khánh Hòa, Gia Lai và Lâm Đồng:": one heading
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
    match = _ARTICLE.match(paragraph)
    if match:
        state.update(num=None, letter=None)
        return Node("num", re.sub(r"\s+", " ", match.group("label")), match.group("rest"), rank=1)
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
            when = _META.match(node.text)
            if when and top.kind in ("bullet", "plus") and top.when is None and \
                    fold_chars(when.group("key")).startswith(("thoi gian", "thoi han", "han")):
                top.when = node.text  # the time line of a "- " task: its deadline, not more of its words
                continue
            if top.kind in ("bullet", "plus", "letter") and not top.children or top.kind == "para" or \
                    top.kind in ("num", "nested", "part") and not top.children and not top.text.rstrip().endswith(":") \
                    and not SectionBuilder._title(top.text):
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


_ANNOUNCES = re.compile(r"\bthông\s+báo\b[^:]{0,40}:$", re.IGNORECASE)


def _announced(sections: list[dict], issuer: list[str]) -> tuple[list[dict], list[str]]:
    """"Ủy ban nhân dân xã Đức Hợp thông báo như sau: 1. Tạm dừng ... 2. UBND xã chỉ xem xét ...": what the
    issuer announces, or does itself, is not a task given to anyone; items naming another body stay."""
    level = fold_chars(issuer[-1]).split()[0] if issuer and issuer[-1].split() else None
    def itself(name: str) -> bool:
        words = fold_chars(name).split()
        return bool(level) and len(words) >= 2 and words[-1] == level and " ".join(words[:-1]) in ("ubnd", "uy ban nhan dan")
    kept, announced = [], []
    for section in sections:
        if not section["assignees"] or all(itself(a["agency"]) for a in section["assignees"]):
            announced.extend(task["text"] for task in section["tasks"])
        else:
            kept.append(section)
    return kept, announced


_ATTACHED = re.compile(r"\b(?:gửi\s+kèm|kèm\s+theo|đính\s+kèm)\b[^.]*:$", re.IGNORECASE)


def _without_attachment_list(paragraphs: list[str], parsed: Parsed) -> list[str]:
    """"Bộ Tài chính gửi kèm bộ Cẩm nang gồm:" and its "- " list (and a "(...)" after it) say what is sent
    with the letter, not what must be done: they go to the notes."""
    out, k = [], 0
    while k < len(paragraphs):
        paragraph = paragraphs[k]
        if _ATTACHED.search(paragraph) and not _marker(paragraph) and k + 1 < len(paragraphs) \
                and _BULLET.match(paragraphs[k + 1]):
            listed = [paragraph]
            k += 1
            while k < len(paragraphs) and (_BULLET.match(paragraphs[k]) or paragraphs[k].startswith("(")):
                listed.append(paragraphs[k])
                k += 1
            parsed.notes.append("Tài liệu gửi kèm (không phải nhiệm vụ): " + " ".join(listed))
            continue
        out.append(paragraph)
        k += 1
    return out


def read_body(lines: list[str], parsed: Parsed, vocabulary) -> None:
    data = parsed.data
    paragraphs, wrapped = _paragraphs(lines)
    if not paragraphs:
        parsed.warnings.append("Không thấy nội dung văn bản (các mục, nhiệm vụ).")
        return
    paragraphs = _without_attachment_list(paragraphs, parsed)
    preamble, root, closing = _build_tree(paragraphs, wrapped)
    if not root.children:
        preamble, sections, closing = _unmarked_body(paragraphs, vocabulary)
        data["sections"] = sections
    else:
        parsed.found.add("markers")
        builder = SectionBuilder(parsed, vocabulary)
        lead_in = _lead_in_assignees(preamble, vocabulary)
        named = sum(1 for child in root.children if ag.assignees_in(child.text, vocabulary).items)
        if named * 2 >= len(root.children):
            lead_in = []  # the items name their own bodies: the lead-in only introduces them
        for child in _group_loose_items(root.children):
            builder.emit(child, None, lead_in)
        data["sections"] = builder.sections
        preamble = preamble + builder.preamble_extra
        if preamble and _ANNOUNCES.search(preamble[-1]) and not _LEAD_IN_VERB.search(preamble[-1]):
            data["sections"], announced = _announced(data["sections"], data["issuer"])
            preamble += announced
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
        items = found.items or _asked_in(text, vocabulary)
        sections.append({"number": None, "heading": heading, "assignees": _assignee_dicts(items),
                         "tasks": [_task(task)]})
    return preamble, sections, closing

