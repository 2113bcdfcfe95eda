"""Follow-ups as the responsible agency and the coordinator live them: close with evidence, return, accept,
reschedule honestly, cancel; on the monitor, in the API and in the monthly report."""
import io
from datetime import date, datetime

from sqlalchemy import select

from coordinator.extensions import db
from coordinator.meetings import closing
from coordinator.meetings.facts import follow_up_facts, follow_up_lines
from coordinator.models import AuditEntry, FollowUp, FollowUpEvidence, Notification
from coordinator.reports.facts import collect_facts
from tests.helpers import MINIMAL_PDF, meeting_with_follow_ups


def _item(item_id: int) -> FollowUp:
    db.session.expire_all()
    return db.session.get(FollowUp, item_id)


def test_the_responsible_agency_closes_and_the_coordinator_returns_then_accepts(world, as_user, app_ctx):
    meeting, item, _reported = meeting_with_follow_ups(app_ctx, world)
    db.session.commit()
    # Another agency's focal point cannot report it done, even by posting to its URL; nothing changes.
    other = as_user("dpppa@example.org")
    assert other.post(f"/follow-ups/{item.id}/close", data={"note": "Selesai"}).status_code == 403
    assert _item(item.id).state == "terbuka"

    focal = as_user("dinsos@example.org")
    page = focal.get(f"/follow-ups/{item.id}").get_data(as_text=True)
    assert 'id="closing-form"' in page and 'id="accept-form"' not in page  # an agency does not review itself
    assert "Kirim laporan penyelesaian" in page
    assert "Wajib diisi" in focal.post(f"/follow-ups/{item.id}/close", data={"note": ""}).get_data(as_text=True)
    resp = focal.post(f"/follow-ups/{item.id}/close", data={
        "note": "DTKS dipadankan untuk 3 kecamatan", "files": [(io.BytesIO(MINIMAL_PDF), "berita-acara.pdf")]},
        content_type="multipart/form-data")
    assert resp.status_code == 302
    assert "koordinator akan meninjaunya" in focal.get(resp.headers["Location"]).get_data(as_text=True)
    assert _item(item.id).state == "diajukan"
    assert focal.post(f"/follow-ups/{item.id}/accept", data={}).status_code == 403  # not theirs to accept

    coordinator = as_user("koordinator@example.org")
    assert "Wajib diisi" in coordinator.post(f"/follow-ups/{item.id}/return", data={"comment": ""}
                                             ).get_data(as_text=True)
    resp = coordinator.post(f"/follow-ups/{item.id}/return", data={"comment": "Lampirkan daftar kecamatan"})
    assert resp.status_code == 302
    returned = _item(item.id)
    assert returned.state == "terbuka" and returned.review_comment == "Lampirkan daftar kecamatan"
    bell = db.session.scalars(select(Notification).where(Notification.user_id == world.focal.id)).all()
    assert [n.url for n in bell] == [f"/follow-ups/{item.id}"]
    page = as_user("dinsos@example.org").get(f"/follow-ups/{item.id}").get_data(as_text=True)
    assert 'id="returned-note"' in page and "Lampirkan daftar kecamatan" in page
    assert "dikembalikan" in as_user("dinsos@example.org").get("/actions/mine").get_data(as_text=True)

    # The second round; its evidence joins the first's (both rounds stay visible).
    as_user("dinsos@example.org").post(f"/follow-ups/{item.id}/close", data={
        "note": "Daftar kecamatan dilampirkan", "files": [(io.BytesIO(MINIMAL_PDF), "daftar.pdf")]},
        content_type="multipart/form-data")
    coordinator = as_user("koordinator@example.org")
    assert coordinator.post(f"/follow-ups/{item.id}/accept", data={"comment": ""}).status_code == 302
    done = _item(item.id)
    assert done.state == "selesai" and done.closed_on == date(2026, 11, 27)  # the day its agency reported it
    assert [e.original_name for e in db.session.scalars(select(FollowUpEvidence).where(
        FollowUpEvidence.follow_up_id == item.id))] == ["berita-acara.pdf", "daftar.pdf"]
    # A second accept (another tab) is told, never applied twice.
    resp = coordinator.post(f"/follow-ups/{item.id}/accept", data={"comment": ""}, follow_redirects=True)
    assert "sudah ditinjau" in resp.get_data(as_text=True)
    moves = [(e.before["state"], e.after["state"]) for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "follow_up", AuditEntry.entity_id == str(item.id),
                                 AuditEntry.operation == "update").order_by(AuditEntry.id))
        if "state" in (e.before or {})]
    assert moves == [("terbuka", "diajukan"), ("diajukan", "terbuka"), ("terbuka", "diajukan"),
                     ("diajukan", "selesai")]  # every round in the history


def test_moving_a_due_date_needs_a_reason_and_lateness_stays_visible(world, as_user, app_ctx):
    _meeting, item, _reported = meeting_with_follow_ups(app_ctx, world)
    item.due_date = item.baseline_due_date = date(2026, 11, 25)  # late on 27 November
    db.session.commit()
    coordinator = as_user("koordinator@example.org")
    monitor = coordinator.get("/monitor").get_data(as_text=True)
    assert 'id="follow-ups-late"' in monitor and "Padankan DTKS dengan daftar ATS" in monitor
    assert "terlambat 2 hari" in monitor
    form = {"text": item.text, "agency_id": str(world.dinsos.id), "due_date": "2027-01-31", "action_id": "0",
            "area_kode": ""}
    page = coordinator.post(f"/follow-ups/{item.id}/edit", data=form).get_data(as_text=True)
    assert "Tuliskan alasan mengubah tenggat" in page and _item(item.id).due_date == date(2026, 11, 25)
    assert coordinator.post(f"/follow-ups/{item.id}/edit", data={**form, "due_reason": "Menunggu data BPS"}
                            ).status_code == 302
    moved = _item(item.id)
    assert (moved.due_date, moved.baseline_due_date, moved.reschedule_count) == (
        date(2027, 1, 31), date(2026, 11, 25), 1)
    page = coordinator.get(f"/follow-ups/{item.id}").get_data(as_text=True)
    assert "dijadwal ulang 1×, bergeser 67 hari dari tenggat awal 25 November 2026" in page
    monitor = coordinator.get("/monitor").get_data(as_text=True)
    assert "1 lewat tenggat awal karena dijadwal ulang" in monitor  # not late today, but not hidden

    # Cancelling needs a reason; a cancelled follow-up is closed for good.
    assert "Wajib diisi" in coordinator.post(f"/follow-ups/{item.id}/cancel", data={"reason": ""}
                                             ).get_data(as_text=True)
    coordinator.post(f"/follow-ups/{item.id}/cancel", data={"reason": "Digabung dengan keputusan rapat berikutnya"})
    assert _item(item.id).state == "dibatalkan"
    assert coordinator.get(f"/follow-ups/{item.id}/edit").status_code == 404


def test_the_api_lists_follow_ups_scoped_and_filtered(world, app_ctx, client):
    from coordinator.accounts import api_tokens

    meeting, item, reported = meeting_with_follow_ups(app_ctx, world)
    tokens = {email: api_tokens.create_token(db.session, user.id, "uji", None, None, datetime(2026, 11, 20))[1]
              for email, user in (("k", world.coordinator), ("d", world.focal), ("p", world.other_focal))}
    db.session.commit()

    def get(who, query=""):
        resp = client.get(f"/api/v1/follow-ups{query}", headers={"Authorization": f"Bearer {tokens[who]}"})
        assert resp.status_code == 200, resp.data
        return resp.get_json()

    body = get("k")
    assert body["total"] == 2 and [i["status"] for i in body["items"]] == ["diajukan", "terbuka"]
    first = body["items"][1]
    assert first["meeting"] == {"id": meeting.id, "title": "Rapat koordinasi November", "held_on": "2026-11-20"}
    assert first["agency"]["code"] == "DINSOS" and first["action"]["code"] == "1.1.1"
    assert [i["id"] for i in get("k", "?status=diajukan")["items"]] == [reported.id]
    assert get("k", f"?meeting={meeting.id}&agency={world.dpppa.id}")["total"] == 0
    assert get("d")["total"] == 2 and get("p")["total"] == 0  # DPPPA was not invited and owes nothing
    assert client.get("/api/v1/follow-ups?status=bogus", headers={"Authorization": f"Bearer {tokens['k']}"}
                      ).status_code == 400


def test_the_monthly_report_lists_open_follow_ups_by_agency_overdue_first_and_those_closed(world, app_ctx):
    _meeting, item, reported = meeting_with_follow_ups(app_ctx, world)
    item.due_date = item.baseline_due_date = date(2026, 11, 24)
    closing.accept_closing(db.session, reported, world.coordinator, datetime(2026, 11, 21, 2))
    db.session.commit()
    facts = collect_facts(db.session, date(2026, 11, 1), datetime(2026, 11, 27, 2))
    lines = follow_up_lines(facts, date(2026, 11, 27))
    assert lines.open_total == 1 and lines.late_total == 1
    [(agency, [late])] = lines.open_by_agency
    assert agency == "Dinsos" and late.days_late == 3 and late.text == "Padankan DTKS dengan daftar ATS"
    assert [(x.text, x.closed_on) for x in lines.closed] == [("Kirim data penerima bantuan", date(2026, 11, 20))]
    assert follow_up_lines(facts, date(2026, 11, 27), agency_code="DPPPA").open_total == 0
    # Closed in November: not in December's report; still open: carried into it.
    december = follow_up_facts(db.session, date(2026, 12, 1), date(2026, 12, 31))
    assert [row["id"] for row in december] == [item.id]
