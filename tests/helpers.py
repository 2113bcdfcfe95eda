"""Small real files for upload tests."""
import io
import zipfile

from openpyxl import Workbook

MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
               b"trailer<</Root 1 0 R>>\n%%EOF\n")
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
