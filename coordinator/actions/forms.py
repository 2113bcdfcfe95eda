from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    IntegerField,
    MultipleFileField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)

from coordinator.web.fields import CheckboxListField, FundingSharesField, MoneyField, MonthField
from coordinator.web.forms import BaseForm, in_range, input_required, max_length, optional, required

RESCHEDULE_HINT = _l("Wajib bila tenggat diubah. Tenggat awal tetap tercatat dan setiap perubahan dihitung.")
STATE_CHOICES = [
    ("belum_mulai", _l("Belum mulai")), ("berjalan", _l("Berjalan")),
    ("selesai", _l("Selesai")), ("dibatalkan", _l("Dibatalkan")),
]
STATUS_CHOICES = [
    ("belum_mulai", _l("Belum mulai")), ("berjalan", _l("Berjalan")), ("terlambat", _l("Terlambat")),
    ("selesai", _l("Selesai")), ("dibatalkan", _l("Dibatalkan")),
]


class ActionForm(BaseForm):
    program_id = SelectField(_l("Program"), coerce=int, validators=[required()])
    code = StringField(_l("Kode aksi (mis. 2.3.1)"), validators=[required(), max_length(20)])
    title = StringField(_l("Judul aksi"), validators=[required(), max_length(300)])
    description = TextAreaField(_l("Uraian"), validators=[optional(), max_length(10000)])
    output = TextAreaField(_l("Keluaran"), validators=[optional(), max_length(5000)])
    lead_agency_id = SelectField(_l("Penanggung jawab"), coerce=int, validators=[required()])
    supporting_agency_ids = SelectMultipleField(_l("Instansi terkait"), coerce=int, validators=[optional()])
    area_kodes = SelectMultipleField(_l("Wilayah sasaran (kecamatan/desa)"), validators=[optional()])
    ats_categories = CheckboxListField(
        _l("Kategori ATS sasaran"),
        choices=[("BPB", _l("BPB – belum pernah bersekolah")), ("DO", _l("DO – putus sekolah")),
                 ("LTM", _l("LTM – lulus tidak melanjutkan"))], validators=[optional()])
    start_date = DateField(_l("Tanggal mulai"), validators=[input_required()])
    due_date = DateField(_l("Tanggal tenggat"), validators=[input_required()])
    due_reason = TextAreaField(_l("Alasan perubahan tenggat"), validators=[optional(), max_length(2000)],
                               description=RESCHEDULE_HINT)
    budget_amount = MoneyField(_l("Anggaran (Rp)"), validators=[optional()])
    fundings = FundingSharesField(_l("Sumber dana"), description=_l(
        "Centang setiap sumber dana; isi jumlahnya bila diketahui. Anggaran aksi adalah jumlah semuanya."))
    sub_kegiatan_code = StringField(_l("Kode sub kegiatan"), validators=[optional(), max_length(60)])


class MilestoneForm(BaseForm):
    title = StringField(_l("Tahapan"), validators=[required(), max_length(300)])
    due_date = DateField(_l("Tenggat"), validators=[input_required()])
    due_reason = TextAreaField(_l("Alasan perubahan tenggat"), validators=[optional(), max_length(2000)],
                               description=RESCHEDULE_HINT)
    state = SelectField(_l("Status"), choices=STATE_CHOICES, validators=[required()])
    completed_on = DateField(_l("Tanggal selesai"), validators=[optional()],
                             description=_l("Kosongkan untuk hari ini bila status Selesai."))


class OverrideForm(BaseForm):
    status = SelectField(_l("Status manual"), choices=[("", _l("— hitung otomatis —"))] + STATUS_CHOICES,
                         validators=[optional()])
    reason = TextAreaField(_l("Alasan"), validators=[optional(), max_length(2000)])
    merged_into_id = SelectField(_l("Digabung ke aksi (tidak wajib)"), coerce=int, validators=[optional()],
                                 description=_l("Untuk perubahan RAD: aksi ini dibatalkan dan dilanjutkan oleh aksi "
                                                "yang dipilih."))


class ProgressForm(BaseForm):
    period = MonthField(_l("Bulan laporan"), validators=[input_required()], render_kw={"type": "month"})
    percent_complete = IntegerField(_l("Persentase selesai (%)"), validators=[input_required(), in_range(0, 100)])
    achievements = TextAreaField(_l("Capaian"), validators=[required(), max_length(10000)])
    obstacles = TextAreaField(_l("Kendala"), validators=[optional(), max_length(10000)])
    follow_up = TextAreaField(_l("Rencana tindak lanjut"), validators=[optional(), max_length(10000)])
    budget_realised = MoneyField(_l("Realisasi anggaran kumulatif (Rp)"), validators=[optional()])
    budget_note = TextAreaField(_l("Keterangan realisasi anggaran"), validators=[optional(), max_length(2000)],
                                description=_l("Wajib diisi bila realisasi melebihi pagu aksi, sendiri atau "
                                               "dijumlah dengan realisasi terakhir instansi lain pada aksi ini."))
    files = MultipleFileField(_l("Bukti (PDF, JPG, PNG, XLSX, DOCX; maks. 10 MB per berkas)"),
                              validators=[optional()])


class CorrectionForm(ProgressForm):
    reason = TextAreaField(_l("Alasan koreksi"), validators=[required(), max_length(2000)])
    drop_evidence = CheckboxListField(
        _l("Bukti laporan lama"), coerce=int, validators=[optional()],
        description=_l("Bukti ini ikut ke koreksi. Centang berkas yang tidak dibawa (hapus dari koreksi); laporan "
                       "lama tetap menyimpannya sebagai riwayat."))
