"""Evidence files of progress updates: checked by content, stored outside static/."""
from __future__ import annotations

import hashlib
import io
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from coordinator.core.errors import N_, DomainError

ALLOWED = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass
class IncomingFile:
    filename: str
    data: bytes


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def _content_matches(ext: str, data: bytes) -> bool:
    """The bytes must be what the name claims, so a renamed .html cannot slip in."""
    if ext == "pdf":
        return data.startswith(b"%PDF-")
    if ext in ("jpg", "jpeg"):
        return data.startswith(b"\xff\xd8\xff")
    if ext == "png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in ("xlsx", "docx"):
        if not data.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except zipfile.BadZipFile:
            return False
        return "[Content_Types].xml" in names and ("xl/workbook.xml" in names if ext == "xlsx"
                                                   else "word/document.xml" in names)
    return False


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
        raise DomainError(N_("Isi berkas %(name)s tidak sesuai dengan jenisnya."), "files", name=name)
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
