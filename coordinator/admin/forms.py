from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import Email, EqualTo

from coordinator.accounts.passwords import MAX_LENGTH, RULES_HINT
from coordinator.web.forms import BaseForm, in_range, max_length, optional, required

ROLE_LABELS = {
    "admin": _l("Admin"),
    "koordinator": _l("Koordinator (Disdikbud)"),
    "fokal": _l("Petugas fokal instansi"),
    "pimpinan": _l("Pimpinan"),
    "verifikator": _l("Verifikator desa (kader PKK, ketua RT, operator desa)"),
}
LOCALE_CHOICES = [("id", "Bahasa Indonesia"), ("en", "English")]
JENIS_CHOICES = [("", _l("— untuk kecamatan kosongkan —")), ("desa", _l("Desa")), ("kelurahan", _l("Kelurahan")),
                 ("persiapan", _l("Desa persiapan"))]
# A name for every list in REFERENCE_LISTS; a list without one shows its technical name.
REFERENCE_LIST_LABELS = {
    "sumber_dana": _l("Sumber dana"),
    "verval_status": _l("Hasil verifikasi anak (verval)"),
    "verval_alasan": _l("Alasan tidak bersekolah"),
}


def strip(value: object) -> object:
    """Pasted addresses often carry spaces around them."""
    return value.strip() if isinstance(value, str) else value


def optional_int(value: object) -> int | None:
    """Coerce for a select whose empty option means "none"."""
    if value in (None, "", "None"):
        return None
    return int(value)  # type: ignore[arg-type]


def _password_validators() -> list:
    # The rules themselves are accounts/passwords.check, which the services call; the field shows them.
    return [required(), max_length(MAX_LENGTH)]


def _confirm_validators() -> list:
    return [required(), EqualTo("password", message=_l("Kedua kata sandi tidak sama."))]


class UserForm(BaseForm):
    name = StringField(_l("Nama"), validators=[required(), max_length(120)])
    email = EmailField(_l("Email"), filters=[strip], validators=[
        required(), Email(message=_l("Alamat email tidak sah.")), max_length(200)])
    role = SelectField(_l("Peran"), validators=[required()])
    agency_id = SelectField(_l("Instansi"), coerce=optional_int, validators=[optional()],
                            description=_l("Wajib untuk petugas fokal."))
    locale = SelectField(_l("Bahasa tampilan"), choices=LOCALE_CHOICES, default="id")
    active = BooleanField(_l("Aktif (boleh masuk)"), default=True)


class NewUserForm(UserForm):
    password = PasswordField(_l("Kata sandi awal"), validators=_password_validators(), description=_l(RULES_HINT))
    confirm = PasswordField(_l("Ulangi kata sandi"), validators=_confirm_validators(),
                            description=_l("Sampaikan kata sandi kepada pengguna secara langsung."))


class ResetPasswordForm(BaseForm):
    password = PasswordField(_l("Kata sandi baru"), validators=_password_validators(), description=_l(RULES_HINT))
    confirm = PasswordField(_l("Ulangi kata sandi baru"), validators=_confirm_validators())


class AreaForm(BaseForm):
    kode = StringField(_l("Kode Kemendagri"), validators=[required(), max_length(20)],
                       description=_l("64.08.04 untuk kecamatan, 64.08.04.1001 untuk desa/kelurahan."))
    nama = StringField(_l("Nama"), validators=[required(), max_length(120)])
    jenis = SelectField(_l("Jenis desa/kelurahan"), choices=JENIS_CHOICES, validators=[optional()])
    active = BooleanField(_l("Aktif"), default=True,
                          description=_l("Wilayah nonaktif tidak muncul lagi di pilihan wilayah sasaran."))


class AreaEditForm(AreaForm):
    # The kode is the key other data refers to: fixed once created.
    kode = None


class ReferenceItemForm(BaseForm):
    code = StringField(_l("Kode"), validators=[required(), max_length(40)],
                       description=_l("Huruf, angka, titik, garis bawah, atau tanda hubung. Tidak dapat diubah."))
    label_id = StringField(_l("Label (Bahasa Indonesia)"), validators=[required(), max_length(120)])
    label_en = StringField(_l("Label (English)"), validators=[optional(), max_length(120)],
                           description=_l("Kosongkan untuk memakai label bahasa Indonesia."))
    aliases = StringField(_l("Nama lain"), validators=[optional(), max_length(400)],
                          description=_l("Dipisah koma, mis. APBD, APBD Kab. Dipakai saat membaca matriks RAD."))
    position = IntegerField(_l("Urutan"), validators=[optional(), in_range(0, 9999)],
                            description=_l("Kosongkan untuk menaruh di akhir daftar."))
    active = BooleanField(_l("Aktif"), default=True,
                          description=_l("Butir nonaktif tidak muncul lagi di pilihan, data lama tetap."))


class ReferenceItemEditForm(ReferenceItemForm):
    code = None
