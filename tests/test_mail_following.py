"""The follow-up mail through the real SMTP server of tests/test_mail.py: each morning the office that
follows directives is told, agency by agency, what is overdue and due soon in the directives of its
organisations, within the scope the web gives it (the office list it links to), on Việt Nam's day."""
import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select, update

from app.clock import local_today
from app.extensions import db
from app.jobs import mail, schedule
from app.models import Agency, Assignment, Directive, Section, Task
from app.rules import timeliness as T
from app.rules.workflow import IN_PROGRESS
from tests.helpers import statements, user_named
from tests.test_mail import BASE_URL, body, set_mail, smtp  # noqa: F401  (smtp: the SMTP server fixture)

SUBJECT = "[Theo dõi chỉ đạo] Theo dõi đơn vị thực hiện: "
KON_TUM, IA_HDRAI = "Ủy ban nhân dân tỉnh Kon Tum", "Ủy ban nhân dân huyện Ia H'Drai"


def assignments_of(owner_name: str, agency_short_name: str | None = None) -> list[Assignment]:
    """Live assignments of the directive owned by `owner_name`, in the office list's order."""
    owner = db.session.scalar(select(Agency.id).where(Agency.name == owner_name))
    query = (select(Assignment).join(Task, Assignment.task_id == Task.id).join(Section, Task.section_id == Section.id)
             .join(Directive, Section.directive_id == Directive.id).join(Agency, Assignment.agency_id == Agency.id)
             .where(Directive.owner_agency_id == owner, Assignment.active.is_(True), Task.removed.is_(False),
                    Section.removed.is_(False)).order_by(Assignment.id))
    if agency_short_name:
        query = query.where(Agency.short_name == agency_short_name)
    return db.session.scalars(query).all()


def clear_deadlines(today: date) -> None:
    """Nothing overdue or due soon anywhere, and nothing done: each test sets what it counts."""
    db.session.execute(update(Assignment).values(deadline=today + timedelta(days=60), status=IN_PROGRESS,
                                                 completed_date=None))
    db.session.commit()


def following(inbox, address):
    return [m for m in inbox.to(address) if m["Subject"].startswith(SUBJECT)]


def links(text: str) -> list[str]:
    return re.findall(rf"{re.escape(BASE_URL)}\S+", text)


def query_of(url: str) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def list_links(text: str) -> list[dict]:
    """The office-list links of a mail, as their query arguments."""
    return [query_of(url) for url in links(text) if urlsplit(url).path == "/theo-doi/nhiem-vu"]


def assignment_ids(text: str) -> set[int]:
    return {int(found) for found in re.findall(r"https?://[^/\s]+/nhiem-vu/(\d+)\b", text)}


@pytest.fixture
def late_work(live):
    """In Kon Tum's directive: Sở Y tế four overdue tasks and one due soon, Công an one overdue. In Ia
    H'Drai's: one overdue task. Returns their ids and the agencies' ids."""
    with live.app_context():
        today = local_today()
        clear_deadlines(today)
        health = assignments_of(KON_TUM, "Sở Y tế")
        police = assignments_of(KON_TUM, "Công an tỉnh")
        district = assignments_of(IA_HDRAI)
        assert len(health) >= 5 and police and district
        for days, item in zip((5, 4, 3, 2), health[:4]):
            item.deadline = today - timedelta(days=days)
        health[4].deadline = today + timedelta(days=1)
        police[0].deadline = today - timedelta(days=1)
        district[0].deadline = today - timedelta(days=7)
        db.session.commit()
        return {"health_late": [a.id for a in health[:4]], "health_soon": health[4].id, "police_late": police[0].id,
                "district_late": district[0].id, "health": health[0].agency_id, "police": police[0].agency_id,
                "kon_tum": db.session.scalar(select(Agency.id).where(Agency.name == KON_TUM)),
                "ia_hdrai": db.session.scalar(select(Agency.id).where(Agency.name == IA_HDRAI)),
                "district_agency": district[0].agency_id, "today": today}


def test_a_follower_gets_one_mail_grouped_by_agency_with_counts_and_links(smtp, late_work, live, login):  # noqa: F811
    with live.app_context():
        set_mail("vanphong", "vanphong@kontum.gov.vn", kinds="following")
        result = schedule.morning(local_today(), force=True)
        assert result["mails"] == 1
    today = late_work["today"]
    received = following(smtp, "vanphong@kontum.gov.vn")
    assert len(received) == 1 and len(smtp.messages) == 1
    message = received[0]
    assert message["Subject"] == f"{SUBJECT}5 nhiệm vụ quá hạn, 1 sắp đến hạn (ngày {today:%d/%m/%Y})"
    assert "=?utf-8?" in message.as_string().lower() and message.get_content_charset() == "utf-8"
    text = body(message)
    assert "Kính gửi" in text
    assert (f"VĂN BẢN CỦA {KON_TUM.upper()}: 5 nhiệm vụ quá hạn, 1 nhiệm vụ sắp đến hạn trong 3 ngày tới, "
            "tại 2 đơn vị") in text
    assert "Sở Y tế tỉnh Kon Tum: 4 quá hạn, 1 sắp đến hạn" in text
    assert "Công an tỉnh Kon Tum: 1 quá hạn, 0 sắp đến hạn" in text
    assert text.index("Sở Y tế tỉnh Kon Tum: 4") < text.index("Công an tỉnh Kon Tum: 1")  # most overdue first
    # the first three of the agency's four overdue tasks (the office list's order: nearest deadline first)
    shown = assignment_ids(text)
    assert set(late_work["health_late"][:3]) <= shown and late_work["health_late"][3] not in shown
    assert {late_work["health_soon"], late_work["police_late"]} <= shown
    assert "quá 5 ngày" in text and "… xem đủ 4 nhiệm vụ quá hạn: " in text
    # a link to each agency's filtered office list, and to the organisation's whole lists
    org = str(late_work["kon_tum"])
    found = list_links(text)
    assert {"co-quan": org, "agency": str(late_work["health"]), "timeliness": T.OVERDUE} in found
    assert {"co-quan": org, "agency": str(late_work["health"]), "timeliness": T.DUE_SOON} in found
    assert {"co-quan": org, "agency": str(late_work["police"]), "timeliness": T.OVERDUE} in found
    assert {"co-quan": org, "timeliness": T.OVERDUE} in found and {"co-quan": org, "timeliness": T.DUE_SOON} in found
    # nothing of Ia H'Drai's directive, which vanphong does not follow
    assert late_work["district_late"] not in shown and "Ia H'Drai" not in text
    # the links open the pages they name, showing what the mail counted
    office = login("vanphong")
    page = office.get(next(url for url in links(text) if query_of(url).get("agency") == str(late_work["health"])
                           and query_of(url).get("timeliness") == T.OVERDUE).removeprefix(BASE_URL))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert all(f"/nhiem-vu/{item}\"" in html for item in late_work["health_late"])
    assert f"/nhiem-vu/{late_work['police_late']}\"" not in html
    for item in shown:
        assert office.get(f"/nhiem-vu/{item}").status_code == 200


def test_each_follower_sees_only_their_organisations_directives(smtp, late_work, live):  # noqa: F811
    with live.app_context():
        set_mail("vanphong", "vanphong@kontum.gov.vn", kinds="following")
        set_mail("iahdrai.vp", "vanphong@iahdrai.kontum.gov.vn", kinds="following")
        set_mail("lanhdao", "lanhdao@kontum.gov.vn", kinds="following")  # a leader: who is late
        set_mail("soyte", "soyte@soyte.kontum.gov.vn", kinds="following")  # follows no directive of its own
        schedule.morning(local_today(), force=True)
    district = following(smtp, "vanphong@iahdrai.kontum.gov.vn")
    assert len(district) == 1
    text = body(district[0])
    assert district[0]["Subject"].startswith(f"{SUBJECT}1 nhiệm vụ quá hạn, 0 sắp đến hạn")
    assert assignment_ids(text) == {late_work["district_late"]}
    assert {link["co-quan"] for link in list_links(text)} == {str(late_work["ia_hdrai"])}
    assert "Kon Tum: " not in text.replace(KON_TUM.upper(), "")  # no Kon Tum agency counted
    province, leader = following(smtp, "vanphong@kontum.gov.vn"), following(smtp, "lanhdao@kontum.gov.vn")
    assert len(province) == 1 and len(leader) == 1
    assert late_work["district_late"] not in assignment_ids(body(province[0]))
    assert assignment_ids(body(leader[0])) == assignment_ids(body(province[0]))
    assert smtp.to("soyte@soyte.kontum.gov.vn") == []  # nothing to follow: no empty mail


def test_no_mail_for_who_did_not_choose_it_nor_when_nothing_is_late(smtp, late_work, live):  # noqa: F811
    with live.app_context():
        others = ",".join(kind for kind in mail.MAIL_KINDS if kind != mail.FOLLOWING)
        set_mail("vanphong", "vanphong@kontum.gov.vn", kinds=others)
        set_mail("iahdrai.vp", "vanphong@iahdrai.kontum.gov.vn", kinds="following")
        district = assignments_of(IA_HDRAI)[0]
        district.deadline = local_today() + timedelta(days=30)  # Ia H'Drai has nothing late or due any more
        db.session.commit()
        schedule.morning(local_today(), force=True)
    assert following(smtp, "vanphong@kontum.gov.vn") == []
    assert smtp.to("vanphong@iahdrai.kontum.gov.vn") == []


def test_a_digest_user_gets_it_as_a_section_of_the_digest(smtp, late_work, live):  # noqa: F811
    with live.app_context():
        set_mail("iahdrai.vp", "vanphong@iahdrai.kontum.gov.vn", kinds="following", digest=True)
        schedule.morning(local_today(), force=True)
    received = smtp.to("vanphong@iahdrai.kontum.gov.vn")
    assert len(received) == 1
    assert received[0]["Subject"] == f"[Theo dõi chỉ đạo] Tổng hợp ngày {late_work['today']:%d/%m/%Y}"
    text = body(received[0])
    assert "THEO DÕI ĐƠN VỊ THỰC HIỆN (1 quá hạn, 0 sắp đến hạn)" in text
    assert assignment_ids(text) == {late_work["district_late"]}
    assert {"co-quan": str(late_work["ia_hdrai"]), "agency": str(late_work["district_agency"]),
            "timeliness": T.OVERDUE} in list_links(text)


@pytest.mark.clock("2026-06-15T06:30:00+07:00")  # 23:30 UTC on the 14th: the two calendars disagree
def test_the_day_is_vietnams_not_the_servers(smtp, live):  # noqa: F811
    with live.app_context():
        assert local_today() == date(2026, 6, 15)
        clear_deadlines(date(2026, 6, 15))
        health = assignments_of(KON_TUM, "Sở Y tế")
        health[0].deadline = date(2026, 6, 14)  # yesterday in Việt Nam: overdue (due today by UTC)
        health[1].deadline = date(2026, 6, 18)  # due within 3 days of the 15th (not of the 14th)
        db.session.commit()
        late_id, soon_id = health[0].id, health[1].id
        set_mail("vanphong", "vanphong@kontum.gov.vn", kinds="following")
        schedule.morning(force=True)  # the morning's own "today"
    received = following(smtp, "vanphong@kontum.gov.vn")
    assert len(received) == 1
    assert received[0]["Subject"] == f"{SUBJECT}1 nhiệm vụ quá hạn, 1 sắp đến hạn (ngày 15/06/2026)"
    text = body(received[0])
    overdue, due_soon = text.split("  Sắp đến hạn (1):")
    assert f"/nhiem-vu/{late_id}" in overdue and "quá 1 ngày" in overdue
    assert f"/nhiem-vu/{soon_id}" in due_soon and "hạn 18/06/2026" in due_soon


def test_the_mail_reads_grouped_counts_and_limited_lists_not_every_row(late_work, live, monkeypatch):
    """One grouped count, then a LIMITed list for each kind of the first FOLLOWED_AGENCIES agencies:
    the statements do not grow with the late work, and none reads every row."""
    monkeypatch.setattr(mail, "FOLLOWED_AGENCIES", 2)
    with live.app_context():
        organisation, today = late_work["kon_tum"], late_work["today"]
        with statements() as few:
            mail.organisation_section(organisation, today)
        everything = assignments_of(KON_TUM)
        for item in everything:  # every task of the directive overdue, at every agency
            item.deadline = today - timedelta(days=9)
        db.session.commit()
        agencies = len({item.agency_id for item in everything})
        with statements() as many:
            late, soon, lines = mail.organisation_section(organisation, today)
        assert (late, soon) == (len(everything), 0) and agencies > 5
        assert any(line.startswith(f"… và {agencies - 2} đơn vị khác:") for line in lines)
        assert len(assignment_ids("\n".join(lines))) == 2 * mail.FOLLOWED_ITEMS
        assert len(many) <= len(few)  # two agencies detailed either way (the first had 3 lists, now 2)
        reading = [s for s in many if "FROM assignments" in s or "JOIN assignments" in s]
        assert reading and all("LIMIT" in s or "GROUP BY" in s for s in reading)


def test_the_settings_page_offers_the_follow_up_mail_to_followers_only(demo, login):
    page = login("vanphong").get("/tai-khoan/thu-dien-tu").get_data(as_text=True)
    assert mail.MAIL_KINDS[mail.FOLLOWING][0] in page
    admin = login("admin").get("/tai-khoan/thu-dien-tu").get_data(as_text=True)
    assert "Nhận thư khi" in admin and mail.MAIL_KINDS[mail.FOLLOWING][0] not in admin
    saved = login("vanphong").post_form("/tai-khoan/thu-dien-tu", {"email": "vanphong@kontum.gov.vn",
                                                                  "kinds": ["following"], "delivery": "single"})
    assert saved.status_code == 302
    with demo.app_context():
        assert user_named("vanphong").mail_kinds == "following"
        assert mail.FOLLOWING in mail.DEFAULT_KINDS.split(",")  # a first address receives it until chosen
