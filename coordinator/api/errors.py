"""Every error under /api/v1 as JSON: {"error": {"status", "code", "message"[, "parameter"]}}.

Messages go through gettext: the token user's language, or Accept-Language without a token,
Indonesian by default. The generic ones reuse the HTML error page's msgids.
"""
from __future__ import annotations

import re

from flask import Response, g, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from coordinator.api.blueprint import bp

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         413: "payload_too_large", 429: "too_many_requests", 500: "server_error"}

def _default_message(status: int) -> str:
    return {
        400: lambda: _("Periksa kembali permintaan Anda."),
        403: lambda: _("Anda tidak memiliki izin untuk halaman atau tindakan ini."),
        404: lambda: _("Data yang Anda cari tidak ada atau sudah dihapus."),
        405: lambda: _("Metode tidak diizinkan"),
        413: lambda: _("Kiriman terlalu besar"),
        429: lambda: _("Terlalu banyak percobaan"),
        500: lambda: _("Kesalahan ini sudah dicatat. Silakan coba lagi beberapa saat lagi."),
        401: lambda: _("Token API tidak ada, tidak dikenal, sudah dicabut atau kedaluwarsa."),
    }.get(status, lambda: _("Permintaan tidak sah"))()


class ApiError(HTTPException):
    """An error with the API's own message (already translated) and, for a 400, the parameter at fault."""

    def __init__(self, status: int, message: str | None = None, parameter: str | None = None) -> None:
        super().__init__(message)
        self.code = status
        self.message = message
        self.parameter = parameter


def bad_parameter(name: str, hint: str | None = None) -> ApiError:
    if hint:
        return ApiError(400, _("Parameter %(name)s tidak sah: %(hint)s", name=name, hint=hint), name)
    return ApiError(400, _("Parameter %(name)s tidak sah.", name=name), name)


def _client_language() -> str:
    """Before a token names its user, the client's Accept-Language (id or en), Indonesian by default."""
    return request.accept_languages.best_match(["id", "en"]) or "id"


def json_error(status: int, message: str | None = None, parameter: str | None = None,
               headers: dict[str, str] | None = None) -> Response:
    def build() -> Response:
        body: dict[str, object] = {"status": status, "code": CODES.get(status, "error"),
                                   "message": message or _default_message(status)}
        if parameter:
            body["parameter"] = parameter
        return jsonify({"error": body})

    if g.get("api_user") is None:
        with force_locale(_client_language()):
            response = build()
    else:
        response = build()
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="sitisek"'
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


@bp.errorhandler(HTTPException)
def _http_error(e: HTTPException) -> Response:
    status = e.code or 500
    extra = {}
    if status == 405 and getattr(e, "valid_methods", None):
        extra["Allow"] = ", ".join(e.valid_methods or [])  # type: ignore[attr-defined]
    if isinstance(e, ApiError):
        return json_error(status, e.message, e.parameter)
    return json_error(status, None, None, extra)


def is_api_request() -> bool:
    """For the application's own error handlers: URLs no API route matched (404, 405) still get JSON."""
    return request.path == "/api/v1" or request.path.startswith("/api/")


# Query parameters: refused with a 400 naming the parameter, where the web pages would silently ignore them.

MAX_ID = 2**31 - 1  # ids are INTEGER columns (PostgreSQL int4)
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 1000  # a dashboard may take the whole plan (about 1.000 actions at most) in one call


def query_int(name: str, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    # ASCII digits only: int() would also take " 7", "1_000" and "٧" (Arabic-Indic), which no client means.
    if not raw.isascii() or not re.fullmatch(r"-?[0-9]{1,19}", raw):
        raise bad_parameter(name)
    value = int(raw)
    if not minimum <= value <= maximum:
        raise bad_parameter(name, f"{minimum}–{maximum}")
    return value


def query_date(name: str):  # type: ignore[no-untyped-def]
    from datetime import date

    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise bad_parameter(name, "YYYY-MM-DD") from None


def query_choice(name: str, allowed: tuple[str, ...], default: str | None = None) -> str | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if raw not in allowed:
        raise bad_parameter(name, ", ".join(allowed))
    return raw


def query_text(name: str, max_length: int) -> str | None:
    raw = (request.args.get(name) or "").strip()
    if len(raw) > max_length:
        raise bad_parameter(name, f"≤ {max_length}")
    return raw or None


def page_params() -> tuple[int, int]:
    page = query_int("page", 1, 1_000_000) or 1
    per_page = query_int("per_page", 1, MAX_PER_PAGE) or DEFAULT_PER_PAGE
    return page, per_page


def page_body(items: list, page: int, per_page: int, total: int) -> dict:
    """A page beyond the end is empty, not the last page again, so a client looping over pages stops."""
    return {"items": items, "page": page, "per_page": per_page, "total": total,
            "pages": max(1, (total + per_page - 1) // per_page)}
