"""Computed status and the deadline monitor, seen by a coordinator."""
from datetime import date, datetime

import pytest

from coordinator.actions.status import compute_status, status_of
from coordinator.extensions import db
from coordinator.models import Action, Agency, ProgressUpdate
from coordinator.monitor.deadlines import build_monitor

NOW = datetime(2026, 11, 27, 2, 0)
TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    "complete, start, due, open_dues, expected",
    [
        (False, date(2026, 1, 1), date(2026, 12, 31), [], "berjalan"),
        (False, date(2026, 12, 1), date(2027, 12, 31), [], "belum_mulai"),
        (False, date(2026, 1, 1), date(2026, 11, 26), [], "terlambat"),
        (False, date(2026, 1, 1), date(2026, 12, 31), [date(2026, 11, 26)], "terlambat"),
        (True, date(2026, 1, 1), date(2026, 10, 1), [], "selesai"),
        # marked complete but a milestone is still open and overdue: not done, late
        (True, date(2026, 1, 1), date(2026, 12, 31), [date(2026, 11, 1)], "terlambat"),
        # due today is not late yet
        (False, date(2026, 1, 1), TODAY, [TODAY], "berjalan"),
    ],
)
def test_compute_status(complete, start, due, open_dues, expected):
    assert compute_status(complete, start, due, open_dues, TODAY) == expected


def test_monitor_counts_and_groups(world):
    m = build_monitor(db.session, NOW)
    assert m.today == TODAY
    assert [(i.kind, i.code) for i in m.overdue] == [("action", "1.1.2"), ("milestone", "1.1.3")]
    assert [(i.kind, i.milestone_title) for i in m.due_7] == [("milestone", "Pelaksanaan")]
    assert m.due_7[0].days == 4
    assert m.due_30 == []
    assert {f.code for f in m.not_updated} == {"1.1.1", "1.1.2", "1.1.3"}
    assert m.by_agency[world.dpppa.id].overdue == 1
    assert m.by_pillar[world.pillar.id].overdue == 2
    rates = {r.agency.code: r.on_time_rate for r in m.agency_rows}
    assert rates["DINSOS"] == 1.0  # m1 done before its due date
    assert rates["DPPPA"] == 0.0  # m3 overdue and open
    assert rates["DISDIKBUD"] is None  # no milestone due yet


def test_a_progress_update_this_month_counts_as_reported(world):
    db.session.add(ProgressUpdate(action=world.a1, agency=world.dinsos, author=world.focal, period=date(2026, 11, 1),
                                  percent_complete=40, achievements="x", created_at=NOW))
    db.session.commit()
    m = build_monitor(db.session, NOW)
    assert {f.code for f in m.not_updated} == {"1.1.2", "1.1.3"}
    row = next(r for r in m.agency_rows if r.agency.code == "DINSOS")
    assert row.last_update == NOW and row.updated_this_month == 1


def test_editing_an_action_is_not_a_progress_report(world, as_user):
    """Kausal Watch's weak spot: re-saving must not silence 'not updated'."""
    client = as_user("koordinator@example.org")
    world.a1.title = "Judul baru"
    db.session.commit()
    assert "1.1.1" in {f.code for f in build_monitor(db.session, NOW).not_updated}
    page = client.get("/monitor").get_data(as_text=True)
    assert "Judul baru" in page


def test_time_travel_makes_a_milestone_late(world, app_ctx):
    assert status_of(db.session.get(Action, world.a1.id), TODAY) == "berjalan"
    app_ctx.config["FIXED_NOW"] = "2026-12-02T01:00:00"
    m = build_monitor(db.session, datetime(2026, 12, 2, 1, 0))
    assert ("milestone", "Pelaksanaan") in [(i.kind, i.milestone_title) for i in m.overdue]
    assert status_of(world.a1, date(2026, 12, 2)) == "terlambat"


def test_month_boundary_uses_wita(world):
    """23:30 UTC on 30 November is already 1 December in Kutim."""
    m = build_monitor(db.session, datetime(2026, 11, 30, 16, 30))
    assert m.today == date(2026, 12, 1)
    m2 = build_monitor(db.session, datetime(2026, 11, 30, 15, 30))
    assert m2.today == date(2026, 11, 30)


def test_monitor_page_shows_figures(world, as_user):
    page = as_user("pimpinan@example.org").get("/monitor")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "27 November 2026" in html
    assert "Verifikasi lapangan" in html and "Sosialisasi tahap I" in html
    assert "DPPPA" in html


def test_override_needs_a_reason_and_shows(world, as_user):
    client = as_user("koordinator@example.org")
    resp = client.post(f"/actions/{world.a2.id}/override", data={"status": "berjalan", "reason": ""})
    assert resp.status_code == 200
    assert "wajib disertai alasan" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Action, world.a2.id).status_override is None
    resp = client.post(f"/actions/{world.a2.id}/override",
                       data={"status": "berjalan", "reason": "Tenggat diperpanjang rapat forum"})
    assert resp.status_code == 302
    html = client.get(f"/actions/{world.a2.id}").get_data(as_text=True)
    assert "Tenggat diperpanjang rapat forum" in html and "manual" in html


def test_complete_needs_closed_milestones(world, as_user):
    client = as_user("dinsos@example.org")
    client.post(f"/actions/{world.a1.id}/complete")
    db.session.expire_all()
    assert db.session.get(Action, world.a1.id).marked_complete is False
    client.post(f"/milestones/{world.m2.id}/done")
    client.post(f"/actions/{world.a1.id}/complete")
    db.session.expire_all()
    a1 = db.session.get(Action, world.a1.id)
    assert a1.marked_complete and a1.completed_on == TODAY
    assert status_of(a1, TODAY) == "selesai"


def test_supporting_agency_cannot_complete_the_action(world, as_user):
    client = as_user("dinsos@example.org")
    assert client.post(f"/actions/{world.a2.id}/complete").status_code == 403


def test_supporting_only_agency_is_in_the_agency_table(world):
    world.a3.supporting_agencies = [world.disdik]
    tppkk = Agency(code="TPPKK", short_name="TP-PKK", name="TP-PKK", kind="mitra", aliases="")
    db.session.add(tppkk)
    world.a1.supporting_agencies = [tppkk]
    db.session.commit()
    rows = {r.agency.code: r for r in build_monitor(db.session, NOW).agency_rows}
    assert rows["TPPKK"].actions == 0 and rows["TPPKK"].supporting == 1 and rows["TPPKK"].overdue_items == 0


def test_agency_page_counts_overdue_items_like_the_monitor(world, as_user):
    """DPPPA: its action is on time but a milestone is late: one overdue item on both pages."""
    monitor_row = next(r for r in build_monitor(db.session, NOW).agency_rows if r.agency.code == "DPPPA")
    assert monitor_row.overdue_items == 1
    html = as_user("koordinator@example.org").get(f"/agencies/{world.dpppa.id}").get_data(as_text=True)
    assert '<b>1</b>' in html.split('class="stat danger"')[1][:40]
