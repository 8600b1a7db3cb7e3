"""Old Vietnamese encodings: TCVN3 (ABC, fonts .VnTime) and VNI (fonts VNI-Times).

Text typed with those fonts reaches us as Latin-1/Windows-1252 characters ("Uû ban nh©n d©n",
"UÛy ban nhaân daân"), whether the file was saved as bytes or already converted to Unicode
code points by Word. `detect` names the encoding from characters that never occur in Vietnamese
Unicode text; `to_unicode` converts. Pure functions, no Flask.
"""
import re
import unicodedata

# TCVN3 (ABC): one byte per letter, lower case only (upper case letters came from .VnTimeH fonts,
# which draw the same codes as capitals) except the seven capitals below.
_TCVN3_LETTERS = {
    "a": "µ¸¶·¹", "ă": "»¾¼½Æ", "â": "ÇÊÈÉË", "e": "ÌÐÎÏÑ", "ê": "ÒÕÓÔÖ", "i": "×ÝØÜÞ",
    "o": "ßãáâä", "ô": "åèæçé", "ơ": "êíëìî", "u": "ïóñòô", "ư": "õøö÷ù", "y": "úýûüþ",
}
_TONES = "\u0300\u0301\u0309\u0303\u0323"  # huyền, sắc, hỏi, ngã, nặng (TCVN3 order)
TCVN3 = {"¨": "ă", "©": "â", "®": "đ", "ª": "ê", "«": "ô", "¬": "ơ", "\u00ad": "ư",
         "¡": "Ă", "¢": "Â", "§": "Đ", "£": "Ê", "¤": "Ô", "¥": "Ơ", "¦": "Ư"}
for _base, _codes in _TCVN3_LETTERS.items():
    for _code, _tone in zip(_codes, _TONES):
        TCVN3[_code] = unicodedata.normalize("NFC", _base + _tone)

# VNI: a base letter followed by one or two mark characters; a few letters are single characters.
_VNI_TONES = {"ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
_VNI_CIRCUMFLEX_TONES = {"á": "\u0301", "à": "\u0300", "å": "\u0309", "ã": "\u0303", "ä": "\u0323"}
_VNI_BREVE_TONES = {"é": "\u0301", "è": "\u0300", "ú": "\u0309", "ü": "\u0303", "ë": "\u0323"}


def _vni_table() -> dict[str, str]:
    table = {}

    def add(code, text):
        table[code] = unicodedata.normalize("NFC", text)
        table[code.upper()] = unicodedata.normalize("NFC", text).upper()

    for vowel in "aeouy":
        for mark, tone in _VNI_TONES.items():
            add(vowel + mark, vowel + tone)
    for vowel in "aeo":  # â ê ô
        add(vowel + "â", vowel + "\u0302")
        for mark, tone in _VNI_CIRCUMFLEX_TONES.items():
            add(vowel + mark, vowel + "\u0302" + tone)
    add("aê", "ă")
    for mark, tone in _VNI_BREVE_TONES.items():
        add("a" + mark, "a\u0306" + tone)
    for base, letter in (("ô", "ơ"), ("ö", "ư")):  # ơ and ư are single characters in VNI
        add(base, letter)
        for mark, tone in _VNI_TONES.items():
            add(base + mark, letter + tone)
    for code, text in (("ì", "ì"), ("í", "í"), ("æ", "ỉ"), ("ó", "ĩ"), ("ò", "ị"), ("î", "ỵ"), ("ñ", "đ")):
        add(code, text)
    return table


VNI = _vni_table()
_VNI_PATTERN = re.compile("|".join(re.escape(code) for code in sorted(VNI, key=len, reverse=True)))

# Characters that do not occur in Vietnamese Unicode text but are everywhere in legacy text.
_TCVN3_MARKERS = set("µ¸¶·¹¨»¾¼½©ÇÊÈÉË®ÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞßåæçé«¬êíëìîïñöø÷ùúýûüþ¡¢§£¤¥¦\u00ad") - set(
    "àáâãèéêìíòóôõùúý")
_VNI_MARKERS = set("øûïñöëüåäæîØÛÏÑÖËÜÅÄÆÎ")
_LETTER = re.compile(r"[^\W\d_]")


def detect(text: str) -> str | None:
    """'tcvn3', 'vni' or None (Unicode or plain ASCII), from the share of tell-tale characters."""
    sample = text[:200000]
    letters = len(_LETTER.findall(sample)) or 1
    tcvn3 = sum(1 for ch in sample if ch in _TCVN3_MARKERS)
    vni = len(re.findall(r"[aeouyAEOUY][ùøûõïâáàåãäêéèúüëÙØÛÕÏÂÁÀÅÃÄÊÉÈÚÜË]|[ñÑöÖ]", sample))
    vni_markers = sum(1 for ch in sample if ch in _VNI_MARKERS)
    vietnamese = sum(1 for ch in sample if "\u1ea0" <= ch <= "\u1ef9" or ch in "ăđơưĂĐƠƯ")
    if vietnamese > 0.02 * letters:
        return None  # real Vietnamese Unicode letters: not legacy text
    if vni_markers >= 3 and vni > 0.02 * letters and vni >= tcvn3 / 2:
        return "vni"
    if tcvn3 >= 3 and tcvn3 > 0.02 * letters:
        return "tcvn3"
    return None


def to_unicode(text: str, encoding: str) -> str:
    if encoding == "tcvn3":
        converted = "".join(TCVN3.get(ch, ch) for ch in text)
        return "\n".join(_restore_capitals(line) for line in converted.split("\n"))
    if encoding == "vni":
        return _VNI_PATTERN.sub(lambda match: VNI[match.group(0)], text)
    raise ValueError(encoding)


_TONED = "".join(sorted({letter for letter in TCVN3.values() if letter.islower() and letter not in "ăâđêôơư"}))
_SENTENCE_START = re.compile(rf"(^\s*(?:[-+*•]\s+|\d{{1,2}}[.)]\s*|[a-zđ]\)\s*|\*\*)?|[.!?]\s+|\(\s*)([{_TONED}])")
_CAPITAL_WORD = re.compile(rf"(?<!\w)(?=\w*[A-Z]\w*[A-Z])(?!\w*[a-z])[A-ZĐ{_TONED}ăâđêôơư]+(?!\w)")
_UY_BAN = re.compile(r"(?<![\w])ủy(?=\s+ban\b)|(?<![\w])uỷ(?=\s+ban\b)")


def _restore_capitals(line: str) -> str:
    """TCVN3 had no capitals with tones: .VnTimeH fonts drew them from lower-case codes. A line
    whose plain letters are upper case ("ủY BAN NHÂN DÂN") was printed in capitals; elsewhere the
    first letter of a sentence or of an item, and "Ủy ban", were capitals."""
    ascii_letters = [ch for ch in line if "A" <= ch <= "Z" or "a" <= ch <= "z"]
    upper = sum(1 for ch in ascii_letters if ch.isupper())
    if len(ascii_letters) >= 3 and upper >= 0.9 * len(ascii_letters):
        return line.upper()
    line = _CAPITAL_WORD.sub(lambda m: m.group(0).upper(), line)  # "PHó CHủ TịCH" -> "PHÓ CHỦ TỊCH"
    line = _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), line)
    return _UY_BAN.sub(lambda m: m.group(0)[0].upper() + m.group(0)[1:], line)


def from_unicode(text: str, encoding: str) -> str:
    """The reverse conversion (for tests): what a legacy font would have stored."""
    text = unicodedata.normalize("NFC", text)
    if encoding == "tcvn3":
        reverse = {}
        for code, letter in TCVN3.items():
            reverse.setdefault(letter, code)
        out = []
        for ch in text:
            if ch in reverse:
                out.append(reverse[ch])
            elif ch.lower() in reverse and ch.lower() != ch:
                out.append(reverse[ch.lower()])  # capitals drawn by the .VnTimeH font
            else:
                out.append(ch)
        return "".join(out)
    if encoding == "vni":
        reverse = {letter: code for code, letter in sorted(VNI.items(), key=lambda item: -len(item[0]))}
        return "".join(reverse.get(ch, ch) for ch in text)
    raise ValueError(encoding)


NAMES = {"tcvn3": "TCVN3 (ABC, phông .VnTime)", "vni": "VNI (phông VNI-Times)"}
