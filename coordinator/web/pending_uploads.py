"""Uploaded files that wait between their preview and the confirmation (ATS tables, the RAD matrix, the by-name
list).

The file and its form values live in UPLOAD_DIR/<folder>/<token>, so the confirmation saves exactly what was
previewed; the token travels in a hidden field and must be 32 hex characters (anything else is a 400). A by-name
list holds readable NIKs, so every waiting file is encrypted (Fernet under a key derived from CHILD_DATA_KEY: a
copy of the folder, or of a backup that held it, reads as noise), readable by the app's user only (0600 in a 0700
folder), left out of backups, and removed after an hour by the scheduler's hourly job (discard_stale_uploads) or
by the next upload, whichever comes first.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import time
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from flask import abort, current_app

TOKEN_RE = re.compile(r"[0-9a-f]{32}")
MAX_AGE_S = 3600
SUFFIX = "-pending"  # every folder of waiting files ends so: backups leave them out, the hourly job empties them


def _fernet(child_data_key: str) -> Fernet:
    raw = base64.urlsafe_b64decode(child_data_key.encode())
    return Fernet(base64.urlsafe_b64encode(hmac.new(raw, b"sitisek pending uploads", hashlib.sha256).digest()))


def write_private(path: Path, data: bytes) -> None:
    """A new file only the app's user reads (0600), whatever the process umask."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


class PendingUploads:
    def __init__(self, folder: str) -> None:
        assert folder.endswith(SUFFIX), folder
        self.folder = folder

    def _dir(self) -> Path:
        return Path(current_app.config["UPLOAD_DIR"]) / self.folder

    def _path(self, token: str) -> Path:
        if not TOKEN_RE.fullmatch(token or ""):
            abort(400)
        return self._dir() / token

    def keep(self, data: bytes, meta: dict[str, Any]) -> str:
        """Stores the file and its form values, encrypted; returns the token."""
        self.discard_stale()
        token = secrets.token_hex(16)
        header = json.dumps(meta).encode("utf-8")
        sealed = _fernet(str(current_app.config["CHILD_DATA_KEY"])).encrypt(
            len(header).to_bytes(4, "big") + header + data)
        path = self._path(token)
        try:
            write_private(path, sealed)
        except BaseException:
            self.discard(token)
            raise
        return token

    def load(self, token: str) -> tuple[bytes, dict[str, Any]]:
        """The file and its values; OSError or ValueError when it is gone, damaged or not ours."""
        try:
            plain = _fernet(str(current_app.config["CHILD_DATA_KEY"])).decrypt(self._path(token).read_bytes())
        except InvalidToken as err:
            raise ValueError("pending upload cannot be decrypted") from err
        size = int.from_bytes(plain[:4], "big")
        meta = json.loads(plain[4:4 + size].decode("utf-8"))
        if not isinstance(meta, dict):
            raise ValueError("pending metadata is not an object")
        return plain[4 + size:], meta

    def discard(self, token: str) -> None:
        path = self._path(token)
        path.unlink(missing_ok=True)
        path.with_suffix(".json").unlink(missing_ok=True)  # the clear metadata files of earlier versions

    def discard_stale(self, now: float | None = None, max_age_s: float = MAX_AGE_S) -> int:
        return _discard_stale(self._dir(), time.time() if now is None else now, max_age_s)


def _discard_stale(folder: Path, now: float, max_age_s: float) -> int:
    gone = 0
    for path in folder.glob("*") if folder.is_dir() else []:
        if path.is_file() and now - path.stat().st_mtime > max_age_s:
            path.unlink(missing_ok=True)
            gone += 1
    return gone


def discard_stale_uploads(upload_dir: str | Path, now: float | None = None, max_age_s: float = MAX_AGE_S) -> int:
    """Removes the waiting files nobody confirmed, of every kind: the scheduler's hourly job."""
    root, now = Path(upload_dir), time.time() if now is None else now
    return sum(_discard_stale(folder, now, max_age_s) for folder in sorted(root.glob(f"*{SUFFIX}")))
