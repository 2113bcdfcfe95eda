"""Evidence files are checked by their structure, not only their first bytes: a file that claims to be a PDF,
JPEG, PNG, XLSX or DOCX must open as one. Real files made here (pypdf, Pillow, openpyxl) pass; damaged, truncated
or forged ones are refused with a message in Indonesian, and the progress form saves nothing (all or nothing)."""
from __future__ import annotations

import io
import os
import random
import struct
import time
import zipfile
import zlib

import pytest
from PIL import Image
from pypdf import PdfWriter
from sqlalchemy import func, select

from coordinator.actions.evidence import (
    DAMAGED,
    IMAGE_TOO_BIG,
    MISMATCH,
    PDF_LOCKED,
    UNPACKS_TOO_BIG,
    IncomingFile,
    check_file,
)
from coordinator.core.errors import DomainError
from coordinator.extensions import db
from coordinator.models import Evidence, ProgressUpdate
from tests.helpers import MINIMAL_PDF, PNG_1PX, xlsx_bytes

LIMIT = 10 * 1024 * 1024
NOISE = random.Random(13)


def noise(n: int) -> bytes:
    return NOISE.randbytes(n)


def image_bytes(fmt: str, size=(640, 480), **options) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 40).convert("RGB").save(out, fmt, **options)
    return out.getvalue()


ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def interlaced_png(img: Image.Image) -> bytes:
    """An Adam7-interlaced RGB PNG (Pillow writes none): seven passes of other sizes, empty ones left out. Pillow
    must read back the very pixels, so the file is right before the check is asked about it."""
    width, height = img.size
    pixels = img.tobytes()
    raw = bytearray()
    for x0, y0, dx, dy in ADAM7:
        for y in range(y0, height, dy):
            row = b"".join(pixels[(y * width + x) * 3:(y * width + x) * 3 + 3] for x in range(x0, width, dx))
            if row:
                raw += b"\x00" + row
    data = (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 1))
            + _chunk(b"IDAT", zlib.compress(bytes(raw))) + _chunk(b"IEND", b""))
    with Image.open(io.BytesIO(data)) as back:
        assert back.info.get("interlace") == 1 and back.convert("RGB").tobytes() == pixels
    return data


def pdf_with(build) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                                           'package/2006/content-types"/>')
        zf.writestr("word/document.xml", "<w:document>" + "<w:p>Berita acara</w:p>" * 50 + "</w:document>")
    return out.getvalue()


def refused(name: str, data: bytes) -> tuple[str, dict]:
    with pytest.raises(DomainError) as err:
        check_file(IncomingFile(name, data), LIMIT)
    assert err.value.field == "files" and err.value.params["name"] == name
    return err.value.message, err.value.params


def test_real_small_files_are_accepted():
    jpeg = image_bytes("JPEG", quality=85)
    for name, data, ctype in [
        ("berita-acara.pdf", MINIMAL_PDF, "application/pdf"),
        ("laporan.pdf", pdf_with(lambda w: w.add_metadata({"/Title": "Laporan"})), "application/pdf"),
        ("pemilik.pdf", pdf_with(lambda w: w.encrypt("", owner_password="pemilik")), "application/pdf"),
        ("foto.png", PNG_1PX, "image/png"),
        ("foto-besar.png", image_bytes("PNG"), "image/png"),
        ("berselang.png", interlaced_png(Image.effect_noise((37, 23), 40).convert("RGB")), "image/png"),
        ("berselang-kecil.png", interlaced_png(Image.new("RGB", (3, 2), (1, 2, 3))), "image/png"),
        ("abu.png", _png(Image.new("LA", (33, 7), (9, 200))), "image/png"),
        ("palet.png", _png(Image.new("P", (31, 9))), "image/png"),
        ("foto.jpg", jpeg, "image/jpeg"),
        ("foto.JPEG", image_bytes("JPEG", progressive=True), "image/jpeg"),
        ("rekap.xlsx", xlsx_bytes(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("surat.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ]:
        assert check_file(IncomingFile(name, data), LIMIT) == ctype, name


def _png(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def test_pdf_header_with_a_garbage_body_is_refused():
    for name, data in [
        ("sampah.pdf", b"%PDF-1.7\n" + noise(50_000)),
        ("sampah-eof.pdf", b"%PDF-1.7\n" + noise(50_000) + b"\nstartxref\n9\n%%EOF\n"),
        ("terpotong.pdf", MINIMAL_PDF[: len(MINIMAL_PDF) // 2]),
        ("tanpa-halaman.pdf", b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]"
                              b"/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"),
        ("html.pdf", b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n"),
    ]:
        message, params = refused(name, data)
        assert message == DAMAGED and params["kind"] == "PDF", name


def test_password_protected_pdf_is_refused_with_its_own_message():
    message, _params = refused("rahasia.pdf", pdf_with(lambda w: w.encrypt("rahasia")))
    assert message == PDF_LOCKED


def test_truncated_or_damaged_png_is_refused():
    good = image_bytes("PNG")
    flipped = bytearray(good)
    flipped[len(good) // 2] ^= 0xFF  # a byte inside the pixel data: its chunk's CRC no longer matches
    for name, data in [("potong.png", PNG_1PX[:-20]), ("potong-besar.png", good[: len(good) // 2]),
                       ("rusak.png", bytes(flipped)), ("acak.png", b"\x89PNG\r\n\x1a\n" + noise(5000))]:
        message, params = refused(name, data)
        assert message == DAMAGED and params["kind"] == "PNG", name


def test_png_whose_pixels_do_not_inflate_to_its_size_is_refused():
    """Every chunk's CRC is right (Pillow's verify passes), but the compressed pixels are short: a PNG whose IDAT
    was rewritten with a good CRC. Only inflating the stream finds it."""
    good = _png(Image.new("RGB", (64, 64), (10, 20, 30)))
    start = good.index(b"IDAT") - 4
    length = struct.unpack(">I", good[start:start + 4])[0]
    short = zlib.compress(b"\x00" * 100)  # a complete stream, far fewer bytes than 64 rows need
    forged = good[:start] + _chunk(b"IDAT", short) + good[start + 12 + length:]
    Image.open(io.BytesIO(forged)).verify()  # Pillow alone would let it through
    message, _params = refused("palsu.png", forged)
    assert message == DAMAGED


def test_jpeg_header_on_random_bytes_and_truncated_jpeg_are_refused():
    good = image_bytes("JPEG", size=(1200, 900), quality=90)
    for name, data in [("acak.jpg", b"\xff\xd8\xff" + noise(200_000)),
                       ("acak-jfif.jpg", b"\xff\xd8\xff\xe0" + noise(200_000)),
                       ("potong.jpg", good[: len(good) // 2]),
                       ("png.jpg", b"\xff\xd8\xff" + PNG_1PX)]:
        message, params = refused(name, data)
        assert message == DAMAGED and params["kind"] == "JPG", name


def test_a_truncated_photo_is_refused_in_the_process_that_makes_the_reports():
    """WeasyPrint switches on Pillow's LOAD_TRUNCATED_IMAGES when imported (the web process renders the PDFs):
    a photo cut off mid-upload must still be refused, and a whole one (with a phone's trailer) accepted."""
    import weasyprint  # noqa: F401 - imported for its side effect on Pillow
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    good = image_bytes("JPEG", size=(1200, 900), quality=90)
    for cut in (len(good) // 2, len(good) - 2, len(good) * 9 // 10):
        message, params = refused("potong.jpg", good[:cut])
        assert message == DAMAGED and params["kind"] == "JPG", cut
    assert check_file(IncomingFile("foto.jpg", good + b"SEFT trailer of a phone"), LIMIT) == "image/jpeg"


def test_images_past_the_pixel_limit_are_refused_before_decoding():
    """A small file announcing a huge image (a decompression bomb): refused from its header, in no time."""
    for name, size in [("besar.png", (8000, 7000)), ("bom.png", (20_000, 20_000))]:
        data = _png(Image.new("1", size))
        assert len(data) < 2 * 1024 * 1024
        started = time.monotonic()
        message, params = refused(name, data)
        assert message == IMAGE_TOO_BIG and params["mp"] == 50, name
        assert time.monotonic() - started < 1


def test_office_files_must_be_whole_zips_of_their_kind_and_no_bombs():
    good = xlsx_bytes()
    assert refused("potong.xlsx", good[: len(good) // 2])[0] == MISMATCH  # no central directory: not a ZIP
    assert refused("tabel.docx", good)[0] == MISMATCH  # a workbook is no document
    damaged = bytearray(good)
    with zipfile.ZipFile(io.BytesIO(good)) as zf:
        first = zf.infolist()[0]
    damaged[first.header_offset + 30 + len(first.filename) + 2] ^= 0xFF  # inside the first member's data
    assert refused("rusak.xlsx", bytes(damaged))[0] == DAMAGED
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf, zipfile.ZipFile(io.BytesIO(good)) as src:
        for name in src.namelist():
            zf.writestr(name, src.read(name) if name != "xl/worksheets/sheet1.xml" else b" " * (30 * 1024 * 1024))
    started = time.monotonic()
    message, params = refused("bom.xlsx", bomb.getvalue())
    assert message == UNPACKS_TOO_BIG and params["mb"] == 100 and time.monotonic() - started < 1


def test_checks_stay_well_under_a_second_on_10_mb():
    """The worst cases found for each kind, near the 10 MB limit."""
    cases = [
        ("lines.pdf", b"%PDF-1.4\n" + b"\n" * (LIMIT - 100) + b"startxref\n9\n%%EOF\n"),
        ("objs.pdf", b"%PDF-1.4\n" + b"1 0 obj\n" * ((LIMIT - 100) // 8)),
        ("noise.pdf", b"%PDF-1.4\n" + os.urandom(LIMIT - 100) + b"\n%%EOF\n"),
        ("noise.png", b"\x89PNG\r\n\x1a\n" + os.urandom(LIMIT - 100)),
        ("noise.jpg", b"\xff\xd8\xff\xe0" + os.urandom(LIMIT - 100)),
        ("noise.xlsx", b"PK\x03\x04" + os.urandom(LIMIT - 100)),
    ]
    for name, data in cases:
        started = time.monotonic()
        with pytest.raises(DomainError):
            check_file(IncomingFile(name, data), LIMIT)
        assert time.monotonic() - started < 1.5, name


def _post(client, action_id, files):
    data = {"period": "2026-11", "percent_complete": "40", "achievements": "120 anak didata ulang",
            "files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(f"/actions/{action_id}/progress/new", data=data, content_type="multipart/form-data")


def test_one_damaged_file_refuses_the_whole_update(world, as_user, app_ctx):
    """All or nothing: good files beside a damaged one are not kept either; the form comes back with the message
    in Indonesian, and no file is left in UPLOAD_DIR."""
    client = as_user("dinsos@example.org")
    folder = os.path.join(app_ctx.config["UPLOAD_DIR"], "evidence")
    before = set(os.listdir(folder)) if os.path.isdir(folder) else set()
    resp = _post(client, world.a1.id, [("berita-acara.pdf", MINIMAL_PDF), ("foto.png", PNG_1PX),
                                       ("potong.png", PNG_1PX[:-20])])
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert "Berkas potong.png rusak atau tidak lengkap, sehingga tidak dapat dibuka sebagai PNG." in page
    assert "120 anak didata ulang" in page  # the form keeps what was typed
    assert db.session.scalar(select(func.count()).select_from(ProgressUpdate)) == 0
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0
    assert (set(os.listdir(folder)) if os.path.isdir(folder) else set()) == before
    ok = _post(client, world.a1.id, [("berita-acara.pdf", MINIMAL_PDF), ("foto.png", PNG_1PX)])
    assert ok.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == 2
