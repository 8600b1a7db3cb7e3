"""The API's routes. Each one is a thin layer over the functions the web pages call: scope from
app/scope.py, permissions from app/rules/permissions.py, changes through the services."""
from io import BytesIO

from flask import current_app, request, send_file
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from app import scope
from app.api import bp
from app.api.errors import ApiError
from app.api import schemas as S
from app.clock import local_today
from app.text import clean_line
from app.directive_format import FormatError, directive_to_data, parse_directive
from app.directives import letters
from app.directives import queries as directive_queries
from app.directives.service import find_issuer, resolve_assignees, save_directive
from app.documents import MEDIA_TYPES
from app.documents.letter import LetterError
from app.extensions import db
from app.models import Agency, Assignment, Directive, Evidence, ProgressReport, ReceivedEntry, Task
from app.rules import permissions
from app.rules import timeliness as T
from app.rules.directive_states import LIVE
from app.rules.workflow import TransitionError, allowed_transitions
from app.tracking import queries as tracking_queries
from app.tracking import service as tracking_service

ERRORS = {code: {"schema": S.ErrorSchema, "description": text} for code, text in {
    401: "Thiếu, sai, đã thu hồi hoặc đã hết hạn mã truy cập", 403: "Không có quyền",
    404: "Không tìm thấy hoặc ngoài phạm vi", 409: "Xung đột phiên bản", 422: "Dữ liệu không hợp lệ",
    429: "Quá giới hạn số yêu cầu của mã truy cập (API_RATE_LIMITS); thử lại sau Retry-After giây"}.items()}
ERRORS[429]["headers"] = {
    "Retry-After": {"description": "Số giây cần chờ", "schema": {"type": "integer"}},
    "X-RateLimit-Limit": {"description": "Số yêu cầu được gửi trong khung thời gian", "schema": {"type": "integer"}},
    "X-RateLimit-Remaining": {"description": "Số yêu cầu còn lại", "schema": {"type": "integer"}},
    "X-RateLimit-Reset": {"description": "Thời điểm khung thời gian mới bắt đầu (Unix)", "schema": {"type": "integer"}},
}


def errors(*codes):
    """Document the error responses a route may give (every route may answer 401 and 429)."""
    def decorate(view):
        for code in sorted({401, 429, *codes}, reverse=True):
            view = bp.alt_response(code, **ERRORS[code])(view)
        return view
    return decorate


def allow(check, *records):
    if not check(current_user, *records):
        raise ApiError(403, "Tài khoản của mã truy cập này không được phép thực hiện thao tác này.")


def _agency(agency):
    return None if agency is None else {"id": agency.id, "name": agency.name, "short_name": agency.short_name}


def _summary(directive: Directive, rank=None, matches=None) -> dict:
    out = {"id": directive.id, "doc_type": directive.doc_type, "number": directive.number,
           "symbol": directive.symbol or "", "number_symbol": directive.number_symbol,
           "issued_date": directive.issued_date, "subject": directive.subject, "state": directive.state,
           "issuer": _agency(directive.issuer_agency), "owner": _agency(directive.owner_agency),
           "version": directive.version}
    if rank is not None:
        out["rank"] = rank
    if matches is not None:
        out["matches"] = matches
    return out


def _parse(body) -> dict:
    """A body in the directive format, checked by app/directive_format.py (422 when it is not)."""
    try:
        return parse_directive(body)
    except FormatError as error:
        raise ApiError(422, "Văn bản không đúng định dạng.", {"document": error.errors}) from None


def _download(content: bytes, fmt: str, name: str):
    return send_file(BytesIO(content), mimetype=MEDIA_TYPES[fmt], as_attachment=True, download_name=name, max_age=0)


def _page(query, args, item):
    page, per_page = args["page"], args["per_page"]
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    return {"items": [item(row) for row in rows], "page": page, "per_page": per_page, "total": total}


# ---- directives -----------------------------------------------------------------------------------

@bp.route("/directives")
@bp.arguments(S.DirectiveListArgsSchema, location="query")
@bp.response(200, S.DirectivePageSchema)
@errors(403, 422)
@bp.doc(tags=["Văn bản"], summary="Danh sách văn bản trong phạm vi, tìm kiếm, phân trang")
def directive_list(args):
    """Văn bản tài khoản được xem. `q` tìm theo từ (bỏ dấu), số và ký hiệu, tên cơ quan; kết quả xếp theo
    mức phù hợp, kèm đoạn khớp."""
    allow(permissions.can_list_directives)
    filters = {"state": args.get("state", ""), "issuer": None, "year": None, "q": clean_line(args["q"])}
    matches = directive_queries.search_matches(filters["q"], current_user) if filters["q"] else {}
    query = directive_queries.filtered_directives(filters, current_user, matches).options(
        joinedload(Directive.issuer_agency), joinedload(Directive.owner_agency))

    def item(row):
        match = matches.get(row[0].id)
        if match is None:
            return _summary(row[0])
        return _summary(row[0], match.rank, [_match(hit) for hit in match.matches])
    return _page(query, args, item)


def _match(hit) -> dict:
    return {"kind": hit.kind, "id": hit.id, "field": hit.field, "snippet": str(hit.snippet),
            "assignment_id": hit.assignment_id}


def _directive_or_404(directive_id: int) -> Directive:
    return scope.directive_or_404(directive_id)


@bp.route("/directives/<id:directive_id>")
@bp.response(200, S.DirectiveSchema)
@errors(404)
@bp.doc(tags=["Văn bản"], summary="Một văn bản, theo định dạng văn bản")
def directive_get(directive_id):
    directive = _directive_or_404(directive_id)
    return {**_summary(directive), "document": directive_to_data(directive)}


def _issuer_for(data: dict, wanted_id):
    """The issuing organisation: one the user may write for, named by id, by its printed header, or
    the only one there is."""
    choices = {int(value): name for value, name in directive_queries.issuer_choices(current_user)}

    def refuse(message):
        return ApiError(422, message, {"issuer_agency_id": ["Chọn một trong: " + ", ".join(map(str, sorted(choices)))]})
    if wanted_id is not None:
        if wanted_id not in choices:
            raise refuse("Tài khoản không soạn văn bản cho cơ quan này.")
        return db.session.get(Agency, wanted_id)
    if data.get("issuer"):
        agency = find_issuer(data["issuer"])
        if agency is not None and agency.id in choices:
            return agency
    if len(choices) == 1:
        return db.session.get(Agency, next(iter(choices)))
    raise refuse("Cần issuer_agency_id: tài khoản soạn văn bản cho nhiều cơ quan.")


@bp.route("/directives", methods=["POST"])
@bp.arguments(S.DirectiveCreateSchema)
@bp.response(201, S.DirectiveSchema)
@errors(403, 422)
@bp.doc(tags=["Văn bản"], summary="Tạo dự thảo từ định dạng văn bản")
def directive_create(body):
    """Một dự thảo mới của cơ quan ban hành, như khi nhập trên trang web; số và ngày do văn thư cấp khi
    phát hành. Tên cơ quan trong `assignees` phải có trong danh mục."""
    allow(permissions.can_create_directive)
    wanted = body.pop("issuer_agency_id", None)
    data = _parse(body)
    if not data["subject"]:
        raise ApiError(422, "Văn bản cần trích yếu (subject).", {"subject": ["Thiếu trích yếu."]})
    data["number"], data["date"] = None, None
    issuer = _issuer_for(data, wanted)
    unknown = resolve_assignees(data, issuer)
    if unknown:
        raise ApiError(422, "Có cơ quan không tìm thấy trong danh mục.", {"agency": sorted(set(unknown))})
    directive, warnings = save_directive(None, data, current_user, issuer, owner=issuer)
    db.session.commit()
    return {**_summary(directive), "document": directive_to_data(directive), "warnings": warnings}


def _letter(directive_id: int, fmt: str):
    directive = _directive_or_404(directive_id)
    try:
        content = letters.letter_bytes(directive, fmt)
    except (LetterError, letters.IssueError) as error:
        raise ApiError(409, f"Chưa in được văn bản: {error}") from None
    return _download(content, fmt, letters.file_name(directive, fmt))


def _render(body, fmt: str):
    allow(permissions.can_list_directives)
    data = _parse(body)
    from app.documents import render

    try:
        content = render(data, fmt, draft=not data.get("number"), today=local_today())
    except LetterError as error:
        raise ApiError(422, f"Chưa in được văn bản: {error}") from None
    return _download(content, fmt, f"van-ban.{fmt}")


def _letter_routes(fmt: str):
    """The two routes of one format: the letter of a directive in scope (the frozen file once issued),
    and a document in the directive format printed without being saved."""
    media, label = MEDIA_TYPES[fmt], fmt.upper()

    @bp.route(f"/directives/<id:directive_id>/letter.{fmt}", endpoint=f"directive_{fmt}")
    @bp.response(200, content_type=media, description=f"Văn bản {label}")
    @errors(404, 409)
    @bp.doc(tags=["Văn bản"], summary=f"Văn bản in ra {label} (bản đã phát hành nếu có)")
    def stored(directive_id):
        return _letter(directive_id, fmt)

    @bp.route(f"/render/letter.{fmt}", methods=["POST"], endpoint=f"render_{fmt}")
    @bp.arguments(S.DirectiveFormatSchema)
    @bp.response(200, content_type=media, description=f"Văn bản {label}")
    @errors(403, 422)
    @bp.doc(tags=["Văn bản"], summary=f"In một văn bản theo định dạng văn bản ra {label}, không lưu")
    def rendered(body):
        """Như lệnh `flask directive render`: chưa có số thì in kèm chữ DỰ THẢO."""
        return _render(body, fmt)


for _fmt in ("docx", "pdf"):
    _letter_routes(_fmt)


# ---- received -------------------------------------------------------------------------------------

@bp.route("/received")
@bp.arguments(S.ReceivedArgsSchema, location="query")
@bp.response(200, S.ReceivedPageSchema)
@errors(403, 422)
@bp.doc(tags=["Văn bản đến"], summary="Sổ văn bản đến của các cơ quan của tài khoản")
def received_list(args):
    allow(permissions.can_follow)
    agency_ids = sorted(permissions.organisations(current_user))
    query = (select(ReceivedEntry, Directive, Agency).join(Directive, ReceivedEntry.directive_id == Directive.id)
             .join(Agency, ReceivedEntry.agency_id == Agency.id)
             .where(ReceivedEntry.agency_id.in_(agency_ids), scope.directives(current_user))
             .options(joinedload(Directive.issuer_agency), joinedload(Directive.owner_agency)))
    if args.get("year"):
        query = query.where(ReceivedEntry.year == args["year"])
    query = query.order_by(ReceivedEntry.year.desc(), ReceivedEntry.sequence.desc(), ReceivedEntry.id.desc())
    return _page(query, args, lambda row: {
        "id": row[0].id, "agency": _agency(row[2]), "number": row[0].sequence, "year": row[0].year,
        "received_date": row[0].received_date, "directive": _summary(row[1])})


# ---- assignments ----------------------------------------------------------------------------------

def _assignment(assignment: Assignment, directive: Directive, task: Task, agency: Agency, timeliness: str) -> dict:
    return {"id": assignment.id, "directive_id": directive.id,
            "directive": f"{directive.number_symbol} {directive.subject}".strip(), "task": task.text,
            "agency": _agency(agency), "role": assignment.role, "deadline": assignment.deadline,
            "status": assignment.status, "status_label": assignment.status_label,
            "progress_percent": assignment.progress_percent, "completed_date": assignment.completed_date,
            "timeliness": timeliness, "version": assignment.version}


@bp.route("/assignments")
@bp.arguments(S.AssignmentListArgsSchema, location="query")
@bp.response(200, S.AssignmentPageSchema)
@errors(403, 422)
@bp.doc(tags=["Nhiệm vụ"], summary="Nhiệm vụ giao cho các cơ quan của tài khoản")
def assignment_list(args):
    allow(permissions.has_inbox)
    filters = tracking_queries.Filters(status=args.get("status", ""))
    today = local_today()
    query = tracking_queries.assignment_rows(filters, today, current_app.config["DUE_SOON_DAYS"],
                                             scope.own_assignments(current_user))
    return _page(query, args, lambda row: _assignment(row[0], row[3], row[1], row[4], row[5]))


def _assignment_or_404(assignment_id: int) -> Assignment:
    return scope.assignment_or_404(assignment_id)


def _detail(assignment: Assignment) -> dict:
    today = local_today()
    label = T.classify(assignment.status, assignment.deadline, assignment.completed_date, today,
                       current_app.config["DUE_SOON_DAYS"])
    sides = tracking_service.sides_of(current_user, assignment)
    evidence = {}
    for row in db.session.scalars(select(Evidence).where(Evidence.assignment_id == assignment.id)):
        evidence.setdefault(row.report_id, []).append(row.original_name)
    reports = db.session.scalars(select(ProgressReport).where(ProgressReport.assignment_id == assignment.id)
                                 .options(joinedload(ProgressReport.user)).order_by(ProgressReport.id)).all()
    return {**_assignment(assignment, assignment.directive, assignment.task, assignment.agency, label),
            "actions": [t.code for t in allowed_transitions(assignment.status, sides)],
            "reports": [{"id": r.id, "created_at": r.created_at, "user": r.user.full_name if r.user else None,
                         "old_status": r.old_status, "new_status": r.new_status, "percent": r.percent,
                         "note": r.note, "evidence": evidence.get(r.id, [])} for r in reports]}


@bp.route("/assignments/<id:assignment_id>")
@bp.response(200, S.AssignmentDetailSchema)
@errors(404)
@bp.doc(tags=["Nhiệm vụ"], summary="Một nhiệm vụ với lịch sử báo cáo và các thao tác được làm")
def assignment_get(assignment_id):
    return _detail(_assignment_or_404(assignment_id))


def _change(assignment: Assignment, body: dict, files=None):
    if assignment.directive.state not in LIVE or not allowed_transitions(
            assignment.status, tracking_service.sides_of(current_user, assignment)):
        raise ApiError(403, "Tài khoản không được thay đổi nhiệm vụ này.")
    try:
        tracking_service.change_assignment(assignment, current_user, body["action"], body.get("percent"),
                                           body.get("note") or "", body["version"], files)
        db.session.commit()
    except TransitionError as error:
        db.session.rollback()
        raise ApiError(422, str(error)) from None
    except (tracking_service.StaleAssignment, StaleDataError):
        db.session.rollback()
        raise ApiError(409, "Nhiệm vụ vừa được người khác cập nhật: đọc lại version mới nhất rồi gửi lại.") from None
    return _detail(_assignment_or_404(assignment.id))


@bp.route("/assignments/<id:assignment_id>/status", methods=["POST"])
@bp.arguments(S.StatusChangeSchema)
@bp.response(200, S.AssignmentDetailSchema)
@errors(403, 404, 409, 422)
@bp.doc(tags=["Nhiệm vụ"], summary="Đổi trạng thái, cập nhật tiến độ (JSON)")
def assignment_status(body, assignment_id):
    """Như trên trang nhiệm vụ: `action` là một trong `actions` của nhiệm vụ; `version` là version đã đọc
    (409 khi đã có người khác cập nhật)."""
    return _change(_assignment_or_404(assignment_id), body)


@bp.route("/assignments/<id:assignment_id>/reports", methods=["POST"])
@bp.arguments(S.ProgressFormSchema, location="form")
@bp.arguments(S.ProgressFilesSchema, location="files")
@bp.response(201, S.AssignmentDetailSchema)
@errors(403, 404, 409, 422)
@bp.doc(tags=["Nhiệm vụ"], summary="Báo cáo tiến độ kèm tệp minh chứng (multipart/form-data)")
def assignment_reports(form, _files, assignment_id):
    """Tệp minh chứng được kiểm tra như trên trang web (loại theo nội dung, dung lượng, số tệp)."""
    assignment = _assignment_or_404(assignment_id)
    files, problems = tracking_service.check_uploads(request.files.getlist("files"))
    if problems:
        raise ApiError(422, "Tệp minh chứng không hợp lệ.", {"files": problems})
    return _change(assignment, form, files)


# ---- dashboard ------------------------------------------------------------------------------------

@bp.route("/dashboard")
@bp.arguments(S.DashboardArgsSchema, location="query")
@bp.response(200, S.DashboardSchema)
@errors(403, 404, 422)
@bp.doc(tags=["Theo dõi"], summary="Số liệu theo dõi của một cơ quan (như trang Theo dõi)")
def dashboard(args):
    allow(permissions.can_follow)
    ids = sorted(permissions.organisations(current_user))
    wanted = args.get("organisation")
    if wanted is not None and wanted not in ids:
        raise ApiError(404, "Không tìm thấy cơ quan trong phạm vi của tài khoản.")
    preferred = current_user.agency.serves_id if current_user.agency else None
    organisation_id = wanted or (preferred if preferred in ids else ids[0])
    organisation = db.session.get(Agency, organisation_id)
    today, window = local_today(), current_app.config["DUE_SOON_DAYS"]
    figures = tracking_queries.dashboard_figures(organisation.id, today, window)
    card = tracking_queries.scorecard(figures.scores, "name", False)
    scores, totals, directive_count = card.scores, card.totals, figures.directive_count
    return {"organisation": _agency(organisation), "today": today, "totals": totals,
            "directive_count": directive_count,
            "agencies": [{"agency": _agency(s.agency), "assigned": s.assigned, "done_on_time": s.done_on_time,
                          "done_late": s.done_late, "in_progress": s.in_progress, "overdue": s.overdue,
                          "no_deadline": s.no_deadline, "on_time_rate": s.on_time_rate} for s in scores]}


# ---- search ---------------------------------------------------------------------------------------

@bp.route("/search")
@bp.arguments(S.SearchArgsSchema, location="query")
@bp.response(200, S.SearchPageSchema)
@errors(403, 422)
@bp.doc(tags=["Tìm kiếm"], summary="Tìm văn bản, nhiệm vụ, báo cáo tiến độ")
def search_all(args):
    """Theo từ (không phân biệt dấu, hoa thường), theo số và ký hiệu (“01/UBND-NNTN”), theo tên cơ quan
    (`agency_only`); xếp theo mức phù hợp; từ khớp trong `<mark>`. Chỉ những gì tài khoản được xem."""
    from app import search

    allow(permissions.can_list_directives)
    page, per_page = args["page"], args["per_page"]
    words, kinds = clean_line(args["q"]), [args["kind"]] if args.get("kind") else None
    hits = search.search(words, current_user, kinds=kinds, agency_only=args["agency_only"],
                         limit=min(page * per_page, 2000))
    chosen = hits[(page - 1) * per_page: page * per_page]
    total = len(hits) if len(hits) < page * per_page else search.count(words, current_user, kinds, args["agency_only"])
    return {"items": [{"kind": h.kind, "id": h.id, "directive_id": h.directive_id, "assignment_id": h.assignment_id,
                       "rank": h.rank, "title": h.title, "snippet": str(h.snippet)} for h in chosen],
            "page": page, "per_page": per_page, "total": total}
