"""A name the directory does not hold, proposed as a new agency under the right parent.

A letter of UBND tỉnh Kon Tum naming "Sở Khoa học và Công nghệ" speaks of the province's own Sở: the
proposal is "Sở Khoa học và Công nghệ tỉnh Kon Tum" (kind Sở) under Ủy ban nhân dân tỉnh Kon Tum. The
parent follows the kind of the name, read from its first words, and the issuer's place in the tree:

    Sở …, Công an …, Bộ Chỉ huy Quân sự …, UBND huyện/xã …      under the province's UBND
    Phòng …                                                     under the issuing UBND huyện/xã or Sở
    Trung tâm …, Bệnh viện …, Chi cục …, Ban quản lý …          under the issuing Sở, else the issuing UBND

A Văn phòng issues for the UBND it serves. A group ("các Sở, ban, ngành"), a person, or a name
that already says another place is never proposed; nor is anything when the issuer itself is
unknown (its tree is not in the directory: the issuer is proposed instead).
"""
import re
from dataclasses import dataclass

from app.models import Agency
from app.text import fold

from app.importer.resolve import PERSON_TITLE

UBND_KINDS = ("ubnd_tinh", "ubnd_huyen", "ubnd_xa")
# (folded beginning, kind, where it goes)
KINDS = (
    (r"so ", "so", "province"),
    (r"(uy ban nhan dan|ubnd) (huyen|quan|thi xa|thanh pho) ", "ubnd_huyen", "province"),
    (r"(uy ban nhan dan|ubnd) (xa|phuong|thi tran|dac khu) ", "ubnd_xa", "local"),
    (r"(cong an|bo chi huy quan su|bo chi huy bo doi bien phong|cuc thue|kho bac nha nuoc|bao hiem xa hoi|"
     r"ngan hang nha nuoc|cuc hai quan|cuc thong ke|vien kiem sat|toa an) ", "nganh", "province"),
    (r"phong ", "phong", "issuer"),
    (r"(trung tam|benh vien|chi cuc|ban quan ly|truong|vien|quy|doi) ", "don_vi", "unit"),
)
NOT_AN_AGENCY = re.compile(r"^(cac|nhung|moi|toan the|ca nhan|ong|ba|dong chi|thanh vien)\b")
PLACE_WORDS = re.compile(r"\b(tinh|thanh pho|huyen|quan|thi xa|xa|phuong|thi tran)\s+\S")


@dataclass
class Proposal:
    name: str         # the full name, place included, as the directory writes it
    short_name: str   # the name as the letter prints it
    kind: str
    parent: Agency | None
    place: str

    def as_dict(self) -> dict:
        return {"name": self.name, "short_name": self.short_name, "kind": self.kind,
                "parent": self.parent.name if self.parent else None,
                "parent_id": self.parent.id if self.parent else None, "place": self.place}


def propose(printed: str, issuer: Agency | None) -> Proposal | None:
    if issuer is None:
        return None
    name = re.sub(r"\s*\([^()]*\)", "", PERSON_TITLE.sub("", printed.strip())).strip(" .;:,")
    folded = fold(name)
    if not name or NOT_AN_AGENCY.match(folded):
        return None
    rule = next(((kind, where) for pattern, kind, where in KINDS if re.match(pattern, folded + " ")), None)
    if rule is None:
        return None
    kind, where = rule
    organisation = issuer.serves or issuer  # a Văn phòng writes for the UBND it serves
    parent = _parent(where, organisation)
    if parent is None:
        return None
    rest = folded.split(" ", 1)[1] if " " in folded else ""
    if kind in ("ubnd_huyen", "ubnd_xa"):
        full = _ubnd_full_name(name)
        place = re.sub(r"(?i)^Ủy ban nhân dân\s+(huyện|quận|thị xã|thành phố|xã|phường|thị trấn|đặc khu)\s+", "", full)
        return Proposal(full, name, kind, parent, place)
    trailing = next((level for level in ("tinh", "thanh pho", "huyen", "xa") if folded.endswith(" " + level)), None)
    if trailing:  # "Bệnh viện Đa khoa tỉnh": the level is printed, the place is not
        return Proposal(f"{name} {parent.place}".strip(), name, kind, parent, parent.place)
    if PLACE_WORDS.search(rest):  # "Sở Y tế tỉnh Gia Lai", "Công an huyện X": the name already says where
        if not _same_place(folded, parent):
            return None
        return Proposal(name, name, kind, parent, parent.place)
    return Proposal(f"{name} {_place_suffix(parent)}".strip(), name, kind, parent, parent.place)


def _parent(where: str, organisation: Agency) -> Agency | None:
    province = _up_to(organisation, ("ubnd_tinh",))
    if where == "province":
        return province
    if where == "local":  # a xã belongs to the UBND huyện that writes to it, or (since 2025) to the province
        return organisation if organisation.kind == "ubnd_huyen" else province
    if where == "issuer":
        return organisation if organisation.kind in ("ubnd_huyen", "ubnd_xa", "so") else None
    if where == "unit":
        return organisation if organisation.kind in ("so", "ubnd_huyen", "ubnd_xa", "ubnd_tinh") else province
    return None


def _up_to(agency: Agency, kinds) -> Agency | None:
    seen = set()
    while agency is not None and agency.id not in seen:
        seen.add(agency.id)
        if agency.kind in kinds:
            return agency
        agency = agency.serves or agency.parent
    return None


def _place_suffix(parent: Agency) -> str:
    """"Ủy ban nhân dân tỉnh Kon Tum" → "tỉnh Kon Tum"; a Sở → its province's words."""
    ubnd = _up_to(parent, UBND_KINDS)
    if ubnd is None:
        return ""
    match = re.match(r"(?i)^(?:Ủy ban nhân dân|UBND)\s+(.+)$", ubnd.name)
    return match.group(1) if match else ""


def _same_place(folded: str, parent: Agency) -> bool:
    suffix = fold(_place_suffix(parent))
    return bool(suffix) and folded.endswith(suffix)


def _ubnd_full_name(name: str) -> str:
    return re.sub(r"(?i)^UBND\b", "Ủy ban nhân dân", name)


def describe(proposal: Proposal) -> str:
    """For the import page and its warning: what would be created, and where."""
    from app.models.agencies import AGENCY_KINDS

    where = f" thuộc {proposal.parent.name}" if proposal.parent else ""
    return f"{proposal.name} ({AGENCY_KINDS.get(proposal.kind, proposal.kind)}){where}"


HEADS = ("ủy ban nhân dân", "bộ chỉ huy quân sự", "kho bạc nhà nước", "bảo hiểm xã hội", "ban quản lý", "trung tâm",
         "bệnh viện", "chi cục", "công an", "văn phòng", "cục thuế")
LEVEL_WORDS = ("tỉnh", "thành phố", "huyện", "quận", "thị xã", "xã", "phường", "thị trấn", "đặc khu")


def agency_case(printed: str) -> str:
    """"SỞ KHOA HỌC VÀ CÔNG NGHỆ" → "Sở Khoa học và Công nghệ": ND30 capitalises the first syllable of each
    group of words in a name; the groups begin after the kind word, "và", a dash or a comma, and a place
    after "tỉnh", "huyện" … is capitalised throughout."""
    words = printed.lower().split()
    head = next((len(h.split()) for h in HEADS if " ".join(words[:len(h.split())]) == h), 1)
    out, capital_next, place, index = [], True, False, 0
    while index < len(words):
        word, pair = words[index], " ".join(words[index:index + 2])
        level = pair if pair in LEVEL_WORDS else word if word in LEVEL_WORDS else None
        group_start = index > 0 and words[index - 1] in ("và", "-")
        if level and index >= head and not place and not group_start:
            out.extend(level.split())
            place, index = True, index + len(level.split())
            continue
        out.append(word[:1].upper() + word[1:] if place or capital_next else word)
        capital_next = index == head - 1 or word in ("và", "-", ",") or word.endswith(",")
        index += 1
    return " ".join(out)


def propose_issuer(lines: list[str], resolver) -> Proposal | None:
    """A header the directory does not hold: its last lines under the agency its first lines name
    ("UBND TỈNH KON TUM / SỞ KHOA HỌC VÀ CÔNG NGHỆ" → the Sở under Ủy ban nhân dân tỉnh Kon Tum)."""
    for split in range(len(lines) - 1, 0, -1):
        parent, _how = resolver.resolve(" ".join(lines[:split]), None)
        if isinstance(parent, Agency):
            return propose(agency_case(" ".join(lines[split:])), parent)
    return None
