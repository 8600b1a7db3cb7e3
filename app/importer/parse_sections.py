"""Stage 2b of the parser: the body's tree to the sections of the directive format (number as printed,
heading, assignees with their roles, tasks with their deadlines)."""

import re

from app.importer import agencies as ag
from app.importer.deadlines import parse_when
from app.importer.parse_common import (
    _asked_in,    NON_TASK_PARTS, Node, Parsed, _CONTENT_LABEL, _IMPLEMENTING, _LABELLED_ROLE, _META, _TOPIC,
    _assignee_dicts, _is_upper_line, _task, fold_chars,
)


_RESPONSIBLE = (re.compile(r"^(?:Trách\s+nhiệm|Nhiệm\s+vụ)\s+của\s+(?P<who>[^:()]{3,120}?)\s*(?:\([^)]*\))?\s*:?$"),
                re.compile(r"^(?P<who>[^:()]{3,120}?)\s+có\s+trách\s+nhiệm\s*:?$"))


_RESPONSIBLE_SENTENCE = re.compile(r"^(?P<who>[A-ZĐ][^:();.]{3,120}?)\s+có\s+trách\s+nhiệm\s")


def _with_time_line(task: dict, when_line: str | None, year) -> dict:
    """A task's own time line ("Thời gian hoàn thành: Trước ngày 31/5/2026"): its deadline, the words kept."""
    meta = _META.match(when_line or "")
    if not meta:
        return task
    when = parse_when(meta.group("value").strip(" .;"), year)
    if when["deadline"]:
        task["deadline"], task["deadline_text"] = when["deadline"], when_line.strip().rstrip(".")
    elif when["recurrence"]:
        task["recurrence"] = when["recurrence"]
    else:  # a time the reader cannot date ("Từ tháng 10/2025 đến khi kết thúc kiểm kê"): kept in the words
        task["text"] = task["text"].rstrip() + " " + when_line.strip()
    return task


_IMPLIED = re.compile(r"^(?P<who>Tỉnh|Thành phố|Huyện|Xã|Phường|Bộ|Ngành)\s+(?:cần|phải|tiếp tục|chủ động|khẩn trương|"
                      r"tập trung|quan tâm|sớm)\b")


def _implied(part: Node) -> list[dict]:
    """"II. ... 1. Về tăng trưởng kinh tế: Tỉnh cần tập trung ..." / "2. Cần đánh giá ...": the addressee of a
    thông báo kết luận named once, bare, at the start of the part; it is the body of the part's items."""
    first = next((child for child in part.children if child.kind in ("num", "nested")), None)
    if first is None:
        return []
    texts = [first.text] + [child.text for child in first.children[:1]]
    for text in texts:
        topic = _TOPIC.match(text)
        text = topic.group("rest") if topic else text
        match = _IMPLIED.match(text.strip())
        if match:
            return [{"agency": match.group("who"), "role": "lead", "deadline": None}]
    return []


def _responsible(heading: str):
    """"Trách nhiệm của đối tượng thực hiện kiểm kê:", "Các đơn vị cấp nước sạch ... có trách nhiệm": the heading
    names its body in words the agency reader does not know; the body is what the heading says. So does a
    heading that is only a name ("Báo và Phát thanh, Truyền hình thành phố")."""
    heading = heading.strip()
    for pattern in _RESPONSIBLE:
        match = pattern.match(heading)
        if match:
            return ag.Assignees([{"agency": match.group("who").strip(), "role": "lead"}], None, [])
    if ag.only_a_name(heading.rstrip(":")):
        return ag.Assignees([{"agency": heading.rstrip(": "), "role": "lead"}], None, [])
    return None


class SectionBuilder:
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
        if (node.label or "").startswith("Điều") and not self._assigns(node) and \
                not ag.assignees_in(node.text, self.vocabulary).items:
            self.preamble_extra.append(f"{node.label}. {node.text}")  # "Điều 1. Ban hành kèm theo ...": no task
            return
        if node.kind == "row":
            self._row(node, number)
            return
        tasks = [child for child in node.children if self._task_like(node, child)]
        structural = [child for child in node.children if not self._task_like(node, child)]
        own = ag.assignees_in(node.text, self.vocabulary)
        self._note_generic(own.generic)
        if not own.items and node.kind != "para":
            own = _responsible(node.text) or own
        if node.kind == "para":
            tasks, own = [node], ag.Assignees([], None, [])
        if tasks or not structural:
            self._section(node, number, tasks, own, inherited)
        elif node.text and not self._title(node.text) and (own.items or not self._assigns(node)):
            self._section(node, number, [], own, inherited)  # a full sentence before sub-items: its own task
        elif node.text:
            self.parsed.notes.append(f"Tiêu đề “{self._label(node)}{node.text}” không có nhiệm vụ riêng.")
        passed = _assignee_dicts(own.items) or (_implied(node) if node.kind == "part" else []) or inherited
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
            if implementing and (implementing.group("value").strip() or child.children):
                # "- Cơ quan thực hiện: X chủ trì, phối hợp với ...", or the same as "+" lines below it
                for value in [implementing.group("value")] + [grand.text for grand in child.children]:
                    found = ag.assignees_in(value, self.vocabulary)
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
            if text != child.text and child.children:
                # "- Nội dung:" / "+ Tổng kết ..." / "+ Tập huấn ...": each "+" line is one of the activity's tasks
                if text.strip():
                    tasks.append(_with_time_line(_task(text, year), child.when, year))
                tasks.extend(_with_time_line(_task(grand.text, year), grand.when, year) for grand in child.children)
                continue
            if child.children:  # "+" sub-items stay with their item
                text = text + "\n" + "\n".join(self._flatten(grand)[0] for grand in child.children)
            tasks.append(_with_time_line(_task(text, year), child.when, year))
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
        if not own.items and not meta_lead and not meta_coord and len(tasks) == 1:
            # the body named in the item's own text comes before the lead-in's
            assignees = self._labelled(tasks[0]["text"]) or self._named_in_task(tasks[0]["text"]) or assignees
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
        responsible = _RESPONSIBLE_SENTENCE.match(text)  # "Các cơ quan ..., cá nhân liên quan có trách nhiệm ..."
        named = [{"agency": responsible.group("who"), "role": "lead"}] if responsible else []
        return _assignee_dicts(found.items or _asked_in(text, self.vocabulary) or named)

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
