"""The one table of document types (tên loại văn bản, ND30 Phụ lục III): the models, the letter, the
importer and the forms all read it, so a type is described in a single place."""
from dataclasses import dataclass


@dataclass(frozen=True)
class DocType:
    code: str  # stored in the database and in the directive format
    label: str  # "Công văn", as the interface says it
    abbreviation: str  # "CV", "CT": the symbol of a named type starts with it (ND30 Phụ lục III)
    printed_name: str | None  # "CHỈ THỊ" above the summary; None: a công văn prints "V/v …" instead
    recipients: str | None  # "kinh_gui": a "Kính gửi" line; "dien": "<AGENCY> điện:"; None: no addressees

    @property
    def takes_recipients(self) -> bool:
        """Whether the letter needs addressees (Kính gửi, or the công điện's "... điện:")."""
        return self.recipients is not None


DOC_TYPE_LIST = (
    DocType("cong_van", "Công văn", "CV", None, "kinh_gui"),
    DocType("chi_thi", "Chỉ thị", "CT", "CHỈ THỊ", None),
    DocType("cong_dien", "Công điện", "CĐ", "CÔNG ĐIỆN", "dien"),
    DocType("thong_bao", "Thông báo", "TB", "THÔNG BÁO", None),
    DocType("ke_hoach", "Kế hoạch", "KH", "KẾ HOẠCH", None),
    DocType("quyet_dinh", "Quyết định", "QĐ", "QUYẾT ĐỊNH", None),
    DocType("bao_cao", "Báo cáo", "BC", "BÁO CÁO", "kinh_gui"),  # sent upward with "Kính gửi"
    DocType("to_trinh", "Tờ trình", "TTr", "TỜ TRÌNH", "kinh_gui"),
)
DOC_TYPES_BY_CODE = {doc_type.code: doc_type for doc_type in DOC_TYPE_LIST}
DEFAULT = "cong_van"

# code -> label, for select fields and templates
DOC_TYPES = {doc_type.code: doc_type.label for doc_type in DOC_TYPE_LIST}


def get(code: str | None) -> DocType:
    """The type of a code; an unknown or empty code reads as a công văn."""
    return DOC_TYPES_BY_CODE.get(code or DEFAULT, DOC_TYPES_BY_CODE[DEFAULT])


def by_abbreviation(abbreviation: str) -> DocType | None:
    """"CT" -> chỉ thị, "CĐ"/"CD" -> công điện (accents and case ignored); None for anything else."""
    from app.text import fold

    wanted = fold(abbreviation)
    for doc_type in DOC_TYPE_LIST:
        if fold(doc_type.abbreviation) == wanted:
            return doc_type
    return None


def by_printed_name(line: str) -> DocType | None:
    """"CHỈ THỊ" (a title line, accents and case ignored) -> its type."""
    from app.text import fold

    wanted = fold(line)
    for doc_type in DOC_TYPE_LIST:
        if doc_type.printed_name and fold(doc_type.printed_name) == wanted:
            return doc_type
    return None
