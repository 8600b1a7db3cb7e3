"""The base of every form: Vietnamese messages, NFC-normalised and trimmed text, dd/mm/yyyy dates."""
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto as _AUTO
from wtforms import Form as WTForm
from wtforms import Field, PasswordField, StringField, TextAreaField
from wtforms.widgets import TextInput

from app.text import ascii_id, clean_line, clean_text, format_vn_date, parse_vn_date

VIETNAMESE = {
    "This field is required.": "Vui lòng nhập thông tin này.",
    "Not a valid choice.": "Lựa chọn không hợp lệ.",
    "Invalid Choice: could not coerce.": "Lựa chọn không hợp lệ.",
    "Invalid choice(s): one or more data inputs could not be coerced.": "Lựa chọn không hợp lệ.",
    "Not a valid integer value.": "Phải là một số nguyên.",
    "Not a valid decimal value.": "Phải là một số.",
    "Not a valid float value.": "Phải là một số.",
    "Not a valid date value.": "Ngày không hợp lệ (dd/mm/yyyy).",
    "Invalid input.": "Giá trị không hợp lệ.",
    "Field must be equal to %(other_name)s.": "Hai ô phải giống nhau.",
    "Number must be at least %(min)s.": "Số nhỏ nhất là %(min)s.",
    "Number must be at most %(max)s.": "Số lớn nhất là %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Phải là số từ %(min)s đến %(max)s.",
    "Field must be between %(min)d and %(max)d characters long.": "Độ dài từ %(min)d đến %(max)d ký tự.",
    "Invalid CSRF Token.": "Mã bảo mật biểu mẫu không hợp lệ; tải lại trang.",
    "CSRF token missing.": "Thiếu mã bảo mật biểu mẫu; tải lại trang.",
    "CSRF failed.": "Mã bảo mật biểu mẫu không hợp lệ; tải lại trang.",
    "CSRF token expired.": "Biểu mẫu đã hết hạn; tải lại trang.",
}
VIETNAMESE_PLURAL = {
    "Field must be at least %(min)d character long.": "Cần ít nhất %(min)d ký tự.",
    "Field cannot be longer than %(max)d character.": "Tối đa %(max)d ký tự.",
    "Field must be exactly %(max)d character long.": "Phải đúng %(max)d ký tự.",
    "'%(value)s' is not a valid choice for this field.": "“%(value)s” không phải lựa chọn hợp lệ.",
}


class VietnameseTranslations:
    def gettext(self, string):
        return VIETNAMESE.get(string, string)

    def ngettext(self, singular, plural, n):
        return VIETNAMESE_PLURAL.get(singular, VIETNAMESE.get(singular if n == 1 else plural, plural))


class Form(FlaskForm):
    class Meta:
        def wrap_formdata(self, form, formdata):
            """Forms read form fields only: a JSON body ("[1,2]", 5,000 levels deep, a lone surrogate)
            is no form, and validation then says what is missing, never a server error."""
            from flask import request
            from werkzeug.datastructures import ImmutableMultiDict

            if formdata is _AUTO and request.method in ("POST", "PUT", "PATCH", "DELETE") \
                    and not request.files and not request.form:
                return ImmutableMultiDict()
            return FlaskForm.Meta.wrap_formdata(self, form, formdata)

        def get_translations(self, form):
            return VietnameseTranslations()

        def bind_field(self, form, unbound_field, options):
            """Text fields are cleaned before validation: NFC, trimmed, inner spaces collapsed."""
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
                cleaner = clean_text if issubclass(field_class, TextAreaField) else clean_line
                options["filters"] = [cleaner, *unbound_field.kwargs.get("filters", ())]
            return unbound_field.bind(form=form, **options)


class VNDateField(Field):
    """A date typed as dd/mm/yyyy; what the user typed is shown back when it is wrong."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "maxlength": 10})
        super().__init__(label, validators, **kwargs)
        self.raw = None

    def _value(self):
        if self.raw is not None:
            return self.raw
        return format_vn_date(self.data) if self.data else ""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.raw = (valuelist[0] or "").strip()[:20]
        if not self.raw:
            self.data = None
            return
        try:
            self.data = parse_vn_date(self.raw)
        except ValueError as error:
            self.data = None
            raise ValueError(str(error)) from None


class SubForm(WTForm):
    """Rows inside a form (FieldList of FormField): same cleaning and messages, no own CSRF token."""

    class Meta:
        get_translations = Form.Meta.get_translations
        bind_field = Form.Meta.bind_field


def hidden_id(value) -> int | None:
    """A row id posted back by the browser; anything odd counts as a new row."""
    return ascii_id(str(value or ""))
