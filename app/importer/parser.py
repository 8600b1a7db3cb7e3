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

The stages, in order (each module says its own order of precedence):
    cleanup.clean_lines        raw text to clean lines (NFC, markdown and Word residue, bullets, rules)
    header_lines               lines a crawl or a PDF broke: header cells, motto, agency names, date,
                               "Nơi / nhận", markers alone on a line
    parse_header.read_header   agency lines ... Kính gửi; returns where the body starts
    parse_tail.find_tail       where Nơi nhận / the signature start (and an attached document after them)
    parse_body.read_body       paragraphs, the tree of items, sections (parse_sections.SectionBuilder)
    parse_tail.read_tail       Nơi nhận and the signature block
    _finish                    the type from the symbol, the subject's form, warnings for what is missing
"""
import re

from app import doc_types
from app.importer.cleanup import clean_lines
from app.importer.header_lines import join_lone_markers, normalize_header, normalize_tail, rebuild_flat_tables
from app.importer.parse_common import (
    Parsed, SYMBOL_TYPES, TYPE_LINES, _NOI_NHAN, _is_upper_line, empty_directive, fold_chars,
)
from app.importer.parse_header import read_header
from app.importer.parse_tail import find_tail, read_tail, _signature_line
from app.importer.parse_body import read_body


def parse_text(text: str, vocabulary=None) -> Parsed:
    lines = join_lone_markers(rebuild_flat_tables(normalize_tail(normalize_header(clean_lines(text)))))
    parsed = Parsed(empty_directive())
    body_start = read_header(lines, parsed)
    parsed.data["subject"] = " ".join(part.strip() for part in parsed.subject_parts if part.strip())
    tail_start = find_tail(lines, body_start)
    attached_at = _attachment_start(lines, tail_start)
    body = lines[body_start:tail_start]
    read_body(body, parsed, vocabulary)
    read_tail(lines[tail_start:attached_at], parsed)
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
        elif signed and _is_upper_line(line) and (fold_chars(line).strip(" .:") in TYPE_LINES
                                                   or re.match(r"phu luc\b", fold_chars(line))):
            return index
    return len(lines)


def _parse_attachment(lines: list[str], parsed: Parsed, vocabulary) -> None:
    """The attached document's items are tasks of this directive; its title and signature are not read."""
    start = 1
    while start < len(lines) and (not lines[start] or _is_upper_line(lines[start])):
        start += 1  # the title lines
    end = find_tail(lines, start)
    attached = Parsed(empty_directive(), year=parsed.year)
    read_body(lines[start:end], attached, vocabulary)
    parsed.data["sections"].extend(attached.data["sections"])
    parsed.notes.extend(attached.notes)


_RECIPIENT_JOIN = re.compile(r"\s*;\s+[-–+]\s+")


def _finish(parsed: Parsed) -> None:
    data = parsed.data
    subject = data["subject"]
    if data["doc_type"] == "cong_van" and data["symbol"]:
        prefix = fold_chars(data["symbol"].split("-")[0]).strip()
        if prefix in SYMBOL_TYPES:
            data["doc_type"] = SYMBOL_TYPES[prefix]
    if subject and doc_types.get(data["doc_type"]).printed_name:
        subject = re.sub(r"^(?:V\s*/\s*V|VỀ VIỆC|VỀ)\s*[:.]?\s+", "", subject)  # "CHỈ THỊ" / "VỀ TĂNG CƯỜNG ..."
    # "- A; - B" printed (or extracted from a PDF) on one line is two addressees
    data["recipients"] = [part for item in data["recipients"] for part in _RECIPIENT_JOIN.split(item) if part]
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
