"""Indicators: service rules, the SVG chart, and the web pages with their permissions."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from coordinator.core import charts
from coordinator.core.errors import DomainError
from coordinator.extensions import db
from coordinator.indicators import tracking as svc
from coordinator.indicators.forms import format_decimal_id, parse_decimal
from coordinator.models import AuditEntry, Indicator, IndicatorTarget, IndicatorValue

NOW = datetime(2026, 11, 27, 2, 0)
COORD, LEADER, FOCAL = "koordinator@example.org", "pimpinan@example.org", "dinsos@example.org"


def make_indicator(world, code="I-1", direction="turun", baseline=13411.0, actions=()) -> Indicator:
    ind = Indicator(plan=world.plan, code=code, name="Jumlah anak tidak sekolah", unit="anak", direction=direction,
                    baseline_value=baseline, baseline_year=2025, data_source="Pusdatin",
                    definition="Anak usia 7–18 tahun yang tidak bersekolah.")
    ind.actions = list(actions)
    db.session.add(ind)
    db.session.flush()
    return ind


@pytest.fixture()
def ind(world) -> Indicator:
    """Annual targets 2026–2027, quarterly values in 2026, one annual value for 2025."""
    i = make_indicator(world, actions=[world.a1, world.a2])
    i.targets = [IndicatorTarget(year=2026, quarter=None, value=10000), IndicatorTarget(year=2027, value=8500),
                 IndicatorTarget(year=2026, quarter=2, value=12000)]
    i.values = [
        IndicatorValue(year=2025, quarter=None, value=13411, source="Pusdatin Mar 2025", entered_at=NOW,
                       entered_by_id=world.coordinator.id),
        IndicatorValue(year=2026, quarter=2, value=12802, source="Pusdatin", note="setelah verval", entered_at=NOW,
                       entered_by_id=world.coordinator.id),
        IndicatorValue(year=2026, quarter=3, value=9644.5, source="Tim ATS", entered_at=NOW),
    ]
    db.session.commit()
    return i


def text_of(resp) -> str:
    return resp.get_data(as_text=True)


# Service: rules -------------------------------------------------------------------

def test_on_track_naik_and_turun():
    assert svc.is_on_track("naik", 80, 80) is True
    assert svc.is_on_track("naik", 79.9, 80) is False
    assert svc.is_on_track("naik", 95, 80) is True
    assert svc.is_on_track("turun", 9999, 10000) is True
    assert svc.is_on_track("turun", 10000, 10000) is True
    assert svc.is_on_track("turun", 10001, 10000) is False
    assert svc.is_on_track("turun", None, 10000) is None
    assert svc.is_on_track("naik", 5, None) is None


def test_achievement_relative_to_baseline():
    assert svc.achievement(13411, 10000, 10852) == pytest.approx(2559 / 3411)
    assert svc.achievement(0, 80, 20) == pytest.approx(0.25)
    assert svc.achievement(None, 80, 20) is None
    assert svc.achievement(50, 50, 60) is None  # target equals baseline: no planned change to measure


def test_period_rows_order_reference_and_status(world, ind):
    rows = svc.rows_for_page(db.session, ind)
    assert [(r.year, r.quarter) for r in rows] == [(2025, None), (2026, 2), (2026, 3), (2026, None), (2027, None)]
    q2, q3, y2026 = rows[1], rows[2], rows[3]
    assert (q2.target, q2.reference_target, q2.reference_is_annual, q2.on_track) == (12000, 12000, False, False)
    assert q2.entered_by == world.coordinator.name
    assert (q3.target, q3.reference_target, q3.reference_is_annual, q3.on_track) == (None, 10000, True, True)
    assert q3.achievement == pytest.approx((9644.5 - 13411) / (10000 - 13411))
    assert y2026.actual is None and y2026.on_track is None
    summary = svc.summarize(ind, 2026)
    assert summary.latest is not None and summary.latest.quarter == 3
    assert summary.year_target == 10000 and summary.status == svc.STATUS_ON_TRACK
    assert summary.action_codes == ["1.1.1", "1.1.2"]


def test_summary_without_values_or_targets_is_no_data(world):
    i = make_indicator(world, direction="naik", baseline=None)
    s = svc.summarize(i, 2026)
    assert s.status == svc.STATUS_NO_DATA and s.latest is None and s.year_target is None
    svc.record_value(db.session, i, 2026, 1, 5, None, None, None, NOW)
    assert svc.summarize(i, 2026).status == svc.STATUS_NO_DATA  # a value but no target to judge it by


def test_set_target_updates_same_period(world):
    i = make_indicator(world)
    first = svc.set_target(db.session, i, 2026, None, 10000)
    again = svc.set_target(db.session, i, 2026, None, 9500)
    quarter = svc.set_target(db.session, i, 2026, 4, 9800)
    assert first.id == again.id and again.value == 9500 and quarter.id != first.id
    assert db.session.scalar(select(func.count()).select_from(IndicatorTarget)) == 2
    with pytest.raises(DomainError) as err:
        svc.set_target(db.session, i, 2026, 5, 1)
    assert err.value.field == "quarter"
    with pytest.raises(DomainError):
        svc.set_target(db.session, i, 1800, None, 1)
    with pytest.raises(DomainError):
        svc.set_target(db.session, i, 2026, None, float("nan"))


def test_one_value_per_period_corrected_by_editing(world):
    i = make_indicator(world)
    v = svc.record_value(db.session, i, 2026, 3, 10546, "Pusdatin Nov", None, world.coordinator.id, NOW)
    with pytest.raises(DomainError) as err:
        svc.record_value(db.session, i, 2026, 3, 10539, "Pusdatin 21 Nov", None, world.coordinator.id, NOW)
    assert err.value.field == "quarter"
    svc.record_value(db.session, i, 2026, None, 10539, None, None, None, NOW)  # whole year is another period
    svc.update_value(db.session, v, 2026, 3, 10539, "Pusdatin 21 Nov", "koreksi", world.admin.id, NOW)
    db.session.commit()
    assert (v.value, v.source, v.entered_by_id) == (10539, "Pusdatin 21 Nov", world.admin.id)
    with pytest.raises(DomainError):  # moving it onto the whole-year period that already has a value
        svc.update_value(db.session, v, 2026, None, 1, None, None, None, NOW)
    db.session.rollback()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "indicator_value",
                                                       AuditEntry.operation == "update"))
    assert entry.before["value"] == 10546 and entry.after["value"] == 10539


def test_save_indicator_rules(world):
    data = svc.IndicatorInput(code="I-9", name="Dispensasi kawin", definition=None, unit="kasus", direction="turun",
                              baseline_value=180, baseline_year=2025, data_source=None, action_ids=[world.a1.id])
    ind = svc.save_indicator(db.session, None, world.plan, data)
    assert [a.code for a in ind.actions] == ["1.1.1"]
    with pytest.raises(DomainError) as err:
        svc.save_indicator(db.session, None, world.plan, svc.IndicatorInput(**{**data.__dict__, "code": "i-9"}))
    assert err.value.field == "code"
    with pytest.raises(DomainError) as err:
        svc.save_indicator(db.session, None, world.plan, svc.IndicatorInput(**{**data.__dict__, "code": "X",
                                                                               "direction": "atas"}))
    assert err.value.field == "direction"
    world.a2.deleted_at = NOW
    db.session.flush()
    with pytest.raises(DomainError) as err:
        svc.save_indicator(db.session, ind, world.plan, svc.IndicatorInput(**{**data.__dict__,
                                                                              "action_ids": [world.a2.id]}))
    assert err.value.field == "action_ids"
    # A link to an action deleted later survives an edit of the indicator.
    world.a2.deleted_at = None
    ind.actions = [world.a1, world.a2]
    db.session.flush()
    world.a2.deleted_at = NOW
    svc.save_indicator(db.session, ind, world.plan, svc.IndicatorInput(**{**data.__dict__, "action_ids": []}))
    assert [a.code for a in ind.actions] == ["1.1.2"]
    svc.delete_indicator(db.session, ind, NOW)
    # The code of a deleted indicator may be used again.
    again = svc.save_indicator(db.session, None, world.plan, svc.IndicatorInput(**{**data.__dict__, "action_ids": []}))
    assert again.id != ind.id


@pytest.mark.parametrize("raw, expected", [
    ("13.411", 13411), ("12,5", 12.5), ("12.5", 12.5), ("1.234,5", 1234.5), ("1.250.000", 1250000),
    ("-3", -3), ("0", 0), (" 7 ", 7), ("0,75", 0.75),
])
def test_parse_decimal_accepts_indonesian_and_point(raw, expected):
    assert parse_decimal(raw) == pytest.approx(expected)


@pytest.mark.parametrize("raw", ["abc", "1,2,3", "12,", "1.2.3", "1e5", "nan", "--1", "12,5%"])
def test_parse_decimal_rejects(raw):
    with pytest.raises(ValueError):
        parse_decimal(raw)


def test_format_decimal_id_round_trips():
    for value in (13411.0, 12.5, 0.0, 1234.5, -3.25):
        assert parse_decimal(format_decimal_id(value)) == pytest.approx(value)
    assert format_decimal_id(13411.0) == "13.411" and format_decimal_id(1234.5) == "1.234,5"


# Charts ------------------------------------------------------------------------------

def test_chart_empty_and_single_point():
    empty = charts.line_chart([], [], title="Kosong", unit="anak", empty_text="Belum ada data.")
    assert empty.startswith("<svg") and "Belum ada data." in empty and "<polyline" not in empty
    no_values = charts.line_chart([charts.Series("Target", [None, None])], ["2026", "2027"], "X", "anak")
    assert "<polyline" not in no_values and "<circle" not in no_values
    one = charts.line_chart([charts.Series("Realisasi", [12.5])], ["TW I 2026"], "Satu titik", "%")
    assert one.count("<circle") == 1 and "<polyline" not in one and "nan" not in one.lower()
    assert "12,5" in one  # the point's tooltip in Indonesian notation
    flat = charts.line_chart([charts.Series("A", [0.0, 0.0])], ["a", "b"], "Nol", "")
    assert flat.count("<circle") == 2 and "nan" not in flat.lower()


def test_chart_lines_axes_and_escaping():
    svg = charts.line_chart(
        [charts.Series("Target", [None, 10000, 8500], dashed=True),
         charts.Series("Realisasi <&>", [13411, 12802, None])],
        ["2025", "2026", "2027"], title='ATS "Kutim" <b>', unit="anak")
    assert 'aria-label="ATS &quot;Kutim&quot; &lt;b&gt; (anak)"' in svg and "<b>" not in svg
    assert "Realisasi &lt;&amp;&gt;" in svg
    assert svg.count("<polyline") == 2 and 'stroke-dasharray="6 4"' in svg
    assert svg.count("<circle") == 4
    assert re.search(r">1[02]\.000<", svg)  # y ticks with Indonesian thousands separators
    assert "13.411" in svg  # the point's tooltip
    en = charts.line_chart([charts.Series("T", [13411, 1])], ["a", "b"], "t", "", locale="en")
    assert "13,411" in en


def test_y_scale_includes_zero_when_near_and_handles_negative():
    lo, hi, ticks = charts.y_scale([20, 100])
    assert lo == 0 and hi >= 100 and ticks[0] == 0
    lo, hi, ticks = charts.y_scale([9644, 13411])
    assert 0 < lo <= 9644 and hi >= 13411 and len(ticks) >= 3
    lo, hi, _ = charts.y_scale([-5, 5])
    assert lo <= -5 and hi >= 5


# Web: the full round trip as coordinator ------------------------------------------------

def indicator_form(world, **over):
    data = {"code": "I-20", "name": "Jumlah anak kembali bersekolah", "definition": "Anak ATS yang kembali ke sekolah",
            "unit": "anak", "direction": "naik", "baseline_value": "0", "baseline_year": "2025",
            "data_source": "Tim ATS Disdikbud", "action_ids": [str(world.a1.id), str(world.a3.id)]}
    data.update(over)
    return data


def test_create_edit_delete_indicator_with_history(as_user, world):
    client = as_user(COORD)
    assert client.get("/indicators/new").status_code == 200
    resp = client.post("/indicators/new", data=indicator_form(world))
    assert resp.status_code == 302
    ind = db.session.scalar(select(Indicator).where(Indicator.code == "I-20"))
    assert resp.headers["Location"].endswith(f"/indicators/{ind.id}")
    assert [a.code for a in ind.actions] == ["1.1.1", "1.1.3"]
    page = text_of(client.get(f"/indicators/{ind.id}"))
    assert "Riwayat perubahan" in page and "membuat" in page and "Koordinator" in page
    assert f'href="/actions/{world.a1.id}"' in page

    edit = client.get(f"/indicators/{ind.id}/edit")
    assert edit.status_code == 200 and 'value="I-20"' in text_of(edit)
    resp = client.post(f"/indicators/{ind.id}/edit", data=indicator_form(
        world, name="Jumlah ATS yang kembali bersekolah", baseline_value="12,5", action_ids=[str(world.a2.id)]))
    assert resp.status_code == 302
    db.session.expire_all()
    ind = db.session.get(Indicator, ind.id)
    assert ind.name == "Jumlah ATS yang kembali bersekolah" and ind.baseline_value == 12.5
    assert [a.code for a in ind.actions] == ["1.1.2"]
    page = text_of(client.get(f"/indicators/{ind.id}"))
    assert "mengubah" in page and "Jumlah ATS yang kembali bersekolah" in page and "12,5" in page

    resp = client.post(f"/indicators/{ind.id}/delete")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/indicators")
    assert client.get(f"/indicators/{ind.id}").status_code == 404
    assert client.get(f"/indicators/{ind.id}/edit").status_code == 404
    db.session.expire_all()
    assert db.session.get(Indicator, ind.id).deleted_at == NOW
    ops = db.session.scalars(select(AuditEntry.operation).where(AuditEntry.entity_type == "indicator",
                                                                AuditEntry.entity_id == str(ind.id))).all()
    assert sorted(ops) == ["create", "delete", "update"]
    assert "I-20" not in text_of(client.get("/indicators"))


def test_targets_and_values_through_the_web(as_user, world, ind):
    client = as_user(COORD)
    assert client.get(f"/indicators/{ind.id}/targets/new").status_code == 200
    resp = client.post(f"/indicators/{ind.id}/targets/new",
                       data={"target-year": "2026", "target-quarter": "4", "target-value": "9.800"})
    assert resp.status_code == 302
    t = db.session.scalar(select(IndicatorTarget).where(IndicatorTarget.quarter == 4))
    assert t.value == 9800
    # The same period again replaces the target.
    client.post(f"/indicators/{ind.id}/targets/new",
                data={"target-year": "2026", "target-quarter": "4", "target-value": "9.700"})
    db.session.expire_all()
    assert db.session.get(IndicatorTarget, t.id).value == 9700

    assert client.get(f"/indicators/{ind.id}/values/new").status_code == 200
    resp = client.post(f"/indicators/{ind.id}/values/new", data={
        "value-year": "2026", "value-quarter": "4", "value-value": "10.539", "value-source": "Pusdatin 21 Nov",
        "value-note": "4.982 masih diverifikasi"})
    assert resp.status_code == 302
    v = db.session.scalar(select(IndicatorValue).where(IndicatorValue.quarter == 4))
    assert (v.value, v.entered_by_id, v.entered_at) == (10539, world.coordinator.id, NOW)
    page = text_of(client.get(f"/indicators/{ind.id}"))
    assert "10.539" in page and "Pusdatin 21 Nov" in page and "4.982 masih diverifikasi" in page
    assert "TW IV 2026" in page and "membuat nilai indikator" in page

    # A second value for the period is refused with a pointer to editing.
    resp = client.post(f"/indicators/{ind.id}/values/new",
                       data={"value-year": "2026", "value-quarter": "4", "value-value": "1"})
    assert resp.status_code == 200 and "Periode ini sudah memiliki nilai" in text_of(resp)
    edit = client.get(f"/values/{v.id}/edit")
    assert edit.status_code == 200 and 'value="10.539"' in text_of(edit)
    resp = client.post(f"/values/{v.id}/edit", data={"value-year": "2026", "value-quarter": "4",
                                                     "value-value": "10.546", "value-source": "Pusdatin"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(IndicatorValue, v.id).value == 10546

    assert client.post(f"/values/{v.id}/delete").status_code == 302
    assert client.post(f"/targets/{t.id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(IndicatorValue, v.id) is None and db.session.get(IndicatorTarget, t.id) is None
    page = text_of(client.get(f"/indicators/{ind.id}"))
    assert "menghapus nilai indikator" in page and "menghapus target indikator" in page


def history_of(page: str) -> str:
    return re.search(r'<section class="history">(.*?)</section>', page, re.S).group(1)


def test_history_shows_values_and_people_as_read(as_user, world, ind):
    """Issue 20: the history printed "Nilai 12802.0 → 10241.0" and "Diisi oleh 2"."""
    value = next(v for v in ind.values if v.quarter == 2)
    client = as_user("admin@example.org")
    resp = client.post(f"/values/{value.id}/edit", data={"value-year": "2026", "value-quarter": "2",
                                                         "value-value": "10.241,5", "value-source": "Pusdatin"})
    assert resp.status_code == 302
    history = history_of(text_of(client.get(f"/indicators/{ind.id}")))
    assert "12802" not in history and ".0<" not in history
    assert re.search(r"<td>Nilai</td><td>12\.802</td><td>10\.241,5</td>", history)
    assert re.search(r"<td>Diisi oleh</td><td>Koordinator</td><td>Admin</td>", history)
    # The values as first entered: the year stays a year, the person is named.
    assert re.search(r"<dt>Tahun</dt><dd>2026</dd>", history)
    assert re.search(r"<dt>Nilai</dt><dd>9\.644,5</dd>", history)
    assert re.search(r"<dt>Diisi oleh</dt><dd>Koordinator</dd>", history)
    assert re.search(r"<dt>Diisi pada</dt><dd>27 November 2026 10\.00 WITA</dd>", history)

    world.admin.locale = "en"
    db.session.commit()
    history = history_of(text_of(as_user("admin@example.org").get(f"/indicators/{ind.id}")))
    assert re.search(r"<td>Value</td><td>12,802</td><td>10,241.5</td>", history)
    assert re.search(r"<td>Entered by</td><td>Koordinator</td><td>Admin</td>", history)


def test_history_money_and_closing_user_read_as_money_and_names(app_ctx, world):
    from coordinator.core.history_view import readable_history
    from coordinator.models import AuditEntry as Entry

    entries = [Entry(at=NOW, operation="update", entity_type="monthly_snapshot", entity_id="1",
                     before={"closed_by_id": None, "budget_realised": 1250000, "reopened_by_id": world.admin.id},
                     after={"closed_by_id": world.coordinator.id, "budget_realised": 2500000.0,
                            "reopened_by_id": None})]
    with app_ctx.test_request_context():
        changes = {c.field: (c.before, c.after) for c in readable_history(entries)[0].changes}
    assert changes == {"Ditutup oleh": ("–", "Koordinator"), "Realisasi anggaran": ("Rp 1.250.000", "Rp 2.500.000"),
                       "Dibuka kembali oleh": ("Admin", "–")}


def test_detail_chart_and_table_formatting(as_user, world, ind):
    client = as_user(LEADER)
    page = text_of(client.get(f"/indicators/{ind.id}"))
    figure = re.search(r'<figure class="chart">(.*?)</figure>', page, re.S).group(1)
    assert "<svg" in figure and 'role="img"' in figure and "&lt;svg" not in figure
    target_group = re.search(r'<g class="series-target".*?</g>', figure, re.S).group(0)
    actual_group = re.search(r'<g class="series-actual".*?</g>', figure, re.S).group(0)
    assert {"10000", "8500", "12000"} <= set(re.findall(r'data-value="([^"]+)"', target_group))
    assert set(re.findall(r'data-value="([^"]+)"', actual_group)) == {"13411", "12802", "9644.5"}
    assert "stroke-dasharray" in target_group and "stroke-dasharray" not in actual_group
    table = re.search(r'<table class="responsive" id="indicator-periods">(.*?)</table>', page, re.S).group(1)
    assert "13.411" in table and "12.802" in table and "9.644,5" in table and "10.000" in table
    assert "tahunan: 10.000" in table  # TW III judged against the whole-year target
    assert "Sesuai target" in table and "Belum sesuai target" in table
    assert "Pusdatin Mar 2025" in table and "setelah verval" in table
    # A leader sees no write controls.
    assert "/values/new" not in page and "/targets/new" not in page and "/delete" not in page


def test_list_shows_latest_target_and_light(as_user, world, ind):
    make_indicator(world, code="I-3", direction="naik", baseline=None)
    db.session.commit()
    page = text_of(as_user(FOCAL).get("/indicators"))
    assert page.index(">I-1<") < page.index(">I-3<")
    row = re.search(r"<tr>\s*<td[^>]*><a[^>]*>I-1</a>.*?</tr>", page, re.S).group(0)
    assert "9.644,5" in row and "TW III 2026" in row and "10.000" in row and "light-on_track" in row
    assert "13.411" in row and "Turun" in row
    row3 = re.search(r"<tr>\s*<td[^>]*><a[^>]*>I-3</a>.*?</tr>", page, re.S).group(0)
    assert "light-no_data" in row3 and "Belum ada data" in row3
    assert "Tambah indikator" not in page


def test_exports(as_user, world, ind):
    client = as_user(LEADER)
    resp = client.get("/indicators?export=xlsx")
    assert resp.status_code == 200 and "spreadsheetml" in resp.mimetype
    assert "attachment" in resp.headers["Content-Disposition"]
    ws = load_workbook(io.BytesIO(resp.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("Kode", "Indikator", "Definisi") and "Target 2026" in rows[0]
    assert len(rows) == 2
    assert rows[1][0] == "I-1" and rows[1][5] == 13411 and rows[1][7] == 9644.5 and rows[1][9] == 10000
    assert rows[1][10] == "Sesuai target" and rows[1][12] == "1.1.1, 1.1.2"

    resp = client.get("/indicators?export=csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    body = resp.data.decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert parsed[0][:4] == ["Kode", "Indikator", "Definisi", "Satuan"]
    assert parsed[1][0] == "I-1" and parsed[1][5] == "13411" and parsed[1][7] == "9644,5"


# Web: permissions, missing ids, bad input ------------------------------------------------

def write_routes(ind, target_id, value_id):
    """(method, url, form data) for every route that changes something."""
    return [
        ("GET", "/indicators/new", None), ("POST", "/indicators/new", {}),
        ("GET", f"/indicators/{ind}/edit", None), ("POST", f"/indicators/{ind}/edit", {}),
        ("POST", f"/indicators/{ind}/delete", {}),
        ("GET", f"/indicators/{ind}/targets/new", None), ("POST", f"/indicators/{ind}/targets/new", {}),
        ("POST", f"/targets/{target_id}/delete", {}),
        ("GET", f"/indicators/{ind}/values/new", None), ("POST", f"/indicators/{ind}/values/new", {}),
        ("GET", f"/values/{value_id}/edit", None), ("POST", f"/values/{value_id}/edit", {}),
        ("POST", f"/values/{value_id}/delete", {}),
    ]


def call(client, method, url, data):
    return client.get(url) if method == "GET" else client.post(url, data=data)


@pytest.mark.parametrize("email", [LEADER, FOCAL])
def test_leader_and_focal_read_but_may_not_write(as_user, world, ind, email):
    client = as_user(email)
    for url in ("/indicators", f"/indicators/{ind.id}", "/indicators?export=csv", "/indicators?export=xlsx"):
        assert client.get(url).status_code == 200, url
    audit_before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    for method, url, data in write_routes(ind.id, ind.targets[0].id, ind.values[0].id):
        assert call(client, method, url, data).status_code == 403, (method, url)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audit_before
    assert db.session.get(Indicator, ind.id).deleted_at is None


def test_anonymous_is_sent_to_login(client, world, ind):
    reads = [("GET", "/indicators", None), ("GET", f"/indicators/{ind.id}", None),
             ("GET", "/indicators?export=csv", None)]
    for method, url, data in reads + write_routes(ind.id, ind.targets[0].id, ind.values[0].id):
        resp = call(client, method, url, data)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"], (method, url)


def test_unknown_and_deleted_ids_give_404(as_user, world, ind):
    client = as_user(COORD)
    missing = [("GET", "/indicators/999", None)] + write_routes(999, 999, 999)[2:]
    for method, url, data in missing:
        assert call(client, method, url, data).status_code == 404, (method, url)
    target_id, value_id = ind.targets[0].id, ind.values[0].id
    ind.deleted_at = NOW
    db.session.commit()
    for method, url, data in [("GET", f"/indicators/{ind.id}", None)] + write_routes(ind.id, target_id,
                                                                                     value_id)[2:]:
        assert call(client, method, url, data).status_code == 404, (method, url)


def count_rows() -> tuple[int, int, int, int]:
    return tuple(db.session.scalar(select(func.count()).select_from(m))
                 for m in (Indicator, IndicatorTarget, IndicatorValue, AuditEntry))


def test_bad_input_rerenders_in_indonesian_and_changes_nothing(as_user, world, ind):
    client = as_user(COORD)
    before = count_rows()
    cases = [
        ("/indicators/new", indicator_form(world, name=""), "Wajib diisi."),
        ("/indicators/new", indicator_form(world, direction="atas"), "Pilihan tidak sah."),
        ("/indicators/new", indicator_form(world, baseline_value="abc"), "Tulis angka dengan koma"),
        ("/indicators/new", indicator_form(world, baseline_year="1800"), "Harus antara 2000 dan 2100."),
        ("/indicators/new", indicator_form(world, code="i-1"), "Kode indikator sudah dipakai"),
        ("/indicators/new", indicator_form(world, action_ids=["99999"]), "bukan pilihan yang sah"),
        (f"/indicators/{ind.id}/edit", indicator_form(world, unit=""), "Wajib diisi."),
        (f"/indicators/{ind.id}/targets/new", {"target-year": "2026", "target-value": "abc"}, "Tulis angka"),
        (f"/indicators/{ind.id}/targets/new", {"target-year": "2026", "target-quarter": "7", "target-value": "1"},
         "Pilihan tidak sah."),
        (f"/indicators/{ind.id}/targets/new", {"target-year": "1800", "target-value": "1"},
         "Harus antara 2000 dan 2100."),
        (f"/indicators/{ind.id}/targets/new", {"target-year": "", "target-value": ""}, "Wajib diisi."),
        (f"/indicators/{ind.id}/values/new", {"value-year": "2026", "value-value": "abc"}, "Tulis angka"),
        (f"/indicators/{ind.id}/values/new", {"value-year": "2026", "value-quarter": "7", "value-value": "1"},
         "Pilihan tidak sah."),
        (f"/indicators/{ind.id}/values/new", {"value-year": "1800", "value-value": "1"}, "Harus antara 2000"),
        (f"/indicators/{ind.id}/values/new", {"value-year": "dua ribu", "value-value": "1"},
         "Bukan bilangan bulat yang sah."),
        (f"/indicators/{ind.id}/values/new", {"value-year": "2026", "value-quarter": "x", "value-value": "1"},
         "Pilihan tidak sah."),
        (f"/values/{ind.values[0].id}/edit", {"value-year": "2026", "value-quarter": "2", "value-value": "5"},
         "Periode ini sudah memiliki nilai"),
        (f"/values/{ind.values[0].id}/edit", {"value-year": "2026", "value-value": "1" * 40}, "Tulis angka"),
    ]
    for url, data, message in cases:
        resp = client.post(url, data=data)
        page = text_of(resp)
        assert resp.status_code == 200, (url, data)
        assert message in page, (url, data, re.findall(r'<ul class="errors".*?</ul>', page, re.S))
        assert "Periksa kembali isian yang ditandai." in page
    db.session.expire_all()
    assert count_rows() == before
    assert db.session.get(IndicatorValue, ind.values[0].id).value == 13411


def test_saving_unchanged_indicator_records_no_change(as_user, world, ind):
    client = as_user(COORD)
    form = indicator_form(world, code="I-1", name=ind.name, definition=ind.definition, unit="anak",
                          direction="turun", baseline_value="13.411", data_source="Pusdatin",
                          action_ids=[str(world.a1.id), str(world.a2.id)])
    assert client.post(f"/indicators/{ind.id}/edit", data=form).status_code == 302
    before = count_rows()
    assert client.post(f"/indicators/{ind.id}/edit", data=form).status_code == 302
    assert count_rows() == before


def test_odd_input_never_breaks_a_page(as_user, world, ind):
    client = as_user(COORD)
    resp = client.post("/indicators/new", data=indicator_form(world, code="I-²", baseline_value="9" * 20))
    assert resp.status_code == 200 and "Angka tidak sah." in text_of(resp)
    resp = client.post("/indicators/new", data=indicator_form(world, code="I-²", action_ids=["abc"]))
    assert resp.status_code == 200 and "Pilihan tidak sah." in text_of(resp)
    assert client.post("/indicators/new", data=indicator_form(world, code="I-²")).status_code == 302
    assert client.get("/indicators").status_code == 200
    resp = client.post(f"/indicators/{ind.id}/values/new",
                       data={"value-year": "99999999999999999999", "value-value": "1"})
    assert resp.status_code == 200 and "Harus antara 2000 dan 2100." in text_of(resp)
    assert client.get("/indicators?export=pdf").status_code == 200
    assert client.get("/indicators/abc").status_code == 404


def test_forms_carry_csrf_tokens(as_user, world, ind, app_ctx):
    client = as_user(COORD)
    app_ctx.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(f"/indicators/{ind.id}/targets/new",
                           data={"target-year": "2028", "target-value": "6706"}).status_code == 400
        page = text_of(client.get(f"/indicators/{ind.id}"))
        token = re.search(r'name="target-csrf_token"[^>]*value="([^"]+)"', page).group(1)
        resp = client.post(f"/indicators/{ind.id}/targets/new",
                           data={"target-csrf_token": token, "target-year": "2028", "target-value": "6706"})
        assert resp.status_code == 302
        delete_tokens = re.findall(r'action="/(?:values|targets)/\d+/delete".*?name="csrf_token" value="([^"]+)"',
                                   page, re.S)
        assert delete_tokens and all(delete_tokens)
    finally:
        app_ctx.config["WTF_CSRF_ENABLED"] = False


def test_english_user_sees_english_number_format(client, world, ind):
    world.leader.locale = "en"
    db.session.commit()
    from tests.conftest import login
    login(client, LEADER)
    page = text_of(client.get(f"/indicators/{ind.id}"))
    assert "13,411" in page and "9,644.5" in page


def test_indicator_can_follow_the_ats_snapshots(world, as_user):
    from datetime import date as _date

    from coordinator.models import AtsFigure, AtsSnapshot, IndicatorValue

    snapshot = AtsSnapshot(as_of=_date(2026, 9, 30), source="Pusdatin", created_at=datetime(2026, 10, 1))
    db.session.add(snapshot)
    db.session.flush()
    db.session.add_all([AtsFigure(snapshot_id=snapshot.id, kind="area", area_kode="64.08.04", category=c, detail="",
                                  count=n) for c, n in (("BPB", 700), ("DO", 200), ("LTM", 100))])
    db.session.commit()
    client = as_user("koordinator@example.org")
    form = {"code": "I-9", "name": "ATS Sangatta Utara", "unit": "anak", "direction": "turun",
            "ats_metric": "total", "ats_area_kode": "64.08.04"}
    assert client.post("/indicators/new", data=form).status_code == 302
    ind = db.session.scalar(select(Indicator).where(Indicator.code == "I-9"))
    value = db.session.scalar(select(IndicatorValue).where(IndicatorValue.indicator_id == ind.id))
    assert (value.year, value.quarter, value.value) == (2026, 3, 1000)
    bad = client.post("/indicators/new", data=dict(form, code="I-10", ats_metric="pct_baseline"))
    assert bad.status_code == 200 and "memerlukan nilai baseline" in bad.get_data(as_text=True)
    bad = client.post("/indicators/new", data=dict(form, code="I-10", ats_metric="", ats_area_kode="64.08.04"))
    assert bad.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Indicator).where(Indicator.code == "I-10")) == 0
