"""Numbers as Vietnamese offices write them (Babel, locale vi): 1.234 for thousands, 18,4 % and 24,5 KB
with a decimal comma. Pages, Excel titles and letters all format through here."""
from babel.numbers import format_decimal, format_percent

LOCALE = "vi_VN"


def number(value) -> str:
    """1234567 → "1.234.567"; 2.5 → "2,5"."""
    if value is None:
        return ""
    return format_decimal(value, locale=LOCALE)


def percent(value, digits: int = 1) -> str:
    """A share out of 100 (18.4) → "18,4 %"."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + " %"
    return format_percent(value / 100, format=pattern, locale=LOCALE)


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
            return f"{format_decimal(size, format='#,##0.0', locale=LOCALE)} {unit}"
    return ""
