"""Text and date rules as plain functions."""
import unicodedata
from datetime import date

import pytest

from app.text import clean_line, clean_text, fold, format_vn_date, parse_vn_date


def test_clean_line_composes_trims_and_collapses_spaces():
    decomposed = unicodedata.normalize("NFD", "  Ủy ban\tnhân   dân\u00a0tỉnh \n")
    assert unicodedata.is_normalized("NFD", decomposed) and not unicodedata.is_normalized("NFC", decomposed)
    cleaned = clean_line(decomposed)
    assert cleaned == "Ủy ban nhân dân tỉnh"
    assert unicodedata.is_normalized("NFC", cleaned)


def test_clean_line_removes_control_characters():
    assert clean_line("Sở\x00 Y\x1b tế") == "Sở Y tế"


def test_clean_text_keeps_line_breaks_but_trims_each_line():
    assert clean_text("  dòng một  \r\n\tdòng   hai \n\n") == "dòng một\ndòng hai"


def test_fold_ignores_case_and_accents():
    assert fold("ỦY BAN NHÂN DÂN Đắk Lắk") == "uy ban nhan dan dak lak"
    assert fold(unicodedata.normalize("NFD", "Đắk Lắk")) == "dak lak"


@pytest.mark.parametrize("typed, expected", [
    ("05/12/2025", date(2025, 12, 5)),
    ("5/1/2026", date(2026, 1, 5)),
    (" 29/02/2024 ", date(2024, 2, 29)),
    ("31-12-2025", date(2025, 12, 31)),
])
def test_parse_vn_date_accepts_day_month_year(typed, expected):
    assert parse_vn_date(typed) == expected


@pytest.mark.parametrize("typed, message", [
    ("2025-12-05", "dd/mm/yyyy"),
    ("31/02/2025", "Không có ngày"),
    ("hôm nay", "dd/mm/yyyy"),
    ("01/01/0999", "Năm phải"),
    ("12/13/2025", "Không có ngày"),
])
def test_parse_vn_date_refuses_with_vietnamese_message(typed, message):
    with pytest.raises(ValueError, match=message):
        parse_vn_date(typed)


def test_format_vn_date_pads_day_and_month():
    assert format_vn_date(date(2026, 1, 5)) == "05/01/2026"
    assert format_vn_date(None) == ""
