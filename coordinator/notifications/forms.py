from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import StopValidation, ValidationError

from coordinator.core.errors import DomainError
from coordinator.models import (
    KIND_DUE_SOON,
    KIND_ESCALATION,
    KIND_MISSING_INDICATOR,
    KIND_MISSING_UPDATE,
    KIND_OVERDUE,
    KIND_REPORT_RETURNED,
    KIND_REVIEW_WAITING,
    KIND_WEEKLY_SUMMARY,
)
from coordinator.notifications import center as notifications
from coordinator.web.forms import BaseForm, in_range, max_length, required

KIND_LABELS = {
    KIND_DUE_SOON: _l("Tenggat yang mendekat"),
    KIND_OVERDUE: _l("Aksi atau tonggak yang terlambat"),
    KIND_MISSING_UPDATE: _l("Laporan kemajuan bulanan belum diisi"),
    KIND_MISSING_INDICATOR: _l("Nilai indikator periode lalu belum diisi"),
    KIND_ESCALATION: _l("Eskalasi: keterlambatan yang sudah lama"),
    KIND_WEEKLY_SUMMARY: _l("Ringkasan mingguan untuk koordinator"),
    KIND_REPORT_RETURNED: _l("Laporan kemajuan dikembalikan untuk diperbaiki"),
    KIND_REVIEW_WAITING: _l("Laporan yang lama menunggu tinjauan (koordinator)"),
    "keamanan_data": _l("Keamanan data anak"),  # verval/disclosure.py: a user hit the limit of openings (admins)
    "mention": _l("Disebut dalam diskusi aksi"),  # discussion/service.py: the bell only
}
WEEKDAYS = [(0, _l("Senin")), (1, _l("Selasa")), (2, _l("Rabu")), (3, _l("Kamis")), (4, _l("Jumat")),
            (5, _l("Sabtu")), (6, _l("Minggu"))]


def preferences_form(kinds: tuple[str, ...], data: dict[str, bool]) -> BaseForm:
    """One checkbox per kind the user may choose about; `data` (the stored choices) fills them."""

    class PreferencesForm(BaseForm):
        # Always posted, so a form with every box unticked is still a submitted form.
        submitted = HiddenField(default="1")

    for kind in kinds:
        setattr(PreferencesForm, f"email_{kind}", BooleanField(KIND_LABELS[kind]))
    return PreferencesForm(data={f"email_{k}": data.get(k, True) for k in kinds})


class NumberRequired:
    """Required for a number: unlike DataRequired, 0 counts as given, and "abc" keeps its own message."""

    field_flags = {"required": True}

    def __call__(self, form: Any, field: Any) -> None:
        if field.raw_data is not None and not (field.raw_data and str(field.raw_data[0]).strip()):
            field.errors[:] = []
            raise StopValidation(_l("Wajib diisi."))
        if field.process_errors:
            raise StopValidation()  # "Bukan bilangan bulat yang sah." already says it all
        if field.data is None:
            raise StopValidation(_l("Wajib diisi."))


def number_required() -> NumberRequired:
    return NumberRequired()


def strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class ReminderSettingsForm(BaseForm):
    due_soon_days = StringField(_l("Pengingat sebelum tenggat (hari)"), filters=[strip],
                                validators=[required(), max_length(40)],
                                description=_l("Jumlah hari sebelum tenggat, dipisah koma, masing-masing 1–90. "
                                               "Contoh: 14,7,1."))
    overdue_first_day = IntegerField(_l("Pengingat terlambat pertama (hari setelah tenggat)"),
                                     validators=[number_required(), in_range(1, 90)])
    overdue_repeat_days = IntegerField(_l("Ulangi pengingat terlambat setiap (hari)"),
                                       validators=[number_required(), in_range(1, 90)])
    monthly_update_day = IntegerField(_l("Batas laporan kemajuan bulanan (tanggal)"),
                                      validators=[number_required(), in_range(1, 28)],
                                      description=_l("Tanggal 1–28 setiap bulan."))
    escalate_after_days = IntegerField(_l("Eskalasi ke kepala instansi dan koordinator setelah terlambat (hari)"),
                                       validators=[number_required(), in_range(1, 365)])
    indicator_reminders = BooleanField(_l("Ingatkan nilai indikator yang belum diisi"))
    daily_run_time = StringField(_l("Jam pengiriman harian (WITA)"), filters=[strip],
                                 validators=[required(), max_length(5)], description=_l("Format JJ:MM, mis. 07:00."))
    weekly_summary_weekday = SelectField(_l("Hari ringkasan mingguan"), choices=WEEKDAYS, coerce=int)
    review_wait_days = IntegerField(_l("Ingatkan koordinator bila laporan menunggu tinjauan lebih dari (hari)"),
                                    validators=[number_required(), in_range(1, 60)])

    # The service checks the same again; checking here too shows every mistake at once.
    def validate_due_soon_days(self, field: Any) -> None:
        self._service_check(notifications.normalise_due_soon_days, field.data)

    def validate_daily_run_time(self, field: Any) -> None:
        self._service_check(notifications.check_run_time, field.data)

    @staticmethod
    def _service_check(check: Any, value: Any) -> None:
        try:
            check(value)
        except DomainError as err:
            raise ValidationError(gettext(err.message, **err.params)) from None


class WhatsAppForm(BaseForm):
    phone = StringField(_l("Nomor WhatsApp"), validators=[max_length(30)],
                        render_kw={"inputmode": "tel", "autocomplete": "tel", "placeholder": "0812-3456-7890"},
                        description=_l("Nomor ponsel Indonesia, misalnya 0812-3456-7890 atau +62 812 3456 7890."))
    opt_in = BooleanField(_l("Kirim ringkasan pengingat harian ke WhatsApp saya"),
                          description=_l("Satu pesan singkat per hari berisi jumlah pengingat dan tautan; tanpa data "
                                         "anak. Anda dapat berhenti kapan saja."))
