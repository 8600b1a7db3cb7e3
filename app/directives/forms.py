"""The structured directive form: header, Kính gửi, sections with assignees and tasks, Nơi nhận, signer."""
from flask_wtf.file import FileField
from wtforms import FieldList, FormField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app import doc_types
from app.directive_format import TEXT_LIMIT
from app.forms import Form, SubForm, VNDateField
from app.models.directives import ASSIGNEE_ROLES, AUTHORITIES, DOC_TYPES, LENGTHS, URGENCIES

MAX_SECTIONS = 100
MAX_TASKS = 200
MAX_ASSIGNEES = 60
MAX_LINES = 60


def _max(limit):
    return Length(max=limit, message=f"Tối đa {limit} ký tự.")


class LineForm(SubForm):
    text = StringField("Dòng", validators=[Optional(), _max(LENGTHS["recipient"])])


class AssigneeForm(SubForm):
    target = SelectField("Đơn vị", choices=[], validate_choice=False)
    role = SelectField("Vai trò", choices=list(ASSIGNEE_ROLES.items()), default="lead")
    deadline = VNDateField("Hạn")

    def validate_target(self, field):
        if field.data and field.data not in getattr(self, "valid_targets", set()):
            raise ValidationError("Đơn vị không có trong danh mục.")
        if not field.data and self.deadline.data:
            raise ValidationError("Chọn đơn vị cho hạn đã nhập.")


class TaskForm(SubForm):
    id = HiddenField()
    text = TextAreaField("Nội dung nhiệm vụ", validators=[Optional(), _max(TEXT_LIMIT)])
    deadline = VNDateField("Hạn")


class SectionForm(SubForm):
    id = HiddenField()
    number = StringField("Số mục", validators=[Optional(), _max(LENGTHS["section_number"])])
    heading = TextAreaField("Câu dẫn (ai thực hiện)", validators=[Optional(), _max(TEXT_LIMIT)])
    assignees = FieldList(FormField(AssigneeForm), min_entries=0, max_entries=MAX_ASSIGNEES)
    tasks = FieldList(FormField(TaskForm), min_entries=1, max_entries=MAX_TASKS)

    def is_blank(self) -> bool:
        return not (self.number.data or self.heading.data or any(t.form.text.data for t in self.tasks)
                    or any(a.form.target.data for a in self.assignees))


class DirectiveForm(Form):
    version = HiddenField()
    doc_type = SelectField("Loại văn bản", choices=list(DOC_TYPES.items()), default="cong_van")
    issuer_agency_id = SelectField("Cơ quan ban hành", choices=[], validate_choice=False,
                                   validators=[DataRequired("Chọn cơ quan ban hành.")], render_kw={"data-search": ""})
    symbol = StringField("Ký hiệu", validators=[Optional(), _max(LENGTHS["symbol"])],
                         render_kw={"placeholder": "ví dụ: UBND-KGVX"})
    place = StringField("Địa danh", validators=[Optional(), _max(LENGTHS["place"])],
                        render_kw={"placeholder": "ví dụ: Kon Tum"})
    subject = TextAreaField("Trích yếu", validators=[DataRequired("Vui lòng nhập trích yếu."), _max(LENGTHS["subject"])],
                            render_kw={"rows": 2, "placeholder": "ví dụ: tăng cường công tác … (không ghi “V/v”)"})
    urgency = SelectField("Độ khẩn", choices=[("", "Không")] + list(URGENCIES.items()), default="")
    deadline = VNDateField("Hạn chung của văn bản")
    recipients = FieldList(FormField(LineForm), min_entries=1, max_entries=MAX_LINES)
    preamble = TextAreaField("Phần mở đầu (căn cứ, lý do)", validators=[Optional(), _max(TEXT_LIMIT)],
                             render_kw={"rows": 4})
    sections = FieldList(FormField(SectionForm), min_entries=1, max_entries=MAX_SECTIONS)
    closing = TextAreaField("Câu kết", validators=[Optional(), _max(TEXT_LIMIT)], render_kw={"rows": 2})
    cc = FieldList(FormField(LineForm), min_entries=1, max_entries=MAX_LINES)
    signer_authority = SelectField("Thẩm quyền ký", choices=[("", "Không")] + [(a, a) for a in AUTHORITIES], default="")
    signer_authority_title = StringField("Chức danh thay mặt", validators=[Optional(), _max(LENGTHS["signer"])],
                                         render_kw={"placeholder": "ví dụ: ỦY BAN NHÂN DÂN"})
    signer_title = TextAreaField("Chức vụ người ký (mỗi dòng một dòng)", validators=[Optional(), _max(LENGTHS["signer"])],
                                 render_kw={"placeholder": "ví dụ: PHÓ CHỦ TỊCH", "rows": 2})
    signer_name = StringField("Họ tên người ký", validators=[Optional(), _max(LENGTHS["signer"])])

    def set_choices(self, issuer_choices, target_choices):
        """Choices come from the directory; every nested select gets the same list."""
        self.issuer_agency_id.choices = [("", "— Chọn cơ quan —")] + issuer_choices
        valid = {value for _group, options in target_choices.items() for value, _label in options}
        self.target_choices = {"": [("", "— Chọn đơn vị —")], **target_choices}
        self.valid_targets = valid
        for section in self.sections:
            for assignee in section.form.assignees:
                assignee.form.target.choices = self.target_choices
                assignee.form.valid_targets = valid
        self.valid_issuers = {str(value) for value, _label in issuer_choices}

    def validate_issuer_agency_id(self, field):
        if field.data and field.data not in self.valid_issuers:
            raise ValidationError("Cơ quan ban hành không có trong danh mục.")

    def validate_sections(self, field):
        if all(section.form.is_blank() for section in field):
            raise ValidationError("Văn bản cần ít nhất một mục có nhiệm vụ.")

    def validate_recipients(self, field):
        """Which types need addressees comes from the one table of document types (a chỉ thị has none)."""
        if doc_types.get(self.doc_type.data).takes_recipients and not any(row.form.text.data for row in field):
            raise ValidationError(f"{doc_types.get(self.doc_type.data).label} cần ít nhất một nơi nhận ở mục Kính gửi.")

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        for section in self.sections:
            if section.form.is_blank():
                continue
            if not any(task.form.text.data for task in section.form.tasks):
                section.form.tasks.errors.append("Mục này cần ít nhất một nhiệm vụ.")
                ok = False
        return ok


class ReceivedForm(Form):
    """Văn bản đến: the document as its issuer printed it, and when it arrived."""

    organisation_id = SelectField("Cơ quan nhận", choices=[], validate_choice=False,
                                  validators=[DataRequired("Chọn cơ quan nhận văn bản.")])
    issuer = TextAreaField("Cơ quan ban hành (như in trên văn bản, mỗi dòng một dòng)",
                           validators=[Optional(), _max(LENGTHS["recipient"])],
                           render_kw={"rows": 2, "placeholder": "ví dụ: THỦ TƯỚNG CHÍNH PHỦ"})
    doc_type = SelectField("Loại văn bản", choices=list(DOC_TYPES.items()), default="cong_van")
    number = StringField("Số", validators=[Optional(), _max(LENGTHS["number"])], render_kw={"placeholder": "ví dụ: 8149"})
    symbol = StringField("Ký hiệu", validators=[Optional(), _max(LENGTHS["symbol"])],
                         render_kw={"placeholder": "ví dụ: CĐ-VPCP"})
    date = VNDateField("Ngày văn bản")
    subject = TextAreaField("Trích yếu", validators=[Optional(), _max(LENGTHS["subject"])], render_kw={"rows": 2})
    received_date = VNDateField("Ngày đến", validators=[DataRequired("Nhập ngày đến (dd/mm/yyyy).")])
    deadline = VNDateField("Thời hạn giải quyết")
    file = FileField("Tệp văn bản (PDF, DOCX, TXT) để đọc nội dung và nhiệm vụ")
    body = HiddenField()  # the tasks read from a file, kept while the user completes the header

    def validate_organisation_id(self, field):
        if field.data not in self.valid_organisations:
            raise ValidationError("Cơ quan nhận không hợp lệ.")
