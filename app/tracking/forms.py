from wtforms import HiddenField, IntegerField, MultipleFileField, RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.forms import Form, VNDateField


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
