"""Văn bản đến: the incoming register of each organisation, and the moment tasks go live.

A directive issued inside the deployment arrives by itself in the incoming register of every
organisation it assigns a task to, the day it is issued. One received from outside (a công điện of
the Thủ tướng, a ministry's công văn) is entered by the receiving organisation with its issuer,
number, symbol and date exactly as printed, and gets the next "số đến" of that organisation's
register (ND30 Điều 22, Phụ lục IV). Either way, that is when its tasks reach the assignees.
"""
from datetime import date

from sqlalchemy import func, select

from app.clock import local_today
from app.directives.registers import next_in_register
from app.directives.service import save_directive
from app.extensions import db
from app.models import Agency, Assignment, Directive, ProgressReport, ReceivedCounter, ReceivedEntry, Reminder
from app.models.audit import record
from app.rules import directive_states as states
from app.text import fold
from app.tracking import notifications


class ReceiveError(ValueError):
    """A received directive that cannot be registered, with a Vietnamese message."""


def _live_agency_ids(directive: Directive) -> list[int]:
    return sorted({a.agency_id for s in directive.live_sections for t in s.live_tasks for a in t.assignments
                   if a.active})


def _enter(directive: Directive, agency_id: int, day: date, user, source: str) -> ReceivedEntry:
    sequence = next_in_register(ReceivedCounter, agency_id, day.year)
    entry = ReceivedEntry(directive=directive, agency_id=agency_id, year=day.year, sequence=sequence,
                          received_date=day, registered_by_id=getattr(user, "id", None), source=source)
    db.session.add(entry)
    return entry


def went_out(directive: Directive, day: date, user) -> None:
    """An issued letter reaches its assignees: each one's incoming register, their notifications;
    a reminder (đôn đốc) writes "đôn đốc lần n" into the history of the assignments it names."""
    if directive.tracks_tasks:
        agency_ids = _live_agency_ids(directive)
        for agency_id in agency_ids:
            _enter(directive, agency_id, day, None, "internal")
        _first_periods(directive, day)
        notifications.new_assignments(directive)
    else:
        _record_reminder(directive, user)


def _first_periods(directive: Directive, day: date) -> None:
    """A recurring obligation's periods start the day the letter goes out."""
    from app.tracking import occurrences

    for section in directive.live_sections:
        for task in section.live_tasks:
            if task.recurrence:
                for assignment in task.assignments:
                    if assignment.active:
                        occurrences.ensure(assignment, day)


def _record_reminder(letter: Directive, user) -> None:
    rows = db.session.execute(select(Reminder, Assignment).join(Assignment, Reminder.assignment_id == Assignment.id)
                              .where(Reminder.letter_id == letter.id)).all()
    for reminder, assignment in rows:
        db.session.add(ProgressReport(
            assignment=assignment, user_id=getattr(user, "id", None), kind="reminder",
            old_status=assignment.status, new_status=assignment.status, percent=assignment.progress_percent,
            note=f"Đôn đốc lần {reminder.sequence} tại Công văn số {letter.number_symbol} "
                 f"ngày {letter.issued_date:%d/%m/%Y}."))
    notifications.notify(notifications.agency_users({a.agency_id for _r, a in rows}), "reminder",
                         f"Công văn đôn đốc số {letter.number_symbol}: {letter.subject}", directive=letter)


def find_duplicate(owner: Agency, data: dict) -> ReceivedEntry | None:
    """The same document (issuer, number, symbol, date) already in this organisation's register."""
    if not (data.get("number") or data.get("symbol")):
        return None
    candidates = db.session.scalars(
        select(ReceivedEntry).join(Directive, ReceivedEntry.directive_id == Directive.id)
        .where(ReceivedEntry.agency_id == owner.id, Directive.number == data.get("number"),
               Directive.symbol == (data.get("symbol") or ""), Directive.issued_date == data.get("date"))
    ).all()
    issuer = fold(" ".join(data.get("issuer") or []))
    return next((entry for entry in candidates if fold(" ".join(entry.directive.issuer_lines)) == issuer), None)


def register(data: dict, owner: Agency, user, received_date: date | None = None,
             deadline: date | None = None) -> tuple[Directive, ReceivedEntry]:
    """Enter a directive received from outside; its tasks become the owner's assignments.

    `data` is the directive format (from the form or the importer) with the number, symbol and date
    as printed. With no body, the whole document is one task: carrying it out.
    """
    received_date = received_date or local_today()
    if not data.get("issuer"):
        raise ReceiveError("Nhập cơ quan ban hành văn bản (như in trên văn bản).")
    if not (data.get("subject") or "").strip():
        raise ReceiveError("Nhập trích yếu của văn bản.")
    if data.get("date") and data["date"] > received_date:
        raise ReceiveError("Ngày văn bản không thể sau ngày đến.")
    duplicate = find_duplicate(owner, data)
    if duplicate is not None:
        raise ReceiveError(f"Văn bản này đã được đăng ký: số đến {duplicate.sequence} ngày "
                           f"{duplicate.received_date:%d/%m/%Y}.")
    data = dict(data)
    if not any(section.get("tasks") for section in data.get("sections") or []):
        subject = data["subject"].strip()
        data["sections"] = [{"number": None, "heading": None, "assignees": [],
                             "tasks": [{"text": subject[:1].upper() + subject[1:], "deadline": deadline}]}]
    for section in data["sections"]:
        section["assignees"] = []  # bodies of another system; the tasks are the receiver's
    directive, _warnings = save_directive(None, data, user, None, state=states.RECEIVED, owner=owner)
    entry = _enter(directive, owner.id, received_date, user, "external")
    _first_periods(directive, received_date)
    notifications.new_assignments(directive)
    record(user, "directive.receive", directive,
           f"Đăng ký văn bản đến số {entry.sequence}/{entry.year}: {directive.citation}")
    return directive, entry


def register_rows(agency_id: int, year: int):
    """The incoming register of an agency for a year, in the order of its numbers."""
    return db.session.execute(
        select(ReceivedEntry, Directive).join(Directive, ReceivedEntry.directive_id == Directive.id)
        .where(ReceivedEntry.agency_id == agency_id, ReceivedEntry.year == year)
        .order_by(ReceivedEntry.sequence)
    ).all()


def years_in_register(agency_ids) -> list[int]:
    return [y for (y,) in db.session.execute(
        select(ReceivedEntry.year).where(ReceivedEntry.agency_id.in_(list(agency_ids))).distinct()
        .order_by(ReceivedEntry.year.desc())).all()]


def count_for(agency_ids) -> int:
    return db.session.scalar(select(func.count(ReceivedEntry.id)).where(
        ReceivedEntry.agency_id.in_(list(agency_ids)))) or 0
