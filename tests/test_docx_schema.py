"""Every kind of DOCX the application writes keeps the element order ECMA-376 prescribes (Word calls a
file "unreadable content" when, say, w:pgNumType comes after w:docGrid; LibreOffice does not mind)."""
from datetime import date
from io import BytesIO
from zipfile import ZipFile

import pytest
from lxml import etree

from app.directive_format import read_directive_file
from app.documents import render
from app.documents.letter import Appendix, AppendixTable
from tests.helpers import DIRECTIVES_DIR

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Sequences of ECMA-376 Part 1 (CT_SectPr, CT_PPrBase, CT_RPr, CT_TblPr, CT_TrPr, CT_TcPr), as the standard lists them.
ORDERS = {
    "sectPr": ["headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar", "paperSrc",
               "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote", "titlePg",
               "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings", "sectPrChange"],
    "pPr": ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
            "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
            "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
            "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
            "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"],
    "rPr": ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline", "shadow",
            "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w", "kern",
            "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs",
            "em", "lang", "eastAsianLayout", "specVanish", "oMath"],
    "tblPr": ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize", "tblW",
              "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook",
              "tblCaption", "tblDescription", "tblPrChange"],
    "trPr": ["cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter", "cantSplit", "trHeight",
             "tblHeader", "tblCellSpacing", "jc", "hidden", "ins", "del", "trPrChange"],
    "tcPr": ["cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
             "textDirection", "tcFitText", "vAlign", "hideMark", "headers", "cellIns", "cellDel", "cellMerge",
             "tcPrChange"],
}


def order_problems(docx: bytes) -> list[str]:
    root = etree.fromstring(ZipFile(BytesIO(docx)).read("word/document.xml"))
    problems = []
    for parent_name, order in ORDERS.items():
        for parent in root.iter(W + parent_name):
            names = [etree.QName(child).localname for child in parent]
            unknown = [n for n in names if n not in order]
            positions = [order.index(n) for n in names if n in order]
            if unknown or positions != sorted(positions):
                problems.append(f"{parent_name}: {names}")
    return problems


def appendix(landscape):
    rows = [("group", ["1. Sở Y tế tỉnh Kon Tum"]), ("row", ["1", "Nhiệm vụ", "Chủ trì", "01/12/2026", "Quá hạn", ""]),
            ("subtotal", ["Cộng: 1 nhiệm vụ"])]
    summary = AppendixTable("I. TỔNG HỢP", [("STT", 0.1), ("Cơ quan", 0.9)], [("row", ["1", "Sở Y tế"])])
    return Appendix("Tình hình thực hiện", "(Kèm theo Báo cáo)", [("STT", .1), ("Nhiệm vụ", .4), ("Vai trò", .1),
                    ("Hạn", .1), ("Tình trạng", .1), ("Báo cáo", .2)], rows, landscape=landscape, summary=summary)


def letters():
    seed = read_directive_file(DIRECTIVES_DIR / "001-kon-tum-tiep-tuc-chi-dao-covid.yaml")
    yield "seed", seed, {}
    yield "draft", seed, {"draft": True}
    yield "urgent", dict(seed, urgency="hoa_toc"), {}
    for doc_type in ("chi_thi", "cong_dien", "thong_bao", "ke_hoach", "quyet_dinh", "bao_cao", "to_trinh"):
        yield doc_type, dict(seed, doc_type=doc_type), {}
    yield "report, portrait appendix", dict(seed, doc_type="bao_cao"), {"appendix": appendix(False)}
    yield "report, landscape appendix", dict(seed, doc_type="bao_cao"), {"appendix": appendix(True)}


@pytest.mark.parametrize("name, data, options", list(letters()), ids=[name for name, *_ in letters()])
def test_every_docx_keeps_schema_order(name, data, options):
    docx = render(data, "docx", today=date(2026, 6, 15), **options)
    assert order_problems(docx) == []


def test_the_check_catches_pgnumtype_after_docgrid():
    """The check itself: a section whose pgNumType follows docGrid, as the period report once wrote."""
    bad = b"""<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
      <w:body><w:sectPr><w:pgSz/><w:pgMar/><w:docGrid/><w:pgNumType/></w:sectPr></w:body></w:document>"""
    out = BytesIO()
    with ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", bad)
    assert order_problems(out.getvalue()) == ["sectPr: ['pgSz', 'pgMar', 'docGrid', 'pgNumType']"]
