"""The dashboard's counts kept ahead, so that it costs the same at ten thousand assignments as at a million.

Three tables (app/models/tallies.py) hold, as of one local day, the live assignments of each
organisation's directives per timeliness class: per directive and agency (the detail), per agency
(the boxes and the inbox) and per directive (the directives with most overdue work); a fourth holds
the per-agency classes summed into the scorecard's columns, one row per organisation and agency.

- Every transaction that changes an assignment, a task, a section or a directive (through the ORM, or
  through the conditional UPDATEs that move a directive's state, which call `touch`) recounts the
  directives it touched at commit, from the same SQL classification the live queries use, and moves
  the sums by the difference. It takes the state row's lock last, after its own writes, and holds it
  to the commit: two writers never interleave their differences, and nobody waits on them holding it.
- Classes move with the calendar (a deadline passes at midnight), so the tallies are as of a day:
  `rebuild` recounts everything for today (the night's job, `flask jobs tallies`, or the first commit
  of a day). A dashboard whose tallies are not as of today, or were counted with another due-soon
  window, counts live instead: slower, never wrong.
"""
from collections import Counter
from datetime import date
from itertools import chain

from sqlalchemy import delete, event, func, insert, select, update
from sqlalchemy.orm import Session

from app.clock import local_today
from app.models import Assignment, Directive, Section, Task
from app.models.tallies import AgencyScore, AgencyTally, DirectiveTally, DirectiveTotal, OwnerTotal, TallyState
from app.scope import join_directive, live_assignment

STATE, DETAIL, BY_AGENCY, BY_DIRECTIVE, BY_OWNER, SCORES = (
    TallyState.__table__, DirectiveTally.__table__, AgencyTally.__table__, DirectiveTotal.__table__,
    OwnerTotal.__table__, AgencyScore.__table__)
PENDING = "tallies_pending"
TRACKED = (Assignment, Task, Section, Directive)


def _counted(day: date, window: int, directive_ids=None):
    """(directive, owner, agency, class, count) of live assignments: the live dashboard's own query."""
    from app.tracking.queries import timeliness_expression

    label = timeliness_expression(day, window)
    query = join_directive(select(Section.directive_id, Directive.owner_agency_id, Assignment.agency_id, label,
                                  func.count(Assignment.id))).where(live_assignment(),
                                                                    Directive.owner_agency_id.is_not(None))
    if directive_ids is not None:
        query = query.where(Section.directive_id.in_(sorted(directive_ids)))
    return query.group_by(Section.directive_id, Directive.owner_agency_id, Assignment.agency_id, label)


def _state(connection, lock: bool):
    query = select(STATE.c.as_of, STATE.c.due_soon_days).where(STATE.c.id == 1)
    return connection.execute(query.with_for_update() if lock else query).first()


# ---- keeping them right -------------------------------------------------------------------------

def touch(session: Session, directive_id: int) -> None:
    """A directive changed outside the ORM's view (a conditional UPDATE of its state)."""
    session.info.setdefault(PENDING, {"objects": [], "directives": set()})["directives"].add(directive_id)


def _note(session, _flush_context, _instances):
    objects = [obj for obj in chain(session.new, session.dirty, session.deleted) if isinstance(obj, TRACKED)]
    if objects:
        session.info.setdefault(PENDING, {"objects": [], "directives": set()})["objects"].extend(objects)


def _directive_ids(connection, pending) -> set[int]:
    ids = set(pending["directives"])
    task_ids, section_ids = set(), set()
    for obj in pending["objects"]:
        if isinstance(obj, Directive):
            ids.add(obj.id)
        elif isinstance(obj, Section):
            ids.add(obj.directive_id)
        elif isinstance(obj, Task):
            section_ids.add(obj.section_id)
        elif isinstance(obj, Assignment):
            task_ids.add(obj.task_id)
    task_ids.discard(None)
    if task_ids:
        section_ids |= set(connection.execute(select(Task.section_id).where(Task.id.in_(sorted(task_ids)))).scalars())
    section_ids.discard(None)
    if section_ids:
        ids |= set(connection.execute(select(Section.directive_id).where(Section.id.in_(sorted(section_ids))))
                   .scalars())
    ids.discard(None)
    return ids


def _at_commit(session):
    session.flush()  # the last changes (their objects noted by _note) before counting
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    connection = session.connection()
    directive_ids = _directive_ids(connection, pending)
    if directive_ids:
        recount(connection, directive_ids)


def _forget(session, *_args):
    session.info.pop(PENDING, None)


def recount(connection, directive_ids) -> None:
    """Recount these directives as of the tallies' day and move the sums by the difference."""
    state = _state(connection, lock=True)
    if state is None:
        return  # never counted: the dashboards count live until the first rebuild
    ids = sorted(directive_ids)
    new = connection.execute(_counted(state.as_of, state.due_soon_days, ids)).all()
    old = connection.execute(select(DETAIL.c.directive_id, DETAIL.c.owner_id, DETAIL.c.agency_id,
                                    DETAIL.c.timeliness, DETAIL.c.count).where(DETAIL.c.directive_id.in_(ids))).all()
    difference = Counter()
    for _directive, owner, agency, kind, count in old:
        difference[(owner, agency, kind)] -= count
    totals = Counter()
    for directive, owner, agency, kind, count in new:
        difference[(owner, agency, kind)] += count
        totals[(owner, directive, kind)] += count
    counted_directives = _directives_per_owner(new)
    counted_directives.subtract(_directives_per_owner(old))
    connection.execute(delete(DETAIL).where(DETAIL.c.directive_id.in_(ids)))
    connection.execute(delete(BY_DIRECTIVE).where(BY_DIRECTIVE.c.directive_id.in_(ids)))
    if new:
        connection.execute(insert(DETAIL), [{"directive_id": d, "owner_id": o, "agency_id": a, "timeliness": k,
                                             "count": n} for d, o, a, k, n in new])
        connection.execute(insert(BY_DIRECTIVE), [{"owner_id": o, "directive_id": d, "timeliness": k, "count": n}
                                                  for (o, d, k), n in totals.items()])
    for (owner, agency, kind), change in difference.items():
        if not change:
            continue
        key = (BY_AGENCY.c.owner_id == owner, BY_AGENCY.c.agency_id == agency, BY_AGENCY.c.timeliness == kind)
        moved = connection.execute(update(BY_AGENCY).where(*key).values(count=BY_AGENCY.c.count + change)).rowcount
        if not moved:
            connection.execute(insert(BY_AGENCY).values(owner_id=owner, agency_id=agency, timeliness=kind,
                                                        count=change))
    connection.execute(delete(BY_AGENCY).where(BY_AGENCY.c.count == 0))
    _move_scores(connection, difference)
    for owner, change in counted_directives.items():
        if not change:
            continue
        moved = connection.execute(update(BY_OWNER).where(BY_OWNER.c.owner_id == owner)
                                   .values(directives=BY_OWNER.c.directives + change)).rowcount
        if not moved:
            connection.execute(insert(BY_OWNER).values(owner_id=owner, directives=change))


def _move_scores(connection, difference: Counter) -> None:
    """agency_scores moved by the same differences as agency_tallies, column by column."""
    from app.tracking.queries import SCORE_ROW, score_columns

    moves: dict[tuple[int, int], Counter] = {}
    for (owner, agency, kind), change in difference.items():
        if change:
            for column in score_columns(kind):
                moves.setdefault((owner, agency), Counter())[column] += change
    zero = {column: 0 for column in SCORE_ROW}
    for (owner, agency), columns in moves.items():
        columns = {name: change for name, change in columns.items() if change}
        if not columns:
            continue
        key = (SCORES.c.owner_id == owner, SCORES.c.agency_id == agency)
        moved = connection.execute(update(SCORES).where(*key).values(
            **{name: SCORES.c[name] + change for name, change in columns.items()})).rowcount
        if not moved:
            connection.execute(insert(SCORES).values(owner_id=owner, agency_id=agency, **{**zero, **columns}))
    if moves:
        connection.execute(delete(SCORES).where(SCORES.c.live == 0))


def _directives_per_owner(rows) -> Counter:
    """How many distinct directives each organisation has among rows of (directive, owner, …)."""
    return Counter(owner for _directive, owner in {(row[0], row[1]) for row in rows})


def rebuild(session: Session, day: date | None = None, window: int | None = None) -> int:
    """Recount everything as of `day` (today); return the number of detail rows."""
    from flask import current_app

    from app.tracking import queries

    day = day or local_today()
    window = current_app.config["DUE_SOON_DAYS"] if window is None else window
    session.flush()
    session.info.pop(PENDING, None)  # counted below, whatever was pending
    connection = session.connection()
    if _state(connection, lock=True) is None:
        connection.execute(insert(STATE).values(id=1, as_of=day, due_soon_days=window))
    else:
        connection.execute(update(STATE).where(STATE.c.id == 1).values(as_of=day, due_soon_days=window))
    for table in (DETAIL, BY_AGENCY, BY_DIRECTIVE, BY_OWNER, SCORES):
        connection.execute(delete(table))
    connection.execute(insert(DETAIL).from_select(
        ["directive_id", "owner_id", "agency_id", "timeliness", "count"], _counted(day, window)))
    connection.execute(insert(BY_AGENCY).from_select(
        ["owner_id", "agency_id", "timeliness", "count"],
        select(DETAIL.c.owner_id, DETAIL.c.agency_id, DETAIL.c.timeliness, func.sum(DETAIL.c.count))
        .group_by(DETAIL.c.owner_id, DETAIL.c.agency_id, DETAIL.c.timeliness)))
    sums = queries.score_sums(BY_AGENCY)
    connection.execute(insert(SCORES).from_select(
        ["owner_id", "agency_id", *sums], select(BY_AGENCY.c.owner_id, BY_AGENCY.c.agency_id, *sums.values())
        .group_by(BY_AGENCY.c.owner_id, BY_AGENCY.c.agency_id)))
    connection.execute(insert(BY_DIRECTIVE).from_select(
        ["owner_id", "directive_id", "timeliness", "count"],
        select(DETAIL.c.owner_id, DETAIL.c.directive_id, DETAIL.c.timeliness, func.sum(DETAIL.c.count))
        .group_by(DETAIL.c.owner_id, DETAIL.c.directive_id, DETAIL.c.timeliness)))
    connection.execute(insert(BY_OWNER).from_select(
        ["owner_id", "directives"],
        select(DETAIL.c.owner_id, func.count(func.distinct(DETAIL.c.directive_id))).group_by(DETAIL.c.owner_id)))
    return connection.execute(select(func.count()).select_from(DETAIL)).scalar_one()


# ---- reading them -------------------------------------------------------------------------------

def current(session: Session, today: date, window: int) -> bool:
    """Whether the tallies classify as the dashboard would today."""
    state = _state(session.connection(), lock=False)
    return state is not None and state.as_of == today and state.due_soon_days == window


def by_agency(session: Session, owner_id: int) -> dict:
    """{agency id: {class: count}}, the shape of queries.counts_by(Assignment.agency_id, …)."""
    counts = agency_counts(owner_id)
    result: dict = {}
    for agency, kind, count in session.execute(select(counts.c.agency_id, counts.c.timeliness, counts.c.count)):
        result.setdefault(agency, {})[kind] = count
    return result


def agency_counts(owner_id: int):
    """(agency_id, timeliness, count) of one organisation, as a subquery like queries.class_counts()."""
    return (select(BY_AGENCY.c.agency_id, BY_AGENCY.c.timeliness, BY_AGENCY.c.count)
            .where(BY_AGENCY.c.owner_id == owner_id).subquery("class_counts"))


def agency_scores(owner_id: int):
    """The scorecard's rows of one organisation, as a subquery like queries.per_agency()."""
    from app.tracking.queries import SCORE_KINDS

    return (select(SCORES.c.agency_id, SCORES.c.assigned, *(SCORES.c[name] for name in SCORE_KINDS))
            .where(SCORES.c.owner_id == owner_id).subquery("per_agency"))


def total(session: Session, owner_id: int | None, directive_id=None, agency_id=None, classes=None,
          agency_ids=None) -> int:
    """Live assignments of one organisation's directives (`owner_id`), or of every organisation's given to
    some agencies (`agency_ids`, an inbox); optionally of one directive, agency or set of classes."""
    table = DETAIL if directive_id else BY_AGENCY
    query = select(func.coalesce(func.sum(table.c.count), 0))
    if owner_id is not None:
        query = query.where(table.c.owner_id == owner_id)
    if agency_ids is not None:
        query = query.where(table.c.agency_id.in_(sorted(agency_ids)))
    if directive_id:
        query = query.where(table.c.directive_id == directive_id)
    if agency_id:
        query = query.where(table.c.agency_id == agency_id)
    if classes is not None:
        query = query.where(table.c.timeliness.in_(classes))
    return int(session.execute(query).scalar_one())


def agency_ids(owner_id: int):
    """The agencies that have live assignments of one organisation's directives, as a subquery."""
    return select(BY_AGENCY.c.agency_id).where(BY_AGENCY.c.owner_id == owner_id)


def worst_directives(session: Session, owner_id: int, limit: int, overdue: str) -> tuple[int, list]:
    """(how many directives count, [(directive id, {class: count})] with the most overdue first)."""
    how_many = session.execute(select(func.coalesce(func.max(BY_OWNER.c.directives), 0))
                               .where(BY_OWNER.c.owner_id == owner_id)).scalar_one()
    top = list(session.execute(
        select(BY_DIRECTIVE.c.directive_id).where(BY_DIRECTIVE.c.owner_id == owner_id,
                                                  BY_DIRECTIVE.c.timeliness == overdue)
        .order_by(BY_DIRECTIVE.c.count.desc(), BY_DIRECTIVE.c.directive_id.desc()).limit(limit)).scalars())
    if len(top) < limit:  # fewer directives with overdue work than places: the newest others after them
        top += list(session.execute(
            select(BY_DIRECTIVE.c.directive_id).distinct().where(BY_DIRECTIVE.c.owner_id == owner_id,
                                                                 BY_DIRECTIVE.c.directive_id.not_in(top or [0]))
            .order_by(BY_DIRECTIVE.c.directive_id.desc()).limit(limit - len(top))).scalars())
    kinds: dict = {directive: {} for directive in top}
    for directive, kind, count in session.execute(
            select(BY_DIRECTIVE.c.directive_id, BY_DIRECTIVE.c.timeliness, BY_DIRECTIVE.c.count)
            .where(BY_DIRECTIVE.c.owner_id == owner_id, BY_DIRECTIVE.c.directive_id.in_(top or [0]))):
        kinds[directive][kind] = count
    return how_many, list(kinds.items())


def init_app(app) -> None:
    if event.contains(Session, "before_flush", _note):
        return
    event.listen(Session, "before_flush", _note)
    event.listen(Session, "before_commit", _at_commit)
    event.listen(Session, "after_rollback", _forget)
