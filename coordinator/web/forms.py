"""Base form: WTForms' own messages in the user's language.

WTForms ships no Indonesian catalogue, so the few messages its fields raise by
themselves are translated here; our own validators carry lazy_gettext texts.
"""
from __future__ import annotations

from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

WTFORMS_ID = {
    "Not a valid integer value.": "Bukan bilangan bulat yang sah.",
    "Not a valid decimal value.": "Bukan angka yang sah.",
    "Not a valid float value.": "Bukan angka yang sah.",
    "Not a valid date value.": "Tanggal tidak sah.",
    "Not a valid datetime value.": "Tanggal/waktu tidak sah.",
    "Not a valid month value.": "Bulan tidak sah.",
    "Not a valid choice.": "Pilihan tidak sah.",
    "'%(value)s' is not a valid choice for this field.": "'%(value)s' bukan pilihan yang sah.",
    "'%(value)s' are not valid choices for this field.": "'%(value)s' bukan pilihan yang sah.",
    "Invalid Choice: could not coerce.": "Pilihan tidak sah.",
    "Invalid choice(s): one or more data inputs could not be coerced.": "Ada pilihan yang tidak sah.",
    "Invalid choice: could not coerce.": "Pilihan tidak sah.",
    "Choices cannot be None.": "Pilihan tidak tersedia.",
    "This field is required.": "Wajib diisi.",
    "Invalid email address.": "Alamat email tidak sah.",
    "The CSRF token is missing.": "Token keamanan formulir hilang. Muat ulang halaman lalu coba lagi.",
    "The CSRF token is invalid.": "Token keamanan formulir tidak sah. Muat ulang halaman lalu coba lagi.",
    "The CSRF token has expired.": "Token keamanan formulir kedaluwarsa. Muat ulang halaman lalu coba lagi.",
    "The CSRF tokens do not match.": "Token keamanan formulir tidak cocok. Muat ulang halaman lalu coba lagi.",
}


class _Translations:
    def __init__(self, table: dict[str, str]) -> None:
        self.table = table

    def gettext(self, message: str) -> str:
        return self.table.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


class BaseForm(FlaskForm):
    class Meta:
        def get_translations(self, form: Any) -> _Translations:
            locale = str(get_locale() or "id")
            return _Translations(WTFORMS_ID if locale.startswith("id") else {})


def required() -> DataRequired:
    return DataRequired(message=_l("Wajib diisi."))


def input_required() -> InputRequired:
    return InputRequired(message=_l("Wajib diisi."))


def optional() -> Optional:
    return Optional()


def max_length(n: int) -> Length:
    return Length(max=n, message=_l("Paling banyak %(max)d karakter.", max=n))


class _NumberRange(NumberRange):
    """WTForms' NumberRange calls math.isnan() on the value, which raises OverflowError (a 500) for an integer
    too large for a float, e.g. 400 nines typed into a year: such a number is simply out of range."""

    def __call__(self, form: Any, field: Any) -> None:
        if field.data is None and field.process_errors:
            return  # "12.5" in a whole-number box: its own message says so, a second one would only confuse
        if isinstance(field.data, int) and abs(field.data) > 2**63:
            raise ValidationError(str(self.message))
        super().__call__(form, field)


def in_range(lo: float | None = None, hi: float | None = None) -> NumberRange:
    if lo is not None and hi is not None:
        msg = _l("Harus antara %(lo)s dan %(hi)s.", lo=lo, hi=hi)
    elif lo is not None:
        msg = _l("Tidak boleh kurang dari %(lo)s.", lo=lo)
    else:
        msg = _l("Tidak boleh lebih dari %(hi)s.", hi=hi)
    return _NumberRange(min=lo, max=hi, message=msg)
