"""Uploaded files that wait between their preview and the confirmation (ATS tables, the by-name list).

The file lives in UPLOAD_DIR/<folder>/<token>, its name and form values in <token>.json, so the
confirmation saves exactly what was previewed; the token travels in a hidden field and must be 32 hex
characters (anything else is a 400). A file nobody confirmed goes after an hour: a by-name list holds
readable NIKs.
"""
from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path
from typing import Any

from flask import abort, current_app

TOKEN_RE = re.compile(r"[0-9a-f]{32}")
MAX_AGE_S = 3600


class PendingUploads:
    def __init__(self, folder: str) -> None:
        self.folder = folder

    def _dir(self) -> Path:
        return Path(current_app.config["UPLOAD_DIR"]) / self.folder

    def _path(self, token: str) -> Path:
        if not TOKEN_RE.fullmatch(token or ""):
            abort(400)
        return self._dir() / token

    def keep(self, data: bytes, meta: dict[str, Any]) -> str:
        """Stores the file and its form values; returns the token."""
        self.discard_stale()
        token = secrets.token_hex(16)
        path = self._path(token)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            path.write_bytes(data)
            path.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")
        except BaseException:
            self.discard(token)
            raise
        return token

    def load(self, token: str) -> tuple[bytes, dict[str, Any]]:
        """The file and its values; OSError or ValueError when it is gone or damaged."""
        path = self._path(token)
        meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        if not isinstance(meta, dict):
            raise ValueError("pending metadata is not an object")
        return path.read_bytes(), meta

    def discard(self, token: str) -> None:
        path = self._path(token)
        path.unlink(missing_ok=True)
        path.with_suffix(".json").unlink(missing_ok=True)

    def discard_stale(self, now: float | None = None, max_age_s: float = MAX_AGE_S) -> int:
        folder, now = self._dir(), time.time() if now is None else now
        gone = 0
        for path in folder.glob("*") if folder.is_dir() else []:
            if path.is_file() and now - path.stat().st_mtime > max_age_s:
                path.unlink(missing_ok=True)
                gone += 1
        return gone
