"""Importing a directive: read the file, parse the text, match names to the directory, and (on
request) save a draft. One path for the command line and the web page.

    result = import_document(content=bytes, filename="x.docx")   # or text="..."
    as_json(result)                                               # the directive format + "import"
    directive = save_draft(result, user)                          # state "draft", nothing else

Everything that cannot be imported raises ImportRefused with a Vietnamese message.
"""
import copy
from dataclasses import dataclass, field
from datetime import date

from flask import current_app

from app.directive_format import FormatError, parse_directive
from app import limits
from app.directives.service import save_directive
from app.importer import readers
from app.importer.errors import ImportRefused
from app.importer.parser import Parsed, parse_text
from app.importer.proposals import describe, propose, propose_issuer
from app.importer.resolve import Resolver, target_kind, target_label
from app.models import Agency
from app.rules import recurrence
from app.models.audit import record

FORMAT_KEYS = ("doc_type", "issuer", "number", "symbol", "place", "date", "subject", "urgency", "recipients",
               "preamble", "sections", "closing", "cc", "signer")


@dataclass
class ImportResult:
    data: dict  # directive format; assignees carry "resolved"/"resolved_type"/"match", tasks their deadline words
    warnings: list[str]
    notes: list[str]
    issuer: Agency | None
    issuer_found_by: str | None  # "header", "inferred" or None
    issuer_reasons: list[str]
    unresolved: list[dict]  # {"agency", "section", "role"}
    recipients: list[dict]  # {"name", "resolved"}
    source: readers.Source
    filename: str | None
    targets: dict = field(default_factory=dict)  # (section index, assignee index) -> Agency/AgencyGroup
    issuer_proposal: object = None  # proposals.Proposal for a printed issuer the directory does not hold


def max_bytes() -> int:
    try:
        return int(current_app.config.get("IMPORT_MAX_BYTES") or readers.MAX_BYTES)
    except (RuntimeError, TypeError, ValueError):
        return readers.MAX_BYTES


def _limited(function, *args, **kwargs):
    """Reading and parsing what a user sent runs under a time and memory limit (app/limits.py); past it,
    the user is told why in Vietnamese."""
    try:
        return limits.run(function, *args, **kwargs)
    except limits.LimitExceeded as error:
        raise ImportRefused(error.message) from None


def import_document(content: bytes | None = None, filename: str | None = None, text: str | None = None,
                    ocr: bool = True) -> ImportResult:
    """`ocr=False`: a scan that OCR could read raises NeedsOcr at once (the web import runs it as a job,
    app/importer/jobs.py); any other upload is read here as with `ocr=True`."""
    resolver = Resolver()
    source, parsed = _limited(read_and_parse, content, filename or "", max_bytes(), text, resolver.vocabulary, ocr)
    _refuse_if_not_a_directive(parsed)
    return _resolve(parsed, source, filename, resolver)


def read_and_parse(content: bytes | None, filename: str, limit: int, text: str | None, vocabulary, ocr: bool = True):
    """The part of an import that needs no database: bytes or pasted text to parsed sections."""
    source = (readers.read_document(content, filename, limit, ocr=ocr) if content is not None
              else readers.read_text(text))
    return source, parse_text(source.text, vocabulary=vocabulary)


def read_scan(content: bytes, filename: str | None = None) -> readers.Source:
    """The OCR half of a scan's import (the job's work): its Source, once it is known to read as a
    directive; ImportRefused otherwise. import_source() then does the rest, as import_document would."""
    resolver = Resolver()
    source, parsed = _limited(read_and_parse, content, filename or "", max_bytes(), None, resolver.vocabulary)
    _refuse_if_not_a_directive(parsed)
    return source


def import_source(source: readers.Source, filename: str | None = None) -> ImportResult:
    """The import of text already read (a scan's OCR kept by its job): parsed and matched to the
    directory exactly as import_document does after reading the file."""
    resolver = Resolver()
    parsed = _limited(parse_text, source.text, vocabulary=resolver.vocabulary)
    _refuse_if_not_a_directive(parsed)
    return _resolve(parsed, source, filename, resolver)


def _refuse_if_not_a_directive(parsed: Parsed) -> None:
    structure = {"number", "subject", "recipients", "cc", "signer", "type", "date_line", "motto"} & parsed.found
    sections = parsed.data["sections"]
    assigned = any(section["assignees"] for section in sections)
    if not structure and not assigned and not ("markers" in parsed.found and len(sections) >= 2):
        raise ImportRefused("Không nhận ra văn bản chỉ đạo: không thấy số và ký hiệu, trích yếu, “Kính gửi”, "
                            "các mục nhiệm vụ hay “Nơi nhận”.")


def _resolve(parsed: Parsed, source, filename, resolver: Resolver) -> ImportResult:
    data = parsed.data
    warnings = list(parsed.warnings)
    notes = list(source.notes) + list(parsed.notes)
    issuer, found_by, reasons = resolver.find_issuer(data)
    issuer_proposal = None
    if data["issuer"] and issuer is None:
        issuer_proposal = propose_issuer(data["issuer"], resolver)
        offer = f" hoặc tạo {describe(issuer_proposal)}" if issuer_proposal else ""
        warnings.append("Cơ quan ban hành “" + " / ".join(data["issuer"]) + f"” không có trong danh mục: chọn cơ quan{offer}.")
    if found_by == "inferred":
        warnings = [w for w in warnings if not w.startswith("Không thấy tên cơ quan ban hành")]
        notes.append(f"Văn bản không in tên cơ quan ban hành; suy ra là {issuer.name} (theo {', '.join(reasons)}): "
                     "kiểm tra lại.")
    unresolved, targets = [], {}
    foreign = bool(data["issuer"]) and issuer is None  # names belong to a tree the directory does not hold
    for s_index, section in enumerate(data["sections"]):
        for a_index, assignee in enumerate(section["assignees"]):
            target, how = resolver.resolve(assignee["agency"], issuer, foreign)
            assignee["resolved"] = target_label(target)
            assignee["resolved_type"] = target_kind(target)
            assignee["match"] = how
            if target is None:
                proposal = propose(assignee["agency"], issuer)
                unresolved.append({"agency": assignee["agency"], "section": section["number"], "role": assignee["role"],
                                   "proposal": proposal.as_dict() if proposal else None})
            else:
                targets[(s_index, a_index)] = target
    recipients = []
    for name in data["recipients"]:
        target, how = resolver.resolve(name, issuer, foreign)
        recipients.append({"name": name, "resolved": target_label(target), "resolved_type": target_kind(target)})
    needs_recipients = any(not s["assignees"] for s in data["sections"])
    if needs_recipients:
        missing = [r["name"] for r in recipients if r["resolved"] is None]
        if missing:
            warnings.append("Mục không ghi đơn vị thực hiện được giao cho nơi nhận ở “Kính gửi”, nhưng chưa tìm thấy "
                            "trong danh mục: " + "; ".join(missing) + ".")
    if unresolved:
        names = sorted({item["agency"] for item in unresolved})
        warnings.append("Chưa tìm thấy trong danh mục cơ quan: " + "; ".join(names) +
                        ". Chọn cơ quan tương ứng hoặc tạo cơ quan mới.")
    return ImportResult(data=data, warnings=warnings, notes=notes, issuer=issuer, issuer_found_by=found_by,
                        issuer_reasons=reasons, unresolved=unresolved, recipients=recipients, source=source,
                        filename=filename, targets=targets, issuer_proposal=issuer_proposal)


def pure_directive(data: dict) -> dict:
    """The directive format alone: assignees {agency, role, deadline}, tasks {text, deadline}."""
    out = {key: copy.deepcopy(data[key]) for key in FORMAT_KEYS if key != "sections"}
    out["sections"] = [
        {
            "number": section["number"],
            "heading": section["heading"],
            "assignees": [{"agency": a["agency"], "role": a["role"], "deadline": a.get("deadline")}
                          for a in section["assignees"]],
            "tasks": [{"text": t["text"], "deadline": t.get("deadline"),
                       "agency_deadlines": t.get("agency_deadlines") or []} for t in section["tasks"]],
        }
        for section in data["sections"]
    ]
    out["deadline"] = data.get("deadline")
    return out


def _plain(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def as_json(result: ImportResult) -> dict:
    """What `flask directive import --dry-run` prints: the directive format and an "import" report."""
    out = _plain({key: result.data[key] for key in FORMAT_KEYS})
    task_words = []  # the words that set a deadline or a rhythm: notes of the import, not fields of the format
    for s_index, section in enumerate(out["sections"]):
        for t_index, task in enumerate(section["tasks"]):
            words = {"deadline": task.pop("deadline_text", None), "recurrence": task.pop("recurrence", None)}
            if words["recurrence"]:  # the format keeps a rule ("monthly:20"), read from the words and the task
                rule = recurrence.parse(f"{words['recurrence']} {task['text']}")
                if rule:
                    task["recurrence"] = rule
            if words["deadline"] or words["recurrence"]:
                # section: as printed; at: [section, task], counted from 1 (printed numbers may repeat)
                task_words.append({"section": section["number"], "at": [s_index + 1, t_index + 1],
                                   **{key: value for key, value in words.items() if value}})
    out["import"] = {
        "file": result.filename,
        "format": result.source.kind,
        "encoding": result.source.encoding,
        "pages": result.source.pages,
        "issuer_agency": result.issuer.name if result.issuer else None,
        "issuer_found_by": result.issuer_found_by,
        "issuer_proposal": result.issuer_proposal.as_dict() if result.issuer_proposal else None,
        "recipients": result.recipients,
        "unresolved": result.unresolved,
        "task_words": task_words,
        "warnings": result.warnings,
        "notes": result.notes,
    }
    return out


def data_for_save(result: ImportResult) -> dict:
    """The parsed directive ready for save_directive: only assignees found in the directory."""
    data = pure_directive(result.data)
    try:
        checked = parse_directive(_without_empty_sections(data))
    except FormatError as error:
        raise ImportRefused("Nội dung đọc được không hợp lệ: " + "; ".join(error.errors)) from None
    for s_index, section in enumerate(checked["sections"]):
        kept = []
        for a_index, assignee in enumerate(section["assignees"]):
            target = result.targets.get((s_index, a_index))
            if target is not None:
                kept.append({**assignee, "target": target})
        section["assignees"] = kept
    return checked


def _without_empty_sections(data: dict) -> dict:
    data["sections"] = [s for s in data["sections"] if s["tasks"]]
    return data


def save_draft(result: ImportResult, user=None):
    """Save the import as a draft (nothing else changes); return the directive."""
    if not result.data["sections"]:
        raise ImportRefused("Không lưu: không nhận ra mục nhiệm vụ nào trong văn bản.")
    data = data_for_save(result)
    if data["number"] or data["date"]:
        when = f" ngày {data['date']:%d/%m/%Y}" if data["date"] else ""
        result.warnings.append(f"Văn bản gốc mang số {data['number'] or ''}/{data['symbol']}{when}: dự thảo được lưu "
                               "chưa có số; văn thư cấp số khi phát hành.")
        data["number"], data["date"] = None, None  # a draft has no register number yet
    if not data["subject"]:  # the list of directives needs something to click; the editor asks for the real one
        data["subject"] = f"[Chưa có trích yếu: nhập từ {result.filename or 'văn bản dán vào'}]"
    directive, warnings = save_directive(None, data, user, result.issuer, state="draft")
    result.warnings.extend(w for w in warnings if w not in result.warnings)
    record(user, "directive.import", directive,
           f"Nhập từ {result.source.kind.upper()}{': ' + result.filename if result.filename else ''}")
    return directive
