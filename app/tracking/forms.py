from wtforms import HiddenField, IntegerField, MultipleFileField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.forms import Form, VNDateField
from app.models.directives import AUTHORITIES


class AssignmentUpdateForm(Form):
    version = HiddenField()
    action = RadioField("Thao tác", choices=[], validators=[InputRequired("Chọn một thao tác.")])
    percent = IntegerField("Tiến độ (%)", validators=[Optional(), NumberRange(0, 100, "Tiến độ từ 0 đến 100.")],
                           render_kw={"min": 0, "max": 100, "inputmode": "numeric"})
    note = TextAreaField("Nội dung báo cáo, lý do", validators=[Optional(), Length(max=5000, message="Tối đa 5000 ký tự.")],
                         render_kw={"rows": 4})
    files = MultipleFileField("Tài liệu minh chứng (PDF, DOCX, XLSX, ảnh)")


class ExtensionForm(Form):
    requested_deadline = VNDateField("Đề nghị gia hạn đến ngày", validators=[DataRequired("Nhập ngày (dd/mm/yyyy).")])
    reason = TextAreaField("Lý do", validators=[DataRequired("Ghi rõ lý do đề nghị gia hạn."),
                                                 Length(max=2000, message="Tối đa 2000 ký tự.")],
                           render_kw={"rows": 2})


class DecisionForm(Form):
    note = TextAreaField("Ý kiến", validators=[Optional(), Length(max=2000, message="Tối đa 2000 ký tự.")],
                         render_kw={"rows": 2})
    granted = VNDateField("Đồng ý gia hạn đến ngày (để trống: ngày đề nghị)")


def _signer_fields(cls):
    # defaults are set by the view from the issuing organisation (app/rules/signers.py)
    cls.signer_authority = SelectField("Thẩm quyền ký", choices=[("", "Không")] + [(a, a) for a in AUTHORITIES], default="")
    cls.signer_authority_title = StringField("Thay mặt / thừa lệnh",
                                             validators=[Optional(), Length(max=200, message="Tối đa 200 ký tự.")])
    cls.signer_title = StringField("Chức vụ người ký",
                                   validators=[DataRequired("Nhập chức vụ người ký."),
                                               Length(max=200, message="Tối đa 200 ký tự.")])
    cls.signer_name = StringField("Họ tên người ký", validators=[Optional(), Length(max=200, message="Tối đa 200 ký tự.")])
    return cls


@_signer_fields
class ReportForm(Form):
    class Meta:
        csrf = False  # a GET form that only reads

    directive = SelectField("Văn bản", choices=[], validate_choice=False, render_kw={"data-search": ""})
    deadline_from = VNDateField("Hoặc nhiệm vụ có hạn từ ngày")
    deadline_to = VNDateField("đến ngày")
    recipients = StringField("Kính gửi", default="Thường trực Ủy ban nhân dân tỉnh",
                             validators=[DataRequired("Nhập nơi nhận báo cáo."),
                                         Length(max=500, message="Tối đa 500 ký tự.")])
    format = SelectField("Định dạng", choices=[("pdf", "PDF"), ("docx", "DOCX")], default="pdf")

    def validate_directive(self, field):
        if field.data and field.data not in self.valid_directives:
            raise ValidationError("Văn bản không hợp lệ.")
        if not field.data and not (self.deadline_from.data and self.deadline_to.data):
            raise ValidationError("Chọn một văn bản, hoặc nhập kỳ báo cáo (từ ngày, đến ngày).")

    def validate_deadline_to(self, field):
        if field.data and self.deadline_from.data and field.data < self.deadline_from.data:
            raise ValidationError("“Đến ngày” phải sau “từ ngày”.")


@_signer_fields
class ReminderForm(Form):
    agency = SelectField("Cơ quan, đơn vị", choices=[], validate_choice=False, render_kw={"data-search": ""})
    report_by = VNDateField("Báo cáo kết quả trước ngày", validators=[DataRequired("Nhập ngày (dd/mm/yyyy).")])

    def validate_agency(self, field):
        if field.data and field.data not in self.valid_agencies:
            raise ValidationError("Cơ quan không hợp lệ.")
