"""ATS pages: overview, kecamatan/desa pages, intervention coverage (issue 3)."""
from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from coordinator.ats import pages as ats_pages
from coordinator.ats.figures import live_snapshots, totals_of
from coordinator.core import charts
from coordinator.extensions import db
from coordinator.models import (
    Area,
    AreaAlias,
    AtsFigure,
    AtsSnapshot,
    ProgressOutcome,
    ProgressUpdate,
)
from coordinator.setup.region import load_region, packaged_region
from tests.conftest import World, login, statements_run

SU, BENGALON, TELUK_LINGGA, SWARGA_BARA = "64.08.04", "64.08.05", "64.08.04.1001", "64.08.04.1002"
TODAY = date(2026, 11, 27)
ROLE_EMAILS = ("admin@example.org", "koordinator@example.org", "pimpinan@example.org", "dinsos@example.org",
               "dpppa@example.org")


@pytest.fixture(autouse=True)
def _cold_cache():
    ats_pages._TOTALS_CACHE.clear()
    yield
    ats_pages._TOTALS_CACHE.clear()


def snapshot(as_of: date, areas: dict[str, tuple[int, int, int]], residu: dict[str | None, tuple[int, int, int]]
             | None = None, details: dict[tuple[str, str, str], int] | None = None,
             replaced: bool = False) -> AtsSnapshot:
    """An AtsSnapshot with its category totals (detail "") per area, residu per scope, and breakdown rows."""
    snap = AtsSnapshot(as_of=as_of, source="Pusdatin", created_at=datetime(2026, 1, 1),
                       replaced_at=datetime(2026, 2, 1) if replaced else None)
    db.session.add(snap)
    db.session.flush()
    figures = []
    for kode, counts in areas.items():
        for cat, n in zip(("BPB", "DO", "LTM"), counts, strict=True):
            figures.append(AtsFigure(snapshot_id=snap.id, kind="area", area_kode=kode, category=cat, detail="",
                                     count=n))
    for scope, counts in (residu or {}).items():
        for cat, n in zip(("BPB", "DO", "LTM"), counts, strict=True):
            if n:
                figures.append(AtsFigure(snapshot_id=snap.id, kind="residu", area_kode=scope, category=cat,
                                         detail="", count=n))
    for (kode, cat, detail), n in (details or {}).items():
        figures.append(AtsFigure(snapshot_id=snap.id, kind="area", area_kode=kode, category=cat, detail=detail,
                                 count=n))
    db.session.add_all(figures)
    db.session.flush()
    return snap


def three_snapshots(world: World) -> list[AtsSnapshot]:
    """Kecamatan rows for Sangatta Utara and Bengalon over three dates; the last one adds desa rows for Sangatta
    Utara (88, and a desa-table residu of 1 that is Sangatta Utara's too: 89 against its kecamatan row of 90, a
    mismatch), a breakdown row that must not count, and a replaced snapshot that must be ignored."""
    db.session.add(Area(kode=SWARGA_BARA, nama="Swarga Bara", level="desa", jenis="desa", parent_kode=SU))
    db.session.flush()
    snaps = [
        snapshot(date(2025, 3, 31), {SU: (100, 20, 10), BENGALON: (50, 10, 5)}, {None: (3, 0, 0)}),
        snapshot(date(2025, 9, 30), {SU: (80, 15, 10), BENGALON: (60, 10, 5)}, {None: (2, 0, 0)}),
        snapshot(date(2026, 9, 30), {SU: (70, 10, 10), TELUK_LINGGA: (40, 5, 5), SWARGA_BARA: (30, 5, 3),
                                     BENGALON: (40, 10, 0)},
                 {None: (0, 2, 0), SU: (1, 0, 0)}, details={(BENGALON, "DO", "kelas 7"): 999}),
    ]
    snapshot(date(2026, 9, 30), {SU: (5000, 0, 0)}, replaced=True)
    # a1 in Teluk Lingga, a2 across the whole of Sangatta Utara, a3 in Bengalon.
    world.a1.areas = [db.session.get(Area, TELUK_LINGGA)]
    world.a2.areas = [db.session.get(Area, SU)]
    world.a3.areas = [db.session.get(Area, BENGALON)]
    db.session.commit()
    return snaps


def cell(html: str, kode: str, col: str) -> str:
    row = re.search(rf'<tr data-kode="{re.escape(kode)}"[^>]*>(.*?)</tr>', html, re.S)
    assert row, f"no row for {kode}"
    value = re.search(rf'data-col="{col}">(?:<strong>)?([^<]*)', row.group(1))
    assert value, f"no {col} in row {kode}"
    return value.group(1).strip()


def as_int(text: str) -> int:
    return int(text.replace(".", "").replace("+", ""))


# Overview -------------------------------------------------------------------------------------------------------

def test_overview_numbers_equal_snapshot_sums(as_user, world):
    three_snapshots(world)
    latest = totals_of(db.session, live_snapshots(db.session)[-1])
    html = as_user("pimpinan@example.org").get("/ats").get_data(as_text=True)
    # from its desa and its desa table's residu (desa unknown), not from the row
    assert as_int(cell(html, SU, "latest")) == latest.kecamatan[SU]["total"] == 88 + 1
    assert as_int(cell(html, BENGALON, "latest")) == latest.kecamatan[BENGALON]["total"] == 50  # no breakdown
    assert as_int(cell(html, SU, "previous")) == 105 and as_int(cell(html, SU, "baseline")) == 130
    total = re.search(r'data-total="total">([^<]+)<', html).group(1)
    assert as_int(total) == latest.total["total"] == 89 + 50 + 2
    assert as_int(re.search(r'data-total="DO">([^<]+)<', html).group(1)) == latest.total["DO"] == 10 + 10 + 2
    assert "5.000" not in html  # the replaced snapshot is not shown


def test_overview_ranking_change_and_percent(as_user, world):
    three_snapshots(world)
    html = as_user("koordinator@example.org").get("/ats").get_data(as_text=True)
    assert html.index(f'data-kode="{SU}"') < html.index(f'data-kode="{BENGALON}"')
    assert cell(html, SU, "change") == "-16"
    assert cell(html, SU, "change_pct") == "-15,2%"
    assert cell(html, BENGALON, "change_pct") == "-33,3%"
    data = ats_pages.overview(db.session, TODAY)
    assert [(r.kode, r.rank) for r in data.rows] == [(SU, 1), (BENGALON, 2)]
    su = data.rows[0]
    assert (su.change_baseline, round(su.change_baseline_pct, 3)) == (-41, round(-41 / 130, 3))
    assert su.from_desa and not data.rows[1].from_desa


def test_overview_residu_total_and_mismatch_note(as_user, world):
    three_snapshots(world)
    html = as_user("koordinator@example.org").get("/ats").get_data(as_text=True)
    residu = re.search(r'<tr id="ats-residu">(.*?)</tr>', html, re.S).group(1)
    assert re.search(r'data-col="latest"><strong>2<', residu)  # the regency table's; the desa table's is SU's
    assert re.search(r'data-col="previous">2<', residu)
    total = re.search(r'<tr id="ats-total">(.*?)</tr>', html, re.S).group(1)
    assert re.search(r'data-col="latest"><strong>141<', total)
    note = re.search(r'id="ats-mismatches">(.*?)</div>', html, re.S).group(1)
    assert "Sangatta Utara" in note and "89" in note and "90" in note and "Bengalon" not in note


def test_baseline_follows_plan_baseline_year(world, app_ctx):
    three_snapshots(world)
    world.plan.baseline_year = 2026
    db.session.commit()
    data = ats_pages.overview(db.session, TODAY)
    assert data.cmp.baseline.snapshot.as_of == date(2026, 9, 30)
    world.plan.baseline_year = 2025
    db.session.commit()
    assert ats_pages.overview(db.session, TODAY).cmp.baseline.snapshot.as_of == date(2025, 3, 31)


def test_overview_chart_has_all_live_snapshots(as_user, world):
    three_snapshots(world)
    html = as_user("koordinator@example.org").get("/ats").get_data(as_text=True)
    svg = next(c for c in re.findall(r"<svg.*?</svg>", html, re.S) if "series-total" in c)  # the trend, not the map
    total_points = re.findall(r'<g class="series-total".*?</g>', svg, re.S)[0]
    assert re.findall(r'data-value="(\d+)"', total_points) == ["198", "182", "141"]


def test_empty_state_without_snapshots(as_user, world):
    client = as_user("koordinator@example.org")
    for url in ("/ats", f"/ats/area/{SU}", f"/ats/area/{TELUK_LINGGA}", "/ats/coverage", "/ats/coverage?level=desa"):
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert 'id="ats-empty"' in resp.get_data(as_text=True), url


def test_import_link_only_for_coordinators_when_the_route_exists(as_user, world, app_ctx):
    three_snapshots(world)
    exists = "ats.import_upload" in app_ctx.view_functions
    coordinator_html = as_user("koordinator@example.org").get("/ats").get_data(as_text=True)
    assert ('href="/ats/import' in coordinator_html) == exists
    assert 'href="/ats/import' not in as_user("pimpinan@example.org").get("/ats").get_data(as_text=True)
    assert 'href="/ats/import' not in as_user("dinsos@example.org").get("/ats").get_data(as_text=True)


# Area pages -----------------------------------------------------------------------------------------------------

def test_kecamatan_page_desa_table_bands_and_interventions(as_user, world):
    three_snapshots(world)
    html = as_user("koordinator@example.org").get(f"/ats/area/{SU}").get_data(as_text=True)
    assert as_int(cell(html, TELUK_LINGGA, "latest")) == 50 and as_int(cell(html, SWARGA_BARA, "latest")) == 38
    assert html.index(f'data-kode="{TELUK_LINGGA}"') < html.index(f'data-kode="{SWARGA_BARA}"')
    assert as_int(re.search(r'data-total="total">([^<]+)<', html).group(1)) == 89  # the kecamatan's figure
    without = re.search(r'<tr id="ats-without-desa">(.*?)</tr>', html, re.S).group(1)
    assert "Tanpa desa" in without and re.search(r'data-col="latest"><strong>1<', without)  # 50 + 38 + 1 = 89
    bands = re.findall(r'<g class="band" data-code="([^"]+)"><title>([^<]+)</title>', html)
    assert sorted(code for code, _t in bands) == ["1.1.1", "1.1.2"]
    assert any("1.1.1 Pendampingan keluarga" in title for _c, title in bands)
    interventions = re.search(r'id="ats-interventions">(.*?)</table>', html, re.S).group(1)
    assert f'href="/actions/{world.a1.id}"' in interventions and "1.1.3" not in interventions
    assert "Berjalan" in interventions and "Terlambat" in interventions  # a1 runs, a2 is past its due date


def test_kecamatan_with_only_its_total(as_user, world):
    three_snapshots(world)
    html = as_user("koordinator@example.org").get(f"/ats/area/{BENGALON}").get_data(as_text=True)
    assert 'id="ats-kecamatan-only"' in html and 'id="ats-desa"' not in html
    assert as_int(re.search(r'data-total="total">([^<]+)<', html).group(1)) == 50


def test_desa_page(as_user, world):
    three_snapshots(world)
    html = as_user("dinsos@example.org").get(f"/ats/area/{TELUK_LINGGA}").get_data(as_text=True)
    assert as_int(re.search(r'data-total="total">([^<]+)<', html).group(1)) == 50
    assert as_int(re.search(r'data-total="DO">([^<]+)<', html).group(1)) == 5
    interventions = re.search(r'id="ats-interventions">(.*?)</table>', html, re.S).group(1)
    assert "1.1.1" in interventions and "1.1.2" in interventions and "seluruh kecamatan" in interventions
    assert f'href="/ats/area/{SU}"' in html  # back to its kecamatan


def test_action_links_follow_action_permissions(as_user, world):
    three_snapshots(world)
    html = as_user("dpppa@example.org").get(f"/ats/area/{SU}").get_data(as_text=True)
    interventions = re.search(r'id="ats-interventions">(.*?)</table>', html, re.S).group(1)
    assert "1.1.1" in interventions and "/actions/" not in interventions  # DPPPA may not open Dinsos's action


def test_outcomes_of_current_updates_only(as_user, world):
    three_snapshots(world)
    old = ProgressUpdate(action=world.a1, agency=world.dinsos, author=world.focal, period=date(2026, 10, 1),
                         percent_complete=20, achievements="a", created_at=datetime(2026, 10, 5),
                         superseded_at=datetime(2026, 10, 6))
    new = ProgressUpdate(action=world.a1, agency=world.dinsos, author=world.focal, period=date(2026, 10, 1),
                         percent_complete=25, achievements="b", created_at=datetime(2026, 10, 6))
    nov = ProgressUpdate(action=world.a1, agency=world.dinsos, author=world.focal, period=date(2026, 11, 1),
                         percent_complete=30, achievements="c", created_at=datetime(2026, 11, 6))
    db.session.add_all([old, new, nov])
    db.session.flush()
    db.session.add_all([
        ProgressOutcome(update_id=old.id, area_kode=TELUK_LINGGA, reached=500, returned_formal=500),
        ProgressOutcome(update_id=new.id, area_kode=TELUK_LINGGA, reached=10, returned_formal=2, returned_paket=1),
        ProgressOutcome(update_id=nov.id, area_kode=SWARGA_BARA, reached=5, returned_pesantren=1, returned_lkp=1),
    ])
    db.session.commit()
    client = as_user("pimpinan@example.org")
    html = client.get(f"/ats/area/{SU}").get_data(as_text=True)
    got = dict(re.findall(r'data-outcome="(\w+)">(?:<strong>)?(\d+)', html))
    assert got == {"reached": "15", "returned": "5", "formal": "2", "paket": "1", "pesantren": "1", "lkp": "1"}
    desa_html = client.get(f"/ats/area/{TELUK_LINGGA}").get_data(as_text=True)
    assert dict(re.findall(r'data-outcome="(\w+)">(?:<strong>)?(\d+)', desa_html))["reached"] == "10"


def test_unknown_area_is_404(as_user, world):
    client = as_user("koordinator@example.org")
    for url in ("/ats/area/99.99.99", "/ats/area/%00", "/ats/area/" + "9" * 300, "/ats/area/64.08.04/x"):
        assert client.get(url).status_code == 404, url


# Coverage -------------------------------------------------------------------------------------------------------

def test_coverage_counts_active_interventions(world, app_ctx):
    three_snapshots(world)
    rows, _cmp = ats_pages.coverage(db.session, "kecamatan", TODAY)
    assert [(r.kode, r.total, r.active_interventions) for r in rows] == [(SU, 89, 2), (BENGALON, 50, 1)]
    desa, _cmp = ats_pages.coverage(db.session, "desa", TODAY)
    assert [(r.kode, r.total, r.active_interventions) for r in desa] == [(TELUK_LINGGA, 50, 2), (SWARGA_BARA, 38, 1)]
    assert not any(r.flagged for r in rows + desa)


def test_coverage_flags_high_ats_without_intervention(as_user, world):
    three_snapshots(world)
    world.a1.areas = []
    world.a2.status_override = "dibatalkan"  # cancelled: no longer active
    world.a3.start_date = date(2026, 12, 1)  # not started yet
    db.session.commit()
    client = as_user("pimpinan@example.org")
    html = client.get("/ats/coverage").get_data(as_text=True)
    su_row = re.search(rf'<tr data-kode="{SU}"[^>]*>(.*?)</tr>', html, re.S).group(1)
    bengalon_row = re.search(rf'<tr data-kode="{BENGALON}"[^>]*>(.*?)</tr>', html, re.S).group(1)
    assert "ATS tinggi tanpa intervensi" in su_row and "ATS tinggi tanpa intervensi" not in bengalon_row
    assert cell(html, SU, "active") == "0" and as_int(cell(html, SU, "latest")) == 89
    desa_html = client.get("/ats/coverage?level=desa").get_data(as_text=True)
    assert f'data-kode="{TELUK_LINGGA}"' in desa_html and f'data-kode="{BENGALON}"' not in desa_html
    assert client.get("/ats/coverage?level=<script>").status_code == 200


# Access and cost ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/ats", f"/ats/area/{SU}", f"/ats/area/{TELUK_LINGGA}", "/ats/coverage"])
def test_statuses_per_role(client, world, url):
    three_snapshots(world)
    resp = client.get(url)
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    for email in ROLE_EMAILS:
        client.post("/logout")
        assert login(client, email).status_code == 302
        assert client.get(url).status_code == 200, (url, email)
        assert client.post(url).status_code == 405


def _statements(fn) -> int:
    return len(statements_run(fn))


def test_fixed_number_of_statements(world, app_ctx):
    three_snapshots(world)
    pages = (lambda: ats_pages.overview(db.session, TODAY), lambda: ats_pages.area_page(db.session, SU, TODAY),
             lambda: ats_pages.coverage(db.session, "desa", TODAY))
    ats_pages._TOTALS_CACHE.clear()
    small = [_statements(p) for p in pages]
    warm = [_statements(p) for p in pages]
    load_region(db.session, packaged_region())
    desa = list(db.session.scalars(select(Area.kode).where(Area.level == "desa")))
    for month in range(1, 10):
        snapshot(date(2027, month, 28), {k: (3, 2, 1) for k in desa})
    db.session.commit()
    db.session.expire_all()
    ats_pages._TOTALS_CACHE.clear()
    assert [_statements(p) for p in pages] == small
    assert [_statements(p) for p in pages] == warm


def test_cached_totals_see_new_figures(world, app_ctx):
    snap = snapshot(date(2026, 9, 30), {SU: (10, 0, 0)})
    db.session.commit()
    assert ats_pages.overview(db.session, TODAY).total.latest["total"] == 10
    db.session.add(AtsFigure(snapshot_id=snap.id, kind="area", area_kode=BENGALON, category="DO", detail="", count=5))
    db.session.commit()
    data = ats_pages.overview(db.session, TODAY)
    assert data.total.latest["total"] == 15 and data.series[-1].counts["total"] == 15


def test_band_lanes_stack_overlaps():
    bands = [charts.Band("A", "a", date(2026, 1, 1), date(2026, 6, 30)),
             charts.Band("B", "b", date(2026, 3, 1), date(2026, 12, 31)),
             charts.Band("C", "c", date(2026, 7, 1), date(2026, 9, 30))]
    assert charts.band_lanes(bands) == [0, 1, 0]
    svg = charts.ats_chart([charts.Series("Total", [10, 8])], [date(2026, 1, 1), date(2026, 12, 1)],
                           ["Jan", "Des"], bands, "ATS <x>", "anak")
    assert svg.count('<g class="band"') == 3 and "ATS &lt;x&gt;" in svg
    assert "Belum ada" in charts.ats_chart([], [], [], bands, "t", "u", empty_text="Belum ada data.")


# Baseline -------------------------------------------------------------------------------------------------------

def test_baseline_is_the_earliest_snapshot_of_the_baseline_year_with_a_note_when_the_plan_differs(as_user, world):
    three_snapshots(world)
    world.plan.baseline_year = 2025
    db.session.commit()
    data = ats_pages.overview(db.session, TODAY)
    assert data.cmp.baseline.snapshot.as_of == date(2025, 3, 31) and data.total.baseline["total"] == 198
    assert data.cmp.plan_baseline_ats == 13411 and data.cmp.baseline_differs
    html = as_user("pimpinan@example.org").get("/ats").get_data(as_text=True)
    note = re.search(r'id="ats-baseline-note">(.*?)</p>', html, re.S).group(1)
    assert "13.411" in note and "198" in note
    assert re.search(r'<tr id="ats-total">.*?data-col="baseline">198<', html, re.S)
    world.plan.baseline_ats = 198
    db.session.commit()
    assert 'id="ats-baseline-note"' not in as_user("pimpinan@example.org").get("/ats").get_data(as_text=True)
    world.plan.baseline_ats = None
    db.session.commit()
    assert not ats_pages.overview(db.session, TODAY).cmp.baseline_differs
    # no snapshot on or after 1 January of the baseline year: no baseline rather than an older one
    world.plan.baseline_year = 2027
    db.session.commit()
    data = ats_pages.overview(db.session, TODAY)
    assert data.cmp.baseline is None and data.rows[0].baseline is None and not data.cmp.baseline_differs


def test_baseline_snapshot_picks_the_earliest_date():
    snaps = [AtsSnapshot(id=i, as_of=d, source="x") for i, d in
             enumerate((date(2024, 12, 31), date(2025, 3, 31), date(2025, 4, 30)), start=1)]
    assert ats_pages.baseline_snapshot(snaps, 2025).as_of == date(2025, 3, 31)
    assert ats_pages.baseline_snapshot(snaps, None).as_of == date(2024, 12, 31)
    assert ats_pages.baseline_snapshot(snaps, 2026) is None and ats_pages.baseline_snapshot([], 2025) is None


# The ATS trend on the action page -------------------------------------------------------------------------------

def _totals(trend: ats_pages.ActionTrend) -> list[int | None]:
    return [p.counts["total"] if p.counts else None for p in trend.series]


def test_action_trend_sums_the_target_areas_without_counting_twice(world, app_ctx):
    three_snapshots(world)
    # a desa only: figures only where the snapshot has desa rows
    assert _totals(ats_pages.action_trend(db.session, [TELUK_LINGGA])) == [None, None, 50]
    # a kecamatan: its kecamatan total (from its desa and their table's residu where they exist)
    assert _totals(ats_pages.action_trend(db.session, [SU])) == [130, 105, 89]
    # a kecamatan, one of its desa (already inside it) and another kecamatan
    trend = ats_pages.action_trend(db.session, [SU, TELUK_LINGGA, BENGALON])
    assert _totals(trend) == [130 + 65, 105 + 75, 89 + 50]
    assert trend.scope == "kecamatan" and trend.desa == []
    mixed = ats_pages.action_trend(db.session, [TELUK_LINGGA, BENGALON])
    assert _totals(mixed) == [65, 75, 50 + 50] and mixed.scope == "mixed"
    assert mixed.series[-1].counts == {"BPB": 80, "DO": 15, "LTM": 5, "total": 100}
    # no target area: the regency total, residu included
    regency = ats_pages.action_trend(db.session, [])
    assert _totals(regency) == [198, 182, 141] and regency.scope == "regency"


def test_action_page_shows_the_trend_with_the_action_period_as_a_band(as_user, world):
    three_snapshots(world)
    client = as_user("dinsos@example.org")
    html = client.get(f"/actions/{world.a2.id}").get_data(as_text=True)
    section = html[html.index('id="outcomes"'):]
    figure = re.search(r'id="action-ats-trend">(.*?)</figure>', section, re.S).group(1)
    assert "Jumlah ATS di wilayah sasaran 1.1.2" in figure
    total = re.findall(r'<g class="series-total".*?</g>', figure, re.S)[0]
    assert re.findall(r'data-value="(\d+)"', total) == ["130", "105", "89"]
    assert re.findall(r'<g class="band" data-code="([^"]+)">', figure) == ["1.1.2"]
    assert "Belum ada hasil per desa" in section  # the outcomes table (empty) sits beside it
    world.a2.areas = []
    db.session.commit()
    html = client.get(f"/actions/{world.a2.id}").get_data(as_text=True)
    figure = re.search(r'id="action-ats-trend">(.*?)</figure>', html, re.S).group(1)
    assert "Jumlah ATS Kabupaten Kutai Timur" in figure
    assert re.findall(r'data-value="(\d+)"', re.findall(r'<g class="series-total".*?</g>', figure, re.S)[0]) == \
        ["198", "182", "141"]


def test_action_page_without_snapshots_says_so(as_user, world):
    html = as_user("koordinator@example.org").get(f"/actions/{world.a1.id}").get_data(as_text=True)
    figure = re.search(r'id="action-ats-trend">(.*?)</figure>', html, re.S).group(1)
    assert "Belum ada data ATS." in figure


def test_action_page_statements_do_not_grow_with_snapshots(as_user, world, app_ctx):
    three_snapshots(world)
    client = as_user("koordinator@example.org")
    url = f"/actions/{world.a2.id}"

    def get():
        db.session.expire_all()  # every request starts from a fresh session, as in production
        assert client.get(url).status_code == 200

    ats_pages._TOTALS_CACHE.clear()
    cold, warm = _statements(get), _statements(get)
    for month in range(1, 10):
        snapshot(date(2027, month, 28), {SU: (3, 2, 1), TELUK_LINGGA: (1, 1, 1)})
    db.session.commit()
    ats_pages._TOTALS_CACHE.clear()
    assert _statements(get) == cold
    assert _statements(get) == warm


# Import history -------------------------------------------------------------------------------------------------

def _history(world, app_ctx) -> tuple[AtsSnapshot, AtsSnapshot]:
    """A replaced snapshot with a kept file, the snapshot that replaced it, and a remembered name."""
    old = snapshot(date(2026, 9, 30), {SU: (10, 5, 5)}, replaced=True)  # one live snapshot per date
    new = snapshot(date(2026, 9, 30), {SU: (8, 4, 4), BENGALON: (1, 1, 1)})
    folder = Path(app_ctx.config["UPLOAD_DIR"]) / "ats"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "0a1b2c.csv").write_bytes(b"kode_wilayah,kategori,jenjang,jumlah\n64.08.04,BPB,,10\n")
    old.file_name, old.stored_file, old.note = "ATS Kutim Sept.csv", "0a1b2c.csv", "Unduhan pertama"
    old.created_by_id = world.coordinator.id
    old.replaced_at, old.replaced_by_id = datetime(2026, 10, 2, 3, 0), new.id
    new.file_name, new.stored_file, new.created_at = "ATS Kutim Sept (perbaikan).csv", "hilang.csv", \
        datetime(2026, 10, 2, 3, 0)
    db.session.add(AreaAlias(name_key="SANGATA UTR", area_kode=SU, created_at=datetime(2026, 10, 2),
                             created_by_id=world.coordinator.id))
    db.session.commit()
    return old, new


def test_snapshot_list_shows_live_and_replaced_with_totals(as_user, world, app_ctx):
    old, new = _history(world, app_ctx)
    html = as_user("pimpinan@example.org").get("/ats/snapshots").get_data(as_text=True)
    rows = dict(re.findall(r'<tr id="snapshot-(\d+)"[^>]*>(.*?)</tr>', html, re.S))
    assert list(rows) == [str(new.id), str(old.id)]  # the live one first
    assert re.search(r'data-col="total">19<', rows[str(new.id)]) and "berlaku" in rows[str(new.id)]
    replaced = rows[str(old.id)]
    assert re.search(r'data-col="total">20<', replaced) and "diganti" in replaced
    assert f'href="#snapshot-{new.id}"' in replaced and "Unduhan pertama" in replaced
    assert "Koordinator" in replaced and "Pusdatin" in replaced
    assert "/file" not in html and "ATS Kutim Sept.csv" in html  # leaders see the name, no download
    assert "SANGATA UTR" in html and "/delete" not in html
    coordinator_html = as_user("koordinator@example.org").get("/ats/snapshots").get_data(as_text=True)
    assert f'href="/ats/snapshots/{old.id}/file"' in coordinator_html
    assert 'action="/ats/aliases/' in coordinator_html


def test_snapshot_list_permissions_and_overview_link(client, world, app_ctx):
    _history(world, app_ctx)
    assert client.get("/ats/snapshots").status_code == 302
    for email, status in (("admin@example.org", 200), ("koordinator@example.org", 200),
                          ("pimpinan@example.org", 200), ("dinsos@example.org", 403), ("dpppa@example.org", 403)):
        client.post("/logout")
        login(client, email)
        assert client.get("/ats/snapshots").status_code == status, email
        assert client.post("/ats/snapshots").status_code == 405
        assert ('href="/ats/snapshots"' in client.get("/ats").get_data(as_text=True)) == (status == 200), email


def test_snapshot_file_download(client, world, app_ctx):
    old, new = _history(world, app_ctx)
    url = f"/ats/snapshots/{old.id}/file"
    assert client.get(url).status_code == 302
    for email, status in (("pimpinan@example.org", 403), ("dinsos@example.org", 403), ("admin@example.org", 200),
                          ("koordinator@example.org", 200)):
        client.post("/logout")
        login(client, email)
        resp = client.get(url)
        assert resp.status_code == status, email
    assert resp.data.startswith(b"kode_wilayah,kategori")
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and 'filename="ATS Kutim Sept.csv"' in disposition
    assert client.get(f"/ats/snapshots/{new.id}/file").status_code == 404  # the file is gone
    assert client.get("/ats/snapshots/99999/file").status_code == 404
    for stored in (None, "../secret.csv"):
        new.stored_file = stored
        db.session.commit()
        assert client.get(f"/ats/snapshots/{new.id}/file").status_code == 404
    assert client.post(url).status_code == 405


def test_forgetting_a_name_mapping(client, world, app_ctx):
    _history(world, app_ctx)
    alias = db.session.scalar(select(AreaAlias))
    url = f"/ats/aliases/{alias.id}/delete"
    for email in ("pimpinan@example.org", "dinsos@example.org"):
        client.post("/logout")
        login(client, email)
        assert client.post(url).status_code == 403
    client.post("/logout")
    login(client, "koordinator@example.org")
    assert client.get(url).status_code == 405
    resp = client.post(url)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/ats/snapshots#aliases")
    assert db.session.scalar(select(AreaAlias)) is None
    assert client.post(url).status_code == 404
    html = client.get("/ats/snapshots").get_data(as_text=True)
    assert 'id="ats-no-aliases"' in html and "SANGATA UTR" not in html
