"""Every corpus document, as the importer reads it, printed and linted.

    .venv/bin/python bench/corpus_lint.py

Each text of ../shared/corpus/real is imported exactly as `flask --app app directive import
--dry-run FILE` does (import_document + as_json, in one process), reduced to the directive
format, printed to DOCX and PDF and linted with app/lint. Fields a letter cannot print without
(a page that lost its header, a signer without a title) are filled with placeholders and named.
Each finding is put on one of two lists:
- the document's data breaks it: the rule is about wording the letter copies from the document
  (the number, the date, the Nơi nhận list, the signature's notations …) — as the original prints
  it, or as the importer read it (a date it missed, a Nơi nhận that swallowed the attachment);
- the renderer breaks it: anything else. There must be none (tests/test_corpus_lint.py).
"""
import copy
import time

from bench.corpus_letters import PLACEHOLDER_ISSUER, PLACEHOLDER_SUBJECT, PLACEHOLDER_TITLE, application, documents  # noqa: E402

# Rules about text the letter copies from the document as it is (ND30.md §6).
WORDING_RULES = {"R15", "R16", "R19", "R22", "R28", "R29", "R30", "R32", "R35", "R36"}


def from_original(finding, data: dict | None = None) -> bool:
    """Whether a finding comes from the document's data (its wording, or a field the importer did not
    find) rather than from the renderer. A Nơi nhận list longer than a page cannot stay on the
    signature's page: that split is the data's too."""
    if finding.rule in WORDING_RULES:
        return True
    if finding.rule == "R31" and "hai trang" in finding.detail and data and len(data.get("cc") or []) > 30:
        return True
    detail = finding.detail
    return (finding.rule == "R17" and ("địa danh" in detail or "phải theo mẫu" in detail or "để trống" in detail)
            or finding.rule == "R21" and "in hoa toàn bộ" in detail
            or finding.rule == "R31" and ("thứ tự" in detail or "ký hiệu quyền hạn" in detail or "không in hoa" in detail)
            or finding.rule == "R20" and "bắt đầu" in detail)


def printable(data: dict) -> tuple[dict, list[str]]:
    """The import with placeholders where a letter needs a field the page did not give."""
    from app import doc_types
    from app.documents.letter import letter_problems

    data, filled = copy.deepcopy(data), []
    if not data.get("issuer"):
        data["issuer"], filled = list(PLACEHOLDER_ISSUER), filled + ["issuer"]
    if not (data.get("subject") or "").strip():
        data["subject"], filled = PLACEHOLDER_SUBJECT, filled + ["subject"]
    if letter_problems(data) and any("chức vụ" in p for p in letter_problems(data)):
        data["signer"] = dict(data.get("signer") or {}, title=PLACEHOLDER_TITLE)
        filled.append("signer.title")
    if doc_types.get(data.get("doc_type")).takes_recipients and not data.get("recipients"):
        data["recipients"], filled = ["Các cơ quan, đơn vị liên quan"], filled + ["recipients"]
    if not data.get("cc") and not doc_types.get(data.get("doc_type")).takes_recipients:
        data["cc"], filled = ["Lưu: VT"], filled + ["cc"]
    if not any(s.get("tasks") for s in data.get("sections") or []) and not data.get("preamble"):
        data["preamble"], filled = "Nội dung văn bản.", filled + ["preamble"]
    return data, filled


def lint_corpus():
    """[(document, filled fields, {"docx": report, "pdf": report}, seconds, data)] for every corpus text."""
    from app.directive_format import FormatError, parse_directive
    from app.documents import render
    from app.extensions import db
    from app.importer.service import import_document, pure_directive
    from app.lint import lint_file
    from app.lint.service import context_for

    rows = []
    app = application()
    with app.app_context():
        for stem, _gt, txt in documents():
            started = time.perf_counter()
            result = import_document(content=txt.read_bytes(), filename=txt.name)
            db.session.rollback()
            data = pure_directive(result.data)
            data["sections"] = [s for s in data["sections"] if s["tasks"]]
            data, filled = printable(data)
            try:
                data = parse_directive(data)
            except FormatError as error:  # the reading is not a valid directive: nothing to print
                rows.append((stem, filled + [f"không in được: {'; '.join(error.errors)}"], {},
                             time.perf_counter() - started, data))
                continue
            reports = {kind: lint_file(render(data, kind), kind, context_for(data)) for kind in ("docx", "pdf")}
            rows.append((stem, filled, reports, time.perf_counter() - started, data))
    return rows


def main():
    rows = lint_corpus()
    renderer, original = 0, {}
    for stem, filled, reports, seconds, data in rows:
        print(f"{stem} ({seconds:.1f} s){'  filled: ' + ', '.join(filled) if filled else ''}")
        for kind, report in reports.items():
            ours = [f for f in report.findings if not from_original(f, data)]
            theirs = [f for f in report.findings if from_original(f, data)]
            renderer += len(ours)
            for finding in theirs:
                original.setdefault(finding.rule, set()).add(stem[:2])
            print(f"  {kind}: {'đạt' if report.passed else 'không đạt'}; renderer {len(ours)}, original {len(theirs)}")
            for finding in ours:
                print(f"    RENDERER {finding}")
            for finding in theirs:
                print(f"    original {finding}")
    print(f"documents: {len(rows)}")
    print(f"renderer_findings: {renderer}")
    for rule, stems in sorted(original.items()):
        print(f"original_breaks_{rule}: {len(stems)} documents ({', '.join(sorted(stems))})")


if __name__ == "__main__":
    main()
