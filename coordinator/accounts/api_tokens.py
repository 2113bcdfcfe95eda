"""Personal API tokens (/api/v1): created and revoked by admins, each acting as its user.

Only the SHA-256 of a secret is stored, so a copy of the database lets nobody call the API;
the secret itself is shown once, when the token is made. Plain values in, flush not commit.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.core.clock import WITA
from coordinator.core.errors import N_, DomainError
from coordinator.models import ApiToken, User

SECRET_PREFIX = "sitisek_"  # noqa: S105  (a public marker, not a secret)
DISPLAY_CHARS = 12
# A busy client would otherwise write a row on every request; a minute is precise enough for "last used".
LAST_USED_RESOLUTION = timedelta(minutes=1)
MIN_EXPIRY_YEAR, MAX_EXPIRY_YEAR = 2000, 2100  # 9999-12-31 + 1 day would overflow


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def expiry_of(day: date | None) -> datetime | None:
    """An expiry date means through that whole day in Kutai Timur (WITA); stored as naive UTC."""
    if day is None:
        return None
    if not MIN_EXPIRY_YEAR <= day.year <= MAX_EXPIRY_YEAR:
        raise DomainError(N_("Tahun harus antara %(lo)d dan %(hi)d."), "expires_at", lo=MIN_EXPIRY_YEAR,
                          hi=MAX_EXPIRY_YEAR)
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=WITA).astimezone(UTC).replace(tzinfo=None)


def create_token(session: Session, user_id: int, name: str, expires_at: datetime | None,
                 created_by_id: int | None, now: datetime) -> tuple[ApiToken, str]:
    """A new token for an active user; returns it with its secret, which is never stored."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise DomainError(N_("Pilihan tidak sah."), "user_id")
    name = (name or "").strip()
    if not name:
        raise DomainError(N_("Wajib diisi."), "name")
    if expires_at is not None and expires_at <= now:
        raise DomainError(N_("Tanggal tidak sah."), "expires_at")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name[:120], token_hash=hash_secret(secret),
                     prefix=secret[:DISPLAY_CHARS], created_at=now, created_by_id=created_by_id,
                     expires_at=expires_at)
    session.add(token)
    session.flush()
    return token, secret


def revoke_token(session: Session, token: ApiToken, by_id: int | None, now: datetime) -> None:
    """Revoking twice keeps the first date and who did it."""
    if token.revoked_at is None:
        token.revoked_at = now
        token.revoked_by_id = by_id
        session.flush()


def user_for_token(session: Session, secret: str, now: datetime) -> User | None:
    """The user a presented secret acts as, or None (unknown, revoked, expired, inactive user)."""
    if not secret or not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    # Looked up by hash: no secret comparison in Python that timing could reveal.
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    user = token.user
    if user is None or not user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        session.flush()
    return user


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))
