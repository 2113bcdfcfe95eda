"""Account security: password reset links and the rate-limit counters shared by every worker."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.extensions import db
from coordinator.models.user import User


class PasswordResetToken(db.Model):
    """One emailed "choose a new password" link. Only the SHA-256 of its secret is stored.

    A link works once, until `expires_at`, for an active user whose password has not changed since
    the link was made (`password_tag`, a hash of the password hash then): a password set on the account
    page, by an admin or through another link makes every older link useless.
    """

    __tablename__ = "password_reset_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    password_tag: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]  # used, or spent because another link of the user was used
    requested_ip: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship()


class RateLimitCounter(db.Model):
    """Fixed-window counters: how often `key` (e.g. "reset-ip:10.0.0.7") was hit in the window starting at
    `window_start`. In the database, so the limits hold across every gunicorn worker and server."""

    __tablename__ = "rate_limit_counter"
    __table_args__ = (UniqueConstraint("key", "window_start", name="uq_rate_limit_counter_key_window"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    window_start: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)  # the window's end: older rows are pruned
    count: Mapped[int] = mapped_column(default=0)
