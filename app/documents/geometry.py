"""Lengths that depend on the text (rules under names, where Kính gửi dashes start), computed once
from the font metrics and layout.py, for both renderers."""
from dataclasses import dataclass

from app.documents import layout as L
from app.documents.fonts import text_width_mm, wrapped_widths_mm
from app.documents.letter import Letter


@dataclass(frozen=True)
class Geometry:
    agency_rule: float  # mm, under the issuing agency's name
    motto_rule: float  # mm, under "Độc lập - Tự do - Hạnh phúc": as long as the motto
    summary_rule: float  # mm, under a named type's summary
    recipients_indent: float  # mm from the left margin to "Kính gửi:"
    dash_start: float  # mm from the left margin to the "- " of each addressee
    dash_width: float  # mm taken by "- " (the hanging indent of wrapped addressee lines)
    date_size: float  # points: the place and date keep one line; a long place name takes 13 pt


def geometry(letter: Letter) -> Geometry:
    # The rules measure the lines as printed: a long name wraps in its column.
    longest_agency = max((width for line in letter.agency_lines
                          for width in wrapped_widths_mm(line, L.SIZE["agency"], True, L.HEADER_LEFT)), default=0.0)
    summary = max(wrapped_widths_mm(letter.summary or "", L.SIZE["subject"], True, L.TEXT_WIDTH), default=0.0)
    date_size = L.SIZE["place_date"]
    while date_size > L.SIZE["place_date_min"] and \
            text_width_mm(letter.date_line, date_size, italic=True) > L.HEADER_RIGHT:
        date_size -= 1
    size = L.SIZE["recipients"]
    dash_start = L.KINH_GUI_INDENT
    if letter.recipients_label == "Kính gửi":
        dash_start += text_width_mm("Kính gửi: ", size)  # the dashes line up under the colon area
    return Geometry(
        agency_rule=round(longest_agency * L.RULE_FRACTION, 2),
        motto_rule=round(text_width_mm(L.TIEU_NGU, L.SIZE["tieu_ngu"], bold=True), 2),
        summary_rule=round(summary * L.RULE_FRACTION, 2),
        recipients_indent=L.KINH_GUI_INDENT,
        dash_start=round(dash_start, 2),
        dash_width=round(text_width_mm("- ", size), 2),
        date_size=date_size,
    )
