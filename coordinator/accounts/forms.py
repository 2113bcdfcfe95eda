from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import EqualTo, Length

from coordinator.web.forms import BaseForm, max_length, required


class LoginForm(BaseForm):
    email = EmailField(_l("Email"), validators=[required(), max_length(200)])
    password = PasswordField(_l("Kata sandi"), validators=[required(), max_length(200)])
    remember = BooleanField(_l("Ingat saya di perangkat ini"))


class AccountForm(BaseForm):
    name = StringField(_l("Nama"), validators=[required(), max_length(120)])
    locale = SelectField(_l("Bahasa tampilan"), choices=[("id", "Bahasa Indonesia"), ("en", "English")])


class PasswordForm(BaseForm):
    current = PasswordField(_l("Kata sandi sekarang"), validators=[required()])
    new = PasswordField(
        _l("Kata sandi baru"),
        validators=[required(), Length(min=10, max=200, message=_l("Kata sandi minimal 10 karakter."))],
    )
    confirm = PasswordField(
        _l("Ulangi kata sandi baru"),
        validators=[required(), EqualTo("new", message=_l("Kedua kata sandi tidak sama."))],
    )


class ForgotPasswordForm(BaseForm):
    email = EmailField(_l("Email"), validators=[required(), max_length(200)])


class NewPasswordForm(BaseForm):
    """The password rules of the account page (PasswordForm), without the current password."""

    new = PasswordField(
        _l("Kata sandi baru"),
        validators=[required(), Length(min=10, max=200, message=_l("Kata sandi minimal 10 karakter."))],
    )
    confirm = PasswordField(
        _l("Ulangi kata sandi baru"),
        validators=[required(), EqualTo("new", message=_l("Kedua kata sandi tidak sama."))],
    )
