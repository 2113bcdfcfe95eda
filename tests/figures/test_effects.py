"""Which interventions work (figures/effects.py, /hasil-intervensi): children returned per action (each child once,
for its first action), cost per child, the ATS change next to comparable untargeted kecamatan, sorting, the export,
who may open the page, and agreement with `flask report figures` on the demo."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from coordinator.extensions import db
from coordinator.figures.effects import (
    SORT_KEYS,
    ActionEffect,
    action_effects,
    comparable_kecamatan,
    parse_sort,
    sort_effects,
    top_and_bottom,
)
from coordinator.figures.live import children_as_of
from coordinator.models import Area, AtsFigure, AtsSnapshot, ChildCase, ProgressOutcome, ProgressUpdate
from tests.conftest import login, statements_run
from tests.verval.verval_data import make_child

NOW = datetime(2026, 11, 27, 2, 0)  # the tests' FIXED_NOW: 27 November 2026, 10:00 WITA
TELUK = "64.08.04.1001"
# kecamatan -> (baseline, latest): 04 is a1's (through its desa), 08 is a3's; 05 and 06 are untargeted and within
# ±50 % of either's baseline; 07 is untargeted but far larger.
COUNTS = {"64.08.04": (100, 80), "64.08.05": (60, 57), "64.08.06": (140, 140), "64.08.07": (400, 300),
          "64.08.08": (120, 114)}


def _snapshot(as_of: date, which: int) -> None:
    snap = AtsSnapshot(as_of=as_of, source="Pusdatin", created_at=NOW)
    db.session.add(snap)
    db.session.flush()
    for kode, counts in COUNTS.items():
        db.session.add(AtsFigure(snapshot_id=snap.id, kind="area", area_kode=kode, category="DO", detail="",
                                 count=counts[which]))
    db.session.flush()


def _report(world, action, agency, period: date, realised: int | None,
            outcomes: dict[str, tuple[int, int]] | None = None, superseded: bool = False) -> ProgressUpdate:
    update = ProgressUpdate(action=action, agency=agency, author=world.coordinator, period=period,
                            percent_complete=50, achievements="Pendampingan", budget_realised=realised,
                            created_at=datetime(period.year, period.month, 20, 2, 0),
                            superseded_at=NOW if superseded else None)
    db.session.add(update)
    for kode, (reached, returned) in (outcomes or {}).items():
        update.outcomes.append(ProgressOutcome(area_kode=kode, reached=reached, returned_formal=returned))
    db.session.flush()
    return update


def _case(child, action, outcome: str, on: date) -> None:
    db.session.add(ChildCase(child_id=child.id, action_id=action.id, outcome=outcome, outcome_date=on,
                             created_at=NOW, updated_at=NOW))


def _setup(world, app_ctx) -> None:
    """a1 targets desa Teluk Lingga (kecamatan 04), a2 is regency-wide, a3 targets kecamatan 08."""
    world.plan.baseline_year = 2025
    names = {"64.08.06": "Kaliorang", "64.08.07": "Sangatta Selatan", "64.08.08": "Rantau Pulung"}
    db.session.add_all([Area(kode=k, nama=n, level="kecamatan") for k, n in names.items()])
    db.session.flush()
    world.a1.areas = [world.desa]
    world.a3.areas = [db.session.get(Area, "64.08.08")]
    _snapshot(date(2025, 3, 31), 0)
    _snapshot(date(2026, 11, 15), 1)
    first, second = make_child(app_ctx, "Anak Satu", TELUK, serial=1), make_child(app_ctx, "Anak Dua", TELUK, serial=2)
    _case(first, world.a1, "formal", date(2026, 5, 2))
    _case(first, world.a2, "paket", date(2026, 6, 1))  # the same child through a second action: a1's, once
    _case(second, world.a2, "lkp", date(2026, 7, 1))
    # Dinsos reports a1: 5 reached and 3 returned in Teluk Lingga (one of them Anak Satu), and its money.
    _report(world, world.a1, world.dinsos, date(2026, 9, 1), 300_000)
    _report(world, world.a1, world.dinsos, date(2026, 10, 1), 600_000, {TELUK: (5, 3)})
    _report(world, world.a1, world.dinsos, date(2026, 10, 1), 9_000_000, {TELUK: (100, 50)}, superseded=True)
    # a2: each agency its own money; a3: money spent, nobody back.
    _report(world, world.a2, world.disdik, date(2026, 10, 1), 1_000_000)
    _report(world, world.a2, world.dinsos, date(2026, 11, 1), 500_000, {TELUK: (4, 0)})
    _report(world, world.a3, world.dpppa, date(2026, 11, 1), 250_000, {"64.08.08": (7, 0)})
    db.session.commit()


def _by_code(effects: list[ActionEffect]) -> dict[str, ActionEffect]:
    return {e.code: e for e in effects}


def test_children_budget_and_cost_per_action(world, app_ctx):
    _setup(world, app_ctx)
    e = _by_code(action_effects(db.session, NOW))
    a1, a2, a3 = e["1.1.1"], e["1.1.2"], e["1.1.3"]
    # Anak Satu counts once, for a1 (its first return); a1's aggregate adds 3 - 1 = 2 children not on the list.
    assert (a1.returned, a2.returned, a3.returned) == (3, 1, 0)
    total = children_as_of(db.session, None, date(2026, 11, 27)).distinct_total
    assert a1.returned + a2.returned + a3.returned == total == 4
    assert (a1.reached, a2.reached, a3.reached) == (5, 4, 7)  # superseded reports do not count
    assert (a1.realised, a2.realised, a3.realised) == (600_000, 1_500_000, 250_000)  # each agency's latest
    assert (a1.cost_per_child, a2.cost_per_child, a3.cost_per_child) == (200_000, 1_500_000, None)
    assert a1.lead_agency == "Dinsos" and a1.area_names == ["Teluk Lingga"] and a2.regency_wide
    assert a1.status == "berjalan" and a2.status == "terlambat"


def test_the_comparison_takes_untargeted_kecamatan_of_a_similar_baseline(world, app_ctx):
    _setup(world, app_ctx)
    e = _by_code(action_effects(db.session, NOW))
    a1, a2, a3 = e["1.1.1"], e["1.1.2"], e["1.1.3"]
    # a1: kecamatan 04 (its desa's), 100 -> 80. Comparable: 05 (60) and 06 (140), within 50..150; not 08 (a3's),
    # nor 07 (400).
    assert a1.kecamatan == ["64.08.04"] and a1.ats_change_pct == -20.0
    assert a1.comparison == ["64.08.05", "64.08.06"] and a1.comparison_names == ["Bengalon", "Kaliorang"]
    assert a1.comparison_change_pct == -1.5  # (57 + 140 - 200) / 200, pooled
    assert a1.difference_pct == -18.5
    # a3: 08, 120 -> 114; comparable within 60..180: 05 and 06 again, never 04 (a1 targets it).
    assert (a3.ats_change_pct, a3.comparison, a3.difference_pct) == (-5.0, ["64.08.05", "64.08.06"], -3.5)
    # Regency-wide: the regency's change, compared with nothing.
    assert a2.ats_change_pct == round((691 - 820) * 100 / 820, 1) and a2.comparison == []
    assert a2.comparison_change_pct is None and a2.difference_pct is None

    # No untargeted kecamatan near the targeted one's level: no comparison, not a wrong one.
    world.a3.areas = [db.session.get(Area, "64.08.07")]
    db.session.commit()
    a3 = _by_code(action_effects(db.session, NOW))["1.1.3"]
    assert a3.ats_change_pct == -25.0 and a3.comparison == [] and a3.comparison_change_pct is None
    assert a3.difference_pct is None


def test_comparable_kecamatan_is_within_half_of_the_mean_baseline():
    baseline = {"a": 100, "b": 200, "c": 149, "d": 151, "e": 51, "f": 49, "g": 120}
    assert comparable_kecamatan({"a", "b"}, {"c", "d", "e", "f", "a"}, baseline) == ["c", "d"]  # mean 150: 75..225
    assert comparable_kecamatan({"a"}, {"c", "d", "e", "f"}, baseline) == ["c", "e"]  # 50..150
    assert comparable_kecamatan({"a"}, {"g"}, {"g": 120}) == []  # the targeted kecamatan has no baseline
    assert comparable_kecamatan({"a"}, set(), baseline) == []


def test_the_statements_do_not_grow_with_the_plan(world, app_ctx):
    _setup(world, app_ctx)
    action_effects(db.session, NOW)  # memoised facts warmed
    few = len(statements_run(lambda: action_effects(db.session, NOW)))
    for i in range(4, 12):
        a = world.action(f"1.1.{i}", f"Aksi {i}", world.dpppa, date(2026, 1, 1), date(2026, 12, 31))
        a.areas = [world.kec2]
        _report(world, a, world.dpppa, date(2026, 10, 1), 1000 * i, {"64.08.05": (i, 1)})
    db.session.commit()
    action_effects(db.session, NOW)
    assert len(statements_run(lambda: action_effects(db.session, NOW))) == few


def _effect(code: str, returned: int, realised: int, ats: float | None = None,
            comparison: float | None = None) -> ActionEffect:
    return ActionEffect(int(code.replace(".", "")), code, "Aksi " + code, "Dinsos", "berjalan", [], [], 0, returned,
                        realised, ats_change_pct=ats, comparison_change_pct=comparison)


EFFECTS = [_effect("1.1.10", 10, 1_000_000, -12.0, -2.0), _effect("1.1.2", 0, 500_000, -3.0, None),
           _effect("1.1.3", 4, 800_000, 5.0, 1.0), _effect("2.1.1", 2, 0, None, None),
           _effect("1.1.1", 0, 0, -8.0, -8.0)]


@pytest.mark.parametrize("key", list(SORT_KEYS))
@pytest.mark.parametrize("descending", [False, True])
def test_each_key_sorts_both_ways_with_unknown_values_last(key, descending):
    get = SORT_KEYS[key]
    rows = sort_effects(EFFECTS, key, descending)
    assert sorted(e.code for e in rows) == sorted(e.code for e in EFFECTS)
    values = [get(e) for e in rows]
    known = [v for v in values if v is not None]
    assert known == sorted(known, reverse=descending)
    assert values[len(known):] == [None] * (len(values) - len(known))


def test_sorting_by_name():
    codes = {key: [e.code for e in sort_effects(EFFECTS, *parse_sort(key))]
             for key in ("kode", "-kode", "kembali", "-kembali", "biaya", "-biaya", "ats", "-ats", "selisih",
                         "-selisih", "nonsense", None)}
    assert codes["kode"] == codes["nonsense"] == codes[None] == ["1.1.1", "1.1.2", "1.1.3", "1.1.10", "2.1.1"]
    assert codes["-kode"] == ["2.1.1", "1.1.10", "1.1.3", "1.1.2", "1.1.1"]
    assert codes["-kembali"] == ["1.1.10", "1.1.3", "2.1.1", "1.1.1", "1.1.2"]  # ties by code
    assert codes["kembali"] == ["1.1.1", "1.1.2", "2.1.1", "1.1.3", "1.1.10"]
    assert codes["biaya"] == ["1.1.10", "1.1.3", "1.1.1", "1.1.2", "2.1.1"]  # 100.000, 200.000, then no cost
    assert codes["-biaya"] == ["1.1.3", "1.1.10", "1.1.1", "1.1.2", "2.1.1"]
    assert codes["ats"] == ["1.1.10", "1.1.1", "1.1.2", "1.1.3", "2.1.1"]
    assert codes["-ats"] == ["1.1.3", "1.1.2", "1.1.1", "1.1.10", "2.1.1"]
    assert codes["selisih"] == ["1.1.10", "1.1.1", "1.1.3", "1.1.2", "2.1.1"]  # -10, 0, 4
    assert codes["-selisih"] == ["1.1.3", "1.1.1", "1.1.10", "1.1.2", "2.1.1"]


def test_top_and_bottom_five():
    many = [_effect(f"3.1.{i}", i, 1_000_000) for i in range(1, 9)]  # cost 1.000.000 / i
    spent_nothing_back = [_effect("4.1.1", 0, 200_000), _effect("4.1.2", 0, 900_000)]
    free = [_effect("5.1.1", 3, 0), _effect("5.1.2", 0, 0)]  # no cost known: in neither list
    top, bottom = top_and_bottom(many + spent_nothing_back + free)
    assert [e.code for e in top] == ["3.1.8", "3.1.7", "3.1.6", "3.1.5", "3.1.4"]
    # Money without a child back first (most money first), then the highest cost per child.
    assert [e.code for e in bottom] == ["4.1.2", "4.1.1", "3.1.1", "3.1.2", "3.1.3"]
    # A short list: the bottom never repeats the top.
    top, bottom = top_and_bottom(many[:3] + spent_nothing_back[:1])
    assert [e.code for e in top] == ["3.1.3", "3.1.2", "3.1.1"] and [e.code for e in bottom] == ["4.1.1"]
    assert top_and_bottom([], n=5) == ([], [])


def _page_codes(html: str) -> list[str]:
    return re.findall(r'<tr data-action="([^"]+)"', html)


def test_the_page_sorts_formats_and_says_it_is_an_association(world, app_ctx, as_user):
    _setup(world, app_ctx)
    client = as_user("pimpinan@example.org")
    html = client.get("/hasil-intervensi").get_data(as_text=True)
    assert "perbandingan, bukan bukti sebab-akibat" in html
    assert _page_codes(html) == ["1.1.1", "1.1.2", "1.1.3"]
    assert f'href="/actions/{world.a1.id}">1.1.1</a>' in html  # a leader may open every action
    assert "Rp 600.000" in html and "Rp 200.000" in html and "Rp 1.500.000" in html
    assert "-20,0%" in html and "-1,5%" in html and "-18,5 poin" in html and "Bengalon, Kaliorang" in html
    assert 'data-label="Biaya per anak kembali"' in html and 'class="responsive"' in html
    assert 'href="/definisi"' in html and 'href="/ats"' in html
    by_cost = client.get("/hasil-intervensi?urut=-biaya").get_data(as_text=True)
    assert _page_codes(by_cost) == ["1.1.2", "1.1.1", "1.1.3"]
    assert 'aria-sort="descending"' in by_cost and 'href="/hasil-intervensi?urut=biaya"' in by_cost
    assert _page_codes(client.get("/hasil-intervensi?urut=kembali").get_data(as_text=True)) == \
        ["1.1.3", "1.1.2", "1.1.1"]
    assert "/hasil-intervensi" in client.get("/definisi").get_data(as_text=True)


def test_the_export_has_the_page_rows_and_numbers(world, app_ctx, as_user):
    _setup(world, app_ctx)
    client = as_user("koordinator@example.org")
    expected = sort_effects(action_effects(db.session, NOW), "biaya")
    resp = client.get("/hasil-intervensi?urut=biaya&export=xlsx")
    assert resp.status_code == 200 and "hasil-intervensi-" in resp.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(resp.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Kode" and rows[0][8] == "Biaya per anak kembali (Rp)"
    assert [r[0] for r in rows[1:]] == [e.code for e in expected] == ["1.1.1", "1.1.2", "1.1.3"]
    for row, e in zip(rows[1:], expected, strict=True):
        assert row[5:10] == (e.reached, e.returned, e.realised, e.cost_per_child, e.ats_change_pct)
        assert row[11:] == (e.comparison_change_pct, e.difference_pct)
    assert rows[1][7] == 600_000 and rows[1][8] == 200_000 and rows[1][12] == -18.5
    assert sheet["H2"].number_format == '"Rp" #,##0' and sheet["I2"].number_format == '"Rp" #,##0'
    assert rows[2][4] == "Seluruh kabupaten" and rows[1][10] == "Bengalon, Kaliorang"

    text = client.get("/hasil-intervensi?urut=biaya&export=csv").data.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert [line[0] for line in lines[1:]] == [e.code for e in expected]
    assert lines[1][5:10] == ["5", "3", "600000", "200000", "-20.0"] and lines[3][8] == ""


def test_who_may_open_it(world, app_ctx, client):
    _setup(world, app_ctx)
    anonymous = client.get("/hasil-intervensi")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert login(client, "dinsos@example.org").status_code == 302  # a focal point of Dinsos (a1, a2)
    html = client.get("/hasil-intervensi").get_data(as_text=True)
    assert _page_codes(html) == ["1.1.1", "1.1.2", "1.1.3"]
    assert f'href="/actions/{world.a1.id}"' in html and f'href="/actions/{world.a2.id}"' in html
    assert f'href="/actions/{world.a3.id}"' not in html  # DPPPA's action: its page is not Dinsos's to open
    client.post("/logout")
    assert login(client, "pimpinan@example.org").status_code == 302
    assert client.get("/hasil-intervensi").status_code == 200
    client.post("/logout")
    assert login(client, "verifikator@example.org").status_code == 302
    assert client.get("/hasil-intervensi").status_code == 403


def test_on_the_demo_the_actions_add_up_to_the_reports_figure(app_ctx):
    result = app_ctx.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    figures = app_ctx.test_cli_runner().invoke(args=["report", "figures", "--period", "2026-11"])
    assert figures.exit_code == 0, figures.output
    distinct = json.loads(figures.output)["children_returned"]["distinct_total"]
    effects = action_effects(db.session, NOW)
    live = {e.id for e in effects}
    split = children_as_of(db.session, None, date(2026, 11, 27)).by_area_action
    not_by_a_live_action = sum(n for (_kode, action_id), n in split.items() if action_id not in live)
    assert not_by_a_live_action == 0  # every return in the demo has a live action
    assert sum(e.returned for e in effects) == distinct - not_by_a_live_action > 0
    assert any(e.cost_per_child for e in effects) and any(e.comparison for e in effects)
    top, bottom = top_and_bottom(effects)
    assert len(top) == 5 and len(bottom) == 5 and not {e.id for e in top} & {e.id for e in bottom}
