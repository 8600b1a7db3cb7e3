"""Two people doing the same thing at the same moment (issue 11, defect 6). Each test holds every
request at the same point, after it has read the record and before it writes (a barrier in front of
the service call), so the race happens every time rather than by luck. Only one may win; the others
are told in Vietnamese that someone changed it first (409), nothing answers 500, and what is stored
agrees with itself."""
import re
import threading
from datetime import timedelta

from sqlalchemy import func, select

from app.clock import local_today
from app.extensions import db
from app.models import Agency, AgencyGroup, Assignment, Directive, DirectiveComment, ExtensionRequest, ProgressReport, Snapshot
from tests.helpers import Client, csrf_from, directive_from

HEALTH = "Sở Y tế tỉnh Kon Tum"
CONFLICT = "Người khác vừa thay đổi nội dung này trước bạn"


def at_once(monkeypatch, module, name, requests):
    """Run each of `requests` (a function making one HTTP request) in its own thread; every one waits at
    `module.name` until all have reached it. Returns the responses in order."""
    barrier = threading.Barrier(len(requests), timeout=60)
    real = getattr(module, name)

    def held(*args, **kwargs):
        barrier.wait()
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, held)
    responses = [None] * len(requests)

    def run(index):
        responses[index] = requests[index]()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert all(response is not None for response in responses)
    return responses


def outcome(responses):
    """The status codes, sorted; every loser was told what happened, in Vietnamese."""
    codes = sorted(response.status_code for response in responses)
    assert 500 not in codes, codes
    for response in responses:
        if response.status_code == 409:
            text = response.get_data(as_text=True)
            assert CONFLICT in text or "vừa được người khác cập nhật" in text
    return codes


def in_progress_assignment(app):
    with app.app_context():
        assignment = db.session.scalar(select(Assignment).join(Agency).where(Agency.name == HEALTH)
                                       .order_by(Assignment.id))
        assignment.status = "dang_thuc_hien"
        assignment.deadline = assignment.original_deadline = local_today() + timedelta(days=10)
        db.session.commit()
        return assignment.id


def version_of(html):
    return re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)


def prepared(client: Client, url: str, fields: dict, page: str):
    """A post ready to send: the CSRF token (and the version) read now, sent later."""
    html = client.get(page).get_data(as_text=True)
    data = {"csrf_token": csrf_from(html), **fields}
    if "version" in fields:
        data["version"] = version_of(html)
    return lambda: client.client.post(url, data=data)


def test_approve_and_reject_of_one_extension_at_once(live, monkeypatch):
    from app.tracking import service

    assignment_id = in_progress_assignment(live)
    page = f"/nhiem-vu/{assignment_id}"
    department = Client(live).login("soyte")
    asked = local_today() + timedelta(days=40)
    response = department.post_form(f"{page}/gia-han", {"requested_deadline": asked.strftime("%d/%m/%Y"),
                                                        "reason": "Chờ kinh phí."}, page=page)
    assert response.status_code == 302
    with live.app_context():
        request_id = db.session.scalar(select(ExtensionRequest.id))
        before = db.session.get(Assignment, assignment_id).deadline
    approve = prepared(Client(live).login("vanphong"), f"/gia-han/{request_id}/dong-y", {"note": ""}, page)
    reject = prepared(Client(live).login("vanphong"), f"/gia-han/{request_id}/tu-choi", {"note": "Không đủ căn cứ."},
                      page)
    outcome(at_once(monkeypatch, service, "decide_extension", [approve, reject]))
    with live.app_context():
        request = db.session.get(ExtensionRequest, request_id)
        deadline = db.session.get(Assignment, assignment_id).deadline
        decisions = db.session.scalar(select(func.count(ProgressReport.id)).where(
            ProgressReport.assignment_id == assignment_id, ProgressReport.note.contains("gia hạn lần 1")))
    assert request.status in ("approved", "rejected")
    assert deadline == (asked if request.status == "approved" else before)
    assert decisions == 1


def test_two_extension_requests_at_once_take_one_number(live, monkeypatch):
    from app.tracking import service

    assignment_id = in_progress_assignment(live)
    page = f"/nhiem-vu/{assignment_id}"
    asked = (local_today() + timedelta(days=40)).strftime("%d/%m/%Y")
    posts = [prepared(Client(live).login("soyte"), f"{page}/gia-han",
                      {"requested_deadline": asked, "reason": f"Lý do {n}."}, page) for n in range(2)]
    codes = outcome(at_once(monkeypatch, service, "request_extension", posts))
    with live.app_context():
        sequences = db.session.scalars(select(ExtensionRequest.sequence)).all()
    assert sequences == [1] and codes == [302, 409]


def test_eight_cut_offs_of_one_day_at_once_leave_one(live, monkeypatch):
    from app.tracking import snapshots

    day = local_today().strftime("%d/%m/%Y")
    posts = [prepared(Client(live).login("vanphong"), "/theo-doi/chot-so-lieu", {"cutoff": day}, "/theo-doi")
             for _ in range(8)]
    codes = outcome(at_once(monkeypatch, snapshots, "take", posts))
    with live.app_context():
        assert db.session.scalar(select(func.count(Snapshot.id))) == 1
    assert 302 in codes and set(codes) <= {302, 409}


def test_four_leaders_approving_one_draft_at_once(demo, monkeypatch):
    from app.directives import lifecycle

    with demo.app_context():
        directive = directive_from("001")
        directive.state = "submitted"
        db.session.commit()
        directive_id = directive.id
    page = f"/van-ban/{directive_id}"
    posts = [prepared(Client(demo).login("lanhdao"), f"{page}/duyet", {"note": ""}, page) for _ in range(4)]
    codes = outcome(at_once(monkeypatch, lifecycle, "approve", posts))
    with demo.app_context():
        assert db.session.get(Directive, directive_id).state == "approved"
        approvals = db.session.scalar(select(func.count(DirectiveComment.id)).where(
            DirectiveComment.directive_id == directive_id, DirectiveComment.kind == "approve"))
    assert approvals == 1 and codes == [302] * 4  # the other three are told it changed first (a flash)


def test_two_groups_of_one_name_at_once(demo, monkeypatch):
    from app.admin import views

    with demo.app_context():
        owner = db.session.scalar(select(Agency.id).where(Agency.name == "Ủy ban nhân dân tỉnh Kon Tum"))
        member = db.session.scalar(select(Agency.id).where(Agency.name == HEALTH))
    fields = {"name": "Các sở phụ trách y tế", "owner_id": str(owner), "description": "", "members": [member]}
    posts = [prepared(Client(demo).login("admin"), "/quan-tri/nhom/moi", fields, "/quan-tri/nhom/moi")
             for _ in range(2)]
    codes = outcome(at_once(monkeypatch, views, "save_group", posts))
    with demo.app_context():
        assert db.session.scalar(select(func.count(AgencyGroup.id)).where(
            AgencyGroup.name == "Các sở phụ trách y tế")) == 1
    assert codes == [302, 409]


def test_a_note_that_changes_nothing_and_a_suspension_at_once(live, monkeypatch):
    from app.tracking import service

    assignment_id = in_progress_assignment(live)
    page = f"/nhiem-vu/{assignment_id}"
    with live.app_context():
        percent = str(db.session.get(Assignment, assignment_id).progress_percent)
    note = prepared(Client(live).login("soyte"), page,
                    {"action": "progress", "percent": percent, "note": "Đang làm.", "version": ""}, page)
    suspend = prepared(Client(live).login("vanphong"), page,
                       {"action": "suspend", "percent": percent, "note": "Chờ chỉ đạo mới.", "version": ""}, page)
    responses = at_once(monkeypatch, service, "change_assignment", [note, suspend])
    codes = outcome(responses)
    assert codes == [302, 409]
    loser = next(r for r in responses if r.status_code == 409)
    assert "vừa được người khác cập nhật" in loser.get_data(as_text=True)
    with live.app_context():
        assignment = db.session.get(Assignment, assignment_id)
        reports = db.session.scalars(select(ProgressReport).where(ProgressReport.assignment_id == assignment_id)
                                     .order_by(ProgressReport.id)).all()
        assert reports and reports[-1].new_status == assignment.status
        assert sum(1 for r in reports if r.note in ("Đang làm.", "Chờ chỉ đạo mới.")) == 1
