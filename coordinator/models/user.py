"""Users, roles and the record of login attempts (throttling, login history)."""
from __future__ import annotations

import secrets
from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from coordinator.extensions import db
from coordinator.models.agency import Agency

ROLE_ADMIN = "admin"
ROLE_COORDINATOR = "koordinator"
ROLE_FOCAL = "fokal"
ROLE_LEADER = "pimpinan"
ROLE_VERIFIER = "verifikator"  # village verifier: a PKK cadre, RT head or village operator, scoped to desa
ROLES = (ROLE_ADMIN, ROLE_COORDINATOR, ROLE_FOCAL, ROLE_LEADER, ROLE_VERIFIER)


def new_session_token() -> str:
    return secrets.token_hex(16)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    locale: Mapped[str] = mapped_column(String(5), default="id")
    # Rotated on logout and password change so that every other session ends.
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    # Set when the mail server refused the address for good (5xx): reminders stop until an admin fixes it.
    email_undeliverable_at: Mapped[datetime | None]
    email_undeliverable_reason: Mapped[str | None] = mapped_column(String(300))
    # WhatsApp: the number in E.164 (+628…), the moment its owner opted in (None: not opted in), and when the
    # provider said the number cannot receive messages for good (then reminders fall back to email).
    phone: Mapped[str | None] = mapped_column(String(20))
    whatsapp_opt_in_at: Mapped[datetime | None]
    whatsapp_failed_at: Mapped[datetime | None]
    whatsapp_failed_reason: Mapped[str | None] = mapped_column(String(300))

    agency: Mapped[Agency | None] = relationship()

    def set_password(self, password: str) -> None:
        method = "scrypt"
        if has_app_context():
            method = current_app.config.get("PASSWORD_HASH_METHOD", method)
        self.password_hash = generate_password_hash(password, method=method)
        self.session_token = new_session_token()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == ROLE_ADMIN

    @property
    def is_coordinator(self) -> bool:
        """Coordinators and admins may change the plan."""
        return self.role in (ROLE_ADMIN, ROLE_COORDINATOR)

    @property
    def is_focal(self) -> bool:
        return self.role == ROLE_FOCAL

    @property
    def is_leader(self) -> bool:
        return self.role == ROLE_LEADER

    @property
    def is_verifier(self) -> bool:
        return self.role == ROLE_VERIFIER


# What a LoginAttempt row records. Only "login" rows count for the throttling of failed logins.
ATTEMPT_LOGIN = "login"
ATTEMPT_RESET_REQUEST = "reset_request"  # success: a reset link was emailed (an active account has the address)
ATTEMPT_RESET_DONE = "reset_done"  # a new password was set through a reset link
ATTEMPT_KINDS = (ATTEMPT_LOGIN, ATTEMPT_RESET_REQUEST, ATTEMPT_RESET_DONE)


class LoginAttempt(db.Model):
    """Sign-in attempts and password resets: the throttling of failed logins and the admins' login history."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), index=True)
    ip: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(index=True)
    success: Mapped[bool]
    kind: Mapped[str] = mapped_column(String(20), default=ATTEMPT_LOGIN, server_default=ATTEMPT_LOGIN)
    user_agent: Mapped[str | None] = mapped_column(String(300))
