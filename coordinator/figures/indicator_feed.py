"""Indicators fed by SITISEK's own data: children back in school (figures/children.py).

An indicator with `ats_metric` "anak_kembali" gets one value per quarter, from the first quarter of its plan's start
year (earlier when outcomes or cases go back further) to the running one: the distinct children back in school,
cumulative, as of the quarter's last day (the running quarter: as of today, WITA), for the regency
(`ats_area_kode` NULL), a kecamatan (its desa and itself) or a desa. Counted by `figures.live.children_as_of`, the
definition the area pages and the monthly report use, so the indicator, the report's headline and
`flask report figures` give one number.

Run wherever that number can change (a progress report with outcomes saved or corrected, a child's outcome
recorded), once a day (the scheduler's daily run: actions deleted, a day that ends), after seed-demo and when an
indicator takes this metric. As the snapshot-fed indicators (ats/indicators.py): a quarter's value is updated in
place, never added twice, values a feed wrote for quarters outside the range are removed, and hand-entered values
of other quarters (or of a whole year) stay. The running quarter's source names the day its value last changed,
so an unchanged figure is not rewritten (and its history not lengthened) every day.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coordinator.ats.indicators import SOURCE_PREFIX as ATS_SOURCE_PREFIX
from coordinator.ats.indicators import RefreshResult
from coordinator.core.clock import add_months, wita_today
from coordinator.figures.live import children_as_of
from coordinator.models import (
    RETURNED_OUTCOMES,
    Area,
    ChildCase,
    Indicator,
    IndicatorValue,
    Plan,
    ProgressOutcome,
    ProgressUpdate,
)

RETURNED_METRIC = "anak_kembali"
SOURCE_PREFIX = "Data SITISEK (anak kembali"
Quarter = tuple[int, int]


def source_of(day: date) -> str:
    return f"{SOURCE_PREFIX}, per {day:%d/%m/%Y})"


def quarter_of(day: date) -> Quarter:
    return day.year, (day.month - 1) // 3 + 1


def quarter_end(quarter: Quarter) -> date:
    return add_months(date(quarter[0], 3 * quarter[1] - 2, 1), 3) - timedelta(days=1)


def returned_indicators(session: Session) -> list[Indicator]:
    return list(session.scalars(select(Indicator).where(
        Indicator.ats_metric == RETURNED_METRIC, Indicator.deleted_at.is_(None)).order_by(Indicator.id)))


def first_quarter(session: Session, plan_id: int) -> Quarter:
    """Q1 of the plan's start year, or of the year of the first outcome or case when the data go back further."""
    start_year = session.scalar(select(Plan.start_year).where(Plan.id == plan_id))
    first_report = session.scalar(select(func.min(ProgressUpdate.period)).where(
        ProgressUpdate.id.in_(select(ProgressOutcome.update_id))))
    first_case = session.scalar(select(func.min(ChildCase.outcome_date)).where(
        ChildCase.outcome.in_(RETURNED_OUTCOMES)))
    years = [d.year for d in (first_report, first_case) if d is not None]
    return min([*years, start_year] if start_year is not None else years, default=9999), 1


class _Counter:
    """Distinct children per area set and day, each counted once however many indicators ask."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.areas: dict[str | None, set[str] | None] = {None: None}
        self.counts: dict[tuple[str | None, date], float] = {}

    def kodes(self, kode: str | None) -> set[str] | None:
        if kode is not None and kode not in self.areas:  # a kecamatan: itself and its desa; a desa: itself
            self.areas[kode] = {kode} | set(self.session.scalars(select(Area.kode).where(Area.parent_kode == kode)))
        return self.areas[kode]

    def count(self, kode: str | None, day: date) -> float:
        if (kode, day) not in self.counts:
            self.counts[(kode, day)] = float(children_as_of(self.session, self.kodes(kode), day).distinct_total)
        return self.counts[(kode, day)]


def returned_as_of(session: Session, indicators: Iterable[Indicator], end: date) -> dict[int, float]:
    """Each indicator with this metric and its figure as of the day `end` (what a month's facts take for the
    quarter in progress at the month's end), if its feed covers `end`'s quarter."""
    counter = _Counter(session)
    starts: dict[int, Quarter] = {}
    out = {}
    for i in indicators:
        if i.ats_metric != RETURNED_METRIC:
            continue
        if i.plan_id not in starts:
            starts[i.plan_id] = first_quarter(session, i.plan_id)
        if quarter_of(end) >= starts[i.plan_id]:
            out[i.id] = counter.count(i.ats_area_kode, end)
    return out


def refresh_returned_indicators(session: Session, now: datetime) -> RefreshResult:
    """Writes the quarterly values of the indicators with this metric. Flush only; running it again changes
    nothing."""
    result = RefreshResult()
    indicators = returned_indicators(session)
    if not indicators:
        return result
    today = wita_today(now)
    running = quarter_of(today)
    counter = _Counter(session)
    starts: dict[int, Quarter] = {}
    existing: dict[int, list[IndicatorValue]] = defaultdict(list)
    for row in session.scalars(select(IndicatorValue).where(
            IndicatorValue.indicator_id.in_([i.id for i in indicators])).order_by(IndicatorValue.id)):
        existing[row.indicator_id].append(row)

    for indicator in indicators:
        result.indicators += 1
        if indicator.plan_id not in starts:
            starts[indicator.plan_id] = first_quarter(session, indicator.plan_id)
        wanted: dict[Quarter, tuple[float, date]] = {}
        quarter = starts[indicator.plan_id]
        while quarter <= running:
            day = today if quarter == running else quarter_end(quarter)
            wanted[quarter] = (counter.count(indicator.ats_area_kode, day), day)
            quarter = quarter_of(quarter_end(quarter) + timedelta(days=1))
        for row in existing[indicator.id]:
            key = (row.year, row.quarter or 0)
            source = row.source or ""
            if row.quarter is not None and key in wanted:
                value, day = wanted.pop(key)
                fed = source.startswith(SOURCE_PREFIX)
                if row.value != value or not fed or (key != running and source != source_of(day)):
                    row.value, row.source, row.entered_by_id, row.entered_at = value, source_of(day), None, now
                    result.updated += 1
            elif source.startswith((SOURCE_PREFIX, ATS_SOURCE_PREFIX)):  # a feed's value this feed does not want
                session.delete(row)
                result.removed += 1
        for (year, q), (value, day) in sorted(wanted.items()):
            session.add(IndicatorValue(indicator_id=indicator.id, year=year, quarter=q, value=value,
                                       source=source_of(day), note=None, entered_by_id=None, entered_at=now))
            result.created += 1
    session.flush()
    return result
