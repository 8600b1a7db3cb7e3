"""Time in one place: what "now" and "today" are, and where a local day begins and ends in UTC.

Timestamps (created_at, issued_at …) are stored as naive UTC, the same on SQLite and PostgreSQL.
Days (deadlines, cut-offs, issue dates, register years) are calendar days in Việt Nam. Between
17:00 and 24:00 UTC the two disagree on the date, so every query that compares a stored timestamp
with a local day, year or period takes its bounds from here, and no other module computes one.
"""
from datetime import date, datetime, time, timedelta, timezone

try:
    from zoneinfo import ZoneInfo

    LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
except Exception:  # pragma: no cover - tzdata missing: Việt Nam keeps UTC+7 all year, a fixed offset is exact
    LOCAL_TZ = timezone(timedelta(hours=7))


def utcnow() -> datetime:
    """Now, as a naive UTC timestamp (what the database stores)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def local_now() -> datetime:
    return datetime.now(LOCAL_TZ)


def local_today() -> date:
    """Today in Việt Nam, whatever the server's own time zone."""
    return local_now().date()


def utc_at(day: date, wall_time: time = time.min) -> datetime:
    """The naive UTC timestamp of a local wall-clock time on a local day."""
    return datetime.combine(day, wall_time, tzinfo=LOCAL_TZ).astimezone(timezone.utc).replace(tzinfo=None)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a local day as naive UTC timestamps: compare `start <= stored < end`."""
    return period_bounds(day, day)


def period_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[start of `first`, end of `last`) of local days, as naive UTC timestamps."""
    return utc_at(first), utc_at(last + timedelta(days=1))


def year_bounds(year: int) -> tuple[datetime, datetime]:
    return period_bounds(date(year, 1, 1), date(year, 12, 31))


def local_date(stored: datetime | None) -> date | None:
    """The local day of a stored (naive UTC) timestamp."""
    if stored is None:
        return None
    return stored.replace(tzinfo=timezone.utc).astimezone(LOCAL_TZ).date()


def format_local_datetime(stored: datetime | None) -> str:
    """A stored UTC timestamp in Việt Nam time, as dd/mm/yyyy HH:MM."""
    if stored is None:
        return ""
    return stored.replace(tzinfo=timezone.utc).astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")


def local_datetime(stored: datetime) -> datetime:
    """A stored (naive UTC) timestamp as an aware Việt Nam time: what the scheduler compares with the
    local wall clock ("each morning at 07:00")."""
    return stored.replace(tzinfo=timezone.utc).astimezone(LOCAL_TZ)
