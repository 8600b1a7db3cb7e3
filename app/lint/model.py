"""The neutral description of a laid-out letter: what the ND30 rules look at, whichever file it
came from. A DOCX reader and a PDF reader fill it; the rules (app/lint/rules_*.py) read only this.

Units: points (1/72 inch) for sizes and positions, x from the left edge of the page, y from the
top. A reader that cannot know a value (a DOCX has no rendered pages) leaves it None, and the
rules skip what they cannot measure.
"""
from dataclasses import dataclass, field

MM = 72 / 25.4  # points per millimetre


@dataclass
class Block:
    """One paragraph as printed (a header cell line, a body paragraph, a Nơi nhận line …)."""

    text: str
    size: float | None = None  # the largest size of its glyphs
    sizes: frozenset = frozenset()
    bold: bool = False  # every glyph bold
    any_bold: bool = False
    italic: bool = False
    any_italic: bool = False
    align: str | None = None  # center, left, justify, right; None when it cannot be told
    x0: float | None = None  # the widest printed line
    x1: float | None = None
    first_x0: float | None = None  # where the first line starts
    rest_x0: float | None = None  # where the following lines start (None: one line)
    top: float | None = None  # top of the first line box
    baseline: float | None = None  # of the first line
    last_baseline: float | None = None
    page: int | None = None
    lines: int = 1
    pitch: float | None = None  # distance between the baselines of its lines
    pitch_spread: float = 0.0  # largest difference from that pitch inside the paragraph
    gap_before: float | None = None  # extra space above it, beyond the line pitch
    colours: frozenset = frozenset()  # "000000", "FF0000" …
    caps_property: bool = False  # upper case made by the w:caps property, not by the letters
    underline: bool = False
    rule_below: "Rule | None" = None  # the solid line drawn right under it (motto, agency, summary)
    boxed: "Box | None" = None  # the box drawn around it (urgency and draft marks)
    column: tuple[float, float] | None = None  # the column it is set in (x0, x1), when known

    @property
    def centre(self) -> float | None:
        return None if self.x0 is None or self.x1 is None else (self.x0 + self.x1) / 2

    @property
    def width(self) -> float | None:
        return None if self.x0 is None or self.x1 is None else self.x1 - self.x0


@dataclass
class Rule:
    """A solid horizontal line (a bordered empty paragraph in Word, a vector line in a PDF)."""

    x0: float
    x1: float
    style: str = "single"
    colour: str = "000000"

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass
class Box:
    x0: float
    x1: float
    height: float | None
    style: str = "single"
    colour: str = "000000"
    top: float | None = None

    @property
    def width(self) -> float:
        return self.x1 - self.x0


@dataclass
class PageNumber:
    text: str  # "2", or "PAGE" for a Word field
    page: int | None  # None: the Word header that every page ≥ 2 shows
    size: float | None
    bold: bool
    italic: bool
    centre_offset: float | None  # from the centre of the text area
    top: float | None
    bottom: float | None
    number_format: str | None = None  # "decimal" …
    start: str | None = None


@dataclass
class Sheet:
    """One page (or one Word section): its size and where the text sits on it."""

    number: int
    width: float
    height: float
    landscape: bool = False
    declared: bool = False  # the margins are set in the file (DOCX), not measured from glyphs
    margins: dict = field(default_factory=dict)  # side -> points: declared margin or nearest text
    body_left: float | None = None  # where body lines start / end (measured on a PDF)
    body_right: float | None = None
    first_top: float | None = None  # top of the first line of page 1
    header_distance: float | None = None


@dataclass
class Mark:
    """A boxed mark of the left header column: KHẨN …, DỰ THẢO."""

    block: Block
    box: Box | None
    under_number: bool | None  # below the Số / V/v lines


@dataclass
class LaidOutLetter:
    medium: str  # "docx" or "pdf"
    sheets: list[Sheet] = field(default_factory=list)
    fonts: dict = field(default_factory=dict)  # font name -> a sample of text set in it
    unembedded: list[str] = field(default_factory=list)
    legacy_fonts: list[str] = field(default_factory=list)
    colours: list[tuple[str, str, bool]] = field(default_factory=list)  # (colour, sample, red allowed)
    texts: list[str] = field(default_factory=list)  # every printed text, for NFC
    first_page_numbers: list[str] = field(default_factory=list)  # what page 1 shows in its top margin
    page_numbers: list[PageNumber] = field(default_factory=list)
    page_count: int | None = None
    text_left: float | None = None  # edges of the text area (points)
    text_right: float | None = None
    top_margin: float | None = None
    has_header: bool = False  # a two-column header (agency | Quốc hiệu) was found
    quoc_hieu: Block | None = None
    quoc_hieu_room: float | None = None  # width of its column, where known
    tieu_ngu: Block | None = None
    tieu_ngu_follows: bool | None = None  # the paragraph right after the Quốc hiệu is the motto
    superior: list[Block] = field(default_factory=list)
    agency: list[Block] = field(default_factory=list)
    number: Block | None = None
    date: list[Block] = field(default_factory=list)  # more than one: the date wraps
    date_room: float | None = None
    subject: list[Block] = field(default_factory=list)  # "V/v …" lines
    header_other: list[Block] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    type_name: Block | None = None
    summary: list[Block] = field(default_factory=list)
    recipients_label: Block | None = None
    recipients: list[Block] = field(default_factory=list)  # one per addressee item
    body: list[Block] = field(default_factory=list)
    cc_label: Block | None = None
    cc: list[Block] = field(default_factory=list)  # one per Nơi nhận item
    positions: list[Block] = field(default_factory=list)  # authority and position lines
    signer_name: Block | None = None
    signature_together: bool | None = None  # the signature block stays on one page
    signature_level: float | None = None  # vertical offset of "Nơi nhận:" from the first authority line
    notes: list[str] = field(default_factory=list)  # what the reader could not locate

    @property
    def centre(self) -> float | None:
        if self.text_left is None or self.text_right is None:
            return None
        return (self.text_left + self.text_right) / 2
