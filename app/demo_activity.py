"""Made-up follow-up on the demo directives, so that `make run` shows organisations at work.

The directive texts stay exactly as in directives/; what is invented here is labelled demo
follow-up: the seeds' parent documents are entered in the receiving organisations' incoming
registers (number, date and issuer only, as the seeds cite them) and linked to the seeds that
implement them; each seed is numbered in its own organisation's outgoing register; deadlines
relative to today, progress reports, completions (some late), one extension request waiting; and
one cascade below seed 001: Sở Y tế tỉnh Kon Tum's implementing letter to its own units, issued,
with a unit reporting. Deterministic (fixed seed), and applied only once.
"""
import random
from datetime import date, time, timedelta

from sqlalchemy import func, select

from app.clock import utc_at
from app.directive_format import directive_to_data, parse_directive
from app.directives import cascade, letters, lifecycle, received
from app.directives.service import resolve_assignees, save_directive
from app.extensions import db
from app.models import Agency, Assignment, Directive, ExtensionRequest, ProgressReport, ReceivedEntry, User
from app.rules.permissions import CLERK, LEADER, STAFF
from app.rules.workflow import AWAITING, DONE, IN_PROGRESS, NOT_STARTED
from app.tracking import notifications

# days from today to the deadline of each section, per demo directive file (None: no deadline)
DEADLINES = {
    "000-": [-12, 9],
    "001-": [-6, 2, 25],
    "002-": [20, -3, 14, 5, 30],
    "003-": [1, -20, 40],
    "004-": [None],
}
# The documents the seeds cite as their basis, entered as received (number, date, issuer as printed).
PARENTS = {
    "001-": ("Ủy ban nhân dân tỉnh Kon Tum", {
        "doc_type": "cong_dien", "issuer": ["VĂN PHÒNG CHÍNH PHỦ"], "number": "8149", "symbol": "CD-VPCP",
        "date": "2021-11-07", "subject": "tiếp tục tăng cường thực hiện các biện pháp phòng, chống dịch COVID-19"}),
    "003-": ("Ủy ban nhân dân tỉnh Lạng Sơn", {
        "doc_type": "bao_cao", "issuer": ["TỈNH ỦY LẠNG SƠN", "BAN DÂN VẬN"], "number": "110-BC",
        "symbol": "BDVTU", "date": "2021-07-19",
        "subject": "công tác phòng, chống dịch COVID-19 trên địa bàn tỉnh Lạng Sơn"}),
    "004-": ("Trung tâm Y tế huyện Xuyên Mộc", {
        "doc_type": "cong_van", "issuer": ["ỦY BAN NHÂN DÂN", "HUYỆN XUYÊN MỘC"], "number": "3617",
        "symbol": "UBND-VP", "date": "2021-06-25",
        "subject": "tăng cường công tác phòng, chống dịch bệnh Covid-19 trên địa bàn tỉnh"}),
}
CASCADE_FROM = "001-"
CASCADE_ORGANISATION = "Sở Y tế tỉnh Kon Tum"
CASCADE_UNITS = ("Trung tâm Kiểm soát bệnh tật tỉnh Kon Tum", "Trung tâm Y tế huyện Ia H'Drai")
CASCADE_SIGNER = {"authority": "KT.", "authority_title": "GIÁM ĐỐC", "title": "PHÓ GIÁM ĐỐC",
                  "name": "Võ Văn Giám Đốc"}
REPORT_TIME = time(9, 30)  # local office hours: the report lands on the day it is dated
NOTES = ("Đã ban hành kế hoạch triển khai và phân công cán bộ phụ trách.",
         "Đã tổ chức kiểm tra tại các cơ sở; đang tổng hợp kết quả.",
         "Đã họp triển khai, đang thực hiện theo kế hoạch.")


def already_applied() -> bool:
    return bool(db.session.scalar(select(func.count(ProgressReport.id)))) or bool(
        db.session.scalar(select(func.count(ReceivedEntry.id))))


def _user_with(role: str, agency_id: int | None) -> User | None:
    """A demo user holding `role` for the organisation (its own people or its Văn phòng's)."""
    for user in db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)):
        if role in user.role_names and agency_id in user.organisation_ids:
            return user
    return None


def _seed(key: str) -> Directive | None:
    return db.session.scalar(select(Directive).where(Directive.source_key.startswith(key)))


def apply(today: date) -> int:
    """Return how many assignments got a story."""
    rng = random.Random(2026)
    parents = _register_parents(today)
    _issue_seeds(parents, today)
    touched = 0
    for key, offsets in DEADLINES.items():
        directive = _seed(key)
        if directive is None or directive.state != "issued":
            continue
        office = _user_with(STAFF, directive.owner_agency_id)
        for section, offset in zip(directive.live_sections, offsets):
            deadline = today + timedelta(days=offset) if offset is not None else None
            for task in section.live_tasks:
                for assignment in task.assignments:
                    assignment.deadline = assignment.original_deadline = deadline
                    reporter = _user_with(STAFF, assignment.agency_id)
                    touched += _story(assignment, deadline, today, rng, reporter, office)
    touched += _cascade(today)
    _extension_waiting(today)
    return touched


def _register_parents(today: date) -> dict[str, Directive]:
    registered = {}
    for key, (receiver_name, raw) in PARENTS.items():
        receiver = db.session.scalar(select(Agency).where(Agency.name == receiver_name))
        if receiver is None or _seed(key) is None:
            continue
        data = parse_directive({**raw, "sections": []})
        clerk = _user_with(CLERK, receiver.id)
        arrived = data["date"] + timedelta(days=1)
        parent, _entry = received.register(data, receiver, clerk, received_date=arrived)
        registered[key] = parent
    db.session.flush()
    return registered


def _issue_seeds(parents: dict[str, Directive], today: date) -> None:
    """Each unnumbered seed goes out from its own register, linked to the document it implements."""
    for key in DEADLINES:
        directive = _seed(key)
        if directive is None:
            continue
        parent = parents.get(key)
        if parent is not None:
            directive.parent = parent
            implemented = next((a for s in parent.live_sections for t in s.live_tasks for a in t.assignments), None)
            for section in directive.live_sections:
                for task in section.live_tasks:
                    task.implements_id = implemented.id if implemented else None
        if directive.state == "approved":
            clerk = _user_with(CLERK, directive.issuer_agency_id)
            if clerk is not None:
                try:
                    with db.session.begin_nested():
                        letters.issue(directive, clerk, today=today)
                except letters.IssueError:
                    # as received, the letter breaks an ND30 rule that blocks issuing (seed 002 prints no
                    # signer's name, seed 004's Nơi nhận lacks "Như trên"): it stays approved, and its page
                    # tells the clerk what to fix
                    db.session.refresh(directive)
    db.session.flush()


def _cascade(today: date) -> int:
    """Sở Y tế's implementing letter to its units, drafted, approved and issued by its own people."""
    seed = _seed(CASCADE_FROM)
    organisation = db.session.scalar(select(Agency).where(Agency.name == CASCADE_ORGANISATION))
    units = [db.session.scalar(select(Agency).where(Agency.name == name)) for name in CASCADE_UNITS]
    staff, leader, clerk = (_user_with(role, getattr(organisation, "id", None)) for role in (STAFF, LEADER, CLERK))
    if seed is None or seed.state != "issued" or organisation is None or None in units or None in (staff, leader, clerk):
        return 0
    draft, _warnings = cascade.draft_implementing(seed, organisation, staff)
    data = directive_to_data(draft)  # what the Sở's staff then complete in the form
    data.update(symbol="SYT-NVY", recipients=[unit.name for unit in units], signer=CASCADE_SIGNER)
    for section, row in zip(data["sections"], draft.live_sections):
        section["id"] = row.id
        section["assignees"] = [{"agency": unit.name, "role": "lead" if index == 0 else "coordinating",
                                 "deadline": None} for index, unit in enumerate(units)]
        for task_data, task in zip(section["tasks"], row.live_tasks):
            task_data["id"] = task.id
    resolve_assignees(data, organisation)
    save_directive(draft, data, staff, organisation)
    lifecycle.approve(draft, leader)
    letters.issue(draft, clerk, today=today)
    touched = 0
    for index, assignment in enumerate(a for s in draft.live_sections for t in s.live_tasks for a in t.assignments):
        assignment.deadline = assignment.original_deadline = today + timedelta(days=(-2, 5, 12)[index % 3])
        if index % 2 == 0:  # the lead unit has reported on every other task
            reporter = _user_with(STAFF, assignment.agency_id)
            _report(assignment, getattr(reporter, "id", None), NOT_STARTED, AWAITING, 100,
                    "Đã triển khai tại đơn vị, gửi báo cáo kết quả.", today - timedelta(days=1))
            assignment.status, assignment.progress_percent = AWAITING, 100
            assignment.completed_date = today - timedelta(days=1)
            touched += 1
    return touched


def _extension_waiting(today: date) -> None:
    reporters = {}
    health = None
    for assignment in db.session.scalars(select(Assignment).where(Assignment.status == IN_PROGRESS)
                                         .order_by(Assignment.id)):
        reporter = reporters.setdefault(assignment.agency_id, _user_with(STAFF, assignment.agency_id))
        if reporter is not None and assignment.deadline and assignment.deadline >= today:
            health = assignment
            break
    if health is None:
        return
    reporter = reporters[health.agency_id]
    db.session.add(ExtensionRequest(assignment=health, sequence=1, requested_by_id=reporter.id,
                                    deadline_before=health.deadline, requested_deadline=health.deadline + timedelta(days=15),
                                    reason="Chờ kinh phí mua sinh phẩm xét nghiệm từ ngân sách tỉnh.", status="pending"))
    notifications.notify(notifications.office_users(health.directive.owner_agency_id), "extension",
                         f"{health.agency.short_name} đề nghị gia hạn lần 1: {health.task.text[:100]}", health)


def _story(assignment, deadline, today, rng, reporter, office) -> int:
    roll = rng.random()
    reporter_id = reporter.id if reporter else None
    if roll < 0.35:
        return 0  # not started yet
    started = today - timedelta(days=rng.randint(8, 20))
    _report(assignment, reporter_id, NOT_STARTED, IN_PROGRESS, rng.choice((20, 30, 50)), rng.choice(NOTES), started)
    assignment.status, assignment.progress_percent = IN_PROGRESS, rng.choice((30, 50, 70))
    if roll < 0.65:
        return 1
    finished = (deadline + timedelta(days=rng.choice((-4, -1, 3)))) if deadline else today - timedelta(days=2)
    finished = min(finished, today)
    _report(assignment, reporter_id, IN_PROGRESS, AWAITING, 100, "Đã hoàn thành, gửi báo cáo kết quả.", finished)
    assignment.status, assignment.progress_percent, assignment.completed_date = AWAITING, 100, finished
    if roll < 0.75:
        return 1
    _report(assignment, office.id if office else None, AWAITING, DONE, 100, "", min(finished + timedelta(days=1), today))
    assignment.status = DONE
    return 1


def _report(assignment, user_id, old, new, percent, note, day):
    db.session.add(ProgressReport(assignment=assignment, user_id=user_id, old_status=old, new_status=new,
                                  percent=percent, note=note, created_at=utc_at(day, REPORT_TIME)))
