"""The bell, email preferences, the reminder rules and the admins' view of the outbox.

Queries and writes only: nothing here commits (the view commits once).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, ScalarSelect, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, scoped_session

from coordinator.core.errors import N_, DomainError
from coordinator.core.rows import insert_or_ignore
from coordinator.models import (
    COORDINATOR_KINDS,
    OUTBOX_FAILED,
    OUTBOX_PENDING,
    OUTBOX_SENDING,
    OUTBOX_SENT,
    REMINDER_KINDS,
    Notification,
    NotificationPreference,
    OutboxMessage,
    ReminderSettings,
    User,
)

AnySession = Session | scoped_session[Any]

OUTBOX_STATUSES = (OUTBOX_PENDING, OUTBOX_SENDING, OUTBOX_SENT, OUTBOX_FAILED)
DUE_SOON_MAX = 90
SETTINGS_ID = 1  # the one row; a fixed id makes two first uses at the same moment collide instead of doubling
TIME_RE = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")


def record_notification(session: AnySession, *, key: str, user_id: int, kind: str, title: str, url: str | None,
                        now: datetime, body: str | None = None) -> bool:
    """One bell notification, once per key: a rerun or a second process recording the same one adds nothing.
    True when this call recorded it. Flushes nothing else."""
    return insert_or_ignore(session, Notification.__table__, {
        "key": key, "user_id": user_id, "kind": kind, "title": title[:300], "body": body[:2000] if body else body,
        "url": url[:300] if url else url, "created_at": now}, conflict="key")


def _pages(total: int, page: int, page_size: int) -> tuple[int, int]:
    pages = max(1, -(-total // page_size))
    return pages, min(max(page, 1), pages)


# --- The bell --------------------------------------------------------------------------------------

def unread_count(session: AnySession, user_id: int) -> int:
    """One COUNT on the (user_id, read_at) index: cheap enough for every page."""
    return session.scalar(select(unread_count_of(user_id))) or 0


def unread_count_of(user_id: int) -> ScalarSelect[int]:
    """The same COUNT as a column, for the statement that loads the signed-in user."""
    return (select(func.count(Notification.id))
            .where(Notification.user_id == user_id, Notification.read_at.is_(None)).scalar_subquery())


def notification_page(session: AnySession, user_id: int, page: int,
                      page_size: int) -> tuple[list[Notification], int, int, int]:
    """The user's notifications, newest first; returns (rows, total, pages, page)."""
    total = session.scalar(select(func.count(Notification.id)).where(Notification.user_id == user_id)) or 0
    pages, page = _pages(total, page, page_size)
    rows = list(session.scalars(
        select(Notification).where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((page - 1) * page_size).limit(page_size)))
    return rows, total, pages, page


def open_notification(session: AnySession, user_id: int, notification_id: int, now: datetime) -> Notification | None:
    """The user's own notification, marked read; None when it is missing or someone else's."""
    note = session.get(Notification, notification_id)
    if note is None or note.user_id != user_id:
        return None
    if note.read_at is None:
        note.read_at = now
        session.flush()
    return note


def mark_all_read(session: AnySession, user_id: int, now: datetime) -> int:
    result = session.execute(
        update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=now), execution_options={"synchronize_session": False})
    session.flush()
    return cast(CursorResult[Any], result).rowcount


# --- Email preferences -----------------------------------------------------------------------------

def kinds_for(user: Any) -> tuple[str, ...]:
    """The kinds a user may choose about: the weekly summary goes to coordinators only."""
    if getattr(user, "is_coordinator", False):
        return REMINDER_KINDS
    return tuple(k for k in REMINDER_KINDS if k not in COORDINATOR_KINDS)


def email_preferences(session: AnySession, user_id: int) -> dict[str, bool]:
    """Email on (True) or off per kind; a kind never chosen is on."""
    prefs = dict.fromkeys(REMINDER_KINDS, True)
    rows = session.execute(select(NotificationPreference.kind, NotificationPreference.email_enabled)
                           .where(NotificationPreference.user_id == user_id))
    for kind, enabled in rows:
        if kind in prefs:
            prefs[kind] = bool(enabled)
    return prefs


def wants_email(session: AnySession, user_id: int, kind: str) -> bool:
    """For the reminder run: does this user want this kind by email?"""
    enabled = session.scalar(select(NotificationPreference.email_enabled)
                             .where(NotificationPreference.user_id == user_id, NotificationPreference.kind == kind))
    return True if enabled is None else bool(enabled)


def set_email_preferences(session: AnySession, user_id: int, choices: dict[str, bool]) -> None:
    """Stores the given kinds; unknown kinds are ignored, kinds not given keep their value."""
    existing = {p.kind: p for p in session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user_id))}
    for kind, enabled in choices.items():
        if kind not in REMINDER_KINDS:
            continue
        pref = existing.get(kind)
        if pref is None:
            session.add(NotificationPreference(user_id=user_id, kind=kind, email_enabled=bool(enabled)))
        else:
            pref.email_enabled = bool(enabled)
    session.flush()


# --- Reminder rules --------------------------------------------------------------------------------

def get_settings(session: AnySession, now: datetime) -> ReminderSettings:
    """The single row of rules, created with the defaults on first use."""
    row = session.scalar(select(ReminderSettings).order_by(ReminderSettings.id).limit(1))
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = ReminderSettings(id=SETTINGS_ID, due_soon_days="14,7,1", overdue_first_day=1,
                                   overdue_repeat_days=7, monthly_update_day=25, escalate_after_days=14,
                                   indicator_reminders=True, daily_run_time="07:00", weekly_summary_weekday=0,
                                   updated_at=now)
            session.add(row)
    except IntegrityError:  # another request created it at the same moment
        row = session.scalars(select(ReminderSettings).order_by(ReminderSettings.id).limit(1)).one()
    return row


def normalise_due_soon_days(text: str | None) -> str:
    """'14, 7,1' -> '14,7,1' (distinct, largest first); each 1-90."""
    parts = [p.strip() for p in (text or "").split(",")]
    if not any(parts):
        raise DomainError(N_("Isi paling sedikit satu jumlah hari, mis. 14,7,1."), field="due_soon_days")
    days: set[int] = set()
    for part in parts:
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= DUE_SOON_MAX:
            raise DomainError(N_("Setiap jumlah hari harus bilangan bulat 1–%(max)d, dipisah koma."),
                              field="due_soon_days", max=DUE_SOON_MAX)
        days.add(int(part))
    if len(days) > 10:
        raise DomainError(N_("Paling banyak 10 jumlah hari."), field="due_soon_days")
    return ",".join(str(d) for d in sorted(days, reverse=True))


def due_soon_list(settings: ReminderSettings) -> list[int]:
    """The stored list as numbers, for the reminder run (junk in the row is skipped)."""
    return sorted({int(p) for p in settings.due_soon_days.split(",") if p.strip().isdigit()}, reverse=True)


def check_run_time(text: str | None) -> str:
    """'07:00' (24-hour WITA time, two digits each)."""
    run_time = (text or "").strip()
    if not TIME_RE.fullmatch(run_time):
        raise DomainError(N_("Tulis jam sebagai JJ:MM, mis. 07:00."), field="daily_run_time")
    return run_time


@dataclass
class SettingsInput:
    due_soon_days: str
    overdue_first_day: int
    overdue_repeat_days: int
    monthly_update_day: int
    escalate_after_days: int
    indicator_reminders: bool
    daily_run_time: str
    weekly_summary_weekday: int
    review_wait_days: int = 5


def _check_range(value: Any, lo: int, hi: int, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise DomainError(N_("Harus antara %(lo)s dan %(hi)s."), field=field, lo=lo, hi=hi)
    return value


def update_settings(session: AnySession, data: SettingsInput, now: datetime) -> ReminderSettings:
    """Validates everything first, then changes the row: bad input changes nothing."""
    due_soon = normalise_due_soon_days(data.due_soon_days)
    values = {
        "due_soon_days": due_soon,
        "overdue_first_day": _check_range(data.overdue_first_day, 1, 90, "overdue_first_day"),
        "overdue_repeat_days": _check_range(data.overdue_repeat_days, 1, 90, "overdue_repeat_days"),
        "monthly_update_day": _check_range(data.monthly_update_day, 1, 28, "monthly_update_day"),
        "escalate_after_days": _check_range(data.escalate_after_days, 1, 365, "escalate_after_days"),
        "weekly_summary_weekday": _check_range(data.weekly_summary_weekday, 0, 6, "weekly_summary_weekday"),
        "indicator_reminders": bool(data.indicator_reminders),
        "review_wait_days": _check_range(data.review_wait_days, 1, 60, "review_wait_days"),
    }
    values["daily_run_time"] = check_run_time(data.daily_run_time)
    row = get_settings(session, now)
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_at = now
    session.flush()
    return row


# --- The outbox, for admins ------------------------------------------------------------------------

def outbox_page(session: AnySession, status: str | None, page: int,
                page_size: int) -> tuple[list[OutboxMessage], int, int, int]:
    """Newest messages first, optionally of one status; returns (rows, total, pages, page)."""
    where = [OutboxMessage.status == status] if status in OUTBOX_STATUSES else []
    total = session.scalar(select(func.count(OutboxMessage.id)).where(*where)) or 0
    pages, page = _pages(total, page, page_size)
    rows = list(session.scalars(
        select(OutboxMessage).where(*where).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .offset((page - 1) * page_size).limit(page_size)))
    return rows, total, pages, page


def outbox_counts(session: AnySession) -> dict[str, int]:
    counts = dict.fromkeys(OUTBOX_STATUSES, 0)
    for status, n in session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)):
        counts[status] = n
    return counts


def undeliverable_users(session: AnySession) -> list[User]:
    return list(session.scalars(select(User).where(User.email_undeliverable_at.is_not(None))
                                .order_by(User.email_undeliverable_at.desc(), User.id)))


def retry_message(session: AnySession, message_id: int, now: datetime) -> bool:
    """A failed or pending message back to pending now, with a fresh set of attempts.

    A conditional UPDATE: a message a delivery run has claimed (sending) or already sent is left alone.
    """
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status.in_((OUTBOX_FAILED, OUTBOX_PENDING)))
        .values(status=OUTBOX_PENDING, next_attempt_at=now, attempts=0, claim_token=None, claimed_at=None),
        execution_options={"synchronize_session": False})
    retried = cast(CursorResult[Any], result).rowcount == 1
    if retried:
        # An admin retrying says the address is worth another try: the refusal flag would fail it at once.
        user_id = session.scalar(select(OutboxMessage.user_id).where(OutboxMessage.id == message_id))
        if user_id is not None:
            session.execute(update(User).where(User.id == user_id).values(
                email_undeliverable_at=None, email_undeliverable_reason=None))
    session.flush()
    return retried
