"""Who signs for an organisation, as ND30 Điều 13 and Phụ lục I II.7 set it (ORGANISATIONS.md §4):
a UBND is a collective body, so its head signs "TM. ỦY BAN NHÂN DÂN" and a deputy adds "KT. CHỦ TỊCH";
a Sở, a unit or a Văn phòng in its own name is run by one head, who signs with no notation, a deputy
"KT."; a phòng's head is its Trưởng phòng. These are the defaults the forms offer."""
COLLECTIVE = ("ubnd_tinh", "ubnd_huyen", "ubnd_xa")
HEAD_TITLES = {"van_phong": "CHÁNH VĂN PHÒNG", "so": "GIÁM ĐỐC", "nganh": "GIÁM ĐỐC", "don_vi": "GIÁM ĐỐC",
               "phong": "TRƯỞNG PHÒNG", "bo_phan": "TRƯỞNG PHÒNG"}
DEPUTY_TITLES = {"CHÁNH VĂN PHÒNG": "PHÓ CHÁNH VĂN PHÒNG", "GIÁM ĐỐC": "PHÓ GIÁM ĐỐC",
                 "TRƯỞNG PHÒNG": "PHÓ TRƯỞNG PHÒNG", "CHỦ TỊCH": "PHÓ CHỦ TỊCH"}


def default_signer(kind: str | None, deputy: bool = True) -> dict:
    """The signature block a letter of this kind of organisation starts with (a deputy signs most
    everyday letters; the head's block when `deputy` is False)."""
    if kind in COLLECTIVE:
        title = "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH" if deputy else "CHỦ TỊCH"
        return {"authority": "TM.", "authority_title": "ỦY BAN NHÂN DÂN", "title": title, "name": None}
    head = HEAD_TITLES.get(kind or "", "THỦ TRƯỞNG")
    if deputy:
        return {"authority": "KT.", "authority_title": head, "title": DEPUTY_TITLES.get(head, "PHÓ " + head),
                "name": None}
    return {"authority": None, "authority_title": "", "title": head, "name": None}


def signature_lines(authority, authority_title, title) -> list[str]:
    """The block as printed, line by line: "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"."""
    lines = [f"{authority} {authority_title or ''}".strip()] if authority else []
    return lines + [line for line in (title or "").split("\n") if line.strip()]
