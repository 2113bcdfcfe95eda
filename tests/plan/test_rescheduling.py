"""Honest rescheduling: a moved due date needs a reason, keeps the first one, is counted, and an item past its
first date stays visible as "dijadwal ulang" on the monitor and in the monthly report instead of vanishing."""
import json
from datetime import date, datetime

from sqlalchemy import select

from coordinator.extensions import db
from coordinator.models import Action, AuditEntry, Milestone
from coordinator.plan.editing import save_milestone
from coordinator.reports.facts import collect_facts
from coordinator.reports.model import build_report
from tests.actions.test_list import _action_form


def _edit_a2(client, world, **overrides):
    fields = {"code": "1.1.2", "title": "Verifikasi lapangan", "start_date": "2026-01-01", "due_date": "2027-01-31",
              "supporting_agency_ids": [world.dinsos.id], **overrides}
    data = _action_form(world, **fields)
    return client.post(f"/actions/{world.a2.id}/edit", data=data)


def test_moving_a_due_date_needs_a_reason_and_keeps_the_first_one(world, as_user):
    client = as_user("koordinator@example.org")
    assert "Alasan perubahan tenggat" not in client.get("/actions/new").get_data(as_text=True)
    form = client.get(f"/actions/{world.a2.id}/edit").get_data(as_text=True)
    assert "Alasan perubahan tenggat" in form and "Tenggat awal tetap tercatat" in form
    page = _edit_a2(client, world).get_data(as_text=True)
    assert "Tuliskan alasan mengubah tenggat" in page
    db.session.expire_all()
    a2 = db.session.get(Action, world.a2.id)
    assert a2.due_date == date(2026, 10, 31) and a2.reschedule_count == 0  # nothing changed
    assert _edit_a2(client, world, due_reason="Banjir di Sangatta; disetujui rapat koordinasi").status_code == 302
    db.session.expire_all()
    a2 = db.session.get(Action, world.a2.id)
    assert (a2.due_date, a2.baseline_due_date, a2.reschedule_count) == (date(2027, 1, 31), date(2026, 10, 31), 1)
    assert a2.slip_days == 92
    html = client.get(f"/actions/{world.a2.id}").get_data(as_text=True)
    assert "dijadwal ulang 1×" in html and "bergeser 92 hari dari tenggat awal 31 Oktober 2026" in html
    assert "Banjir di Sangatta" in html
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "action",
                                                        AuditEntry.entity_id == str(world.a2.id))).all()[-1]
    assert entry.after["due_change_reason"] == "Banjir di Sangatta; disetujui rapat koordinasi"
    assert entry.before["due_date"] == "2026-10-31" and entry.after["due_date"] == "2027-01-31"
    # The same date again (any other edit) needs no reason and counts nothing.
    assert _edit_a2(client, world, title="Verifikasi lapangan oleh kader").status_code == 302
    db.session.expire_all()
    assert db.session.get(Action, world.a2.id).reschedule_count == 1


def test_a_moved_item_past_its_first_date_is_counted_apart_not_lost(world, as_user, app_ctx):
    client = as_user("koordinator@example.org")
    monitor = client.get("/monitor").get_data(as_text=True)
    late_before = monitor.split('id="late-actions"')[1].split("</b>")[0]
    _edit_a2(client, world, due_reason="Banjir")
    save_milestone(db.session, world.m3, world.a3, {"title": world.m3.title, "due_date": date(2026, 12, 15),
                                                   "state": "berjalan", "due_reason": "Narasumber berhalangan"},
                   datetime(2026, 11, 27, 2))
    db.session.commit()
    html = client.get("/monitor").get_data(as_text=True)
    count = html.split('id="rescheduled-count"')[1].split("<b>")[1].split("</b>")[0]
    assert count == "2"
    table = html.split('id="rescheduled-table"')[1].split("</table>")[0]
    assert "31 Oktober 2026" in table and "31 Januari 2027" in table and "92 hari" in table
    assert "Sosialisasi tahap I" in table and "20 November 2026" in table
    assert late_before != html.split('id="late-actions"')[1].split("</b>")[0]  # a2 no longer counts as late
    report = build_report(json.loads(json.dumps(collect_facts(db.session, date(2026, 11, 1),
                                                              datetime(2026, 11, 27, 2)))))
    assert sorted((r.code, r.kind, r.slip_days) for r in report.rescheduled) == [
        ("1.1.2", "action", 92), ("1.1.3", "milestone", 25)]


def test_a_milestone_move_needs_a_reason_too(world, as_user):
    client = as_user("koordinator@example.org")
    data = {"title": "Sosialisasi tahap I", "due_date": "2026-12-15", "state": "berjalan"}
    page = client.post(f"/milestones/{world.m3.id}/edit", data=data).get_data(as_text=True)
    assert "Tuliskan alasan mengubah tenggat" in page
    assert client.post(f"/milestones/{world.m3.id}/edit",
                       data={**data, "due_reason": "Narasumber berhalangan"}).status_code == 302
    db.session.expire_all()
    m3 = db.session.get(Milestone, world.m3.id)
    assert (m3.baseline_due_date, m3.due_date, m3.reschedule_count) == (date(2026, 11, 20), date(2026, 12, 15), 1)
    assert "Alasan perubahan tenggat" not in client.get(f"/actions/{world.a3.id}/milestones/new").get_data(
        as_text=True)
