"""Quản trị: the agencies, groups and users within the admin's reach (the whole deployment, or one
agency and everything below it), the dissolution of an agency, and the audit log."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import scope
from app.admin import audit as audit_log
from app.admin import bp
from app.admin.forms import AgencyForm, DissolveForm, GroupForm, UserForm
from app.admin.service import (
    DissolveError, check_user_rules, create_user, dissolve, save_agency, save_group, update_user, would_make_cycle,
)
from app.extensions import db
from app.models import Agency, AgencyGroup, AuditEvent, User
from app.rules.permissions import ADMIN
from app.text import ascii_id, clean_line, clean_text, parse_vn_date
from app.web import requested_page

WHOLE_DEPLOYMENT = ("", "— Toàn hệ thống —")


def _reachable_agencies() -> list[Agency]:
    return db.session.scalars(select(Agency).where(scope.agencies(current_user)).order_by(Agency.name)).all()


def _agency_choices(blank="— Không —"):
    agencies = _reachable_agencies()
    return [("", blank)] + [(str(a.id), a.name) for a in agencies], {str(a.id) for a in agencies}


def _deployment_admin() -> bool:
    return current_user.admin_scope_id is None


# ---- agencies -------------------------------------------------------------------------------

def _tree_rows():
    """Agencies in tree order with their depth, for an indented list."""
    agencies = _reachable_agencies()
    ids = {a.id for a in agencies}
    children: dict[int | None, list[Agency]] = {}
    for agency in agencies:
        children.setdefault(agency.parent_id if agency.parent_id in ids else None, []).append(agency)
    rows, stack = [], [(a, 0) for a in reversed(children.get(None, []))]
    while stack:
        agency, depth = stack.pop()
        rows.append((agency, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(agency.id, [])))
    return rows


@bp.route("/co-quan")
def agencies():
    return render_template("admin/agencies.html", rows=_tree_rows())


@bp.route("/co-quan/moi", methods=["GET", "POST"])
@bp.route("/co-quan/<id:agency_id>", methods=["GET", "POST"])
def agency_edit(agency_id=None):
    agency = scope.agency_or_404(agency_id) if agency_id else None
    form = AgencyForm(obj=agency if request.method == "GET" else None)
    if request.method == "GET" and agency:
        form.parent_id.data = str(agency.parent_id or "")
        form.serves_id.data = str(agency.serves_id or "")
    form.parent_id.choices, form.valid_parents = _agency_choices()
    form.serves_id.choices = form.parent_id.choices
    if request.method == "GET" and agency is None:
        _fill_from_query(form)
    if form.validate_on_submit():
        parent = db.session.get(Agency, int(form.parent_id.data)) if form.parent_id.data else None
        serves = db.session.get(Agency, int(form.serves_id.data)) if form.serves_id.data else None
        duplicate = db.session.scalar(select(Agency.id).where(Agency.name == form.name.data))
        code = (form.code.data or "").strip()
        same_code = db.session.scalar(select(Agency.id).where(Agency.code == code)) if code else None
        if duplicate and duplicate != getattr(agency, "id", None):
            form.name.errors.append("Đã có cơ quan mang tên này.")
        elif same_code and same_code != getattr(agency, "id", None):
            form.code.errors.append("Mã định danh này đã dùng cho cơ quan khác.")
        elif agency and would_make_cycle(agency, parent):
            form.parent_id.errors.append("Không thể chọn chính cơ quan này hoặc cơ quan cấp dưới của nó.")
        elif parent is None and not _deployment_admin() and (agency is None or agency.id != current_user.admin_scope_id):
            form.parent_id.errors.append("Chọn cơ quan cấp trên trong phạm vi quản trị của bạn.")
        elif serves is not None and agency is not None and serves.id == agency.id:
            form.serves_id.errors.append("Cơ quan không tham mưu cho chính mình.")
        else:
            save_agency(current_user, agency, name=form.name.data, short_name=form.short_name.data,
                        abbreviation=form.abbreviation.data or "", kind=form.kind.data,
                        parent_id=parent.id if parent else None, serves_id=serves.id if serves else None,
                        header_text=clean_text(form.header_text.data or ""), place=form.place.data or "",
                        code=(form.code.data or "").strip() or None, active=form.active.data)
            db.session.commit()
            flash("Đã lưu cơ quan.", "success")
            return redirect(url_for("admin.agencies"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/agency_form.html", form=form, agency=agency,
                           dissolve_form=_dissolve_form(agency) if agency else None), status


def _fill_from_query(form: AgencyForm) -> None:
    """A new agency proposed by the import page (?name=…&kind=…&parent_id=…): the form filled in, to
    check and save; a parent outside the admin's reach is left for them to choose."""
    args = request.args
    for field in (form.name, form.short_name, form.place):
        if args.get(field.name):
            field.data = clean_line(args[field.name])[:300]
    if args.get("kind") in dict(form.kind.choices):
        form.kind.data = args["kind"]
    if args.get("parent_id") in form.valid_parents:
        form.parent_id.data = args["parent_id"]


def _dissolve_form(agency: Agency, formdata=None) -> DissolveForm:
    form = DissolveForm(formdata=formdata)
    successors = [a for a in _reachable_agencies() if a.active and a.id != agency.id]
    form.successor_id.choices = [("", "— Chọn cơ quan tiếp nhận —")] + [(str(a.id), a.name) for a in successors]
    form.valid_successors = {str(a.id) for a in successors}
    return form


@bp.route("/co-quan/<id:agency_id>/giai-the", methods=["POST"])
def agency_dissolve(agency_id):
    """Merge or dissolve: open assignments move to the successor, recorded in their history."""
    agency = scope.agency_or_404(agency_id)
    form = _dissolve_form(agency, request.form)
    if form.validate():
        successor = db.session.get(Agency, int(form.successor_id.data))
        try:
            moved = dissolve(current_user, agency, successor, form.day.data, form.note.data or "")
        except DissolveError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(f"{agency.name} kết thúc hoạt động từ ngày {form.day.data:%d/%m/%Y}; "
                  f"{moved} nhiệm vụ đang thực hiện đã chuyển cho {successor.name}.", "success")
            return redirect(url_for("admin.agencies"))
    else:
        flash("Chưa giải thể: " + " ".join(error for errors in form.errors.values() for error in errors), "danger")
    return redirect(url_for("admin.agency_edit", agency_id=agency.id))


# ---- groups ---------------------------------------------------------------------------------

@bp.route("/nhom")
def groups():
    rows = db.session.scalars(select(AgencyGroup).join(Agency, AgencyGroup.owner_id == Agency.id)
                              .where(scope.agencies(current_user)).order_by(AgencyGroup.name)).all()
    return render_template("admin/groups.html", groups=rows)


@bp.route("/nhom/moi", methods=["GET", "POST"])
@bp.route("/nhom/<id:group_id>", methods=["GET", "POST"])
def group_edit(group_id=None):
    group = db.session.get(AgencyGroup, group_id) if group_id else None
    if group_id and (group is None or not db.session.scalar(
            select(Agency.id).where(Agency.id == group.owner_id, scope.agencies(current_user)))):
        abort(404)
    initial = None
    if request.method == "GET" and group:
        initial = {"name": group.name, "owner_id": str(group.owner_id), "description": group.description,
                   "members": [m.id for m in group.members]}
    form = GroupForm(data=initial)
    choices, form.valid_agencies = _agency_choices("— Chọn cơ quan —")
    form.owner_id.choices = choices
    form.members.choices = [(int(value), label) for value, label in choices if value]
    if form.validate_on_submit():
        owner_id = int(form.owner_id.data)
        clash = db.session.scalar(select(AgencyGroup.id).where(
            AgencyGroup.owner_id == owner_id, AgencyGroup.name == form.name.data))
        if clash and clash != getattr(group, "id", None):
            form.name.errors.append("Cơ quan này đã có nhóm cùng tên.")
        else:
            save_group(current_user, group, name=form.name.data, owner_id=owner_id,
                       description=form.description.data or "", member_ids=form.members.data)
            db.session.commit()
            flash("Đã lưu nhóm. Văn bản mới giao cho nhóm sẽ giao cho các thành viên hiện tại.", "success")
            return redirect(url_for("admin.groups"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/group_form.html", form=form, group=group), status


# ---- users ----------------------------------------------------------------------------------

def _users_in_reach():
    query = select(User).join(Agency, User.agency_id == Agency.id, isouter=True)
    if not _deployment_admin():
        query = query.where(scope.agencies(current_user))
    return query


@bp.route("/nguoi-dung")
def users():
    rows = db.session.scalars(_users_in_reach().order_by(User.username)).all()
    return render_template("admin/users.html", users=rows)


@bp.route("/nguoi-dung/moi", methods=["GET", "POST"])
@bp.route("/nguoi-dung/<id:user_id>", methods=["GET", "POST"])
def user_edit(user_id=None):
    user = db.session.scalar(_users_in_reach().where(User.id == user_id)) if user_id else None
    if user_id and user is None:
        abort(404)
    form = UserForm(obj=user if request.method == "GET" else None)
    if request.method == "GET" and user:
        form.agency_id.data = str(user.agency_id or "")
        form.admin_scope_id.data = str(user.admin_scope_id or "")
        form.roles.data = sorted(user.role_names)
    form.agency_id.choices, form.valid_agencies = _agency_choices()
    scopes, valid_scopes = _agency_choices("— Chọn cơ quan —")
    form.admin_scope_id.choices = ([WHOLE_DEPLOYMENT] if _deployment_admin() else []) + scopes[1:]
    form.valid_scopes = valid_scopes | ({""} if _deployment_admin() else set())
    if not _deployment_admin() and not form.admin_scope_id.data:
        form.admin_scope_id.data = str(current_user.admin_scope_id)
    if request.method == "POST":
        valid = form.validate_on_submit()
        # the rules that need the database are checked too, so every mistake shows at once
        agency = db.session.get(Agency, int(form.agency_id.data)) if form.agency_id.data in form.valid_agencies else None
        roles = [role for role in form.roles.data or []]
        admin_scope_id = int(form.admin_scope_id.data) if form.admin_scope_id.data in valid_scopes else None
        errors = check_user_rules(form.username.data or "", roles, agency, exclude_id=getattr(user, "id", None),
                                  admin_scope_id=admin_scope_id)
        if user is None and not form.password.data:
            errors["password"] = "Nhập mật khẩu cho tài khoản mới."
        if user is not None and user.id == current_user.id and (not form.active.data or ADMIN not in roles):
            errors["roles"] = "Không thể tự khóa hoặc bỏ vai trò quản trị của chính mình."
        for name, message in errors.items():
            getattr(form, name).errors = [*getattr(form, name).errors, message]
        if valid and not errors:
            fields = dict(username=form.username.data, full_name=form.full_name.data, roles=roles,
                          email=form.email.data or None,
                          active=form.active.data, admin_scope_id=admin_scope_id if ADMIN in roles else None)
            try:
                if user is None:
                    create_user(current_user, password=form.password.data, agency=agency, **fields)
                else:
                    update_user(current_user, user, password=form.password.data,
                                agency_id=agency.id if agency else None, **fields)
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                form.username.errors = [*form.username.errors, "Tên đăng nhập đã được dùng."]
            else:
                flash("Đã lưu tài khoản.", "success")
                return redirect(url_for("admin.users"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=user), status


# ---- audit log --------------------------------------------------------------------------------

@bp.route("/nhat-ky")
def audit():
    """Nhật ký thao tác in sentences, filtered by person, action, kind of record and dates."""
    q = clean_line(request.args.get("q", ""))[:100]
    raw_user = request.args.get("nguoi", "")
    user_id = ascii_id(raw_user)
    action, record_kind = request.args.get("thao-tac", ""), request.args.get("doi-tuong", "")
    dates, errors = {}, []
    for key, label in (("tu", "Từ ngày"), ("den", "Đến ngày")):
        raw = clean_line(request.args.get(key, ""))[:20]
        if raw:
            try:
                dates[key] = parse_vn_date(raw)
            except ValueError as error:
                errors.append(f"{label}: {error}")
    query = audit_log.filtered(audit_log.base_query(), user_id, action, record_kind, dates.get("tu"), dates.get("den"))
    if not _deployment_admin():  # what the people of the admin's subtree did
        query = query.join(User, AuditEvent.user_id == User.id).join(Agency, User.agency_id == Agency.id).where(
            scope.agencies(current_user))
    if q:
        query = query.where(AuditEvent.action.contains(q) | AuditEvent.summary.contains(q))
    pagination = db.paginate(query, page=requested_page(),
                             per_page=current_app.config["PER_PAGE"] * 2, max_per_page=200, error_out=False)
    people = db.session.scalars(_users_in_reach().order_by(User.full_name)).all()
    args = {key: value for key, value in {"q": q, "nguoi": user_id, "thao-tac": action, "doi-tuong": record_kind,
                                          "tu": request.args.get("tu", ""), "den": request.args.get("den", "")}.items()
            if value}
    return render_template("admin/audit.html", pagination=pagination, lines=[audit_log.describe(e) for e in
                                                                              pagination.items],
                           q=q, people=people, actions=audit_log.ACTIONS, records=audit_log.RECORDS,
                           chosen={"nguoi": user_id, "thao-tac": action, "doi-tuong": record_kind}, errors=errors,
                           args=args), 400 if errors else 200
