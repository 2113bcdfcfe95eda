"""Forms of the children's pages: a verifier's finding, linking a child to an action, a case's outcome.

The status and reason choices come from the reference lists (set by the routes); the service checks them again.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, TextAreaField, ValidationError

from coordinator.verval.disclosure import REVEAL_REASONS
from coordinator.web.forms import BaseForm, input_required, max_length, optional, required

WILLING_CHOICES = [("", _l("– (tidak ditanyakan)")), ("ya", _l("Ya")), ("tidak", _l("Tidak")),
                   ("ragu", _l("Ragu-ragu"))]
DISABILITY_CHOICES = [("unknown", _l("Tidak diketahui")), ("yes", _l("Ya")), ("no", _l("Tidak"))]
DISABILITY_VALUE = {"yes": True, "no": False, "unknown": None}

OUTCOME_CHOICES = [("formal", _l("Kembali ke sekolah formal")), ("paket", _l("Paket A/B/C di PKBM")),
                   ("pesantren", _l("Pesantren/madrasah")), ("lkp", _l("LKP/kursus")),
                   ("belum", _l("Belum kembali"))]


class VerifyForm(BaseForm):
    status = SelectField(_l("Hasil verifikasi"), validators=[required()])
    reason = SelectField(_l("Alasan tidak bersekolah"), validators=[optional()],
                         description=_l("Hanya diisi bila hasilnya ATS valid (anak memang tidak bersekolah); "
                                        "untuk hasil lain alasan tidak disimpan."))
    willing_to_return = SelectField(_l("Bersedia kembali bersekolah?"), choices=WILLING_CHOICES,
                                    validators=[optional()])
    disability = SelectField(_l("Penyandang disabilitas?"), choices=DISABILITY_CHOICES, default="unknown",
                             validators=[required()])
    notes = TextAreaField(_l("Catatan"), validators=[optional(), max_length(4000)])
    verified_on = DateField(_l("Tanggal verifikasi"), validators=[input_required()],
                            description=_l("Tanggal kunjungan; tidak boleh di masa depan."))


class LinkCaseForm(BaseForm):
    action_id = SelectField(_l("Aksi yang menangani"), coerce=int, validators=[input_required()])


class OutcomeForm(BaseForm):
    outcome = SelectField(_l("Hasil penanganan"), choices=OUTCOME_CHOICES, validators=[required()])
    outcome_date = DateField(_l("Tanggal hasil"), validators=[optional()],
                             description=_l("Wajib bila anak sudah kembali belajar."))
    school_npsn = StringField(_l("NPSN sekolah"), validators=[optional(), max_length(20)],
                              description=_l("8 angka; wajib untuk sekolah formal."),
                              render_kw={"inputmode": "numeric", "autocomplete": "off"})
    institution = StringField(_l("Nama lembaga (PKBM, pesantren atau LKP)"),
                              validators=[optional(), max_length(200)])
    notes = TextAreaField(_l("Catatan"), validators=[optional(), max_length(4000)])


class ChildSearchForm(BaseForm):
    """Posted, so that a name or a NIK never stands in a URL (access logs, browser history)."""

    q = StringField(_l("Cari nama"), validators=[optional(), max_length(100)], render_kw={"autocomplete": "off"})
    nik = StringField(_l("NIK (lengkap, 16 angka)"), validators=[optional(), max_length(40)],
                      render_kw={"inputmode": "numeric", "autocomplete": "off"})


class RevealForm(BaseForm):
    reason = SelectField(_l("Alasan membuka data lengkap"), choices=[("", _l("— pilih alasan —"))] + [
        (code, _l(label)) for code, label in REVEAL_REASONS], validators=[required()])
    note = StringField(_l("Keterangan"), validators=[max_length(200)],  # not optional(): validate_note must run
                       description=_l("Wajib bila alasannya Lainnya."))

    def validate_note(self, field):  # type: ignore[no-untyped-def]
        if self.reason.data == "lainnya" and not (field.data or "").strip():
            raise ValidationError(_l("Jelaskan alasannya."))
