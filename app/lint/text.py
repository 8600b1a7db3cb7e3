"""Text helpers of the checks: NFC and tone placement (hoà = hòa), whitespace, capitals, and the
width of a line set in Times New Roman metrics (the bundled Liberation Serif has the same)."""
import re
import unicodedata

from app.documents.fonts import text_width_mm
from app.lint.model import MM


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _tone_pairs() -> dict[str, str]:
    """Old tone placement (hoà, Uỷ) → new (hòa, Ủy), for open syllables only."""
    pairs = {}
    for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
        for tone in "\u0300\u0301\u0309\u0303\u0323":
            for a, b in ((first, second), (first.upper(), second.upper()), (first.upper(), second)):
                pairs[a + nfc(b + tone)] = nfc(a + tone) + b
    return pairs


_TONE_PAIRS = _tone_pairs()
_OLD_TONE = re.compile(r"(?<![qQ])(" + "|".join(map(re.escape, _TONE_PAIRS)) + r")(?!\w)")


def tone_normalise(text: str) -> str:
    return _OLD_TONE.sub(lambda m: _TONE_PAIRS[m.group(1)], nfc(text))


def squash(text: str) -> str:
    """Whitespace (no-break spaces too) collapsed to single spaces."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def norm(text: str | None) -> str:
    """For comparisons: NFC, new tone placement, collapsed whitespace."""
    return squash(tone_normalise(text or ""))


def join_lines(texts: list[str]) -> str:
    """Printed lines joined into one paragraph: a space between lines, none after a hyphen or a
    slash inside a word ("8149/CD-" + "VPCP"), since the renderers never hyphenate."""
    out = ""
    for text in texts:
        text = text.strip()
        if not out:
            out = text
        elif out[-1] in "-/" and len(out) > 1 and not out[-2].isspace():
            out += text
        else:
            out += " " + text
    return out


def is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def width_pt(text: str, size: float, bold: bool = False, italic: bool = False) -> float:
    """Advance width of one line (no kerning), in points."""
    return text_width_mm(nfc(text), size, bold, italic) * MM


def wrapped_widths_pt(text: str, size: float, column: float, bold: bool = False, italic: bool = False) -> list[float]:
    """Greedy breaking at spaces, as Word does: the width of every printed line (points)."""
    lines, current = [], ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if not current or width_pt(candidate, size, bold, italic) <= column + 0.01:
            current = candidate
        else:
            lines.append(current)
            current = word
    lines.append(current)
    return [width_pt(line, size, bold, italic) for line in lines]
