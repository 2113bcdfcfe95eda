"""Monthly progress updates with evidence, seen by focal points."""
import io
from datetime import date, datetime

from sqlalchemy import func, select

from coordinator.extensions import db
from coordinator.models import Evidence, ProgressUpdate
from tests.helpers import MINIMAL_PDF, PNG_1PX, fake_docx_that_is_a_zip, xlsx_bytes


def _post(client, action_id, files=(), **overrides):
    data = {"period": "2026-11", "percent_complete": "40", "achievements": "120 anak didata ulang",
            "obstacles": "Jalan rusak", "follow_up": "Kunjungan desa", "budget_realised": "Rp 1.250.000"}
    data.update(overrides)
    data["files"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post(f"/actions/{action_id}/progress/new", data=data, content_type="multipart/form-data")


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_focal_posts_update_with_evidence(world, as_user):
    client = as_user("dinsos@example.org")
    resp = _post(client, world.a1.id, files=[("berita-acara.pdf", MINIMAL_PDF), ("foto.png", PNG_1PX),
                                              ("rekap.xlsx", xlsx_bytes())])
    assert resp.status_code == 302, resp.get_data(as_text=True)
    update = db.session.scalar(select(ProgressUpdate))
    assert update.period == date(2026, 11, 1) and update.percent_complete == 40
    assert update.budget_realised == 1_250_000 and update.agency_id == world.dinsos.id
    assert sorted(e.original_name for e in update.evidence) == ["berita-acara.pdf", "foto.png", "rekap.xlsx"]
    page = client.get(f"/actions/{world.a1.id}").get_data(as_text=True)
    assert "120 anak didata ulang" in page and "Rp 1.250.000" in page and "berita-acara.pdf" in page
    pdf = next(e for e in update.evidence if e.original_name.endswith(".pdf"))
    got = client.get(f"/evidence/{pdf.id}")
    assert got.status_code == 200 and got.data == MINIMAL_PDF
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["X-Content-Type-Options"] == "nosniff"


def test_evidence_is_stored_readable_by_the_app_only(world, as_user, app_ctx):
    """create_app's umask: no other account of the server reads a stored file (evidence may show children)."""
    import stat

    from coordinator.actions.evidence import path_of

    _post(as_user("dinsos@example.org"), world.a1.id, files=[("foto-anak.png", PNG_1PX)])
    ev = db.session.scalar(select(Evidence))
    assert stat.S_IMODE(path_of(app_ctx.config["UPLOAD_DIR"], ev.stored_name).stat().st_mode) == 0o600


def test_supporting_agency_may_report(world, as_user):
    assert _post(as_user("dinsos@example.org"), world.a2.id).status_code == 302


def test_other_agency_cannot_report_or_see_evidence(world, as_user):
    client = as_user("dinsos@example.org")
    _post(client, world.a1.id, files=[("bukti.pdf", MINIMAL_PDF)])
    ev = db.session.scalar(select(Evidence))
    other = as_user("dpppa@example.org")
    assert _post(other, world.a1.id).status_code == 403
    assert other.get(f"/evidence/{ev.id}").status_code == 403
    assert _count(ProgressUpdate) == 1
    # the leader and the coordinator may see it
    assert as_user("pimpinan@example.org").get(f"/evidence/{ev.id}").status_code == 200
    assert as_user("koordinator@example.org").get(f"/evidence/{ev.id}").status_code == 200


def test_wrong_file_types_are_refused_and_nothing_saved(world, as_user, app_ctx):
    client = as_user("dinsos@example.org")
    cases = [
        ("skrip.html", b"<script>alert(1)</script>", "tidak diterima"),
        ("palsu.pdf", b"<html>bukan pdf</html>", "tidak sesuai"),
        ("palsu.docx", fake_docx_that_is_a_zip(), "tidak sesuai"),
        ("kosong.png", b"", "kosong"),
    ]
    for name, content, message in cases:
        resp = _post(client, world.a1.id, files=[("ok.pdf", MINIMAL_PDF), (name, content)])
        assert resp.status_code == 200
        assert message in resp.get_data(as_text=True), name
    assert _count(ProgressUpdate) == 0 and _count(Evidence) == 0


def test_file_over_10_mb_is_refused(world, as_user):
    big = MINIMAL_PDF + b"0" * (10 * 1024 * 1024)
    resp = _post(as_user("dinsos@example.org"), world.a1.id, files=[("besar.pdf", big)])
    assert resp.status_code == 200 and "10 MB" in resp.get_data(as_text=True)
    assert _count(ProgressUpdate) == 0


def test_bad_values_rerender_in_indonesian(world, as_user):
    client = as_user("dinsos@example.org")
    for overrides, message in [
        ({"percent_complete": "150"}, "antara 0 dan 100"),
        ({"percent_complete": "abc"}, "Bukan bilangan bulat"),
        ({"achievements": ""}, "Wajib diisi"),
        ({"period": "2026-13"}, "TTTT-BB"),
        ({"period": "2027-01"}, "bulan yang akan datang"),
        ({"budget_realised": "satu juta"}, "jumlah rupiah"),
    ]:
        resp = _post(client, world.a1.id, **overrides)
        assert resp.status_code == 200
        assert message in resp.get_data(as_text=True), overrides
    assert _count(ProgressUpdate) == 0


def test_english_user_gets_english_messages(world, as_user):
    world.focal.locale = "en"
    db.session.commit()
    resp = _post(as_user("dinsos@example.org"), world.a1.id, percent_complete="abc")
    assert resp.status_code == 200
    assert "Not a valid integer value" in resp.get_data(as_text=True)


def test_second_report_same_month_is_refused_correction_supersedes(world, as_user):
    client = as_user("dinsos@example.org")
    assert _post(client, world.a1.id, files=[("bukti.pdf", MINIMAL_PDF)]).status_code == 302
    resp = _post(client, world.a1.id)
    assert resp.status_code == 200 and "Koreksi" in resp.get_data(as_text=True)
    original = db.session.scalar(select(ProgressUpdate))
    resp = client.post(f"/progress/{original.id}/correct", data={
        "period": "2026-11", "percent_complete": "45", "achievements": "Angka dikoreksi: 125 anak",
        "reason": "Salah hitung"}, content_type="multipart/form-data")
    assert resp.status_code == 302
    db.session.expire_all()
    rows = db.session.scalars(select(ProgressUpdate).order_by(ProgressUpdate.id)).all()
    assert len(rows) == 2  # nothing is deleted
    assert rows[0].superseded_at is not None and rows[1].supersedes_id == rows[0].id
    assert rows[0].evidence[0].original_name == "bukti.pdf"  # the old evidence stays with the old report
    page = client.get(f"/actions/{world.a1.id}").get_data(as_text=True)
    assert "digantikan koreksi" in page and "Salah hitung" in page and "125 anak" in page
    # a superseded report cannot be corrected again
    assert client.get(f"/progress/{original.id}/correct").status_code == 403


def test_focal_cannot_correct_another_agencys_report(world, as_user):
    client = as_user("dinsos@example.org")
    _post(client, world.a2.id)
    update = db.session.scalar(select(ProgressUpdate))
    coordinator = as_user("koordinator@example.org")
    assert coordinator.get(f"/progress/{update.id}/correct").status_code == 403
    other = as_user("dpppa@example.org")
    assert other.get(f"/progress/{update.id}/correct").status_code == 403
    resp = other.post(f"/progress/{update.id}/correct", data={"period": "2026-11", "percent_complete": "99",
                                                              "achievements": "dibajak", "reason": "x"})
    assert resp.status_code == 403
    db.session.expire_all()
    assert db.session.get(ProgressUpdate, update.id).superseded_at is None


def test_hidden_id_swap_to_other_agencys_action_is_refused(world, as_user):
    """The action id is in the URL; pointing it at DPPPA's action must not write anything."""
    client = as_user("dinsos@example.org")
    resp = _post(client, world.a3.id)
    assert resp.status_code == 403
    assert _count(ProgressUpdate) == 0
    resp = client.post(f"/milestones/{world.m3.id}/done")
    assert resp.status_code == 403
    db.session.refresh(world.m3)
    assert world.m3.state == "berjalan"


def test_focal_marks_own_milestone_done_and_history_records_it(world, as_user):
    client = as_user("dinsos@example.org")
    assert client.post(f"/milestones/{world.m2.id}/done").status_code == 302
    db.session.refresh(world.m2)
    assert world.m2.state == "selesai" and world.m2.completed_on == date(2026, 11, 27)
    page = as_user("koordinator@example.org").get(f"/actions/{world.a1.id}").get_data(as_text=True)
    assert "Riwayat perubahan" in page and "Dinsos" in page and "selesai" in page


def test_missing_evidence_file_gives_404_not_500(world, as_user, app_ctx):
    client = as_user("dinsos@example.org")
    _post(client, world.a1.id, files=[("bukti.pdf", MINIMAL_PDF)])
    ev = db.session.scalar(select(Evidence))
    from coordinator.actions.evidence import path_of

    path_of(app_ctx.config["UPLOAD_DIR"], ev.stored_name).unlink()
    assert client.get(f"/evidence/{ev.id}").status_code == 404
    assert client.get("/evidence/999999").status_code == 404


def test_the_database_refuses_a_second_current_report_for_the_same_month(world):
    """The check in the service has a twin in the schema, for two submits that race."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    def report():
        return ProgressUpdate(action=world.a1, agency=world.dinsos, author=world.focal, period=date(2026, 11, 1),
                              percent_complete=10, achievements="x", created_at=datetime(2026, 11, 20))

    first = report()
    db.session.add(first)
    db.session.commit()
    db.session.add(report())
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    first = db.session.get(ProgressUpdate, first.id)
    first.superseded_at = datetime(2026, 11, 21)  # a superseded report leaves the month free for its correction
    db.session.add(report())
    db.session.commit()
