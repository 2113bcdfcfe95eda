"""Forms of the monthly report pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField

from coordinator.models import REPORT_SCOPES, SCOPE_AGENCY, SCOPE_KECAMATAN, SCOPE_REGENCY
from coordinator.web.fields import CheckboxListField
from coordinator.web.forms import BaseForm, in_range, max_length, optional, required

LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]


def scope_choices() -> list[tuple[str, str]]:
    return [(SCOPE_REGENCY, str(_l("Kabupaten (seluruh aksi)"))), (SCOPE_AGENCY, str(_l("Satu perangkat daerah"))),
            (SCOPE_KECAMATAN, str(_l("Satu kecamatan")))]


class ReportSettingsForm(BaseForm):
    pemkab_name = StringField(_l("Nama pemerintah daerah"), validators=[required(), max_length(200)])
    office_name = StringField(_l("Nama perangkat daerah penyusun"), validators=[optional(), max_length(200)])
    logo = FileField(_l("Logo (PNG atau JPG, maks. 2 MB)"))
    remove_logo = BooleanField(_l("Hapus logo"))
    send_day = IntegerField(_l("Tanggal kirim otomatis setiap bulan"), validators=[required(), in_range(1, 28)],
                            description=_l("Laporan bulan lalu ditutup dan dikirim pada tanggal ini."))
    send_time = StringField(_l("Jam kirim (WITA)"), validators=[required(), max_length(5)])
    auto_send = BooleanField(_l("Kirim otomatis ke daftar pimpinan"))
    extra_recipients = TextAreaField(_l("Alamat penerima tambahan"), validators=[optional(), max_length(4000)],
                                     description=_l("Satu alamat per baris, selain akun berperan pimpinan."))
    default_locale = SelectField(_l("Bahasa untuk alamat tambahan"), choices=LANGUAGES)


class GenerateForm(BaseForm):
    scope = SelectField(_l("Cakupan"), choices=[], validate_choice=True)
    agency = SelectField(_l("Perangkat daerah"), choices=[], validate_choice=False)
    kecamatan = SelectField(_l("Kecamatan"), choices=[], validate_choice=False)
    locale = SelectField(_l("Bahasa"), choices=LANGUAGES)


class CloseForm(BaseForm):
    decisions = CheckboxListField(_l("Masalah untuk keputusan pimpinan (paling banyak lima)"), coerce=int,
                                  choices=[], validate_choice=False)


class ReopenForm(BaseForm):
    reason = TextAreaField(_l("Alasan membuka kembali"), validators=[required(), max_length(2000)])


class EmptyForm(BaseForm):
    """A button that only needs the CSRF token."""


__all__ = ["REPORT_SCOPES", "ReportSettingsForm", "GenerateForm", "CloseForm", "ReopenForm", "EmptyForm"]
