from wtforms import HiddenField, IntegerField, RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.forms import Form


class AssignmentUpdateForm(Form):
    version = HiddenField()
    action = RadioField("Thao tác", choices=[], validators=[InputRequired("Chọn một thao tác.")])
    percent = IntegerField("Tiến độ (%)", validators=[Optional(), NumberRange(0, 100, "Tiến độ từ 0 đến 100.")],
                           render_kw={"min": 0, "max": 100, "inputmode": "numeric"})
    note = TextAreaField("Nội dung báo cáo, lý do", validators=[Optional(), Length(max=5000, message="Tối đa 5000 ký tự.")],
                         render_kw={"rows": 4})
