"""Indonesian-first formatting of dates, numbers and money for templates."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import g
from flask_babel import force_locale, format_date, format_decimal, get_locale, gettext

from coordinator.core.clock import to_wita
from coordinator.core.errors import N_

QUARTER_NAMES = {1: N_("TW I"), 2: N_("TW II"), 3: N_("TW III"), 4: N_("TW IV")}


def fmt_date(value: date | datetime | None, style: str = "long") -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = to_wita(value).date()
    if style == "short":
        return format_date(value, "dd/MM/yyyy")
    return format_date(value, "d MMMM y")


def fmt_weekday(value: date | None) -> str:
    """Senin, Selasa, … (Monday in English): minutes name the day as well as the date."""
    return format_date(value, "EEEE") if value else "–"


def fmt_datetime(value: datetime | None) -> str:
    """UTC-naive datetime shown in WITA, e.g. 21 November 2025 14.05 WITA."""
    if value is None:
        return "–"
    local = to_wita(value)
    return f"{format_date(local.date(), 'd MMMM y')} {local:%H.%M} WITA"


def _group_symbol() -> str:
    # Kept on g for the request: the monitor and the ATS tables format thousands of numbers.
    symbol = g.get("_group_symbol")
    if symbol is None:
        locale = get_locale()
        symbol = g._group_symbol = locale.number_symbols["latn"]["group"] if locale else "."
    return symbol


def fmt_number(value: Any, digits: int = 0) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, int) or (digits == 0 and float(value).is_integer()):
        return f"{int(value):,}".replace(",", _group_symbol())
    return format_decimal(value, format="#,##0." + "0" * max(digits, 1) if digits else "#,##0.##")


def fmt_money(value: Any) -> str:
    if value is None:
        return "–"
    return f"Rp {format_decimal(int(value), format='#,##0')}"


def fmt_percent(value: Any, digits: int = 0) -> str:
    """0.125 -> "12,5%" (id) or "12.5%" (en); plain Python formatting, as pages show hundreds."""
    if value is None:
        return "–"
    locale = get_locale()
    symbols = locale.number_symbols["latn"] if locale else {"group": ".", "decimal": ","}
    text = f"{float(value) * 100:,.{digits}f}"
    return text.replace(",", "\0").replace(".", symbols["decimal"]).replace("\0", symbols["group"]) + "%"


def fmt_month(value: date | None) -> str:
    if value is None:
        return "–"
    return format_date(value, "MMMM y")


def quarter_label(year: int | str, quarter: int | None) -> str:
    """The one name of an indicator period, on pages, in the PDF and in emails: "TW III 2026" in Indonesian,
    "Q3 2026" in English; a whole-year period is just its year."""
    if quarter is None:
        return str(year)
    name = QUARTER_NAMES.get(quarter)
    return f"{gettext(name) if name else quarter} {year}"


@dataclass(frozen=True)
class PeriodName:
    """quarter_label made when shown, for content built before its language is known (the monthly report is
    built once, then laid out in Indonesian or English); equal by value, as the same facts give the same report."""

    year: int
    quarter: int | None

    def __str__(self) -> str:
        return quarter_label(self.year, self.quarter)


def iso_date(value: str | None) -> date | None:
    """'2026-10-01' -> date: for the ISO strings kept in a closed month's frozen facts."""
    return date.fromisoformat(value) if value else None


@contextmanager
def in_locale(locale: str) -> Iterator[None]:
    """Text in another language than the request's (emails, PDFs): flask_babel.force_locale, with the
    thousands separator cached on g for the request forgotten on the way in and out."""
    with force_locale(locale):
        g.pop("_group_symbol", None)
        try:
            yield
        finally:
            g.pop("_group_symbol", None)


ROMAN = ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def roman(number: int) -> str:
    """Perubahan I, II, … as regional regulations number their amendments."""
    return ROMAN[number] if 0 < number < len(ROMAN) else str(number)


def current_locale() -> str:
    return str(get_locale() or "id")


def register(app: Any) -> None:
    app.jinja_env.globals["iso_date"] = iso_date
    app.jinja_env.globals["quarter_label"] = quarter_label
    app.jinja_env.globals["roman"] = roman
    app.jinja_env.filters.update(
        date=fmt_date, datetime=fmt_datetime, number=fmt_number, money=fmt_money,
        percent=fmt_percent, month=fmt_month, weekday=fmt_weekday,
    )
