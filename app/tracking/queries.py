"""Read-side queries for tracking: filtered assignment lists, dashboard counts, per-agency scorecards.

Each page runs a fixed number of statements whatever the amount of data: counts are GROUP BY
queries, lists are paginated, and the latest progress note is a correlated subquery.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, func, literal, select

from app.extensions import db
from app.models import Agency, Assignment, Directive, ProgressReport, Section, Task
from app import scope
from app.rules import timeliness as T
from app.rules.workflow import AWAITING, CANCELLED, DONE, STATUS_LABELS
from app.text import ascii_id, clean_line, parse_vn_date


def timeliness_expression(today: date, due_soon_days: int, status=None, completed=None):
    """classify() in SQL, for filtering and counting in the database.

    `status` and `completed` default to the columns; a snapshot passes their values as of its cut-off.
    """
    status = Assignment.status if status is None else status
    completed = Assignment.completed_date if completed is None else completed
    deadline = Assignment.deadline
    soon = today + timedelta(days=due_soon_days)
    reference = case((and_(status == AWAITING, completed.is_not(None)), completed), else_=literal(today))
    return case(
        (status == CANCELLED, T.NOT_COUNTED),
        (and_(status == DONE, deadline.is_not(None), completed.is_not(None), completed > deadline), T.DONE_LATE),
        (status == DONE, T.DONE_ON_TIME),
        (deadline.is_(None), T.NO_DEADLINE),
        (and_(status == AWAITING, completed.is_not(None), completed <= deadline), T.ON_TIME),
        (reference > deadline, T.OVERDUE),
        (deadline <= soon, T.DUE_SOON),
        else_=T.ON_TIME,
    )


def latest_note():
    """The newest progress note of each assignment, as a scalar subquery column."""
    return (
        select(ProgressReport.note)
        .where(ProgressReport.assignment_id == Assignment.id)
        .order_by(ProgressReport.id.desc())
        .limit(1)
        .correlate(Assignment)
        .scalar_subquery()
    )


_visible = scope.live_assignment
_joined = scope.join_directive


def owned_by(organisation_id: int):
    """Assignments of the directives of one organisation: what its office follows and counts."""
    return Directive.owner_agency_id == organisation_id


@dataclass
class Filters:
    directive: int | None = None
    agency: int | None = None
    role: str = ""
    status: str = ""
    timeliness: str = ""
    deadline_from: date | None = None
    deadline_to: date | None = None
    q: str = ""
    errors: tuple = ()

    def as_args(self) -> dict:
        args = {
            "directive": self.directive, "agency": self.agency, "role": self.role, "status": self.status,
            "timeliness": self.timeliness, "q": self.q,
            "from": self.deadline_from.strftime("%d/%m/%Y") if self.deadline_from else None,
            "to": self.deadline_to.strftime("%d/%m/%Y") if self.deadline_to else None,
        }
        return {key: value for key, value in args.items() if value}


def _id(value):
    return ascii_id(value)


def parse_filters(args) -> Filters:
    """Filters from the query string; a wrong date is reported, other junk is ignored."""
    errors, dates = [], {}
    for key in ("from", "to"):
        raw = clean_line(args.get(key, ""))[:20]
        if raw:
            try:
                dates[key] = parse_vn_date(raw)
            except ValueError as error:
                errors.append(f"{'Từ ngày' if key == 'from' else 'Đến ngày'}: {error}")
    role, status, timeliness = args.get("role", ""), args.get("status", ""), args.get("timeliness", "")
    return Filters(
        directive=_id(args.get("directive")), agency=_id(args.get("agency")),
        role=role if role in ("lead", "coordinating") else "",
        status=status if status in STATUS_LABELS else "",
        timeliness=timeliness if timeliness in T.FILTER_LABELS else "",
        deadline_from=dates.get("from"), deadline_to=dates.get("to"),
        q=clean_line(args.get("q", ""))[:200], errors=tuple(errors),
    )


def assignment_rows(filters: Filters, today: date, due_soon_days: int, within):
    """SELECT of (Assignment, Task, Section, Directive, Agency, timeliness, latest note) with the filters,
    inside `within` (a condition from app/scope.py or owned_by(): whose list this is)."""
    label = timeliness_expression(today, due_soon_days).label("timeliness")
    query = _joined(select(Assignment, Task, Section, Directive, Agency, label, latest_note().label("note"))
                    ).join(Agency, Assignment.agency_id == Agency.id).where(_visible(), within)
    if filters.directive:
        query = query.where(Directive.id == filters.directive)
    if filters.agency:
        query = query.where(Assignment.agency_id == filters.agency)
    if filters.role:
        query = query.where(Assignment.role == filters.role)
    if filters.status:
        query = query.where(Assignment.status == filters.status)
    if filters.timeliness:
        wanted = T.GROUPS.get(filters.timeliness, (filters.timeliness,))
        query = query.where(timeliness_expression(today, due_soon_days).in_(wanted))
    if filters.deadline_from:
        query = query.where(Assignment.deadline >= filters.deadline_from)
    if filters.deadline_to:
        query = query.where(Assignment.deadline <= filters.deadline_to)
    if filters.q:  # the full-text index (app/search.py): task, agency, directive, reports
        from app import search

        query = query.where(search.assignment_condition(filters.q))
    return query.order_by(Assignment.deadline.asc().nulls_last(), Directive.id.desc(), Section.position,
                          Task.position, Agency.name)


DASHBOARD_GROUPS = (T.DONE_ON_TIME, T.DONE_LATE, T.IN_PROGRESS_ON_TIME, T.OVERDUE, T.NO_DEADLINE)


def dashboard_group(timeliness: str) -> str | None:
    """The five boxes of the dashboard: in-progress on time merges "trong hạn" and "sắp đến hạn"."""
    for group, members in T.GROUPS.items():
        if timeliness in members:
            return group
    return timeliness if timeliness in DASHBOARD_GROUPS else None


def counts_by(column, today: date, due_soon_days: int, within, directive_id: int | None = None):
    """{key: {timeliness: count}} grouped by `column` (Agency.id or Directive.id), one query."""
    label = timeliness_expression(today, due_soon_days)
    query = _joined(select(column, label, func.count(Assignment.id))).where(_visible(), within)
    if directive_id:
        query = query.where(Directive.id == directive_id)
    rows = db.session.execute(query.group_by(column, label)).all()
    result: dict = {}
    for key, timeliness, count in rows:
        result.setdefault(key, {})[timeliness] = count
    return result


@dataclass
class Figures:
    by_agency: dict       # {agency id: {class: count}}
    totals: dict          # the five boxes
    directive_count: int
    worst: list           # [(directive id, {class: count})], the most overdue first


def dashboard_figures(organisation_id: int, today: date, due_soon_days: int, directives_shown: int = 5) -> Figures:
    """What the dashboard and its API show: from the tallies counted ahead when they are today's
    (app/tracking/tallies.py), else counted live with the same classification."""
    from app.tracking import tallies

    if tallies.current(db.session, today, due_soon_days):
        by_agency = tallies.by_agency(db.session, organisation_id)
        directive_count, worst = tallies.worst_directives(db.session, organisation_id, directives_shown, T.OVERDUE)
    else:
        within = owned_by(organisation_id)
        by_agency = counts_by(Assignment.agency_id, today, due_soon_days, within)
        by_directive = counts_by(Directive.id, today, due_soon_days, within)
        directive_count = len(by_directive)
        worst = sorted(by_directive.items(), key=lambda item: (-item[1].get(T.OVERDUE, 0), -item[0]))[:directives_shown]
    totals = {group: 0 for group in DASHBOARD_GROUPS}
    for kinds in by_agency.values():
        for kind, count in kinds.items():
            group = dashboard_group(kind)
            if group:
                totals[group] += count
    return Figures(by_agency, totals, directive_count, worst)


@dataclass
class Score:
    agency: Agency
    assigned: int
    done_on_time: int
    done_late: int
    overdue: int
    in_progress: int
    no_deadline: int

    @property
    def on_time_rate(self) -> float | None:
        """Done on time among the assignments whose outcome is known (done, or overdue)."""
        known = self.done_on_time + self.done_late + self.overdue
        return round(100 * self.done_on_time / known, 1) if known else None


SCORE_COLUMNS = ("name", "assigned", "done_on_time", "done_late", "overdue", "on_time_rate")


def scorecard(today: date, due_soon_days: int, within, sort: str = "overdue", descending: bool = True,
              directive_id: int | None = None, counts: dict | None = None) -> list[Score]:
    if counts is None:
        counts = counts_by(Assignment.agency_id, today, due_soon_days, within, directive_id)
    agencies = {a.id: a for a in db.session.scalars(select(Agency).where(Agency.id.in_(list(counts))))}
    scores = []
    for agency_id, by_kind in counts.items():
        scores.append(Score(
            agency=agencies[agency_id],
            assigned=sum(n for kind, n in by_kind.items() if kind != T.NOT_COUNTED),
            done_on_time=by_kind.get(T.DONE_ON_TIME, 0), done_late=by_kind.get(T.DONE_LATE, 0),
            overdue=by_kind.get(T.OVERDUE, 0),
            in_progress=by_kind.get(T.ON_TIME, 0) + by_kind.get(T.DUE_SOON, 0),
            no_deadline=by_kind.get(T.NO_DEADLINE, 0),
        ))
    sort = sort if sort in SCORE_COLUMNS else "overdue"
    if sort == "name":
        key = lambda s: s.agency.short_name.lower()  # noqa: E731
    elif sort == "on_time_rate":
        key = lambda s: (s.on_time_rate is not None, s.on_time_rate or 0)  # noqa: E731
    else:
        key = lambda s: getattr(s, sort)  # noqa: E731
    return sorted(scores, key=key, reverse=descending)
