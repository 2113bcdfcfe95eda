"""The indicator fed by SITISEK's own data (figures/indicator_feed.py): children back in school, distinct, cumulative,
one value per quarter, counted by the same definition as the area pages, the monthly report and
`flask report figures`, and fresh the moment a report or a child's outcome changes it."""
from __future__ import annotations

import json
import re
from datetime import date, datetime

from sqlalchemy import func, select

from coordinator.ats.indicators import refresh_snapshot_indicators
from coordinator.extensions import db
from coordinator.figures.indicator_feed import RETURNED_METRIC, refresh_returned_indicators
from coordinator.figures.live import children_as_of, children_in_areas
from coordinator.indicators.tracking import record_value
from coordinator.models import Area, ChildCase, Indicator, IndicatorValue, ProgressOutcome, ProgressUpdate
from coordinator.reports.facts import close_month, collect_facts
from coordinator.reports.model import build_report
from tests.ats.test_outcomes import ROW_SEPASO, ROW_TELUK, _post, _target_desa
from tests.conftest import login
from tests.verval.verval_data import make_child

NOW = datetime(2026, 11, 27, 2, 0)  # tests' FIXED_NOW: 27 November 2026, 10:00 WITA
TELUK, SEPASO = "64.08.04.1001", "64.08.05.2001"
PLAN_QUARTERS = [(2025, 1), (2025, 2), (2025, 3), (2025, 4), (2026, 1), (2026, 2), (2026, 3), (2026, 4)]


def _indicator(world, code: str = "I-6", area: str | None = None) -> Indicator:
    ind = Indicator(plan=world.plan, code=code, name="Anak kembali bersekolah", unit="anak", direction="naik",
                    baseline_value=0, baseline_year=2025, ats_metric=RETURNED_METRIC, ats_area_kode=area)
    db.session.add(ind)
    db.session.flush()
    return ind


def _values(ind: Indicator) -> dict[tuple[int, int | None], float]:
    return {(v.year, v.quarter): v.value
            for v in db.session.scalars(select(IndicatorValue).where(IndicatorValue.indicator_id == ind.id))}


def _row(ind: Indicator, year: int, quarter: int | None) -> IndicatorValue:
    q = IndicatorValue.quarter.is_(None) if quarter is None else IndicatorValue.quarter == quarter
    return db.session.scalars(select(IndicatorValue).where(
        IndicatorValue.indicator_id == ind.id, IndicatorValue.year == year, q)).one()


def _report(world, action, agency, period: date, returned: dict[str, int], author=None) -> ProgressUpdate:
    """A progress report with children returned per desa (all formal), made on the 20th of its month."""
    update = ProgressUpdate(action=action, agency=agency, author=author or world.focal, period=period,
                            percent_complete=50, achievements="Pendampingan",
                            created_at=datetime(period.year, period.month, 20, 2, 0))
    db.session.add(update)
    for kode, n in returned.items():
        update.outcomes.append(ProgressOutcome(area_kode=kode, reached=n + 2, returned_formal=n))
    db.session.flush()
    return update


def _sepaso() -> None:
    db.session.add(Area(kode=SEPASO, nama="Sepaso", level="desa", jenis="desa", parent_kode="64.08.05"))
    db.session.flush()


def _cli_figures(app, *args: str) -> dict:
    result = app.test_cli_runner().invoke(args=["report", "figures", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_a_progress_report_with_outcomes_changes_the_value_at_once(world, as_user, app_ctx):
    _target_desa(world)
    ind = _indicator(world)
    refresh_returned_indicators(db.session, NOW)
    db.session.commit()
    assert _values(ind) == {q: 0.0 for q in PLAN_QUARTERS}  # from the plan's start year to the running quarter

    client = as_user("dinsos@example.org")
    assert _post(client, f"/actions/{world.a1.id}/progress/new", [ROW_TELUK, ROW_SEPASO]).status_code == 302
    db.session.expire_all()
    assert _row(ind, 2026, 4).value == 0.0  # under review: not counted yet
    update = db.session.scalar(select(ProgressUpdate))
    assert as_user("koordinator@example.org").post(f"/reviews/{update.id}/accept", data={}).status_code == 302
    db.session.expire_all()
    running = _row(ind, 2026, 4)
    assert running.value == 13.0  # 6+3+1 in Teluk Lingga, 2+1 in Sepaso: accepted, no refresh run needed
    assert running.source == "Data SITISEK (anak kembali, per 27/11/2026)" and running.entered_by_id is None
    figures = _cli_figures(app_ctx, "--period", "2026-11")
    assert running.value == figures["children_returned"]["distinct_total"] == \
        children_as_of(db.session, None, date(2026, 11, 27)).distinct_total

    # A correction replaces the report's rows: the value follows when it is accepted, in the same request.
    client = as_user("dinsos@example.org")
    data = {"period": "2026-11", "percent_complete": "40", "achievements": "Kunjungan keluarga", "obstacles": "",
            "follow_up": "", "reason": "Sepaso dilaporkan dua kali"}
    data.update({f"outcome-0-{k}": v for k, v in ROW_TELUK.items()})
    resp = client.post(f"/progress/{update.id}/correct", data=data, content_type="multipart/form-data")
    assert resp.status_code == 302, resp.get_data(as_text=True)
    db.session.expire_all()
    assert _row(ind, 2026, 4).value == 13.0  # the accepted report stands while its correction is reviewed
    correction = db.session.scalar(select(ProgressUpdate).where(ProgressUpdate.superseded_at.is_(None)))
    assert as_user("koordinator@example.org").post(f"/reviews/{correction.id}/accept", data={}).status_code == 302
    db.session.expire_all()
    assert _row(ind, 2026, 4).value == 10.0
    assert _values(ind)[(2026, 3)] == 0.0  # a November report is not September's


def test_a_child_returned_through_two_actions_counts_once(world, client, app_ctx):
    _sepaso()
    child = make_child(app_ctx, "Budi Santoso", TELUK, status="ats_valid")
    cases = [ChildCase(child_id=child.id, action_id=a.id, outcome="belum", created_at=NOW, updated_at=NOW)
             for a in (world.a1, world.a2)]
    db.session.add_all(cases)
    ind = _indicator(world)
    refresh_returned_indicators(db.session, NOW)
    db.session.commit()
    assert login(client, "dinsos@example.org").status_code == 302  # leads a1, supports a2: records both outcomes
    first = client.post(f"/verval/kasus/{cases[0].id}", data={"outcome": "formal", "outcome_date": "2026-11-10",
                                                               "school_npsn": "30405060"})
    assert first.status_code == 302
    db.session.expire_all()
    assert _row(ind, 2026, 4).value == 1.0
    second = client.post(f"/verval/kasus/{cases[1].id}", data={"outcome": "paket", "outcome_date": "2026-11-12",
                                                                "institution": "PKBM Harapan Bangsa"})
    assert second.status_code == 302
    db.session.expire_all()
    assert _row(ind, 2026, 4).value == 1.0  # the same child, whichever action followed it

    # Both agencies also report that child in their aggregates: still one child.
    _report(world, world.a1, world.dinsos, date(2026, 11, 1), {TELUK: 1})
    _report(world, world.a2, world.disdik, date(2026, 11, 1), {TELUK: 1}, author=world.coordinator)
    refresh_returned_indicators(db.session, NOW)
    assert _row(ind, 2026, 4).value == 1.0
    # A second child reported by a2 in aggregate only is one more.
    _report(world, world.a2, world.disdik, date(2026, 10, 1), {TELUK: 1}, author=world.coordinator)
    refresh_returned_indicators(db.session, NOW)
    assert _row(ind, 2026, 4).value == 2.0 == children_as_of(db.session, None, date(2026, 11, 27)).distinct_total
    db.session.commit()
    assert _cli_figures(app_ctx, "--period", "2026-11")["children_returned"]["distinct_total"] == 2

    # Undoing the outcomes takes the child off the count at once: the agencies' aggregates then stand on their
    # own (a1's one, a2's two), as the definition says.
    for case in cases:
        assert client.post(f"/verval/kasus/{case.id}", data={"outcome": "belum"}).status_code == 302
    db.session.expire_all()
    assert _row(ind, 2026, 4).value == 3.0 == children_as_of(db.session, None, date(2026, 11, 27)).distinct_total


def test_a_past_quarter_keeps_its_value_as_of_its_last_day(world, app_ctx):
    child = make_child(app_ctx, "Citra Lestari", TELUK, status="ats_valid")
    other = make_child(app_ctx, "Dewi Anggraini", TELUK, serial=2, status="ats_valid")
    db.session.add_all([
        ChildCase(child_id=child.id, action_id=world.a2.id, outcome="formal", outcome_date=date(2026, 9, 20),
                  created_at=NOW, updated_at=NOW),
        ChildCase(child_id=other.id, action_id=world.a2.id, outcome="lkp", outcome_date=date(2026, 10, 5),
                  created_at=NOW, updated_at=NOW)])
    _report(world, world.a1, world.dinsos, date(2026, 9, 1), {TELUK: 4})
    _report(world, world.a1, world.dinsos, date(2026, 11, 1), {TELUK: 3})
    ind = _indicator(world)
    refresh_returned_indicators(db.session, NOW)
    assert _values(ind)[(2026, 3)] == 5.0  # Citra plus September's 4, not Dewi (October) nor November's 3
    assert _values(ind)[(2026, 4)] == 9.0
    assert _row(ind, 2026, 3).source == "Data SITISEK (anak kembali, per 30/09/2026)"
    assert _row(ind, 2026, 4).source == "Data SITISEK (anak kembali, per 27/11/2026)"

    # Later reports change the running quarter only.
    _report(world, world.a1, world.dinsos, date(2026, 10, 1), {TELUK: 2})
    result = refresh_returned_indicators(db.session, NOW)
    assert (result.updated, result.created, result.removed) == (1, 0, 0)
    assert _values(ind)[(2026, 3)] == 5.0 and _values(ind)[(2026, 4)] == 11.0

    # A new quarter: the one that ended takes its last day's figure and source; the new one starts from it.
    january = datetime(2027, 1, 5, 2, 0)
    refresh_returned_indicators(db.session, january)
    assert _values(ind)[(2026, 4)] == 11.0 and _values(ind)[(2027, 1)] == 11.0
    assert _row(ind, 2026, 4).source == "Data SITISEK (anak kembali, per 31/12/2026)"
    assert _row(ind, 2027, 1).source == "Data SITISEK (anak kembali, per 05/01/2027)"
    assert _values(ind)[(2026, 3)] == 5.0


def test_an_area_indicator_counts_its_kecamatan_and_its_desa(world):
    _sepaso()
    _report(world, world.a1, world.dinsos, date(2026, 10, 1), {TELUK: 4, SEPASO: 2})
    regency, kec, desa = _indicator(world, "I-6"), _indicator(world, "I-6a", "64.08.04"), \
        _indicator(world, "I-6b", SEPASO)
    other_kec = _indicator(world, "I-6c", "64.08.05")
    refresh_returned_indicators(db.session, NOW)
    assert [_values(i)[(2026, 4)] for i in (regency, kec, desa, other_kec)] == [6.0, 4.0, 2.0, 2.0]
    assert _values(kec)[(2026, 4)] == children_in_areas(db.session, {"64.08.04", TELUK}, NOW).distinct_total


def test_hand_entered_values_are_handled_as_for_the_ats_feed(world):
    ind = _indicator(world)
    _report(world, world.a1, world.dinsos, date(2026, 11, 1), {TELUK: 3})
    by = world.coordinator.id
    record_value(db.session, ind, 2026, 4, 999, "Rekap Disdikbud", None, by, NOW)  # a quarter the feed covers
    record_value(db.session, ind, 2026, None, 500, "Rekap tahunan", None, by, NOW)  # a whole year
    record_value(db.session, ind, 2024, 4, 7, "Rekap lama", None, by, NOW)  # before the plan
    record_value(db.session, ind, 2027, 2, 42, "Perkiraan", None, by, NOW)  # not yet begun
    record_value(db.session, ind, 2024, 3, 9, "Data SITISEK (anak kembali, per 30/09/2024)", None, None, NOW)
    record_value(db.session, ind, 2024, 2, 8, "Pusdatin (snapshot 30/06/2024)", None, None, NOW)
    result = refresh_returned_indicators(db.session, NOW)
    assert (result.indicators, result.created, result.updated, result.removed) == (1, 7, 1, 2)
    values = _values(ind)
    assert values[(2026, 4)] == 3.0 and _row(ind, 2026, 4).entered_by_id is None  # the feed's figure wins
    assert _row(ind, 2026, 4).source == "Data SITISEK (anak kembali, per 27/11/2026)"
    assert (values[(2026, None)], values[(2024, 4)], values[(2027, 2)]) == (500, 7, 42)  # kept, as typed
    assert (2024, 3) not in values and (2024, 2) not in values  # a feed's values outside the range go
    assert len(values) == db.session.scalar(select(func.count()).select_from(IndicatorValue).where(
        IndicatorValue.indicator_id == ind.id))  # one value per period

    again = refresh_returned_indicators(db.session, NOW)
    assert (again.created, again.updated, again.removed) == (0, 0, 0)
    # The next day, nothing new: the running quarter is not rewritten (its source names the day it last changed).
    next_day = refresh_returned_indicators(db.session, datetime(2026, 11, 28, 2, 0))
    assert (next_day.created, next_day.updated, next_day.removed) == (0, 0, 0)
    assert _row(ind, 2026, 4).source == "Data SITISEK (anak kembali, per 27/11/2026)"
    assert refresh_snapshot_indicators(db.session, NOW).indicators == 0  # the ATS feed leaves it alone
    # Back to a hand-entered indicator: the values stay, the feed no longer touches them.
    ind.ats_metric = None
    _report(world, world.a1, world.dinsos, date(2026, 10, 1), {TELUK: 5})
    assert refresh_returned_indicators(db.session, NOW).indicators == 0 and _values(ind)[(2026, 4)] == 3.0


def test_the_indicator_form_offers_the_metric_and_fills_the_values(world, as_user):
    _report(world, world.a1, world.dinsos, date(2026, 11, 1), {TELUK: 3})
    db.session.commit()
    client = as_user("koordinator@example.org")
    page = client.get("/indicators/new").get_data(as_text=True)
    assert '<option value="anak_kembali">Anak berbeda kembali bersekolah (data SITISEK)</option>' in page
    form = {"code": "I-6", "name": "Anak kembali bersekolah", "unit": "anak", "direction": "naik",
            "ats_metric": "anak_kembali", "ats_area_kode": "64.08.04"}
    assert client.post("/indicators/new", data=form).status_code == 302
    ind = db.session.scalar(select(Indicator).where(Indicator.code == "I-6"))
    assert ind.ats_metric == RETURNED_METRIC and _values(ind)[(2026, 4)] == 3.0


def test_a_months_report_takes_that_months_figure(world):
    _report(world, world.a1, world.dinsos, date(2026, 8, 1), {TELUK: 2})
    _report(world, world.a1, world.dinsos, date(2026, 10, 1), {TELUK: 3})
    _report(world, world.a1, world.dinsos, date(2026, 11, 1), {TELUK: 5})
    ind = _indicator(world)
    refresh_returned_indicators(db.session, NOW)
    assert _values(ind)[(2026, 4)] == 10.0  # stored: as of today

    def line(period: date):
        facts = collect_facts(db.session, period, NOW)
        values = next(i for i in facts["indicators"] if i["code"] == "I-6")["values"]
        report = build_report(facts)
        return values, next(i for i in report.indicators if i.code == "I-6"), report.children.distinct_total

    values, shown, headline = line(date(2026, 10, 1))
    assert [v[:3] for v in values if (v[0], v[1]) == (2026, 4)] == [[2026, 4, 5.0]]  # October's, not November's
    assert shown.actual == 5.0 == headline
    values, shown, headline = line(date(2026, 8, 1))  # Q3 in progress at August's end
    assert [v[:3] for v in values if (v[0], v[1]) == (2026, 3)] == [[2026, 3, 2.0]]
    assert shown.actual == 2.0 == headline
    values, shown, headline = line(date(2026, 9, 1))  # Q3 ends with September
    assert shown.actual == 2.0 == headline
    assert (shown.actual_period.year, shown.actual_period.quarter) == (2026, 3)
    # A closed month keeps its figure whatever is reported later.
    close_month(db.session, date(2026, 10, 1), NOW, None)
    _report(world, world.a1, world.dinsos, date(2026, 9, 1), {TELUK: 4}, author=world.coordinator)
    from coordinator.reports.archive import build_for

    built = build_for(db.session, date(2026, 10, 1), "kabupaten", "", NOW)
    assert next(i for i in built.report.indicators if i.code == "I-6").actual == 5.0


def test_the_demo_indicator_is_the_reports_figure(app_ctx, client):
    from coordinator.accounts import api_tokens
    from coordinator.models import User
    from tests.figures.test_consistency import in_pdf, number

    result = app_ctx.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    ind = db.session.scalar(select(Indicator).where(Indicator.code == "I-6"))
    assert ind.ats_metric == RETURNED_METRIC and {t.year: t.value for t in ind.targets} == \
        {2026: 3000, 2027: 4500, 2028: 6000}
    rows = sorted(ind.values, key=lambda v: (v.year, v.quarter or 0))
    assert [(v.year, v.quarter) for v in rows] == PLAN_QUARTERS
    assert all(v.entered_by_id is None and v.source.startswith("Data SITISEK (anak kembali") for v in rows)
    assert [v.value for v in rows] == sorted(v.value for v in rows)  # cumulative
    november = _cli_figures(app_ctx, "--period", "2026-11")["children_returned"]["distinct_total"]
    assert rows[-1].value == november > 0

    coordinator = db.session.scalar(select(User).where(User.email == "koordinator@example.org"))
    _token, secret = api_tokens.create_token(db.session, coordinator.id, "uji", None, None, NOW)
    db.session.commit()
    from coordinator.demo.content import DEMO_PASSWORD

    assert client.post("/login", data={"email": coordinator.email, "password": DEMO_PASSWORD}).status_code == 302
    listing = client.get("/indicators").get_data(as_text=True)
    row = listing[listing.index(f'/indicators/{ind.id}"'):].split("</tr>")[0]
    assert f"{november:,}".replace(",", ".") in row and "Belum ada data" not in row
    detail = client.get(f"/indicators/{ind.id}").get_data(as_text=True)
    assert "Data SITISEK (anak kembali, per 27/11/2026)" in detail
    api = client.get(f"/api/v1/indicators/{ind.id}", headers={"Authorization": f"Bearer {secret}"}).json
    assert api["ats_metric"] == RETURNED_METRIC and api["latest"]["value"] == november and api["status"] != "no_data"

    # The monthly report of a past month shows that month's figure for I-6, the same as its headline.
    october = _cli_figures(app_ctx, "--period", "2026-10")["children_returned"]["distinct_total"]
    assert 0 < october <= november
    text = in_pdf(app_ctx, "2026-10")
    m = re.search(r"I-6 Jumlah ATS yang kembali bersekolah anak (\S+) (\S+) ([\d.]+) TW IV 2026", text)
    assert m, text[text.index("I-6"):][:200]
    assert number(m.group(3)) == october
