"""Business rules as plain functions: fan-out, permissions, workflow, name matching."""
from datetime import date
from types import SimpleNamespace as NS

import pytest

from app.rules import fanout, permissions
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


def test_agency_deadline_wins_over_task_deadline():
    own, task = date(2026, 12, 1), date(2026, 12, 31)
    duties = fanout.expand([agency(1, deadline=own), agency(2)], task_deadline=task)
    assert duties[1].deadline == own and duties[2].deadline == task


def test_plan_sync_keeps_existing_rows_creates_new_and_retires_dropped():
    existing = [NS(agency_id=1), NS(agency_id=2)]
    plan = fanout.plan_sync(existing, fanout.expand([agency(2), agency(3)]))
    assert [d.agency_id for d in plan.create] == [3]
    assert [a.agency_id for a, _ in plan.update] == [2]
    assert [a.agency_id for a in plan.retire] == [1]


# ---- permissions --------------------------------------------------------------------------

def user(role, agency_id=None):
    return NS(role=role, agency_id=agency_id, is_authenticated=True)


def directive_with(state, *agency_ids):
    assignments = [NS(agency_id=a, active=True) for a in agency_ids]
    task = NS(assignments=assignments)
    section = NS(live_tasks=[task])
    return NS(state=state, live_sections=[section])


@pytest.mark.parametrize("role, create, approve, manage", [
    ("admin", True, False, True),
    ("office", True, False, False),
    ("leader", False, True, False),
    ("clerk", False, False, False),
    ("department", False, False, False),
])
def test_role_matrix(role, create, approve, manage):
    draft = directive_with("draft")
    assert permissions.can_create_directive(user(role)) is create
    assert permissions.can_edit_directive(user(role), draft) is create
    assert permissions.can_approve_directive(user(role), draft) is approve
    assert permissions.can_manage_directory(user(role)) is manage


def test_issued_directive_is_frozen_even_for_office():
    assert not permissions.can_edit_directive(user("office"), directive_with("issued"))


def test_anonymous_user_may_do_nothing():
    anonymous = NS(is_authenticated=False)
    assert not permissions.can_list_directives(anonymous)
    assert not permissions.can_view_directive(anonymous, directive_with("approved", 1))


def test_department_sees_only_approved_directives_that_assign_its_agency():
    department = user("department", agency_id=5)
    assert permissions.can_view_directive(department, directive_with("approved", 5, 6))
    assert not permissions.can_view_directive(department, directive_with("approved", 6))
    assert not permissions.can_view_directive(department, directive_with("draft", 5))
    assert not permissions.can_list_directives(department)


def test_department_sees_and_acts_only_on_its_own_assignment():
    directive = directive_with("approved", 5, 6)
    own = NS(agency_id=5, active=True, directive=directive)
    other = NS(agency_id=6, active=True, directive=directive)
    department = user("department", agency_id=5)
    assert permissions.can_view_assignment(department, own)
    assert not permissions.can_view_assignment(department, other)
    assert permissions.acts_as(department, own) == "department"
    assert permissions.acts_as(department, other) is None
    assert permissions.acts_as(user("office"), other) == "office"
    assert permissions.acts_as(user("leader"), other) is None


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
