"""Small real files for upload tests."""
import io
import zipfile

from openpyxl import Workbook


def pdf_bytes(comment: bytes = b"", text: str | None = None) -> bytes:
    """A real one-page PDF (catalog, page tree, page, cross-reference table) that pypdf opens, as evidence must;
    `comment` goes in a %-comment line after the header (a PDF reader ignores it); `text`: a line on the page."""
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"]
    if text is None:
        objects.append(page + b" >>")
    else:
        stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
        objects += [page + b" /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
                    b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
                    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n" + (b"%" + comment + b"\n" if comment else b""))
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


MINIMAL_PDF = pdf_bytes()
PNG_1PX = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
           b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND"
           b"\xaeB`\x82")


def xlsx_bytes() -> bytes:
    wb = Workbook()
    wb.active.append(["desa", "jumlah"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def fake_docx_that_is_a_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("hello.txt", "not a document")
    return out.getvalue()


def closed_month_with_archive(app, now, period="2026-10"):
    """Closes `period` (real facts) and archives a stand-in PDF for it, without the cost of rendering one."""
    import hashlib
    from pathlib import Path

    from coordinator.extensions import db
    from coordinator.models import ReportArchive
    from coordinator.reports.archive import reports_dir
    from coordinator.reports.facts import close_month, parse_period

    snapshot = close_month(db.session, parse_period(period), now, None)
    folder = reports_dir(app.config["UPLOAD_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"perm-{snapshot.id}.pdf"
    (Path(folder) / stored).write_bytes(MINIMAL_PDF)
    archive = ReportArchive(snapshot_id=snapshot.id, period=snapshot.period, scope="kabupaten", scope_key="",
                            scope_name="", locale="id", revision=0, document_number="RAD-ATS/2026/10/KAB",
                            stored_name=stored, size=len(MINIMAL_PDF), pages=1,
                            sha256=hashlib.sha256(MINIMAL_PDF).hexdigest(), build_seconds=0.1, created_at=now)
    db.session.add(archive)
    db.session.flush()
    return archive


def accept_waiting_reports() -> int:
    """The coordinator accepts every progress report waiting for review (the review service, as the queue does):
    for tests of what accepted reports show. Returns how many."""
    from sqlalchemy import select

    from coordinator.core.clock import utcnow
    from coordinator.extensions import db
    from coordinator.models import REVIEW_SUBMITTED, ProgressUpdate, User
    from coordinator.review import service

    reviewer = db.session.scalar(select(User).where(User.role == "koordinator").order_by(User.id).limit(1))
    waiting = db.session.scalars(select(ProgressUpdate).where(ProgressUpdate.review_status == REVIEW_SUBMITTED,
                                                              ProgressUpdate.superseded_at.is_(None))).all()
    for report in waiting:
        service.accept(db.session, report, reviewer, utcnow())
    db.session.commit()
    return len(waiting)


def meeting_with_follow_ups(app, world, now=None):
    """A meeting of 20 November 2026 that invited Disdikbud and Dinsos (Dinsos absent), with an invitation file and
    two decisions for Dinsos: one open (due 15 December 2026) and one reported done with a PDF, waiting for review.
    Through the services, as the pages make them. Returns (meeting, open follow-up, reported follow-up)."""
    from datetime import date, datetime

    from coordinator.actions.evidence import IncomingFile
    from coordinator.extensions import db
    from coordinator.meetings import closing, service

    now = now or datetime(2026, 11, 20, 3)
    meeting = service.save_meeting(db.session, None, service.MeetingInput(
        title="Rapat koordinasi November", held_on=date(2026, 11, 20), chair="Sekda Kutai Timur",
        place="Ruang Tempudau", invited=[world.disdik.id, world.dinsos.id], present=[world.disdik.id]),
        world.coordinator.id, now)
    service.attach_files(db.session, meeting, "undangan", [IncomingFile("undangan.pdf", MINIMAL_PDF)],
                         world.coordinator.id, app.config["UPLOAD_DIR"], 10 * 1024 * 1024, now)
    open_item = service.add_follow_up(db.session, meeting, service.FollowUpInput(
        text="Padankan DTKS dengan daftar ATS", agency_id=world.dinsos.id, due_date=date(2026, 12, 15),
        action_id=world.a1.id), now)
    reported = service.add_follow_up(db.session, meeting, service.FollowUpInput(
        text="Kirim data penerima bantuan", agency_id=world.dinsos.id, due_date=date(2026, 12, 1)), now)
    closing.submit_closing(db.session, reported, "Data dikirim", [IncomingFile("data.pdf", MINIMAL_PDF)],
                           world.focal.id, app.config["UPLOAD_DIR"], 10 * 1024 * 1024, now)
    db.session.flush()
    return meeting, open_item, reported
