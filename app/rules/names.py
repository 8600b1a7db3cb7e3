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

# Written-out forms of abbreviations inside agency names ("Sở GD&ĐT", "BCĐ huyện", "TTYT").
EXPANSIONS = [
    (r"GD\s*&\s*ĐT|GDĐT", "Giáo dục và Đào tạo"),
    (r"KH\s*&\s*ĐT|KHĐT", "Kế hoạch và Đầu tư"),
    (r"TT\s*&\s*TT|TTTT", "Thông tin và Truyền thông"),
    (r"TN\s*&\s*MT|TNMT", "Tài nguyên và Môi trường"),
    (r"NN\s*&\s*PTNT|NNPTNT", "Nông nghiệp và Phát triển nông thôn"),
    (r"NN\s*&\s*MT|NNMT", "Nông nghiệp và Môi trường"),
    (r"VH\s*,?\s*TT\s*&\s*DL|VHTTDL", "Văn hóa, Thể thao và Du lịch"),
    (r"KH\s*&\s*CN|KHCN", "Khoa học và Công nghệ"),
    (r"GTVT", "Giao thông vận tải"),
    (r"LĐ\s*-\s*TB\s*&\s*XH|LĐ-TBXH|LĐTB\s*&\s*XH", "Lao động - Thương binh và Xã hội"),
    (r"BCĐ", "Ban Chỉ đạo"),
    (r"BCHQS|BCH\s+QS", "Bộ Chỉ huy Quân sự"),
    (r"TTYT", "Trung tâm Y tế"),
    (r"UBMTTQ\s*VN|UBMTTQ", "Ủy ban Mặt trận Tổ quốc Việt Nam"),
    (r"MTTQ\s*VN", "Mặt trận Tổ quốc Việt Nam"),
    (r"VP", "Văn phòng"),
    (r"TX\.?", "thị xã"),
    (r"TP\.", "thành phố"),
]
_EXPANSIONS = [(re.compile(rf"(?<![\wĐđ&]){pattern}(?![\wĐđ&])"), words) for pattern, words in EXPANSIONS]


def expand(name: str) -> str:
    for pattern, words in _EXPANSIONS:
        name = pattern.sub(words, name)
    return name


def name_key(name: str) -> str:
    """Fold case and accents, write out abbreviations (GD&ĐT, UBND …), drop punctuation."""
    folded = fold(expand(name or "")).strip(" .;:")
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
