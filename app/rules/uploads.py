"""Evidence files: what they really are is read from their first bytes, never from their name."""
import re
import zipfile
from io import BytesIO

from app.text import clean_line

ALLOWED = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "image/png": ".png",
    "image/jpeg": ".jpg",
}
KINDS = "PDF, DOCX, XLSX, PNG, JPEG"


def sniff(data: bytes) -> str | None:
    """The media type of an allowed file, or None (an executable renamed .pdf is None)."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return None
        if "word/document.xml" in names:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if "xl/workbook.xml" in names:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


def display_name(filename: str) -> str:
    """The name to show and offer on download: no folders ("../../x", "C:\\x"), no control characters."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = clean_line(name).strip(". ")
    return name[:200] or "tep-dinh-kem"
