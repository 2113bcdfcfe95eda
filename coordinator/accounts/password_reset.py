"""Forgotten passwords: an emailed link that works once, for a limited time.

- `request_reset` answers nothing about the account: the caller shows the same page whatever happens.
  For an active account it stores a new PasswordResetToken (only the SHA-256 of the secret) and records
  the email in the outbox, in the user's language, with the link `BASE_URL/password/reset/<secret>`.
- `check_token` tells a working link from an unknown, expired, used or otherwise void one.
- `complete_reset` checks the new password with the password rules (passwords.check), spends the link with a
  conditional UPDATE (so two submissions at the same moment cannot both use it), spends the user's other
  open links, and sets the password, which rotates the session token: every session of the user ends.

Every request and completion is a row of the login history (LoginAttempt). Plain values in, flush, never
commit; `now` comes from the caller (core/clock.utcnow).
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from flask import render_template
from flask_babel import gettext
from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from coordinator.accounts import passwords
from coordinator.accounts.users import normalise_email, record_attempt
from coordinator.core.formatting import fmt_datetime, in_locale
from coordinator.models import OutboxMessage, PasswordResetToken, User
from coordinator.models.user import ATTEMPT_RESET_DONE, ATTEMPT_RESET_REQUEST
from coordinator.notifications.outbox import enqueue, outbox_key

# The outbox kind; its body is scrubbed once sent (outbox.SECRET_KINDS).
KIND_PASSWORD_RESET = "password_reset"  # noqa: S105
DEFAULT_LIFETIME = timedelta(minutes=60)
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{20,100}")

# check_token's verdicts
VALID, UNKNOWN, EXPIRED, USED, VOID = "valid", "unknown", "expired", "used", "void"


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def password_tag(user: User) -> str:
    """Changes whenever the password does (every hash has a fresh salt): a link made before a password
    change no longer matches."""
    return hashlib.sha256((user.password_hash or "").encode("utf-8")).hexdigest()[:16]


@dataclass
class ResetRequest:
    sent: bool  # a link was made and its email recorded
    message_id: int | None = None  # the outbox row, for sending at once


def _find_active_user(session: Session, email: str) -> User | None:
    user = session.scalar(select(User).where(User.email == email))
    return user if user is not None and user.active else None


def _email(user: User, url: str, expires_at: datetime, now: datetime) -> tuple[str, str, str]:
    with in_locale(user.locale if user.locale in ("id", "en") else "id"):
        ctx = {"name": user.name, "email": user.email, "url": url, "expires": fmt_datetime(expires_at),
               "requested": fmt_datetime(now), "lang": user.locale or "id"}
        subject = gettext("Ganti kata sandi SITISEK")
        ctx["subject"] = subject
        return (subject, render_template("email/password_reset.txt", **ctx),
                render_template("email/password_reset.html", **ctx))


def request_reset(session: Session, email: str, *, now: datetime, ip: str | None, user_agent: str | None,
                  base_url: str, lifetime: timedelta = DEFAULT_LIFETIME) -> ResetRequest:
    """For an active account with this address: a new link and its email. Always records the request in the
    login history (success: a link was sent)."""
    email = normalise_email(email)
    user = _find_active_user(session, email) if email else None
    record_attempt(session, email, ip, now, user is not None, kind=ATTEMPT_RESET_REQUEST, user_agent=user_agent)
    if user is None:
        session.flush()
        return ResetRequest(False)
    secret = secrets.token_urlsafe(32)
    token = PasswordResetToken(user_id=user.id, token_hash=hash_token(secret), password_tag=password_tag(user),
                               created_at=now, expires_at=now + lifetime, requested_ip=ip[:64] if ip else None)
    session.add(token)
    session.flush()
    url = f"{base_url.rstrip('/')}/password/reset/{secret}"
    subject, body_text, body_html = _email(user, url, token.expires_at, now)
    # The token's id makes the key unique; the secret itself is never part of it.
    key = outbox_key(user.email, f"password_reset:{token.id}", KIND_PASSWORD_RESET)
    enqueue(session, key=key, recipient=user.email, user_id=user.id, kind=KIND_PASSWORD_RESET, subject=subject,
            body_text=body_text, body_html=body_html, now=now, expires_at=token.expires_at)
    message_id = session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key))
    return ResetRequest(True, message_id)


@dataclass
class TokenCheck:
    verdict: str
    token: PasswordResetToken | None = None

    @property
    def valid(self) -> bool:
        return self.verdict == VALID


def check_token(session: Session, secret: str | None, now: datetime) -> TokenCheck:
    """VALID, or why not: UNKNOWN (never issued, mistyped, altered), EXPIRED, USED (this link or another of
    the user's was used), VOID (the account was deactivated or its password changed since)."""
    if not secret or not TOKEN_PATTERN.fullmatch(secret):
        return TokenCheck(UNKNOWN)
    token = session.scalar(select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_token(secret)))
    if token is None:
        return TokenCheck(UNKNOWN)
    if token.used_at is not None:
        return TokenCheck(USED, token)
    if token.expires_at <= now:
        return TokenCheck(EXPIRED, token)
    user = token.user
    if user is None or not user.active or token.password_tag != password_tag(user):
        return TokenCheck(VOID, token)
    return TokenCheck(VALID, token)


class InvalidLink(Exception):
    def __init__(self, verdict: str) -> None:
        super().__init__(verdict)
        self.verdict = verdict


def complete_reset(session: Session, secret: str, password: str, *, now: datetime, ip: str | None,
                   user_agent: str | None) -> User:
    """Sets the new password through a working link. Raises InvalidLink (the link does not work, or another
    request used it a moment ago) or DomainError (the password breaks the rules; the link stays usable)."""
    check = check_token(session, secret, now)
    if not check.valid or check.token is None:
        raise InvalidLink(check.verdict)
    token = check.token
    owner = token.user
    passwords.check(password, email=owner.email if owner else "", name=owner.name if owner else "")
    claimed = session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.id == token.id, PasswordResetToken.used_at.is_(None),
               PasswordResetToken.expires_at > now)
        .values(used_at=now), execution_options={"synchronize_session": False})
    if cast(CursorResult[Any], claimed).rowcount != 1:
        raise InvalidLink(USED)
    # Every other open link of the user is spent too.
    session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == token.user_id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now), execution_options={"synchronize_session": False})
    session.expire(token)
    user = session.get(User, token.user_id)
    if user is None:  # pragma: no cover - the foreign key keeps the user
        raise InvalidLink(VOID)
    user.set_password(password)  # also rotates the session token: every session ends
    record_attempt(session, user.email, ip, now, True, kind=ATTEMPT_RESET_DONE, user_agent=user_agent)
    session.flush()
    return user

