"""The dashboard's counts kept ahead (app/tracking/tallies.py) equal the live counts after every kind of
change, on every backend: issuing, reporting, finishing, cancelling, moving a deadline, taking an agency
off a task, removing a task or a section; a new day is counted live until the tallies are rolled."""
import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.clock import local_today
from app.extensions import db
from app.jobs.schedule import roll_tallies
from app.models import Agency, Assignment, Directive, Section, Task
from app.rules import timeliness as T
from app.tracking import queries, tallies
from tests.helpers import go_live

WINDOW = 3


def live_counts(owner_id: int, today) -> tuple[dict, int]:
    within = queries.owned_by(owner_id)
    by_agency = queries.counts_by(Assignment.agency_id, today, WINDOW, within)
    by_directive = queries.counts_by(Directive.id, today, WINDOW, within)
    return by_agency, len(by_directive)


def owners() -> list[int]:
    return sorted(set(db.session.scalars(select(Directive.owner_agency_id).where(
        Directive.owner_agency_id.is_not(None)))))


def assert_tallies_are_live(today=None):
    today = today or local_today()
    assert tallies.current(db.session, today, WINDOW)
    for owner in owners():
        by_agency, directive_count = live_counts(owner, today)
        assert tallies.by_agency(db.session, owner) == by_agency, owner
        assert tallies.worst_directives(db.session, owner, 5, T.OVERDUE)[0] == directive_count, owner
        live_scores = queries.per_agency(queries.class_counts(today, WINDOW, queries.owned_by(owner)))
        assert score_rows(tallies.agency_scores(owner)) == score_rows(live_scores), owner  # agency_scores moved too


def score_rows(rows) -> list[tuple]:
    return sorted(tuple(row) for row in db.session.execute(select(rows)).all())


@pytest.fixture
def counted(demo):
    demo.config["DUE_SOON_DAYS"] = WINDOW
    with demo.app_context():
        roll_tallies()
    go_live(demo)  # the five seed directives issued: their assignments start counting
    return demo


def test_issuing_starts_the_count_and_it_equals_the_live_count(counted):
    with counted.app_context():
        assert sum(sum(kinds.values()) for owner in owners()
                   for kinds in tallies.by_agency(db.session, owner).values()) > 0
        assert_tallies_are_live()


def test_every_kind_of_change_keeps_the_tallies_equal_to_the_live_count(counted):
    chance = random.Random(20261202)
    today = None
    with counted.app_context():
        today = local_today()
        assignments = db.session.scalars(select(Assignment).order_by(Assignment.id)).all()
        agencies = db.session.scalars(select(Agency.id).order_by(Agency.id)).all()
        for step in range(40):
            assignment = chance.choice(assignments)
            change = step % 8
            if change == 0:
                assignment.status, assignment.completed_date = "hoan_thanh", today - timedelta(days=chance.randint(0, 9))
            elif change == 1:
                assignment.status, assignment.completed_date = "cho_xac_nhan", today
            elif change == 2:
                assignment.status = "da_huy"
            elif change == 3:
                assignment.deadline = today + timedelta(days=chance.randint(-20, 20))
            elif change == 4:
                assignment.deadline = None
            elif change == 5:
                assignment.active = not assignment.active
            elif change == 6:
                taken = {a.agency_id for a in assignment.task.assignments}
                free = [agency for agency in agencies if agency not in taken]
                assignment.agency_id = chance.choice(free)
            else:
                task = db.session.get(Task, assignment.task_id)
                task.removed = not task.removed
            db.session.commit()
            assert_tallies_are_live(today)
        section = db.session.scalars(select(Section).order_by(Section.id)).first()
        section.removed = True
        db.session.commit()
        assert_tallies_are_live(today)


def test_a_rolled_back_change_leaves_the_tallies_as_they_were(counted):
    with counted.app_context():
        assignment = db.session.scalars(select(Assignment).order_by(Assignment.id)).first()
        assignment.status = "da_huy"
        db.session.flush()
        db.session.rollback()
        assignment = db.session.scalars(select(Assignment).order_by(Assignment.id)).first()
        assignment.progress_percent = 40  # a later commit that touches the same directive
        db.session.commit()
        assert_tallies_are_live()


def test_a_new_day_is_counted_live_until_the_tallies_are_rolled(counted, login):
    with counted.app_context():
        today = local_today()
        assignment = db.session.scalars(select(Assignment).where(Assignment.status != "hoan_thanh")
                                        .order_by(Assignment.id)).first()
        assignment.deadline = today  # due today: overdue tomorrow
        db.session.commit()
        tomorrow = today + timedelta(days=1)
        assert not tallies.current(db.session, tomorrow, WINDOW)  # as of yesterday: the dashboard counts live
        rows = roll_tallies(tomorrow)
        assert rows > 0
        assert_tallies_are_live(tomorrow)
        assert tallies.current(db.session, tomorrow, WINDOW)


def test_the_dashboard_shows_the_same_figures_from_the_tallies_and_live(counted, login):
    office = login("vanphong")
    with counted.app_context():
        assignment = db.session.scalars(select(Assignment).order_by(Assignment.id)).first()
        assignment.deadline = local_today() - timedelta(days=5)  # something overdue
        db.session.commit()
    from_tallies = office.get("/theo-doi").get_data(as_text=True)
    with counted.app_context():
        state = db.session.get(tallies.TallyState, 1)
        state.as_of = state.as_of - timedelta(days=1)  # not today's: the page counts live
        db.session.commit()
    counted_live = office.get("/theo-doi").get_data(as_text=True)

    def figures(html):
        import lxml.html

        page = lxml.html.fromstring(html)
        boxes = [" ".join(node.text_content().split()) for node in page.xpath('//*[@data-testid="dashboard-box"]')]
        rows = [" ".join(node.text_content().split()) for node in page.xpath("//table//tr")]
        return boxes, rows

    assert figures(from_tallies) == figures(counted_live)
    assert figures(from_tallies)[1], "the dashboard has its tables"


def live_boxes(owner_id: int, today) -> dict:
    """The dashboard's five boxes counted in Python from the live counts."""
    boxes = {group: 0 for group in queries.DASHBOARD_GROUPS}
    for kinds in queries.counts_by(Assignment.agency_id, today, WINDOW, queries.owned_by(owner_id)).values():
        for kind, count in kinds.items():
            if queries.dashboard_group(kind):
                boxes[queries.dashboard_group(kind)] += count
    return boxes


def reference_scorecard(owner_id: int, today, sort: str, descending: bool) -> list[tuple]:
    """The scorecard sorted in Python from the live counts: what the SQL one must page through."""
    rows = []
    for agency_id, kinds in queries.counts_by(Assignment.agency_id, today, WINDOW, queries.owned_by(owner_id)).items():
        agency = db.session.get(Agency, agency_id)
        done_on_time, done_late, overdue = (kinds.get(k, 0) for k in (T.DONE_ON_TIME, T.DONE_LATE, T.OVERDUE))
        known = done_on_time + done_late + overdue
        rows.append({"agency": agency, "name": agency.short_name.lower(),
                     "assigned": sum(n for k, n in kinds.items() if k != T.NOT_COUNTED),
                     "done_on_time": done_on_time, "done_late": done_late, "overdue": overdue,
                     "on_time_rate": (1, done_on_time / known) if known else (0, 0)})
    rows.sort(key=lambda row: (row["agency"].name, row["agency"].id))
    rows.sort(key=lambda row: row[sort], reverse=descending)  # stable: ties stay in name order
    return [(row["agency"].id, row["assigned"], row["overdue"]) for row in rows]


@pytest.mark.parametrize("sort", queries.SCORE_COLUMNS)
def test_the_scorecard_is_sorted_and_paged_in_sql_like_the_live_counts(counted, sort):
    with counted.app_context():
        today = local_today()
        assignments = db.session.scalars(select(Assignment).order_by(Assignment.id)).all()
        chance = random.Random(sort)
        for assignment in chance.sample(assignments, len(assignments) // 3):  # a mixed picture of timeliness
            assignment.deadline = today + timedelta(days=chance.randint(-30, 30))
            if chance.random() < 0.3:
                assignment.status, assignment.completed_date = "hoan_thanh", today - timedelta(days=chance.randint(0, 40))
        db.session.commit()
        for owner in owners():
            for descending in (True, False):
                expected = reference_scorecard(owner, today, sort, descending)
                for rows in (tallies.agency_scores(owner),
                             queries.per_agency(queries.class_counts(today, WINDOW, queries.owned_by(owner)))):
                    paged, page = [], 0
                    while True:
                        card = queries.scorecard(rows, sort, descending, limit=3, offset=3 * page)
                        assert card.agencies == len(expected)
                        assert card.totals == live_boxes(owner, today)
                        if not card.scores:
                            break
                        paged += [(s.agency.id, s.assigned, s.overdue) for s in card.scores]
                        page += 1
                    assert paged == expected, (owner, sort, descending)


def test_the_office_list_is_counted_from_the_tallies_exactly_as_live(counted):
    """The list's total comes from the tallies for the filters they count by, and equals the live count."""
    from sqlalchemy import func

    with counted.app_context():
        today = local_today()
        for owner in owners():
            within = queries.owned_by(owner)
            directive = db.session.scalar(select(Directive.id).where(Directive.owner_agency_id == owner))
            agency = db.session.scalar(select(Assignment.agency_id).join(Task, Assignment.task_id == Task.id)
                                       .join(Section, Task.section_id == Section.id)
                                       .where(Section.directive_id == directive))
            for filters in (queries.Filters(), queries.Filters(directive=directive), queries.Filters(agency=agency),
                            queries.Filters(timeliness=T.IN_PROGRESS_ON_TIME), queries.Filters(timeliness=T.OVERDUE),
                            queries.Filters(directive=directive, agency=agency, timeliness=T.NO_DEADLINE)):
                live = db.session.scalar(select(func.count()).select_from(
                    queries.assignment_rows(filters, today, WINDOW, within).order_by(None).subquery()))
                assert queries.tallied_total(filters, tallies.current(db.session, today, WINDOW), owner) == live, (owner, filters)
            assert queries.tallied_total(queries.Filters(status="dang_thuc_hien"), True, owner) is None


def test_an_inbox_is_counted_from_the_tallies_exactly_as_live(counted):
    """An agency's inbox total (every organisation's directives; a directive without an owner, which the
    tallies leave out, counted live) equals the live count, for one agency and several."""
    from sqlalchemy import func

    with counted.app_context():
        today = local_today()
        unowned = db.session.scalar(select(Directive).where(Directive.state == "issued").order_by(Directive.id))
        unowned.owner_agency_id = None  # as a directive loaded without its organisation is
        db.session.commit()
        assert_tallies_are_live(today)
        by_agency = db.session.execute(
            select(Assignment.agency_id, func.count()).join(Task, Assignment.task_id == Task.id)
            .join(Section, Task.section_id == Section.id).where(Section.directive_id == unowned.id)
            .group_by(Assignment.agency_id).order_by(func.count().desc())).all()
        busiest = [agency for agency, _count in by_agency[:3]]
        assert busiest
        for agencies in ([busiest[0]], busiest):
            within = Assignment.agency_id.in_(agencies)
            for filters in (queries.Filters(), queries.Filters(directive=unowned.id), queries.Filters(agency=busiest[0]),
                            queries.Filters(timeliness=T.IN_PROGRESS_ON_TIME), queries.Filters(timeliness=T.OVERDUE),
                            queries.Filters(directive=unowned.id, timeliness=T.NO_DEADLINE)):
                live = db.session.scalar(select(func.count()).select_from(
                    queries.assignment_rows(filters, today, WINDOW, within).order_by(None).subquery()))
                tallied = queries.inbox_total(filters, today, WINDOW, agencies, True)
                assert tallied == live, (agencies, filters)
            assert queries.inbox_total(queries.Filters(), today, WINDOW, agencies, True) > 0
            assert queries.inbox_total(queries.Filters(q="kế hoạch"), today, WINDOW, agencies, True) is None
            assert queries.inbox_total(queries.Filters(), today, WINDOW, agencies, False) is None


def test_a_scorecard_page_past_the_end_shows_the_last_page(counted, login):
    office = login("vanphong")
    for page in ("2", "999999999999999999", "abc"):
        response = office.get(f"/theo-doi?sp={page}")
        assert response.status_code == 200, page
        assert 'data-testid="scorecard"' in response.get_data(as_text=True)
