"""The data revision: a token that changes with every commit that changes what the pages show.

Pages whose content is the same for everyone of a role and agency (the deadline monitor, the action list, the ATS
pages) are kept rendered per process, keyed by this token (coordinator/web/page_cache.py). Every commit through a
session of this app that adds, changes or deletes a row of a table outside BOOKKEEPING, whether by the ORM or by an
INSERT/UPDATE/DELETE statement, replaces the token in the same transaction: a progress update saved by one gunicorn
worker, an ATS import by the CLI or a restore is seen at once by every worker. Rows written while only reading
(rate-limit counters, login history, the children's-data access log, the outbox, the bell's notifications) do not
count, or every page view would empty the caches; nor do the reminder settings, which no kept page shows.
"""
from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import ScalarSelect, event, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import ORMExecuteState, Session

from coordinator.core.clock import utcnow
from coordinator.models import DataRevision

BOOKKEEPING = frozenset({
    # written while reading, or alongside a change that counts anyway
    "data_revision", "rate_limit_counter", "login_attempt", "child_access_log", "outbox_message", "notification",
    "password_reset_token", "api_token", "audit_entry",
    # read by the reminder runs and their settings page only, never by a kept page (the first run stores it)
    "reminder_settings",
})
_CHANGED = "data_revision_changed"
_SEEN = "data_revision_seen"
T = TypeVar("T")


def current_token(session: Session) -> str | None:
    """The token now, as this session's transaction sees it; None before the first revision row exists."""
    return session.scalar(select(DataRevision.token).where(DataRevision.id == 1))


def token_of_row() -> ScalarSelect[str]:
    """The token as a column, so the statement that loads the signed-in user reads it in the same round trip."""
    return select(DataRevision.token).where(DataRevision.id == 1).scalar_subquery()


def remember_token(session: Session, token: str | None) -> None:
    """The token read with the user at the start of a request: token_for_reading need not ask again."""
    session.info[_SEEN] = token or ""


def token_for_reading(session: Session) -> str | None:
    """The token for keying caches, read once per transaction; None (use no cache) while the session holds
    changes of its own or before the first revision row exists."""
    if has_unsaved_changes(session):
        return None
    token = session.info.get(_SEEN)
    if token is None:
        token = session.info[_SEEN] = current_token(session) or ""
    return token or None


class _Memo:
    """Values computed from the data, kept for the current token only: a new token drops them all."""

    def __init__(self) -> None:
        self.token: str | None = None
        self.values: dict[tuple[Any, ...], Any] = {}
        self.lock = threading.Lock()


_MEMO = _Memo()


def memoized(session: Session, key: tuple[Any, ...], build: Callable[[], T]) -> T:
    """`build()`, computed once per process and data revision for `key`. For values that only the data
    determines (the area tree, the active interventions per area on a given day); callers must not change
    what they get."""
    token = token_for_reading(session)
    if token is None:
        return build()
    with _MEMO.lock:
        if _MEMO.token == token and key in _MEMO.values:
            return _MEMO.values[key]  # type: ignore[no-any-return]
    value = build()
    if not has_unsaved_changes(session):
        with _MEMO.lock:
            if _MEMO.token != token:
                _MEMO.token, _MEMO.values = token, {}
            _MEMO.values[key] = value
    return value


def has_unsaved_changes(session: Session) -> bool:
    """True while this session holds changes that are not committed yet: a page built now would show them
    before anyone else sees them, so it must be neither taken from nor put into a cache."""
    return bool(session.info.get(_CHANGED)) or _touches(session.new, session.dirty, session.deleted)


def bump(session: Session) -> str:
    """Replaces the token (inside the caller's transaction) and returns the new one."""
    token, now = uuid.uuid4().hex, utcnow()
    done = session.execute(update(DataRevision).where(DataRevision.id == 1)
                           .values(token=token, changed_at=now).execution_options(synchronize_session=False))
    if not getattr(done, "rowcount", 0):  # the row went missing (a test emptied the tables): put it back
        dialect = session.get_bind().dialect.name
        if dialect not in ("postgresql", "sqlite"):  # pragma: no cover - the two engines we run on
            raise RuntimeError(f"no upsert for {dialect}")
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        row = {"id": 1, "token": token, "changed_at": now}
        session.execute(insert(DataRevision).values(**row)
                        .on_conflict_do_update(index_elements=["id"], set_={"token": token, "changed_at": now}))
    return token


def _touches(*groups: Any) -> bool:
    for group in groups:
        for obj in group:
            table = getattr(type(obj), "__table__", None)
            if table is None or table.name not in BOOKKEEPING:
                return True
    return False


def _after_flush(session: Session, _context: Any) -> None:
    if _touches(session.new, session.dirty, session.deleted):
        session.info[_CHANGED] = True


def _on_execute(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        if state.is_select:
            return
        text = str(state.statement).lstrip()[:7].upper()  # a text() statement: judged by its verb
        if not text.startswith(("INSERT", "UPDATE", "DELETE")):
            return
        state.session.info[_CHANGED] = True
        return
    name = getattr(getattr(state.statement, "table", None), "name", None)  # a Table, or an ORM entity's annotated one
    if name not in BOOKKEEPING:
        state.session.info[_CHANGED] = True


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    if session.info.get(_CHANGED) or _touches(session.new, session.dirty, session.deleted):
        bump(session)


def _forget(session: Session) -> None:
    session.info.pop(_CHANGED, None)
    session.info.pop(_SEEN, None)


def _transaction_ended(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the next transaction may see another token
        session.info.pop(_SEEN, None)


def _forget_on_rollback(session: Session, previous: Any) -> None:
    if previous.parent is None:  # the whole transaction; a savepoint's rollback leaves earlier changes standing
        _forget(session)


def install(session_factory: Any) -> None:
    for name, fn in (("after_flush", _after_flush), ("do_orm_execute", _on_execute),
                     ("before_commit", _before_commit), ("after_commit", _forget),
                     ("after_soft_rollback", _forget_on_rollback), ("after_transaction_end", _transaction_ended)):
        if not event.contains(session_factory, name, fn):
            event.listen(session_factory, name, fn)
