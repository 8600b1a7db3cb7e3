"""ND30 checks for the exporter tests: the application's lint (app/lint: one rule set over the
neutral description of a laid-out letter, read from DOCX or PDF) plus what only a test knows.

    problems = check_pdf(pdf_bytes, expect_for(data, letter), layout=layout_module)
    assert problems == []

Each problem is a string starting with its rule id: the lint's findings ("R08: …"), then
"TXT: …" where the file does not say what the Letter says, "LAYOUT: …" where it is not laid out
with the numbers of app/documents/layout.py (always in addition to the legal ND30 ranges), and
"X01: …" for XML elements Word may refuse. Both formats go through the same comparisons: the
readers produce the same description, so nothing here is written twice.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from app.lint import LintContext
from app.lint.checks import DRAFT_MARK, URGENCY_CODES, URGENCY_MARKS, DATE_BLANK_RE  # noqa: F401 (re-exported)
from app.lint.checks import Findings, check_date_text, check_number_text
from app.lint.docx_reader import read_docx
from app.lint.engine import run_rules
from app.lint.model import MM, LaidOutLetter
from app.lint.pdf_lines import open_pdf, page_lines
from app.lint.pdf_reader import TOP_BAND, read_pdf
from app.lint.text import join_lines, nfc, norm, squash  # noqa: F401 (re-exported)
from app import doc_types

TWIPS_PER_MM = 1440 / 25.4
DOC_TYPE_NAMES = {t.code: t.printed_name for t in doc_types.DOC_TYPE_LIST if t.printed_name}
DOC_TYPE_ABBR = {t.code: t.abbreviation for t in doc_types.DOC_TYPE_LIST if t.printed_name}


@dataclass
class Expect:
    """The letter a file should show. None for a field = not checked."""

    doc_type: str = "cong_van"
    issued: bool | None = None
    draft: bool | None = None
    urgency: str | None = None  # "KHẨN", "THƯỢNG KHẨN", "HỎA TỐC" or None
    check_urgency: bool = True
    superior_lines: list[str] | None = None
    agency_lines: list[str] | None = None
    number_line: str | None = None
    date_line: str | None = None
    subject_line: str | None = None
    type_name: str | None = None
    summary: str | None = None
    recipients_label: str | None = None
    recipients: list[str] | None = None
    body: list[str] | None = None
    cc: list[str] | None = None
    signature_lines: list[str] | None = None
    signer_name: str | None = None
    cc_first_exempt: bool = False  # R36 waived: the letter warns that Nơi nhận lacks "Như trên"

    def context(self) -> LintContext:
        return LintContext(self.doc_type, self.issued, self.draft, self.urgency, self.check_urgency)


def expect_for(data: dict, letter=None, *, draft: bool = False) -> Expect:
    """Expectations from a directive (directive format) and, optionally, the Letter built from it."""
    expect = Expect(doc_type=data.get("doc_type") or "cong_van", issued=bool(data.get("number")), draft=draft,
                    urgency=URGENCY_CODES.get(data.get("urgency")))
    if letter is not None:
        for name in ("superior_lines", "agency_lines", "number_line", "date_line", "subject_line", "type_name",
                     "summary", "recipients_label", "recipients", "cc", "signature_lines", "signer_name"):
            value = getattr(letter, name)
            setattr(expect, name, list(value) if isinstance(value, list) else value)
        expect.body = [p.text for p in letter.body]
        expect.cc_first_exempt = any("Như trên" in warning for warning in letter.warnings)
    return expect


def check_docx(data: bytes, expect: Expect | None = None, layout=None) -> list[str]:
    return check(read_docx(data), expect, layout)


def check_pdf(data: bytes, expect: Expect | None = None, layout=None) -> list[str]:
    return check(read_pdf(data), expect, layout)


def check(doc: LaidOutLetter, expect: Expect | None = None, layout=None) -> list[str]:
    """The lint's findings, then the content and layout comparisons."""
    findings = run_rules(doc, expect.context() if expect else None).findings
    if expect and expect.cc_first_exempt:
        findings = [f for f in findings if f.rule != "R36"]
    if expect and expect.signer_name == "":
        findings = [f for f in findings if not (f.rule == "R32" and "thiếu họ tên" in f.detail)]
    out = [str(f) for f in findings]
    if expect:
        out += content_differences(doc, expect)
    if layout:
        out += layout_differences(doc, layout)
    return out


def _texts(blocks) -> list[str]:
    return [norm(b.text) for b in blocks]


def content_differences(doc: LaidOutLetter, expect: Expect) -> list[str]:
    """TXT: every element reads what the Letter says (NFC, tone placement and spacing aside)."""
    pairs = [
        ("cơ quan chủ quản", [norm(join_lines([b.text for b in doc.superior]))],
         [norm(" ".join(expect.superior_lines or []))] if expect.agency_lines is not None else None),
        ("cơ quan ban hành", [norm(join_lines([b.text for b in doc.agency]))],
         [norm(" ".join(expect.agency_lines))] if expect.agency_lines is not None else None),
        ("dòng số", _texts([doc.number] if doc.number else []), [norm(expect.number_line)]
         if expect.number_line is not None else None),
        ("ngày tháng", [norm(join_lines([b.text for b in doc.date]))], [norm(expect.date_line)]
         if expect.date_line is not None else None),
        ("V/v", [norm(join_lines([b.text for b in doc.subject]))] if doc.subject else [],
         [norm(expect.subject_line)] if expect.subject_line else ([] if expect.number_line is not None else None)),
        ("tên loại", _texts([doc.type_name] if doc.type_name else []),
         [norm(expect.type_name)] if expect.type_name else ([] if expect.number_line is not None else None)),
        ("trích yếu", [norm(join_lines([b.text for b in doc.summary]))] if doc.summary else [],
         [norm(expect.summary)] if expect.summary else ([] if expect.number_line is not None else None)),
        ("nơi nhận (Kính gửi)", _recipients(doc), [norm(r) for r in expect.recipients]
         if expect.recipients is not None else None),
        ("nội dung", _texts(doc.body), [norm(t) for t in expect.body] if expect.body is not None else None),
        ("Nơi nhận", _texts(doc.cc), [norm(c) for c in expect.cc] if expect.cc is not None else None),
        ("chức vụ", _texts(doc.positions), [norm(s) for s in expect.signature_lines]
         if expect.signature_lines is not None else None),
        ("họ tên", _texts([doc.signer_name] if doc.signer_name else []),
         ([norm(expect.signer_name)] if expect.signer_name else []) if expect.signer_name is not None else None),
    ]
    out = []
    for what, got, want in pairs:
        if want is not None and got != want:
            out.append(f"TXT: {what} in là {got[:3]}…, thư nói {want[:3]}…" if len(got) > 3 or len(want) > 3
                       else f"TXT: {what} in là {got}, thư nói {want}")
    if expect.recipients_label and doc.recipients_label is not None and \
            not squash(doc.recipients_label.text).startswith(expect.recipients_label):
        out.append(f"TXT: nhãn nơi nhận in là {doc.recipients_label.text!r}, thư nói {expect.recipients_label!r}")
    return out


def _recipients(doc: LaidOutLetter) -> list[str]:
    if doc.recipients_label is None:
        return []
    label = squash(doc.recipients_label.text)
    if doc.recipients or label.endswith(":"):
        return _texts(doc.recipients)
    return [norm(label.split(":", 1)[1])] if ":" in label else []


def layout_differences(doc: LaidOutLetter, L) -> list[str]:
    """LAYOUT: the exporter's own numbers (layout.py), read back from the file."""
    out = []
    left = L.MARGIN_LEFT * MM
    sheet = doc.sheets[0] if doc.sheets else None
    if sheet is not None and sheet.declared:
        for side in ("top", "bottom", "left", "right"):
            want = getattr(L, f"MARGIN_{side.upper()}") * MM
            if abs(sheet.margins[side] - want) > 0.2:
                out.append(f"LAYOUT: lề {side} {sheet.margins[side]:.1f} pt, layout.py nói {want:.1f}")
    if doc.text_left is not None and doc.body and abs(min(b.rest_x0 or b.first_x0 for b in doc.body) - left) > 1:
        out.append(f"LAYOUT: nội dung bắt đầu ở {doc.text_left:.1f} pt, layout.py nói {left:.1f}")
    axes = {"header-left": left + L.HEADER_LEFT * MM / 2, "header-right": left + (L.HEADER_LEFT + L.HEADER_RIGHT / 2) * MM,
            "signature": left + (L.SIGNATURE_LEFT + L.SIGNATURE_RIGHT / 2) * MM}
    for axis, blocks in (("header-left", doc.superior + doc.agency + ([doc.number] if doc.number else []) + doc.subject),
                         ("header-right", [b for b in (doc.quoc_hieu, doc.tieu_ngu) if b] + doc.date),
                         ("signature", doc.positions + ([doc.signer_name] if doc.signer_name else []))):
        for block in blocks:
            if block.centre is not None and abs(block.centre - axes[axis]) > 1.5:
                out.append(f"LAYOUT: {block.text[:30]!r} căn giữa ở {block.centre:.1f} pt, cột {axis} ở {axes[axis]:.1f}")
    for block in doc.body:
        if block.first_x0 is not None and abs(block.first_x0 - left - L.BODY_FIRST_LINE_INDENT * MM) > 1:
            out.append(f"LAYOUT: thụt dòng đầu {(block.first_x0 - left) / MM:.2f} mm ({block.text[:30]!r})")
            break
        if block.pitch is not None and abs(block.pitch - L.LINE_SPACING * L.FONT_LINE_HEIGHT * L.SIZE["body"]) > 0.5:
            out.append(f"LAYOUT: khoảng cách dòng {block.pitch:.2f} pt ({block.text[:30]!r})")
            break
    for block in doc.body[1:]:
        if block.gap_before is not None and abs(block.gap_before - L.PARAGRAPH_SPACE_BEFORE) > 1:
            out.append(f"LAYOUT: {block.gap_before:.1f} pt trước đoạn {block.text[:30]!r}, layout.py nói "
                       f"{L.PARAGRAPH_SPACE_BEFORE}")
            break
    sizes = {round(s, 1) for b in doc.body for s in b.sizes}
    if sizes and sizes != {L.SIZE["body"]}:
        out.append(f"LAYOUT: cỡ chữ nội dung {sorted(sizes)}, layout.py nói {L.SIZE['body']}")
    if doc.recipients_label is not None and abs(doc.recipients_label.first_x0 - left - L.KINH_GUI_INDENT * MM) > 1:
        out.append(f"LAYOUT: “Kính gửi” cách lề {(doc.recipients_label.first_x0 - left) / MM:.1f} mm, layout.py nói "
                   f"{L.KINH_GUI_INDENT}")
    for number in doc.page_numbers:
        if number.size != L.SIZE["page_number"] or (number.centre_offset is not None and abs(number.centre_offset) > 1.5):
            out.append(f"LAYOUT: số trang cỡ {number.size}, lệch tâm {number.centre_offset}")
    for mark in doc.marks:
        text = squash(mark.block.text)
        want = next((w for t, w in L.URGENCY_BOXES.values() if t == text), None) if text != DRAFT_MARK \
            else L.DRAFT_BOX[1]
        if mark.box is not None and want is not None and abs(mark.box.width / MM - want) > 2:
            out.append(f"LAYOUT: khung {text!r} rộng {mark.box.width / MM:.1f} mm, layout.py nói {want}")
    return out


# ---------------------------------------------------------------------------- text of a PDF

def sentences(text: str) -> list[str]:
    """A paragraph cut into sentences / clauses (after . ; : ! ? followed by a space)."""
    return [part for part in re.split(r"(?<=[.;:!?])\s+", squash(text)) if part.strip()]


def pdf_text_streams(data) -> list[str]:
    """The printed text as three streams (page-number band left out): all lines in reading order,
    the lines left of the text centre and those right of it, so that a header or signature column
    reads contiguously in one of them."""
    pdf = open_pdf(data)
    lines = [l for index, page in enumerate(pdf.pages, start=1) for l in page_lines(page, index)
             if l.bottom > TOP_BAND + 0.5]
    centre = pdf.pages[0].width / 2 + 7.5 * MM
    streams = [lines, [l for l in lines if l.centre < centre], [l for l in lines if l.centre >= centre]]
    return [join_lines([l.text for l in stream]) for stream in streams]


def missing_texts(streams: list[str], pieces: list[str]) -> list[str]:
    """The pieces that appear in none of the streams (whitespace collapsed; no other normalisation)."""
    flat = [squash(stream) for stream in streams]
    return [piece for piece in pieces if squash(piece) and not any(squash(piece) in s for s in flat)]


def check_number_line(text: str, expect: Expect | None = None) -> list[str]:
    out = Findings()
    check_number_text(text, expect.doc_type if expect else None, expect.issued if expect else None, out)
    return [str(f) for f in out]


def check_date_line(text: str, expect: Expect | None = None) -> list[str]:
    out = Findings()
    check_date_text(text, expect.issued if expect else None, out)
    return [str(f) for f in out]


def docx_xml_problems(data: bytes) -> list[str]:
    """X01: property elements that occur twice in one parent (the schema allows one; Word may
    refuse the file or read the wrong value)."""
    from lxml import etree

    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    problems = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if not (name.startswith("word/") and name.endswith(".xml")):
                continue
            root = etree.fromstring(archive.read(name))
            for parent in ("tblPr", "pPr", "rPr", "tcPr", "sectPr", "tblGrid", "trPr"):
                for element in root.iter(ns + parent):
                    tags = [c.tag for c in element if c.tag not in (ns + "headerReference", ns + "footerReference",
                                                                      ns + "gridCol")]
                    dupes = sorted({t.split("}")[1] for t in tags if tags.count(t) > 1})
                    problem = f"X01: {name}: <w:{parent}> holds duplicate {dupes}"
                    if dupes and problem not in problems:
                        problems.append(problem)
    return problems
