"""Who may do what, as plain functions of the user and the record. Every view and command asks these
functions; nothing else decides. Which records a user may see at all is app/scope.py, built on the
same organisations.

A user belongs to one agency and holds one or more roles there. The organisations they act for are
their agency and the body it prepares documents for (a Văn phòng serves its UBND; `Agency.serves`):
- staff (chuyên viên) enter and follow those organisations' directives and report on the
  assignments given to them;
- leaders (lãnh đạo) approve their own agency's drafts (a Chánh Văn phòng the Văn phòng's, not the UBND's);
- clerks (văn thư) number those organisations' outgoing letters and register what they receive;
- admins (quản trị) keep the directory (agencies, groups, users) of the whole deployment, or of one
  agency's subtree.
"""
from app.rules import directive_states as states

STAFF = "staff"
LEADER = "leader"
CLERK = "clerk"
ADMIN = "admin"

ROLE_LABELS = {STAFF: "Chuyên viên", LEADER: "Lãnh đạo", CLERK: "Văn thư", ADMIN: "Quản trị"}
ROLES = tuple(ROLE_LABELS)
# What each role does, for the admin form and the README.
ROLE_HELP = {
    STAFF: "soạn, theo dõi văn bản của cơ quan; báo cáo nhiệm vụ được giao cho đơn vị",
    LEADER: "duyệt dự thảo; xem văn bản triển khai của cấp dưới",
    CLERK: "cấp số văn bản đi, đăng ký văn bản đến",
    ADMIN: "quản lý cơ quan, nhóm, người dùng (toàn hệ thống hoặc một cơ quan và cấp dưới)",
}


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def roles_of(user) -> frozenset[str]:
    return frozenset(user.role_names) if _signed_in(user) else frozenset()


def organisations(user) -> frozenset[int]:
    """The agencies the user acts for: their own and the one it prepares documents for."""
    return frozenset(user.organisation_ids) if _signed_in(user) else frozenset()


def holds(user, role: str, agency_id) -> bool:
    """The user has `role` in the organisation `agency_id`. A Văn phòng's staff and clerks work for
    the body it serves too; its leaders (Chánh Văn phòng) approve only the Văn phòng's own letters,
    the body's are approved by the body's own leaders."""
    if role not in roles_of(user) or agency_id is None:
        return False
    if role == LEADER:
        return agency_id == getattr(user, "agency_id", None)
    return agency_id in organisations(user)


def can_manage_directory(user) -> bool:
    return ADMIN in roles_of(user)


def can_create_directive(user) -> bool:
    return STAFF in roles_of(user) and bool(organisations(user))


def can_list_directives(user) -> bool:
    return bool(roles_of(user) - {ADMIN}) and bool(organisations(user))


def can_edit_directive(user, directive) -> bool:
    """Drafts and approved texts of the user's organisations; an issued or received one is frozen."""
    return holds(user, STAFF, directive.owner_agency_id) and states.allows("edit", directive.state)


def can_approve_directive(user, directive) -> bool:
    return holds(user, LEADER, directive.owner_agency_id) and states.allows("approve", directive.state)


def can_return_directive_to_draft(user, directive) -> bool:
    return holds(user, LEADER, directive.owner_agency_id) and states.allows("unapprove", directive.state)


def can_submit_directive(user, directive) -> bool:
    """"Trình duyệt": the drafter hands the draft to the leader."""
    return holds(user, STAFF, directive.owner_agency_id) and states.allows("submit", directive.state)


def can_send_back_directive(user, directive) -> bool:
    """The leader returns a submitted draft with comments."""
    return holds(user, LEADER, directive.owner_agency_id) and states.allows("return", directive.state)


def can_delete_directive(user, directive) -> bool:
    """A letter never issued (no number given) may be deleted by its organisation's staff."""
    return (holds(user, STAFF, directive.owner_agency_id) and directive.state in states.NEVER_ISSUED
            and directive.register_entry is None)


def can_comment_directive(user, directive) -> bool:
    """The draft's comment thread is for the people of its organisation, until it goes out."""
    return directive.state in states.NEVER_ISSUED and any(
        holds(user, role, directive.owner_agency_id) for role in (STAFF, LEADER, CLERK))


def has_approval_queue(user) -> bool:
    return LEADER in roles_of(user)


def can_issue_directive(user, directive) -> bool:
    """"Cấp số và phát hành": the clerk of the issuing organisation numbers it in that register."""
    return holds(user, CLERK, directive.issuer_agency_id) and states.allows("issue", directive.state)


def can_sign_directive(user, directive) -> bool:
    """Ký số: a leader of the issuing organisation signs the frozen PDF of an issued letter."""
    return (holds(user, LEADER, directive.issuer_agency_id) and directive.state == states.ISSUED
            and directive.register_entry is not None)


def can_seal_directive(user, directive) -> bool:
    """The organisation's digital signature (the seal) is added by the clerk of the issuing organisation."""
    return (holds(user, CLERK, directive.issuer_agency_id) and directive.state == states.ISSUED
            and directive.register_entry is not None)


def can_send_edxml(user, directive) -> bool:
    """Gửi liên thông: the clerk of the issuing organisation sends the issued letter as an edXML packet."""
    return can_seal_directive(user, directive)


def can_verify_signatures(user) -> bool:
    """Anyone who works with letters may check a signed PDF."""
    return bool(roles_of(user))


def can_copy_directive(user, directive) -> bool:
    """A correction is a new draft of the same organisation."""
    return holds(user, STAFF, directive.owner_agency_id)


def can_register_received(user) -> bool:
    """Văn thư (or staff) enter what their organisation received from outside the deployment."""
    return bool(roles_of(user) & {STAFF, CLERK}) and bool(organisations(user))


def can_follow(user) -> bool:
    """The dashboard, the follow-up lists, Excel, reports and snapshots of the user's organisations."""
    return bool(roles_of(user) & {STAFF, LEADER, CLERK}) and bool(organisations(user))


def can_remind(user) -> bool:
    """Drafting a công văn đôn đốc is writing a letter: staff."""
    return can_create_directive(user)


def has_inbox(user) -> bool:
    return STAFF in roles_of(user) and bool(organisations(user))


def sides(user, assignment, owner_agency_id, live: bool) -> frozenset[str]:
    """The parts a user plays on an assignment: "department" (the assigned organisation reports),
    "office" (the issuing organisation confirms, returns, suspends). Nothing before it is live."""
    if not live or STAFF not in roles_of(user):
        return frozenset()
    mine = organisations(user)
    found = set()
    if assignment.agency_id in mine:
        found.add("department")
    if owner_agency_id in mine:
        found.add("office")
    return frozenset(found)


def can_cascade(user, assignment, live: bool) -> bool:
    """Drafting an implementing directive (triển khai) from an assignment given to the user's organisation."""
    return live and holds(user, STAFF, assignment.agency_id) and assignment.active


def home_endpoint(user) -> str:
    roles = roles_of(user)
    if STAFF in roles:
        return "tracking.inbox"
    if LEADER in roles:
        return "tracking.dashboard"
    if roles & {CLERK}:
        return "directives.index"
    if ADMIN in roles:
        return "admin.agencies"
    return "auth.login"
