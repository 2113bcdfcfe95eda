"""Evidence files of progress updates: checked by content and structure, stored outside static/.

The first bytes only say what a file claims to be (a renamed HTML page is refused there). Then each file must
open as what it claims: a PDF must parse with pypdf down to its first page, a JPEG decode and a PNG pass Pillow's
verify (every chunk's CRC) and inflate to exactly the size its header announces, an XLSX or DOCX be a ZIP whose
every member's CRC matches and that unpacks to a sane size. Every check is bounded on a 10 MB file (well under a
second): images are refused by their header's pixel count before anything is decoded, a JPEG is decoded at 1/8
scale, PNG data is inflated in slices and thrown away, a PDF whose end marker is not near its end is refused
before pypdf reads backwards through it line by line, and a ZIP's declared sizes bound the CRC check.
"""
from __future__ import annotations

import hashlib
import io
import struct
import unicodedata
import uuid
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

from coordinator.core.errors import N_, DomainError

ALLOWED = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


KINDS = {"pdf": "PDF", "jpg": "JPG", "jpeg": "JPG", "png": "PNG", "xlsx": "XLSX", "docx": "DOCX"}
MISMATCH = N_("Isi berkas %(name)s tidak sesuai dengan jenisnya.")
DAMAGED = N_("Berkas %(name)s rusak atau tidak lengkap, sehingga tidak dapat dibuka sebagai %(kind)s. Simpan atau "
             "ekspor ulang berkasnya, lalu unggah lagi.")
PDF_LOCKED = N_("Berkas PDF %(name)s dilindungi kata sandi. Unggah versi tanpa kata sandi agar dapat dibuka oleh "
                "yang berhak melihatnya.")
IMAGE_TOO_BIG = N_("Gambar %(name)s terlalu besar (lebih dari %(mp)s megapiksel). Perkecil gambarnya, lalu unggah "
                   "lagi.")
UNPACKS_TOO_BIG = N_("Berkas %(name)s terlalu besar setelah dibuka (lebih dari %(mb)s MB, atau dipadatkan secara "
                     "tidak wajar).")
MAX_IMAGE_PIXELS = 50_000_000  # a 50-megapixel photo; Pillow's own bomb limit (89 M) is higher
PDF_EOF_WITHIN = 8192  # %%EOF must be in the file's last bytes (a few scanners pad after it)
OFFICE_MAX_UNZIPPED = 100 * 1024 * 1024
OFFICE_MAX_RATIO = 100  # office XML packs 5-20 times; a zip bomb hundreds or thousands of times
OFFICE_MAX_MEMBERS = 10_000
INFLATE_SLICE = 1024 * 1024


class _Refused(Exception):
    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


@dataclass
class IncomingFile:
    filename: str
    data: bytes


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def _content_matches(ext: str, data: bytes) -> bool:
    """The first bytes must be what the name claims, so a renamed .html cannot slip in."""
    if ext == "pdf":
        return data.startswith(b"%PDF-")
    if ext in ("jpg", "jpeg"):
        return data.startswith(b"\xff\xd8\xff")
    if ext == "png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in ("xlsx", "docx"):
        return data.startswith(b"PK\x03\x04")
    return False


def _check_pdf(data: bytes) -> None:
    if b"%%EOF" not in data[-PDF_EOF_WITHIN:]:
        raise _Refused(DAMAGED)  # cut off, or garbage pypdf would read backwards line by line
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):  # an owner password alone still opens
            raise _Refused(PDF_LOCKED)
        if len(reader.pages) < 1:
            raise _Refused(DAMAGED)
        reader.pages[0].get("/Contents")  # walks the page tree down to the first page and reads it
    except _Refused:
        raise
    except Exception as err:  # noqa: BLE001 - pypdf raises many kinds; any of them means "cannot be opened"
        raise _Refused(DAMAGED) from err


_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # PNG colour type -> samples per pixel
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))


def _png_raw_size(width: int, height: int, depth: int, color: int, interlaced: bool) -> int:
    """Bytes of the filtered scanlines a PNG's header announces (each row: a filter byte and its samples)."""
    bits = _CHANNELS[color] * depth

    def rows(w: int, h: int) -> int:
        return 0 if w <= 0 or h <= 0 else h * (1 + (w * bits + 7) // 8)

    if not interlaced:
        return rows(width, height)
    return sum(rows((width - x0 + dx - 1) // dx, (height - y0 + dy - 1) // dy) for x0, y0, dx, dy in _ADAM7)


def _png_data_complete(data: bytes) -> bool:
    """Pillow's verify() checks each chunk's CRC, not the compressed pixels: inflate the IDAT stream in slices,
    keeping nothing, and require its end (with a good Adler-32) exactly at the size the header announces."""
    pos, expected, total, inflate = 8, -1, 0, zlib.decompressobj()
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, color, _c, _f, interlace = struct.unpack(">IIBBBBB", body)
            expected = _png_raw_size(width, height, depth, color, interlace == 1)
        elif kind == b"IDAT":
            if expected < 0 or (inflate.eof and body):  # data after the stream's end
                return False
            while body:
                total += len(inflate.decompress(body, INFLATE_SLICE))
                if total > expected:
                    return False
                body = inflate.unconsumed_tail
        elif kind == b"IEND":
            break
    return inflate.eof and total == expected


def _jpeg_data_complete(data: bytes) -> bool:
    """Walks the JPEG's marker segments to its first scan (SOS) and wants an end-of-image marker after it.
    Pillow alone cannot tell: WeasyPrint, imported by the same process for the reports, switches on Pillow's
    LOAD_TRUNCATED_IMAGES for everyone, which makes a half-uploaded photo decode as if whole. Inside a scan 0xFF
    is always stuffed (FF00) or a restart marker, so FFD9 there is the real end; data after it (some phones
    append their own) is allowed."""
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return False
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
        elif marker == 0xDA:
            return data.find(b"\xff\xd9", i) != -1
        elif 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            i += 2
        else:
            i += 2 + int.from_bytes(data[i + 2:i + 4], "big")
    return False


def _check_image(ext: str, data: bytes) -> None:
    expected = "PNG" if ext == "png" else "JPEG"
    try:
        with Image.open(io.BytesIO(data), formats=[expected]) as img:
            width, height = img.size
            if width * height > MAX_IMAGE_PIXELS:
                raise _Refused(IMAGE_TOO_BIG, mp=MAX_IMAGE_PIXELS // 1_000_000)
            img.verify()
        if expected == "PNG":
            if not _png_data_complete(data):
                raise _Refused(DAMAGED)
            return
        if not _jpeg_data_complete(data):
            raise _Refused(DAMAGED)
        with Image.open(io.BytesIO(data), formats=["JPEG"]) as img:
            img.draft(None, (max(1, width // 8), max(1, height // 8)))  # every coded byte is read, 1/64 the pixels
            img.load()
    except _Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:  # the warning if made an error
        raise _Refused(IMAGE_TOO_BIG, mp=MAX_IMAGE_PIXELS // 1_000_000) from err
    except Exception as err:  # noqa: BLE001 - Pillow raises many kinds; any of them means "cannot be opened"
        raise _Refused(DAMAGED) from err


def _check_office(ext: str, data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = zf.infolist()
            names = {m.filename for m in members}
            part = "xl/workbook.xml" if ext == "xlsx" else "word/document.xml"
            if "[Content_Types].xml" not in names or part not in names:
                raise _Refused(MISMATCH)
            unpacked = sum(m.file_size for m in members)
            if (len(members) > OFFICE_MAX_MEMBERS or unpacked > OFFICE_MAX_UNZIPPED
                    or unpacked > OFFICE_MAX_RATIO * max(1, sum(m.compress_size for m in members))):
                raise _Refused(UNPACKS_TOO_BIG, mb=OFFICE_MAX_UNZIPPED // (1024 * 1024))
            if zf.testzip() is not None:  # reads every member up to its declared size, checking its CRC
                raise _Refused(DAMAGED)
    except _Refused:
        raise
    except zipfile.BadZipFile as err:  # not a ZIP at all, or cut off before its directory
        raise _Refused(MISMATCH) from err
    except Exception as err:  # noqa: BLE001 - encrypted or unknown compression, a lying header: unreadable
        raise _Refused(DAMAGED) from err


def _check_structure(ext: str, data: bytes) -> None:
    if ext == "pdf":
        _check_pdf(data)
    elif ext in ("jpg", "jpeg", "png"):
        _check_image(ext, data)
    else:
        _check_office(ext, data)


def clean_filename(filename: str) -> str:
    """Keep a readable name for display and downloads; never used as a path. Control and format characters go
    (NUL, tabs, escapes, and bidi overrides such as U+202E, which make "bukti<U+202E>fdp.exe" read as "buktiexe.pdf");
    a long name is shortened before its extension, so it keeps its type."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf")).strip()
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[:199 - len(ext)]}.{ext}" if dot and len(ext) <= 10 else name[:200]
    return name or "berkas"


def check_file(incoming: IncomingFile, max_bytes: int) -> str:
    """Returns the content type or raises DomainError with a user message."""
    name = clean_filename(incoming.filename)
    ext = _extension(name)
    if ext not in ALLOWED:
        raise DomainError(N_("Jenis berkas %(name)s tidak diterima. Gunakan PDF, JPG, PNG, XLSX atau DOCX."),
                          "files", name=name)
    if len(incoming.data) == 0:
        raise DomainError(N_("Berkas %(name)s kosong."), "files", name=name)
    if len(incoming.data) > max_bytes:
        raise DomainError(N_("Berkas %(name)s lebih besar dari 10 MB."), "files", name=name)
    if not _content_matches(ext, incoming.data):
        raise DomainError(MISMATCH, "files", name=name)
    try:
        _check_structure(ext, incoming.data)
    except _Refused as refused:
        raise DomainError(refused.message, "files", name=name, kind=KINDS[ext], **refused.params) from refused
    return ALLOWED[ext]


def store(upload_dir: str, incoming: IncomingFile) -> tuple[str, str]:
    """Writes the bytes under a random name; returns (stored_name, sha256)."""
    folder = Path(upload_dir) / "evidence"
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{uuid.uuid4().hex}.{_extension(clean_filename(incoming.filename))}"
    (folder / stored).write_bytes(incoming.data)
    return stored, hashlib.sha256(incoming.data).hexdigest()


def path_of(upload_dir: str, stored_name: str) -> Path:
    return Path(upload_dir) / "evidence" / stored_name
