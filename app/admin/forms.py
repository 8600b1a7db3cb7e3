from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import Form, VNDateField
from app.models.agencies import AGENCY_KINDS
from app.rules.permissions import ROLE_HELP, ROLE_LABELS


def _max(limit):
    return Length(max=limit, message=f"Tối đa {limit} ký tự.")


class AgencyForm(Form):
    name = StringField("Tên đầy đủ", validators=[DataRequired("Nhập tên cơ quan."), _max(300)])
    short_name = StringField("Tên ngắn", validators=[DataRequired("Nhập tên ngắn."), _max(200)])
    abbreviation = StringField("Chữ viết tắt trong ký hiệu văn bản", validators=[Optional(), _max(30)])
    kind = SelectField("Loại", choices=list(AGENCY_KINDS.items()))
    parent_id = SelectField("Cơ quan cấp trên", choices=[], validate_choice=False, render_kw={"data-search": ""})
    serves_id = SelectField("Tham mưu, giúp việc cho (Văn phòng → UBND)", choices=[], validate_choice=False,
                            render_kw={"data-search": ""})
    header_text = TextAreaField("Tiêu đề in trên văn bản (mỗi dòng một dòng)", validators=[Optional(), _max(500)],
                                render_kw={"rows": 2, "placeholder": "ỦY BAN NHÂN DÂN\nTỈNH KON TUM"})
    place = StringField("Địa danh", validators=[Optional(), _max(100)])
    code = StringField("Mã định danh (QĐ 20/2020/QĐ-TTg)", validators=[Optional(), _max(35)],
                       render_kw={"placeholder": "Ví dụ 000.00.00.H41", "spellcheck": "false"})
    active = BooleanField("Đang hoạt động", default=True)

    def validate_code(self, field):
        if field.data and ("," in field.data or any(ch.isspace() for ch in field.data.strip())):
            raise ValidationError("Mã định danh không chứa dấu phẩy hay khoảng trắng.")

    def validate_parent_id(self, field):
        if field.data and field.data not in self.valid_parents:
            raise ValidationError("Cơ quan cấp trên không hợp lệ.")

    def validate_serves_id(self, field):
        if field.data and field.data not in self.valid_parents:
            raise ValidationError("Cơ quan không hợp lệ.")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class GroupForm(Form):
    name = StringField("Tên nhóm (như in trên văn bản)", validators=[DataRequired("Nhập tên nhóm."), _max(300)])
    owner_id = SelectField("Cơ quan sử dụng nhóm", choices=[], validate_choice=False,
                           validators=[DataRequired("Chọn cơ quan.")], render_kw={"data-search": ""})
    description = TextAreaField("Ghi chú", validators=[Optional(), _max(2000)], render_kw={"rows": 2})
    members = MultiCheckboxField("Thành viên", choices=[], coerce=int, validate_choice=False)

    def validate_owner_id(self, field):
        if field.data not in self.valid_agencies:
            raise ValidationError("Cơ quan không hợp lệ.")

    def validate_members(self, field):
        if any(str(member) not in self.valid_agencies for member in field.data or []):
            raise ValidationError("Có thành viên không có trong danh mục.")
        if not field.data:
            raise ValidationError("Chọn ít nhất một thành viên.")


class UserForm(Form):
    username = StringField("Tên đăng nhập", validators=[
        DataRequired("Nhập tên đăng nhập."), _max(64),
        Regexp(r"^[A-Za-z0-9._-]+$", message="Chỉ dùng chữ không dấu, số, dấu chấm, gạch dưới, gạch ngang.")])
    full_name = StringField("Họ và tên", validators=[DataRequired("Nhập họ tên."), _max(200)])
    email = StringField("Thư điện tử", validators=[_max(254)],
                        render_kw={"type": "email", "autocomplete": "off", "inputmode": "email"})
    roles = MultiCheckboxField("Vai trò tại cơ quan", choices=[(r, f"{label}: {ROLE_HELP[r]}")
                                                                for r, label in ROLE_LABELS.items()],
                               validate_choice=False)
    agency_id = SelectField("Cơ quan", choices=[], validate_choice=False, render_kw={"data-search": ""})
    admin_scope_id = SelectField("Phạm vi quản trị", choices=[], validate_choice=False, render_kw={"data-search": ""})
    password = PasswordField("Mật khẩu", validators=[Optional(), Length(min=8, max=200, message="Mật khẩu từ 8 đến 200 ký tự.")])
    active = BooleanField("Đang hoạt động", default=True)

    def validate_email(self, field):
        from app.auth.forms import EMAIL_RE

        field.data = (field.data or "").strip()
        if field.data and not EMAIL_RE.match(field.data):
            raise ValidationError("Địa chỉ thư điện tử không hợp lệ (ví dụ: ten@soyte.kontum.gov.vn).")

    def validate_agency_id(self, field):
        if field.data and field.data not in self.valid_agencies:
            raise ValidationError("Cơ quan không hợp lệ.")

    def validate_roles(self, field):
        if any(role not in ROLE_LABELS for role in field.data or []):
            raise ValidationError("Vai trò không hợp lệ.")
        if not field.data:
            raise ValidationError("Chọn ít nhất một vai trò.")

    def validate_admin_scope_id(self, field):
        if field.data not in self.valid_scopes:
            raise ValidationError("Phạm vi quản trị không hợp lệ.")


class DissolveForm(Form):
    """Giải thể, sáp nhập: from which day, and who takes over the open work."""

    successor_id = SelectField("Cơ quan tiếp nhận", choices=[], validate_choice=False,
                               validators=[DataRequired("Chọn cơ quan tiếp nhận nhiệm vụ.")], render_kw={"data-search": ""})
    day = VNDateField("Kết thúc hoạt động từ ngày", validators=[DataRequired("Nhập ngày (dd/mm/yyyy).")])
    note = StringField("Căn cứ (nghị quyết, quyết định)", validators=[Optional(), _max(300)])

    def validate_successor_id(self, field):
        if field.data not in self.valid_successors:
            raise ValidationError("Cơ quan tiếp nhận không hợp lệ.")
