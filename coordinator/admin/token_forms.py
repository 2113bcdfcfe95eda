"""The form that creates an API token (admins only)."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField

from coordinator.web.forms import BaseForm, max_length, optional, required


class ApiTokenForm(BaseForm):
    user_id = SelectField(_l("Pengguna"), coerce=int, validators=[required()],
                          description=_l("Token bertindak sebagai pengguna ini, dengan izin yang sama."))
    name = StringField(_l("Nama token"), validators=[required(), max_length(120)],
                       description=_l("Untuk apa token ini, mis. \"Dasbor Bappeda\"."))
    expires_on = DateField(_l("Berlaku sampai"), validators=[optional()],
                           description=_l("Kosongkan bila tidak kedaluwarsa."))
