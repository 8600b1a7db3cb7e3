"""The office list's directive and agency filters: the page carries the first few choices and the
chosen one; the rest are found by typing (the JSON the picker asks), accents and case ignored, inside
the organisation the user follows and nowhere else."""
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Agency, Assignment, Directive
from app.rules.directive_states import LIVE
from app.text import fold
from app.tracking import choices, queries, tallies
from app.clock import local_today

pytestmark = pytest.mark.dates

OPTION = re.compile(r'<option value="(\d+)"( selected)?>([^<]*)</option>')


def _select(html: str, name: str) -> str:
    return re.search(rf'<select[^>]*name="{name}"[^>]*>.*?</select>', html, re.S).group(0)


def _province(app, name="Ủy ban nhân dân tỉnh Kon Tum"):
    with app.app_context():
        return db.session.scalar(select(Agency.id).where(Agency.name == name))


def _agencies_with_work(app, organisation_id):
    """(id, name) of the agencies with live work of the organisation, by name, counted here without the
    module under test."""
    with app.app_context():
        rows = db.session.execute(
            queries._joined(select(Agency.id, Agency.name).select_from(Assignment))
            .join(Agency, Assignment.agency_id == Agency.id)
            .where(queries.owned_by(organisation_id), queries._visible()).distinct()).all()
    return sorted(rows, key=lambda row: row.name)


def _has_words(name: str, words: list[str]) -> bool:
    """Written out here, not read from app/search.py: whole words, the last of three letters or more a prefix."""
    found = re.findall(r"[a-z0-9]+", fold(name))
    return all(any(t.startswith(w) if i == len(words) - 1 and len(w) >= 3 and not w.isdigit() else t == w
                   for t in found) for i, w in enumerate(words))


def test_a_long_agency_list_carries_the_first_choices_and_the_chosen_one(live, login):
    live.config["FILTER_INLINE_CHOICES"] = 3
    kon_tum = _province(live)
    everyone = _agencies_with_work(live, kon_tum)
    assert len(everyone) > 4
    office = login("vanphong")
    html = office.get("/theo-doi/nhiem-vu").get_data(as_text=True)
    picker = _select(html, "agency")
    assert f'data-source="/theo-doi/lua-chon/don-vi?co-quan={kon_tum}"' in picker
    assert [int(value) for value, _sel, _name in OPTION.findall(picker)] == [row.id for row in everyone[:3]]
    last = everyone[-1]  # not among the first three: still shown, and selected, when chosen
    picker = _select(office.get(f"/theo-doi/nhiem-vu?agency={last.id}").get_data(as_text=True), "agency")
    assert (str(last.id), " selected") in [(value, sel) for value, sel, _name in OPTION.findall(picker)]
    live.config["FILTER_INLINE_CHOICES"] = len(everyone)  # all of them fit: no search on the server
    picker = _select(office.get("/theo-doi/nhiem-vu").get_data(as_text=True), "agency")
    assert "data-source" not in picker and len(OPTION.findall(picker)) == len(everyone)


def test_typed_words_find_agencies_without_accents_in_any_case(live, login):
    kon_tum = _province(live)
    everyone = _agencies_with_work(live, kon_tum)
    office = login("vanphong")
    for typed in ("so y te", "SỞ Y TẾ", "y te kon"):
        found = office.get(f"/theo-doi/lua-chon/don-vi?q={typed}").get_json()
        expected = [row.name for row in everyone if _has_words(row.name, fold(typed).split())]
        assert expected and [option["text"] for option in found["options"]] == expected, typed
        assert found["more"] is False
    assert office.get("/theo-doi/lua-chon/don-vi?q=khong+co+ai").get_json() == {"options": [], "more": False}
    assert office.get("/theo-doi/lua-chon/nguoi").status_code == 404
    # "đ" is typed as "d" too; the last word may be unfinished
    names = [option["text"] for option in office.get("/theo-doi/lua-chon/don-vi?q=dak").get_json()["options"]]
    assert names and names == [row.name for row in everyone if _has_words(row.name, ["dak"])]
    assert all("Đắk" in name for name in names)
    # a word that is not the last is whole: "so" is not "Sơn"
    names = [option["text"] for option in office.get("/theo-doi/lua-chon/don-vi?q=so+te").get_json()["options"]]
    assert names and all(_has_words(name, ["so", "te"]) for name in names)


def test_the_tallies_and_the_live_count_offer_the_same_agencies(live):
    kon_tum = _province(live)
    with live.test_request_context():
        tallies.rebuild(db.session, local_today(), live.config["DUE_SOON_DAYS"])
        db.session.commit()
        for typed in ("", "so", "y te", "huyen"):
            counted_live = choices.agencies(kon_tum, False, typed=typed, limit=500)
            from_tallies = choices.agencies(kon_tum, True, typed=typed, limit=500)
            assert counted_live == from_tallies, typed
        assert choices.agencies(kon_tum, True).pairs == [(row.id, row.name) for row in
                                                         _agencies_with_work(live, kon_tum)][:50]


def test_a_directive_is_found_by_its_number_and_symbol_and_by_its_words(live, login):
    kon_tum = _province(live)
    with live.app_context():
        owned = db.session.scalars(select(Directive).where(Directive.owner_agency_id == kon_tum,
                                                           Directive.state.in_(LIVE))).all()
        assert owned
        directive = owned[0]
        number_symbol, subject_word = f"{directive.number}/{directive.symbol}", directive.subject.split()[-1]
    office = login("vanphong")
    found = office.get(f"/theo-doi/lua-chon/van-ban?q={number_symbol}").get_json()["options"]
    assert [int(option["value"]) for option in found] == [directive.id]
    assert found[0]["text"].startswith(number_symbol)
    by_word = office.get(f"/theo-doi/lua-chon/van-ban?q={fold(subject_word)}").get_json()["options"]
    assert directive.id in {int(option["value"]) for option in by_word}
    # a directive of another province's office is not among them, whatever is typed
    with live.app_context():
        foreign = db.session.scalars(select(Directive).where(Directive.owner_agency_id != kon_tum,
                                                             Directive.state.in_(LIVE))).all()
    assert foreign
    for other in foreign:
        typed = f"{other.number}/{other.symbol}"
        assert other.id not in {int(o["value"]) for o in office.get(
            f"/theo-doi/lua-chon/van-ban?q={typed}").get_json()["options"]}


def test_a_long_directive_list_on_the_report_form_searches_the_server(live, login):
    live.config["FILTER_INLINE_CHOICES"] = 1
    kon_tum = _province(live)
    office = login("vanphong")
    html = office.get("/theo-doi/bao-cao").get_data(as_text=True)
    picker = _select(html, "directive")
    with live.app_context():
        live_count = len(db.session.scalars(select(Directive.id).where(Directive.owner_agency_id == kon_tum,
                                                                       Directive.state.in_(LIVE))).all())
    if live_count > 1:
        assert f'data-source="/theo-doi/lua-chon/van-ban?co-quan={kon_tum}"' in picker
    assert len(OPTION.findall(picker)) == 1


def test_the_choices_stay_inside_the_organisation_the_user_follows(live, login):
    kon_tum = _province(live)
    health = _province(live, "Sở Y tế tỉnh Kon Tum")
    department = login("soyte")  # follows its own Sở's letters only, whatever ?co-quan= says
    own = {row.id for row in _agencies_with_work(live, health)}
    for url in ("/theo-doi/lua-chon/don-vi?q=", f"/theo-doi/lua-chon/don-vi?q=huyen&co-quan={kon_tum}",
                f"/theo-doi/lua-chon/don-vi?q=so&co-quan={kon_tum}"):
        response = department.get(url)
        assert response.status_code == 200
        assert {int(option["value"]) for option in response.get_json()["options"]} <= own, url
    assert login("admin").get("/theo-doi/lua-chon/don-vi?q=so").status_code == 403  # the directory's keeper
    assert login("vanphong").get("/theo-doi/lua-chon/don-vi?q=" + "a" * 5000).status_code == 200


def test_the_directive_lists_issuer_filter_offers_exactly_the_issuers_the_user_may_read(live):
    """issuers_in_use reads an organisation's own issuers by jumping through the index: the same set as a
    plain DISTINCT over every directive the user may read, for every account of the demo, including an
    organisation with two issuers of its own (a Văn phòng issuing for its UBND)."""
    from app import scope
    from app.directives.queries import issuers_in_use
    from app.models import User

    with live.app_context():
        own = db.session.scalars(select(Directive).where(Directive.owner_agency_id.is_not(None))).first()
        other = db.session.scalar(select(Agency.id).where(Agency.id != own.issuer_agency_id,
                                                          Agency.header_text != "").order_by(Agency.id))
        copy = Directive(subject="Văn bản do cơ quan khác ban hành thay", doc_type=own.doc_type, symbol=own.symbol,
                         place=own.place, state=own.state, issuer_agency_id=other, owner_agency_id=own.owner_agency_id)
        db.session.add(copy)
        db.session.commit()
        checked = 0
        for user in db.session.scalars(select(User).order_by(User.id)):
            plain = select(Directive.issuer_agency_id).where(scope.directives(user),
                                                             Directive.issuer_agency_id.is_not(None)).distinct()
            expected = sorted(set(db.session.scalars(plain)))
            assert sorted(a.id for a in issuers_in_use(user)) == expected, user.username
            checked += bool(expected)
        assert checked >= 3
        mine = [u for u in db.session.scalars(select(User)) if own.owner_agency_id in scope.followed_organisations(u)]
        assert mine and {own.issuer_agency_id, other} <= {a.id for a in issuers_in_use(mine[0])}
