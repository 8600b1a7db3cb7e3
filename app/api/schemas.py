"""marshmallow schemas of the API: what goes in and out, and (through flask-smorest) the OpenAPI 3
description. The directive format itself is checked by app/directive_format.py, as everywhere."""
from marshmallow import EXCLUDE, Schema, fields, validate

from app.models.directives import ASSIGNEE_ROLES, AUTHORITIES, DOC_TYPES, LENGTHS, URGENCIES
from app.rules import timeliness
from app.rules.workflow import STATUS_LABELS, TRANSITIONS_BY_CODE

# marshmallow's own messages, in Vietnamese (the API's 422 lists them per field)
fields.Field.default_error_messages.update({
    "required": "Thiếu thông tin bắt buộc.",
    "null": "Không được để trống (null).",
    "validator_failed": "Giá trị không hợp lệ.",
})
fields.String.default_error_messages.update({"invalid": "Phải là chuỗi ký tự."})
fields.Integer.default_error_messages.update({"invalid": "Phải là số nguyên.", "too_large": "Số quá lớn."})
fields.Date.default_error_messages.update({"invalid": "Ngày phải viết theo dạng YYYY-MM-DD."})
fields.List.default_error_messages.update({"invalid": "Phải là một danh sách."})
fields.Nested.default_error_messages.update({"type": "Phải là một đối tượng JSON."})
fields.Boolean.default_error_messages.update({"invalid": "Phải là true hoặc false."})
Schema._default_error_messages = {**Schema._default_error_messages, "unknown": "Khóa không có trong định dạng.",
                                  "type": "Phải là một đối tượng JSON."}
validate.Length.message_max = "Dài quá {max} ký tự."
validate.Length.message_min = "Cần ít nhất {min} phần tử hoặc ký tự."
validate.OneOf.default_message = "Phải là một trong: {choices}."
validate.Range.message_min = "Nhỏ nhất là {{min}}."
validate.Range.message_max = "Lớn nhất là {{max}}."
validate.Range.message_all = "Phải trong khoảng {{min}} đến {{max}}."

TEXT = 20000
MAX_ITEMS = 200
MAX_ID = 999999999  # the largest id the URLs' <id:…> accept (app.IdConverter: nine digits)


def _line(limit, **kwargs):
    return fields.String(validate=validate.Length(max=limit), **kwargs)


def _record_id(**kwargs):
    """The id of a record named in a request (the same bounds as the <id:…> of the URLs)."""
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class QuerySchema(Schema):
    """Arguments of a query string: keys a route does not know are ignored."""

    class Meta:
        unknown = EXCLUDE


class ErrorSchema(Schema):
    code = fields.Integer(required=True)
    status = fields.String(required=True)
    message = fields.String(required=True, metadata={"description": "Thông báo tiếng Việt"})
    errors = fields.Raw(metadata={"description": "Lỗi theo từng trường, khi có"})


# ---- the directive format (DESIGN.md "One directive format, everywhere") -------------------------

class AssigneeSchema(Schema):
    agency = _line(LENGTHS["recipient"], required=True, metadata={"description": "Tên cơ quan hoặc nhóm"})
    role = fields.String(load_default="lead", validate=validate.OneOf(list(ASSIGNEE_ROLES)))
    deadline = fields.Date(allow_none=True, load_default=None)


class AgencyDeadlineSchema(Schema):
    agency = _line(LENGTHS["recipient"], required=True)
    deadline = fields.Date(required=True)


class TaskSchema(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=TEXT))
    deadline = fields.Date(allow_none=True, load_default=None)
    agency_deadlines = fields.List(fields.Nested(AgencyDeadlineSchema), validate=validate.Length(max=MAX_ITEMS))
    recurrence = fields.String(allow_none=True, validate=validate.Length(max=40),
                               metadata={"description": "weekly:4, monthly:20, quarterly:last, yearly:12-31 …"})


class SectionSchema(Schema):
    number = _line(LENGTHS["section_number"], allow_none=True, load_default=None)
    heading = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=TEXT))
    assignees = fields.List(fields.Nested(AssigneeSchema), load_default=list, validate=validate.Length(max=MAX_ITEMS))
    tasks = fields.List(fields.Nested(TaskSchema), required=True, validate=validate.Length(min=1, max=MAX_ITEMS))


class SignerSchema(Schema):
    authority = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(AUTHORITIES))
    authority_title = _line(LENGTHS["signer"], allow_none=True, load_default="")
    title = _line(LENGTHS["signer"], allow_none=True, load_default="")
    name = _line(LENGTHS["signer"], allow_none=True, load_default=None)


class DirectiveFormatSchema(Schema):
    """A directive in the directive format; number and date are given by the clerk at issue."""

    doc_type = fields.String(load_default="cong_van", validate=validate.OneOf(list(DOC_TYPES)))
    issuer = fields.List(_line(LENGTHS["recipient"]), load_default=list, validate=validate.Length(max=5),
                         metadata={"description": "Tiêu đề cơ quan ban hành, dòng trên trước"})
    number = fields.String(allow_none=True, dump_only=True)
    symbol = _line(LENGTHS["symbol"], load_default="")
    place = _line(LENGTHS["place"], load_default="")
    date = fields.Date(allow_none=True, dump_only=True)
    subject = fields.String(required=True, validate=validate.Length(min=1, max=LENGTHS["subject"]),
                            metadata={"description": "Trích yếu, không có “V/v”"})
    urgency = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(list(URGENCIES)))
    recipients = fields.List(_line(LENGTHS["recipient"]), load_default=list, validate=validate.Length(max=MAX_ITEMS))
    preamble = fields.String(load_default="", validate=validate.Length(max=TEXT))
    sections = fields.List(fields.Nested(SectionSchema), load_default=list, validate=validate.Length(max=MAX_ITEMS))
    closing = fields.String(load_default="", validate=validate.Length(max=TEXT))
    cc = fields.List(_line(LENGTHS["cc"]), load_default=list, validate=validate.Length(max=MAX_ITEMS))
    signer = fields.Nested(SignerSchema, allow_none=True, load_default=None)
    deadline = fields.Date(allow_none=True, load_default=None)


class DirectiveCreateSchema(DirectiveFormatSchema):
    issuer_agency_id = _record_id(metadata={"description": "Cơ quan ban hành (một trong các cơ quan của tài khoản); "
                                                           "mặc định theo tiêu đề issuer hoặc cơ quan duy nhất"})


# ---- directives -----------------------------------------------------------------------------------

class AgencyRefSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    short_name = fields.String(required=True)


class SearchMatchSchema(Schema):
    kind = fields.String(required=True, metadata={"description": "directive, task hoặc report"})
    id = fields.Integer(required=True)
    field = fields.String(required=True, metadata={"description": "code, title hoặc agencies"})
    snippet = fields.String(required=True, metadata={"description": "Đoạn khớp, từ khớp trong <mark>…</mark>"})
    assignment_id = fields.Integer(allow_none=True)


class DirectiveSummarySchema(Schema):
    id = fields.Integer(required=True)
    doc_type = fields.String(required=True)
    number = fields.String(allow_none=True)
    symbol = fields.String(required=True)
    number_symbol = fields.String(required=True)
    issued_date = fields.Date(allow_none=True)
    subject = fields.String(required=True)
    state = fields.String(required=True)
    issuer = fields.Nested(AgencyRefSchema, allow_none=True)
    owner = fields.Nested(AgencyRefSchema, allow_none=True)
    version = fields.Integer(required=True)
    rank = fields.Float(allow_none=True, metadata={"description": "Điểm phù hợp khi tìm kiếm (lớn hơn: phù hợp hơn)"})
    matches = fields.List(fields.Nested(SearchMatchSchema))


class DirectiveSchema(DirectiveSummarySchema):
    document = fields.Nested(DirectiveFormatSchema, required=True,
                             metadata={"description": "Văn bản theo định dạng văn bản"})
    warnings = fields.List(fields.String())


class PageArgsSchema(QuerySchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class DirectiveListArgsSchema(PageArgsSchema):
    q = fields.String(load_default="", validate=validate.Length(max=200),
                      metadata={"description": "Tìm theo từ (không phân biệt dấu, hoa thường), số và ký hiệu "
                                               "(01/UBND-NNTN), tên cơ quan"})
    state = fields.String(validate=validate.OneOf(["draft", "submitted", "approved", "issued", "received"]))


def page_schema(item_schema, name):
    return type(name, (Schema,), {
        "items": fields.List(fields.Nested(item_schema), required=True),
        "page": fields.Integer(required=True),
        "per_page": fields.Integer(required=True),
        "total": fields.Integer(required=True),
    })


DirectivePageSchema = page_schema(DirectiveSummarySchema, "DirectivePageSchema")


# ---- received -------------------------------------------------------------------------------------

class ReceivedSchema(Schema):
    id = fields.Integer(required=True)
    agency = fields.Nested(AgencyRefSchema, required=True, metadata={"description": "Cơ quan nhận (sổ văn bản đến)"})
    number = fields.Integer(required=True, metadata={"description": "Số đến"})
    year = fields.Integer(required=True)
    received_date = fields.Date(allow_none=True)
    directive = fields.Nested(DirectiveSummarySchema, required=True)


ReceivedPageSchema = page_schema(ReceivedSchema, "ReceivedPageSchema")


class ReceivedArgsSchema(PageArgsSchema):
    year = fields.Integer(validate=validate.Range(min=1900, max=2200))


# ---- assignments ----------------------------------------------------------------------------------

class AssignmentSchema(Schema):
    id = fields.Integer(required=True)
    directive_id = fields.Integer(required=True)
    directive = fields.String(required=True, metadata={"description": "Số, ký hiệu và trích yếu"})
    task = fields.String(required=True)
    agency = fields.Nested(AgencyRefSchema, required=True)
    role = fields.String(required=True, metadata={"description": "lead (chủ trì) hoặc coordinating (phối hợp)"})
    deadline = fields.Date(allow_none=True)
    status = fields.String(required=True, metadata={"enum": list(STATUS_LABELS)})
    status_label = fields.String(required=True)
    progress_percent = fields.Integer(required=True)
    completed_date = fields.Date(allow_none=True)
    timeliness = fields.String(required=True, metadata={"enum": list(timeliness.LABELS)})
    version = fields.Integer(required=True, metadata={"description": "Gửi lại khi thay đổi (kiểm tra xung đột)"})


class ReportSchema(Schema):
    id = fields.Integer(required=True)
    created_at = fields.DateTime(required=True)
    user = fields.String(allow_none=True)
    old_status = fields.String(allow_none=True)
    new_status = fields.String(required=True)
    percent = fields.Integer(required=True)
    note = fields.String(required=True)
    evidence = fields.List(fields.String(), required=True, metadata={"description": "Tên tệp minh chứng"})


class AssignmentDetailSchema(AssignmentSchema):
    actions = fields.List(fields.String(), required=True,
                          metadata={"description": "Thao tác tài khoản được làm lúc này"})
    reports = fields.List(fields.Nested(ReportSchema), required=True)


AssignmentPageSchema = page_schema(AssignmentSchema, "AssignmentPageSchema")


class AssignmentListArgsSchema(PageArgsSchema):
    status = fields.String(validate=validate.OneOf(list(STATUS_LABELS)))


class _ChangeSchema(Schema):
    """What every change of an assignment carries besides its action."""

    percent = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=0, max=100))
    note = fields.String(load_default="", validate=validate.Length(max=TEXT))
    version = fields.Integer(required=True, validate=validate.Range(min=0, max=2**31 - 1))


class StatusChangeSchema(_ChangeSchema):
    action = fields.String(required=True, validate=validate.OneOf(list(TRANSITIONS_BY_CODE)),
                           metadata={"description": "start, progress, submit (đơn vị); confirm, return, suspend, "
                                                    "resume, cancel (cơ quan giao)"})


class ProgressFormSchema(_ChangeSchema):
    """A progress report with evidence, sent as multipart/form-data (files in `files`)."""

    action = fields.String(load_default="progress", validate=validate.OneOf(list(TRANSITIONS_BY_CODE)))


class ProgressFilesSchema(Schema):
    files = fields.List(fields.Raw(metadata={"type": "string", "format": "binary"}),
                        metadata={"description": "Tệp minh chứng (PDF, DOCX, XLSX, ảnh …)"})


# ---- dashboard ------------------------------------------------------------------------------------

class DashboardArgsSchema(QuerySchema):
    organisation = _record_id(metadata={"description": "Cơ quan theo dõi (mặc định: như trên trang web)"})


class AgencyFiguresSchema(Schema):
    agency = fields.Nested(AgencyRefSchema, required=True)
    assigned = fields.Integer(required=True)
    done_on_time = fields.Integer(required=True)
    done_late = fields.Integer(required=True)
    in_progress = fields.Integer(required=True)
    overdue = fields.Integer(required=True)
    no_deadline = fields.Integer(required=True)
    on_time_rate = fields.Float(allow_none=True)


class DashboardSchema(Schema):
    organisation = fields.Nested(AgencyRefSchema, required=True)
    today = fields.Date(required=True)
    totals = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                         metadata={"description": "Số nhiệm vụ theo nhóm của trang Theo dõi (hoàn thành đúng hạn, "
                                                  "quá hạn, đang trong hạn …)"})
    directive_count = fields.Integer(required=True)
    agencies = fields.List(fields.Nested(AgencyFiguresSchema), required=True)


# ---- search ---------------------------------------------------------------------------------------

class SearchArgsSchema(PageArgsSchema):
    q = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(validate=validate.OneOf(["directive", "task", "report"]))
    agency_only = fields.Boolean(load_default=False, metadata={"description": "Chỉ tìm trong tên cơ quan"})


class SearchHitSchema(Schema):
    kind = fields.String(required=True)
    id = fields.Integer(required=True)
    directive_id = fields.Integer(required=True)
    assignment_id = fields.Integer(allow_none=True)
    rank = fields.Float(required=True)
    title = fields.String(required=True)
    snippet = fields.String(required=True)


SearchPageSchema = page_schema(SearchHitSchema, "SearchPageSchema")
