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
    query = select(Assignment, Task, Section, Directive, Agency, label, latest_note().label("note"))
    return _filtered(query, filters, today, due_soon_days, within)


def row_count(filters: Filters, today: date, due_soon_days: int, within):
    """SELECT of how many rows assignment_rows() has: only the ids, so that the count does not work out
    each row's latest note and timeliness (wrapped around the list's own SELECT, it did)."""
    return _filtered(select(func.count(Assignment.id)), filters, today, due_soon_days, within).order_by(None)


def export_rows(filters: Filters, today: date, due_soon_days: int, within):
    """The same list as plain columns, for the Excel export: a hundred thousand ORM objects of five kinds
    would cost more than writing the workbook."""
    query = select(
        Directive.number, Directive.symbol, Directive.issued_date, Directive.subject,
        Section.number.label("section_number"), Task.text.label("task_text"), Agency.name.label("agency_name"),
        Assignment.role, Assignment.original_deadline, Assignment.deadline, Assignment.status,
        timeliness_expression(today, due_soon_days).label("timeliness"), Assignment.progress_percent,
        latest_note().label("note"), Assignment.completed_date)
    return _filtered(query, filters, today, due_soon_days, within)


def report_columns(filters: Filters, today: date, due_soon_days: int, within):
    """The rows of the period report (app/tracking/reports.py): plain columns of the assignment, its task
    and its directive, the agency as an entity (a few hundred at most, and agency_label reads it); in the
    order of the office list."""
    query = select(
        Assignment.role, Assignment.deadline, Assignment.status, Task.text.label("task_text"), Directive.number,
        Directive.symbol, Agency, timeliness_expression(today, due_soon_days).label("timeliness"),
        latest_note().label("note"))
    return _filtered(query, filters, today, due_soon_days, within)


def _filtered(query, filters: Filters, today: date, due_soon_days: int, within):
    query = _joined(query).join(Agency, Assignment.agency_id == Agency.id).where(_visible(), within)
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
    return query.order_by(*LIST_ORDER)


# nearest deadline first, none last, then in the order the work was given (a directive's tasks as they
# are numbered): the columns of the index ix_assignments_list_order, so that a page is read off the
# index whatever the number of assignments
LIST_ORDER = (Assignment.deadline.is_(None), Assignment.deadline, Assignment.id)


def tallied_total(filters: Filters, counted_ahead: bool, organisation_id: int | None = None,
                  agency_ids=None) -> int | None:
    """How many rows a list has, from the tallies when its filters are what they count by (directive,
    agency, timeliness) and they are today's (`counted_ahead`); None when it must be counted. The office
    list is one organisation's directives (`organisation_id`); an inbox, the tasks of its agencies
    (`agency_ids`) in every organisation's directives."""
    from app.tracking import tallies

    if filters.role or filters.status or filters.deadline_from or filters.deadline_to or filters.q:
        return None
    if not counted_ahead:
        return None
    classes = T.GROUPS.get(filters.timeliness, (filters.timeliness,)) if filters.timeliness else None
    return tallies.total(db.session, organisation_id, directive_id=filters.directive, agency_id=filters.agency,
                         classes=classes, agency_ids=agency_ids)


def counted(filters: Filters, today: date, due_soon_days: int, within, known: int | None) -> int:
    """A list's total: what the tallies told (`known`), else counted on the ids alone."""
    if known is not None:
        return known
    return db.session.execute(row_count(filters, today, due_soon_days, within)).scalar_one()


def inbox_total(filters: Filters, today: date, due_soon_days: int, agency_ids, counted_ahead: bool) -> int | None:
    """How many rows an inbox (the tasks of `agency_ids`) has, from the tallies when they can tell; the
    tallies leave out directives without an owner organisation, whose few tasks are counted live. Those
    directives are looked up first (usually none): given the agency alone, SQLite's planner would count
    from the agency's every assignment."""
    from app.rules.directive_states import LIVE

    if not agency_ids:
        return 0
    tallied = tallied_total(filters, counted_ahead, agency_ids=agency_ids)
    if tallied is None:
        return None
    unowned = db.session.scalars(select(Directive.id).where(Directive.owner_agency_id.is_(None),
                                                            Directive.state.in_(LIVE))).all()
    if not unowned:
        return tallied
    within = and_(Assignment.agency_id.in_(sorted(agency_ids)), Directive.id.in_(unowned))
    return tallied + db.session.execute(row_count(filters, today, due_soon_days, within)).scalar_one()


DASHBOARD_GROUPS = (T.DONE_ON_TIME, T.DONE_LATE, T.IN_PROGRESS_ON_TIME, T.OVERDUE, T.NO_DEADLINE)


def dashboard_group(timeliness: str) -> str | None:
    """The five boxes of the dashboard: in-progress on time merges "trong hạn" and "sắp đến hạn"."""
    for group, members in T.GROUPS.items():
        if timeliness in members:
            return group
    return timeliness if timeliness in DASHBOARD_GROUPS else None


def _class_query(column, today: date, due_soon_days: int, within, directive_id: int | None = None):
    """(column, timeliness, count) of the live assignments inside `within`, grouped: one place for the count
    that counts_by() reads into a dict and class_counts() hands on as a subquery."""
    label = timeliness_expression(today, due_soon_days)
    query = _joined(select(column, label.label("timeliness"), func.count(Assignment.id).label("count"))
                    ).where(_visible(), within)
    if directive_id:
        query = query.where(Directive.id == directive_id)
    return query.group_by(column, label)


def counts_by(column, today: date, due_soon_days: int, within, directive_id: int | None = None):
    """{key: {timeliness: count}} grouped by `column` (Agency.id or Directive.id), one query."""
    result: dict = {}
    for key, timeliness, count in db.session.execute(_class_query(column, today, due_soon_days, within, directive_id)):
        result.setdefault(key, {})[timeliness] = count
    return result


def class_counts(today: date, due_soon_days: int, within, directive_id: int | None = None):
    """The same counts per agency as a subquery (agency_id, timeliness, count), for sorting and paging in SQL."""
    return _class_query(Assignment.agency_id.label("agency_id"), today, due_soon_days, within,
                        directive_id).subquery("class_counts")


def organisation_scores(organisation_id: int, today: date, due_soon_days: int, counted_ahead: bool | None = None):
    """The scorecard's rows of one organisation (agency_id and SCORE_KINDS' columns): kept ahead in
    agency_scores when the tallies are today's, else summed from the live counts."""
    from app.tracking import tallies

    if counted_ahead is None:
        counted_ahead = tallies.current(db.session, today, due_soon_days)
    if counted_ahead:
        return tallies.agency_scores(organisation_id)
    return per_agency(class_counts(today, due_soon_days, owned_by(organisation_id)))


def organisation_counts(organisation_id: int, today: date, due_soon_days: int, counted_ahead: bool | None = None):
    """(agency_id, timeliness, count) of one organisation's directives: the tallies counted ahead when
    they are today's (app/tracking/tallies.py), else counted live with the same classification."""
    from app.tracking import tallies

    if counted_ahead is None:
        counted_ahead = tallies.current(db.session, today, due_soon_days)
    if counted_ahead:
        return tallies.agency_counts(organisation_id)
    return class_counts(today, due_soon_days, owned_by(organisation_id))


def late_and_due_by_agency(organisation_id: int, today: date, due_soon_days: int, counted_ahead: bool | None = None):
    """[(agency, overdue, due soon)] of one organisation's directives, for the agencies that have either,
    the most overdue first: the dashboard's own counts (organisation_counts), so the follow-up mail
    says what the scorecard says. One grouped statement; as many rows as agencies, never assignments."""
    counts = organisation_counts(organisation_id, today, due_soon_days, counted_ahead)
    overdue = func.sum(case((counts.c.timeliness == T.OVERDUE, counts.c.count), else_=0)).label("overdue")
    due_soon = func.sum(case((counts.c.timeliness == T.DUE_SOON, counts.c.count), else_=0)).label("due_soon")
    query = (select(Agency, overdue, due_soon).join(counts, counts.c.agency_id == Agency.id)
             .where(counts.c.timeliness.in_((T.OVERDUE, T.DUE_SOON)))
             .group_by(Agency.id).order_by(overdue.desc(), due_soon.desc(), Agency.name, Agency.id))
    return [(agency, int(late), int(soon)) for agency, late, soon in db.session.execute(query) if late or soon]


@dataclass
class Figures:
    scores: object        # organisation_scores(): what scorecard() sorts and pages
    directive_count: int
    worst: list           # [(directive id, {class: count})], the most overdue first


def dashboard_figures(organisation_id: int, today: date, due_soon_days: int, directives_shown: int = 5) -> Figures:
    """What the dashboard and its API show besides the scorecard, in a fixed number of statements."""
    from app.tracking import tallies

    counted_ahead = tallies.current(db.session, today, due_soon_days)
    scores = organisation_scores(organisation_id, today, due_soon_days, counted_ahead)
    if counted_ahead:
        directive_count, worst = tallies.worst_directives(db.session, organisation_id, directives_shown, T.OVERDUE)
    else:
        by_directive = counts_by(Directive.id, today, due_soon_days, owned_by(organisation_id))
        directive_count = len(by_directive)
        worst = sorted(by_directive.items(), key=lambda item: (-item[1].get(T.OVERDUE, 0), -item[0]))[:directives_shown]
    return Figures(scores, directive_count, worst)


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
SCORE_KINDS = {"done_on_time": (T.DONE_ON_TIME,), "done_late": (T.DONE_LATE,), "overdue": (T.OVERDUE,),
                "in_progress": (T.ON_TIME, T.DUE_SOON), "no_deadline": (T.NO_DEADLINE,)}
# the dashboard's five boxes are sums of the scorecard's columns over every agency
_BOX_COLUMNS = {T.DONE_ON_TIME: "done_on_time", T.DONE_LATE: "done_late", T.IN_PROGRESS_ON_TIME: "in_progress",
                T.OVERDUE: "overdue", T.NO_DEADLINE: "no_deadline"}


@dataclass
class ScorePage:
    scores: list          # [Score] of the page
    agencies: int         # how many agencies in all
    totals: dict          # the five boxes, over every agency


SCORE_ROW = ("live", "assigned", *SCORE_KINDS)  # agency_scores' columns


def score_columns(kind: str) -> list[str]:
    """The scorecard columns an assignment of this class counts in: "live" (every live assignment, the
    row's reason to be), "assigned" (unless cancelled) and SCORE_KINDS'. The one rule for the sums below
    and for the differences app/tracking/tallies.py moves agency_scores by."""
    return ["live"] + (["assigned"] if kind != T.NOT_COUNTED else []) + [
        name for name, kinds in SCORE_KINDS.items() if kind in kinds]


def score_sums(counts) -> dict:
    """SCORE_ROW as sums over (…, timeliness, count) rows."""
    def total(column):
        kinds = [kind for kind in T.LABELS if column in score_columns(kind)]
        return func.coalesce(func.sum(case((counts.c.timeliness.in_(kinds), counts.c.count), else_=0)), 0)

    return {column: total(column) for column in SCORE_ROW}


def per_agency(counts):
    """One row per agency with the scorecard's columns, summed from (agency_id, timeliness, count)."""
    sums = score_sums(counts)
    return select(counts.c.agency_id, *(sums[name].label(name) for name in ("assigned", *SCORE_KINDS))
                  ).group_by(counts.c.agency_id).subquery("per_agency")


def scorecard(rows, sort: str = "overdue", descending: bool = True, limit: int | None = None,
              offset: int = 0) -> ScorePage:
    """One page of agencies sorted by a column, with how many there are and the five boxes, in one
    statement (window sums over the rows): a province of fifteen thousand agencies costs one page.
    `rows` is organisation_scores() or per_agency()."""
    sort = sort if sort in SCORE_COLUMNS else "overdue"
    if sort == "name":
        keys = [func.lower(Agency.short_name)]
    elif sort == "on_time_rate":
        known = rows.c.done_on_time + rows.c.done_late + rows.c.overdue
        keys = [case((known > 0, 1), else_=0), case((known > 0, 1.0 * rows.c.done_on_time / known), else_=0)]
    else:
        keys = [rows.c[sort]]
    order = [key.desc() if descending else key.asc() for key in keys] + [Agency.name, Agency.id]
    windows = [func.count().over().label("agencies")] + [
        func.sum(rows.c[column]).over().label(f"all_{column}") for column in _BOX_COLUMNS.values()]
    query = select(rows, Agency, *windows).join(Agency, Agency.id == rows.c.agency_id).order_by(*order)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    found = db.session.execute(query).all()
    if not found and offset:  # past the last page: nothing to read the window sums from
        return ScorePage([], *_scorecard_sums(rows))
    scores = [Score(agency=row.Agency, assigned=int(row.assigned),
                    **{name: int(getattr(row, name)) for name in SCORE_KINDS}) for row in found]
    first = found[0] if found else None
    totals = {box: int(getattr(first, f"all_{column}")) if first else 0 for box, column in _BOX_COLUMNS.items()}
    return ScorePage(scores, int(first.agencies) if first else 0, totals)


def _scorecard_sums(rows) -> tuple[int, dict]:
    sums = db.session.execute(select(func.count(), *(func.coalesce(func.sum(rows.c[column]), 0)
                                                      for column in _BOX_COLUMNS.values()))).one()
    return int(sums[0]), {box: int(value) for box, value in zip(_BOX_COLUMNS, sums[1:])}
