"""Reminders: what is due for whom at `now`, recorded once as in-app notifications and digest emails.

The rules (defaults from the issue, editable in ReminderSettings row 1):
- a milestone, action or meeting follow-up due in exactly N days, N in `due_soon_days` (14, 7, 1)
  -> the lead (for a follow-up, the responsible) agency's focal points (kind due_soon, stage "d-N");
- overdue on day `overdue_first_day`, then every `overdue_repeat_days` days -> the same (overdue, "late-N");
- an active action with no progress update for this month once the WITA day is >= `monthly_update_day`
  -> the same (missing_update, stage "YYYY-MM"); only a posted progress update counts, not an edit;
- an indicator without a value for its last finished period -> coordinators and its owner agency
  (missing_indicator, "YYYY-Qn"); the rules item by item are in stages.py;
- overdue more than `escalate_after_days`: on day escalate+1 and then every `overdue_repeat_days` days,
  also the agency head's address and every coordinator (escalation, "late-N").

Days are decided in WITA. Every reminder carries a unique key (recipient|item|kind|due date|stage). For a
user, the in-app Notification with that key is the ledger: a reminder goes into an email only in the run
that first records its notification, so a rerun (or a run racing this one) adds nothing, and the
month/period rules that hold for many days remind once. Addresses without a user (an agency head) only
get the day-exact escalation, and their digest key (recipient + the sorted item keys) makes a rerun a no-op.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.core.clock import wita_today
from coordinator.core.rows import insert_or_ignore
from coordinator.models import (
    KIND_ESCALATION,
    KIND_MISSING_INDICATOR,
    KIND_REVIEW_WAITING,
    KIND_WEEKLY_SUMMARY,
    Agency,
    Notification,
    NotificationPreference,
    ReminderSettings,
    User,
)
from coordinator.models.user import ROLE_ADMIN, ROLE_COORDINATOR, ROLE_FOCAL
from coordinator.notifications.center import record_notification
from coordinator.notifications.mailer import Mailer
from coordinator.notifications.outbox import DeliveryResult, deliver_pending, enqueue, outbox_key
from coordinator.reminders.digest import notification_title, render_digest, render_weekly, weekly_digests
from coordinator.reminders.kinds import DEFAULT_BASE_URL, Digest, Reminder
from coordinator.reminders.stages import due_items
from coordinator.reminders.whatsapp_digest import whatsapp_digests

DbSession = Session
@dataclass
class RunResult:
    today: date
    reminders: list[Reminder] = field(default_factory=list)
    digests: list[Digest] = field(default_factory=list)  # the emails recorded (or, dry run, that would be)
    weekly: list[Digest] = field(default_factory=list)
    whatsapp: list[tuple[str, str]] = field(default_factory=list)  # (number, text) of each WhatsApp digest
    notifications: int = 0
    enqueued: int = 0
    delivery: DeliveryResult | None = None
    dry_run: bool = False


@dataclass(frozen=True)
class _Person:
    id: int | None
    email: str
    locale: str
    flagged: bool
    email_fallback: bool = False


def load_settings(session: DbSession, create: bool = True) -> ReminderSettings:
    """Row 1, created with the defaults when missing (insert-or-ignore: two runs may start together)."""
    settings = session.get(ReminderSettings, 1)
    if settings is not None:
        return settings
    if not create:
        return ReminderSettings(id=1, due_soon_days="14,7,1", overdue_first_day=1, overdue_repeat_days=7,
                                monthly_update_day=25, escalate_after_days=14, indicator_reminders=True,
                                daily_run_time="07:00", weekly_summary_weekday=0, review_wait_days=5)
    insert_or_ignore(session, ReminderSettings.__table__, {"id": 1})
    settings = session.get(ReminderSettings, 1)
    assert settings is not None
    return settings


def local_path(url: str) -> str:
    """The bell keeps the path: it only redirects to local paths; the email keeps the absolute link."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")


def collect(session: DbSession, now: datetime, settings: ReminderSettings,
            base_url: str = DEFAULT_BASE_URL) -> list[Reminder]:
    """Every reminder due at `now` (WITA day), one per recipient and item, unique by key."""
    today = wita_today(now)
    items = due_items(session, today, settings)
    if not items:
        return []
    users = list(session.execute(
        select(User.id, User.email, User.locale, User.role, User.agency_id, User.email_undeliverable_at,
               User.whatsapp_opt_in_at.is_not(None) & User.whatsapp_failed_at.is_not(None))
        .where(User.active.is_(True), User.role.in_((ROLE_FOCAL, ROLE_COORDINATOR, ROLE_ADMIN)))))
    focal: dict[int, list[_Person]] = defaultdict(list)
    coordinators: list[_Person] = []
    for uid, email, locale, role, agency_id, flagged, fallback in users:
        person = _Person(uid, email, locale if locale in ("id", "en") else "id", flagged is not None, bool(fallback))
        if role == ROLE_FOCAL and agency_id is not None:
            focal[agency_id].append(person)
        elif role in (ROLE_COORDINATOR, ROLE_ADMIN):  # admins can do all a coordinator does
            coordinators.append(person)
    email_off = set(session.execute(select(NotificationPreference.user_id, NotificationPreference.kind)
                                    .where(NotificationPreference.email_enabled.is_(False))).all())
    agencies = {a.id: a for a in session.scalars(select(Agency))}
    heads = _heads(session, agencies)
    base = (base_url or DEFAULT_BASE_URL).rstrip("/")
    seen: set[str] = set()
    out: list[Reminder] = []
    for item in items:
        if item.kind == KIND_MISSING_INDICATOR:  # and the owner agency, when the indicator has one
            audience = coordinators + (focal.get(item.agency_id, []) if item.agency_id is not None else [])
        elif item.kind == KIND_REVIEW_WAITING:
            audience = coordinators
        elif item.kind == KIND_ESCALATION:
            head = heads.get(item.agency_id) if item.agency_id is not None else None
            audience = coordinators + ([head] if head else [])
        else:
            audience = focal.get(item.agency_id, []) if item.agency_id is not None else []
        agency = agencies.get(item.agency_id) if item.agency_id is not None else None
        for person in audience:
            key = outbox_key(person.email.lower(), f"{item.item_type}:{item.item_id}", item.kind,
                             item.due_date.isoformat(), item.stage)
            if key in seen:
                continue
            seen.add(key)
            # A person whose WhatsApp number failed for good gets every reminder by email again.
            wants = person.id is None or (person.id, item.kind) not in email_off or person.email_fallback
            out.append(Reminder(
                recipient=person.email, user_id=person.id, locale=person.locale, kind=item.kind,
                item_type=item.item_type, item_id=item.item_id, title=item.title, due_date=item.due_date,
                stage=item.stage, url=base + item.path, key=key, email=wants and not person.flagged,
                days=item.days, agency=agency.short_name if agency else None))
    return out


def _heads(session: DbSession, agencies: dict[int, Agency]) -> dict[int, _Person]:
    """Agency heads by address; when the address is a user's, that user's language and flag apply."""
    by_email = {r[1].lower(): r for r in session.execute(
        select(User.id, User.email, User.locale, User.email_undeliverable_at).where(User.active.is_(True)))}
    out = {}
    for agency_id, agency in agencies.items():
        address = (agency.head_email or "").strip()
        if not address or "@" not in address:
            continue
        user = by_email.get(address.lower())
        if user is not None:
            out[agency_id] = _Person(user[0], user[1], user[2] if user[2] in ("id", "en") else "id",
                                     user[3] is not None)
        else:
            out[agency_id] = _Person(None, address, "id", False)
    return out


def _notification_key(reminder_key: str, user_id: int) -> str:
    return outbox_key(reminder_key, f"u{user_id}")


def _existing_notification_keys(session: DbSession, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(keys), 500):
        found |= set(session.scalars(select(Notification.key).where(Notification.key.in_(keys[i:i + 500]))))
    return found


def run_reminders(session: DbSession, now: datetime, mailer: Mailer | None, dry_run: bool = False,
                  base_url: str = DEFAULT_BASE_URL, whatsapp: Any = None,
                  templates: Mapping[str, Any] | None = None) -> RunResult:
    """Record today's reminders (notifications + one digest email per recipient, + Monday's summaries, + with a
    `whatsapp` channel one WhatsApp digest per opted-in person).

    Needs an app context (templates, force_locale). Flushes without committing; when a mailer is given it
    then delivers everything pending, which commits (see outbox.deliver_pending). A dry run writes nothing
    and returns the digests that would be recorded.
    """
    settings = load_settings(session, create=not dry_run)
    today = wita_today(now)
    result = RunResult(today=today, dry_run=dry_run)
    result.reminders = collect(session, now, settings, base_url)

    by_recipient: dict[str, list[Reminder]] = defaultdict(list)
    fresh: list[Reminder] = []  # recorded by this run: what a WhatsApp digest counts
    user_rems = [r for r in result.reminders if r.user_id is not None]
    existing = _existing_notification_keys(session, [_notification_key(r.key, r.user_id or 0) for r in user_rems])
    for r in result.reminders:
        if r.user_id is not None:
            nkey = _notification_key(r.key, r.user_id)
            if nkey in existing:
                continue
            if not dry_run:
                title = render_notification_title(r)
                if not record_notification(session, key=nkey, user_id=r.user_id, kind=r.kind, title=title,
                                           url=local_path(r.url), now=now):
                    continue  # another run recorded it a moment ago: it also sends the email
                result.notifications += 1
            fresh.append(r)
        if r.email:
            by_recipient[r.recipient.lower()].append(r)

    for items in by_recipient.values():
        first = items[0]
        digest = Digest(recipient=first.recipient, user_id=first.user_id, locale=first.locale, items=items,
                        key=outbox_key(first.recipient.lower(), "digest", *sorted(r.key for r in items)))
        render_digest(digest, today)
        result.digests.append(digest)

    if today.weekday() == (settings.weekly_summary_weekday or 0):
        result.weekly = weekly_digests(session, now, base_url)
        for digest in result.weekly:
            render_weekly(digest, today)

    if whatsapp is not None:
        result.whatsapp = whatsapp_digests(session, fresh, today, now, base_url, templates, record=not dry_run)
    if dry_run:
        done = _existing_notification_keys(
            session, [_notification_key(d.key, d.user_id or 0) for d in result.weekly])
        result.weekly = [d for d in result.weekly if _notification_key(d.key, d.user_id or 0) not in done]
        return result
    for digest in result.digests:
        result.enqueued += enqueue(session, key=digest.key, recipient=digest.recipient, user_id=digest.user_id,
                                   kind="digest", subject=digest.subject, body_text=digest.body_text,
                                   body_html=digest.body_html, now=now)
    for digest in result.weekly:
        assert digest.user_id is not None
        if not record_notification(session, key=_notification_key(digest.key, digest.user_id),
                                   user_id=digest.user_id, kind=KIND_WEEKLY_SUMMARY, title=digest.subject,
                                   url=local_path(digest.url), now=now):
            continue  # this week's summary is already recorded
        result.notifications += 1
        if digest.email:
            result.enqueued += enqueue(session, key=digest.key, recipient=digest.recipient, user_id=digest.user_id,
                                       kind=KIND_WEEKLY_SUMMARY, subject=digest.subject, body_text=digest.body_text,
                                       body_html=digest.body_html, now=now)
    session.flush()
    if mailer is not None:
        result.delivery = deliver_pending(session, mailer, now, whatsapp=whatsapp)
    return result


def render_notification_title(r: Reminder) -> str:
    return notification_title(r)
