"""Serving an uploaded file (evidence, meeting files) to someone allowed to read it."""
from __future__ import annotations

from pathlib import Path

from flask import Response, send_file

INLINE_TYPES = ("application/pdf", "image/jpeg", "image/png")


def private_file_response(path: Path, content_type: str, name: str) -> Response:
    """PDFs and pictures open in the browser, other files download; never cached, and the file's own content may
    run no script (a PDF viewer or picture needs none)."""
    response: Response = send_file(path, mimetype=content_type, as_attachment=content_type not in INLINE_TYPES,
                                   download_name=name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response
