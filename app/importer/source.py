"""What a reader gives the parser (the text, its kind and notes), and the limits every reader keeps."""
from dataclasses import dataclass, field

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
