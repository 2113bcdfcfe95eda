"""Forms of the RAD matrix import: the upload, then the confirmation after the preview."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, StringField, ValidationError

from coordinator.rad_matrix.layout import MatrixPlan
from coordinator.web.fields import CountField
from coordinator.web.forms import BaseForm, in_range, max_length, optional, required

# The plan's header as read from the file, shown in the preview to be corrected: form field -> MatrixPlan field.
PLAN_FIX_FIELDS = {"plan_name": "name", "plan_start_year": "start_year", "plan_end_year": "end_year",
                   "plan_baseline_ats": "baseline_ats", "plan_baseline_year": "baseline_year",
                   "plan_target_ats": "target_ats"}


class RadImportForm(BaseForm):
    file = FileField(_l("Berkas matriks RAD (XLSX, paling besar 10 MB)"),
                     validators=[FileRequired(message=_l("Wajib diisi."))],
                     description=_l("Lembar Matriks RAD dengan kolom Strategi/Pilar, Program, Kegiatan/Aksi, "
                                    "Indikator, Target, Lokasi, Penanggung jawab, Sumber dana, Anggaran; lembar "
                                    "Indikator dan Rencana bila ada. Berkas hasil Ekspor Excel dapat diimpor "
                                    "kembali."))


class RadConfirmForm(BaseForm):
    """The file stays as previewed (kept with the pending upload); the mapping of unknown names comes as
    agency-<key> and funding-<key> fields next to this form's own, the plan's header as corrected in its fields."""

    token = HiddenField(validators=[required()])
    plan_name = StringField(_l("Nama rencana"), validators=[optional(), max_length(200)])
    plan_start_year = IntegerField(_l("Tahun awal"), validators=[optional(), in_range(2000, 2100)])
    plan_end_year = IntegerField(_l("Tahun akhir"), validators=[optional(), in_range(2000, 2100)])
    plan_baseline_ats = CountField(_l("Baseline ATS (anak)"), validators=[optional(), in_range(0, 10_000_000)])
    plan_baseline_year = IntegerField(_l("Tahun baseline"), validators=[optional(), in_range(2000, 2100)])
    plan_target_ats = CountField(_l("Target ATS akhir periode (anak)"),
                                   validators=[optional(), in_range(0, 10_000_000)])

    def validate_plan_end_year(self, field: Any) -> None:
        if field.data is not None and self.plan_start_year.data is not None and field.data < self.plan_start_year.data:
            raise ValidationError(_l("Tahun akhir tidak boleh sebelum tahun awal."))

    def plan_fix(self) -> MatrixPlan | None:
        """The values typed over what the file says; None when the form carries none."""
        values = {attr: getattr(self, name).data for name, attr in PLAN_FIX_FIELDS.items()}
        values["name"] = (values["name"] or "").strip() or None
        if all(v is None for v in values.values()):
            return None
        return MatrixPlan(**values)

    def show_plan(self, values: dict[str, Any]) -> None:
        """Fills the plan's fields with what the import would save, for the coordinator to check."""
        for name, attr in PLAN_FIX_FIELDS.items():
            getattr(self, name).data = values.get(attr)
