"""Small helpers shared by the blueprints: loading, access checks, redirects."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import abort, request
from flask_login import current_user, login_required

from coordinator.extensions import db

T = TypeVar("T")


def get_or_404(model: type[T], ident: Any) -> T:
    if isinstance(ident, int) and not -MAX_ID <= ident <= MAX_ID:
        abort(404)
    if isinstance(ident, str) and "\x00" in ident:  # PostgreSQL refuses NUL in text: such a code names nothing
        abort(404)
    obj = db.session.get(model, ident)
    if obj is None or getattr(obj, "deleted_at", None) is not None:
        abort(404)
    return obj


def require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def role_required(predicate: Callable[[Any], bool]) -> Callable:
    """Login required, then `predicate(current_user)` or 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            require(predicate(current_user))
            return view(*args, **kwargs)

        return wrapped

    return decorator


def safe_next(target: str | None, fallback: str) -> str:
    """Only local paths: no scheme, no host, no protocol-relative //host."""
    if not target:
        return fallback
    target = target.replace("\\", "/").strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


MAX_ID = 2**31 - 1  # ids are INTEGER columns: a larger value would overflow on PostgreSQL


def int_arg(name: str, default: int | None = None) -> int | None:
    """An integer query argument; junk or out-of-range values count as absent."""
    value = request.args.get(name, "")
    try:
        number = int(value)
    except ValueError:
        return default
    return number if -MAX_ID <= number <= MAX_ID else default


def apply_domain_error(form: Any, err: Any) -> None:
    """Puts a service's DomainError on the field it names, else on the form."""
    from flask_babel import gettext

    msg = gettext(err.message, **err.params)
    target = getattr(form, err.field, None) if err.field else None
    if target is not None and hasattr(target, "errors"):
        target.errors = list(target.errors) + [msg]
    else:
        form.form_errors.append(msg)
