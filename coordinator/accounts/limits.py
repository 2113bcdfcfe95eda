"""Counting a request against a rate limit from a view: one short transaction of its own, committed at once
so the counter row is never held while the request goes on (accounts/rate_limits.py)."""
from __future__ import annotations

from coordinator.accounts import rate_limits
from coordinator.core.clock import utcnow
from coordinator.extensions import db


def count(scope: str, value: str | None, limit: int, seconds: int) -> rate_limits.Hit:
    """Call before the view writes anything: it commits."""
    hit = rate_limits.hit(db.session, rate_limits.make_key(scope, value), int(limit or 0), seconds, utcnow())
    db.session.commit()
    return hit
