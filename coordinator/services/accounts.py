"""Sign-in, throttling of failed logins, and user accounts."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import ROLE_FOCAL, ROLES, Agency, LoginAttempt, User, new_session_token


class AccountError(ValueError):
    """A user-facing problem with account data (message is translatable text)."""


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def recent_failures(session: Session, email: str, ip: str | None, now: datetime, window_minutes: int) -> tuple[int, int]:
    since = now - timedelta(minutes=window_minutes)
    last_ok = session.scalar(
        select(func.max(LoginAttempt.at)).where(LoginAttempt.email == email, LoginAttempt.success.is_(True))
    )
    start = max(since, last_ok) if last_ok else since
    by_email = session.scalar(
        select(func.count()).where(LoginAttempt.email == email, LoginAttempt.success.is_(False), LoginAttempt.at > start)
    ) or 0
    by_ip = 0
    if ip:
        by_ip = session.scalar(
            select(func.count()).where(LoginAttempt.ip == ip, LoginAttempt.success.is_(False), LoginAttempt.at > since)
        ) or 0
    return by_email, by_ip


def is_throttled(session: Session, email: str, ip: str | None, now: datetime, max_failures: int, window: int) -> bool:
    by_email, by_ip = recent_failures(session, email, ip, now, window)
    # An address gets more room than one account: an office shares one NAT address.
    return by_email >= max_failures or by_ip >= max_failures * 6


def authenticate(session: Session, email: str, password: str, ip: str | None, now: datetime) -> User | None:
    email = normalise_email(email)
    user = session.scalar(select(User).where(User.email == email))
    ok = bool(user and user.active and user.check_password(password))
    session.add(LoginAttempt(email=email, ip=ip, at=now, success=ok))
    return user if ok else None


def end_other_sessions(user: User) -> None:
    user.session_token = new_session_token()


def create_user(
    session: Session, *, email: str, name: str, password: str, role: str, agency_id: int | None,
    locale: str, now: datetime,
) -> User:
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError("Peran tidak dikenal.")
    if session.scalar(select(User.id).where(User.email == email)):
        raise AccountError("Email sudah dipakai pengguna lain.")
    if role == ROLE_FOCAL and (agency_id is None or session.get(Agency, agency_id) is None):
        raise AccountError("Petugas fokal harus terhubung ke satu instansi.")
    if len(password) < 10:
        raise AccountError("Kata sandi minimal 10 karakter.")
    user = User(email=email, name=name.strip(), role=role, agency_id=agency_id, locale=locale, created_at=now, active=True)
    user.set_password(password)
    session.add(user)
    session.flush()
    return user
