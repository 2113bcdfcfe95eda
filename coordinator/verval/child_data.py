"""Children's identifiers: checks, a keyed hash for lookup, encryption for display, masking.

The NIK never sits readable in the database: `nik_hash` (HMAC-SHA256 under a key derived from
CHILD_DATA_KEY) finds a child by exact NIK and de-duplicates imports; `nik_encrypted` (Fernet,
AES with an HMAC) is decrypted only when a child's record is opened in full, for those allowed; `nik_masked`
keeps only the regency's four digits (mask_nik says why).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from datetime import date

from cryptography.fernet import Fernet, InvalidToken

from coordinator.core.errors import N_

MASK = "•"


class ChildDataKey:
    """Both keys come from one configured secret (32 bytes, url-safe base64)."""

    def __init__(self, configured: str) -> None:
        raw = base64.urlsafe_b64decode(configured.encode())
        if len(raw) != 32:
            raise ValueError("CHILD_DATA_KEY must be 32 bytes in url-safe base64")
        self._lookup = hmac.new(raw, b"sitisek nik lookup", hashlib.sha256).digest()
        enc = hmac.new(raw, b"sitisek nik encryption", hashlib.sha256).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(enc))

    def nik_hash(self, nik: str) -> str:
        return hmac.new(self._lookup, nik.encode(), hashlib.sha256).hexdigest()

    def encrypt(self, value: str) -> bytes:
        return self._fernet.encrypt(value.encode())

    def decrypt(self, token: bytes | None) -> str | None:
        if token is None:
            return None
        try:
            return self._fernet.decrypt(bytes(token)).decode()
        except InvalidToken:
            return None


def key_from_config(config: dict[str, object] | object) -> ChildDataKey:
    value = config["CHILD_DATA_KEY"] if isinstance(config, dict) else config.CHILD_DATA_KEY  # type: ignore[attr-defined]
    return ChildDataKey(str(value))


def ascii_digits(text: str) -> str:
    """'６４０８' -> '6408': Unicode decimal digits to ASCII; other characters unchanged."""
    return "".join(str(unicodedata.digit(ch)) if not ch.isascii() and unicodedata.decimal(ch, None) is not None
                   else ch for ch in text)


def mask_nik(nik: str | None) -> str:
    """6408041705120012 -> 6408••••••••••••: the province and regency only, which every child of a regency's list
    shares. Digits 5–12 follow from the kecamatan, the birth date and the sex, all stored in clear; with the
    serial (13–16) stored or shown as well, anyone with the database or a backup could rebuild every NIK
    without CHILD_DATA_KEY. So the mask keeps no digit that is not public."""
    if not nik:
        return "–"
    return nik[:4] + MASK * max(len(nik) - 4, 0)


def mask_date(value: date | None) -> str:
    """Only the year: ••/••/2012."""
    return f"{MASK}{MASK}/{MASK}{MASK}/{value.year}" if value else "–"


def mask_name(name: str | None) -> str:
    """'Ahmad Rizki' -> 'Ah*** Ri***': for those who may know that a child is listed, not who."""
    if not name:
        return "–"
    return " ".join(part[:2] + "***" for part in name.split())


def nik_birth_date(nik: str) -> tuple[date | None, str | None]:
    """The birth date and sex a NIK encodes (digits 7–12: DDMMYY, day + 40 for girls)."""
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "P" if day > 40 else "L"
    day = day - 40 if day > 40 else day
    century = 2000 if year <= 40 else 1900  # the list holds children and young people, born after 1940
    try:
        return date(century + year, month, day), sex
    except ValueError:
        return None, sex


def check_nik(nik: str, birth: date | None, sex: str | None) -> str | None:
    """None when the NIK is well formed and agrees with the birth date (and sex, when given); else why not."""
    if not re.fullmatch(r"[0-9]{16}", nik):
        return N_("NIK harus 16 angka.")
    encoded, encoded_sex = nik_birth_date(nik)
    if encoded is None:
        return N_("Tanggal lahir di dalam NIK tidak sah.")
    if birth is not None and (encoded.day, encoded.month, encoded.year % 100) != (birth.day, birth.month,
                                                                                  birth.year % 100):
        return N_("Tanggal lahir di NIK tidak cocok dengan tanggal lahir.")
    if sex in ("L", "P") and encoded_sex != sex:
        return N_("Jenis kelamin di NIK (tanggal + 40 untuk perempuan) tidak cocok dengan jenis kelamin.")
    return None
