"""Numbers as Vietnamese offices write them (Babel, locale vi): 1.234 for thousands, 18,4 % and 24,5 KB
with a decimal comma. Pages, Excel titles and letters all format through here.

Babel's format_decimal and format_percent look the locale up and parse the pattern on every call (about
30 µs, a tenth of a request's time where a page prints fifty rates); the locale and each pattern are parsed
once here and applied as those functions apply them."""
from functools import lru_cache

from babel import Locale
from babel.numbers import NumberPattern, parse_pattern

LOCALE = "vi_VN"
_LOCALE = Locale.parse(LOCALE)


@lru_cache(maxsize=16)
def _pattern(fmt: str | None) -> NumberPattern:
    return parse_pattern(fmt if fmt is not None else _LOCALE.decimal_formats[None])


def format_decimal(value, format: str | None = None) -> str:  # noqa: A002 - Babel's name for it
    return _pattern(format).apply(value, _LOCALE)


def number(value) -> str:
    """1234567 → "1.234.567"; 2.5 → "2,5"."""
    if value is None:
        return ""
    return format_decimal(value)


def percent(value, digits: int = 1) -> str:
    """A share out of 100 (18.4) → "18,4 %"."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + " %"
    return _pattern(pattern).apply(value / 100, _LOCALE)


def ratio(part: int, whole: int, digits: int = 1) -> str:
    """part of whole as a percentage ("0 %" when there is nothing)."""
    return percent(100 * part / whole if whole else 0, digits)


def signed(value: int) -> str:
    """A change since the previous cut-off: "+3", "0", "−2" (a real minus sign)."""
    if value > 0:
        return "+" + number(value)
    if value < 0:
        return "\u2212" + number(-value)
    return "0"


def filesize(size: int) -> str:
    """Bytes → "850 B", "24,5 KB", "3,2 MB"."""
    if size < 1024:
        return f"{number(size)} B"
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            return f"{format_decimal(size, format='#,##0.0')} {unit}"
    return ""
