"""Scheduled jobs, run by the consumer's scheduler on Việt Nam's clock (app/clock.py):

- every morning at MORNING_HOUR (07:00): the due-soon and overdue mails and the daily digests;
- the first morning of a month: the month-end snapshot (cut-off the month's last day) of every
  organisation with live directives (app/tracking/snapshots.py);
- just after midnight: the dashboard's tallies recounted for the new day (app/tracking/tallies.py);
- every night: exported files older than JOB_KEEP_DAYS are deleted, and jobs left waiting or running
  by a consumer that was stopped are shown as interrupted.

With several consumers (Redis), each morning's work runs once: the first consumer to claim the day in
the queue's storage does it."""
import logging
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app import jobs
from app.clock import local_datetime, local_today
from app.extensions import db

log = logging.getLogger(__name__)


def _local(stamp: datetime) -> datetime:
    """Huey's scheduler passes naive UTC (utc=True); an aware stamp is taken as it is."""
    return local_datetime(stamp) if stamp.tzinfo is None else stamp


def every_morning(stamp: datetime) -> bool:
    local = _local(stamp)
    return local.hour == jobs.current_app_for_tasks().config["MORNING_HOUR"] and local.minute == 0


def every_night(stamp: datetime) -> bool:
    local = _local(stamp)
    return local.hour == 2 and local.minute == 30


def just_after_midnight(stamp: datetime) -> bool:
    local = _local(stamp)
    return local.hour == 0 and local.minute == 1


def claim(name: str, day: date) -> bool:
    """True once per name and day, whichever consumer asks first."""
    return bool(jobs.huey.put_if_empty(f"{name}:{day.isoformat()}", "1"))


def month_end_snapshots(today: date) -> list[int]:
    """On the first day of a month, the snapshot of the month just ended for every organisation that
    owns live directives; an organisation with nothing assigned by then is skipped."""
    from app.models import Directive
    from app.rules.directive_states import LIVE
    from app.tracking import snapshots

    if today.day != 1:
        return []
    cutoff = today - timedelta(days=1)
    organisations = db.session.scalars(select(Directive.owner_agency_id).where(
        Directive.state.in_(LIVE), Directive.owner_agency_id.is_not(None)).distinct()).all()
    taken = []
    for organisation_id in sorted(organisations):
        try:
            snapshot = snapshots.take(cutoff, None, current_app.config["DUE_SOON_DAYS"], organisation_id)
        except snapshots.EmptyCutoff:
            continue
        db.session.commit()
        taken.append(snapshot.id)
    return taken


def morning(today: date | None = None, force: bool = False) -> dict:
    """The morning's work; `force` runs it again on a day already done (the `flask jobs morning` command)."""
    from app.jobs import mail

    today = today or local_today()
    if not force and not claim("morning", today):
        return {"skipped": True}
    try:
        from app.tracking import occurrences

        occurrences.refresh_all()  # recurring obligations: the next period's deadline first
        db.session.commit()
        from app.tracking import tallies

        if not tallies.current(db.session, today, current_app.config["DUE_SOON_DAYS"]):
            roll_tallies(today)  # the consumer was stopped at midnight
        result = {"snapshots": month_end_snapshots(today), "mails": mail.send_morning(today)}
    except Exception:
        jobs.huey.get(f"morning:{today.isoformat()}")  # unclaim: the retry does the day again
        raise
    log.info("morning of %s: %s", today, result)
    return result


@jobs.periodic_task(every_morning, retries=1, retry_delay=60)
def morning_task():
    return morning()


def roll_tallies(today: date | None = None) -> int:
    """The dashboard's tallies as of today (deadlines that passed at midnight are now overdue), and the
    planner's statistics (app/planner.py) after the night's changes."""
    from app import planner
    from app.tracking import tallies

    rows = tallies.rebuild(db.session, today or local_today())
    db.session.commit()
    with db.engine.connect() as connection:
        planner.refresh(connection)
        connection.commit()
    return rows


@jobs.periodic_task(just_after_midnight, retries=1, retry_delay=60)
def midnight_tallies():
    return roll_tallies()


@jobs.periodic_task(every_night)
def nightly_cleanup():
    from app.jobs.runner import delete_old, fail_stale

    return {"stale": fail_stale(), "deleted": delete_old(current_app.config["JOB_KEEP_DAYS"])}
