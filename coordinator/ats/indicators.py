"""Indicators whose values come from the ATS snapshots.

An indicator with `ats_metric` set (total | BPB | DO | LTM | pct_baseline) gets one value
per quarter: the count of the latest live snapshot of that quarter that has a figure for
the indicator's area (the regency when `ats_area_kode` is NULL, else that kecamatan or
desa). pct_baseline is the total as a percentage of the indicator's baseline_value.
Run after every import (and after a snapshot is replaced): the value of a quarter is
updated in place, never added twice, and the values this feed wrote for quarters that
no longer have a snapshot are removed. Hand-entered values of such quarters stay.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.ats.figures import SnapshotTotals, area_parents, live_snapshots, totals_for
from coordinator.models import AtsSnapshot, Indicator, IndicatorValue

ATS_METRICS = ("total", "BPB", "DO", "LTM", "pct_baseline")
SOURCE_PREFIX = "Pusdatin (snapshot"


@dataclass
class RefreshResult:
    indicators: int = 0
    created: int = 0
    updated: int = 0
    removed: int = 0


def source_of(snapshot: AtsSnapshot) -> str:
    return f"{SOURCE_PREFIX} {snapshot.as_of:%d/%m/%Y})"


def quarter_of(snapshot: AtsSnapshot) -> tuple[int, int]:
    return snapshot.as_of.year, (snapshot.as_of.month - 1) // 3 + 1


def metric_value(indicator: Indicator, totals: SnapshotTotals) -> float | None:
    """The indicator's figure in one snapshot; None when the snapshot has no figure for its area."""
    kode = indicator.ats_area_kode
    if kode is None:
        counts = totals.total
    else:
        found = totals.kecamatan.get(kode) or totals.desa.get(kode)
        if found is None:
            return None
        counts = found
    metric = indicator.ats_metric or ""
    if metric == "pct_baseline":
        if not indicator.baseline_value:
            return None
        return round(counts["total"] * 100.0 / indicator.baseline_value, 1)
    if metric not in counts:
        return None
    return float(counts[metric])


def refresh_snapshot_indicators(session: Session, now: datetime,
                                only_quarter: tuple[int, int] | None = None) -> RefreshResult:
    """Writes the snapshot-fed indicators' quarterly values. Flush only.
    `only_quarter` (year, quarter): an import changes one date, so only its quarter is recomputed."""
    result = RefreshResult()
    indicators = list(session.scalars(select(Indicator).where(
        Indicator.ats_metric.is_not(None), Indicator.deleted_at.is_(None)).order_by(Indicator.id)))
    indicators = [i for i in indicators if i.ats_metric in ATS_METRICS]
    if not indicators:
        return result
    by_quarter: dict[tuple[int, int], list[AtsSnapshot]] = defaultdict(list)
    for snapshot in live_snapshots(session):  # ordered by as_of
        by_quarter[quarter_of(snapshot)].append(snapshot)
    if only_quarter is not None:
        by_quarter = defaultdict(list, {k: v for k, v in by_quarter.items() if k == only_quarter})
    for snaps in by_quarter.values():
        snaps.sort(key=lambda s: (s.as_of, s.id), reverse=True)  # latest first
    parents = area_parents(session)
    cache: dict[int, SnapshotTotals] = {}

    def totals(snapshot: AtsSnapshot) -> SnapshotTotals:
        if snapshot.id not in cache:
            cache.update(totals_for(session, [snapshot], parents))
        return cache[snapshot.id]

    # The latest snapshot of every quarter is read in one statement; older ones only when needed.
    cache.update(totals_for(session, [snaps[0] for snaps in by_quarter.values()], parents))
    existing: dict[int, list[IndicatorValue]] = defaultdict(list)
    for row in session.scalars(select(IndicatorValue).where(
            IndicatorValue.indicator_id.in_([i.id for i in indicators])).order_by(IndicatorValue.id)):
        existing[row.indicator_id].append(row)

    for indicator in indicators:
        result.indicators += 1
        wanted: dict[tuple[int, int], tuple[float, AtsSnapshot]] = {}
        for quarter, snaps in by_quarter.items():
            for snapshot in snaps:
                value = metric_value(indicator, totals(snapshot))
                if value is not None:
                    wanted[quarter] = (value, snapshot)
                    break
        rows = existing[indicator.id]
        for row in rows:
            key = (row.year, row.quarter or 0)
            if only_quarter is not None and key != only_quarter:
                continue
            if row.quarter is not None and key in wanted:
                value, snapshot = wanted.pop(key)
                source = source_of(snapshot)
                if row.value != value or row.source != source:
                    row.value, row.source, row.entered_by_id, row.entered_at = value, source, None, now
                    result.updated += 1
            elif (row.source or "").startswith(SOURCE_PREFIX):
                session.delete(row)
                result.removed += 1
        for (year, q), (value, snapshot) in sorted(wanted.items()):
            session.add(IndicatorValue(indicator_id=indicator.id, year=year, quarter=q, value=value,
                                       source=source_of(snapshot), note=None, entered_by_id=None, entered_at=now))
            result.created += 1
    session.flush()
    return result
