"""Indicators fed by the ATS snapshots, and the demo's 24 monthly snapshots."""
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from coordinator.ats.figures import live_snapshots, totals_for, totals_of
from coordinator.ats.indicators import refresh_snapshot_indicators
from coordinator.demo.ats import allocate, month_ends, series_totals, targeted_kecamatan
from coordinator.demo.seed import seed_demo
from coordinator.extensions import db
from coordinator.models import AtsFigure, AtsSnapshot, Indicator, IndicatorValue

NOW = datetime(2026, 11, 27, 2, 0)


def _snapshot(as_of: date, figures: list[tuple[str, str | None, str, int]]) -> AtsSnapshot:
    """figures: (kind, area_kode, category, count)."""
    snap = AtsSnapshot(as_of=as_of, source="Pusdatin", created_at=NOW)
    db.session.add(snap)
    db.session.flush()
    for kind, kode, cat, n in figures:
        db.session.add(AtsFigure(snapshot_id=snap.id, kind=kind, area_kode=kode, category=cat, detail="", count=n))
    db.session.flush()
    return snap


def _regency(kec04: tuple[int, int, int], kec05: tuple[int, int, int], residu: int = 0) -> list:
    out = []
    for kode, counts in (("64.08.04", kec04), ("64.08.05", kec05)):
        for cat, n in zip(("BPB", "DO", "LTM"), counts, strict=True):
            out.append(("area", kode, cat, n))
    if residu:
        out.append(("residu", None, "BPB", residu))
    return out


def _indicator(world, code: str, metric: str, area: str | None = None, baseline: float | None = 13411) -> Indicator:
    ind = Indicator(plan=world.plan, code=code, name=f"ATS {code}", unit="anak", direction="turun",
                    baseline_value=baseline, baseline_year=2025, ats_metric=metric, ats_area_kode=area)
    db.session.add(ind)
    db.session.flush()
    return ind


def _values(ind: Indicator) -> dict[tuple[int, int | None], tuple[float, str | None]]:
    rows = db.session.scalars(select(IndicatorValue).where(IndicatorValue.indicator_id == ind.id))
    return {(v.year, v.quarter): (v.value, v.source) for v in rows}


def test_refresh_writes_one_value_per_quarter_from_the_latest_snapshot(world):
    total = _indicator(world, "I-1", "total")
    do_kec = _indicator(world, "I-3", "DO", "64.08.04")
    _snapshot(date(2026, 1, 31), _regency((100, 20, 10), (50, 10, 5), residu=3))
    _snapshot(date(2026, 3, 31), _regency((90, 18, 9), (45, 9, 4), residu=2))
    _snapshot(date(2026, 5, 31), _regency((80, 16, 8), (40, 8, 4)))
    result = refresh_snapshot_indicators(db.session, NOW)
    assert result.created == 4
    assert _values(total) == {(2026, 1): (177.0, "Pusdatin (snapshot 31/03/2026)"),
                              (2026, 2): (156.0, "Pusdatin (snapshot 31/05/2026)")}
    assert _values(do_kec) == {(2026, 1): (18.0, "Pusdatin (snapshot 31/03/2026)"),
                               (2026, 2): (16.0, "Pusdatin (snapshot 31/05/2026)")}


def test_refresh_updates_in_place_is_idempotent_and_removes_quarters_without_snapshot(world):
    ind = _indicator(world, "I-1", "total")
    # a hand-entered value of a quarter that gets a snapshot, and one of a quarter that never does
    db.session.add_all([
        IndicatorValue(indicator_id=ind.id, year=2026, quarter=1, value=999, source="manual", entered_at=NOW),
        IndicatorValue(indicator_id=ind.id, year=2025, quarter=4, value=888, source="manual", entered_at=NOW),
    ])
    db.session.flush()
    _snapshot(date(2026, 2, 28), _regency((100, 20, 10), (50, 10, 5)))
    q2 = _snapshot(date(2026, 6, 30), _regency((80, 16, 8), (40, 8, 4)))
    refresh_snapshot_indicators(db.session, NOW)
    again = refresh_snapshot_indicators(db.session, NOW)
    assert (again.created, again.updated, again.removed) == (0, 0, 0)
    assert _values(ind) == {(2025, 4): (888.0, "manual"), (2026, 1): (195.0, "Pusdatin (snapshot 28/02/2026)"),
                            (2026, 2): (156.0, "Pusdatin (snapshot 30/06/2026)")}
    # an import of the same quarter updates the value instead of adding a second one
    _snapshot(date(2026, 3, 15), _regency((90, 18, 9), (45, 9, 4)))
    refresh_snapshot_indicators(db.session, NOW)
    assert _values(ind)[(2026, 1)] == (175.0, "Pusdatin (snapshot 15/03/2026)")
    assert db.session.scalar(select(func.count(IndicatorValue.id)).where(IndicatorValue.indicator_id == ind.id)) == 3
    # the Q2 snapshot is replaced by nothing live in Q2 any more: its value goes
    q2.replaced_at = NOW
    db.session.flush()
    result = refresh_snapshot_indicators(db.session, NOW)
    assert result.removed == 1
    assert set(_values(ind)) == {(2025, 4), (2026, 1)}


def test_pct_baseline_and_desa_and_missing_areas(world):
    pct = _indicator(world, "I-9", "pct_baseline", baseline=200)
    no_base = _indicator(world, "I-10", "pct_baseline", baseline=None)
    desa = _indicator(world, "I-11", "LTM", "64.08.04.1001")
    kec = _indicator(world, "I-12", "total", "64.08.04")
    gone = _indicator(world, "I-13", "total")
    gone.deleted_at = NOW
    # kecamatan rows of both kecamatan, and the desa table of Sangatta Utara (one desa, residu 2)
    _snapshot(date(2026, 9, 30), _regency((100, 20, 10), (50, 10, 5)) + [
        ("area", "64.08.04.1001", "BPB", 95), ("area", "64.08.04.1001", "DO", 18),
        ("area", "64.08.04.1001", "LTM", 15), ("residu", "64.08.04", "DO", 2)])
    _snapshot(date(2026, 11, 20), _regency((90, 18, 9), (45, 9, 4)))  # no desa rows this time
    refresh_snapshot_indicators(db.session, NOW)
    # 2026 Q3: kecamatan 04 from its desa (128) and its desa table's residu (2) + 05 (65) = 195 → 97,5% of 200
    assert _values(pct) == {(2026, 3): (97.5, "Pusdatin (snapshot 30/09/2026)"),
                            (2026, 4): (87.5, "Pusdatin (snapshot 20/11/2026)")}
    assert _values(no_base) == {}
    assert _values(desa) == {(2026, 3): (15.0, "Pusdatin (snapshot 30/09/2026)")}
    assert _values(kec) == {(2026, 3): (130.0, "Pusdatin (snapshot 30/09/2026)"),
                            (2026, 4): (117.0, "Pusdatin (snapshot 20/11/2026)")}
    assert _values(gone) == {}


def test_refresh_without_snapshot_indicators_does_nothing(world):
    _snapshot(date(2026, 9, 30), _regency((1, 1, 1), (1, 1, 1)))
    assert refresh_snapshot_indicators(db.session, NOW).indicators == 0


def test_allocate_and_month_ends():
    assert allocate(10, [1, 1, 1]) == [4, 3, 3] and sum(allocate(13411, [5, 7, 20, 3.5])) == 13411
    assert allocate(0, [1, 2]) == [0, 0]
    ends = month_ends(date(2026, 11, 27))
    assert len(ends) == 24 and ends[0] == date(2025, 3, 31) and ends[-1] == date(2026, 11, 27)
    assert ends == sorted(set(ends)) and date(2026, 2, 28) in ends and date(2026, 10, 31) in ends
    # 20 month ends (March 2025 to October 2026) and today; the 15th of the three latest months makes 24
    assert [d for d in ends if d.day == 15] == [date(2026, 9, 15), date(2026, 10, 15), date(2026, 11, 15)]
    # early in the month: no 15th of the current month (it has not come yet)
    early = month_ends(date(2026, 11, 10))
    assert len(early) == 24 and early[-2:] == [date(2026, 10, 31), date(2026, 11, 10)]
    assert date(2026, 11, 15) not in early and date(2026, 8, 15) in early
    # a young history: fewer than 24, every month end, the 15ths and today
    assert month_ends(date(2025, 5, 3)) == [date(2025, 3, 31), date(2025, 4, 15), date(2025, 4, 30),
                                            date(2025, 5, 3)]
    # a long history: the latest 24 month ends, the first scaled to the March 2025 figures
    late = month_ends(date(2028, 2, 10))
    assert len(late) == 24 and late[0] == date(2026, 3, 31) and late[-1] == date(2028, 2, 10)
    assert all(d.day != 15 for d in late)
    assert series_totals(late)[0] == {"BPB": 9945, "DO": 1996, "LTM": 1470}


def test_series_follows_kutims_published_points():
    ends = month_ends(date(2026, 11, 27))
    totals = {d: sum(v.values()) for d, v in zip(ends, series_totals(ends), strict=True)}
    assert totals[date(2025, 3, 31)] == 13411
    assert totals[date(2025, 6, 30)] == 12802  # mid 2025
    assert totals[date(2025, 9, 30)] == 9644  # after the field validation
    assert 10_400 <= totals[date(2025, 11, 30)] <= 10_546  # 10.546 listed in November, 10.539 on the 21st
    after = [totals[d] for d in ends if d >= date(2025, 11, 30)]
    assert after == sorted(after, reverse=True)  # a steady fall while the actions run


@pytest.fixture()
def demo(app_ctx):
    seed_demo(db.session, NOW, scale=1)
    db.session.commit()
    return app_ctx


def test_demo_has_24_snapshots_from_kutim_march_2025_figures(demo):
    snaps = live_snapshots(db.session)
    assert len(snaps) == 24
    assert snaps[0].as_of == date(2025, 3, 31) and snaps[-1].as_of == date(2026, 11, 27)
    totals = totals_for(db.session, snaps)
    first, last = totals[snaps[0].id], totals[snaps[-1].id]
    assert first.total == {"BPB": 9945, "DO": 1996, "LTM": 1470, "total": 13411}
    assert 7_000 <= last.total["total"] <= 9_000
    assert all(not t.mismatches() for t in totals.values())
    assert len(last.kecamatan) == 18 and len(last.desa) == 141 and last.from_desa == set(last.kecamatan)
    for t in (first, last):
        assert 0.005 * t.total["total"] <= t.residu["total"] <= 0.007 * t.total["total"]  # kecamatan unknown
        without_desa = sum(c["total"] for c in t.without_desa.values())  # desa unknown, within their kecamatan
        assert 0.008 * t.total["total"] <= without_desa <= 0.01 * t.total["total"]
        assert max(t.kecamatan, key=lambda k: t.kecamatan[k]["total"]) == "64.08.04"
        # nothing counted twice: the regency total is the kecamatan plus the residu
        assert t.total["total"] == sum(c["total"] for c in t.kecamatan.values()) + t.residu["total"]
    series = {s.as_of: totals[s.id].total["total"] for s in snaps}
    assert series[date(2025, 6, 30)] == 12802 and series[date(2025, 9, 30)] == 9644
    falling = [n for d, n in series.items() if d >= date(2025, 11, 30)]
    assert falling == sorted(falling, reverse=True)


def test_demo_falls_faster_where_interventions_run(demo):
    snaps = live_snapshots(db.session)
    first, last = totals_of(db.session, snaps[0]), totals_of(db.session, snaps[-1])
    targeted = targeted_kecamatan(db.session)
    assert {"64.08.04", "64.08.09", "64.08.02"} <= targeted and len(targeted) < 18

    def ratio(kodes):
        return sum(last.kecamatan[k]["total"] for k in kodes) / sum(first.kecamatan[k]["total"] for k in kodes)

    others = set(first.kecamatan) - targeted
    assert ratio(targeted) < ratio(others) - 0.1


def test_demo_indicators_follow_the_snapshots(demo):
    snaps = live_snapshots(db.session)
    latest = totals_of(db.session, snaps[-1])
    metrics = {}
    for code, key in (("I-1", "total"), ("I-2", "BPB"), ("I-3", "DO"), ("I-4", "LTM")):
        ind = db.session.scalar(select(Indicator).where(Indicator.code == code))
        metrics[code] = ind.ats_metric
        values = sorted(ind.values, key=lambda v: (v.year, v.quarter or 0))
        assert (values[-1].year, values[-1].quarter) == (2026, 4)
        assert values[-1].value == latest.total[key]
        assert values[-1].source == "Pusdatin (snapshot 27/11/2026)"
        assert len({(v.year, v.quarter) for v in values}) == len(values) == 8  # 2025 Q1 … 2026 Q4
    assert metrics == {"I-1": "total", "I-2": "BPB", "I-3": "DO", "I-4": "LTM"}
    assert db.session.scalar(select(Indicator.ats_metric).where(Indicator.code == "I-5")) is None


def test_demo_overview_baseline_is_the_plans(demo):
    from coordinator.ats import pages as ats_pages

    data = ats_pages.overview(db.session, date(2026, 11, 27))
    assert data.cmp.baseline.snapshot.as_of == date(2025, 3, 31)
    assert data.total.baseline == {"BPB": 9945, "DO": 1996, "LTM": 1470, "total": 13411}
    assert data.cmp.plan_baseline_ats == 13411 and not data.cmp.baseline_differs
    assert sum(r.baseline["total"] for r in data.rows) + data.residu.baseline["total"] == 13411
