"""One rule set over the neutral description: run every rule, in the order of ND30 §6."""
from app.lint.checks import TYPE_NAMES, Findings, LintContext
from app.lint.model import LaidOutLetter
from app.lint.report import LintReport
from app.lint.rules_body import check_body, check_recipients
from app.lint.rules_header import check_header, check_marks, check_title
from app.lint.rules_page import check_page, check_page_numbers, check_text
from app.lint.rules_signature import check_signature
from app.lint.text import squash


def document_type(doc: LaidOutLetter, ctx: LintContext) -> str:
    """The type the file is meant to be: given, or read from its printed type name."""
    if ctx.doc_type:
        return ctx.doc_type
    if doc.type_name is not None:
        return TYPE_NAMES.get(squash(doc.type_name.text), "cong_van")
    return "cong_van"


def run_rules(doc: LaidOutLetter, ctx: LintContext | None = None) -> LintReport:
    ctx = ctx or LintContext()
    if not doc.texts:  # a scan: nothing laid out to check
        return LintReport(doc.medium, [], list(doc.notes) or ["Tệp không có chữ để kiểm tra."], doc.page_count,
                          checked=False)
    doc_type = document_type(doc, ctx)
    out = Findings()
    check_page(doc, out)
    check_text(doc, out)
    check_page_numbers(doc, out)
    check_header(doc, ctx, doc_type, out)
    check_title(doc, doc_type, out)
    check_recipients(doc, doc_type, out)
    check_body(doc, doc_type, out)
    check_signature(doc, doc_type, out)
    check_marks(doc, ctx, out)
    unique = []
    for finding in out:
        if all((finding.rule, finding.detail) != (f.rule, f.detail) for f in unique):
            unique.append(finding)
    return LintReport(doc.medium, unique, list(doc.notes), doc.page_count)
