"""Tracking: timeliness (rule and SQL agree, boundary dates), filtered lists, dashboard, Excel."""
import itertools
from datetime import date, timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import Agency, Assignment, Directive
from app.rules import timeliness as T
from app.rules.workflow import AWAITING, CANCELLED, DONE, IN_PROGRESS, NOT_STARTED, SUSPENDED
from app.tracking import queries

pytestmark = pytest.mark.dates

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize("deadline, expected", [
    (TODAY + timedelta(days=4), T.ON_TIME),
    (TODAY + timedelta(days=3), T.DUE_SOON),  # three days left: due soon (setting 3)
    (TODAY, T.DUE_SOON),  # the deadline day itself is not late yet
    (TODAY - timedelta(days=1), T.OVERDUE),
    (None, T.NO_DEADLINE),
])
def test_open_work_on_boundary_dates(deadline, expected):
    assert T.classify(IN_PROGRESS, deadline, None, TODAY, 3) == expected


def test_done_work_is_judged_by_its_completion_date():
    deadline = date(2026, 11, 10)
    assert T.classify(DONE, deadline, deadline, TODAY) == T.DONE_ON_TIME
    assert T.classify(DONE, deadline, deadline + timedelta(days=1), TODAY) == T.DONE_LATE
    assert T.classify(DONE, None, TODAY, TODAY) == T.DONE_ON_TIME
    # reported before the deadline, confirmed after it: not late
    assert T.classify(AWAITING, deadline, deadline - timedelta(days=2), TODAY) == T.ON_TIME
    assert T.classify(AWAITING, deadline, deadline + timedelta(days=2), TODAY) == T.OVERDUE
    assert T.classify(CANCELLED, deadline, None, TODAY) == T.NOT_COUNTED


def test_days_late_against_current_and_original_deadline():
    original, extended = date(2026, 11, 1), date(2026, 11, 30)
    assert T.days_late(original, IN_PROGRESS, None, TODAY) == 21
    assert T.days_late(extended, IN_PROGRESS, None, TODAY) == 0
    assert T.days_late(original, DONE, date(2026, 11, 5), TODAY) == 4


def test_sql_timeliness_agrees_with_the_rule(demo):
    """Every combination of status, deadline and completion date, classified by SQL and by Python."""
    statuses = (NOT_STARTED, IN_PROGRESS, AWAITING, DONE, SUSPENDED, CANCELLED)
    deadlines = (None, TODAY - timedelta(days=5), TODAY, TODAY + timedelta(days=2), TODAY + timedelta(days=10))
    completions = (None, TODAY - timedelta(days=6), TODAY - timedelta(days=1), TODAY)
    cases = list(itertools.product(statuses, deadlines, completions))
    with demo.app_context():
        rows = db.session.scalars(select(Assignment).order_by(Assignment.id).limit(len(cases))).all()
        assert len(rows) == len(cases)
        for assignment, (status, deadline, completed) in zip(rows, cases):
            assignment.status, assignment.deadline, assignment.completed_date = status, deadline, completed
        db.session.commit()
        expression = queries.timeliness_expression(TODAY, 3)
        by_sql = dict(db.session.execute(select(Assignment.id, expression).where(
            Assignment.id.in_([a.id for a in rows]))).all())
        for assignment, (status, deadline, completed) in zip(rows, cases):
            assert by_sql[assignment.id] == T.classify(status, deadline, completed, TODAY, 3), (status, deadline, completed)


def set_deadlines(app, agency_name, deadline, status=IN_PROGRESS):
    with app.app_context():
        agency_id = db.session.scalar(select(Agency.id).where(Agency.name == agency_name))
        rows = db.session.scalars(select(Assignment).where(Assignment.agency_id == agency_id)).all()
        for assignment in rows:
            assignment.deadline = assignment.original_deadline = deadline
            assignment.status = status
        db.session.commit()
        return agency_id, len(rows)


def province(app, name="Ủy ban nhân dân tỉnh Kon Tum"):
    with app.app_context():
        return db.session.scalar(select(Agency.id).where(Agency.name == name))


def test_dashboard_counts_and_scorecard(live, login):
    health, count = set_deadlines(live, "Sở Y tế tỉnh Kon Tum", date(2020, 1, 1))
    kon_tum = province(live)
    office = login("vanphong")
    page = office.get("/theo-doi").get_data(as_text=True)
    assert "Theo dõi thực hiện nhiệm vụ" in page and "<svg" in page
    assert "Sở Y tế (Kon Tum)" in page  # a short name other provinces use too carries its place
    with live.app_context():
        counts = queries.class_counts(TODAY, 3, queries.owned_by(kon_tum))
        scores = {s.agency.name: s for s in queries.scorecard(queries.per_agency(counts)).scores}
        assert scores["Sở Y tế tỉnh Kon Tum"].overdue == count
        assert scores["Sở Y tế tỉnh Kon Tum"].on_time_rate == 0.0
        assert "Sở Y tế tỉnh Lạng Sơn" not in scores  # another province's directive is another dashboard
    assert (f'href="/theo-doi/nhiem-vu?co-quan={kon_tum}&amp;agency={health}&amp;timeliness=qua_han">{count}</a>'
            in page)
    assert office.get("/theo-doi?sort=name&dir=asc").status_code == 200
    assert office.get("/theo-doi?sort=nonsense&dir=x").status_code == 200
    with live.app_context():
        short = [s.agency.short_name.lower() for s in queries.scorecard(queries.per_agency(counts), "name", False).scores]
        assert short == sorted(short)


def test_two_agencies_with_one_short_name_are_never_one_row(live, login):
    """Sở Y tế of Kon Tum and of Lạng Sơn: counted by id, shown with their place."""
    from app.web import agency_label

    with live.app_context():
        both = db.session.scalars(select(Agency).where(Agency.short_name == "Sở Y tế").order_by(Agency.name)).all()
        assert len(both) >= 2
        with live.test_request_context():
            labels = {agency_label(a) for a in both}
        assert {"Sở Y tế (Kon Tum)", "Sở Y tế (Lạng Sơn)"} <= labels
        everything = queries.counts_by(Assignment.agency_id, TODAY, 3, Assignment.id.is_not(None))
        assert sum(1 for a in both if a.id in everything) >= 2  # two rows, not one


def test_filtered_list_and_excel_export(live, login):
    health, count = set_deadlines(live, "Sở Y tế tỉnh Kon Tum", date(2020, 1, 1))
    office = login("vanphong")
    page = office.get(f"/theo-doi/nhiem-vu?agency={health}&timeliness=qua_han").get_data(as_text=True)
    assert f"{count} nhiệm vụ" in page
    assert "0 nhiệm vụ" in office.get(f"/theo-doi/nhiem-vu?agency={health}&timeliness=trong_han").get_data(as_text=True)
    assert "0 nhiệm vụ" in office.get(f"/theo-doi/nhiem-vu?agency={health}&to=31/12/2019").get_data(as_text=True)
    bad = office.get("/theo-doi/nhiem-vu?from=31/02/2026").get_data(as_text=True)
    assert "Không có ngày 31/02/2026" in bad

    response = office.get(f"/theo-doi/nhiem-vu.xlsx?agency={health}")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(BytesIO(response.data))
    sheet = book.active
    # a title saying what was listed and when, then the header row that stays and repeats when printed
    assert sheet["A1"].value.startswith("NHIỆM VỤ ĐÃ GIAO — ỦY BAN NHÂN DÂN TỈNH KON TUM")
    assert "đơn vị Sở Y tế tỉnh Kon Tum" in sheet["A2"].value and "Xuất lúc" in sheet["A2"].value
    assert sheet.freeze_panes == "A5" and sheet.print_title_rows == "$4:$4"
    # one page wide (fitToWidth left out means 1, the OOXML default), as many pages tall as needed
    assert sheet.page_setup.orientation == "landscape" and (sheet.page_setup.fitToWidth or 1) == 1
    assert int(sheet.page_setup.fitToHeight) == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    header = [cell.value for cell in sheet[4]]
    assert header[:4] == ["STT", "Số, ký hiệu", "Ngày ban hành", "Trích yếu"] and "Báo cáo gần nhất" in header
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert len(rows) == count and [row[0] for row in rows] == list(range(1, count + 1))
    assert sheet.auto_filter.ref == f"A4:O{4 + count}"
    deadline_column = header.index("Hạn hiện tại")
    assert all(row[deadline_column].date() == date(2020, 1, 1) for row in rows)  # a real Excel date
    assert sheet.cell(row=5, column=deadline_column + 1).number_format == "DD/MM/YYYY"
    assert all(sheet.column_dimensions[letter].width >= 6 for letter in "ABCDEFGHIJKLMNO")
    task_column = header.index("Nhiệm vụ") + 1
    assert sheet.column_dimensions["F"].width >= 60 and sheet.cell(row=5, column=task_column).alignment.wrap_text
    assert {row[header.index("Tình hình thời hạn")] for row in rows} == {"Quá hạn"}


def test_department_excel_is_its_own_agency_only(live, login):
    department = login("soyte")
    book = load_workbook(BytesIO(department.get("/nhiem-vu.xlsx").data))
    agencies = {row[6] for row in book.active.iter_rows(min_row=5, values_only=True)}
    assert agencies == {"Sở Y tế tỉnh Kon Tum"}
    with live.app_context():
        other = db.session.scalar(select(Agency.id).where(Agency.name == "Công an tỉnh Kon Tum"))
        kon_tum = db.session.scalar(select(Agency.id).where(Agency.name == "Ủy ban nhân dân tỉnh Kon Tum"))
    # the Sở's follow-up list is of its own directives: none of the province's tasks, whatever is asked
    for url in (f"/theo-doi/nhiem-vu.xlsx?agency={other}", f"/theo-doi/nhiem-vu.xlsx?co-quan={kon_tum}"):
        forged = load_workbook(BytesIO(department.get(url).data))
        assert list(forged.active.iter_rows(min_row=5, values_only=True)) == []
    assert "0 nhiệm vụ" in department.get(f"/theo-doi/nhiem-vu?co-quan={kon_tum}").get_data(as_text=True)


def test_latest_note_shows_in_the_list(live, login):
    department = login("soyte")
    with live.app_context():
        own = db.session.scalar(select(Assignment.id).join(Agency).where(Agency.name == "Sở Y tế tỉnh Kon Tum"))
    url = f"/nhiem-vu/{own}"
    import re
    version = re.search(r'name="version" type="hidden" value="(\d+)"', department.get(url).get_data(as_text=True))
    department.post_form(url, {"version": version.group(1), "action": "start", "percent": "10",
                               "note": "Đã họp triển khai với các bệnh viện."})
    page = department.get("/nhiem-vu").get_data(as_text=True)
    assert "Đã họp triển khai với các bệnh viện." in page
    with live.app_context():
        assert db.session.get(Directive, db.session.get(Assignment, own).directive.id) is not None


def test_the_scorecard_pager_links_a_window_of_pages(live, login, monkeypatch):
    """A province's thousand agencies make dozens of scorecard pages: the pager links the first, the
    last and those around the current one, as every other list does, each keeping the sort."""
    import re

    from app.tracking import views

    monkeypatch.setattr(views, "SCORES_PER_PAGE", 2)
    office = login("vanphong")
    kon_tum = province(live)
    first = office.get("/theo-doi?sort=name&dir=asc").get_data(as_text=True)
    links = [int(p) for p in re.findall(r'href="/theo-doi\?sort=name&amp;dir=asc&amp;co-quan=\d+&amp;sp=(\d+)"', first)]
    pages = int(re.search(r"(\d+) đơn vị", first).group(1))
    last = -(-pages // 2)
    assert last > 8
    def window(page):  # written out: two at each end, two before the current page and four after it
        return sorted({1, 2, last - 1, last} | set(range(max(1, page - 2), min(last, page + 4) + 1)))

    assert links == window(1) == [1, 2, 3, 4, 5, last - 1, last] and "…" in first
    middle = office.get(f"/theo-doi?sort=name&dir=asc&sp=6&co-quan={kon_tum}").get_data(as_text=True)
    assert [int(p) for p in re.findall(r'&amp;sp=(\d+)"', middle)] == window(6)
    rows = re.findall(r'<tr data-agency="([^"]+)"', middle)
    with live.app_context():
        counts = queries.class_counts(TODAY, 3, queries.owned_by(kon_tum))
        names = [s.agency.name for s in queries.scorecard(queries.per_agency(counts), "name", False).scores]
    assert rows == names[10:12]


def test_the_lists_count_is_the_number_of_rows_they_list(live, login):
    """The lists count their rows on the ids alone (queries.row_count): for every kind of filter it is
    the number of rows the list's own SELECT returns, in the organisation's list and in an inbox."""
    from app import scope
    from app.models import User

    set_deadlines(live, "Sở Y tế tỉnh Kon Tum", date(2020, 1, 1))
    kon_tum = province(live)
    health = province(live, "Sở Y tế tỉnh Kon Tum")
    filter_sets = [queries.Filters(), queries.Filters(status=NOT_STARTED), queries.Filters(role="lead"),
                   queries.Filters(timeliness=T.OVERDUE), queries.Filters(agency=health, timeliness="trong_han"),
                   queries.Filters(q="y tế"), queries.Filters(deadline_from=date(2019, 1, 1), deadline_to=date(2020, 6, 1))]
    with live.app_context():
        soyte = db.session.scalar(select(User).where(User.username == "soyte"))
        for within in (queries.owned_by(kon_tum), scope.own_assignments(soyte)):
            seen = set()
            for filters in filter_sets:
                rows = db.session.execute(queries.assignment_rows(filters, TODAY, 3, within)).all()
                counted = db.session.execute(queries.row_count(filters, TODAY, 3, within)).scalar_one()
                assert counted == len(rows), filters
                seen.add(counted)
            assert len(seen) > 1  # the filters do narrow the list
