"""Response headers that keep the browser on our side.

The pages carry no inline script or style, so the Content-Security-Policy can
forbid both: an injected <script> or style="" does nothing even if escaping
ever failed somewhere."""
from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))


def install(app: Flask) -> None:
    hsts_seconds = int(app.config.get("HSTS_SECONDS") or 0)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        # A view that serves a file sets its own, stricter policy (evidence): keep it.
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "geolocation=(), microphone=(), camera=(), payment=(), usb=()")
        if hsts_seconds:
            # Production only: the server is reached over TLS through nginx, and one HTTP answer with
            # this header would lock a developer's browser out of http://127.0.0.1 for a year.
            headers.setdefault("Strict-Transport-Security", f"max-age={hsts_seconds}; includeSubDomains")
        return response
