"""A directive's page reads its whole tree in a fixed number of statements: a letter of 30 tasks costs
what a letter of 6 does (the bench found one SELECT per task for the per-agency deadlines)."""
from datetime import timedelta

from sqlalchemy import select

from app.clock import local_today
from app.extensions import db
from app.models import Agency, Assignment, Directive, Task, TaskDeadline
from tests.helpers import statements


def _page_statements(app, office, directive_id) -> int:
    with app.app_context():
        with statements() as seen:
            response = office.get(f"/van-ban/{directive_id}")
    assert response.status_code == 200
    return len(seen)


def test_the_directive_page_does_not_query_per_task(live, login):
    office = login("vanphong")
    with live.app_context():
        directive = db.session.scalar(select(Directive).where(Directive.source_key.contains("001-")))
        directive_id, section = directive.id, directive.sections[0]
        agencies = db.session.scalars(select(Agency.id).where(Agency.parent_id.is_not(None)).order_by(Agency.id)
                                      .limit(3)).all()
        section.tasks[0].agency_deadlines.append(TaskDeadline(agency_id=agencies[0], deadline=local_today()))
        db.session.commit()
    before = _page_statements(live, office, directive_id)
    with live.app_context():
        section = db.session.get(Directive, directive_id).sections[0]
        due = local_today() + timedelta(days=30)
        for number in range(24):
            task = Task(text=f"Nhiệm vụ thêm {number + 1}", position=100 + number, deadline=due)
            task.agency_deadlines = [TaskDeadline(agency_id=agency, deadline=due) for agency in agencies]
            task.assignments = [Assignment(agency_id=agency, role="lead", deadline=due, original_deadline=due,
                                           version=1) for agency in agencies]
            section.tasks.append(task)
        db.session.commit()
    after = _page_statements(live, office, directive_id)
    assert after == before
