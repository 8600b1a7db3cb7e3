"""E-mail through a real SMTP server on loopback (aiosmtpd): what each event sends to whom, in
Vietnamese (UTF-8 subjects and bodies) with links from BASE_URL; preferences and the daily digest;
the morning's due-soon and overdue mails and the month-end snapshot on Việt Nam's clock; the
settings page; mail sent by a real queue consumer."""
import socket
import time
import uuid
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from app import jobs
from app.clock import local_today
from app.extensions import db
from app.jobs import mail, schedule
from app.models import Agency, Assignment, Directive, Section, Snapshot, Task
from app.tracking import service
from tests.helpers import go_live, user_named

BASE_URL = "https://chidao.kontum.gov.vn"


class Inbox:
    """What the SMTP server received: parsed messages, newest last."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)
        message.envelope_to = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"

    def to(self, address):
        return [m for m in self.messages if address in m.envelope_to]

    def wait(self, count, seconds=20):
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(demo):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    demo.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, BASE_URL=BASE_URL,
                       MAIL_DEFAULT_SENDER="Theo dõi chỉ đạo <no-reply@chidao.kontum.gov.vn>")
    yield inbox
    controller.stop()


def body(message) -> str:
    return message.get_body(("plain",)).get_content()


def set_mail(username, email, kinds=mail.DEFAULT_KINDS, digest=False):
    user = user_named(username)
    user.email, user.mail_kinds, user.mail_digest = email, kinds, digest
    db.session.commit()
    return user


def kon_tum_assignment(short_name="Sở Y tế") -> Assignment:
    """An assignment of UBND tỉnh Kon Tum's directive (followed by vanphong) given to an agency."""
    office = user_named("vanphong").agency.serves_id
    return db.session.scalars(
        select(Assignment).join(Task, Assignment.task_id == Task.id).join(Section, Task.section_id == Section.id)
        .join(Directive, Section.directive_id == Directive.id).join(Agency, Assignment.agency_id == Agency.id)
        .where(Directive.owner_agency_id == office, Agency.short_name == short_name, Assignment.active.is_(True))
        .order_by(Assignment.id)).first()


def test_a_new_assignment_mails_the_agencys_users_in_vietnamese_with_a_link(smtp, demo):
    with demo.app_context():
        set_mail("soyte", "soyte@soyte.kontum.gov.vn")
    go_live(demo)
    received = smtp.to("soyte@soyte.kontum.gov.vn")
    assert received, "no mail for a new assignment"
    assert {address for m in smtp.messages for address in m.envelope_to} == {"soyte@soyte.kontum.gov.vn"}
    message = received[0]
    assert message["Subject"].startswith("[Theo dõi chỉ đạo] Nhiệm vụ mới: ")
    assert "=?utf-8?" in message.as_string().lower()  # the subject travels encoded, UTF-8
    assert message.get_content_charset() == "utf-8"
    text = body(message)
    assert "Kính gửi" in text and "Nhiệm vụ mới" in text
    assert f"{BASE_URL}/nhiem-vu?directive=" in text
    assert f"{BASE_URL}/tai-khoan/thu-dien-tu" in text
    assert message["From"].addresses[0].addr_spec == "no-reply@chidao.kontum.gov.vn"


def test_submitted_returned_and_extension_decisions_mail_the_other_side(smtp, live):
    with live.app_context():
        department = set_mail("soyte", "soyte@soyte.kontum.gov.vn")
        office = set_mail("vanphong", "vanphong@kontum.gov.vn")
        smtp.messages.clear()
        item = kon_tum_assignment()
        item.deadline = local_today() + timedelta(days=10)
        db.session.commit()
        service.change_assignment(item, department, "submit", 100, "Đã hoàn thành kiểm tra.", item.version)
        db.session.commit()
        submitted = smtp.to("vanphong@kontum.gov.vn")
        assert len(submitted) == 1 and "báo cáo hoàn thành" in submitted[0]["Subject"]
        assert f"{BASE_URL}/nhiem-vu/{item.id}" in body(submitted[0])

        service.change_assignment(item, office, "return", None, "Bổ sung biên bản kiểm tra.", item.version)
        db.session.commit()
        returned = smtp.to("soyte@soyte.kontum.gov.vn")
        assert len(returned) == 1 and "Kết quả bị trả lại" in returned[0]["Subject"]
        assert "Bổ sung biên bản kiểm tra." in body(returned[0])

        until = local_today() + timedelta(days=40)
        request = service.request_extension(item, department, until, "Chờ kết quả xét nghiệm.")
        db.session.commit()
        service.decide_extension(request, office, True, "")
        db.session.commit()
        decided = smtp.to("soyte@soyte.kontum.gov.vn")[1:]
        assert len(decided) == 1 and f"Đồng ý gia hạn lần 1 đến {until:%d/%m/%Y}" in decided[0]["Subject"]


def test_only_the_kinds_chosen_are_sent(smtp, live):
    with live.app_context():
        department = set_mail("soyte", "soyte@soyte.kontum.gov.vn", kinds="new,extension")
        office = set_mail("vanphong", "vanphong@kontum.gov.vn", kinds="")
        item = kon_tum_assignment()
        service.change_assignment(item, department, "submit", 100, "Xong.", item.version)
        db.session.commit()
        service.change_assignment(item, office, "return", None, "Thiếu minh chứng.", item.version)
        db.session.commit()
    assert smtp.messages == []


def test_a_digest_user_gets_one_morning_mail_instead(smtp, demo):
    with demo.app_context():
        set_mail("soyte", "soyte@soyte.kontum.gov.vn", digest=True)
    go_live(demo)
    assert smtp.messages == []  # nothing one by one
    with demo.app_context():
        result = schedule.morning(local_today(), force=True)
        assert result["mails"] == 1
    digest = smtp.to("soyte@soyte.kontum.gov.vn")
    assert len(digest) == 1
    assert digest[0]["Subject"] == f"[Theo dõi chỉ đạo] Tổng hợp ngày {local_today():%d/%m/%Y}"
    text = body(digest[0])
    assert "THÔNG BÁO MỚI" in text and "Nhiệm vụ mới" in text and f"{BASE_URL}/nhiem-vu?directive=" in text
    with demo.app_context():
        assert user_named("soyte").digest_sent_at is not None
        schedule.morning(local_today(), force=True)
    later = smtp.to("soyte@soyte.kontum.gov.vn")[1:]  # nothing was notified since the first digest
    assert all("THÔNG BÁO MỚI" not in body(message) for message in later)


def test_each_morning_due_soon_and_overdue_tasks_are_mailed(smtp, live):
    with live.app_context():
        set_mail("soyte", "soyte@soyte.kontum.gov.vn", kinds="due_soon,overdue")
        today = local_today()
        items = db.session.scalars(select(Assignment).join(Agency, Assignment.agency_id == Agency.id)
                                   .where(Agency.short_name == "Sở Y tế")).all()
        for other in items:
            other.deadline = today + timedelta(days=60)
        soon, late = items[0], items[1]
        soon.deadline, late.deadline = today + timedelta(days=1), today - timedelta(days=2)
        db.session.commit()
        soon_id, late_id, soon_deadline = soon.id, late.id, soon.deadline
        schedule.morning(today, force=True)
    received = smtp.to("soyte@soyte.kontum.gov.vn")
    subjects = sorted(m["Subject"] for m in received)
    assert subjects == [f"[Theo dõi chỉ đạo] Nhiệm vụ quá hạn: 1 nhiệm vụ (ngày {today:%d/%m/%Y})",
                        f"[Theo dõi chỉ đạo] Nhiệm vụ sắp đến hạn: 1 nhiệm vụ (ngày {today:%d/%m/%Y})"]
    by_subject = {m["Subject"]: body(m) for m in received}
    overdue = next(text for subject, text in by_subject.items() if "quá hạn" in subject)
    assert f"{BASE_URL}/nhiem-vu/{late_id}" in overdue and "quá 2 ngày" in overdue
    assert f"{BASE_URL}/nhiem-vu?timeliness=qua_han" in overdue
    due = next(text for subject, text in by_subject.items() if "sắp đến hạn" in subject)
    assert f"{BASE_URL}/nhiem-vu/{soon_id}" in due and f"hạn {soon_deadline:%d/%m/%Y}" in due


def test_the_morning_runs_once_a_day_at_seven_vietnam_time(demo):
    with demo.app_context():
        assert schedule.every_morning(datetime(2026, 6, 15, 0, 0))  # 00:00 UTC is 07:00 in Việt Nam
        assert not schedule.every_morning(datetime(2026, 6, 15, 7, 0))
        assert not schedule.every_morning(datetime(2026, 6, 15, 0, 1))
        assert schedule.morning(date(2026, 6, 15)) != {"skipped": True}
        assert schedule.morning(date(2026, 6, 15)) == {"skipped": True}  # a second consumer does nothing


@pytest.mark.clock("2026-07-01T07:00:00+07:00")
def test_the_first_morning_of_a_month_takes_the_month_end_snapshot(live):
    with live.app_context():
        db.session.execute(update(Assignment).values(created_at=datetime(2026, 6, 1)))
        db.session.commit()
        result = schedule.morning(local_today(), force=True)
        assert result["snapshots"]
        cutoffs = set(db.session.scalars(select(Snapshot.cutoff)))
        assert cutoffs == {date(2026, 6, 30)}
        assert schedule.month_end_snapshots(date(2026, 7, 2)) == []  # only on the 1st


def test_the_settings_page_saves_the_address_and_preferences(demo, login):
    user = login("soyte")
    page = user.get("/tai-khoan/thu-dien-tu").get_data(as_text=True)
    assert "Nhận thư khi" in page and "Một thư tổng hợp mỗi sáng" in page and 'name="csrf_token"' in page
    bad = user.post_form("/tai-khoan/thu-dien-tu", {"email": "không phải địa chỉ", "kinds": ["new"],
                                                   "delivery": "single"})
    assert bad.status_code == 400 and "Địa chỉ thư điện tử không hợp lệ" in bad.get_data(as_text=True)
    saved = user.post_form("/tai-khoan/thu-dien-tu", {"email": "soyte@soyte.kontum.gov.vn",
                                                     "kinds": ["new", "overdue"], "delivery": "digest"})
    assert saved.status_code == 302
    with demo.app_context():
        soyte = user_named("soyte")
        assert (soyte.email, soyte.mail_kinds, soyte.mail_digest) == ("soyte@soyte.kontum.gov.vn", "new,overdue", True)
    no_token = user.client.post("/tai-khoan/thu-dien-tu", data={"email": "x@y.vn", "delivery": "single"})
    assert no_token.status_code == 400  # CSRF


def test_a_mail_server_that_is_down_does_not_break_the_page(demo):
    demo.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    with demo.app_context():
        set_mail("soyte", "soyte@soyte.kontum.gov.vn")
    assert go_live(demo)  # committed, the mail failed twice and was logged


@contextmanager
def real_queue(app, tmp_path):
    app.config.update(HUEY_IMMEDIATE=False, HUEY_NAME=f"mail-{uuid.uuid4().hex[:8]}", REDIS_URL="",
                      HUEY_SQLITE_PATH=str(tmp_path / "huey.db"))
    jobs.configure(app)
    worker = jobs.huey.create_consumer(workers=1, worker_type="thread", periodic=False, initial_delay=0.05,
                                       max_delay=0.2, check_worker_health=False)
    worker._set_signal_handlers = lambda: None
    try:
        yield worker
    finally:
        worker.stop(graceful=True)
        app.config["HUEY_IMMEDIATE"] = True
        jobs.configure(app)


def test_mail_is_sent_by_the_queue_consumer(smtp, demo, tmp_path):
    with demo.app_context():
        set_mail("soyte", "soyte@soyte.kontum.gov.vn")
    with real_queue(demo, tmp_path) as worker:
        go_live(demo)
        assert smtp.messages == [] and len(jobs.huey) >= 1  # queued, not sent by the request
        worker.start()
        smtp.wait(1)
    assert smtp.to("soyte@soyte.kontum.gov.vn")


def test_an_admin_gives_a_user_an_address_that_then_receives_every_kind(demo, login):
    with demo.app_context():
        soyte = user_named("soyte")
        soyte_id, agency_id = soyte.id, soyte.agency_id
    admin = login("admin")
    url = f"/quan-tri/nguoi-dung/{soyte_id}"
    page = admin.get(url).get_data(as_text=True)
    assert 'name="email"' in page
    saved = admin.post_form(url, {"username": "soyte", "full_name": "Chuyên viên Sở Y tế", "email": "soyte@kontum.gov.vn",
                                  "roles": ["staff"], "agency_id": str(agency_id), "admin_scope_id": "",
                                  "active": "y"})
    assert saved.status_code == 302, saved.get_data(as_text=True)[:3000]
    with demo.app_context():
        soyte = user_named("soyte")
        assert soyte.email == "soyte@kontum.gov.vn" and soyte.mail_kind_set == set(mail.MAIL_KINDS)
    log = admin.get("/quan-tri/nhat-ky").get_data(as_text=True)
    assert "thư điện tử" in log and "soyte@kontum.gov.vn" in log
    bad = admin.post_form(url, {"username": "soyte", "full_name": "Chuyên viên Sở Y tế", "email": "sai@",
                                "roles": ["staff"], "agency_id": str(agency_id), "admin_scope_id": "", "active": "y"})
    assert bad.status_code == 400 and "Địa chỉ thư điện tử không hợp lệ" in bad.get_data(as_text=True)
