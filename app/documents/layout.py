"""Every layout number of a letter, in one place; the DOCX and the PDF renderer both read these.

Values are inside the ranges of Nghị định 30/2020/NĐ-CP (see ND30.md, §1 and §3.1).
Lengths are in millimetres, font sizes in points.
"""

FONT_FAMILY = "Times New Roman"  # named in the DOCX; the PDF embeds a metric-compatible serif

PAGE_WIDTH = 210.0
PAGE_HEIGHT = 297.0
MARGIN_TOP = 20.0
MARGIN_BOTTOM = 20.0
MARGIN_LEFT = 30.0
MARGIN_RIGHT = 15.0
HEADER_DISTANCE = 10.0  # the page number sits inside the top margin
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT  # 165 mm

# Header table (agency | Quốc hiệu) and signature table (Nơi nhận | signature): column widths.
HEADER_LEFT = 63.0
HEADER_RIGHT = TEXT_WIDTH - HEADER_LEFT  # 102 mm: the bold Quốc hiệu at 13 pt (≈ 95.7 mm) fits on one line
SIGNATURE_LEFT = 70.0
SIGNATURE_RIGHT = TEXT_WIDTH - SIGNATURE_LEFT

SIZE = {
    "quoc_hieu": 13,
    "tieu_ngu": 14,
    "superior": 13,
    "agency": 13,
    "number": 13,
    "place_date": 14,
    "place_date_min": 13,  # a long place name ("Thành phố Hồ Chí Minh, ngày …") steps down to keep one line
    "subject_cong_van": 12,
    "type_name": 14,
    "subject": 14,
    "recipients": 14,
    "body": 14,
    "signature": 14,
    "signer_name": 14,
    "cc_label": 12,
    "cc": 11,
    "page_number": 14,
    "mark": 13,
    "appendix_heading": 14,
    "appendix_title": 14,
    "appendix_reference": 13,
    "appendix_table": 12,
}
APPENDIX_CELL_PADDING = 1.5  # mm inside the appendix table's cells

BODY_FIRST_LINE_INDENT = 12.7  # 1.27 cm
PARAGRAPH_SPACE_BEFORE = 6.0  # points, between body paragraphs
LINE_SPACING = 1.15  # "multiple" in Word; the PDF uses the same factor of the font's own line height
FONT_LINE_HEIGHT = 1.15  # Liberation Serif / Times New Roman: (ascent + descent + gap) / em
SUBJECT_SPACE_BEFORE = 6.0  # points above "V/v ..." (6 pt under the Số line)
TITLE_SPACE_BEFORE = 12.0  # points above the type name of a named document
NUMBER_ROW_SPACE_BEFORE = 6.0  # points between the agency block and the Số / date row
BLOCK_SPACE_BEFORE = 12.0  # points before Kính gửi, before the body and before the signature block
MARK_SPACE_BEFORE = 8.0  # points above a boxed mark
KINH_GUI_INDENT = 35.0  # "Kính gửi:" starts 3.5 cm from the left margin, as in the official sample
SIGNATURE_GAP = 24.0  # room for the signature and the seal, between the position and the name (mm)

# Horizontal rules: the motto's rule is as long as the motto; the agency's and a named type's
# summary rule are a fraction of their text (ND30 asks for 1/3 to 1/2).
RULE_FRACTION = 0.4
RULE_THICKNESS = 0.5  # points
RULE_GAP = 3.0  # points between the text and the rule under it

# Boxed marks (ô 10b and the draft mark) under Số / V/v in the left header column: width × height (mm).
URGENCY_BOXES = {"khan": ("KHẨN", 20.0), "thuong_khan": ("THƯỢNG KHẨN", 40.0), "hoa_toc": ("HỎA TỐC", 30.0)}
DRAFT_BOX = ("DỰ THẢO", 30.0)
MARK_HEIGHT = 8.0
URGENCY_COLOUR = "FF0000"

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"

MM_PER_PT = 25.4 / 72


def pt_to_mm(points: float) -> float:
    return points * MM_PER_PT
