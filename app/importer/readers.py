"""From an uploaded file to text: .txt/.md (any common encoding), .docx (python-docx), .pdf with a
text layer (pdfplumber). Every failure is an ImportRefused with a Vietnamese message.

This module recognises what was sent (by its bytes, then its name) and reads plain text; the Word
and PDF readers are read_docx.py and read_pdf.py, a scan goes on to ocr.py.
"""
import io
import re
import zipfile
from app.importer import legacy
from app.importer.errors import ImportRefused
from app.importer.read_docx import read_docx
from app.importer.read_pdf import read_pdf
from app.importer.source import MAX_BYTES, MAX_TEXT_CHARS, TEXT_SUFFIXES, Source, megabytes, unicode_text
from app.numbers import number as vn_number

__all__ = ["MAX_BYTES", "Source", "decode_text", "read_document", "read_docx", "read_pdf", "read_text"]

def read_document(content: bytes, filename: str, max_bytes: int = MAX_BYTES, ocr: bool = True) -> Source:
    """The text of an upload; `ocr=False`: a scan raises NeedsOcr instead of being read (see read_pdf)."""
    name = (filename or "").strip()
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if content is None or len(content) == 0:
        raise ImportRefused("Tệp rỗng: không có nội dung để nhập.")
    if len(content) > max_bytes:
        raise ImportRefused(f"Tệp quá lớn ({megabytes(len(content))}); chỉ nhận tệp đến {megabytes(max_bytes)}.")
    kind = _sniff(content)
    if kind == "doc":
        raise ImportRefused("Tệp Word 97-2003 (.doc) chưa được hỗ trợ: mở bằng Word rồi lưu thành .docx.")
    if kind == "rtf":
        raise ImportRefused("Tệp RTF chưa được hỗ trợ: mở bằng Word rồi lưu thành .docx.")
    if kind == "image":
        raise ImportRefused("Đây là tệp ảnh (ảnh chụp hoặc bản quét): cần nhận dạng chữ (OCR) trước; "
                            "chỉ nhận .txt, .md, .docx hoặc .pdf có lớp chữ.")
    if kind == "zip":
        raise ImportRefused("Tệp nén hoặc tài liệu không phải Word (.docx) chưa được hỗ trợ.")
    if kind == "pdf":
        return read_pdf(content, ocr=ocr)
    if kind == "docx":
        return read_docx(content)
    if suffix == ".docx":
        raise ImportRefused("Tệp .docx bị hỏng hoặc không phải tệp Word: không mở được.")
    if suffix == ".pdf":
        raise ImportRefused("Tệp .pdf bị hỏng hoặc không phải PDF: không mở được.")
    if suffix not in TEXT_SUFFIXES and suffix != "":
        raise ImportRefused(f"Định dạng “{suffix}” không được hỗ trợ: chọn tệp .txt, .md, .docx hoặc .pdf.")
    text, encoding, notes = decode_text(content)
    return Source(text, "txt", encoding=encoding, notes=notes)


def _sniff(content: bytes) -> str | None:
    head = content[:8]
    if content.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"BM")) or \
            content[8:12] == b"WEBP":
        return "image"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return "broken-zip"
        return "docx" if "word/document.xml" in names else "zip"
    return None


def decode_text(content: bytes) -> tuple[str, str, list[str]]:
    """Bytes of a text file to (text, encoding, notes); refuse binary data."""
    notes = []
    if content.startswith(b"\xef\xbb\xbf"):
        text, encoding = content[3:].decode("utf-8", errors="replace"), "utf-8"
    elif content.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, encoding = content.decode("utf-16", errors="replace"), "utf-16"
    else:
        if b"\x00" in content[:4096]:
            raise ImportRefused("Tệp không phải văn bản (có dữ liệu nhị phân): chọn tệp .txt, .md, .docx hoặc .pdf.")
        try:
            text, encoding = content.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = _decode_legacy_bytes(content)
    _refuse_garbage(text)
    found = legacy.detect(text)
    if found:
        text = legacy.to_unicode(text, found)
        encoding = found
        notes.append(f"Văn bản dùng bảng mã cũ {legacy.NAMES[found]}: đã chuyển sang Unicode."
                     + (" Chữ hoa có dấu của phông TCVN3 có thể bị chuyển thành chữ thường: kiểm tra lại."
                        if found == "tcvn3" else ""))
    if len(text) > MAX_TEXT_CHARS:
        raise ImportRefused(f"Văn bản quá dài ({vn_number(len(text))} ký tự); chỉ nhận đến {vn_number(MAX_TEXT_CHARS)} ký tự.")
    return text, encoding, notes


def _decode_legacy_bytes(content: bytes) -> tuple[str, str]:
    latin = content.decode("cp1252", errors="replace")
    if legacy.detect(latin):
        return latin, "cp1252"
    try:
        text = content.decode("cp1258")
    except UnicodeDecodeError:
        text = None
    if text is not None and re.search(r"[\u0300\u0301\u0303\u0309\u0323]", text):
        import unicodedata

        return unicodedata.normalize("NFC", text), "cp1258"
    raise ImportRefused("Không đọc được bảng mã của tệp (không phải UTF-8, TCVN3 hay VNI): "
                        "hãy lưu lại tệp với bảng mã Unicode UTF-8.")


def _refuse_garbage(text: str) -> None:
    sample = text[:100000]
    if not sample.strip():
        raise ImportRefused("Tệp không có chữ nào: không có nội dung để nhập.")
    control = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\n\r\t\f\v") or ch == "\ufffd")
    visible = [ch for ch in sample if not ch.isspace()]
    letters = sum(1 for ch in visible if ch.isalpha())
    if control > 0.01 * len(sample) or (len(visible) > 20 and letters < 0.4 * len(visible)):
        raise ImportRefused("Tệp không phải văn bản đọc được (dữ liệu nhị phân hoặc ký tự lạ): "
                            "chọn tệp .txt, .md, .docx hoặc .pdf.")


def read_text(text: str) -> Source:
    """Text pasted into the web form."""
    text = (text or "").replace("\x00", "")
    if not text.strip():
        raise ImportRefused("Chưa có nội dung: dán văn bản hoặc chọn tệp.")
    if len(text) <= MAX_TEXT_CHARS:
        _refuse_garbage(text)  # a text too long is refused as such first
    return unicode_text(text, "text", "bảng mã cũ")
