"""Business rules as plain functions: fan-out, permissions, workflow, name matching."""
from datetime import date
from types import SimpleNamespace as NS

import pytest

from app.rules import directive_states, fanout, permissions
from app.rules.names import build_index, lookup, name_key
from app.rules.workflow import (
    AWAITING, CANCELLED, DONE, IN_PROGRESS, NOT_STARTED, SUSPENDED, TransitionError, allowed_transitions,
    plan_transition,
)

TODAY = date(2026, 11, 22)


# ---- fan-out ------------------------------------------------------------------------------

def group(group_id, *members, role="lead", deadline=None):
    return {"agency_id": None, "group_id": group_id, "member_ids": list(members), "role": role, "deadline": deadline}


def agency(agency_id, role="lead", deadline=None):
    return {"agency_id": agency_id, "group_id": None, "role": role, "deadline": deadline}


def test_group_fans_out_into_one_duty_per_member():
    duties = fanout.expand([group(7, 1, 2, 3)])
    assert sorted(duties) == [1, 2, 3]
    assert all(d.via_group_id == 7 and d.role == "lead" for d in duties.values())


def test_lead_beats_coordinating_when_an_agency_is_named_twice():
    # "Giao UBND thành phố làm đầu mối phối hợp với các huyện, thị xã, thành phố"
    duties = fanout.expand([agency(1, "lead"), group(9, 1, 2, 3, role="coordinating")])
    assert duties[1].role == "lead" and duties[1].via_group_id is None
    assert duties[2].role == "coordinating" and duties[2].via_group_id == 9


def test_coordinating_first_then_lead_still_gives_lead():
    duties = fanout.expand([group(9, 1, 2, role="coordinating"), agency(2, "lead")])
    assert duties[2].role == "lead"


def test_the_deadline_printed_closest_to_the_task_wins():
    """Per task and agency > task > section assignee > directive."""
    directive, section, task, own = date(2026, 12, 31), date(2026, 12, 20), date(2026, 12, 15), date(2026, 12, 10)
    duties = fanout.expand([agency(1, deadline=section), agency(2, deadline=section), agency(3)],
                           task_deadline=None, directive_deadline=directive)
    assert (duties[1].deadline, duties[3].deadline) == (section, directive)
    duties = fanout.expand([agency(1, deadline=section), agency(2, deadline=section)], task_deadline=task,
                           directive_deadline=directive, agency_deadlines={2: own})
    assert (duties[1].deadline, duties[2].deadline) == (task, own)
    assert fanout.expand([agency(4)])[4].deadline is None


def test_a_section_deadline_that_differs_from_the_task_is_reported():
    task = date(2026, 12, 30)
    assert fanout.deadline_conflicts(task, [("UBND các huyện", date(2026, 12, 15)), ("Sở Y tế", task),
                                            ("Công an", None)]) == [("UBND các huyện", date(2026, 12, 15))]
    assert fanout.deadline_conflicts(None, [("UBND các huyện", date(2026, 12, 15))]) == []


def test_plan_sync_keeps_existing_rows_creates_new_and_retires_dropped():
    existing = [NS(agency_id=1), NS(agency_id=2)]
    plan = fanout.plan_sync(existing, fanout.expand([agency(2), agency(3)]))
    assert [d.agency_id for d in plan.create] == [3]
    assert [a.agency_id for a, _ in plan.update] == [2]
    assert [a.agency_id for a in plan.retire] == [1]


# ---- permissions --------------------------------------------------------------------------

PROVINCE, OFFICE, HEALTH, OTHER = 1, 2, 3, 9  # UBND tỉnh, its Văn phòng (serves 1), a Sở, another province


def user(*roles, agency_id=OFFICE, serves=PROVINCE):
    """A user of `agency_id`; a Văn phòng user also acts for the body it serves."""
    organisations = {agency_id} | ({serves} if serves else set())
    return NS(role_names=frozenset(roles), organisation_ids=frozenset(organisations), agency_id=agency_id,
              is_authenticated=True)


def directive(state, owner=PROVINCE, issuer=None):
    return NS(state=state, owner_agency_id=owner, issuer_agency_id=issuer or owner)


@pytest.mark.parametrize("roles, create, edit, approve, issue, manage", [
    (("admin",), False, False, False, False, True),
    (("staff",), True, True, False, False, False),
    (("leader",), False, False, False, False, False),  # a Văn phòng's leader: not the UBND's drafts
    (("clerk",), False, False, False, True, False),
    (("staff", "leader"), True, True, False, False, False),
])
def test_roles_act_for_the_users_organisations(roles, create, edit, approve, issue, manage):
    draft, approved = directive("draft"), directive("approved")
    someone = user(*roles)
    assert permissions.can_create_directive(someone) is create
    assert permissions.can_edit_directive(someone, draft) is edit
    assert permissions.can_approve_directive(someone, draft) is approve
    assert permissions.can_issue_directive(someone, approved) is issue
    assert permissions.can_manage_directory(someone) is manage


@pytest.mark.parametrize("owner", [HEALTH, OTHER])
def test_nobody_acts_on_another_organisations_directive(owner):
    everyone = user("staff", "leader", "clerk")
    assert not permissions.can_edit_directive(everyone, directive("draft", owner))
    assert not permissions.can_approve_directive(everyone, directive("draft", owner))
    assert not permissions.can_issue_directive(everyone, directive("approved", owner))


def test_a_vanphong_leader_approves_the_vanphong_letters_not_the_ubnds():
    chief = user("leader")  # Chánh Văn phòng
    assert permissions.can_approve_directive(chief, directive("draft", OFFICE))
    assert not permissions.can_approve_directive(chief, directive("draft", PROVINCE))
    chairman = user("leader", agency_id=PROVINCE, serves=None)
    assert permissions.can_approve_directive(chairman, directive("draft", PROVINCE))


def test_a_vanphong_user_acts_for_its_ubnd_and_for_itself_a_so_user_only_for_its_so():
    office_clerk, health_clerk = user("clerk"), user("clerk", agency_id=HEALTH, serves=None)
    assert permissions.can_issue_directive(office_clerk, directive("approved", PROVINCE))
    assert permissions.can_issue_directive(office_clerk, directive("approved", OFFICE))
    assert permissions.can_issue_directive(health_clerk, directive("approved", HEALTH))
    assert not permissions.can_issue_directive(health_clerk, directive("approved", PROVINCE))


@pytest.mark.parametrize("state", ["issued", "received"])
def test_issued_and_received_directives_are_frozen(state):
    assert not permissions.can_edit_directive(user("staff"), directive(state))


def test_anonymous_user_may_do_nothing():
    anonymous = NS(is_authenticated=False)
    assert not permissions.can_list_directives(anonymous)
    assert not permissions.can_create_directive(anonymous)
    assert permissions.organisations(anonymous) == frozenset()


def test_sides_on_an_assignment_follow_who_was_given_it_and_who_gave_it():
    health_staff = user("staff", agency_id=HEALTH, serves=None)
    given = NS(agency_id=HEALTH)
    assert permissions.sides(health_staff, given, PROVINCE, live=True) == {"department"}
    assert permissions.sides(user("staff"), given, PROVINCE, live=True) == {"office"}
    assert permissions.sides(user("staff"), NS(agency_id=OFFICE), PROVINCE, live=True) == {"department", "office"}
    assert permissions.sides(user("staff", agency_id=OTHER, serves=None), given, PROVINCE, live=True) == set()
    assert permissions.sides(user("leader"), given, PROVINCE, live=True) == set()
    assert permissions.sides(health_staff, given, PROVINCE, live=False) == set()  # not issued yet


# ---- workflow -------------------------------------------------------------------------------

def codes(status, side):
    return sorted(t.code for t in allowed_transitions(status, side))


def test_department_moves_its_work_forward_only():
    assert codes(NOT_STARTED, "department") == ["start", "submit"]
    assert codes(IN_PROGRESS, "department") == ["progress", "submit"]
    assert codes(AWAITING, "department") == []
    assert codes(DONE, "department") == []


def test_office_confirms_returns_suspends_cancels():
    assert codes(AWAITING, "office") == ["cancel", "confirm", "return", "suspend"]
    assert codes(SUSPENDED, "office") == ["cancel", "resume"]
    assert codes(DONE, "office") == []
    assert codes(CANCELLED, "office") == []


def test_submit_sets_completion_date_and_full_progress():
    changes = plan_transition(IN_PROGRESS, "department", "submit", 40, "Đã xong", TODAY)
    assert changes == {"status": AWAITING, "progress_percent": 100, "completed_date": TODAY}


def test_confirm_keeps_the_reported_completion_date():
    reported = date(2026, 11, 20)
    changes = plan_transition(AWAITING, "office", "confirm", None, "", TODAY, completed_date=reported)
    assert changes["status"] == DONE and changes["completed_date"] == reported


def test_return_needs_a_reason_and_clears_completion():
    with pytest.raises(TransitionError, match="cần ghi"):
        plan_transition(AWAITING, "office", "return", None, "  ", TODAY)
    changes = plan_transition(AWAITING, "office", "return", None, "Thiếu số liệu", TODAY)
    assert changes["status"] == IN_PROGRESS and changes["completed_date"] is None


@pytest.mark.parametrize("status, side, code", [
    (NOT_STARTED, "department", "confirm"),
    (AWAITING, "department", "submit"),
    (DONE, "office", "return"),
    (IN_PROGRESS, None, "progress"),
    (IN_PROGRESS, "department", "no-such-action"),
])
def test_refused_transitions_say_why_in_vietnamese(status, side, code):
    with pytest.raises(TransitionError, match="Không thể thực hiện"):
        plan_transition(status, side, code, None, "ghi chú", TODAY)


@pytest.mark.parametrize("percent", [-1, 101, "abc", "9" * 30])
def test_percent_must_be_0_to_100(percent):
    with pytest.raises(TransitionError, match="0 đến 100"):
        plan_transition(IN_PROGRESS, "department", "progress", percent, "ghi chú", TODAY)


# ---- names ----------------------------------------------------------------------------------

def test_name_key_expands_abbreviations_and_ignores_case_accents_punctuation():
    assert name_key("UBND các huyện, thành phố.") == name_key("Ủy ban nhân dân các huyện, thành phố")
    assert name_key("SỞ Y TẾ") == name_key("Sở Y tế")


def test_lookup_refuses_ambiguous_names():
    index = build_index([(["Sở Y tế"], "kon tum"), (["Sở Y tế"], "lạng sơn"), (["Công an tỉnh"], "ca")])
    assert lookup(index, "Sở Y tế") is None
    assert lookup(index, "công an tỉnh") == "ca"
    assert lookup(index, "Sở Tư pháp") is None


# ---- directive states -----------------------------------------------------------------------

def test_directive_states_move_only_along_their_transitions():
    assert directive_states.check("approve", "draft") == "approved"
    assert directive_states.check("issue", "approved") == "issued"
    assert directive_states.check("edit", "approved") == "draft"
    for code, state in (("issue", "draft"), ("approve", "issued"), ("edit", "received"), ("unapprove", "draft")):
        with pytest.raises(directive_states.DirectiveStateError, match="Không thể"):
            directive_states.check(code, state)
    assert directive_states.LIVE == ("issued", "received")
