"""Recording a coordination meeting through the pages: attendance, decisions as follow-ups, files, minutes PDF."""
import io
import subprocess

from sqlalchemy import func, select

from coordinator.extensions import db
from coordinator.models import AuditEntry, FollowUp, Meeting, MeetingFile
from tests.helpers import MINIMAL_PDF

MEETING = {"title": "Rapat koordinasi RAD ATS Desember", "held_on": "2026-11-25", "start_time": "09:00",
           "place": "Ruang Tempudau, Kantor Bupati", "online_url": "", "chair": "Sekda Kutai Timur",
           "agenda": "1. Pemantauan tenggat", "minutes": "Dinsos melaporkan pemadanan DTKS."}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_coordinator_records_a_meeting_its_decisions_and_files(world, as_user, app_ctx):
    coordinator = as_user("koordinator@example.org")
    # Neither a place nor a link, and a time that is not a time: refused, nothing saved, the form says why.
    page = coordinator.post("/meetings/new", data={**MEETING, "place": "", "start_time": "9.00",
                                                    "invited": [str(world.dinsos.id)]}).get_data(as_text=True)
    assert "Tulis jam sebagai JJ:MM" in page and _count(Meeting) == 0
    page = coordinator.post("/meetings/new", data={**MEETING, "place": "", "invited": [str(world.dinsos.id)]}
                            ).get_data(as_text=True)
    assert "Isi tempat rapat, atau tautan rapat daring" in page and _count(Meeting) == 0
    # An agency marked present is invited by that fact.
    resp = coordinator.post("/meetings/new", data={**MEETING, "invited": [str(world.dinsos.id)],
                                                   "present": [str(world.dinsos.id), str(world.disdik.id)]})
    assert resp.status_code == 302
    meeting = db.session.scalar(select(Meeting))
    assert meeting.invited_ids() == {world.dinsos.id, world.disdik.id} == meeting.present_ids()
    detail = coordinator.get(resp.headers["Location"]).get_data(as_text=True)
    assert "2 dari 2 perangkat daerah yang diundang hadir" in detail and "Dinsos melaporkan" in detail

    # Two decisions become two follow-ups, numbered in order. A due date before the meeting, or an action id edited
    # into the form that does not exist, is refused and saves nothing.
    url = f"/meetings/{meeting.id}/follow-ups"
    base = {"text": "Padankan DTKS", "agency_id": str(world.dinsos.id), "due_date": "2026-12-20", "action_id": "0",
            "area_kode": ""}
    assert "tidak boleh sebelum tanggal rapat" in coordinator.post(
        url, data={**base, "due_date": "2026-11-01"}).get_data(as_text=True)
    assert "Pilihan tidak sah" in coordinator.post(url, data={**base, "action_id": "999999"}).get_data(as_text=True)
    assert _count(FollowUp) == 0
    assert coordinator.post(url, data={**base, "action_id": str(world.a1.id)}).status_code == 302
    assert coordinator.post(url, data={**base, "text": "Kirim data santri", "agency_id": str(world.dpppa.id),
                                       "area_kode": world.kec.kode}).status_code == 302
    items = list(db.session.scalars(select(FollowUp).order_by(FollowUp.number)))
    assert [(f.number, f.agency_id, f.baseline_due_date.isoformat()) for f in items] == [
        (1, world.dinsos.id, "2026-12-20"), (2, world.dpppa.id, "2026-12-20")]
    assert items[0].action_id == world.a1.id and items[1].area_kode == world.kec.kode

    # Files: checked by content; a renamed HTML page is refused, a PDF kept and served to those who see the meeting.
    resp = coordinator.post(f"/meetings/{meeting.id}/files", data={
        "kind": "daftar_hadir", "files": [(io.BytesIO(b"<html><script>x</script></html>"), "hadir.pdf")]},
        content_type="multipart/form-data")
    assert "tidak sesuai dengan jenisnya" in resp.get_data(as_text=True) and _count(MeetingFile) == 0
    resp = coordinator.post(f"/meetings/{meeting.id}/files", data={
        "kind": "daftar_hadir", "files": [(io.BytesIO(MINIMAL_PDF), "daftar-hadir.pdf")]},
        content_type="multipart/form-data")
    assert resp.status_code == 302
    file_id = db.session.scalar(select(MeetingFile.id))
    assert coordinator.get(f"/meeting-files/{file_id}").data == MINIMAL_PDF

    # Everything is in the change history, with who did it.
    kinds = {(e.entity_type, e.operation, e.user_id) for e in db.session.scalars(select(AuditEntry))}
    assert {("meeting", "create", world.coordinator.id), ("follow_up", "create", world.coordinator.id)} <= kinds

    # A focal point of an agency neither invited nor responsible does not see the meeting; Dinsos does.
    other = as_user("dpppa@example.org")  # responsible for decision 2: sees the meeting
    assert other.get(f"/meetings/{meeting.id}").status_code == 200
    assert "Padankan DTKS" in as_user("dinsos@example.org").get("/follow-ups").get_data(as_text=True)


def test_the_minutes_pdf_carries_the_letterhead_attendance_decisions_and_signature(world, as_user, app_ctx, tmp_path):
    from tests.helpers import meeting_with_follow_ups

    meeting, _open, _reported = meeting_with_follow_ups(app_ctx, world)
    db.session.commit()
    resp = as_user("dinsos@example.org").get(f"/meetings/{meeting.id}/minutes.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert resp.headers["Cache-Control"] == "private, no-store"
    path = tmp_path / "notulen.pdf"
    path.write_bytes(resp.data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    for expected in ("NOTULEN RAPAT", "Rapat koordinasi November", "Jumat, 20 November 2026", "Ruang Tempudau",
                     "Disdikbud", "Diundang, tidak hadir", "Dinsos", "Padankan DTKS dengan daftar ATS",
                     "15 Desember 2026", "Kutai Timur, 20 November 2026", "Sekda Kutai Timur", "Notulis"):
        assert expected in text, expected
    # In English for an English reader.
    world.coordinator.locale = "en"
    db.session.commit()
    client = as_user("koordinator@example.org")
    path.write_bytes(client.get(f"/meetings/{meeting.id}/minutes.pdf").data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "MINUTES OF THE MEETING" in text and "Friday, 20 November 2026" in text
