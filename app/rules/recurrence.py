"""Recurring obligations ("báo cáo định kỳ hằng tháng trước ngày 20", "thứ Sáu hằng tuần"): read from
the task's wording into a rule, and the due date of each occurrence, so that every period is tracked
with its own deadline and status instead of one task without a deadline.

A rule is a short string kept on the task: "weekly:4" (0 = Monday … 6 = Sunday), "monthly:20" or
"monthly:last", "quarterly:25" (that day of the quarter's last month) or "quarterly:last",
"halfyearly:last" (30/6 and 31/12, or that day of June and December), "yearly:12-31" (month-day).
"Hằng ngày" is not tracked per occurrence: a daily duty stays one ongoing task.
"""
import calendar
import re
from datetime import date, timedelta

from app.text import fold

WEEKDAYS = {"thu hai": 0, "thu ba": 1, "thu tu": 2, "thu nam": 3, "thu sau": 4, "thu bay": 5, "chu nhat": 6}
# "quý" folds to "quy", like "quy định", "quy chế": a quarter is "quy" not followed by those words
_QUARTER = r"quy(?!\s+(?:dinh|che|hoach|trinh|mo|pham|tac|uoc|chuan|dong))"
WEEKDAY_NAMES = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


def _day_before(text: str) -> int | None:
    """"trước ngày 20", "chậm nhất ngày 25", "ngày 15 hằng tháng": the day of the month, if written."""
    match = re.search(r"(?:truoc|cham nhat(?: la)?|den het|den)\s+ngay\s+(\d{1,2})(?!\s*/\s*\d|\s+thang\s+\d)", text) \
        or re.search(r"ngay\s+(\d{1,2})\s+hang\s+(?:thang|quy)", text)
    if match and 1 <= int(match.group(1)) <= 31:
        return int(match.group(1))
    return None


def parse(text: str) -> str | None:
    """The recurrence rule written in a task, or None for a one-off task."""
    folded = fold(text or "")
    if not re.search(r"\bbao cao\b|dinh ky", folded):
        return None  # a report that comes back; "trợ cấp hằng tháng" or "kế hoạch hằng năm" is not
    # folded text: "hằng" and "hàng" both read "hang"
    if not re.search(rf"\bhang\s+(tuan|thang|{_QUARTER}|nam)\b|(dinh ky|bao cao)\s+(6|sau)\s+thang", folded):
        return None
    weekly = re.search(r"(thu (?:hai|ba|tu|nam|sau|bay)|chu nhat)\s+hang\s+tuan|hang\s+tuan\s*,?\s*(?:vao\s+)?"
                       r"(?:ngay\s+)?(thu (?:hai|ba|tu|nam|sau|bay)|chu nhat)", folded)
    if weekly:
        return f"weekly:{WEEKDAYS[weekly.group(1) or weekly.group(2)]}"
    if re.search(r"\bhang\s+tuan\b", folded):
        return "weekly:4"  # "hằng tuần" without a day: by Friday, the usual reporting day
    day = _day_before(folded)
    if re.search(r"\bhang\s+thang\b", folded):
        return f"monthly:{day or 'last'}"
    if re.search(rf"\b(hang|moi|tung)\s+{_QUARTER}\b", folded):
        return f"quarterly:{day or 'last'}"
    if re.search(r"(dinh ky|bao cao)\s+(6|sau)\s+thang\b", folded):
        june = re.search(r"ngay\s+(\d{1,2})\s*(?:/|\s+thang\s+)\s*(?:6|06)\b", folded)
        return f"halfyearly:{june.group(1) if june and 1 <= int(june.group(1)) <= 30 else 'last'}"
    if re.search(r"\bhang\s+nam\b", folded):
        dated = re.search(r"(?:truoc|cham nhat|den)\s+ngay\s+(\d{1,2})\s*(?:/|\s+thang\s+)\s*(\d{1,2})", folded)
        if dated and 1 <= int(dated.group(2)) <= 12:
            return f"yearly:{int(dated.group(2))}-{int(dated.group(1))}"
        return "yearly:12-31"
    return None


def _in_month(year: int, month: int, day) -> date:
    last = calendar.monthrange(year, month)[1]
    return date(year, month, last if day == "last" else min(int(day), last))


def due_dates(rule: str, start: date, until: date) -> list[date]:
    """Every due date of the rule from `start` (inclusive) to `until` (inclusive)."""
    kind, _, value = rule.partition(":")
    out: list[date] = []
    if kind == "weekly":
        first = start + timedelta(days=(int(value) - start.weekday()) % 7)
        day = first
        while day <= until:
            out.append(day)
            day += timedelta(days=7)
        return out
    months = {"monthly": range(1, 13), "quarterly": (3, 6, 9, 12), "halfyearly": (6, 12)}.get(kind)
    for year in range(start.year, until.year + 1):
        if kind == "yearly":
            month, _, day = value.partition("-")
            candidates = [_in_month(year, int(month), day)]
        elif months is not None:
            candidates = [_in_month(year, month, value) for month in months]
        else:
            return []
        out.extend(d for d in candidates if start <= d <= until)
    return out


def next_due(rule: str, after: date) -> date | None:
    """The first due date strictly after `after`."""
    horizon = after + timedelta(days=400)
    dates = due_dates(rule, after + timedelta(days=1), horizon)
    return dates[0] if dates else None


def describe(rule: str) -> str:
    """"hằng tháng, trước ngày 20" for the page."""
    kind, _, value = rule.partition(":")
    if kind == "weekly":
        return f"hằng tuần, {WEEKDAY_NAMES[int(value)]}"
    when = "cuối kỳ" if value == "last" else f"trước ngày {value}"
    if kind == "monthly":
        return f"hằng tháng, {'ngày cuối tháng' if value == 'last' else when}"
    if kind == "quarterly":
        return f"hằng quý, {'ngày cuối quý' if value == 'last' else when + ' tháng cuối quý'}"
    if kind == "halfyearly":
        return "6 tháng một lần" + ("" if value == "last" else f", {when} tháng 6 và tháng 12")
    if kind == "yearly":
        month, _, day = value.partition("-")
        return f"hằng năm, trước ngày {int(day):02d}/{int(month):02d}"
    return rule


def period_label(rule: str, due: date) -> str:
    """The period an occurrence reports on: "tháng 11/2026", "quý IV/2026", "tuần đến 04/12/2026"."""
    kind = rule.partition(":")[0]
    if kind == "weekly":
        return f"tuần đến {due:%d/%m/%Y}"
    if kind == "monthly":
        return f"tháng {due.month}/{due.year}"
    if kind == "quarterly":
        return f"quý {('I', 'II', 'III', 'IV')[(due.month - 1) // 3]}/{due.year}"
    if kind == "halfyearly":
        return f"{'6 tháng đầu năm' if due.month <= 6 else 'năm'} {due.year}"
    return f"năm {due.year}"
