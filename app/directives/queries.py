"""Read-side queries for directive pages: filters, choices, progress counts (no per-row queries)."""
from datetime import date

from sqlalchemy import and_, case, false, func, or_, select, union

from app.clock import year_bounds
from app import scope
from app.extensions import db
from app.models import Agency, AgencyGroup, Assignment, Directive, Section, Task
from app.models.agencies import same_tree
from app.rules import permissions
from app.rules import directive_states as states
from app.rules.workflow import DONE
from app.text import ascii_id, ascii_year, clean_line, fold

STATES = states.STATES
# newest first, drafts (no date yet) last: the columns of the index ix_directives_list_order
LIST_ORDER = (Directive.issued_date.is_(None), Directive.issued_date.desc(), Directive.id.desc())


def parse_filters(args) -> dict:
    """Read list filters from the query string; anything malformed is ignored, never an error."""
    state = args.get("state", "")
    issuer = args.get("issuer", "")
    year = args.get("year", "")
    q = clean_line(args.get("q", ""))[:200]
    return {
        "state": state if state in STATES else "",
        "issuer": ascii_id(issuer),
        "year": ascii_year(year),
        "q": q,
    }


def filtered_directives(filters: dict, user, matches: dict | None = None):
    """The directives the user may read, with the list's filters. A search (`q`) goes through the
    full-text index (app/search.py) and orders by relevance; `matches` is its result when the caller
    already has it (to show the matched words)."""
    query = select(Directive).where(scope.directives(user))
    if filters["state"]:
        query = query.where(Directive.state == filters["state"])
    if filters["issuer"]:
        query = query.where(Directive.issuer_agency_id == filters["issuer"])
    if filters["year"]:
        year = filters["year"]
        start, end = year_bounds(year)  # a draft's year is the local year it was created in
        query = query.where(or_(
            and_(Directive.issued_date >= date(year, 1, 1), Directive.issued_date < date(year + 1, 1, 1)),
            and_(Directive.issued_date.is_(None), Directive.created_at >= start, Directive.created_at < end),
        ))
    if filters["q"]:
        if matches is None:
            matches = search_matches(filters["q"], user)
        if not matches:
            return query.where(false())
        ranked = sorted(matches, key=lambda ident: (-matches[ident].rank, -ident))
        query = query.where(Directive.id.in_(ranked))
        return query.order_by(case({ident: position for position, ident in enumerate(ranked)}, value=Directive.id),
                              Directive.id.desc())
    return query.order_by(*LIST_ORDER)


def search_matches(q: str, user) -> dict:
    """{directive id: DirectiveMatch} for a search of the directive list (directives, tasks, reports)."""
    from app import search

    return search.directive_matches(q, user)


def text_search(q: str) -> list:
    """Conditions matching directives whose whole text has every word of q (accents and case ignored):
    the assignment lists' filter. The directive list searches the full-text index instead."""
    conditions = []
    for word in fold(q).split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(Directive.search_text.like(f"%{escaped}%", escape="\\"))
    return conditions


def progress_by_directive(directive_ids) -> dict[int, tuple[int, int]]:
    """(done, total) active assignments per directive, in one query."""
    if not directive_ids:
        return {}
    rows = db.session.execute(
        select(Section.directive_id, func.count(Assignment.id),
               func.sum(case((Assignment.status == DONE, 1), else_=0)))
        .join(Task, Task.section_id == Section.id)
        .join(Assignment, Assignment.task_id == Task.id)
        .where(Section.directive_id.in_(directive_ids), Assignment.active.is_(True),
               Task.removed.is_(False), Section.removed.is_(False))
        .group_by(Section.directive_id)
    ).all()
    return {directive_id: (int(done or 0), int(total)) for directive_id, total, done in rows}


def issuer_choices(user) -> list[tuple[str, str]]:
    """The organisations the user may write for that can issue letters (those with a printed header)."""
    ids = sorted(permissions.organisations(user))
    agencies = db.session.scalars(
        select(Agency).where(Agency.id.in_(ids), Agency.active.is_(True), Agency.header_text != "")
        .order_by(Agency.name)
    ).all()
    return [(str(a.id), a.name) for a in agencies]


def issuers_in_use(user) -> list[Agency]:
    """The issuers of the directives the user may read (the list's filter): gathered reason by reason. An
    organisation's own directives (tens of thousands) are read as a loose index scan of
    ix_directives_owner_issuer, one step per issuer, so the filter costs the same at any number of them."""
    branches = scope.directive_branches(user, own=False)
    if not branches:
        return []
    own = [own_issuers(owner) for owner in scope.followed_organisations(user)]
    others = [select(Directive.issuer_agency_id).where(Directive.issuer_agency_id.is_not(None), branch)
              for branch in branches]
    ids = union(*own, *others).subquery()
    return db.session.scalars(select(Agency).where(Agency.id.in_(select(ids.c[0])))
                              .order_by(Agency.name)).all()


_LATER = Directive.__table__.alias("later_directives")  # a Core alias made once: an ORM alias per call costs ~5 ms


def own_issuers(owner_id: int):
    """SELECT DISTINCT issuer of one organisation's directives, as a recursive query that jumps from each
    issuer to the next one in the index (the smallest issuer above it): as many steps as issuers."""
    later = _LATER.c
    first = select(func.min(Directive.issuer_agency_id).label("issuer_id")).where(
        Directive.owner_agency_id == owner_id, Directive.issuer_agency_id.is_not(None))
    steps = first.cte(f"issuers_of_{int(owner_id)}", recursive=True)
    following = select(func.min(later.issuer_agency_id)).where(
        later.owner_agency_id == owner_id, later.issuer_agency_id > steps.c.issuer_id).scalar_subquery()
    steps = steps.union_all(select(following).where(steps.c.issuer_id.is_not(None)))
    return select(steps.c.issuer_id).where(steps.c.issuer_id.is_not(None))


def target_choices(issuers) -> dict[str, list[tuple[str, str]]]:
    """Assignee choices within the issuers' own trees (a province's agencies, never another's):
    groups first (they fan out), then single agencies; values "g:ID" / "a:ID"."""
    everyone = db.session.scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.name)).all()
    seen, agencies = set(), []
    for issuer in issuers:
        for agency in same_tree(issuer, everyone):
            if agency.id not in seen:
                seen.add(agency.id)
                agencies.append(agency)
    agencies.sort(key=lambda a: a.name)
    groups = db.session.scalars(select(AgencyGroup).where(AgencyGroup.owner_id.in_(seen))
                                .order_by(AgencyGroup.name)).all() if seen else []
    return {
        "Nhóm cơ quan (giao cho từng thành viên)": [(f"g:{g.id}", g.label) for g in groups],
        "Cơ quan, đơn vị": [(f"a:{a.id}", a.name) for a in agencies],
    }


def target_from_value(value: str):
    kind, _, raw_id = (value or "").partition(":")
    row_id = ascii_id(raw_id)
    model = {"a": Agency, "g": AgencyGroup}.get(kind)
    return db.session.get(model, row_id) if model and row_id else None


def target_value(assignee) -> str:
    return f"a:{assignee.agency_id}" if assignee.agency_id else f"g:{assignee.group_id}"


def waiting_for(user):
    """The submitted drafts of the agency whose leader the user is, oldest first."""
    from app.rules.permissions import LEADER, roles_of

    if LEADER not in roles_of(user) or user.agency_id is None:
        return select(Directive).where(Directive.id.is_(None))
    return (select(Directive).where(Directive.owner_agency_id == user.agency_id, Directive.state == states.SUBMITTED)
            .order_by(Directive.updated_at))
