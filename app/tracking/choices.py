"""The choices of the follow-up filters (which directive, which agency).

A province has thousands of each: a page carries the first few and the one chosen, and the rest are
found as the user types (`tracking.filter_choices`, read by static/js/app.js). The page then costs the
same with fifty agencies or five thousand, and so does the list of choices it sends."""
from dataclasses import dataclass

from flask import current_app
from jinja2.filters import do_truncate
from sqlalchemy import select

from app import search
from app.extensions import db
from app.models import Agency, Assignment, Directive
from app.rules.directive_states import LIVE
from app.tracking import queries, tallies

FOUND = 30  # choices sent back for what the user typed
WORDS = 100  # characters of what the user typed that are read


@dataclass
class Choices:
    pairs: list[tuple[int, str]]
    more: bool  # there are more than the page carries: the picker asks the server as the user types


def inline_count() -> int:
    return current_app.config["FILTER_INLINE_CHOICES"]


def shorten(text: str, length: int) -> str:
    """Jinja's truncate: cut at a word, with "...", leaving text at most five characters over as it is."""
    return do_truncate(current_app.jinja_env, text or "", length)


def _directive_label(row) -> str:
    return f"{row.number or '…'}/{row.symbol} – {shorten(row.subject, 60)}"


def directives(organisation_id: int, chosen: int | None = None, typed: str = "", limit: int | None = None) -> Choices:
    """The organisation's live directives, newest first, with every word typed (app/search.py's rule);
    and the chosen one, however old."""
    limit = inline_count() if limit is None else limit
    columns = (Directive.id, Directive.number, Directive.symbol, Directive.subject)
    query = select(*columns).where(Directive.state.in_(LIVE), queries.owned_by(organisation_id))
    if typed:
        query = query.where(search.directive_condition(typed[:WORDS]))
    rows = db.session.execute(query.order_by(Directive.id.desc()).limit(limit + 1)).all()
    more, rows = len(rows) > limit, rows[:limit]
    if chosen and chosen not in {row.id for row in rows}:
        rows += db.session.execute(select(*columns).where(Directive.id == chosen, Directive.state.in_(LIVE),
                                                          queries.owned_by(organisation_id))).all()
    return Choices([(row.id, _directive_label(row)) for row in rows], more)


def _agency_query(organisation_id: int, counted_ahead: bool):
    """The agencies with work from the organisation: from the tallies when they are today's."""
    if counted_ahead:
        return select(Agency.id, Agency.name).where(Agency.id.in_(tallies.agency_ids(organisation_id)))
    return (queries._joined(select(Agency.id, Agency.name).select_from(Assignment))
            .join(Agency, Assignment.agency_id == Agency.id).where(queries.owned_by(organisation_id)).distinct())


def agencies(organisation_id: int, counted_ahead: bool, chosen: int | None = None, typed: str = "",
             limit: int | None = None) -> Choices:
    """The agencies with work from the organisation, by name, with every word typed in their name
    (app/search.py's rule: accents and case ignored, whole words, the last perhaps unfinished); and the
    chosen one."""
    limit = inline_count() if limit is None else limit
    query = _agency_query(organisation_id, counted_ahead).order_by(Agency.name)
    words = search.terms(typed[:WORDS])
    # Core, not the ORM: a province's thousand agencies are plain pairs, and the ORM's rows cost ten times more
    connection = db.session.connection()
    if words:  # names are matched in Python: bounded by the number of agencies, not of assignments
        rows = [row for row in connection.execute(query).all() if search.names_match(words, row.name)][:limit + 1]
    else:
        rows = connection.execute(query.limit(limit + 1)).all()
    more, rows = len(rows) > limit, rows[:limit]
    if chosen and chosen not in {row.id for row in rows}:
        rows += connection.execute(query.where(Agency.id == chosen)).all()
    return Choices([(row.id, row.name) for row in rows], more)
