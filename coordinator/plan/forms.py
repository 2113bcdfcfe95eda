from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, TextAreaField

from coordinator.web.fields import CountField
from coordinator.web.forms import BaseForm, in_range, max_length, optional, required


class PlanForm(BaseForm):
    name = StringField(_l("Nama rencana aksi"), validators=[required(), max_length(200)])
    legal_basis = StringField(_l("Dasar hukum (mis. Perbup No. ...)"), validators=[optional(), max_length(200)])
    start_year = IntegerField(_l("Tahun awal"), validators=[required(), in_range(2000, 2100)])
    end_year = IntegerField(_l("Tahun akhir"), validators=[required(), in_range(2000, 2100)])
    baseline_ats = CountField(_l("Baseline ATS (anak)"), validators=[optional(), in_range(0, 10_000_000)])
    baseline_year = IntegerField(_l("Tahun baseline"), validators=[optional(), in_range(2000, 2100)])
    target_ats = CountField(_l("Target ATS akhir periode (anak)"), validators=[optional(), in_range(0, 10_000_000)])
    description = TextAreaField(_l("Keterangan"), validators=[optional(), max_length(5000)])


class PillarForm(BaseForm):
    number = IntegerField(_l("Nomor pilar"), validators=[required(), in_range(1, 99)])
    name = StringField(_l("Nama pilar (strategi)"), validators=[required(), max_length(200)])
    description = TextAreaField(_l("Keterangan"), validators=[optional(), max_length(5000)])


class ProgramForm(BaseForm):
    pillar_id = SelectField(_l("Pilar"), coerce=int, validators=[required()])
    code = StringField(_l("Kode program (mis. 2.3)"), validators=[required(), max_length(20)])
    name = StringField(_l("Nama program"), validators=[required(), max_length(200)])


class RevisionForm(BaseForm):
    legal_basis = StringField(_l("Dasar hukum perubahan"), validators=[required(), max_length(200)],
                              description=_l("Misalnya: Perbup Kutai Timur No. … Tahun 2027 tentang Perubahan RAD"))
    reason = TextAreaField(_l("Alasan perubahan"), validators=[required(), max_length(5000)],
                           description=_l("Misalnya: hasil kaji paruh waktu, perubahan anggaran"))
