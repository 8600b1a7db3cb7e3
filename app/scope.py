"""What a user may see: the one place that turns the organisation model into query filters.

A user sees the directives of the organisations they act for (their agency and the body it
prepares documents for), in any state; the live directives that give a task to their agency; and,
as a leader, read-only, the directives that implement their organisation's directives further
down the chain. Every list, page, count and file asks these functions, and `guard` answers 404
for a record named in a URL that lies outside the scope, so nobody learns that it exists.
"""
from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import and_, exists, false, literal, or_, select

from app.extensions import db
from app.models import Agency, Assignment, Directive, ExtensionRequest, Section, Task
from app.rules import directive_states as states
from app.rules.permissions import ADMIN, LEADER, organisations, roles_of


def _orgs(user) -> list[int]:
    """The organisations whose records the user works with; an admin-only account keeps the
    directory and sees no directive or assignment."""
    if not roles_of(user) - {ADMIN}:
        return []
    return sorted(organisations(user))


def live_assignment():
    """Assignments that count: active, of a live task and section, in a live directive (joined)."""
    return and_(Assignment.active.is_(True), Task.removed.is_(False), Section.removed.is_(False),
                Directive.state.in_(states.LIVE))


def join_directive(query):
    """Assignment → Task → Section → Directive, the path every assignment query takes."""
    return (query.join(Task, Assignment.task_id == Task.id)
            .join(Section, Task.section_id == Section.id)
            .join(Directive, Section.directive_id == Directive.id))


def _assigned_to(agency_ids):
    """Directives with a live assignment to one of these agencies (an EXISTS over the directive row)."""
    if not agency_ids:
        return false()
    return exists(
        select(literal(1)).select_from(Assignment)
        .join(Task, Assignment.task_id == Task.id).join(Section, Task.section_id == Section.id)
        .where(Section.directive_id == Directive.id, Assignment.agency_id.in_(agency_ids),
               Assignment.active.is_(True), Task.removed.is_(False), Section.removed.is_(False))
    )


def downstream_ids(owner_ids):
    """Ids of the directives that implement, at any depth, a directive of these organisations."""
    roots = select(Directive.id.label("id")).where(Directive.owner_agency_id.in_(owner_ids)).cte(
        "chain", recursive=True)
    child = db.aliased(Directive)
    chain = roots.union(select(child.id).where(child.parent_id == roots.c.id))
    return select(chain.c.id)


def directives(user):
    """The condition on Directive for every directive the user may read."""
    branches = directive_branches(user)
    return or_(*branches) if branches else false()


def directive_branches(user, own: bool = True) -> list:
    """The conditions `directives()` joins with OR, one per reason to read a directive (the organisation's
    own, a live one giving it a task, one implementing a leader's): a query that gathers over them all
    can take each through its own index. `own=False` leaves out the first, for a caller that reads the
    organisations' own directives its own way (`followed_organisations` names them)."""
    orgs = _orgs(user)
    if not orgs:
        return []
    conditions = ([Directive.owner_agency_id.in_(orgs)] if own else []) + [
        and_(Directive.state.in_(states.LIVE), _assigned_to(orgs))]
    if LEADER in roles_of(user):
        conditions.append(Directive.id.in_(downstream_ids(orgs)))
    return conditions


def followed_organisations(user) -> list[int]:
    """The organisations whose directives the user follows up (each one's dashboard and office list,
    `?co-quan=`): the organisations they act for. A job that speaks for the user (the morning's
    follow-up mail) asks here rather than rebuilding the rule."""
    return _orgs(user)


def followed_directives(user):
    """Directives the user follows up as their issuer's office: their organisations' own."""
    orgs = followed_organisations(user)
    return Directive.owner_agency_id.in_(orgs) if orgs else false()


def assignments(user):
    """The condition (on a query joined to Directive) for every assignment the user may read."""
    orgs = _orgs(user)
    if not orgs:
        return false()
    conditions = [Directive.owner_agency_id.in_(orgs),
                  and_(Directive.state.in_(states.LIVE), Assignment.agency_id.in_(orgs))]
    if LEADER in roles_of(user):
        conditions.append(Directive.id.in_(downstream_ids(orgs)))
    return or_(*conditions)


def own_assignments(user):
    """Assignments given to the user's organisations: what they report on (the inbox)."""
    orgs = own_agencies(user)
    return Assignment.agency_id.in_(orgs) if orgs else false()


def own_agencies(user) -> list[int]:
    """The agencies whose tasks are the user's inbox (own_assignments), for what counts them ahead."""
    return _orgs(user)


def followed_assignments(user):
    """Assignments of directives the user's organisations issued: what they confirm and count."""
    return followed_directives(user)


def agencies(user):
    """Agencies an admin may manage: the whole deployment, or one agency and everything below it."""
    if ADMIN not in roles_of(user):
        return false()
    if user.admin_scope_id is None:
        return literal(True)
    return Agency.id.in_(subtree_ids(user.admin_scope_id))


def subtree_ids(agency_id: int):
    """An agency and all agencies below it, as a SELECT of ids (recursive)."""
    top = select(Agency.id.label("id")).where(Agency.id == agency_id).cte("subtree", recursive=True)
    child = db.aliased(Agency)
    tree = top.union(select(child.id).where(child.parent_id == top.c.id))
    return select(tree.c.id)


# ---- one record -----------------------------------------------------------------------------

def directive_visible(user, directive_id: int) -> bool:
    return db.session.scalar(select(Directive.id).where(Directive.id == directive_id, directives(user))) is not None


def assignment_visible(user, assignment_id: int) -> bool:
    query = join_directive(select(Assignment.id)).where(Assignment.id == assignment_id, assignments(user))
    return db.session.scalar(query) is not None


def directive_or_404(directive_id: int, options=()) -> Directive:
    directive = db.session.scalar(select(Directive).where(Directive.id == directive_id, directives(current_user))
                                  .options(*options))
    if directive is None:
        abort(404)
    return directive


def assignment_or_404(assignment_id: int) -> Assignment:
    assignment = db.session.scalar(join_directive(select(Assignment))
                                   .where(Assignment.id == assignment_id, assignments(current_user)))
    if assignment is None:
        abort(404)
    return assignment


def extension_or_404(request_id: int) -> ExtensionRequest:
    request = db.session.get(ExtensionRequest, request_id)
    if request is None or not assignment_visible(current_user, request.assignment_id):
        abort(404)
    return request


def agency_or_404(agency_id: int) -> Agency:
    agency = db.session.scalar(select(Agency).where(Agency.id == agency_id, agencies(current_user)))
    if agency is None:
        abort(404)
    return agency


LOADERS = {"directive_id": directive_or_404, "assignment_id": assignment_or_404,
           "request_id": extension_or_404}


def guard(allowed=None, **arguments):
    """The one guard of the views. Load the records named in the URL within the user's scope (404
    outside it), then check the permission `allowed(user, *records)` (403 when it says no); the view
    receives the records. A page that names no record checks the permission alone.

        @guard(directive_id="directive", allowed=permissions.can_edit_directive)
        def edit(directive): ...

        @guard(allowed=permissions.can_follow)
        def dashboard(): ...
    """
    def decorate(view):
        @wraps(view)
        def wrapper(**kwargs):
            records = []
            for url_name, view_name in arguments.items():
                record = LOADERS[url_name](kwargs.pop(url_name))
                kwargs[view_name] = record
                records.append(record)
            if allowed is not None and not allowed(current_user, *records):
                abort(403)
            return view(**kwargs)
        return wrapper
    return decorate
