"""The report's letterhead (Pemkab name, office, logo) and its delivery rules, kept by coordinators."""
from __future__ import annotations

import re
import secrets
import struct
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from coordinator.core.errors import N_, DomainError
from coordinator.models import ReportSettings
from coordinator.reports.archive import LOCALES, load_report_settings
from coordinator.reports.delivery import parse_addresses

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_SIDE = 4000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"


@dataclass
class ReportSettingsInput:
    pemkab_name: str
    office_name: str
    send_day: int
    send_time: str
    auto_send: bool
    extra_recipients: str
    default_locale: str


def logo_type(data: bytes) -> str:
    """The logo's content type by its first bytes (PNG or JPEG only: no SVG, which could carry links)."""
    if len(data) > LOGO_MAX_BYTES:
        raise DomainError(N_("Logo lebih besar dari 2 MB."), "logo")
    if data.startswith(PNG_MAGIC):
        kind = "image/png"
    elif data.startswith(JPEG_MAGIC):
        kind = "image/jpeg"
    else:
        raise DomainError(N_("Logo harus berupa gambar PNG atau JPG."), "logo")
    size = image_size(data)
    if size is None:
        raise DomainError(N_("Logo harus berupa gambar PNG atau JPG."), "logo")
    if max(size) > LOGO_MAX_SIDE:
        # A small file can hold a huge picture that every render would have to decode.
        raise DomainError(N_("Logo paling besar %(side)s × %(side)s piksel."), "logo", side=LOGO_MAX_SIDE)
    return kind


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG's IHDR or a JPEG's start-of-frame marker; None when not found."""
    if data.startswith(PNG_MAGIC):
        return struct.unpack(">II", data[16:24]) if len(data) >= 24 and data[12:16] == b"IHDR" else None
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker, length = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5:i + 9])
            return width, height
        i += 2 + length
    return None


def parse_send_time(value: str) -> str:
    m = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", (value or "").strip(), re.ASCII)
    if m is None:
        raise DomainError(N_("Jam kirim harus berbentuk JJ:MM, misalnya 08:00."), "send_time")
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def update_settings(session: Session, data: ReportSettingsInput, now: datetime, upload_dir: str,
                    logo: bytes | None = None, remove_logo: bool = False) -> ReportSettings:
    """Checks everything before changing anything; the new logo file is written last."""
    if not data.pemkab_name.strip():
        raise DomainError(N_("Wajib diisi."), "pemkab_name")
    if not 1 <= data.send_day <= 28:
        raise DomainError(N_("Tanggal kirim harus antara 1 dan 28."), "send_day")
    send_time = parse_send_time(data.send_time)
    if data.default_locale not in LOCALES:
        raise DomainError(N_("Pilihan tidak sah."), "default_locale")
    valid, invalid = parse_addresses(data.extra_recipients)
    if invalid:
        raise DomainError(N_("Alamat email tidak sah: %(addresses)s"), "extra_recipients",
                          addresses=", ".join(invalid[:5]))
    content_type = logo_type(logo) if logo is not None else None  # an empty file is not a logo: refused
    settings = load_report_settings(session)
    settings.pemkab_name = data.pemkab_name.strip()[:200]
    settings.office_name = data.office_name.strip()[:200]
    settings.send_day, settings.send_time, settings.auto_send = data.send_day, send_time, data.auto_send
    settings.extra_recipients = "\n".join(valid) or None
    settings.default_locale = data.default_locale
    settings.updated_at = now
    if logo and content_type:
        folder = Path(upload_dir) / "logo"
        folder.mkdir(parents=True, exist_ok=True)
        stored = f"{secrets.token_hex(16)}.{'png' if content_type == 'image/png' else 'jpg'}"
        (folder / stored).write_bytes(logo)  # the old file stays: archived reports were made with it
        settings.logo_stored_name, settings.logo_content_type = stored, content_type
    elif remove_logo:
        settings.logo_stored_name = settings.logo_content_type = None
    session.flush()
    return settings
