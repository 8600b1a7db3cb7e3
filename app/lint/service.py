"""Entry points: lint a file's bytes, or the letter a directive would be issued as."""
from datetime import date

from app.lint.checks import URGENCY_CODES, LintContext
from app.lint.engine import run_rules
from app.lint.report import Finding, LintReport


class LintError(ValueError):
    """A file that cannot be linted, with a Vietnamese message."""


def sniff_kind(content: bytes, filename: str = "") -> str:
    """"docx" or "pdf" from the bytes (the name only breaks a tie); LintError otherwise."""
    if content[:1024].lstrip().startswith(b"%PDF-"):
        return "pdf"
    if content[:4] == b"PK\x03\x04":
        return "docx"
    raise LintError("Chỉ kiểm tra được tệp .docx hoặc .pdf.")


def lint_docx(content: bytes, context: LintContext | None = None) -> LintReport:
    from app.lint.docx_reader import read_docx

    return run_rules(read_docx(content), context)


def lint_pdf(content: bytes, context: LintContext | None = None) -> LintReport:
    from app.lint.pdf_reader import read_pdf
    from app.lint.report import Finding

    report = run_rules(read_pdf(content), context)
    if b"/Sig" in content:  # a digitally signed letter: R44, the images of the signatures (app/signing)
        from app.signing.placement import r44_problems
        try:
            report.findings.extend(Finding("R44", problem) for problem in r44_problems(content))
        except Exception:
            report.notes.append("Không đọc được hình ảnh của chữ ký số để kiểm tra R44.")
    return report


def lint_file(content: bytes, kind: str | None = None, context: LintContext | None = None) -> LintReport:
    """The ND30 findings of a DOCX or PDF letter (kind "docx"/"pdf", or None to read it from the bytes)."""
    kind = kind or sniff_kind(content)
    try:
        return lint_docx(content, context) if kind == "docx" else lint_pdf(content, context)
    except LintError:
        raise
    except Exception:  # a broken file is a finding for the user, not a crash
        raise LintError(f"Không đọc được tệp {kind.upper()} để kiểm tra thể thức.") from None


def must_fix(content: bytes, kind: str, data: dict) -> list[str]:
    """What stops a letter from being issued: each broken MUST rule with what to change, in Vietnamese."""
    report = lint_file(content, kind, context_for(data))
    return [f"[{f.rule}] {f.info.fix} ({kind.upper()}: {f.detail})" for f in report.must_failures]


def lint_upload(content: bytes, filename: str = "") -> LintReport | None:
    """The lint of an uploaded letter for the import page: None for a text file or a file it cannot read."""
    from app import limits

    try:
        return limits.run(lint_file, content, sniff_kind(content, filename))
    except (LintError, limits.LimitExceeded):
        return None


def context_for(data: dict, *, draft: bool = False) -> LintContext:
    return LintContext(doc_type=data.get("doc_type") or "cong_van", issued=bool(data.get("number")), draft=draft,
                       urgency=URGENCY_CODES.get(data.get("urgency")), check_urgency=True)


def lint_directive(data: dict, *, today: date | None = None, number: str = "01") -> LintReport:
    """The lint of the letter as the clerk would issue it (a number and today's date filled in),
    DOCX and PDF both; a finding seen in both files is listed once."""
    from app.documents import render

    from app.clock import local_today

    issued = dict(data, number=data.get("number") or number, date=data.get("date") or today or local_today())
    context = context_for(issued)
    docx = lint_docx(render(issued, "docx", today=today), context)
    pdf = lint_pdf(render(issued, "pdf", today=today), context)
    findings: list[Finding] = list(docx.findings)
    seen = {(f.rule, f.detail) for f in findings}
    findings += [f for f in pdf.findings if (f.rule, f.detail) not in seen]
    return LintReport("docx+pdf", findings, docx.notes + [n for n in pdf.notes if n not in docx.notes], pdf.pages)
