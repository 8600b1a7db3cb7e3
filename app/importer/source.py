"""What a reader gives the parser (the text, its kind and notes), and the limits every reader keeps."""
from dataclasses import dataclass, field

from app.importer import legacy
from app.importer.errors import ImportRefused
from app.numbers import number as vn_number

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
SUFFIXES = TEXT_SUFFIXES + (".docx", ".pdf")
MAX_BYTES = 10 * 1024 * 1024
MAX_TEXT_CHARS = 400_000
MAX_PDF_PAGES = 80
MAX_DOCX_UNCOMPRESSED = 60 * 1024 * 1024


@dataclass
class Source:
    text: str
    kind: str  # txt, docx, pdf, text (pasted)
    encoding: str | None = None
    pages: int | None = None
    notes: list[str] = field(default_factory=list)


def megabytes(size: int) -> str:
    from app.numbers import filesize

    return filesize(size)


def unicode_text(text: str, kind: str, legacy_words: str) -> Source:
    """The text every reader gives: not over MAX_TEXT_CHARS, TCVN3/VNI converted (with a note saying so)."""
    if len(text) > MAX_TEXT_CHARS:
        raise ImportRefused(f"Văn bản quá dài ({vn_number(len(text))} ký tự); chỉ nhận đến {vn_number(MAX_TEXT_CHARS)} ký tự.")
    notes = []
    found = legacy.detect(text)
    if found:
        text = legacy.to_unicode(text, found)
        notes.append(f"Văn bản dùng {legacy_words} {legacy.NAMES[found]}: đã chuyển sang Unicode.")
    return Source(text, kind, encoding=found or "unicode", notes=notes)
