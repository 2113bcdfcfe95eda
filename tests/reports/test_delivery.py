"""The monthly report's pages, settings and delivery to the leaders (real SMTP server, time travel)."""
from __future__ import annotations

from datetime import date, datetime
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from coordinator.extensions import db
from coordinator.models import AuditEntry, MonthlySnapshot, OutboxMessage, ReportArchive, ReportSettings
from coordinator.notifications.outbox import deliver_pending
from coordinator.reports.archive import archive_path, preview
from coordinator.reports.delivery import leaders_list, scheduled_delivery
from coordinator.reports.facts import live_snapshot, load_facts
from coordinator.reports.jobs import monthly_delivery_run
from coordinator.reports.model import build_report
from tests.conftest import make_user
from tests.helpers import PNG_1PX
from tests.reports.report_data import OCTOBER, build_october, pdf_text

NOVEMBER = date(2026, 11, 1)


@pytest.fixture()
def october(world, app_ctx):
    build_october(world)
    return world


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _wita(y, m, d, hh, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm) - (datetime(2026, 1, 1, 8) - datetime(2026, 1, 1))


def test_scheduled_delivery_closes_last_month_and_sends_once(october, app_ctx, smtp):
    make_user("bupati@example.org", "pimpinan", locale="en")
    db.session.commit()
    upload = app_ctx.config["UPLOAD_DIR"]
    # 5 December 07:59 WITA: not yet.
    result = scheduled_delivery(db.session, _wita(2026, 12, 5, 7, 59), upload)
    assert result.skipped == "not yet" and _count(MonthlySnapshot) == 0
    # 08:00 WITA: November is closed by the scheduler, archived in both languages, one message per leader.
    at = _wita(2026, 12, 5, 8, 0)
    assert "recorded=2" in monthly_delivery_run(at)
    db.session.expire_all()
    snapshot = live_snapshot(db.session, NOVEMBER)
    assert snapshot is not None and snapshot.closed_by_id is None
    assert {a.locale for a in db.session.scalars(select(ReportArchive))} == {"id", "en"}
    by_to = {str(m["To"]): m for m in smtp.handler.parsed()}
    assert set(by_to) == {"pimpinan@example.org", "bupati@example.org"}
    assert "November 2026" in str(by_to["bupati@example.org"]["Subject"])
    assert "Laporan bulanan RAD ATS" in str(by_to["pimpinan@example.org"]["Subject"])
    for to, msg in by_to.items():
        [attachment] = list(msg.iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
        assert attachment.get_filename().startswith("Laporan-RAD-ATS-2026-11")
        text, _ = pdf_text(attachment.get_content())
        assert ("November 2026" in text) and (("Laporan Kemajuan" in text) == (to == "pimpinan@example.org"))
    # Every later run of the day, and a second scheduler, send nothing more.
    for minutes in (10, 20, 600):
        assert "already sent" in monthly_delivery_run(at.replace(minute=minutes % 60))
    assert len(smtp.handler.received) == 2
    assert _count(OutboxMessage, OutboxMessage.kind == "monthly_report") == 2


def test_smtp_down_then_back_delivers_each_report_once(october, app_ctx, smtp):
    smtp.stop()
    at = _wita(2026, 12, 5, 8, 0)
    monthly_delivery_run(at)
    assert _count(OutboxMessage, OutboxMessage.status == "pending") == 1  # kept for a retry
    smtp.start()
    later = _wita(2026, 12, 5, 9, 0)
    deliver_pending(db.session, smtp.mailer(), later)
    monthly_delivery_run(later)
    deliver_pending(db.session, smtp.mailer(), _wita(2026, 12, 6, 9, 0))
    assert [str(m["To"]) for m in smtp.handler.parsed()] == ["pimpinan@example.org"]


def test_scheduler_leaves_a_reopened_month_to_the_coordinator(october, app_ctx, smtp, client):
    app_ctx.config["FIXED_NOW"] = "2026-12-02T02:00:00"
    client.post("/login", data={"email": "koordinator@example.org", "password": "demo-kutim-2026"})
    client.post("/reports/2026-11/close", data={"decisions": []})
    assert live_snapshot(db.session, NOVEMBER) is not None
    client.post("/reports/2026-11/reopen", data={"reason": "Laporan Dinkes menyusul"})
    result = scheduled_delivery(db.session, _wita(2026, 12, 5, 8, 0), app_ctx.config["UPLOAD_DIR"])
    assert result.skipped == "reopened" and smtp.handler.received == []


def test_send_day_and_time_follow_the_settings(october, app_ctx, smtp, client):
    client.post("/login", data={"email": "koordinator@example.org", "password": "demo-kutim-2026"})
    resp = client.post("/reports/settings", data={"pemkab_name": "Pemerintah Kabupaten Kutai Timur",
                                                  "office_name": "Disdikbud", "send_day": "3", "send_time": "13:30",
                                                  "auto_send": "y", "extra_recipients": "sekda@kutaitimurkab.go.id",
                                                  "default_locale": "id"})
    assert resp.status_code == 302
    assert scheduled_delivery(db.session, _wita(2026, 12, 3, 13, 29), app_ctx.config["UPLOAD_DIR"]).skipped
    result = scheduled_delivery(db.session, _wita(2026, 12, 3, 13, 30), app_ctx.config["UPLOAD_DIR"])
    db.session.commit()
    assert result.enqueued == 2 and result.closed_now
    assert {r.email for r in leaders_list(db.session)} == {"pimpinan@example.org", "sekda@kutaitimurkab.go.id"}


def test_coordinator_closes_generates_and_sends_on_demand(october, app_ctx, smtp, client):
    client.post("/login", data={"email": "koordinator@example.org", "password": "demo-kutim-2026"})
    page = client.get("/reports/2026-10/close").get_data(as_text=True)
    assert "Petugas verval kurang" in page and "terlambat 16 hari" in page
    a1, a2 = october.a1.id, october.a2.id
    # A hidden id that is not a candidate (a3 has no obstacle), or more than five: refused, nothing closed.
    resp = client.post("/reports/2026-10/close", data={"decisions": [str(october.a3.id)]})
    assert resp.status_code == 200 and "tidak dikenal" in resp.get_data(as_text=True)
    assert _count(MonthlySnapshot) == 0
    resp = client.post("/reports/2026-10/close", data={"decisions": [str(a1)]})
    assert resp.status_code == 302
    snapshot = live_snapshot(db.session, OCTOBER)
    assert snapshot.closed_by_id == october.coordinator.id
    assert _count(AuditEntry, AuditEntry.entity_type == "monthly_snapshot") == 1
    resp = client.post("/reports/2026-10/generate", data={"scope": "kabupaten", "locale": "id"})
    assert resp.status_code == 302
    archive = db.session.scalar(select(ReportArchive))
    text, _ = pdf_text(archive_path(app_ctx.config["UPLOAD_DIR"], archive).read_bytes())
    assert "Anggaran transportasi" in text  # the chosen issue (1.1.1)
    assert [d["action_id"] for d in build_report(load_facts(snapshot)).decisions] == [a1]
    assert a2  # 1.1.2 was not chosen, though it is the more pressing one
    page = client.get("/reports/2026-10").get_data(as_text=True)
    assert archive.document_number in page and archive.sha256[:12] in page
    # Generating for an agency without picking one is refused with a message; nothing archived.
    resp = client.post("/reports/2026-10/generate", data={"scope": "opd", "locale": "id"}, follow_redirects=True)
    assert "Pilih perangkat daerah" in resp.get_data(as_text=True)
    assert _count(ReportArchive) == 1
    # Send, then send again: the leaders get it once.
    client.post(f"/reports/archive/{archive.id}/send")
    resp = client.post(f"/reports/archive/{archive.id}/send", follow_redirects=True)
    assert "sudah pernah dikirim" in resp.get_data(as_text=True)
    deliver_pending(db.session, smtp.mailer(), datetime(2026, 11, 27, 3, 0))
    assert [str(m["To"]) for m in smtp.handler.parsed()] == ["pimpinan@example.org"]
    assert "1 terkirim" in client.get("/reports/2026-10").get_data(as_text=True)
    # The scheduled run on 5 December sends November, not October again.
    assert monthly_delivery_run(_wita(2026, 12, 5, 8, 0)).startswith("monthly report 2026-11")


def test_leaders_see_the_archive_but_cannot_act(october, app_ctx, client):
    client.post("/login", data={"email": "koordinator@example.org", "password": "demo-kutim-2026"})
    client.post("/reports/2026-10/close", data={"decisions": []})
    client.post("/logout")
    client.post("/login", data={"email": "pimpinan@example.org", "password": "demo-kutim-2026"})
    index = client.get("/reports/").get_data(as_text=True)
    assert "Oktober 2026" in index and "September 2026" not in index  # only closed months
    assert client.get("/reports/2026-09").status_code == 404  # an open month is not theirs to see
    assert client.get("/reports/2026-10").status_code == 200
    for url in ("/reports/2026-10/generate", "/reports/2026-10/reopen", "/reports/2026-09/close"):
        assert client.post(url, data={"scope": "kabupaten", "locale": "id", "reason": "x"}).status_code == 403
    assert client.get("/reports/2026-10/preview.pdf").status_code == 403
    assert client.get("/reports/bukan-bulan").status_code == 404


def test_preview_of_the_running_month_is_a_draft(october, app_ctx, client):
    client.post("/login", data={"email": "koordinator@example.org", "password": "demo-kutim-2026"})
    resp = client.get("/reports/2026-11/preview.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert "DRAF" in pdf_text(resp.data)[0]
    assert _count(MonthlySnapshot) == 0 and _count(ReportArchive) == 0
    assert client.get("/reports/2026-11/preview.pdf?scope=opd&key=NOPE").status_code == 404
    assert client.get("/reports/2026-11/preview.pdf?lang=fr").status_code == 404
    assert client.get("/reports/2026-13/preview.pdf").status_code == 404
    resp = client.post("/reports/2026-11/close", data={"decisions": []})
    assert "belum berakhir" in resp.get_data(as_text=True) and _count(MonthlySnapshot) == 0


def test_settings_validate_and_the_logo_reaches_the_cover(october, app_ctx, client):
    client.post("/login", data={"email": "koordinator@example.org", "password": "demo-kutim-2026"})
    base = {"pemkab_name": "Pemerintah Kabupaten Kutai Timur", "office_name": "Disdikbud", "send_day": "5",
            "send_time": "08:00", "auto_send": "y", "default_locale": "id"}
    for bad, message in ((dict(send_day="29"), "antara 1 dan 28"), (dict(send_time="8.00"), "JJ:MM"),
                         (dict(send_time="²:00"), "JJ:MM"),
                         (dict(send_time="24:00"), "JJ:MM"),
                         (dict(extra_recipients="bukan-email"), "tidak sah"), (dict(pemkab_name=""), "Wajib")):
        resp = client.post("/reports/settings", data={**base, **bad})
        assert resp.status_code == 200 and message in resp.get_data(as_text=True), bad
    resp = client.post("/reports/settings", data={**base, "logo": (BytesIO(b"GIF89a..."), "logo.gif")},
                       content_type="multipart/form-data")
    assert resp.status_code == 200 and "PNG atau JPG" in resp.get_data(as_text=True)
    assert db.session.get(ReportSettings, 1).logo_stored_name is None
    huge = PNG_1PX[:16] + (20000).to_bytes(4, "big") * 2 + PNG_1PX[24:]  # a tiny file declaring 20000 × 20000
    resp = client.post("/reports/settings", data={**base, "logo": (BytesIO(huge), "logo.png")},
                       content_type="multipart/form-data")
    assert resp.status_code == 200 and "piksel" in resp.get_data(as_text=True)
    resp = client.post("/reports/settings", data={**base, "logo": (BytesIO(PNG_1PX), "logo.png")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302
    rendered = preview(db.session, OCTOBER, "kabupaten", "", "id", datetime(2026, 11, 27, 2))
    assert any(u.endswith("/asset/logo") for u in rendered.served) and rendered.refused == []
    assert len(PdfReader(BytesIO(rendered.pdf)).pages[0].images) == 1


def test_a_pdf_sent_by_the_scheduler_is_not_sent_again_by_hand(october, app_ctx, smtp):
    from coordinator.reports.delivery import send_archive

    monthly_delivery_run(_wita(2026, 12, 5, 8, 0))
    archive = db.session.scalar(select(ReportArchive).where(ReportArchive.locale == "id"))
    result = send_archive(db.session, archive, _wita(2026, 12, 5, 9, 0), app_ctx.config["UPLOAD_DIR"], None)
    assert (result.enqueued, result.already) == (0, 1)
    assert _count(OutboxMessage, OutboxMessage.kind == "monthly_report") == 1


def test_a_reopened_months_pdf_is_neither_sent_nor_shown_to_leaders(october, app_ctx, client):
    from coordinator.reports.archive import generate
    from coordinator.reports.facts import close_month, reopen_month

    snapshot = close_month(db.session, OCTOBER, datetime(2026, 11, 27, 2), october.coordinator.id)
    archive = generate(db.session, snapshot, "kabupaten", "", "id", datetime(2026, 11, 27, 2), None,
                       app_ctx.config["UPLOAD_DIR"])
    reopen_month(db.session, snapshot, datetime(2026, 11, 27, 3), october.coordinator.id, "Data Dinkes menyusul")
    db.session.commit()
    client.post("/login", data={"email": "koordinator@example.org", "password": "demo-kutim-2026"})
    resp = client.post(f"/reports/archive/{archive.id}/send", follow_redirects=True)
    assert "dibuka kembali" in resp.get_data(as_text=True) and _count(OutboxMessage) == 0
    assert client.get(f"/reports/archive/{archive.id}/download").status_code == 200  # coordinators keep it
    client.post("/logout")
    client.post("/login", data={"email": "pimpinan@example.org", "password": "demo-kutim-2026"})
    assert client.get(f"/reports/archive/{archive.id}/download").status_code == 404
