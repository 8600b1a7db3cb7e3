"""The neutral description of a letter, built from a directive in the directive format.

Both renderers read a Letter and nothing else, so DOCX and PDF say the same thing. The rules of
wording (how "Số" and the date read before issuing, how sections print, the "./." ending, which
types carry "Kính gửi") live here.
"""
import re
from dataclasses import dataclass, field
from datetime import date

from app import doc_types
from app.clock import local_today
from app.documents.layout import DRAFT_BOX, URGENCY_BOXES

BLANK = "\u00a0" * 6  # room for the clerk to write the number and the day by hand
BASIS_OPENINGS = ("Căn cứ", "Theo đề nghị")  # the legal bases of a decision, printed in italics


@dataclass
class Paragraph:
    text: str
    kind: str = "body"  # body, basis ("Căn cứ …", italic), heading (numbered lead-in), item ("- " task),
    # part (a Roman-numbered part: "II. NHIỆM VỤ, GIẢI PHÁP", printed bold)


@dataclass
class AppendixTable:
    """A table of the appendix printed before the main one (the summary by agency)."""

    title: str
    columns: list[tuple[str, float]]
    rows: list[tuple[str, list[str]]]


@dataclass
class Appendix:
    """A table after the letter (Phụ lục), on its own pages, numbered from 1 again; in landscape when
    the table is wide (ND30 allows it for tables), with an optional summary table first."""

    title: str  # printed in capitals
    reference: str  # "(Kèm theo Báo cáo số …/BC-… ngày … của …)"
    columns: list[tuple[str, float]]  # header, share of the text width
    # ("group", [label]) spans the table; ("subtotal", [text]) too, in italics; ("row", cells)
    rows: list[tuple[str, list[str]]]
    landscape: bool = False
    summary: AppendixTable | None = None
    detail_title: str = ""


@dataclass
class Letter:
    superior_lines: list[str]  # printed upper case, regular
    agency_lines: list[str]  # printed upper case, bold, with the short rule under them
    number_line: str  # "Số: 05/UBND-KGVX" or "Số:      /UBND-KGVX"
    date_line: str  # "Kon Tum, ngày 05 tháng 01 năm 2026"
    subject_line: str | None  # công văn: "V/v ..." in the left column
    type_name: str | None  # named types: "CHỈ THỊ"
    summary: str | None  # named types: the summary under the type name
    recipients_label: str | None  # "Kính gửi" or "... điện"
    recipients: list[str]
    body: list[Paragraph]
    cc: list[str]  # Nơi nhận lines with their "- " and final punctuation
    signature_lines: list[str]  # authority and titles, upper case
    signer_name: str
    marks: list[tuple[str, float, bool]] = field(default_factory=list)  # (text, box width mm, red?)
    warnings: list[str] = field(default_factory=list)
    doc_type: str = "cong_van"
    appendix: Appendix | None = None

    def all_text(self) -> str:
        """Every sentence of the letter, for checks."""
        parts = [*self.superior_lines, *self.agency_lines, self.number_line, self.date_line,
                 self.subject_line or "", self.type_name or "", self.summary or "", *self.recipients,
                 *(p.text for p in self.body), *self.cc, *self.signature_lines, self.signer_name]
        if self.appendix:
            parts += [self.appendix.title, self.appendix.reference, self.appendix.detail_title]
            if self.appendix.summary:
                parts += [self.appendix.summary.title]
                parts += [cell for _kind, cells in self.appendix.summary.rows for cell in cells]
            parts += [cell for _kind, cells in self.appendix.rows for cell in cells]
        return "\n".join(part for part in parts if part)


class LetterError(ValueError):
    """A directive that lacks what a letter needs; `problems` names each missing field in Vietnamese."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("Văn bản chưa đủ để in: " + "; ".join(problems))


def letter_problems(data: dict) -> list[str]:
    """What is missing before a letter can be printed (empty list: ready)."""
    problems = []
    if not data.get("issuer"):
        problems.append("thiếu cơ quan ban hành (issuer)")
    if not (data.get("subject") or "").strip():
        problems.append("thiếu trích yếu (subject)")
    signer = data.get("signer") or {}
    # "Q. GIÁM ĐỐC" and a bare "CHỦ TỊCH" are whole titles; "TM. ỦY BAN NHÂN DÂN" or "KT. CHỦ TỊCH" still need one
    stands_alone = (signer.get("authority_title") or "").strip() and (signer.get("authority") or "") in ("", "Q.")
    if not (signer.get("title") or "").strip() and not stands_alone:
        problems.append("thiếu chức vụ người ký (signer.title)")
    if doc_types.get(data.get("doc_type")).takes_recipients:
        if not data.get("recipients"):
            problems.append("thiếu nơi nhận ở mục Kính gửi (recipients)")
    elif not data.get("cc") and not data.get("recipients"):
        problems.append("thiếu nơi nhận (cc)")
    if not any(section.get("tasks") for section in data.get("sections") or []) and not data.get("preamble"):
        problems.append("thiếu nội dung (sections)")
    return problems


def symbol_advice(doc_type: str, symbol: str) -> list[str]:
    """ND30 symbol structure: a named type starts with its abbreviation (CT-UBND); a công văn does not."""
    first = symbol.split("-")[0] if symbol else ""
    kind = doc_types.get(doc_type)
    named = {t.abbreviation for t in doc_types.DOC_TYPE_LIST if t.printed_name}
    if kind.printed_name and first != kind.abbreviation:
        return [f"Ký hiệu của {kind.label.lower()} nên bắt đầu bằng “{kind.abbreviation}-”, "
                f"ví dụ {kind.abbreviation}-UBND."]
    if not kind.printed_name and first in named:
        return ["Ký hiệu của công văn là chữ viết tắt của cơ quan và đơn vị soạn thảo (UBND-KGVX), "
                "không bắt đầu bằng tên loại văn bản."]
    return []


def format_number(sequence: int) -> str:
    """Register numbers below 10 take a leading zero (01 … 09), then 10, 11 …"""
    return f"{sequence:02d}"


def date_line(place: str, when: date | None, year: int) -> str:
    """"Kon Tum, ngày 05 tháng 01 năm 2026": day padded, months 1 and 2 padded, 3–12 not."""
    if when is None:
        return f"{place}, ngày{BLANK}tháng{BLANK}năm {year}"
    month = f"{when.month:02d}" if when.month < 3 else str(when.month)
    return f"{place}, ngày {when.day:02d} tháng {month} năm {when.year}"


def split_issuer(lines: list[str]) -> tuple[list[str], list[str]]:
    """Which header lines are the superior agency (regular) and which the issuing agency (bold).

    "ỦY BAN NHÂN DÂN / TỈNH KON TUM" is one name broken in two: both bold. Otherwise, with two or
    more lines, the first names the superior agency ("UBND TỈNH LẠNG SƠN" above "VĂN PHÒNG").
    """
    lines = [line.upper() for line in lines]
    if len(lines) < 2 or re.match(r"^(ỦY|UỶ) BAN NHÂN DÂN$|^HỘI ĐỒNG NHÂN DÂN$", lines[0]):
        return [], lines
    return lines[:1], lines[1:]


def signature_block(signer: dict) -> list[str]:
    """The upper-case lines above the name (ND30 §5.1): "TM. ỦY BAN NHÂN DÂN" / "CHỦ TỊCH", or one line.

    A signer may have no separate title: "Q. GIÁM ĐỐC" (an acting head signs as the head) or a bare
    "CHỦ TỊCH" given as the authority title alone; both print as they are given.
    """
    authority = (signer.get("authority") or "").strip()
    authority_title = (signer.get("authority_title") or "").strip()
    titles = [line.strip() for line in (signer.get("title") or "").split("\n") if line.strip()]
    lines = []
    if authority:
        lines.append(f"{authority} {authority_title}".strip())
    elif authority_title and not titles:
        lines.append(authority_title)  # without a notation the authority title only stands in for a title
    lines.extend(titles)
    out = []
    for line in lines:
        if not out or out[-1].upper() != line.upper():  # "CHỦ TỊCH" given twice prints once
            out.append(line.upper())
    return out


PART_TITLE = re.compile(r"^[IVXLC]+\.\s+(?P<title>\S.*)$")


def _part_title(text: str) -> bool:
    """"I. MỤC ĐÍCH, YÊU CẦU" (kept in the preamble by the importer): a part's title, printed bold
    (ND30 §3 row 19)."""
    match = PART_TITLE.match(text.strip())
    return bool(match) and all(c.isupper() for c in match.group("title") if c.isalpha())


ROMAN_PART = re.compile(r"^(?P<part>[IVXLC]+)(?:\.(?P<rest>\d[\d.]*))?$")


def _numbering(sections: list[dict]) -> list[tuple[str, bool]]:
    """(number prefix, is a part's own title line) per section, as the original numbers them.

    A section numbered "II" with a heading is the part's title line ("II. NHIỆM VỤ, GIẢI PHÁP",
    printed bold); the items of that part ("II.1", "II.2") then print as the original prints them
    under it: "1.", "2.". Items of a part whose title the directive does not hold keep their full
    number ("II.1."), so that the part still shows.
    """
    out, titled = [], None
    for section in sections:
        number = (section.get("number") or "").strip().rstrip(".")
        match = ROMAN_PART.match(number)
        if not match:
            out.append((f"{number}. " if number else "", False))
            titled = None
        elif match.group("rest") is None:
            titled = match.group("part") if section.get("heading") else None
            out.append((f"{number}. ", titled is not None))
        elif match.group("part") == titled:
            out.append((f"{match.group('rest')}. ", False))
        else:
            out.append((f"{number}. ", False))
            titled = None
    return out


def _end_with(text: str, mark: str) -> str:
    text = text.rstrip()
    return text if text.endswith(mark) else text.rstrip(".;,:") + mark


def _dash_lines(items: list[str]) -> list[str]:
    """"- A;" … "- Z." for Kính gửi and Nơi nhận lists."""
    return [f"- {_end_with(item, '.' if index == len(items) - 1 else ';')}" for index, item in enumerate(items)]


def _body(data: dict) -> list[Paragraph]:
    decision = data.get("doc_type") == "quyet_dinh"
    paragraphs = [Paragraph(text, "basis" if decision and text.startswith(BASIS_OPENINGS)
                            else "part" if _part_title(text) else "body")
                  for text in (data.get("preamble") or "").split("\n") if text.strip()]
    sections = data.get("sections") or []
    for section, (number, own_heading) in zip(sections, _numbering(sections)):
        heading = section.get("heading")
        tasks = [task["text"] for task in section.get("tasks") or []]
        if own_heading and heading:  # "II. NHIỆM VỤ, GIẢI PHÁP" in bold, its tasks under it
            paragraphs.append(Paragraph(f"{number}{heading}", "part"))
            paragraphs.extend(Paragraph(f"- {text}", "item") for text in tasks)
            continue
        if heading and len(tasks) == 1 and heading.rstrip().endswith(":"):
            paragraphs.append(Paragraph(f"{number}{heading} {tasks[0]}", "heading"))  # "4. Công an huyện: Kịp thời ..."
            continue
        if heading:
            paragraphs.append(Paragraph(f"{number}{heading}", "heading"))
            paragraphs.extend(Paragraph(f"- {text}", "item") for text in tasks)
        elif number and tasks:
            paragraphs.append(Paragraph(f"{number}{tasks[0]}", "heading"))
            paragraphs.extend(Paragraph(f"- {text}", "item") for text in tasks[1:])
        else:
            paragraphs.extend(Paragraph(f"- {text}", "item") for text in tasks)
    paragraphs.extend(Paragraph(text) for text in (data.get("closing") or "").split("\n") if text.strip())
    if paragraphs and not paragraphs[-1].text.rstrip().endswith("./."):
        paragraphs[-1].text = _end_with(paragraphs[-1].text, "./.")  # an administrative text ends with "./."
    return paragraphs


def build_letter(data: dict, *, draft: bool = False, today: date | None = None,
                 appendix: Appendix | None = None) -> Letter:
    """From a directive (directive format) to the letter; raise LetterError when it cannot print."""
    problems = letter_problems(data)
    if problems:
        raise LetterError(problems)
    today = today or local_today()
    kind = doc_types.get(data.get("doc_type"))
    doc_type = kind.code
    superior, agency = split_issuer(data["issuer"])
    number = data.get("number")
    symbol = data.get("symbol") or ""
    number_line = f"Số: {number or BLANK}/{symbol}" if symbol else f"Số: {number or BLANK}"
    when = data.get("date") if number else None
    year = when.year if when else today.year
    subject = data["subject"].strip()
    signer = data.get("signer") or {}
    signature_lines = signature_block(signer)

    recipients, label = list(data.get("recipients") or []), None
    if kind.recipients == "kinh_gui" and recipients:
        label = "Kính gửi"
    elif kind.recipients == "dien" and recipients:
        label = " ".join(agency) + " điện"  # "ỦY BAN NHÂN DÂN TỈNH KON TUM điện:"

    marks = []
    if draft:
        marks.append((DRAFT_BOX[0], DRAFT_BOX[1], False))
    if data.get("urgency") in URGENCY_BOXES:
        text, width = URGENCY_BOXES[data["urgency"]]
        marks.append((text, width, True))

    cc = list(data.get("cc") or [])
    warnings = []
    if doc_type == "cong_van" and cc and cc[0].strip(" .;").lower() not in ("như trên", "như kính gửi"):
        warnings.append("Nơi nhận của công văn nên bắt đầu bằng “Như trên”.")
    if cc and not cc[-1].startswith("Lưu"):
        warnings.append("Dòng cuối của Nơi nhận nên là “Lưu: VT, …”.")
    if not signer.get("name"):
        warnings.append("Chưa có họ tên người ký.")
    warnings.extend(symbol_advice(doc_type, symbol))

    return Letter(
        superior_lines=superior,
        agency_lines=agency,
        number_line=number_line,
        date_line=date_line(data.get("place") or "", when, year),
        subject_line=None if kind.printed_name else f"V/v {subject}",
        type_name=kind.printed_name,
        summary=(subject[:1].upper() + subject[1:]) if kind.printed_name else None,
        recipients_label=label,
        recipients=_dash_lines(recipients) if label and (len(recipients) > 1 or kind.recipients == "dien")
        else [_end_with(r, ".") for r in recipients] if label else [],
        body=_body(data),
        cc=_dash_lines(cc),
        signature_lines=signature_lines,
        signer_name=signer.get("name") or "",
        marks=marks,
        warnings=warnings,
        doc_type=doc_type,
        appendix=appendix,
    )
