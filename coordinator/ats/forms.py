"""Forms of the ATS import: the upload, then the confirmation after the preview."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileRequired, MultipleFileField
from wtforms import BooleanField, DateField, HiddenField, StringField, TextAreaField

from coordinator.web.forms import BaseForm, input_required, max_length, optional, required


class ImportForm(BaseForm):
    files = MultipleFileField(
        _l("Berkas tabel ATS (XLSX, CSV atau ZIP)"), validators=[FileRequired(message=_l("Wajib diisi."))],
        render_kw={"accept": ".xlsx,.csv,.zip"},
        description=_l("Rangkuman ATS per wilayah dari portal Pusdatin, atau format panjang kode_wilayah, kategori, "
                       "jenjang, jumlah. Satu snapshot 141 desa (tabel kecamatan dan 18 tabel desa) dapat diunggah "
                       "sekaligus: pilih beberapa berkas, satu ZIP, atau satu XLSX dengan satu lembar per tabel."))
    as_of = DateField(_l("Keadaan per"), validators=[input_required()])
    source = StringField(_l("Sumber"), default="Pusdatin Kemendikdasmen", validators=[required(), max_length(200)])
    note = TextAreaField(_l("Catatan"), validators=[optional(), max_length(2000)])


class ConfirmForm(BaseForm):
    """The file, its date and source stay as previewed (kept with the pending file, not in the form)."""

    token = HiddenField(validators=[required()])
    note = TextAreaField(_l("Catatan"), validators=[optional(), max_length(2000)])
    confirm_replace = BooleanField(_l("Ganti snapshot tanggal yang sama"))
