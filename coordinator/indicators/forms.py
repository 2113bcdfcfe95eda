import math
import re
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField

from coordinator.web.forms import BaseForm, in_range, input_required, max_length, optional, required

DIRECTION_CHOICES = [
    ("naik", _l("Naik – makin tinggi makin baik")),
    ("turun", _l("Turun – makin rendah makin baik")),
]
QUARTER_CHOICES = [("", _l("Setahun penuh")), ("1", _l("TW I")), ("2", _l("TW II")), ("3", _l("TW III")),
                   ("4", _l("TW IV"))]

_THOUSANDS = re.compile(r"-?\d{1,3}(\.\d{3})+(,\d+)?")  # 13.411  1.234,5
_COMMA = re.compile(r"-?\d+(,\d+)?")  # 13411  12,5
_POINT = re.compile(r"-?\d*\.\d+")  # 12.5  .5 (a dot followed by other than three digits)


def parse_decimal(raw: str) -> float:
    """Indonesian number writing: dots group thousands, a comma marks decimals.

    "13.411" → 13411, "1.234,5" → 1234.5, "12,5" → 12.5; "12.5" → 12.5 as well,
    because a dot followed by other than exactly three digits cannot be a
    thousands separator. Raises ValueError for anything else."""
    text = raw.strip().replace(" ", "").replace("\u00a0", "")
    if len(text) > 30:
        raise ValueError(raw)
    if _THOUSANDS.fullmatch(text):
        number = float(text.replace(".", "").replace(",", "."))
    elif _COMMA.fullmatch(text):
        number = float(text.replace(",", "."))
    elif _POINT.fullmatch(text):
        number = float(text)
    else:
        raise ValueError(raw)
    if not math.isfinite(number):
        raise ValueError(raw)
    return number


def format_decimal_id(value: float) -> str:
    """The inverse for showing a stored number in a form: 13411.0 → "13.411", 12.5 → "12,5"."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    return text.translate(str.maketrans(",.", ".,"))


class DecimalCommaField(StringField):
    """A decimal number typed the Indonesian way ("12,5", "13.411"); data is a float or None."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        if not valuelist or not str(valuelist[0]).strip():
            return
        try:
            self.data = parse_decimal(str(valuelist[0]))
        except ValueError:
            raise ValueError(str(_l("Tulis angka dengan koma untuk desimal dan titik untuk ribuan, "
                                    "mis. 12,5 atau 13.411."))) from None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else format_decimal_id(self.data)


class IdMultipleField(SelectMultipleField):
    """Several ids; a value that is not a number gets our own message (WTForms 3.3 raises one that
    web/forms.WTFORMS_ID does not translate)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = []
            raise ValueError(str(_l("Pilihan tidak sah."))) from None


def _quarter(value: Any) -> int | None:
    if value in (None, ""):
        return None
    return int(value)


class IndicatorForm(BaseForm):
    code = StringField(_l("Kode indikator (mis. I-1)"), validators=[required(), max_length(20)])
    name = StringField(_l("Nama indikator"), validators=[required(), max_length(300)])
    definition = TextAreaField(_l("Definisi operasional"), validators=[optional(), max_length(5000)])
    unit = StringField(_l("Satuan (mis. anak, %, desa)"), validators=[required(), max_length(40)])
    direction = SelectField(_l("Arah yang diharapkan"), choices=DIRECTION_CHOICES, validators=[required()])
    baseline_value = DecimalCommaField(_l("Nilai baseline"), validators=[optional()],
                                       description=_l("Gunakan koma untuk desimal, mis. 12,5."))
    baseline_year = IntegerField(_l("Tahun baseline"), validators=[optional(), in_range(2000, 2100)])
    data_source = StringField(_l("Sumber data"), validators=[optional(), max_length(200)])
    action_ids = IdMultipleField(_l("Aksi yang berkontribusi"), coerce=int, validators=[optional()],
                                     description=_l("Tahan Ctrl (atau Cmd) untuk memilih lebih dari satu."))
    ats_metric = SelectField(
        _l("Nilai otomatis dari snapshot ATS"), validators=[optional()],
        choices=[("", _l("Tidak – nilai diisi manual")), ("total", _l("Jumlah ATS")), ("BPB", _l("ATS kategori BPB")),
                 ("DO", _l("ATS kategori DO")), ("LTM", _l("ATS kategori LTM")),
                 ("pct_baseline", _l("Jumlah ATS sebagai persen dari baseline")),
                 ("anak_kembali", _l("Anak berbeda kembali bersekolah (data SITISEK)"))],
        description=_l("Bila dipilih, nilai per triwulan diperbarui otomatis: pada setiap impor data ATS, atau dari "
                       "data SITISEK untuk anak kembali bersekolah."))
    ats_area_kode = SelectField(_l("Wilayah untuk nilai ATS"), validators=[optional()])
    owner_agency_id = SelectField(_l("Penanggung jawab nilai"), coerce=int, validators=[optional()],
                                  description=_l("Petugas fokal perangkat daerah ini mengisi nilainya; koordinator "
                                                 "meninjaunya sebelum dihitung."))
    frequency = SelectField(_l("Frekuensi pelaporan"), validators=[optional()], choices=[
        ("", _l("Menurut target dan nilai yang ada")), ("triwulanan", _l("Per triwulan")),
        ("tahunan", _l("Per tahun"))])


class PeriodMixin:
    year = IntegerField(_l("Tahun"), validators=[input_required(), in_range(2000, 2100)])
    quarter = SelectField(_l("Periode"), choices=QUARTER_CHOICES, coerce=_quarter)


class TargetForm(PeriodMixin, BaseForm):
    value = DecimalCommaField(_l("Target"), validators=[input_required()],
                              description=_l("Gunakan koma untuk desimal, mis. 12,5."))


class ValueForm(PeriodMixin, BaseForm):
    value = DecimalCommaField(_l("Nilai realisasi"), validators=[input_required()],
                              description=_l("Gunakan koma untuk desimal, mis. 12,5."))
    source = StringField(_l("Sumber"), validators=[optional(), max_length(200)],
                         description=_l("Mis. Pusdatin, rekap 21 November 2025."))
    note = TextAreaField(_l("Catatan"), validators=[optional(), max_length(2000)])
