"""Forms of the coordinators' verval pages: import, verifier assignments, erasure, retention."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, SelectField, SelectMultipleField, StringField

from coordinator.verval.coordination import REASON_MAX, RETENTION_MAX, RETENTION_MIN
from coordinator.web.forms import BaseForm, in_range, input_required, max_length, required


class ImportForm(BaseForm):
    file = FileField(_l("Berkas daftar ATS by name by address (XLSX atau CSV)"),
                     validators=[FileRequired(message=_l("Wajib diisi."))],
                     description=_l("Kolom yang dibutuhkan: NIK, Nama, Tanggal Lahir, Desa/Kelurahan, Kecamatan "
                                    "(atau Kode Desa) dan Kategori. Paling besar 20 MB."))
    source = StringField(_l("Sumber data"), default="Pusdatin Kemendikdasmen", validators=[max_length(200)])


class ConfirmForm(BaseForm):
    """The file and its source stay as previewed (kept with the pending file, not in the form)."""

    token = HiddenField(validators=[required()])


class AssignForm(BaseForm):
    user_id = SelectField(_l("Verifikator desa"), coerce=int, validators=[input_required()])
    desa_kodes = SelectMultipleField(_l("Desa/kelurahan"), validators=[required()],
                                     description=_l("Tahan Ctrl (atau Cmd) untuk memilih lebih dari satu desa."))


class EraseForm(BaseForm):
    reason = StringField(_l("Alasan penghapusan"), validators=[required(), max_length(REASON_MAX)])


class SettingsForm(BaseForm):
    retention_years = IntegerField(_l("Masa simpan data pribadi anak (tahun)"),
                                   validators=[input_required(), in_range(RETENTION_MIN, RETENTION_MAX)],
                                   description=_l("Sesudah masa ini, data anak yang tidak diimpor ulang dan tidak "
                                                  "diverifikasi lagi dianonimkan; angka rekap tetap utuh."))
