from flask_babel import lazy_gettext as _l
from wtforms import DateField, MultipleFileField, SelectField, StringField, TextAreaField

from coordinator.web.fields import CheckboxListField
from coordinator.web.forms import BaseForm, input_required, max_length, optional, required


class MeetingForm(BaseForm):
    title = StringField(_l("Nama rapat"), validators=[required(), max_length(200)],
                        description=_l("Misalnya: Rapat koordinasi RAD ATS triwulan IV 2026"))
    held_on = DateField(_l("Tanggal"), validators=[input_required()])
    start_time = StringField(_l("Jam mulai (WITA)"), validators=[optional(), max_length(5)],
                             render_kw={"placeholder": "09:00", "inputmode": "numeric"})
    place = StringField(_l("Tempat"), validators=[optional(), max_length(200)])
    online_url = StringField(_l("Tautan rapat daring"), validators=[optional(), max_length(500)],
                             render_kw={"inputmode": "url"})
    chair = StringField(_l("Pimpinan rapat (nama dan jabatan)"), validators=[required(), max_length(200)],
                        description=_l("Ditulis di bawah notulen, tempat pimpinan rapat menandatangani."))
    invited = CheckboxListField(_l("Perangkat daerah yang diundang"), coerce=int, validators=[optional()])
    present = CheckboxListField(_l("Perangkat daerah yang hadir"), coerce=int, validators=[optional()])
    agenda = TextAreaField(_l("Agenda"), validators=[optional(), max_length(10000)])
    minutes = TextAreaField(_l("Notulen"), validators=[optional(), max_length(20000)],
                            description=_l("Keputusan rapat dicatat sebagai tindak lanjut di halaman rapat."))


class FollowUpForm(BaseForm):
    text = TextAreaField(_l("Keputusan / tindak lanjut"), validators=[required(), max_length(2000)],
                         id="follow-up-text")
    agency_id = SelectField(_l("Penanggung jawab"), coerce=int, validators=[required()])
    due_date = DateField(_l("Tenggat"), validators=[input_required()], id="follow-up-due")
    due_reason = TextAreaField(_l("Alasan perubahan tenggat"), validators=[optional(), max_length(2000)],
                               description=_l("Wajib bila tenggat diubah; tenggat awal tetap tercatat."))
    action_id = SelectField(_l("Aksi terkait (tidak wajib)"), coerce=int, validators=[optional()])
    area_kode = SelectField(_l("Wilayah terkait (tidak wajib)"), validators=[optional()])


class FileForm(BaseForm):
    kind = SelectField(_l("Jenis berkas"), choices=[
        ("undangan", _l("Undangan")), ("daftar_hadir", _l("Daftar hadir")), ("foto", _l("Foto")),
        ("lainnya", _l("Lainnya"))], validators=[required()])
    files = MultipleFileField(_l("Berkas (PDF, JPG, PNG, XLSX atau DOCX; paling banyak 10 MB per berkas)"))


class ClosingForm(BaseForm):
    note = TextAreaField(_l("Apa yang sudah dilakukan"), validators=[required(), max_length(2000)],
                         id="closing-note")
    files = MultipleFileField(_l("Bukti (tidak wajib; PDF, JPG, PNG, XLSX atau DOCX)"))


class AcceptClosingForm(BaseForm):
    comment = TextAreaField(_l("Catatan (tidak wajib)"), validators=[optional(), max_length(2000)],
                            id="accept-comment")


class ReturnClosingForm(BaseForm):
    comment = TextAreaField(_l("Yang perlu diperbaiki"), validators=[required(), max_length(2000)],
                            id="return-comment")


class CancelForm(BaseForm):
    reason = TextAreaField(_l("Alasan pembatalan"), validators=[required(), max_length(2000)], id="cancel-reason")
