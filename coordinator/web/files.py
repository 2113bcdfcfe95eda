"""Serving an uploaded file (evidence, meeting files) to someone allowed to read it."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response, abort, send_file

INLINE_TYPES = ("application/pdf", "image/jpeg", "image/png")


def private_file_response(path: Path, upload: Any) -> Response:
    """`upload`: the file's row (its content type and original name). PDFs and pictures open in the browser,
    other files download; never cached, and the file's own content may run no script (a PDF viewer or picture
    needs none). A file missing from the disk is a 404."""
    if not path.is_file():
        abort(404)
    content_type, name = upload.content_type, upload.original_name
    response: Response = send_file(path, mimetype=content_type, as_attachment=content_type not in INLINE_TYPES,
                                   download_name=name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response
