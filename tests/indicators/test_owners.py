"""An indicator's owner agency enters its values; the coordinator reviews them before they count; a missing value
reminds the owner agency as well as the coordinators."""
from datetime import date, datetime

from sqlalchemy import select

from coordinator.extensions import db
from coordinator.indicators import tracking
from coordinator.models import KIND_MISSING_INDICATOR, Indicator, IndicatorValue, Notification
from coordinator.reports.facts import collect_facts
from tests.reminders.test_reminders import due


def _owned(world, frequency="triwulanan") -> Indicator:
    indicator = Indicator(plan=world.plan, code="I-9", name="Dispensasi perkawinan anak", unit="kasus",
                          direction="turun", baseline_value=180, baseline_year=2025, owner_agency=world.dinsos,
                          frequency=frequency)
    db.session.add(indicator)
    db.session.commit()
    return indicator


def _value(indicator_id: int) -> IndicatorValue:
    db.session.expire_all()
    return db.session.scalar(select(IndicatorValue).where(IndicatorValue.indicator_id == indicator_id))


def test_the_owner_enters_a_value_that_counts_once_the_coordinator_accepts_it(world, as_user, app_ctx):
    indicator = _owned(world)
    form = {"value-year": "2026", "value-quarter": "3", "value-value": "150", "value-source": "Pengadilan Agama"}
    assert as_user("dpppa@example.org").post(f"/indicators/{indicator.id}/values/new", data=form).status_code == 403
    focal = as_user("dinsos@example.org")
    assert "my-indicators" in focal.get("/actions/mine").get_data(as_text=True)
    resp = focal.post(f"/indicators/{indicator.id}/values/new", data=form)
    assert resp.status_code == 302
    assert "dihitung setelah diterima koordinator" in focal.get(resp.headers["Location"]).get_data(as_text=True)
    row = _value(indicator.id)
    assert row.review_status == "diajukan" and row.entered_by_id == world.focal.id
    # Not a figure yet: neither the indicator's own table nor the month's report count it.
    db.session.expire_all()
    assert db.session.get(Indicator, indicator.id).values == []
    facts = collect_facts(db.session, date(2026, 11, 1), datetime(2026, 11, 27, 2))
    assert not [v for i in facts["indicators"] if i["id"] == indicator.id for v in i["values"]]

    coordinator = as_user("koordinator@example.org")
    assert "Dispensasi perkawinan anak" in coordinator.get("/reviews").get_data(as_text=True)
    coordinator.post(f"/values/{row.id}/return", data={"comment": ""})  # a comment is required
    assert _value(indicator.id).review_status == "diajukan"
    coordinator.post(f"/values/{row.id}/return", data={"comment": "Lampirkan sumber: putusan PA Sangatta"})
    assert _value(indicator.id).review_status == "dikembalikan"
    [bell] = db.session.scalars(select(Notification).where(Notification.user_id == world.focal.id)).all()
    assert "Lampirkan sumber" in bell.title and bell.url.endswith(f"#nilai-{row.id}")

    focal = as_user("dinsos@example.org")
    assert focal.post(f"/values/{row.id}/edit", data={**form, "value-value": "148"}).status_code == 302
    assert _value(indicator.id).review_status == "diajukan"  # corrected: waits again
    coordinator = as_user("koordinator@example.org")
    coordinator.post(f"/values/{row.id}/accept", data={"comment": ""})
    accepted = _value(indicator.id)
    assert accepted.review_status == "diterima" and accepted.value == 148
    db.session.expire_all()
    assert [v.value for v in db.session.get(Indicator, indicator.id).values] == [148]
    # Accepted, it is the coordinator's to change: the owner may no longer edit it, and a second accept is told.
    assert as_user("dinsos@example.org").get(f"/values/{row.id}/edit").status_code == 403
    page = as_user("koordinator@example.org").post(f"/values/{row.id}/accept", follow_redirects=True)
    assert "sudah ditinjau" in page.get_data(as_text=True)


def test_a_missing_value_reminds_the_owner_agency_and_a_returned_one_still_counts_as_missing(world, app_ctx):
    indicator = _owned(world)
    key = f"indicator:{indicator.id}"
    reminders = {(r[0], r[1]) for r in due(world, date(2026, 11, 27)) if r[2] == key}
    assert reminders == {("dinsos@example.org", KIND_MISSING_INDICATOR), ("koordinator@example.org",
                                                                          KIND_MISSING_INDICATOR),
                         ("admin@example.org", KIND_MISSING_INDICATOR)}
    row = tracking.record_value(db.session, indicator, 2026, 3, 150, None, None, world.focal.id,
                                datetime(2026, 11, 20), review_status="diajukan")
    db.session.commit()
    assert not [r for r in due(world, date(2026, 11, 27)) if r[2] == key]  # entered, waiting: the agency did its part
    row.review_status = "dikembalikan"
    db.session.commit()
    assert [r for r in due(world, date(2026, 11, 27)) if r[2] == key]
    # A yearly indicator asks for last year's value only.
    yearly = Indicator(plan=world.plan, code="I-10", name="Beasiswa", unit="anak", direction="naik",
                       owner_agency=world.dinsos, frequency="tahunan")
    db.session.add(yearly)
    db.session.commit()
    [stage] = {r[3] for r in due(world, date(2026, 11, 27)) if r[2] == f"indicator:{yearly.id}"}
    assert stage == "2025"
