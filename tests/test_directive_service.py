"""Saving a directive: fan-out, and edits before issuing that keep the assignments' history."""
from datetime import date

from sqlalchemy import func, select

from app.directive_format import directive_to_data, parse_directive
from app.directives.service import find_issuer, resolve_assignees, save_directive
from app.extensions import db
from app.models import Agency, Assignment, Directive, ProgressReport, Task, User
from app.tracking.service import change_assignment


def kon_tum_data(**overrides):
    data = {
        "doc_type": "cong_van", "issuer": ["ỦY BAN NHÂN DÂN", "TỈNH KON TUM"], "symbol": "UBND-KGVX",
        "subject": "kiểm tra an toàn thực phẩm", "recipients": ["Sở Y tế", "UBND các huyện, thành phố"],
        "preamble": "Thực hiện chỉ đạo của Bộ Y tế;",
        "sections": [
            {"number": "1", "heading": "Sở Y tế chủ trì, phối hợp với Công an tỉnh:",
             "assignees": [{"agency": "Sở Y tế", "role": "lead"},
                           {"agency": "Công an tỉnh", "role": "coordinating", "deadline": "2026-12-20"}],
             "tasks": [{"text": "Kiểm tra các bếp ăn tập thể.", "deadline": "2026-12-31"},
                       {"text": "Báo cáo kết quả về UBND tỉnh."}]},
            {"number": "2", "tasks": [{"text": "Tuyên truyền người dân."}]},
        ],
        "closing": "Yêu cầu các đơn vị thực hiện./.", "cc": ["Như trên", "Lưu: VT, KGVX"],
        "signer": {"authority": "KT.", "authority_title": "CHỦ TỊCH", "title": "PHÓ CHỦ TỊCH", "name": "Nguyễn Văn A"},
    }
    data.update(overrides)
    return parse_directive(data)


def save(data, directive=None):
    office = db.session.scalar(select(User).where(User.username == "vanphong"))
    issuer = find_issuer(data["issuer"])
    assert resolve_assignees(data, issuer) == []
    saved, warnings = save_directive(directive, data, office, issuer)
    db.session.commit()
    return saved, warnings


def agency_id(name):
    return db.session.scalar(select(Agency.id).where(Agency.name == name))


def test_named_agencies_and_recipient_fallback(demo):
    with demo.app_context():
        directive, warnings = save(kon_tum_data())
        first, second = directive.sections
        check, report = first.tasks
        # the deadline printed closest to the task wins: the task's own (31/12) over Công an's in the
        # section (20/12), and the person entering it is told
        roles = {a.agency.short_name: (a.role, a.deadline) for a in check.assignments}
        assert roles == {"Sở Y tế": ("lead", date(2026, 12, 31)), "Công an tỉnh": ("coordinating", date(2026, 12, 31))}
        assert len(warnings) == 1 and "31/12/2026" in warnings[0] and "20/12/2026" in warnings[0]
        # a task without a deadline of its own takes the section's
        assert {a.agency.short_name: a.deadline for a in report.assignments} == {
            "Sở Y tế": None, "Công an tỉnh": date(2026, 12, 20)}
        # section 2 names nobody: each recipient leads (the group fans out to its 10 members)
        assert len(second.tasks[0].assignments) == 1 + 10
        assert all(a.role == "lead" for a in second.tasks[0].assignments)


def test_round_trip_to_directive_format(demo):
    with demo.app_context():
        directive, _ = save(kon_tum_data())
        data = directive_to_data(directive)
        assert data["subject"] == "kiểm tra an toàn thực phẩm"
        assert data["sections"][0]["assignees"][1] == {
            "agency": "Công an tỉnh Kon Tum", "role": "coordinating", "deadline": date(2026, 12, 20)}
        assert [t["text"] for t in data["sections"][0]["tasks"]] == [
            "Kiểm tra các bếp ăn tập thể.", "Báo cáo kết quả về UBND tỉnh."]


def test_edit_before_issue_keeps_history(demo):
    with demo.app_context():
        directive, _ = save(kon_tum_data())
        check_task = directive.sections[0].tasks[0]
        police = next(a for a in check_task.assignments if a.agency.short_name == "Công an tỉnh")
        health = next(a for a in check_task.assignments if a.agency.short_name == "Sở Y tế")
        soyte_user = db.session.scalar(select(User).where(User.username == "soyte"))
        directive.state = "issued"  # work is reported only once the letter is out
        change_assignment(health, soyte_user, "start", 30, "Đã lập kế hoạch kiểm tra.", health.version)
        db.session.commit()
        health_id, police_id, task_id = health.id, police.id, check_task.id

        # The editor rewrites section 1: new heading, drops Công an tỉnh, removes the task that has history,
        # keeps the second task (by id) and adds a new one.
        data = kon_tum_data()
        data["sections"][0]["id"] = directive.sections[0].id
        data["sections"][0]["heading"] = "Sở Y tế chủ trì:"
        data["sections"][0]["assignees"] = data["sections"][0]["assignees"][:1]
        kept_task = directive.sections[0].tasks[1]
        data["sections"][0]["tasks"] = [{"id": kept_task.id, "text": kept_task.text, "deadline": None},
                                        {"text": "Nhiệm vụ mới.", "deadline": None}]
        resolve_assignees(data, directive.issuer_agency)
        save_directive(directive, data, soyte_user, directive.issuer_agency)
        db.session.commit()
        db.session.expire_all()

        # the task with history is hidden, not deleted; its report is still there
        removed = db.session.get(Task, task_id)
        assert removed is not None and removed.removed
        assert db.session.get(Assignment, health_id).active is False
        assert db.session.scalar(select(func.count(ProgressReport.id)).where(
            ProgressReport.assignment_id == health_id)) == 1
        # the police assignment had no history: it is gone
        assert db.session.get(Assignment, police_id) is None
        live = [t.text for t in directive.sections[0].live_tasks]
        assert live == ["Báo cáo kết quả về UBND tỉnh.", "Nhiệm vụ mới."]
        assert directive.sections[0].heading == "Sở Y tế chủ trì:"
        assert {a.agency.short_name for a in kept_task.assignments if a.active} == {"Sở Y tế"}


def test_per_task_agency_deadline_and_directive_deadline(demo):
    """"Sở Tài chính ... trước ngày 15/12" inside a task, a letter-wide deadline for the rest."""
    with demo.app_context():
        data = kon_tum_data(deadline="2027-01-31")
        data["sections"][1]["tasks"][0]["agency_deadlines"] = [{"agency": "Sở Y tế", "deadline": date(2026, 12, 15)}]
        directive, _ = save(data)
        spread = directive.sections[1].tasks[0]
        deadlines = {a.agency.short_name: a.deadline for a in spread.assignments}
        assert deadlines.pop("Sở Y tế") == date(2026, 12, 15)
        assert set(deadlines.values()) == {date(2027, 1, 31)}
        back = directive_to_data(directive)
        assert back["deadline"] == date(2027, 1, 31)
        assert back["sections"][1]["tasks"][0]["agency_deadlines"] == [
            {"agency": "Sở Y tế tỉnh Kon Tum", "deadline": date(2026, 12, 15)}]


def test_kept_task_keeps_its_assignment_rows(demo):
    with demo.app_context():
        directive, _ = save(kon_tum_data())
        task = directive.sections[0].tasks[1]
        ids_before = {a.id for a in task.assignments}
        data = kon_tum_data(subject="kiểm tra an toàn thực phẩm dịp Tết")
        data["sections"][0]["id"] = directive.sections[0].id
        data["sections"][0]["tasks"][1]["id"] = task.id
        save(data, directive)
        assert {a.id for a in task.assignments} == ids_before
        assert directive.version == 2


def test_unknown_names_are_reported(demo):
    with demo.app_context():
        data = kon_tum_data()
        data["sections"][0]["assignees"].append({"agency": "Sở Du hành vũ trụ", "role": "lead", "deadline": None})
        issuer = find_issuer(data["issuer"])
        assert resolve_assignees(data, issuer) == ["Sở Du hành vũ trụ"]


def test_issuer_is_found_by_its_printed_header(demo):
    with demo.app_context():
        assert find_issuer(["Ủy ban nhân dân", "tỉnh kon tum"]).name == "Ủy ban nhân dân tỉnh Kon Tum"
        assert find_issuer(["ỦY BAN NHÂN DÂN", "TỈNH KHÔNG CÓ"]) is None


def test_search_text_is_folded(demo):
    with demo.app_context():
        directive, _ = save(kon_tum_data())
        assert "bep an tap the" in directive.search_text
        assert db.session.scalar(select(func.count(Directive.id))) == 6
