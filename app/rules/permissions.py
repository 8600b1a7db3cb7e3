"""Who may do what. Every view and command asks these functions; nothing else decides.

A department user belongs to one agency and deals only with that agency's assignments.
Office staff, leaders, clerks and admins see every directive.
"""

ADMIN = "admin"
OFFICE = "office"
LEADER = "leader"
DEPARTMENT = "department"
CLERK = "clerk"

ROLE_LABELS = {
    ADMIN: "Quản trị",
    OFFICE: "Chuyên viên Văn phòng",
    LEADER: "Lãnh đạo",
    DEPARTMENT: "Đơn vị thực hiện",
    CLERK: "Văn thư",
}
ROLES = tuple(ROLE_LABELS)

# Departments see their tasks once a leader has approved the directive (it is signed-ready).
STATES_VISIBLE_TO_DEPARTMENTS = ("approved", "issued")
EDITABLE_STATES = ("draft", "approved")


def _role(user) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.role


def is_department(user) -> bool:
    return _role(user) == DEPARTMENT


def can_manage_directory(user) -> bool:
    """Agencies, groups and users."""
    return _role(user) == ADMIN


def can_list_directives(user) -> bool:
    return _role(user) in (ADMIN, OFFICE, LEADER, CLERK)


def can_create_directive(user) -> bool:
    return _role(user) in (ADMIN, OFFICE)


def can_edit_directive(user, directive) -> bool:
    """Drafts and approved texts can be edited; an issued directive is frozen."""
    return can_create_directive(user) and directive.state in EDITABLE_STATES


def can_approve_directive(user, directive) -> bool:
    return _role(user) == LEADER and directive.state == "draft"


def can_return_directive_to_draft(user, directive) -> bool:
    return _role(user) == LEADER and directive.state == "approved"


def can_issue_directive(user, directive) -> bool:
    """"Cấp số và phát hành": the clerk numbers an approved directive and freezes it."""
    return _role(user) == CLERK and directive.state == "approved"


def directive_visible_to_agency(directive, agency_id) -> bool:
    return directive.state in STATES_VISIBLE_TO_DEPARTMENTS and any(
        assignment.agency_id == agency_id and assignment.active
        for section in directive.live_sections
        for task in section.live_tasks
        for assignment in task.assignments
    )


def can_view_directive(user, directive) -> bool:
    role = _role(user)
    if role in (ADMIN, OFFICE, LEADER, CLERK):
        return True
    if role == DEPARTMENT and user.agency_id:
        return directive_visible_to_agency(directive, user.agency_id)
    return False


def can_view_assignment(user, assignment) -> bool:
    role = _role(user)
    if role in (ADMIN, OFFICE, LEADER, CLERK):
        return True
    return (
        role == DEPARTMENT
        and user.agency_id is not None
        and assignment.agency_id == user.agency_id
        and assignment.active
        and assignment.directive.state in STATES_VISIBLE_TO_DEPARTMENTS
    )


def acts_as(user, assignment) -> str | None:
    """The side a user takes on an assignment: "department" (the assigned agency), "office", or None."""
    role = _role(user)
    if role in (ADMIN, OFFICE):
        return "office"
    if role == DEPARTMENT and can_view_assignment(user, assignment):
        return "department"
    return None


def can_follow_all(user) -> bool:
    """The dashboard, every agency's assignments, Excel and reports: office, leaders, clerks, admins."""
    return _role(user) in (ADMIN, OFFICE, LEADER, CLERK)


def has_inbox(user) -> bool:
    return _role(user) == DEPARTMENT and user.agency_id is not None


def home_endpoint(user) -> str:
    return "tracking.inbox" if has_inbox(user) else "directives.index"
