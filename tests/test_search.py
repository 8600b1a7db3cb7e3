"""Full-text search (app/search.py) on every backend: words with accents and case ignored, number and
symbol once issued, agencies, ranking, highlighted words, only the searched fields, the index kept by
the transactions that change the data, and the user's scope; the directive list and the API use it."""
from sqlalchemy import event, func, select

from app import scope, search
from app.directive_format import directive_to_data
from app.directives.service import resolve_assignees, save_directive
from app.extensions import db
from app.models import Assignment, Directive, SearchEntry, Task
from app.tracking import service as tracking_service
from tests.helpers import Client, directive_from, go_live, user_named


def kinds(hits):
    return [(hit.kind, hit.directive_id) for hit in hits]


def test_words_with_or_without_accents_and_in_any_case(demo):
    with demo.app_context():
        office = user_named("vanphong")
        ident = directive_from("001-kon-tum").id
        found = {q: kinds(search.search(q, office)) for q in ("chống dịch COVID", "CHONG DICH covid",
                                                             "chống dịch covid-19")}
        assert found["chống dịch COVID"] == found["CHONG DICH covid"] == found["chống dịch covid-19"]
        assert ("directive", ident) in found["chống dịch COVID"]
        # "đ" folds to "d"; the last word may be unfinished, the others are whole words
        assert search.search("dia phuo", office) and search.search("địa phương", office)
        assert not search.search("dia phuong xyzkhongco", office)
        assert not search.search("phuo dia", office)


def test_number_and_symbol_find_the_letter_once_issued(demo):
    with demo.app_context():
        office = user_named("vanphong")
        assert not [h for h in search.search("UBND-KGVX 01", office) if h.kind == "directive"]
    go_live(demo, ["001-kon-tum"])  # the clerk's numbering, in its own transaction
    with demo.app_context():
        directive = directive_from("001-kon-tum")
        code = f"{directive.number}/{directive.symbol}"
        hits = search.search(code, user_named("vanphong"))
        assert hits[0].kind == "directive" and hits[0].directive_id == directive.id
        assert hits[0].field == "code" and str(hits[0].snippet).count("<mark>") == 3
        assert search.search(code.lower(), user_named("vanphong"))[0].directive_id == directive.id


def test_agency_search_finds_the_tasks_given_to_it_not_every_task_that_names_it(live):
    with live.app_context():
        office = user_named("vanphong")
        soyte = user_named("soyte").agency
        visible_tasks = db.session.scalar(select(func.count()).select_from(SearchEntry).join(
            Directive, Directive.id == SearchEntry.directive_id).where(
            SearchEntry.kind == "task", scope.directives(office)))
        hits = search.search("Sở Y tế", office, kinds=["task"], agency_only=True)
        assigned = set(db.session.scalars(select(Task.id).join(Assignment, Assignment.task_id == Task.id)
                                          .where(Assignment.agency_id == soyte.id, Assignment.active.is_(True))))
        found = {hit.id for hit in hits}
        assert assigned and assigned <= found
        assert len(found) < visible_tasks
        assert all("<mark>Sở</mark> <mark>Y</mark> <mark>tế</mark>" in str(hit.snippet) for hit in hits)


def test_results_are_ranked_and_the_matched_words_marked(live):
    with live.app_context():
        office = user_named("vanphong")
        hits = search.search("phòng, chống dịch COVID-19", office)
        assert len(hits) >= 2
        assert [hit.rank for hit in hits] == sorted((hit.rank for hit in hits), reverse=True)
        # the words side by side (the subject) rank above the same words scattered
        assert hits[0].kind == "directive"
        snippet = str(hits[0].snippet)
        assert "<mark>COVID</mark>-<mark>19</mark>" in snippet and "<mark>chống</mark>" in snippet


def test_the_snippet_is_escaped(live):
    with live.app_context():
        task = directive_from("001-kon-tum").sections[0].tasks[0]
        task.text = 'Kiểm tra <script>alert("x")</script> cơ sở'
        db.session.commit()
        hits = search.search("kiem tra script alert", user_named("vanphong"), kinds=["task"])
        assert len(hits) == 1
        hit = hits[0]
        assert "<script" not in str(hit.snippet) and "&lt;<mark>script</mark>&gt;" in str(hit.snippet)


def test_only_the_searched_fields_not_the_whole_letter(live):
    with live.app_context():
        office = user_named("vanphong")
        # words of 001's preamble and of its Nơi nhận: not searched
        assert not search.search("Hội nghị trực tuyến", office)
        assert not search.search("8149/CD-VPCP", office)
        # the old search of the whole text finds it
        from app.directives import queries

        old = db.session.scalars(select(Directive.id).where(*queries.text_search("Hội nghị trực tuyến"))).all()
        assert directive_from("001-kon-tum").id in old


def test_the_index_follows_each_change_in_the_same_transaction(live):
    with live.app_context():
        office = user_named("vanphong")
        directive = directive_from("001-kon-tum")
        data = directive_to_data(directive)
        data["sections"][0]["tasks"][0]["text"] = "Rà soát đặc biệt khu công nghiệp Hòa Bình"
        data["subject"] = "thử nghiệm chỉ mục"
        resolve_assignees(data, directive.issuer_agency)
        save_directive(directive, data, office, directive.issuer_agency)
        db.session.flush()
        assert search.search("khu cong nghiep hoa binh", office)  # before the commit, inside it
        db.session.rollback()
        assert not search.search("khu cong nghiep hoa binh", office)
        assert search.search("thuc hien chi dao thu tuong", office)
        save_directive(directive, data, office, directive.issuer_agency)
        db.session.commit()
        assert [h.kind for h in search.search("khu cong nghiep hoa binh", office)] == ["task"]
        assert search.search("thử nghiệm chỉ mục", office)[0].kind == "directive"
        assert not search.search("thuc hien chi dao thu tuong", office)
        # the whole index written again gives the same rows as the changes did
        before = sorted(db.session.execute(select(SearchEntry.kind, SearchEntry.record_id, SearchEntry.title,
                                                  SearchEntry.agencies, SearchEntry.code)).all())
        with db.engine.begin() as connection:
            search.rebuild(connection)
        db.session.expire_all()
        after = sorted(db.session.execute(select(SearchEntry.kind, SearchEntry.record_id, SearchEntry.title,
                                                 SearchEntry.agencies, SearchEntry.code)).all())
        assert before == after


def test_progress_reports_are_found_by_whoever_sees_the_assignment(live):
    with live.app_context():
        soyte = user_named("soyte")
        assignment = db.session.scalar(scope.join_directive(select(Assignment)).where(
            Directive.id == directive_from("001-kon-tum").id, Assignment.agency_id == soyte.agency_id))
        tracking_service.change_assignment(assignment, soyte, "start", None, "", assignment.version)
        tracking_service.change_assignment(assignment, soyte, "progress", 30,
                                           "Đã kiểm tra 12 chốt kiểm dịch liên huyện", assignment.version)
        db.session.commit()
        for username in ("soyte", "vanphong"):
            hits = search.search("chốt kiểm dịch liên huyện", user_named(username), kinds=["report"])
            assert [(h.kind, h.assignment_id) for h in hits] == [("report", assignment.id)]
        assert not search.search("chốt kiểm dịch liên huyện", user_named("daklak.vp"))
        assert not search.search("chốt kiểm dịch liên huyện", user_named("congan.kontum"), kinds=["report"])


def test_two_organisations_never_find_each_others_records(live):
    with live.app_context():
        daklak = directive_from("000-dak-lak").id
        kontum = directive_from("001-kon-tum").id
        everything = "phong chong dich"
        assert {h.directive_id for h in search.search(everything, user_named("vanphong"))} >= {kontum}
        assert daklak not in {h.directive_id for h in search.search(everything, user_named("vanphong"))}
        assert kontum not in {h.directive_id for h in search.search(everything, user_named("daklak.vp"))}
        assert search.search(everything, user_named("admin")) == []  # an admin-only account sees no directive


def test_directive_list_page_searches_the_index_with_marked_words(live):
    client = Client(live).login("vanphong")
    html = client.get("/van-ban?q=Hoi+nghi+truc+tuyen").get_data(as_text=True)
    assert "0 văn bản" in html
    html = client.get("/van-ban?q=chong+dich+covid").get_data(as_text=True)
    assert "xếp theo mức phù hợp" in html and "<mark>COVID</mark>" in html
    assert 'data-testid="search-matches"' in html
    with live.app_context():
        subject = directive_from("001-kon-tum").subject
    assert subject in html


def test_api_search_and_directive_list_with_q(live):
    from app.api import tokens

    with live.app_context():
        _row, token = tokens.create(user_named("vanphong"), "tìm kiếm")
        db.session.commit()
        directive = directive_from("001-kon-tum")
        code, ident = f"{directive.number}/{directive.symbol}", directive.id
    client = live.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    listed = client.get("/api/v1/directives", query_string={"q": code}, headers=headers).json
    assert listed["items"][0]["id"] == ident and listed["items"][0]["rank"] > 0
    assert "<mark>" in listed["items"][0]["matches"][0]["snippet"]
    found = client.get("/api/v1/search", query_string={"q": "Sở Y tế", "agency_only": "true", "kind": "task"},
                       headers=headers).json
    assert found["total"] == len(found["items"]) > 0
    assert {item["kind"] for item in found["items"]} == {"task"}
    paged = client.get("/api/v1/search", query_string={"q": "Sở Y tế", "per_page": 1, "page": 2},
                       headers=headers).json
    assert len(paged["items"]) == 1 and paged["total"] > 1
    assert client.get("/api/v1/search", headers=headers).status_code == 422


def test_a_deleted_draft_and_a_renamed_agency_update_the_index(live):
    from app.directives import lifecycle

    with live.app_context():
        office = user_named("vanphong")
        source = directive_from("001-kon-tum")
        data = directive_to_data(source)
        data.update(number=None, date=None, subject="dự thảo sẽ bị xóa khỏi chỉ mục")
        resolve_assignees(data, source.issuer_agency)
        draft, _ = save_directive(None, data, office, source.issuer_agency)
        db.session.commit()
        draft_id = draft.id
        assert search.search("du thao se bi xoa", office)[0].directive_id == draft_id
        lifecycle.delete(db.session.get(Directive, draft_id), office)
        db.session.commit()
        assert not search.search("du thao se bi xoa", office)
        assert not db.session.scalar(select(func.count()).select_from(SearchEntry)
                                     .where(SearchEntry.directive_id == draft_id))
        agency = user_named("soyte").agency
        agency.short_name = "Sở Y tế Kon Tum mới"
        db.session.commit()
        hits = search.search("y te kon tum moi", office, kinds=["task"], agency_only=True)
        assert hits and all("<mark>mới</mark>" in str(hit.snippet) for hit in hits)


def test_assignment_lists_search_the_task_its_agency_its_directive_and_its_reports(live):
    from app.clock import local_today
    from app.tracking import queries as tracking_queries

    with live.app_context():
        directive = directive_from("001-kon-tum")
        within = tracking_queries.owned_by(directive.owner_agency_id)

        def rows(q):
            query = tracking_queries.assignment_rows(tracking_queries.Filters(q=q), local_today(), 3, within)
            return db.session.execute(query).all()

        everything = rows("")
        soyte = user_named("soyte").agency_id
        given = {row[0].id for row in everything if row[0].agency_id == soyte}
        found = rows("Sở Y tế")
        assert given <= {row[0].id for row in found}
        assert len(found) < len(everything)  # not every task of a letter addressed to all departments
        # a directive by its number and symbol: all its assignments
        assert len(rows(f"{directive.number}/{directive.symbol}")) == len(
            [row for row in everything if row[3].id == directive.id])
        # a word of a report
        assignment = next(row[0] for row in everything if row[0].agency_id == soyte)
        tracking_service.change_assignment(assignment, user_named("soyte"), "submit", None,
                                           "Hoàn tất rà soát khu cách ly tập trung", assignment.version)
        db.session.commit()
        assert [row[0].id for row in rows("khu cach ly tap trung")] == [assignment.id]
        assert rows("%") == [] and rows("_") == []


def test_sqlite_list_search_runs_each_full_text_query_once_not_once_per_entry(live):
    """The assignment lists' search box on SQLite: each full-text query is a list of rowids computed
    once. Joined to search_entries instead, SQLite drove the join from the entries' kind index and ran
    the FTS query again for every entry of that kind: 1 s per inbox search at 10,000 assignments,
    minutes at 100,000 (bench/tracking_bench.py)."""
    from app.clock import local_today
    from app.tracking import queries as tracking_queries

    with live.app_context():
        if db.engine.dialect.name != "sqlite":
            return
        department = user_named("soyte")
        query = tracking_queries.assignment_rows(tracking_queries.Filters(q="chống dịch"), local_today(), 3,
                                                 scope.own_assignments(department))
        sent = []

        def keep(conn, cursor, statement, parameters, context, executemany):
            sent.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", keep)
        try:
            assert db.session.execute(query).all()  # it still finds the department's tasks on the subject
        finally:
            event.remove(db.engine, "before_cursor_execute", keep)
        statement, parameters = next((s, p) for s, p in sent if "search_fts" in s)
        plan = db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        children: dict = {}
        for _node, parent, _unused, detail in plan:
            children.setdefault(parent, []).append(detail)
        fts_scans = [(parent, detail) for _node, parent, _unused, detail in plan if "search_fts" in detail]
        assert len(fts_scans) == 3  # tasks, directives, reports
        for parent, _detail in fts_scans:
            assert not any("search_entries" in sibling for sibling in children[parent]), plan
