"""Names as written in a letter -> agencies and groups of the directory.

Matching is accent- and case-insensitive with the abbreviations of app.rules.names (UBND, HĐND,
Sở LĐ-TB&XH ...) and a few more (GD&ĐT, KH&ĐT, TT&TT ...). In order: the exact name; the name
without a person's title ("Giám đốc Sở Y tế", "Các Thành viên Ban Chỉ đạo ..."); the agency in
brackets ("Cơ quan Thường trực ... (Sở Y tế)"); "các huyện, thị xã, thành phố" as the UBND
group; a name that begins exactly one directory name ("UBND thành phố" in Đắk Lắk); a close
spelling (rapidfuzz) that differs only by typing, never by a different place name.

Names are looked up within the issuing agency's tree (DirectoryIndex), so "Sở Y tế" is the Sở of
the province that wrote the letter. When the letter has no printed header, the issuer is
inferred from what the letter does say: place, symbol, the groups it writes to, the Lưu line,
the signer's title.
"""
import re

from rapidfuzz import fuzz, process
from sqlalchemy import select

from app.directives.service import DirectoryIndex, find_issuer
from app.extensions import db
from app.models import Agency, AgencyGroup
from app.rules.names import name_key
from app.text import fold

PERSON_TITLE = re.compile(
    r"^(?:các\s+thành\s+viên|thành\s+viên|phó\s+giám\s+đốc|giám\s+đốc|phó\s+chủ\s+tịch|chủ\s+tịch|thủ\s+trưởng|"
    r"lãnh\s+đạo|chỉ\s+huy\s+trưởng|chánh\s+văn\s+phòng|trưởng\s+ban|trưởng\s+phòng|trưởng|người\s+đứng\s+đầu|"
    r"bí\s+thư)\s+", re.IGNORECASE)
GROUP_OF_UBND = re.compile(r"^các\s+(huyện|xã|thị\s+xã|thành\s+phố|quận|phường|thị\s+trấn)\b", re.IGNORECASE)
KIND_WORDS = {
    "van_phong": ("chanh van phong", "van phong"),
    "ubnd_tinh": ("uy ban nhan dan", "chu tich"),
    "ubnd_huyen": ("uy ban nhan dan", "chu tich"),
    "ubnd_xa": ("uy ban nhan dan", "chu tich"),
    "so": ("giam doc",),
    "don_vi": ("giam doc", "truong ban"),
    "nganh": ("giam doc", "chi huy truong", "truong ban"),
    "phong": ("truong phong",),
}




class Resolver:
    """The directory, loaded once per import."""

    def __init__(self):
        self.agencies = db.session.scalars(select(Agency).where(Agency.active.is_(True))).all()
        self.groups = db.session.scalars(select(AgencyGroup)).all()
        self.vocabulary_keys = {name_key(n) for a in self.agencies for n in (a.name, a.short_name) if n}
        self.vocabulary_keys |= {name_key(g.name) for g in self.groups}
        self._indexes: dict = {}

    def vocabulary(self, text: str) -> bool:
        """Whether a span of text is a directory name (helps the parser find where a name ends)."""
        return name_key(text) in self.vocabulary_keys

    # ------------------------------------------------------------ names

    def index(self, issuer: Agency | None) -> dict:
        cache_key = issuer.id if issuer is not None else None
        if cache_key not in self._indexes:
            self._indexes[cache_key] = DirectoryIndex(issuer).index
        return self._indexes[cache_key]

    def resolve(self, name: str, issuer: Agency | None, foreign: bool = False):
        """(Agency or AgencyGroup or None, how it matched).

        `foreign`: the letter prints an issuer the directory does not hold (Ủy ban nhân dân Thành phố Hồ Chí
        Minh in a Kon Tum deployment). Its "Sở Nội vụ" is its own Sở, not the directory's: only a name
        printed in full (the directory name itself, place included) is matched."""
        if foreign:
            wanted = name_key(name)
            found = [a for a in self.agencies if name_key(a.name) == wanted] + \
                    [g for g in self.groups if name_key(g.name) == wanted]
            return (found[0], "exact") if len(found) == 1 else (None, None)
        index = self.index(issuer)
        tries = [(name, "exact")]
        stripped = PERSON_TITLE.sub("", name)
        if stripped != name:
            tries.append((stripped, "title"))
        for inside in re.findall(r"\(([^()]+)\)", name):
            tries.append((inside, "parenthesis"))
        without = re.sub(r"\s*\([^()]*\)", "", name).strip()
        if without != name:
            tries.append((without, "exact"))
        for text, _how in list(tries):
            if GROUP_OF_UBND.match(text):
                tries.append(("Ủy ban nhân dân " + text, "group"))
        for text, how in tries:
            found = set(index.get(name_key(text), []))
            if len(found) == 1:
                return found.pop(), how
        for text, _how in tries:
            wanted = name_key(text)
            if len(wanted.split()) < 2:
                continue
            found = {t for k, targets in index.items() if k.startswith(wanted + " ") for t in targets}
            if len(found) == 1:
                return found.pop(), "prefix"
        keys = list(index)
        for text, _how in tries:
            wanted = name_key(text)
            if len(wanted) < 6:
                continue
            matches = process.extract(wanted, keys, scorer=fuzz.ratio, limit=5, score_cutoff=88)
            good = [(k, score) for k, score, _ in matches if _same_words(wanted, k)]
            if not good:
                continue
            best = max(score for _, score in good)
            targets = {t for k, score in good if score >= best - 2 for t in index[k]}
            if len(targets) == 1:
                return targets.pop(), "fuzzy"
        return None, None

    # ------------------------------------------------------------ issuer

    def find_issuer(self, data: dict) -> tuple[Agency | None, str | None, list[str]]:
        """(agency, "header" | "inferred" | None, reasons)."""
        lines = data.get("issuer") or []
        if lines:
            agency = find_issuer(lines)
            if agency is not None:
                return agency, "header", []
            wanted = name_key(" ".join(lines))
            for agency in self.agencies:
                if agency.header_lines and (name_key(" ".join(agency.header_lines)) == wanted or name_key(agency.name) == wanted):
                    return agency, "header", []
            return None, None, []
        return self._infer_issuer(data)

    def _infer_issuer(self, data: dict):
        candidates = [a for a in self.agencies if a.header_text]
        scores = {a.id: 0 for a in candidates}
        reasons: dict[int, list[str]] = {a.id: [] for a in candidates}
        place = name_key(data.get("place") or "")
        symbol_head = fold((data.get("symbol") or "").split("-")[0]).strip()
        signer = data.get("signer") or {}
        signer_words = fold(" ".join([signer.get("authority_title") or "", signer.get("title") or ""]))
        speech = fold(" ".join([(data.get("preamble") or "")[-300:], data.get("closing") or ""]))
        keep_line = next((line for line in data.get("cc") or [] if fold(line).startswith("luu")), "")
        keep_codes = {fold(code) for code in re.split(r"[\s,.;:()\-]+", keep_line.split(":", 1)[-1]) if code}
        recipient_groups = []
        for recipient in data.get("recipients") or []:
            wanted = name_key(recipient)
            owners = {g.owner_id for g in self.groups if name_key(g.name) == wanted}
            recipient_groups.append(owners)
        for agency in candidates:
            score, why = 0, []
            if place and name_key(agency.place) == place:
                score += 2
                why.append("địa danh")
            if symbol_head and fold(agency.abbreviation or "") == symbol_head:
                score += 2
                why.append("ký hiệu")
            for owners in recipient_groups:
                if agency.id in owners or agency.parent_id in owners and agency.kind == "van_phong":
                    score += 3
                    why.append("nhóm nơi nhận")
            if keep_codes & {fold(child.abbreviation or "") for child in agency.children}:
                score += 1
                why.append("dòng Lưu")
            words = KIND_WORDS.get(agency.kind, ())
            if signer_words and any(word in signer_words for word in words):
                score += 1
                why.append("chức vụ người ký")
            if _speaks_as(speech, agency):
                score += 1
                why.append("lời văn")
            scores[agency.id], reasons[agency.id] = score, why
        ranked = sorted(candidates, key=lambda a: -scores[a.id])
        if not ranked or scores[ranked[0].id] < 4:
            return None, None, []
        if len(ranked) > 1 and scores[ranked[1].id] == scores[ranked[0].id]:
            return None, None, []
        best = ranked[0]
        return best, "inferred", list(dict.fromkeys(reasons[best.id]))


def _speaks_as(speech: str, agency: Agency) -> bool:
    """"Ủy ban nhân dân huyện yêu cầu", "Văn phòng UBND tỉnh thông báo", "Giám đốc Trung tâm Y tế đề nghị"."""
    patterns = {
        "ubnd_huyen": r"(uy ban nhan dan|ubnd) (huyen|thanh pho|thi xa) (yeu cau|chi dao|de nghi)",
        "ubnd_tinh": r"(uy ban nhan dan|ubnd) tinh (yeu cau|chi dao|de nghi)",
        "ubnd_xa": r"(uy ban nhan dan|ubnd) xa (yeu cau|chi dao|de nghi)",
        "van_phong": r"van phong (uy ban nhan dan|ubnd|hdnd)[^.]{0,40}(thong bao|truyen dat)",
        "don_vi": r"(giam doc|lanh dao) (trung tam|benh vien|ban)[^.]{0,40}(de nghi|yeu cau)",
        "so": r"(giam doc )?so [^.]{0,40}(de nghi|yeu cau)",
    }
    pattern = patterns.get(agency.kind)
    return bool(pattern and re.search(pattern, speech))


def _same_words(a: str, b: str) -> bool:
    """Close spellings only: the words that differ must themselves be close ("hdrai" / "h drai")."""
    left, right = a.split(), b.split()
    only_left = [w for w in left if w not in right]
    only_right = [w for w in right if w not in left]
    if not only_left and not only_right:
        return True
    return fuzz.ratio("".join(only_left), "".join(only_right)) >= 75


def target_label(target) -> str | None:
    if target is None:
        return None
    return target.name


def target_kind(target) -> str | None:
    if isinstance(target, AgencyGroup):
        return "group"
    if isinstance(target, Agency):
        return "agency"
    return None
