from wtforms import BooleanField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

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


class TokenForm(Form):
    """A new personal access token for the REST API, named for the program that will use it."""

    name = StringField("Tên mã truy cập", validators=[
        DataRequired("Đặt tên cho mã truy cập."), Length(max=100, message="Tối đa 100 ký tự.")])
    submit = SubmitField("Tạo mã truy cập")


class RevokeTokenForm(Form):
    """The revoke button of one token (CSRF only)."""
