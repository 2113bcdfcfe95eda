"""Dates as Indonesian RAD matrices write them: one day, a month, a quarter (TW / triwulan),
a semester, a year, or a range of two of those ("Jan – Des 2026", "TW I s.d. TW IV 2026").

parse_when gives the first and the last day the expression covers; a range's left side may
borrow the year of its right side ("1 Februari s.d. 31 Maret 2027").
"""
from __future__ import annotations

import calendar
import re
from datetime import date, datetime
from typing import Any

from coordinator.core.errors import N_

MIN_YEAR, MAX_YEAR = 2000, 2100
UNREADABLE = N_("\"%(value)s\" bukan tanggal atau waktu yang dikenali.")
NO_SUCH_DAY = N_("Tanggal \"%(value)s\" tidak ada di kalender.")
NO_YEAR = N_("\"%(value)s\" tidak menyebut tahun.")
BAD_YEAR = N_("Tahun %(year)s di luar rentang 2000–2100.")
REVERSED = N_("Rentang waktu \"%(value)s\" terbalik: akhirnya lebih awal dari awalnya.")

MONTHS = {
    1: ("januari", "jan", "january"), 2: ("februari", "feb", "pebruari", "peb", "february"),
    3: ("maret", "mar", "march"), 4: ("april", "apr"), 5: ("mei", "may"), 6: ("juni", "jun", "june"),
    7: ("juli", "jul", "july"), 8: ("agustus", "agu", "agt", "ags", "aug", "august"),
    9: ("september", "sep", "sept"), 10: ("oktober", "okt", "oct", "october"),
    11: ("november", "nov", "nop", "nopember"), 12: ("desember", "des", "dec", "december"),
}
MONTH_OF = {name: n for n, names in MONTHS.items() for name in names}
ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}
_MONTH_RE = "|".join(sorted(MONTH_OF, key=len, reverse=True))
_YEAR = r"(?:\s+(?:tahun\s+)?(\d{4}))?"
_NUMERIC = [  # (pattern, group order day, month, year)
    (re.compile(r"(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{4})"), (1, 3, 4)),
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), (3, 2, 1)),
]
_DAY = re.compile(rf"(\d{{1,2}})\s+({_MONTH_RE}){_YEAR}")
_MONTH = re.compile(rf"({_MONTH_RE}){_YEAR}")
_QUARTER = re.compile(r"(?:tw|triwulan|trw|kuartal|q)\s*(iv|iii|ii|i|[1-4])" + _YEAR)
_SEMESTER = re.compile(r"(?:semester|smt)\s*(ii|i|[12])" + _YEAR)
_WHOLE_YEAR = re.compile(r"(?:tahun\s+|ta\s+)?(\d{4})")
# Range separators, most specific first; a bare "-" only when the whole did not read as one expression.
_SEPARATORS = [re.compile(r"\s+(?:s\s?\.?\s?d\b\.?|s/d|sampai(?:\s+dengan)?|hingga)\s*"),
               re.compile(r"\s*[–—]\s*"), re.compile(r"\s+-\s+"), re.compile(r"-")]


class BadDate(ValueError):
    """`message` is a msgid with `params` (value, or year)."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message % params)
        self.message, self.params = message, params


class _NoYear(Exception):
    pass


def _clean(value: str) -> str:
    text = value.replace("\xa0", " ").lower().strip()
    return re.sub(r"\s+", " ", text).strip(" .,;")


def _year(raw: str | None, year: int | None, whole: str) -> int:
    if raw is None:
        if year is None:
            raise _NoYear()
        return year
    y = int(raw)
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise BadDate(BAD_YEAR, year=y)
    return y


def _day(y: int, m: int, d: int, whole: str) -> date:
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise BadDate(BAD_YEAR, year=y)
    try:
        return date(y, m, d)
    except ValueError as err:
        raise BadDate(NO_SUCH_DAY, value=whole) from err


def _months(y: int, first: int, last: int) -> tuple[date, date]:
    return date(y, first, 1), date(y, last, calendar.monthrange(y, last)[1])


def _one(text: str, year: int | None, whole: str) -> tuple[date, date, bool]:
    """One expression: (first day, last day, whether it named its year). Raises _NoYear when it has none
    and `year` is None; BadDate when it is not a date or an impossible one."""
    for pattern, (di, mi, yi) in _NUMERIC:
        m = pattern.fullmatch(text)
        if m:
            d = _day(int(m.group(yi)), int(m.group(mi)), int(m.group(di)), whole)
            return d, d, True
    words = re.sub(r"\s+", " ", text.replace(".", " ").replace(",", " ")).strip()
    if m := _DAY.fullmatch(words):
        d = _day(_year(m.group(3), year, whole), MONTH_OF[m.group(2)], int(m.group(1)), whole)
        return d, d, m.group(3) is not None
    if m := _MONTH.fullmatch(words):
        month = MONTH_OF[m.group(1)]
        return (*_months(_year(m.group(2), year, whole), month, month), m.group(2) is not None)
    if m := _QUARTER.fullmatch(words):
        q = ROMAN.get(m.group(1)) or int(m.group(1))
        return (*_months(_year(m.group(2), year, whole), 3 * q - 2, 3 * q), m.group(2) is not None)
    if m := _SEMESTER.fullmatch(words):
        s = ROMAN.get(m.group(1)) or int(m.group(1))
        return (*_months(_year(m.group(2), year, whole), 6 * s - 5, 6 * s), m.group(2) is not None)
    if m := _WHOLE_YEAR.fullmatch(words):
        return (*_months(_year(m.group(1), None, whole), 1, 12), True)
    raise BadDate(UNREADABLE, value=whole)


def _range(left: str, right: str, default_year: int | None, whole: str) -> tuple[date, date]:
    try:
        r_start, r_end, _ = _one(right, None, whole)
        try:
            l_start, _, l_named = _one(left, None, whole)
        except _NoYear:
            l_start, _, l_named = _one(left, r_end.year, whole)
            if l_start > r_end:  # "Nov – Feb 2027": the left side is in the year before
                l_start = _one(left, r_end.year - 1, whole)[0]
    except _NoYear:
        try:
            l_start, l_end, _ = _one(left, None, whole)
        except _NoYear:
            l_start, l_end, _ = _one(left, _need(default_year, whole), whole)
        r_start, r_end, _ = _one(right, l_end.year, whole)
    if r_end < l_start:
        raise BadDate(REVERSED, value=whole)
    return l_start, r_end


def _need(year: int | None, whole: str) -> int:
    if year is None:
        raise BadDate(NO_YEAR, value=whole)
    return year


def parse_when(value: Any, default_year: int | None) -> tuple[date | None, date | None]:
    """The first and last day of a date expression; (None, None) for a blank cell or "-".
    Raises BadDate (a ValueError) with a msgid."""
    if value is None:
        return None, None
    if isinstance(value, datetime):
        return value.date(), value.date()
    if isinstance(value, date):
        return value, value
    if isinstance(value, bool):
        raise BadDate(UNREADABLE, value=str(value))
    if isinstance(value, (int, float)):
        if float(value).is_integer() and MIN_YEAR <= int(value) <= MAX_YEAR:
            return _months(int(value), 1, 12)
        raise BadDate(UNREADABLE, value=str(value))
    whole = re.sub(r"\s+", " ", str(value).replace("\xa0", " ")).strip()
    text = _clean(str(value))
    if text in ("", "-", "–", "—"):
        return None, None
    try:
        start, end, _ = _one(text, default_year, whole)
        return start, end
    except _NoYear as err:
        raise BadDate(NO_YEAR, value=whole) from err
    except BadDate as err:
        if err.message != UNREADABLE:
            raise
    for separator in _SEPARATORS:
        parts = separator.split(text)
        if len(parts) == 2 and parts[0] and parts[1]:
            try:
                return _range(parts[0].strip(), parts[1].strip(), default_year, whole)
            except _NoYear as err:
                raise BadDate(NO_YEAR, value=whole) from err
            except BadDate as err:
                if err.message != UNREADABLE:
                    raise
    raise BadDate(UNREADABLE, value=whole)
