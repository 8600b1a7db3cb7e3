"""From raw extracted text to clean lines: NFC, no markdown marks, no tabs, bullets made uniform.

Pure functions, no Flask. Blank lines are kept (as "") because they can separate paragraphs;
the parser decides whether they do.
"""
import html
import re
import unicodedata

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SUBSCRIPT = re.compile(r"[_^]\{([^{}]*)\}")  # "PCVP_{KGVX}" -> "PCVP KGVX" (markdown/LaTeX junk)
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_QUOTE = re.compile(r"^\s{0,3}>\s?")
_BULLET = re.compile(r"^\s*(?:[•◦▪▫●○■□◆◇➢➤►▸‣⁃∙·\uf0b7\uf0a7\uf0d8\uf076\uf0fc–—−]|-(?!-)|\*(?=\s))\s*(?=\S)")
_PLUS = re.compile(r"^\s*\+\s*(?=\S)")
_RULE = re.compile(r"^[\s\-_=.*~·•–—]{3,}$")  # "-------", "______", "–––––" (the rules under header lines)
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def clean_lines(text: str) -> list[str]:
    """Split text into cleaned lines; tab-separated rows become "| a | b |" table rows."""
    text = nfc(text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n").replace("\f", "\n").replace("\v", "\n")
    text = _ZERO_WIDTH.sub("", text)
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.IGNORECASE)  # markdown tables and pasted HTML
    if re.search(r"&(?:nbsp|amp|lt|gt|quot|#\d+);", text):
        text = html.unescape(text)
    lines = []
    for raw in text.split("\n"):
        cells = [cell for cell in re.split(r"\t{2,}", raw.strip("\t ")) if cell.strip()]
        if len(cells) == 2:
            # two columns side by side ("Nơi nhận:<tabs>KT. CHỦ TỊCH"): one after the other
            lines.extend(clean_line(cell) for cell in cells)
        else:
            lines.append(clean_line(raw))
    return lines


def clean_line(raw: str) -> str:
    cells = [cell for cell in raw.strip("\t ").split("\t")]
    if len([cell for cell in cells if cell.strip()]) >= 3 and raw.count("\t") >= 2 and "|" not in raw:
        # a table copied from Word or a spreadsheet: one tab between cells
        raw = "| " + " | ".join(cell.strip() for cell in cells) + " |"
    line = _CONTROL.sub("", raw)
    if _RULE.match(line.strip()):
        return ""
    line = line.replace("**", "").replace("__", "").replace("`", "").replace("~~", "")
    line = _SUBSCRIPT.sub(r" \1", line)
    line = _MD_HEADING.sub("", line)
    line = _MD_QUOTE.sub("", line)
    line = line.replace("\\-", "-").replace("\\.", ".").replace("\\*", "*").replace("\\_", "_")
    line = _SPACES.sub(" ", line).strip()
    if _TABLE_SEPARATOR.match(line) and "|" in line:
        return ""
    if _RULE.match(line):
        return ""
    if line.startswith("|"):
        return line
    if _PLUS.match(line):
        return "+ " + _PLUS.sub("", line)
    if _BULLET.match(line) and not re.match(r"^-\s*\d", line) or re.match(r"^-\s+\d", line):
        line = "- " + _BULLET.sub("", line)
    line = line.replace("*", "")
    return line.strip()
