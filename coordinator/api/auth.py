"""Bearer tokens: each API request runs as the token's user, and never through the cookie session.

The user is put where Flask-Login looks for it (g._login_user) for this request only: no login_user(),
so nothing is written to the session and no cookie is sent; a browser's session cookie alone is ignored.
"""
from __future__ import annotations

from flask import Response, abort, current_app, g, request, session
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin

from coordinator.accounts import api_tokens, rate_limits
from coordinator.api.blueprint import bp
from coordinator.api.errors import json_error
from coordinator.core import audit
from coordinator.core.clock import utcnow
from coordinator.extensions import db

PUBLIC_ENDPOINTS = {"api.openapi"}


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def _rate_limited(secret: str) -> Response | None:
    """API_RATE_LIMIT_PER_MINUTE requests per token in each clock minute, counted in the database so the
    limit holds across workers; over it, 429 with Retry-After (seconds to the next minute)."""
    limit = int(current_app.config.get("API_RATE_LIMIT_PER_MINUTE") or 0)
    key = rate_limits.make_key("api-token", api_tokens.hash_secret(secret)[:32])
    hit = rate_limits.hit(db.session, key, limit, 60, utcnow())
    db.session.commit()
    if hit.allowed:
        return None
    message = _("Terlalu banyak permintaan: paling banyak %(n)d per menit untuk setiap token. Coba lagi dalam "
                "%(s)d detik.", n=limit, s=hit.retry_after)
    return json_error(429, message, headers={"Retry-After": str(hit.retry_after)})


@bp.before_request
def _authenticate() -> Response | None:
    # Whatever the cookie said, this request starts anonymous.
    g._login_user = AnonymousUserMixin()
    g.api_user = None
    audit.current_actor_id.set(None)
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    secret = _bearer()
    user = api_tokens.user_for_token(db.session, secret, utcnow()) if secret else None
    if user is None:
        db.session.rollback()
        abort(401)
    if db.session.dirty:
        db.session.commit()  # last_used_at, at most once a minute
    g._login_user = user
    g.api_user = user
    audit.current_actor_id.set(user.id)
    limited = _rate_limited(secret or "")
    if limited is not None:
        return limited
    # A village verifier sees only the children of their desa, which the API never serves.
    if user.is_verifier:
        abort(403)
    return None


@bp.after_request
def _no_cookie_no_cache(response: Response) -> Response:
    session.modified = False  # the cookie session is never the API's to change
    response.headers["Cache-Control"] = "no-store"
    return response
