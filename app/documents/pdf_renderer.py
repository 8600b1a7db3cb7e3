"""The letter as PDF: its pages drawn by letter_pdf.py and a report's appendix (Phụ lục) by appendix_pdf.py,
on one ReportLab sheet with the letter font embedded (subset) under its own PostScript name.

Every measurement comes from layout.py, which the DOCX renderer reads too.
"""
from app.documents.letter import Letter
from app.documents.pdf_canvas import Sheet


def render_pdf(letter: Letter, styles=None) -> bytes:
    """The letter's PDF; `styles` replaces letter_pdf.STYLES (the lint's tests draw letters that break a rule)."""
    from app.documents.letter_pdf import draw_letter

    sheet = Sheet(title=letter.subject_line or letter.summary or "", author=" ".join(letter.agency_lines))
    draw_letter(sheet, letter, styles)
    if letter.appendix is not None:
        from app.documents.appendix_pdf import draw_appendix

        sheet.start_part(letter.appendix.landscape)
        draw_appendix(sheet, letter.appendix)
    return sheet.save()
