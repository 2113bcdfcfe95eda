"""Forms of the RAD matrix import: the upload, then the confirmation after the preview."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField

from coordinator.web.forms import BaseForm, required


class RadImportForm(BaseForm):
    file = FileField(_l("Berkas matriks RAD (XLSX, paling besar 10 MB)"),
                     validators=[FileRequired(message=_l("Wajib diisi."))],
                     description=_l("Lembar Matriks RAD dengan kolom Strategi/Pilar, Program, Kegiatan/Aksi, "
                                    "Indikator, Target, Lokasi, Penanggung jawab, Sumber dana, Anggaran; lembar "
                                    "Indikator dan Rencana bila ada. Berkas hasil Ekspor Excel dapat diimpor "
                                    "kembali."))


class RadConfirmForm(BaseForm):
    """The file stays as previewed (kept with the pending upload); the agency mapping comes as
    agency-<key> fields next to this form's own."""

    token = HiddenField(validators=[required()])
