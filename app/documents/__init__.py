"""Letters per Nghị định 30/2020/NĐ-CP: one neutral letter model, a DOCX and a PDF renderer."""
from datetime import date

FORMATS = ("docx", "pdf")
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def render(data: dict, fmt: str, *, draft: bool = False, today: date | None = None, appendix=None) -> bytes:
    """A directive (directive format) as DOCX or PDF bytes; LetterError names what is missing."""
    from app.documents.letter import build_letter

    letter = build_letter(data, draft=draft, today=today, appendix=appendix)
    if fmt == "docx":
        from app.documents.docx_renderer import render_docx

        return render_docx(letter)
    if fmt == "pdf":
        from app.documents.pdf_renderer import render_pdf

        return render_pdf(letter)
    raise ValueError(f"định dạng không hỗ trợ: {fmt} (chọn docx hoặc pdf)")
