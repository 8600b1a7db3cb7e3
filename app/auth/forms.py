import re

from wtforms import BooleanField, PasswordField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.api.tokens import DEFAULT_DAYS, LIFETIMES
from app.forms import Form


class LoginForm(Form):
    username = StringField("Tên đăng nhập", validators=[
        DataRequired("Vui lòng nhập tên đăng nhập."), Length(max=64, message="Tối đa 64 ký tự.")])
    password = PasswordField("Mật khẩu", validators=[
        DataRequired("Vui lòng nhập mật khẩu."), Length(max=200, message="Tối đa 200 ký tự.")])
    remember = BooleanField("Ghi nhớ đăng nhập")
    submit = SubmitField("Đăng nhập")


class PasswordChangeForm(Form):
    """A user changes their own password: the current one proves it is them."""

    current = PasswordField("Mật khẩu hiện tại", validators=[DataRequired("Nhập mật khẩu hiện tại.")])
    new = PasswordField("Mật khẩu mới", validators=[
        DataRequired("Nhập mật khẩu mới."), Length(min=8, max=200, message="Mật khẩu từ 8 đến 200 ký tự.")])
    confirm = PasswordField("Nhập lại mật khẩu mới", validators=[
        DataRequired("Nhập lại mật khẩu mới."), EqualTo("new", message="Hai lần nhập mật khẩu mới không giống nhau.")])


EMAIL_RE = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


class MailSettingsForm(Form):
    """Thư điện tử: the address, the kinds of mail, one by one or a daily digest."""

    email = StringField("Địa chỉ thư điện tử", validators=[Length(max=254, message="Tối đa 254 ký tự.")],
                        render_kw={"type": "email", "autocomplete": "email", "inputmode": "email"})
    kinds = SelectMultipleField("Nhận thư khi", choices=[], validate_choice=True,
                                widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    delivery = RadioField("Cách nhận", choices=[("single", "Từng thư, ngay khi có việc"),
                                                ("digest", "Một thư tổng hợp mỗi sáng")], default="single")
    submit = SubmitField("Lưu")

    def validate_email(self, field):
        field.data = (field.data or "").strip()
        if field.data and not EMAIL_RE.match(field.data):
            raise ValidationError("Địa chỉ thư điện tử không hợp lệ (ví dụ: ten@soyte.kontum.gov.vn).")
class TokenForm(Form):
    """A new personal access token for the REST API, named for the program that will use it."""

    name = StringField("Tên mã truy cập", validators=[
        DataRequired("Đặt tên cho mã truy cập."), Length(max=100, message="Tối đa 100 ký tự.")])
    days = SelectField("Thời hạn", coerce=int, default=DEFAULT_DAYS,
                       choices=[(days, f"{days} ngày" + (" (một năm)" if days == 365 else ""))
                                for days in LIFETIMES])
    submit = SubmitField("Tạo mã truy cập")


class RevokeTokenForm(Form):
    """The revoke button of one token (CSRF only)."""
