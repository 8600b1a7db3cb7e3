from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.admin import bp
from app.admin.forms import AgencyForm, GroupForm, UserForm
from app.admin.service import (
    check_user_rules, create_user, save_agency, save_group, update_user, would_make_cycle,
)
from app.extensions import db
from app.web import requested_page
from app.models import Agency, AgencyGroup, AuditEvent, User
from app.text import clean_line, clean_text


def _agency_choices(blank="— Không —"):
    agencies = db.session.scalars(select(Agency).order_by(Agency.name)).all()
    return [("", blank)] + [(str(a.id), a.name) for a in agencies], {str(a.id) for a in agencies}


def _get_or_404(model, record_id):
    obj = db.session.get(model, record_id)
    if obj is None:
        abort(404)
    return obj


# ---- agencies -------------------------------------------------------------------------------

def _tree_rows():
    """Agencies in tree order with their depth, for an indented list."""
    agencies = db.session.scalars(select(Agency).order_by(Agency.name)).all()
    children: dict[int | None, list[Agency]] = {}
    for agency in agencies:
        children.setdefault(agency.parent_id, []).append(agency)
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
    agency = _get_or_404(Agency, agency_id) if agency_id else None
    form = AgencyForm(obj=agency if request.method == "GET" else None)
    if request.method == "GET" and agency:
        form.parent_id.data = str(agency.parent_id or "")
    form.parent_id.choices, form.valid_parents = _agency_choices()
    if form.validate_on_submit():
        parent = db.session.get(Agency, int(form.parent_id.data)) if form.parent_id.data else None
        duplicate = db.session.scalar(select(Agency.id).where(Agency.name == form.name.data))
        if duplicate and duplicate != getattr(agency, "id", None):
            form.name.errors.append("Đã có cơ quan mang tên này.")
        elif agency and would_make_cycle(agency, parent):
            form.parent_id.errors.append("Không thể chọn chính cơ quan này hoặc cơ quan cấp dưới của nó.")
        else:
            save_agency(current_user, agency, name=form.name.data, short_name=form.short_name.data,
                        abbreviation=form.abbreviation.data or "", kind=form.kind.data,
                        parent_id=parent.id if parent else None,
                        header_text=clean_text(form.header_text.data or ""), place=form.place.data or "",
                        active=form.active.data)
            db.session.commit()
            flash("Đã lưu cơ quan.", "success")
            return redirect(url_for("admin.agencies"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/agency_form.html", form=form, agency=agency), status


# ---- groups ---------------------------------------------------------------------------------

@bp.route("/nhom")
def groups():
    rows = db.session.scalars(select(AgencyGroup).order_by(AgencyGroup.name)).all()
    return render_template("admin/groups.html", groups=rows)


@bp.route("/nhom/moi", methods=["GET", "POST"])
@bp.route("/nhom/<id:group_id>", methods=["GET", "POST"])
def group_edit(group_id=None):
    group = _get_or_404(AgencyGroup, group_id) if group_id else None
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

@bp.route("/nguoi-dung")
def users():
    rows = db.session.scalars(select(User).order_by(User.username)).all()
    return render_template("admin/users.html", users=rows)


@bp.route("/nguoi-dung/moi", methods=["GET", "POST"])
@bp.route("/nguoi-dung/<id:user_id>", methods=["GET", "POST"])
def user_edit(user_id=None):
    user = _get_or_404(User, user_id) if user_id else None
    form = UserForm(obj=user if request.method == "GET" else None)
    if request.method == "GET" and user:
        form.agency_id.data = str(user.agency_id or "")
    form.agency_id.choices, form.valid_agencies = _agency_choices()
    if request.method == "POST":
        valid = form.validate_on_submit()
        # the rules that need the database are checked too, so every mistake shows at once
        agency = db.session.get(Agency, int(form.agency_id.data)) if form.agency_id.data in form.valid_agencies else None
        errors = check_user_rules(form.username.data or "", form.role.data, agency,
                                  exclude_id=getattr(user, "id", None))
        if user is None and not form.password.data:
            errors["password"] = "Nhập mật khẩu cho tài khoản mới."
        if user is not None and user.id == current_user.id and (not form.active.data or form.role.data != user.role):
            errors["role"] = "Không thể tự khóa hoặc đổi vai trò của chính mình."
        for name, message in errors.items():
            getattr(form, name).errors = [*getattr(form, name).errors, message]
        if valid and not errors:
            fields = dict(username=form.username.data, full_name=form.full_name.data, role=form.role.data,
                          agency=agency, active=form.active.data)
            try:
                if user is None:
                    create_user(current_user, password=form.password.data, **fields)
                else:
                    fields["agency_id"] = fields.pop("agency").id if agency else None
                    update_user(current_user, user, password=form.password.data, **fields)
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
    q = clean_line(request.args.get("q", ""))[:100]
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if q:
        query = query.where(AuditEvent.action.contains(q) | AuditEvent.summary.contains(q))
    pagination = db.paginate(query, page=requested_page(),
                             per_page=current_app.config["PER_PAGE"] * 2, max_per_page=200, error_out=False)
    return render_template("admin/audit.html", pagination=pagination, q=q)

