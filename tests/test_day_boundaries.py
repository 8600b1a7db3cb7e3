"""Days against timestamps: the rules and queries that compare stored UTC times with Việt Nam days,
run with the clock at the hours where the two calendars disagree (17:00-24:00 UTC is already
tomorrow in Việt Nam) and across the new year, on every backend.

The expected local day of each instant is written out by hand (UTC+7, no daylight saving), not
computed with the code under test.
"""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app import clock as app_clock
from app.directive_format import read_directive_file
from app.directives import letters, queries as directive_queries
from app.directives.service import find_issuer, resolve_assignees, save_directive
from app.extensions import db
from app.models import Agency, Assignment, Directive, User
from app.rules import timeliness as T
from app.tracking import queries, snapshots
from tests.helpers import DIRECTIVES_DIR

pytestmark = pytest.mark.dates

# (instant, the local day at that instant, the local day one hour later)
INSTANTS = {
    "23:30 local": ("2026-12-01T16:30:00Z", date(2026, 12, 1), date(2026, 12, 2)),
    "00:30 local": ("2026-12-01T17:30:00Z", date(2026, 12, 2), date(2026, 12, 2)),
    "16:59 UTC": ("2026-12-01T16:59:00Z", date(2026, 12, 1), date(2026, 12, 2)),
    "17:01 UTC": ("2026-12-01T17:01:00Z", date(2026, 12, 2), date(2026, 12, 2)),
    "31/12 23:30 local": ("2026-12-31T16:30:00Z", date(2026, 12, 31), date(2027, 1, 1)),
    "01/01 00:30 local": ("2026-12-31T17:30:00Z", date(2027, 1, 1), date(2027, 1, 1)),
}


def at_each_instant():
    return [pytest.param(local, later, id=name, marks=pytest.mark.clock(instant, tick=False))
            for name, (instant, local, later) in INSTANTS.items()]


HEALTH = "Sở Y tế tỉnh Kon Tum"


def seed_copy(state="approved"):
    """A new directive of UBND tỉnh Kon Tum (seed 001's text), saved now."""
    data = read_directive_file(DIRECTIVES_DIR / "001-kon-tum-tiep-tuc-chi-dao-covid.yaml")
    issuer = find_issuer(data["issuer"])
    resolve_assignees(data, issuer)
    saved, _warnings = save_directive(None, data, None, issuer, state=state)
    db.session.commit()
    return saved


@pytest.mark.parametrize("local_day, _later", at_each_instant())
def test_the_local_day_and_its_utc_bounds(local_day, _later):
    assert app_clock.local_today() == local_day
    start, end = app_clock.day_bounds(local_day)
    assert start <= app_clock.utcnow() < end
    assert end - start == timedelta(days=1)
    assert app_clock.local_date(app_clock.utcnow()) == local_day
    first, last = app_clock.year_bounds(local_day.year)
    assert first <= app_clock.utcnow() < last
    assert app_clock.local_date(first) == date(local_day.year, 1, 1)
    assert app_clock.local_date(last - timedelta(microseconds=1)) == date(local_day.year, 12, 31)


@pytest.mark.parametrize("local_day, _later", at_each_instant())
def test_a_snapshot_of_today_counts_what_was_assigned_today(live, local_day, _later):
    """The demo is loaded and issued at the instant: its assignments were created on `local_day`."""
    with live.app_context():
        health = db.session.scalar(select(Agency.id).where(Agency.name == HEALTH))
        province = db.session.scalar(select(Agency.id).where(Agency.name == "Ủy ban nhân dân tỉnh Kon Tum"))
        assigned = len(db.session.scalars(select(Assignment).where(Assignment.agency_id == health)).all())
        assert assigned > 0
        today = snapshots.counts_at(local_day, 3, province)
        assert today[health]["assigned"] == assigned
        assert health not in snapshots.counts_at(local_day - timedelta(days=1), 3, province)


@pytest.mark.parametrize("local_day, _later", at_each_instant())
def test_a_draft_belongs_to_the_local_year_it_was_written_in(demo, login, local_day, _later):
    with demo.app_context():
        draft = seed_copy(state="draft")
        draft.subject = "dự thảo viết lúc giao thừa"
        db.session.commit()
        this_year = directive_queries.parse_filters({"year": str(local_day.year), "state": "draft"})
        other_year = directive_queries.parse_filters({"year": str(local_day.year - 1), "state": "draft"})
        office = db.session.scalar(select(User).where(User.username == "vanphong"))
        assert draft in db.session.scalars(directive_queries.filtered_directives(this_year, office)).all()
        assert draft not in db.session.scalars(directive_queries.filtered_directives(other_year, office)).all()
    page = login("vanphong").get(f"/van-ban?state=draft&year={local_day.year}").get_data(as_text=True)
    assert "dự thảo viết lúc giao thừa" in page


@pytest.mark.parametrize("local_day, later_day", at_each_instant())
def test_the_register_number_and_date_follow_the_local_calendar(demo, tmp_path, clock, local_day, later_day):
    """Issued now and one hour later: the second letter starts a new register when the year changed."""
    demo.config["GENERATED_DIR"] = str(tmp_path / "generated")
    with demo.app_context():
        clerk = db.session.scalar(select(User).where(User.username == "vanthu"))
        first = letters.issue(seed_copy(), clerk)
        db.session.commit()
        assert (first.issued_date, first.year, first.number) == (local_day, local_day.year, "01")
        clock.shift(timedelta(hours=1))
        second = letters.issue(seed_copy(), clerk)
        db.session.commit()
        assert (second.issued_date, second.year) == (later_day, later_day.year)
        assert second.number == ("01" if later_day.year != local_day.year else "02")
        issued = db.session.get(Directive, second.directive_id)
        assert issued.issued_date == later_day


@pytest.mark.parametrize("local_day, _later", at_each_instant())
def test_due_today_is_not_yet_overdue_in_the_rule_the_lists_and_the_dashboard(live, login, local_day, _later):
    with live.app_context():
        rows = db.session.scalars(select(Assignment).join(Agency).where(Agency.name == HEALTH)
                                  .order_by(Assignment.id)).all()
        due_today, due_yesterday = rows[0], rows[1]
        for assignment in rows:
            assignment.status = "dang_thuc_hien"
            assignment.deadline = assignment.original_deadline = local_day + timedelta(days=30)
        due_today.deadline = local_day
        due_yesterday.deadline = local_day - timedelta(days=1)
        db.session.commit()
        ids = (due_today.id, due_yesterday.id)
        today = app_clock.local_today()
        assert T.classify("dang_thuc_hien", local_day, None, today) == T.DUE_SOON
        assert T.classify("dang_thuc_hien", local_day - timedelta(days=1), None, today) == T.OVERDUE
        overdue = db.session.execute(queries.assignment_rows(queries.Filters(timeliness=T.OVERDUE), today, 3,
                                                             queries.owned_by(rows[0].directive.owner_agency_id))).all()
        overdue_ids = {row[0].id for row in overdue}
        assert ids[1] in overdue_ids and ids[0] not in overdue_ids
    office = login("vanphong")
    listed = office.get("/theo-doi/nhiem-vu?timeliness=qua_han").get_data(as_text=True)
    assert f"/nhiem-vu/{ids[1]}" in listed and f"/nhiem-vu/{ids[0]}\"" not in listed


@pytest.mark.parametrize("local_day, _later", at_each_instant())
def test_today_can_be_cut_off_but_tomorrow_cannot(live, login, local_day, _later):
    office = login("vanphong")
    accepted = office.post_form("/theo-doi/chot-so-lieu", {"cutoff": local_day.strftime("%d/%m/%Y")},
                                page="/theo-doi", follow_redirects=True).get_data(as_text=True)
    assert f"Đã chốt số liệu đến ngày {local_day:%d/%m/%Y}" in accepted
    tomorrow = (local_day + timedelta(days=1)).strftime("%d/%m/%Y")
    refused = office.post_form("/theo-doi/chot-so-lieu", {"cutoff": tomorrow}, page="/theo-doi",
                               follow_redirects=True).get_data(as_text=True)
    assert "Không chốt số liệu cho một ngày trong tương lai" in refused
    default = office.post_form("/theo-doi/chot-so-lieu", {"cutoff": ""}, page="/theo-doi",
                               follow_redirects=True).get_data(as_text=True)
    assert f"Đã chốt số liệu đến ngày {local_day:%d/%m/%Y}" in default


@pytest.mark.parametrize("local_day, _later", at_each_instant())
def test_the_demo_follow_up_is_dated_on_the_local_days_it_tells(app, local_day, _later):
    from app import demo_activity
    from app.loader import load_path
    from app.models import ProgressReport

    with app.app_context():
        load_path(DIRECTIVES_DIR)
        demo_activity.apply(app_clock.local_today())
        db.session.commit()
        reports = db.session.scalars(select(ProgressReport)).all()
        assert reports
        assert max(app_clock.local_date(r.created_at) for r in reports) <= local_day  # nothing from tomorrow
        submitted = [r for r in reports if r.new_status == "cho_xac_nhan"]
        assert submitted
        for report in submitted:  # the result was reported on the local day the assignment says it finished
            assert app_clock.local_date(report.created_at) == report.assignment.completed_date
