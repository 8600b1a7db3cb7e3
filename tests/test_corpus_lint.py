"""Every corpus document (../shared/corpus/real), imported as `directive import --dry-run` reads
it, prints to DOCX and PDF that pass the ND30 lint, except for rules about wording the letter
copies from the document (bench/corpus_lint.py lists those per document)."""
import pytest

from bench import corpus_lint

pytestmark = pytest.mark.skipif(not corpus_lint.documents.__globals__["CORPUS"].is_dir(),
                                reason="the development corpus (../shared/corpus/real) is not here")


@pytest.fixture(scope="module")
def rows():
    return corpus_lint.lint_corpus()


def test_the_whole_corpus_is_linted(rows):
    assert len(rows) == 20
    printed = [row for row in rows if row[2]]
    assert len(printed) >= 18, [row[:2] for row in rows if not row[2]]


def test_no_corpus_letter_breaks_a_rule_of_the_renderer(rows):
    found = [f"{stem} {kind}: {finding}" for stem, _filled, reports, _s, data in rows
             for kind, report in reports.items() for finding in report.findings
             if not corpus_lint.from_original(finding, data)]
    assert not found, "\n".join(found)


def test_the_rules_the_originals_break_are_found_in_both_files(rows):
    """The DOCX and the PDF of one letter break the same rules: one rule set, two readers. (Only a
    PDF shows where pages break: a Nơi nhận list longer than a page splits the block there alone.)"""
    def rules(report):
        return sorted({f.rule for f in report.findings if "hai trang" not in f.detail})

    for stem, _filled, reports, _s, _data in rows:
        if reports:
            assert rules(reports["docx"]) == rules(reports["pdf"]), stem
