"""The admins' login history: sign-in attempts and password resets, newest first."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, scoped_session

from coordinator.models import LoginAttempt
from coordinator.models.user import ATTEMPT_KINDS


@dataclass
class LoginFilter:
    email: str | None = None  # part of the address, any case
    success: bool | None = None
    kind: str | None = None  # one of ATTEMPT_KINDS


def login_page(session: Session | scoped_session[Session], f: LoginFilter, page: int, page_size: int
               ) -> tuple[list[LoginAttempt], int, int, int]:
    """One page of attempts matching the filter; returns (rows, total, pages, the page shown)."""
    stmt = select(LoginAttempt)
    if f.email:
        escaped = f.email.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(LoginAttempt.email.like(f"%{escaped}%", escape="\\"))
    if f.success is not None:
        stmt = stmt.where(LoginAttempt.success.is_(f.success))
    if f.kind in ATTEMPT_KINDS:
        stmt = stmt.where(LoginAttempt.kind == f.kind)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // page_size))
    page = min(max(page, 1), pages)
    rows = list(session.scalars(stmt.order_by(LoginAttempt.at.desc(), LoginAttempt.id.desc())
                                .offset((page - 1) * page_size).limit(page_size)))
    return rows, total, pages, page


def prune_login_history(session: Session | scoped_session[Session], now: datetime, keep_days: int) -> int:
    """Deletes attempts older than `keep_days` (addresses and browsers are personal data, kept only as long as
    an admin may need to look back); 0 keeps everything. Returns how many went; the caller commits."""
    if keep_days <= 0:
        return 0
    done = session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - timedelta(days=keep_days)),
                           execution_options={"synchronize_session": False})
    return int(getattr(done, "rowcount", 0) or 0)
