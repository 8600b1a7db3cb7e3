"""ND30 lint: one rule set (app/lint/rules_*.py) over a neutral description of a laid-out letter
(model.py), read from a DOCX (docx_reader.py) or a PDF (pdf_reader.py).

    report = lint_file(content, "pdf")          # LintReport: findings with rule id, level, ND30 reference
    report = lint_directive(directive_data)     # the letter as it would be issued, both files
"""
from app.lint.checks import LintContext
from app.lint.report import MUST, RULES, SHOULD, Finding, LintReport
from app.lint.service import lint_directive, lint_docx, lint_file, lint_pdf, lint_upload, must_fix, sniff_kind

__all__ = ["LintContext", "LintReport", "Finding", "RULES", "MUST", "SHOULD", "lint_file", "lint_docx", "lint_pdf",
           "lint_directive", "lint_upload", "must_fix", "sniff_kind"]
