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


MAX_UNCOMPRESSED = 200 * 1024 * 1024  # a DOCX or XLSX that inflates past this is refused (zip bomb)
MAX_IMAGE_PIXELS = 100_000_000  # 10,000 × 10,000: a scan at 600 dpi of A3 is a third of that


def sniff(data: bytes) -> str | None:
    """The media type the first bytes claim, or None (an executable renamed .pdf is None)."""
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


def inspect(data: bytes) -> tuple[str | None, str | None]:
    """(media type, None) when a real parser opens the file as what it claims to be, else
    (None, why not). Run under app.limits: a crafted file must not hold the server."""
    media_type = sniff(data)
    if media_type is None:
        return None, f"không phải tệp {KINDS} (kiểm tra theo nội dung tệp)"
    try:
        problem = _OPENERS[media_type](data)
    except Exception:  # every parser has its own errors for a broken file
        problem = "bị hỏng, không mở được"
    return (None, problem) if problem else (media_type, None)


def _open_pdf(data: bytes) -> str | None:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        return "là PDF có mật khẩu: bỏ mật khẩu rồi gửi lại" if "password" in str(error).lower() \
            else "là PDF bị hỏng, không mở được"
    try:
        return None if len(document) > 0 else "là PDF không có trang nào"
    finally:
        document.close()


def _open_zip(data: bytes, part: str) -> str | None:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED:
            return "quá lớn khi giải nén"
        if archive.testzip() is not None:
            return "bị hỏng, không mở được"
        from lxml import etree

        etree.fromstring(archive.read(part), etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    return None


def _open_image(data: bytes) -> str | None:
    from PIL import Image

    with Image.open(BytesIO(data)) as image:
        width, height = image.size
        if width * height > MAX_IMAGE_PIXELS:
            return "là ảnh quá lớn (quá 100 triệu điểm ảnh)"
        image.verify()
    return None


_OPENERS = {
    "application/pdf": _open_pdf,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
        lambda data: _open_zip(data, "word/document.xml"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": lambda data: _open_zip(data, "xl/workbook.xml"),
    "image/png": _open_image,
    "image/jpeg": _open_image,
}


def display_name(filename: str) -> str:
    """The name to show and offer on download: no folders ("../../x", "C:\\x"), no control characters."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = clean_line(name).strip(". ")
    return name[:200] or "tep-dinh-kem"
