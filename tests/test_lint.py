"""The ND30 lint (app/lint) must be able to fail: letters broken on purpose, in the DOCX and in
the PDF, each make the rule that guards the broken fact fire, with its ND30 reference and a
Vietnamese message; the same rule fires from both readers."""
import io
import re
from datetime import date

import pytest
from docx import Document
from docx.oxml.ns import qn

from app.directive_format import read_directive_file
from app.documents import render
from app.documents.letter import build_letter
from dataclasses import replace

from app.documents.letter_pdf import STYLES
from app.documents.pdf_renderer import render_pdf
from app.lint import RULES, LintContext, lint_file
from app.lint.service import LintError, context_for, lint_directive
from conftest import DIRECTIVES_DIR

TODAY = date(2026, 1, 5)
SEED = DIRECTIVES_DIR / "001-kon-tum-tiep-tuc-chi-dao-covid.yaml"


def issued() -> dict:
    return dict(read_directive_file(SEED), number="05", date=TODAY)


def rules_of(content: bytes, kind: str, data: dict | None = None) -> set[str]:
    report = lint_file(content, kind, context_for(data or issued()))
    for finding in report.findings:
        assert finding.rule in RULES and finding.detail and finding.info.reference.startswith(("Nghị định", "Quy ước"))
    return set(report.broken_rules)


def test_a_clean_letter_passes_in_both_formats():
    for kind in ("docx", "pdf"):
        report = lint_file(render(issued(), kind, today=TODAY), kind, context_for(issued()))
        assert report.passed and report.findings == [], report.lines()
        assert report.summary().startswith("Đạt thể thức")


# ---------------------------------------------------------------------------- broken DOCX files

def _edit_docx(change) -> bytes:
    document = Document(io.BytesIO(render(issued(), "docx", today=TODAY)))
    change(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _body_paragraphs(document):
    return [p for p in document.paragraphs if p.text.strip() and not p.text.startswith("Kính gửi")
            and not p.text.startswith("- ")]


def _set_jc(paragraph, value):
    paragraph._p.pPr.find(qn("w:jc")).set(qn("w:val"), value)


def _all_runs(document):
    yield from (r for p in document.paragraphs for r in p.runs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from (r for p in cell.paragraphs for r in p.runs)


DOCX_BREAKS = {
    "R01": lambda d: setattr(d.sections[0], "page_width", d.sections[0].page_width + 300000),
    "R02": lambda d: setattr(d.sections[0], "left_margin", d.sections[0].left_margin // 2),
    "R03": lambda d: next(_all_runs(d))._r.rPr.find(qn("w:rFonts")).set(qn("w:ascii"), "Arial"),
    "R04": lambda d: _body_paragraphs(d)[0].runs[0]._r.rPr.find(qn("w:color")).set(qn("w:val"), "0000FF"),
    "R06": lambda d: setattr(d.sections[0], "different_first_page_header_footer", False),
    "R08": lambda d: setattr(d.tables[0].rows[0].cells[1].paragraphs[0].runs[0], "text", "CỘNG HÒA VIỆT NAM"),
    "R10": lambda d: d.tables[0].rows[0].cells[1].paragraphs[2]._p.pPr.remove(
        d.tables[0].rows[0].cells[1].paragraphs[2]._p.pPr.find(qn("w:pBdr"))),
    "R17": lambda d: setattr(d.tables[0].rows[1].cells[1].paragraphs[0].runs[0], "italic", False),
    "R23": lambda d: _set_jc(_body_paragraphs(d)[1], "left"),
    "R24": lambda d: _body_paragraphs(d)[1]._p.pPr.find(qn("w:ind")).set(qn("w:firstLine"), "0"),
    "R25": lambda d: setattr(_body_paragraphs(d)[1].runs[0], "bold", True),
    "R26": lambda d: [p._p.pPr.find(qn("w:spacing")).set(qn("w:before"), "0") for p in _body_paragraphs(d)],
    "R27": lambda d: _body_paragraphs(d)[1]._p.pPr.find(qn("w:spacing")).set(qn("w:line"), "480"),
    "R34": lambda d: setattr(d.tables[-1].rows[0].cells[0].paragraphs[0].runs[0], "italic", False),
    "R36": lambda d: setattr(d.tables[-1].rows[0].cells[0].paragraphs[1].runs[0], "text", "- Sở Y tế;"),
}


@pytest.mark.parametrize("rule", sorted(DOCX_BREAKS))
def test_a_broken_docx_fails_its_rule(rule):
    broken = rules_of(_edit_docx(DOCX_BREAKS[rule]), "docx")
    assert rule in broken, f"{rule} did not fire; found {sorted(broken)}"


# ---------------------------------------------------------------------------- broken PDF files

def _pdf(styles=None, letter=None) -> bytes:
    """The letter printed as the renderer prints it, with some of its styles changed."""
    return render_pdf(letter or build_letter(issued(), today=TODAY), styles=dict(STYLES, **(styles or {})))


def _restyle(name: str, **changes) -> dict:
    return {name: replace(STYLES[name], **changes)}


def _unknown_font(pdf: bytes) -> bytes:
    """The embedded faces renamed in place (same length, so the cross-reference table stays right)."""
    assert b"+LiberationSerif" in pdf
    return pdf.replace(b"+LiberationSerif", b"+LetterSerifFace")


PDF_BREAKS = {
    "R03": lambda: _unknown_font(_pdf()),  # a font name no office knows
    "R04": lambda: _pdf(_restyle("body", colour="0000FF")),
    "R08": lambda: _pdf(_restyle("quoc_hieu", size=15)),
    "R12": lambda: _pdf(_restyle("agency", bold=False)),
    "R20": lambda: _pdf(_restyle("subject_cv", bold=True)),
    "R23": lambda: _pdf(_restyle("body", align="left")),
    "R24": lambda: _pdf(_restyle("body", indent=20 * 72 / 25.4)),
    "R25": lambda: _pdf(_restyle("body", size=12)),
    "R27": lambda: _pdf(_restyle("body", line_height=2.2)),
    "R31": lambda: _pdf(_restyle("authority", bold=False)),
    "R33": lambda: _pdf(_restyle("signer_name", space_before=2 * 72 / 25.4)),
    "R35": lambda: _pdf(_restyle("cc", size=13)),
}


@pytest.mark.parametrize("rule", sorted(PDF_BREAKS))
def test_a_broken_pdf_fails_its_rule(rule):
    broken = rules_of(PDF_BREAKS[rule](), "pdf")
    assert rule in broken, f"{rule} did not fire; found {sorted(broken)}"


@pytest.mark.parametrize("kind", ["docx", "pdf"])
@pytest.mark.parametrize("rule, changes", [
    ("R15", {"number": "5"}),
    ("R19", {"date": date(2026, 1, 5), "place": "Kon Tum"}),
    ("R36", {"cc": ["Sở Y tế", "Lưu: VT, KGVX"]}),
    ("R31", {"signer": {"authority": "KT.", "authority_title": "CHỦ TỊCH", "name": "Lê Văn A",
                        "title": "TL. CHÁNH VĂN PHÒNG\nPHÓ CHÁNH VĂN PHÒNG"}}),  # TL. may not follow KT.
])
def test_the_same_rule_fires_from_both_readers(kind, rule, changes):
    data = dict(issued(), **changes)
    content = render(data, kind, today=TODAY)
    if rule == "R19":  # "ngày 5 tháng 01": an unpadded day, which the letter itself never prints
        content = _unpad_day(content, kind, data)
    assert rule in rules_of(content, kind, data)


def _unpad_day(content: bytes, kind: str, data: dict) -> bytes:
    if kind == "docx":
        document = Document(io.BytesIO(content))
        run = document.tables[0].rows[1].cells[1].paragraphs[0].runs[0]
        run.text = run.text.replace("ngày 05", "ngày 5")
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()
    letter = build_letter(data, today=TODAY)
    return _pdf(letter=replace(letter, date_line=letter.date_line.replace("ngày 05 tháng", "ngày 5 tháng")))


def test_a_file_that_is_not_a_letter_is_refused_in_vietnamese():
    with pytest.raises(LintError, match="Chỉ kiểm tra được tệp .docx hoặc .pdf"):
        lint_file(b"hello", None)
    with pytest.raises(LintError, match="Không đọc được tệp PDF"):
        lint_file(b"%PDF-1.7 broken", "pdf")


def test_the_report_prints_rule_reference_and_fix_in_vietnamese():
    report = lint_file(PDF_BREAKS["R23"](), "pdf", LintContext(doc_type="cong_van", issued=True))
    text = "\n".join(report.lines())
    assert text.startswith("Không đạt thể thức Nghị định 30/2020/NĐ-CP")
    assert "[R23] (bắt buộc) Nội dung căn đều hai lề — Nghị định 30/2020/NĐ-CP, Phụ lục I" in text
    assert "Cách sửa: Căn đều hai lề các đoạn nội dung." in text
    assert not report.passed and {f["rule"] for f in report.as_dict()["findings"]} == {"R23"}


def test_lint_directive_renders_the_letter_as_issued():
    data = read_directive_file(SEED)
    assert data["number"] is None
    assert lint_directive(data, today=TODAY).passed
    broken = lint_directive(dict(data, cc=["Sở Y tế", "Lưu: VT"]), today=TODAY)
    assert not broken.passed and broken.broken_rules == ["R36"]


def test_cli_lint_prints_the_findings_and_exits_one_on_a_must_rule(app, tmp_path):
    good, bad = tmp_path / "good.pdf", tmp_path / "bad.docx"
    good.write_bytes(render(issued(), "pdf", today=TODAY))
    bad.write_bytes(_edit_docx(DOCX_BREAKS["R23"]))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["directive", "lint", str(good)])
    assert result.exit_code == 0, result.output
    assert "Đạt thể thức Nghị định 30/2020/NĐ-CP" in result.output
    result = runner.invoke(args=["directive", "lint", str(bad)])
    assert result.exit_code == 1
    assert re.search(r"\[R23\] \(bắt buộc\) Nội dung căn đều hai lề", result.output)
    result = runner.invoke(args=["directive", "lint", str(tmp_path / "missing.pdf")])
    assert result.exit_code == 1 and "Không tìm thấy tệp" in result.output
