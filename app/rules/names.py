"""Matching an agency or group name as written in a letter to the directory.

Letters abbreviate ("UBND các huyện, thành phố" for "Ủy ban nhân dân các huyện, thành phố")
and vary in case and punctuation; the key below removes those differences.
"""
import re

from app.text import fold

ABBREVIATIONS = {
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "tt": "thuong truc",
    "mttq": "mat tran to quoc",
    "ld-tb&xh": "lao dong - thuong binh va xa hoi",
    "ldtbxh": "lao dong - thuong binh va xa hoi",
    "tp": "thanh pho",
}
_TOKEN = re.compile(r"[\w&-]+")


def name_key(name: str) -> str:
    """Fold, expand abbreviations, drop punctuation and a leading "các"/"cơ quan" article noise."""
    folded = fold(name).strip(" .;:")
    words = [ABBREVIATIONS.get(token, token) for token in _TOKEN.findall(folded)]
    text = " ".join(words).replace("-", " ")
    return re.sub(r"\s+", " ", text).strip()


def build_index(entries) -> dict[str, list]:
    """entries: (names, target) pairs; a key that points to two targets is ambiguous."""
    index: dict[str, list] = {}
    for names, target in entries:
        for name in names:
            if name:
                bucket = index.setdefault(name_key(name), [])
                if target not in bucket:
                    bucket.append(target)
    return index


def lookup(index: dict[str, list], name: str):
    """The single target for a name, or None when unknown or ambiguous."""
    found = index.get(name_key(name), [])
    return found[0] if len(found) == 1 else None
