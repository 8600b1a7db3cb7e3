"""Text and date rules shared by forms, loaders and templates.

Vietnamese text is stored composed (NFC): a decomposed "ệ" looks the same on screen but
does not match in search, sorting or PDF extraction.
"""
import re
import unicodedata
from datetime import date, datetime

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u3000]+")
# Removed from every input: C0 and C1 controls but tab and line breaks, what XML 1.0 cannot hold
# (lone surrogates, U+FFFE, U+FFFF), and the bidirectional controls that make "hoso\u202efdp.exe"
# show as "hosoexe.pdf" (Vietnamese never needs them).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
                      "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def clean_line(value):
    """One-line field: NFC, control characters removed, runs of spaces collapsed, trimmed."""
    if value is None:
        return None
    value = _CONTROL.sub("", nfc(str(value)))
    value = value.replace("\r", " ").replace("\n", " ")
    return _SPACES.sub(" ", value).strip()


def clean_text(value):
    """Multi-line field: like clean_line per line, keeping line breaks, no blank edges."""
    if value is None:
        return None
    value = _CONTROL.sub("", nfc(str(value))).replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in value.split("\n")]
    return "\n".join(lines).strip()


def xml_safe(value):
    """Text a renderer (DOCX, XLSX, edXML) can write: the characters XML cannot hold are dropped.
    Input is cleaned on the way in; this guards what was stored before that rule."""
    if value is None or not isinstance(value, str):
        return value
    return _CONTROL.sub("", value) if _CONTROL.search(value) else value


_ASCII_INT = re.compile(r"[0-9]{1,18}")


def ascii_int(value) -> int | None:
    """The number an id, page or year field holds, or None. Only ASCII digits count: "²" and "٣" pass
    str.isdigit() and then break int(); a hidden id is never written with them."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = value.strip() if isinstance(value, str) else ""
    return int(text) if _ASCII_INT.fullmatch(text) else None


MAX_ID = 2**31 - 1  # a PostgreSQL integer column: a larger id is no row, not a database error


def ascii_id(value) -> int | None:
    """A row id from a URL, a query string or a hidden field, or None."""
    number = ascii_int(value)
    return number if number is not None and 0 < number <= MAX_ID else None


def ascii_year(value) -> int | None:
    number = ascii_int(value)
    return number if number is not None and 1900 <= number <= 2200 else None


def fold(value: str) -> str:
    """Lower case without diacritics, so "ủy ban" finds "Ủy ban" and "uy ban" alike."""
    value = nfc(value or "").lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", value)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.replace("\n", " ")).strip()


DATE_FORMAT = "%d/%m/%Y"


def parse_vn_date(value: str) -> date:
    """Parse "dd/mm/yyyy" (also d/m/yyyy and dd-mm-yyyy); raise ValueError with a Vietnamese message."""
    text = clean_line(value or "")
    match = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", text)
    if not match:
        raise ValueError("Ngày không hợp lệ: nhập theo dạng dd/mm/yyyy, ví dụ 05/12/2025.")
    day, month, year = (int(part) for part in match.groups())
    try:
        result = date(year, month, day)
    except ValueError:
        raise ValueError(f"Không có ngày {text}: kiểm tra lại ngày và tháng.") from None
    if not 1900 <= year <= 2200:
        raise ValueError("Năm phải trong khoảng 1900 đến 2200.")
    return result


def format_vn_date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    return value.strftime(DATE_FORMAT)


_ITEM_MARKER = re.compile(r"^\s*(?:[-–—+•*·]|\u2022)\s+")


def strip_item_marker(text: str) -> str:
    """A task typed as "- Rà soát …": the letter adds its own "- ", so the typed dash goes."""
    return _ITEM_MARKER.sub("", text or "", count=1)
