"""Helpers shared by the tests (tests never import each other's modules)."""
from sqlalchemy import select

from app.clock import local_today
from app.directives import received
from app.directives.letters import next_number
from app.documents.letter import format_number
from app.extensions import db
from app.models import Directive, User


def go_live(app, keys=None) -> list[int]:
    """Put the approved demo directives (or those whose file name contains one of `keys`) into force
    as the clerk's "Cấp số và phát hành" would: next number of the register, today's date, arrival at
    every assignee. Rendering the letters is left out for speed; test_issuing covers it."""
    ids = []
    with app.app_context():
        for directive in db.session.scalars(select(Directive).where(Directive.state == "approved")
                                            .order_by(Directive.id)):
            if keys and not any(key in (directive.source_key or "") for key in keys):
                continue
            today = local_today()
            directive.number = format_number(next_number(directive.issuer_agency_id, today.year))
            directive.issued_date = today
            directive.state = "issued"
            received.went_out(directive, today, None)
            ids.append(directive.id)
        db.session.commit()
    return ids


def user_named(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def directive_from(key: str) -> Directive:
    return db.session.scalar(select(Directive).where(Directive.source_key.contains(key)))
