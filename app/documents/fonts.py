"""The letter font: bundled Liberation Serif (Times New Roman metrics, every Vietnamese letter),
or Times New Roman files the operator points LETTER_FONT_DIR at. Also text widths for the rules."""
import os
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont

from app.documents.layout import pt_to_mm

BUNDLED_DIR = Path(__file__).resolve().parent / "fonts"
BUNDLED = {
    ("normal", "normal"): "LiberationSerif-Regular.ttf",
    ("bold", "normal"): "LiberationSerif-Bold.ttf",
    ("normal", "italic"): "LiberationSerif-Italic.ttf",
    ("bold", "italic"): "LiberationSerif-BoldItalic.ttf",
}
# Usual Times New Roman file names (Windows and the msttcorefonts package).
TIMES = {
    ("normal", "normal"): ("times.ttf", "Times_New_Roman.ttf", "Times New Roman.ttf"),
    ("bold", "normal"): ("timesbd.ttf", "Times_New_Roman_Bold.ttf", "Times New Roman Bold.ttf"),
    ("normal", "italic"): ("timesi.ttf", "Times_New_Roman_Italic.ttf", "Times New Roman Italic.ttf"),
    ("bold", "italic"): ("timesbi.ttf", "Times_New_Roman_Bold_Italic.ttf", "Times New Roman Bold Italic.ttf"),
}


@lru_cache(maxsize=4)
def font_files(font_dir: str | None = None) -> dict[tuple[str, str], Path]:
    """The four faces to embed: Times New Roman from font_dir when all four are there, else bundled."""
    font_dir = font_dir or os.environ.get("LETTER_FONT_DIR")
    if font_dir:
        folder = Path(font_dir)
        found = {}
        for face, names in TIMES.items():
            for name in names:
                for candidate in (folder / name, folder / name.lower()):
                    if candidate.is_file():
                        found[face] = candidate
                        break
                if face in found:
                    break
        if len(found) == 4:
            return found
    return {face: BUNDLED_DIR / name for face, name in BUNDLED.items()}


@lru_cache(maxsize=8)
def postscript_name(path: str) -> str:
    """The face's own PostScript name (name ID 6), e.g. "LiberationSerif-Bold", "TimesNewRomanPS-BoldMT"."""
    font = TTFont(path, lazy=True)
    name = font["name"].getDebugName(6) or font["name"].getDebugName(4) or Path(path).stem
    return name.replace(" ", "")


@lru_cache(maxsize=8)
def _metrics(path: str):
    font = TTFont(path, lazy=True)
    return font.getBestCmap(), font["hmtx"].metrics, font["head"].unitsPerEm


def text_width_mm(text: str, size: float, bold: bool = False, italic: bool = False) -> float:
    """Width of one line of text as the letter font sets it (no kerning: the renderers use none)."""
    path = font_files()[("bold" if bold else "normal", "italic" if italic else "normal")]
    cmap, advances, units = _metrics(str(path))
    total = 0
    for char in text:
        glyph = cmap.get(ord(char))
        total += advances[glyph][0] if glyph in advances else units // 2
    return pt_to_mm(total / units * size)


def wrapped_widths_mm(text: str, size: float, bold: bool, column_mm: float) -> list[float]:
    """Widths of the lines a text breaks into in a column (greedy, at spaces, as Word and the PDF do)."""
    widths, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and text_width_mm(candidate, size, bold) > column_mm:
            widths.append(text_width_mm(line, size, bold))
            line = word
        else:
            line = candidate
    if line:
        widths.append(text_width_mm(line, size, bold))
    return widths


@lru_cache(maxsize=1)
def ascent_ratio() -> float:
    """Height of the font's ascent over its em (where the baseline sits in a line box)."""
    font = TTFont(str(font_files()[("normal", "normal")]), lazy=True)
    return font["hhea"].ascent / font["head"].unitsPerEm
