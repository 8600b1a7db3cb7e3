from wtforms import BooleanField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from app.forms import Form


class LoginForm(Form):
    username = StringField("Tên đăng nhập", validators=[
        DataRequired("Vui lòng nhập tên đăng nhập."), Length(max=64, message="Tối đa 64 ký tự.")])
    password = PasswordField("Mật khẩu", validators=[
        DataRequired("Vui lòng nhập mật khẩu."), Length(max=200, message="Tối đa 200 ký tự.")])
    remember = BooleanField("Ghi nhớ đăng nhập")
    submit = SubmitField("Đăng nhập")
