"""The one plain-data form of a directive (see DESIGN.md): read, check and normalise it.

Files in directives/, the command line and (later) the importer and the API all go through
`parse_directive`, so a directive is validated the same way wherever it comes from.
"""
import re
from datetime import date, datetime
from pathlib import Path

import yaml

from app.models.directives import ASSIGNEE_ROLES, AUTHORITIES, DOC_TYPES, LENGTHS, URGENCIES
from app.text import clean_line, clean_text

TOP_KEYS = {
    "doc_type", "issuer", "number", "symbol", "place", "date", "subject", "urgency", "recipients",
    "preamble", "sections", "closing", "cc", "signer", "deadline",
    "import",  # what the importer noted (file, encoding, resolved names, warnings): kept by the file, not a field
}
TEXT_LIMIT = 20000  # one paragraph; a whole letter is far shorter
RECURRENCE = re.compile(r"^(weekly:[0-6]|(monthly|quarterly|halfyearly):(last|[1-9]|[12]\d|3[01])|yearly:(1[0-2]|[1-9])-([1-9]|[12]\d|3[01]))$")


class FormatError(ValueError):
    """A directive file that cannot be read; `errors` names each wrong key."""

    def __init__(self, errors: list[str], source: str = ""):
        self.errors = errors
        self.source = source
        prefix = f"{source}: " if source else ""
        super().__init__(prefix + "; ".join(errors))


def read_directive_file(path) -> dict:
    """Parse a YAML or JSON file (JSON is YAML) and return the normalised directive."""
    path = Path(path)
    try:
        raw_text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise FormatError(["tệp không phải văn bản UTF-8"], str(path)) from None
    try:
        raw = yaml.safe_load(raw_text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (dòng {mark.line + 1}, cột {mark.column + 1})" if mark else ""
        raise FormatError([f"không đọc được YAML/JSON{where}: {getattr(error, 'problem', error)}"], str(path)) from None
    try:
        return parse_directive(raw)
    except FormatError as error:
        raise FormatError(error.errors, str(path)) from None


def parse_directive(raw) -> dict:
    errors: list[str] = []
    if not isinstance(raw, dict):
        raise FormatError(["nội dung phải là một bảng khóa: giá trị (doc_type, issuer, subject, ...)"])
    for key in sorted(set(raw) - TOP_KEYS):
        errors.append(f"{key}: khóa không có trong định dạng văn bản")
    if raw.get("import") is not None and not isinstance(raw["import"], dict):
        errors.append("import: phải là một bảng khóa: giá trị (ghi chú của lần nhập)")
    out = {
        "doc_type": _choice(raw, "doc_type", DOC_TYPES, errors, default="cong_van"),
        "issuer": _lines(raw.get("issuer"), "issuer", errors, LENGTHS["recipient"]),
        "number": _line(raw.get("number"), "number", errors, LENGTHS["number"]),
        "symbol": _line(raw.get("symbol"), "symbol", errors, LENGTHS["symbol"]) or "",
        "place": _line(raw.get("place"), "place", errors, LENGTHS["place"]) or "",
        "date": _date(raw.get("date"), "date", errors),
        "subject": _line(raw.get("subject"), "subject", errors, LENGTHS["subject"]) or "",
        "urgency": _choice(raw, "urgency", URGENCIES, errors, default=None),
        "recipients": _lines(raw.get("recipients"), "recipients", errors, LENGTHS["recipient"]),
        "preamble": _paragraph(raw.get("preamble"), "preamble", errors),
        "sections": [],
        "closing": _paragraph(raw.get("closing"), "closing", errors),
        "cc": _lines(raw.get("cc"), "cc", errors, LENGTHS["cc"]),
        "signer": _signer(raw.get("signer"), errors),
        "deadline": _date(raw.get("deadline"), "deadline", errors),  # printed for the whole letter
    }
    sections = raw.get("sections") or []
    if not isinstance(sections, list):
        errors.append("sections: phải là một danh sách")
        sections = []
    for index, section in enumerate(sections):
        out["sections"].append(_section(section, f"sections[{index}]", errors))
    if errors:
        raise FormatError(errors)
    return out


def _section(raw, where, errors) -> dict:
    if not isinstance(raw, dict):
        errors.append(f"{where}: phải là một bảng khóa (number, heading, assignees, tasks)")
        return {"number": None, "heading": None, "assignees": [], "tasks": []}
    for key in sorted(set(raw) - {"number", "heading", "assignees", "tasks"}):
        errors.append(f"{where}.{key}: khóa không có trong định dạng văn bản")
    section = {
        "number": _line(raw.get("number"), f"{where}.number", errors, LENGTHS["section_number"]),
        "heading": _paragraph(raw.get("heading"), f"{where}.heading", errors) or None,
        "assignees": [],
        "tasks": [],
    }
    assignees = raw.get("assignees") or []
    if not isinstance(assignees, list):
        errors.append(f"{where}.assignees: phải là một danh sách")
        assignees = []
    for index, item in enumerate(assignees):
        at = f"{where}.assignees[{index}]"
        if isinstance(item, str):
            item = {"agency": item}
        if not isinstance(item, dict) or not item.get("agency"):
            errors.append(f"{at}: cần khóa agency (tên cơ quan hoặc nhóm)")
            continue
        role = item.get("role", "lead")
        if role not in ASSIGNEE_ROLES:
            errors.append(f"{at}.role: phải là lead (chủ trì) hoặc coordinating (phối hợp)")
        section["assignees"].append({
            "agency": _line(item["agency"], f"{at}.agency", errors, LENGTHS["recipient"]),
            "role": role,
            "deadline": _date(item.get("deadline"), f"{at}.deadline", errors),
        })
    tasks = raw.get("tasks") or []
    if not isinstance(tasks, list):
        errors.append(f"{where}.tasks: phải là một danh sách")
        tasks = []
    for index, item in enumerate(tasks):
        at = f"{where}.tasks[{index}]"
        if isinstance(item, str):
            item = {"text": item}
        text = _paragraph(item.get("text") if isinstance(item, dict) else None, f"{at}.text", errors)
        if not text:
            errors.append(f"{at}.text: thiếu nội dung nhiệm vụ")
            continue
        for key in sorted(set(item) - {"text", "deadline", "agency_deadlines", "recurrence"}
                          if isinstance(item, dict) else ()):
            errors.append(f"{at}.{key}: khóa không có trong định dạng văn bản")
        task = {"text": text, "deadline": _date(item.get("deadline"), f"{at}.deadline", errors),
                "agency_deadlines": _agency_deadlines(item.get("agency_deadlines"), at, errors)}
        if isinstance(item, dict) and item.get("recurrence"):
            rule = _line(item["recurrence"], f"{at}.recurrence", errors, 40)
            if rule and not RECURRENCE.match(rule):
                errors.append(f"{at}.recurrence: “{rule}” không phải quy tắc định kỳ (weekly:4, monthly:20, "
                              "quarterly:last, halfyearly:last, yearly:12-31)")
            task["recurrence"] = rule
        section["tasks"].append(task)
    if not section["tasks"] and not errors:
        errors.append(f"{where}.tasks: mỗi mục cần ít nhất một nhiệm vụ")
    return section


def _agency_deadlines(raw, where, errors) -> list[dict]:
    """A deadline printed for one agency inside a task: [{agency: "Sở Tài chính", deadline: 2026-12-15}]."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        errors.append(f"{where}.agency_deadlines: phải là một danh sách")
        return []
    out = []
    for index, item in enumerate(raw):
        at = f"{where}.agency_deadlines[{index}]"
        if not isinstance(item, dict) or not item.get("agency") or not item.get("deadline"):
            errors.append(f"{at}: cần agency (tên cơ quan) và deadline (YYYY-MM-DD)")
            continue
        out.append({"agency": _line(item["agency"], f"{at}.agency", errors, LENGTHS["recipient"]),
                    "deadline": _date(item["deadline"], f"{at}.deadline", errors)})
    return out


def _signer(raw, errors) -> dict:
    if raw is None:
        return {"authority": None, "authority_title": "", "title": "", "name": None}
    if not isinstance(raw, dict):
        errors.append("signer: phải là một bảng khóa (authority, authority_title, title, name)")
        return {"authority": None, "authority_title": "", "title": "", "name": None}
    authority = raw.get("authority")
    if authority is not None and authority not in AUTHORITIES:
        errors.append(f"signer.authority: phải là một trong {', '.join(AUTHORITIES)} hoặc để trống")
    limit = LENGTHS["signer"]
    return {
        "authority": authority,
        "authority_title": _line(raw.get("authority_title"), "signer.authority_title", errors, limit) or "",
        # one line, or several for stacks such as "KT. CHÁNH VĂN PHÒNG" over "PHÓ CHÁNH VĂN PHÒNG"
        "title": _paragraph(raw.get("title"), "signer.title", errors)[:limit],
        "name": _line(raw.get("name"), "signer.name", errors, limit),
    }


def _choice(raw, key, choices, errors, default):
    value = raw.get(key, default)
    if value is None:
        return default
    if value not in choices:
        errors.append(f"{key}: “{value}” không hợp lệ; chọn một trong: {', '.join(choices)}")
        return default
    return value


def _line(value, where, errors, limit):
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        errors.append(f"{where}: phải là một dòng chữ")
        return None
    text = clean_line(str(value))
    if len(text) > limit:
        errors.append(f"{where}: dài quá {limit} ký tự")
    return text or None


def _paragraph(value, where, errors):
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        errors.append(f"{where}: phải là một đoạn văn")
        return ""
    text = clean_text(str(value))
    if len(text) > TEXT_LIMIT:
        errors.append(f"{where}: dài quá {TEXT_LIMIT} ký tự")
    return text


def _lines(value, where, errors, limit) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        errors.append(f"{where}: phải là một danh sách dòng")
        return []
    lines = []
    for index, item in enumerate(value):
        text = _line(item, f"{where}[{index}]", errors, limit)
        if text:
            lines.append(text)
    return lines


def _date(value, where, errors):
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors.append(f"{where}: ngày “{value}” phải viết theo dạng YYYY-MM-DD")
        return None


def directive_to_data(directive) -> dict:
    """The database record back in the directive format (for export and round trips)."""
    return {
        "doc_type": directive.doc_type,
        "issuer": directive.issuer_lines,
        "number": directive.number,
        "symbol": directive.symbol,
        "place": directive.place,
        "date": directive.issued_date,
        "subject": directive.subject,
        "urgency": directive.urgency,
        "recipients": [r.name for r in directive.recipients],
        "preamble": directive.preamble,
        "sections": [
            {
                "number": section.number,
                "heading": section.heading,
                "assignees": [
                    {"agency": a.name, "role": a.role, "deadline": a.deadline} for a in section.assignees
                ],
                "tasks": [{"text": t.text, "deadline": t.deadline,
                           "agency_deadlines": [{"agency": row.agency.name, "deadline": row.deadline}
                                                for row in t.agency_deadlines],
                           **({"recurrence": t.recurrence} if t.recurrence else {})}
                          for t in section.live_tasks],
            }
            for section in directive.live_sections
        ],
        "closing": directive.closing,
        "cc": [line.text for line in directive.cc_lines],
        "signer": {
            "authority": directive.signer_authority,
            "authority_title": directive.signer_authority_title,
            "title": directive.signer_title,
            "name": directive.signer_name,
        },
        "deadline": directive.deadline,
    }
