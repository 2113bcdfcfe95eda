from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import Email

from coordinator.web.forms import BaseForm, max_length, optional, required

KIND_CHOICES = [("opd", _l("Perangkat daerah (OPD)")), ("vertikal", _l("Instansi vertikal")),
                ("kecamatan", _l("Kecamatan")), ("desa", _l("Desa/kelurahan")), ("mitra", _l("Mitra/CSR"))]


class AgencyForm(BaseForm):
    code = StringField(_l("Kode singkat"), validators=[required(), max_length(40)])
    short_name = StringField(_l("Nama singkat"), validators=[required(), max_length(60)])
    name = StringField(_l("Nama lengkap"), validators=[required(), max_length(200)])
    kind = SelectField(_l("Jenis"), choices=KIND_CHOICES, validators=[required()])
    aliases = StringField(_l("Nama lain (pisahkan dengan koma)"), validators=[optional(), max_length(400)])
    head_name = StringField(_l("Nama kepala instansi"), validators=[optional(), max_length(120)])
    head_email = EmailField(_l("Email kepala instansi"),
                            validators=[optional(), Email(message=_l("Alamat email tidak sah.")), max_length(200)])
    active = BooleanField(_l("Aktif"), default=True)
