"""Sign-in, throttling of failed logins, and user accounts."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coordinator.accounts import passwords
from coordinator.core.errors import N_, DomainError
from coordinator.models import ROLE_ADMIN, ROLE_FOCAL, ROLES, Agency, LoginAttempt, User, new_session_token
from coordinator.models.user import ATTEMPT_LOGIN, ATTEMPT_RESET_DONE


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def recent_failures(
    session: Session, email: str, ip: str | None, now: datetime, window_minutes: int
) -> tuple[int, int]:
    since = now - timedelta(minutes=window_minutes)
    # A sign-in, or a new password set through an emailed link, proves the owner: earlier failures stop counting.
    last_ok = session.scalar(
        select(func.max(LoginAttempt.at)).where(LoginAttempt.email == email, LoginAttempt.success.is_(True),
                                                LoginAttempt.kind.in_((ATTEMPT_LOGIN, ATTEMPT_RESET_DONE)))
    )
    start = max(since, last_ok) if last_ok else since
    failed_login = (LoginAttempt.kind == ATTEMPT_LOGIN, LoginAttempt.success.is_(False))
    by_email = session.scalar(
        select(func.count()).where(LoginAttempt.email == email, *failed_login, LoginAttempt.at > start)
    ) or 0
    by_ip = 0
    if ip:
        by_ip = session.scalar(
            select(func.count()).where(LoginAttempt.ip == ip, *failed_login, LoginAttempt.at > since)
        ) or 0
    return by_email, by_ip


def is_throttled(session: Session, email: str, ip: str | None, now: datetime, max_failures: int, window: int) -> bool:
    by_email, by_ip = recent_failures(session, email, ip, now, window)
    # An address gets more room than one account: an office shares one NAT address.
    return by_email >= max_failures or by_ip >= max_failures * 6


def record_attempt(session: Session, email: str, ip: str | None, now: datetime, success: bool,
                   kind: str = ATTEMPT_LOGIN, user_agent: str | None = None) -> LoginAttempt:
    """One row of the login history (and, for kind "login", of the throttling)."""
    attempt = LoginAttempt(email=normalise_email(email)[:200], ip=ip[:64] if ip else None, at=now, success=success,
                           kind=kind, user_agent=user_agent[:300] if user_agent else None)
    session.add(attempt)
    return attempt


def authenticate(session: Session, email: str, password: str, ip: str | None, now: datetime,
                 user_agent: str | None = None, hash_method: str = "scrypt") -> User | None:
    """The active account with this email and password, or None. Exactly one password hash is checked
    whether the account exists, is inactive or is known (an unknown one against a dummy hash made with
    `hash_method`, the application's PASSWORD_HASH_METHOD): the time of the answer tells nothing."""
    email = normalise_email(email)
    passwords.dummy_hash(hash_method)
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        ok = passwords.check_nothing(password, hash_method)
    else:
        ok = user.check_password(password) and bool(user.active)
    record_attempt(session, email, ip, now, ok, user_agent=user_agent)
    return user if ok else None


def end_other_sessions(user: User) -> None:
    user.session_token = new_session_token()


def create_user(
    session: Session, *, email: str, name: str, password: str, role: str, agency_id: int | None,
    locale: str, now: datetime, actor: User | None = None, active: bool = True,
) -> User:
    """A new account. `actor` is the coordinator or admin making it; None is the command line."""
    email = normalise_email(email)
    _check_account_data(session, actor, None, email, role, agency_id)
    passwords.check(password, email=email, name=name)
    user = User(email=email, name=name.strip(), role=role, agency_id=agency_id,
                locale=locale if locale in ("id", "en") else "id", created_at=now, active=bool(active))
    user.set_password(password)
    session.add(user)
    session.flush()
    return user


# --- Account management by coordinators and admins -------------------------------------------------
# These raise DomainError naming the form field, so the view can put the message next to it.

def can_manage_account(actor: User, target: User | None) -> bool:
    """Coordinators and admins manage accounts; only admins manage admin accounts."""
    if not actor.is_coordinator:
        return False
    return actor.is_admin or target is None or not target.is_admin


def _check_account_data(session: Session, actor: User | None, target: User | None, email: str, role: str,
                        agency_id: int | None) -> None:
    if actor is not None and not can_manage_account(actor, target):
        raise DomainError(N_("Hanya admin yang dapat mengelola akun admin."))
    if role not in ROLES:
        raise DomainError(N_("Peran tidak dikenal."), "role")
    if role == ROLE_ADMIN and actor is not None and not actor.is_admin:
        raise DomainError(N_("Hanya admin yang dapat memberi peran admin."), "role")
    if not email or "@" not in email:
        raise DomainError(N_("Alamat email tidak sah."), "email")
    clash = session.scalar(select(User.id).where(User.email == email, User.id != (target.id if target else -1)))
    if clash:
        raise DomainError(N_("Email sudah dipakai pengguna lain."), "email")
    if agency_id is not None and session.get(Agency, agency_id) is None:
        raise DomainError(N_("Instansi tidak ditemukan."), "agency_id")
    if role == ROLE_FOCAL and agency_id is None:
        raise DomainError(N_("Petugas fokal harus terhubung ke satu instansi."), "agency_id")


def update_user(
    session: Session, user: User, *, actor: User, email: str, name: str, role: str, agency_id: int | None,
    locale: str, active: bool,
) -> User:
    email = normalise_email(email)
    _check_account_data(session, actor, user, email, role, agency_id)
    if user.id == actor.id and role != user.role:
        raise DomainError(N_("Anda tidak dapat mengubah peran akun Anda sendiri."), "role")
    if user.id == actor.id and not active:
        raise DomainError(N_("Anda tidak dapat menonaktifkan akun Anda sendiri."), "active")
    if email != user.email:  # a corrected address deserves a fresh try
        user.email_undeliverable_at, user.email_undeliverable_reason = None, None
    user.email = email
    user.name = name.strip()
    user.role = role
    user.agency_id = agency_id
    user.locale = locale if locale in ("id", "en") else "id"
    _apply_active(user, active)
    session.flush()
    return user


def _apply_active(user: User, active: bool) -> None:
    if user.active and not active:
        end_other_sessions(user)  # a deactivated account is signed out everywhere
    user.active = bool(active)


def set_active(session: Session, user: User, active: bool, *, actor: User) -> User:
    if not can_manage_account(actor, user):
        raise DomainError(N_("Hanya admin yang dapat mengelola akun admin."))
    if user.id == actor.id and not active:
        raise DomainError(N_("Anda tidak dapat menonaktifkan akun Anda sendiri."), "active")
    _apply_active(user, active)
    session.flush()
    return user


def reset_password(session: Session, user: User, password: str, *, actor: User) -> User:
    """Sets a new password chosen by a coordinator or admin; the user's sessions end."""
    if not can_manage_account(actor, user):
        raise DomainError(N_("Hanya admin yang dapat mengelola akun admin."))
    passwords.check(password, email=user.email, name=user.name)
    user.set_password(password)  # also rotates the session token
    session.flush()
    return user


def change_own_password(session: Session, user: User, current: str, new: str) -> User:
    """The account page: the current password, then the rules; every other session of the user ends."""
    if not user.check_password(current):
        raise DomainError(N_("Kata sandi sekarang salah."), "current")
    passwords.check(new, email=user.email, name=user.name)
    user.set_password(new)  # also rotates the session token
    session.flush()
    return user
