from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import EqualTo

from coordinator.accounts.passwords import MAX_LENGTH, RULES_HINT
from coordinator.core.errors import DomainError
from coordinator.web.forms import BaseForm, max_length, required
from coordinator.web.routing import apply_domain_error

# The password rules live in accounts/passwords.py (the services call them); a form only says what they are.


def _new_password(label: str) -> PasswordField:
    return PasswordField(label, validators=[required(), max_length(MAX_LENGTH)], description=_l(RULES_HINT))


def _confirm() -> PasswordField:
    return PasswordField(_l("Ulangi kata sandi baru"),
                         validators=[required(), EqualTo("new", message=_l("Kedua kata sandi tidak sama."))])


def put_password_error(form: BaseForm, err: DomainError) -> None:
    """The rules name the field "password"; on these forms it is "new"."""
    field = "new" if err.field == "password" else err.field
    apply_domain_error(form, DomainError(err.message, field, **err.params))


class LoginForm(BaseForm):
    email = EmailField(_l("Email"), validators=[required(), max_length(200)])
    password = PasswordField(_l("Kata sandi"), validators=[required(), max_length(200)])
    remember = BooleanField(_l("Ingat saya di perangkat ini"))  # its hint carries the settings: routes.login


class AccountForm(BaseForm):
    name = StringField(_l("Nama"), validators=[required(), max_length(120)])
    locale = SelectField(_l("Bahasa tampilan"), choices=[("id", "Bahasa Indonesia"), ("en", "English")])


class PasswordForm(BaseForm):
    current = PasswordField(_l("Kata sandi sekarang"), validators=[required()])
    new = _new_password(_l("Kata sandi baru"))
    confirm = _confirm()


class ForgotPasswordForm(BaseForm):
    email = EmailField(_l("Email"), validators=[required(), max_length(200)])


class NewPasswordForm(BaseForm):
    """The account page's new password (PasswordForm), without the current password."""

    new = _new_password(_l("Kata sandi baru"))
    confirm = _confirm()
