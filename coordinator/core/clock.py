"""The one clock of the application.

Everything stores naive UTC datetimes; WITA (Asia/Makassar, UTC+8) is only for
showing and for deciding which calendar day or month it is. Tests travel in time
by setting app.config["FIXED_NOW"] (or COORDINATOR_NOW in the environment for
CLI runs) to an ISO datetime in UTC.
"""
from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

WITA = ZoneInfo("Asia/Makassar")


def _parse(value: str | datetime) -> datetime:
    dt = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt


def utcnow() -> datetime:
    """Naive UTC now, honouring a fixed time set by tests or the environment."""
    fixed = None
    try:
        from flask import current_app

        fixed = current_app.config.get("FIXED_NOW")
    except RuntimeError:
        fixed = None
    fixed = fixed or os.environ.get("COORDINATOR_NOW")
    if fixed:
        return _parse(fixed)
    return datetime.now(UTC).replace(tzinfo=None)


def to_wita(dt: datetime) -> datetime:
    """Naive UTC -> aware WITA."""
    return dt.replace(tzinfo=UTC).astimezone(WITA)


def wita_today(now: datetime) -> date:
    return to_wita(now).date()


def month_start(d: date) -> date:
    return d.replace(day=1)


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, 1)


def wita_day_end_utc(d: date) -> datetime:
    """The naive UTC moment the WITA day `d` ends (midnight WITA after it): what happened before it happened on or
    before `d`."""
    return datetime.combine(d + timedelta(days=1), datetime.min.time(), tzinfo=WITA).astimezone(UTC).replace(
        tzinfo=None)
