"""A few weeks of made-up follow-up on the demo directives, so that `make run` shows a living dashboard.

The directive texts stay exactly as in directives/; only tracking data is invented here: deadlines
relative to today, progress reports, completions (some late), one extension request waiting.
Deterministic (fixed seed), and applied only once.
"""
import random
from datetime import time, timedelta

from sqlalchemy import func, select

from app.clock import utc_at
from app.extensions import db
from app.models import Assignment, Directive, ExtensionRequest, ProgressReport, User
from app.rules.workflow import AWAITING, DONE, IN_PROGRESS, NOT_STARTED
from app.tracking import notifications

# days from today to the deadline of each section, per demo directive file (None: no deadline)
DEADLINES = {
    "000-": [-12, 9],
    "001-": [-6, 2, 25],
    "002-": [20, -3, 14, 5, 30],
    "003-": [1, -20, 40],
    "004-": [None],
}
REPORT_TIME = time(9, 30)  # local office hours: the report lands on the day it is dated
NOTES = ("Đã ban hành kế hoạch triển khai và phân công cán bộ phụ trách.",
         "Đã tổ chức kiểm tra tại các cơ sở; đang tổng hợp kết quả.",
         "Đã họp triển khai, đang thực hiện theo kế hoạch.")


def already_applied() -> bool:
    return bool(db.session.scalar(select(func.count(ProgressReport.id))))


def apply(today) -> int:
    """Return how many assignments got a story."""
    rng = random.Random(2026)
    users_by_agency = {u.agency_id: u for u in db.session.scalars(select(User).where(User.role == "department"))}
    office = db.session.scalar(select(User).where(User.role == "office"))
    touched = 0
    for key, offsets in DEADLINES.items():
        directive = db.session.scalar(select(Directive).where(Directive.source_key.startswith(key)))
        if directive is None:
            continue
        for section, offset in zip(directive.live_sections, offsets):
            deadline = today + timedelta(days=offset) if offset is not None else None
            for task in section.live_tasks:
                for assignment in task.assignments:
                    assignment.deadline = assignment.original_deadline = deadline
                    touched += _story(assignment, deadline, today, rng, users_by_agency, office)
    health = next((a for a in db.session.scalars(select(Assignment).where(Assignment.status == IN_PROGRESS))
                   if a.agency_id in users_by_agency and a.deadline and a.deadline >= today), None)
    if health is not None:
        db.session.add(ExtensionRequest(assignment=health, sequence=1, requested_by_id=users_by_agency[health.agency_id].id,
                                        deadline_before=health.deadline, requested_deadline=health.deadline + timedelta(days=15),
                                        reason="Chờ kinh phí mua sinh phẩm xét nghiệm từ ngân sách tỉnh.", status="pending"))
        notifications.notify(notifications.office_users(), "extension",
                             f"{health.agency.short_name} đề nghị gia hạn lần 1: {health.task.text[:100]}", health)
    return touched


def _story(assignment, deadline, today, rng, users_by_agency, office) -> int:
    roll = rng.random()
    reporter = users_by_agency.get(assignment.agency_id)
    reporter_id = reporter.id if reporter else None
    if roll < 0.35:
        return 0  # not started yet
    started = today - timedelta(days=rng.randint(8, 20))
    _report(assignment, reporter_id, NOT_STARTED, IN_PROGRESS, rng.choice((20, 30, 50)), rng.choice(NOTES), started)
    assignment.status, assignment.progress_percent = IN_PROGRESS, rng.choice((30, 50, 70))
    if roll < 0.65:
        return 1
    finished = (deadline + timedelta(days=rng.choice((-4, -1, 3)))) if deadline else today - timedelta(days=2)
    finished = min(finished, today)
    _report(assignment, reporter_id, IN_PROGRESS, AWAITING, 100, "Đã hoàn thành, gửi báo cáo kết quả.", finished)
    assignment.status, assignment.progress_percent, assignment.completed_date = AWAITING, 100, finished
    if roll < 0.75:
        return 1
    _report(assignment, office.id if office else None, AWAITING, DONE, 100, "", min(finished + timedelta(days=1), today))
    assignment.status = DONE
    return 1


def _report(assignment, user_id, old, new, percent, note, day):
    db.session.add(ProgressReport(assignment=assignment, user_id=user_id, old_status=old, new_status=new,
                                  percent=percent, note=note, created_at=utc_at(day, REPORT_TIME)))
