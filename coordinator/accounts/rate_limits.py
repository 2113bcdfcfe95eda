"""Rate limits as fixed-window counters in the database, so they hold across every gunicorn worker.

`hit(session, key, limit, seconds, now)` counts one request for `key` in the window of `seconds` that
holds `now` (windows are aligned to the epoch: a 60-second window starts on the minute) and says whether
it is still within `limit`. The count is one INSERT ... ON CONFLICT (key, window_start) DO UPDATE
SET count = count + 1 RETURNING count statement (PostgreSQL, SQLite 3.35+), so two workers counting
the same key at the same moment never lose a hit. Rows of windows that have ended are pruned whenever a
new window starts. Like the other domain modules it flushes and never commits: callers commit at once, so
the counter row is not held locked while the request goes on.

A limit of 0 (or less) means no limit: nothing is counted.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, scoped_session

from coordinator.core.rows import insert_or_ignore
from coordinator.models import RateLimitCounter

EPOCH = datetime(1970, 1, 1)
KEY_MAX = 200

AnySession = Session | scoped_session[Session]


@dataclass(frozen=True)
class Hit:
    allowed: bool
    count: int  # hits in this window, this one included
    limit: int
    retry_after: int  # seconds until the window ends (at least 1)

    @property
    def retry_minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))


def make_key(scope: str, value: str | None) -> str:
    """"scope:value"; a value that would not fit the column is replaced by its SHA-256."""
    key = f"{scope}:{value or '-'}"
    if len(key) > KEY_MAX:
        key = f"{scope}:#{hashlib.sha256((value or '').encode('utf-8')).hexdigest()}"
    return key[:KEY_MAX]


def window_of(now: datetime, seconds: int) -> tuple[datetime, datetime]:
    """The [start, end) of the fixed window holding `now` (naive UTC)."""
    elapsed = int((now - EPOCH).total_seconds())
    start = EPOCH + timedelta(seconds=elapsed - elapsed % seconds)
    return start, start + timedelta(seconds=seconds)


def _increment(session: AnySession, key: str, start: datetime, end: datetime) -> int:
    table: Any = RateLimitCounter.__table__
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = insert(table).values(key=key, window_start=start, expires_at=end, count=1)
        stmt = stmt.on_conflict_do_update(index_elements=["key", "window_start"],
                                          set_={"count": table.c.count + 1})
        return int(session.execute(stmt.returning(table.c.count)).scalar_one())
    # Other databases: the existing insert-or-ignore (a savepoint around an INSERT that the unique
    # constraint may refuse), then an UPDATE that the database serialises.
    if insert_or_ignore(session, table, {"key": key, "window_start": start, "expires_at": end, "count": 1}):
        return 1
    session.execute(update(table).where(table.c.key == key, table.c.window_start == start)
                    .values(count=table.c.count + 1))
    return int(session.scalar(select(table.c.count).where(table.c.key == key, table.c.window_start == start))
               or 1)


def hit(session: AnySession, key: str, limit: int, seconds: int, now: datetime) -> Hit:
    """Count one request for `key`; allowed while the window's count is at most `limit`."""
    start, end = window_of(now, seconds)
    retry_after = max(1, math.ceil((end - now).total_seconds()))
    if limit <= 0:
        return Hit(True, 0, limit, retry_after)
    count = _increment(session, key, start, end)
    if count == 1:  # a new window began: a good moment to forget the ended ones
        prune(session, now)
    return Hit(count <= limit, count, limit, retry_after)


def peek(session: AnySession, key: str, seconds: int, now: datetime) -> int:
    """Hits counted for `key` in the current window, without counting one."""
    start, _end = window_of(now, seconds)
    return int(session.scalar(select(RateLimitCounter.count).where(
        RateLimitCounter.key == key, RateLimitCounter.window_start == start)) or 0)


def prune(session: AnySession, now: datetime) -> int:
    """Delete the counters of windows that ended before `now`; returns how many.

    On PostgreSQL two workers pruning at once could wait on each other's rows; inside a savepoint a
    failure (even a deadlock) only skips this pruning, never the request. SQLite serialises writers.
    """
    stmt = delete(RateLimitCounter).where(RateLimitCounter.expires_at <= now)
    opts = {"synchronize_session": False}
    if session.get_bind().dialect.name != "postgresql":
        return int(getattr(session.execute(stmt, execution_options=opts), "rowcount", 0) or 0)
    try:
        with session.begin_nested():
            return int(getattr(session.execute(stmt, execution_options=opts), "rowcount", 0) or 0)
    except DBAPIError:
        return 0
