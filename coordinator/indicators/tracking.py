"""Indicators of the plan: definitions, targets per period, measured values, and
the actual-against-target series shown on an indicator's page and in reports.

Functions take plain values, validate them, and flush; the caller commits. The
audit listener records every change to Indicator, IndicatorTarget and
IndicatorValue with before and after, so corrections never lose a figure.

A period is a year (quarter None: the whole year) or one quarter (1–4) of it.
Periods sort by year, then TW I–IV, then the whole year: an annual figure is
the year-end figure.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from coordinator.ats.indicators import ATS_METRICS
from coordinator.core.errors import N_, DomainError
from coordinator.figures.indicator_feed import RETURNED_METRIC
from coordinator.models import DIRECTIONS, Action, Agency, Area, Indicator, IndicatorTarget, IndicatorValue, Plan, User

YEAR_MIN, YEAR_MAX = 2000, 2100
QUARTERS = (1, 2, 3, 4)
MAX_ABS_VALUE = 1e15
STATUS_ON_TRACK, STATUS_OFF_TRACK, STATUS_NO_DATA = "on_track", "off_track", "no_data"


@dataclass
class IndicatorInput:
    code: str
    name: str
    definition: str | None
    unit: str
    direction: str
    baseline_value: float | None
    baseline_year: int | None
    data_source: str | None
    action_ids: list[int] = field(default_factory=list)
    ats_metric: str | None = None  # values then follow the ATS snapshots (ats/indicators.py) or, for
    # "anak_kembali", the children back in school (figures/indicator_feed.py)
    ats_area_kode: str | None = None
    owner_agency_id: int | None = None  # its focal points enter the values (reviewed by the coordinator)
    frequency: str | None = None  # triwulanan | tahunan


FREQUENCIES = ("triwulanan", "tahunan")


def natural_key(code: str) -> tuple[tuple[int, object], ...]:
    """'I-2' before 'I-10'."""
    return tuple((0, int(p)) if p.isdecimal() else (1, p.lower()) for p in re.split(r"(\d+)", code) if p)


def period_key(year: int, quarter: int | None) -> tuple[int, int]:
    return (year, quarter if quarter is not None else 5)


# Validation ---------------------------------------------------------------------

def _check_period(year: int | None, quarter: int | None) -> None:
    if year is None or not YEAR_MIN <= year <= YEAR_MAX:
        raise DomainError(N_("Tahun harus antara %(lo)d dan %(hi)d."), "year", lo=YEAR_MIN, hi=YEAR_MAX)
    if quarter is not None and quarter not in QUARTERS:
        raise DomainError(N_("Triwulan harus TW I sampai TW IV, atau setahun penuh."), "quarter")


def _check_number(value: float | None, field_name: str) -> None:
    if value is None:
        raise DomainError(N_("Wajib diisi."), field_name)
    if not math.isfinite(value) or abs(value) > MAX_ABS_VALUE:
        raise DomainError(N_("Angka tidak sah."), field_name)


def _check_live(indicator: Indicator) -> None:
    if indicator.deleted_at is not None:
        raise DomainError(N_("Indikator ini sudah dihapus."))


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


# Indicators -----------------------------------------------------------------------

def live_indicators(session: Session, plan_id: int | None = None) -> list[Indicator]:
    """Live indicators in natural code order, with targets, values and actions loaded."""
    stmt = select(Indicator).where(Indicator.deleted_at.is_(None)).options(
        selectinload(Indicator.targets), selectinload(Indicator.values), selectinload(Indicator.actions))
    if plan_id is not None:
        stmt = stmt.where(Indicator.plan_id == plan_id)
    return sorted(session.scalars(stmt), key=lambda i: natural_key(i.code))


def live_action_choices(session: Session) -> list[tuple[int, str]]:
    rows = session.execute(select(Action.id, Action.code, Action.title).where(Action.deleted_at.is_(None)))
    return [(aid, f"{code} {title}") for aid, code, title in sorted(rows, key=lambda r: natural_key(r[1]))]


def save_indicator(session: Session, indicator: Indicator | None, plan: Plan, data: IndicatorInput) -> Indicator:
    code, name, unit = data.code.strip(), data.name.strip(), data.unit.strip()
    for key, text in (("code", code), ("name", name), ("unit", unit)):
        if not text:
            raise DomainError(N_("Wajib diisi."), key)
    if data.direction not in DIRECTIONS:
        raise DomainError(N_("Arah indikator harus naik atau turun."), "direction")
    if data.baseline_value is not None:
        _check_number(data.baseline_value, "baseline_value")
    if data.baseline_year is not None and not YEAR_MIN <= data.baseline_year <= YEAR_MAX:
        raise DomainError(N_("Tahun harus antara %(lo)d dan %(hi)d."), "baseline_year", lo=YEAR_MIN, hi=YEAR_MAX)
    plan_id = indicator.plan_id if indicator is not None else plan.id
    clash = session.scalar(
        select(Indicator.id).where(Indicator.plan_id == plan_id, Indicator.deleted_at.is_(None),
                                   func.lower(Indicator.code) == code.lower(),
                                   Indicator.id != (indicator.id if indicator is not None else -1))
    )
    if clash:
        raise DomainError(N_("Kode indikator sudah dipakai indikator lain."), "code")
    metric = data.ats_metric or None
    area_kode = data.ats_area_kode or None
    if metric is not None and metric not in (*ATS_METRICS, RETURNED_METRIC):
        raise DomainError(N_("Ukuran ATS tidak dikenal."), "ats_metric")
    if area_kode is not None and (metric is None or session.get(Area, area_kode) is None):
        raise DomainError(N_("Pilih wilayah yang ada, dan hanya bersama ukuran ATS."), "ats_area_kode")
    if metric == "pct_baseline" and not data.baseline_value:
        raise DomainError(N_("Persentase terhadap baseline memerlukan nilai baseline."), "ats_metric")
    if data.owner_agency_id is not None and session.get(Agency, data.owner_agency_id) is None:
        raise DomainError(N_("Perangkat daerah tidak dikenal atau tidak aktif."), "owner_agency_id")
    if data.frequency is not None and data.frequency not in FREQUENCIES:
        raise DomainError(N_("Pilihan tidak sah."), "frequency")
    wanted = set(data.action_ids)
    chosen = list(session.scalars(select(Action).where(Action.id.in_(wanted), Action.deleted_at.is_(None)))) \
        if wanted else []
    if len(chosen) != len(wanted):
        raise DomainError(N_("Aksi terkait tidak ditemukan atau sudah dihapus."), "action_ids")
    if indicator is None:
        indicator = Indicator(plan_id=plan_id)
        session.add(indicator)
    else:
        _check_live(indicator)
    indicator.code, indicator.name, indicator.unit = code, name, unit
    indicator.definition = _clean(data.definition)
    indicator.direction = data.direction
    indicator.baseline_value = data.baseline_value
    indicator.baseline_year = data.baseline_year
    indicator.data_source = _clean(data.data_source)
    indicator.ats_metric, indicator.ats_area_kode = metric, area_kode
    indicator.owner_agency_id, indicator.frequency = data.owner_agency_id or None, data.frequency or None
    # Links to actions deleted since stay: the form only offers live actions, so
    # saving must not silently cut the record of what used to contribute.
    kept = [a for a in indicator.actions if a.deleted_at is not None]
    new_links = sorted(chosen + kept, key=lambda a: natural_key(a.code))
    if {a.id for a in new_links} != {a.id for a in indicator.actions}:
        indicator.actions = new_links
    session.flush()
    return indicator


def delete_indicator(session: Session, indicator: Indicator, now: datetime) -> None:
    """Soft delete: the indicator leaves lists and pages; targets, values and history stay."""
    _check_live(indicator)
    indicator.deleted_at = now
    session.flush()


# Targets ----------------------------------------------------------------------------

def _target_for(session: Session, indicator_id: int, year: int, quarter: int | None) -> IndicatorTarget | None:
    # NULL never equals NULL in a unique constraint, so the database does not stop a
    # second whole-year target: this lookup does.
    q = IndicatorTarget.quarter.is_(None) if quarter is None else IndicatorTarget.quarter == quarter
    return session.scalar(select(IndicatorTarget).where(
        IndicatorTarget.indicator_id == indicator_id, IndicatorTarget.year == year, q))


def set_target(session: Session, indicator: Indicator, year: int, quarter: int | None, value: float) -> IndicatorTarget:
    """One target per period: setting it again for the same period changes the existing one."""
    _check_live(indicator)
    _check_period(year, quarter)
    _check_number(value, "value")
    target = _target_for(session, indicator.id, year, quarter)
    if target is None:
        target = IndicatorTarget(indicator_id=indicator.id, year=year, quarter=quarter, value=value)
        session.add(target)
    else:
        target.value = value
    session.flush()
    return target


def delete_target(session: Session, target: IndicatorTarget) -> None:
    session.delete(target)
    session.flush()


# Values ------------------------------------------------------------------------------
# One value per period. A second row for the same period would leave the chart and
# the on-track light guessing which figure counts. A newer figure (Pusdatin publishes
# several times a quarter) is entered by editing the period's value: the audit log
# keeps every earlier figure with who changed it and when, and the page shows it.

def _value_clash(session: Session, indicator_id: int, year: int, quarter: int | None,
                 exclude_id: int | None) -> bool:
    q = IndicatorValue.quarter.is_(None) if quarter is None else IndicatorValue.quarter == quarter
    return session.scalar(select(IndicatorValue.id).where(
        IndicatorValue.indicator_id == indicator_id, IndicatorValue.year == year, q,
        IndicatorValue.id != (exclude_id if exclude_id is not None else -1)).limit(1)) is not None


def _check_value_input(session: Session, indicator: Indicator, year: int, quarter: int | None, value: float,
                       exclude_id: int | None) -> None:
    _check_live(indicator)
    _check_period(year, quarter)
    _check_number(value, "value")
    if _value_clash(session, indicator.id, year, quarter, exclude_id):
        raise DomainError(N_("Periode ini sudah memiliki nilai. Ubah nilai yang ada bila perlu dikoreksi."),
                          "quarter")


def record_value(session: Session, indicator: Indicator, year: int, quarter: int | None, value: float,
                 source: str | None, note: str | None, entered_by_id: int | None, now: datetime,
                 review_status: str = "diterima") -> IndicatorValue:
    """`review_status` diajukan: entered by the owner agency, it counts once the coordinator accepts it."""
    _check_value_input(session, indicator, year, quarter, value, None)
    row = IndicatorValue(indicator_id=indicator.id, year=year, quarter=quarter, value=value, source=_clean(source),
                         note=_clean(note), entered_by_id=entered_by_id, entered_at=now, review_status=review_status)
    session.add(row)
    session.flush()
    return row


def update_value(session: Session, row: IndicatorValue, year: int, quarter: int | None, value: float,
                 source: str | None, note: str | None, entered_by_id: int | None, now: datetime,
                 review_status: str = "diterima") -> IndicatorValue:
    """A correction: the figure shown is now the corrector's, the earlier one stays in the history. The owner
    agency's correction of a returned value goes back to the coordinator."""
    _check_value_input(session, row.indicator, year, quarter, value, row.id)
    row.year, row.quarter, row.value = year, quarter, value
    row.source, row.note = _clean(source), _clean(note)
    row.entered_by_id, row.entered_at = entered_by_id, now
    row.review_status = review_status
    session.flush()
    return row


def delete_value(session: Session, row: IndicatorValue) -> None:
    session.delete(row)
    session.flush()


# Actual against target -------------------------------------------------------------

def is_on_track(direction: str, actual: float | None, target: float | None) -> bool | None:
    """naik: actual ≥ target; turun: actual ≤ target; None when either is missing."""
    if actual is None or target is None:
        return None
    eps = 1e-9 * max(1.0, abs(target))
    return actual >= target - eps if direction == "naik" else actual <= target + eps


def achievement(baseline: float | None, target: float | None, actual: float | None) -> float | None:
    """Share of the planned change from baseline to target reached so far (0.75 = 75 %).

    Works for both directions (13.411 → 10.000 with 10.852 reached is 0,75). Not
    meaningful without a baseline or when the target equals the baseline."""
    if baseline is None or target is None or actual is None or target == baseline:
        return None
    return (actual - baseline) / (target - baseline)


@dataclass
class PeriodRow:
    year: int
    quarter: int | None
    target: float | None = None
    target_id: int | None = None
    actual: float | None = None
    value_id: int | None = None
    source: str | None = None
    note: str | None = None
    entered_by: str | None = None
    entered_at: datetime | None = None
    # The target the actual is judged against: the period's own, or for a quarter
    # without one, the whole-year target of that year.
    reference_target: float | None = None
    reference_is_annual: bool = False
    on_track: bool | None = None
    achievement: float | None = None

    @property
    def key(self) -> tuple[int, int]:
        return period_key(self.year, self.quarter)


def period_rows(indicator: Indicator, names: dict[int, str] | None = None) -> list[PeriodRow]:
    """Every period with a target or a value, in time order."""
    names = names or {}
    rows: dict[tuple[int, int], PeriodRow] = {}

    def row_for(year: int, quarter: int | None) -> PeriodRow:
        return rows.setdefault(period_key(year, quarter), PeriodRow(year=year, quarter=quarter))

    annual = {t.year: t.value for t in indicator.targets if t.quarter is None}
    for t in indicator.targets:
        r = row_for(t.year, t.quarter)
        r.target, r.target_id = t.value, t.id
    for v in indicator.values:
        r = row_for(v.year, v.quarter)
        if r.value_id is not None and r.entered_at is not None and r.entered_at >= v.entered_at:
            continue  # rows entered before the one-value rule: the latest counts
        r.actual, r.value_id, r.source, r.note = v.value, v.id, v.source, v.note
        r.entered_by = names.get(v.entered_by_id) if v.entered_by_id is not None else None
        r.entered_at = v.entered_at
    for r in rows.values():
        if r.target is not None:
            r.reference_target = r.target
        elif r.quarter is not None and r.year in annual:
            r.reference_target, r.reference_is_annual = annual[r.year], True
        r.on_track = is_on_track(indicator.direction, r.actual, r.reference_target)
        r.achievement = achievement(indicator.baseline_value, r.reference_target, r.actual)
    return [rows[k] for k in sorted(rows)]


def user_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {uid: name for uid, name in session.execute(select(User.id, User.name).where(User.id.in_(ids)))}


def rows_for_page(session: Session, indicator: Indicator) -> list[PeriodRow]:
    ids = {v.entered_by_id for v in indicator.values if v.entered_by_id is not None}
    return period_rows(indicator, user_names(session, ids))


@dataclass
class IndicatorSummary:
    id: int
    code: str
    name: str
    definition: str | None
    unit: str
    direction: str
    baseline_value: float | None
    baseline_year: int | None
    data_source: str | None
    latest: PeriodRow | None
    year_target: float | None
    year_target_quarter: int | None
    status: str
    action_codes: list[str]


def summarize(indicator: Indicator, year: int) -> IndicatorSummary:
    """One line of the list: the latest value judged against its period's target, and this year's target
    (the whole-year one, else the last quarter's)."""
    rows = period_rows(indicator)
    latest = next((r for r in reversed(rows) if r.actual is not None), None)
    this_year = [t for t in indicator.targets if t.year == year]
    year_t = next((t for t in this_year if t.quarter is None), None) or \
        max(this_year, key=lambda t: t.quarter or 0, default=None)
    if latest is None or latest.on_track is None:
        status = STATUS_NO_DATA
    else:
        status = STATUS_ON_TRACK if latest.on_track else STATUS_OFF_TRACK
    return IndicatorSummary(
        id=indicator.id, code=indicator.code, name=indicator.name, definition=indicator.definition,
        unit=indicator.unit, direction=indicator.direction, baseline_value=indicator.baseline_value,
        baseline_year=indicator.baseline_year, data_source=indicator.data_source, latest=latest,
        year_target=year_t.value if year_t else None, year_target_quarter=year_t.quarter if year_t else None,
        status=status, action_codes=[a.code for a in indicator.actions if a.deleted_at is None],
    )


def summaries(session: Session, year: int, plan_id: int | None = None) -> list[IndicatorSummary]:
    return [summarize(i, year) for i in live_indicators(session, plan_id)]
