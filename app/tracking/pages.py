"""What the tracking pages share: the day and due-soon window, the organisation whose follow-up a page
shows (`?co-quan=`), and the pickers that carry part of their choices and find the rest as the user types."""
from flask import abort, current_app, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app import scope
from app.clock import local_today
from app.extensions import db
from app.models import Agency
from app.tracking import choices

ORG_ARG = "co-quan"


def today_and_window():
    return local_today(), current_app.config["DUE_SOON_DAYS"]


def followed() -> list[Agency]:
    """The organisations whose follow-up the user may open (the morning's follow-up mail asks the same)."""
    ids = scope.followed_organisations(current_user)
    return db.session.scalars(select(Agency).where(Agency.id.in_(ids)).order_by(Agency.name)).all()


def organisation() -> Agency:
    """The organisation whose follow-up the page shows: chosen with ?co-quan=, else the body the user's
    agency prepares documents for (UBND tỉnh for its Văn phòng), else the user's own agency."""
    organisations = followed()
    if not organisations:
        abort(403)
    chosen = request.values.get(ORG_ARG, "")
    for agency in organisations:
        if str(agency.id) == chosen:
            return agency
    preferred = current_user.agency.serves_id if current_user.agency else None
    return next((a for a in organisations if a.id == preferred), organisations[0])


def org_context(organisation: Agency) -> dict:
    return {"organisation": organisation, "organisations": followed(),
            "org_args": {ORG_ARG: organisation.id}}


def choices_url(kind: str, found: choices.Choices, organisation: Agency) -> str | None:
    """Where a picker finds the choices its page does not carry."""
    return url_for("tracking.filter_choices", kind=kind, **{ORG_ARG: organisation.id}) if found.more else None


def offer(field, empty: str, found: choices.Choices, kind: str, organisation: Agency) -> set[str]:
    """Fill a form's picker with the choices the page carries (and where to find the rest); the ids it
    accepts. A choice found by typing comes back as the chosen one, so it is among them when submitted."""
    field.choices = [("", empty)] + [(str(value), label) for value, label in found.pairs]
    source = choices_url(kind, found, organisation)
    if source:
        field.render_kw = {**(field.render_kw or {}), "data-source": source}
    return {str(value) for value, _label in found.pairs}
