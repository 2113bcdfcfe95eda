"""The demo's ATS history: up to 24 Pusdatin snapshots from Kutim's March 2025 figures to today.

The first snapshot is dated 31 March 2025 and holds Kutim's figures of that month (13.411:
BPB 9.945, DO 1.996, LTM 1.470). Then one snapshot at every month end up to the last
complete month, and one dated today (the demo runs "today"); while there are fewer than
24, the 15th of the most recent months is added (Pusdatin published twice in November
2025). When the month ends alone exceed 24, the latest 24 are kept and scaled so that
the first still holds the March 2025 figures.

The regency total follows Kutim's published points where the dates fall (DOMAIN.md):
≈ 12.802 in mid 2025, ≈ 9.644 after the field validation of September 2025, back to
≈ 10.546 in November 2025 (10.539 on 21 November), then a steady fall. Sangatta Utara is
the highest kecamatan; kecamatan where the demo's actions run fall faster. Every
snapshot has, for every regency copy, the desa rows, each desa table's residu (children of
that kecamatan whose desa is unknown, ~0,9% of the total, counted in their kecamatan), the
kecamatan rows, which equal their desa sum plus that residu, so nothing is flagged, and the
regency table's residu (kecamatan unknown, ~0,6%, counted in the regency and no area). Figures go in with one bulk
INSERT (scale 10 is about 127.000 rows).
"""
from __future__ import annotations

import calendar
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from coordinator.ats.indicators import refresh_snapshot_indicators
from coordinator.core.clock import add_months, month_start, wita_today
from coordinator.models import (
    ATS_CATEGORIES,
    FIGURE_AREA,
    FIGURE_RESIDU,
    Action,
    Area,
    AtsFigure,
    AtsSnapshot,
    Indicator,
)
from coordinator.models.action import action_area

MONTHS = 24
FIRST = date(2025, 3, 31)
START = {"BPB": 9945, "DO": 1996, "LTM": 1470}  # Pusdatin, March 2025: 13.411
# Kutim's published points (DOMAIN.md), split by category where only the total was published.
ANCHORS: list[tuple[date, dict[str, int]]] = [
    (FIRST, START),
    (date(2025, 6, 30), {"BPB": 9463, "DO": 1888, "LTM": 1451}),  # mid 2025: 12.802
    (date(2025, 9, 30), {"BPB": 6980, "DO": 1420, "LTM": 1244}),  # after field validation: 9.644
    (date(2025, 11, 15), {"BPB": 7700, "DO": 1560, "LTM": 1286}),  # November 2025: 10.546
    (date(2025, 11, 21), {"BPB": 7695, "DO": 1559, "LTM": 1285}),  # 21 November 2025: 10.539
]
MONTHLY_FALL = {"BPB": 0.022, "DO": 0.025, "LTM": 0.015}  # after the last published point, while actions run
DESA_RESIDU_SHARE = 0.009  # each desa table's Residu row: desa unknown, kecamatan known
REGENCY_RESIDU_SHARE = 0.006  # the kecamatan table's Residu row: kecamatan unknown
# Relative size of each kecamatan by the last two digits of its code; Sangatta Utara (04) the largest.
KECAMATAN_WEIGHT = {
    "01": 5.0, "02": 7.0, "03": 4.0, "04": 20.0, "05": 7.0, "06": 3.0, "07": 4.0, "08": 5.0, "09": 8.0,
    "10": 4.0, "11": 4.0, "12": 9.0, "13": 5.0, "14": 5.0, "15": 4.0, "16": 3.0, "17": 3.0, "18": 3.0,
}
FALL_TARGETED = 0.30  # share lost over the series where interventions run, before normalising
FALL_OTHER = 0.05
DEMO_INDICATOR_METRICS = {"I-1": "total", "I-2": "BPB", "I-3": "DO", "I-4": "LTM"}
SOURCE = "Pusdatin Kemendikdasmen – rangkuman ATS per wilayah (data demo)"


@dataclass
class SeedAtsResult:
    snapshots: int
    figures: int


def allocate(total: int, weights: list[float]) -> list[int]:
    """Splits `total` into integers proportional to `weights` (largest remainder); sums to `total`."""
    whole = sum(weights)
    if total <= 0 or whole <= 0:
        return [0] * len(weights)
    exact = [total * w / whole for w in weights]
    out = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (out[i] - exact[i], i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


def _month_end(m: date) -> date:
    return m.replace(day=calendar.monthrange(m.year, m.month)[1])


def month_ends(today: date) -> list[date]:
    """The as_of dates, oldest first: 31 March 2025, every later month end before the current month, today;
    then, while fewer than 24, the 15th of the most recent months. More than 24 month ends: the latest 24.
    Before April 2025 (no history to speak of): the 24 month ends up to today."""
    this_month = month_start(today)
    if today <= FIRST:
        return [today if m == this_month else _month_end(m)
                for m in (add_months(this_month, i - MONTHS + 1) for i in range(MONTHS))]
    out = []
    m = month_start(FIRST)
    while m < this_month:
        out.append(_month_end(m))
        m = add_months(m, 1)
    out.append(today)
    if len(out) >= MONTHS:
        return out[-MONTHS:]
    m = this_month
    extra: set[date] = set()
    while len(out) + len(extra) < MONTHS and m > month_start(FIRST):
        mid = m.replace(day=15)
        if mid < today:
            extra.add(mid)
        m = add_months(m, -1)
    return sorted(set(out) | extra)


def _curve(d: date) -> dict[str, float]:
    """The regency's counts per category on date `d`: straight lines between the published points, then a
    steady monthly fall."""
    for (d0, v0), (d1, v1) in zip(ANCHORS, ANCHORS[1:], strict=False):
        if d <= d1:
            x = max(0.0, (d - d0).days / (d1 - d0).days)
            return {c: v0[c] + (v1[c] - v0[c]) * x for c in ATS_CATEGORIES}
    last_date, last = ANCHORS[-1]
    months = (d - last_date).days / 30.44
    return {c: last[c] * (1 - MONTHLY_FALL[c]) ** months for c in ATS_CATEGORIES}


def series_totals(dates: list[date]) -> list[dict[str, int]]:
    """Counts per category for each date; the first always holds the March 2025 figures."""
    if not dates:
        return []
    raw = [_curve(d) for d in dates]
    factor = {c: START[c] / raw[0][c] for c in ATS_CATEGORIES}
    return [{c: round(r[c] * factor[c]) for c in ATS_CATEGORIES} for r in raw]


def targeted_kecamatan(session: Session) -> set[str]:
    """Kecamatan where live actions run: targeted directly or through one of their desa."""
    rows = session.execute(
        select(Area.kode, Area.parent_kode).join(action_area, action_area.c.area_kode == Area.kode)
        .join(Action, Action.id == action_area.c.action_id).where(Action.deleted_at.is_(None))
    )
    return {parent or kode for kode, parent in rows}


def _regency_rows(session: Session) -> dict[str, list[str]]:
    """kecamatan kode -> its active desa, for every regency copy."""
    kec = list(session.scalars(select(Area.kode).where(Area.level == "kecamatan", Area.active.is_(True))
                               .order_by(Area.kode)))
    desa: dict[str, list[str]] = defaultdict(list)
    for kode, parent in session.execute(select(Area.kode, Area.parent_kode).where(
            Area.level == "desa", Area.active.is_(True)).order_by(Area.kode)):
        desa[parent or ""].append(kode)
    return {k: desa.get(k, []) for k in kec}


def seed_ats_snapshots(session: Session, now: datetime, scale: int = 1) -> SeedAtsResult:
    """Up to 24 live snapshots (see month_ends) with figures for every regency copy; sets I-1..I-4 to follow
    them."""
    del scale  # every copy's areas are in the database already; each gets the same pattern
    rng = random.Random(2503)  # noqa: S311 - deterministic demo data
    today = wita_today(now)
    regency = _regency_rows(session)
    targeted = targeted_kecamatan(session)
    desa_weight = {d: rng.choice((1.0, 1.5, 2.0, 2.5, 3.0)) for kec in regency.values() for d in kec}
    kec_list = list(regency)
    copies: dict[str, list[str]] = defaultdict(list)  # regency prefix "64.08" -> its kecamatan
    for k in kec_list:
        copies[k[:5]].append(k)

    dates = month_ends(today)
    span = max(1, (dates[-1] - dates[0]).days)
    snapshots = []
    for as_of in dates:
        snapshot = AtsSnapshot(as_of=as_of, source=SOURCE, note="Data demo, dibuat oleh seed-demo.",
                               created_at=now)
        session.add(snapshot)
        snapshots.append(snapshot)
    session.flush()

    rows: list[dict] = []
    for snapshot, totals in zip(snapshots, series_totals(dates), strict=True):
        x = (snapshot.as_of - dates[0]).days / span
        for kecs in copies.values():
            weights = [KECAMATAN_WEIGHT.get(k[-2:], 4.0) * (1 - (FALL_TARGETED if k in targeted else FALL_OTHER) * x)
                       for k in kecs]
            for cat in ATS_CATEGORIES:
                regency_residu = round(totals[cat] * REGENCY_RESIDU_SHARE)
                residu = round(totals[cat] * DESA_RESIDU_SHARE)
                in_areas = allocate(totals[cat] - regency_residu - residu, weights)
                residu_share = allocate(residu, weights)
                rows.append({"snapshot_id": snapshot.id, "kind": FIGURE_RESIDU, "area_kode": None,
                             "category": cat, "detail": "", "count": regency_residu})
                for kec, n_kec, n_residu in zip(kecs, in_areas, residu_share, strict=True):
                    desa = regency[kec]
                    if desa:
                        for d, n in zip(desa, allocate(n_kec, [desa_weight[d] for d in desa]), strict=True):
                            rows.append({"snapshot_id": snapshot.id, "kind": FIGURE_AREA, "area_kode": d,
                                         "category": cat, "detail": "", "count": n})
                        rows.append({"snapshot_id": snapshot.id, "kind": FIGURE_RESIDU, "area_kode": kec,
                                     "category": cat, "detail": "", "count": n_residu})
                        kec_count = n_kec + n_residu
                    else:  # no desa: the kecamatan row holds its share of the residu as area count
                        kec_count = n_kec + n_residu
                    rows.append({"snapshot_id": snapshot.id, "kind": FIGURE_AREA, "area_kode": kec,
                                 "category": cat, "detail": "", "count": kec_count})
    if rows:
        session.execute(insert(AtsFigure), rows)

    for code, metric in DEMO_INDICATOR_METRICS.items():
        for indicator in session.scalars(select(Indicator).where(Indicator.code == code,
                                                                 Indicator.deleted_at.is_(None))):
            indicator.ats_metric = metric
            indicator.ats_area_kode = None
    session.flush()
    refresh_snapshot_indicators(session, now)
    return SeedAtsResult(len(snapshots), len(rows))
