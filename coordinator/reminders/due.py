"""Reminders: what is due for whom at `now`, recorded once as in-app notifications and digest emails.

The rules (defaults from the issue, editable in ReminderSettings row 1):
- a milestone, action or meeting follow-up due in exactly N days, N in `due_soon_days` (14, 7, 1)
  -> the lead (for a follow-up, the responsible) agency's focal points (kind due_soon, stage "d-N");
- overdue on day `overdue_first_day`, then every `overdue_repeat_days` days -> the same (overdue, "late-N");
- an active action with no progress update for this month once the WITA day is >= `monthly_update_day`
  -> the same (missing_update, stage "YYYY-MM"); only a posted progress update counts, not an edit;
- an indicator without a value for its last finished period -> coordinators (missing_indicator, "YYYY-Qn");
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
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.actions.status import load_action_facts
from coordinator.core.clock import month_start, to_wita, wita_today
from coordinator.core.rows import insert_or_ignore
from coordinator.meetings.queries import open_follow_ups_for_reminders
from coordinator.models import (
    FOLLOW_UP_SUBMITTED,
    KIND_DUE_SOON,
    KIND_ESCALATION,
    KIND_MISSING_INDICATOR,
    KIND_MISSING_UPDATE,
    KIND_OVERDUE,
    KIND_REPORT_RETURNED,
    KIND_REVIEW_WAITING,
    KIND_WEEKLY_SUMMARY,
    REVIEW_RETURNED,
    REVIEW_SUBMITTED,
    Action,
    Agency,
    FollowUp,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Notification,
    NotificationPreference,
    ProgressUpdate,
    ReminderSettings,
    User,
)
from coordinator.models.user import ROLE_ADMIN, ROLE_COORDINATOR, ROLE_FOCAL
from coordinator.monitor.deadlines import CLOSED, updated_action_ids
from coordinator.notifications.center import record_notification
from coordinator.notifications.mailer import Mailer
from coordinator.notifications.outbox import DeliveryResult, deliver_pending, enqueue, outbox_key
from coordinator.reminders.digest import notification_title, render_digest, render_weekly, weekly_digests
from coordinator.reminders.kinds import DEFAULT_BASE_URL, Digest, Reminder

DbSession = Session
@dataclass
class RunResult:
    today: date
    reminders: list[Reminder] = field(default_factory=list)
    digests: list[Digest] = field(default_factory=list)  # the emails recorded (or, dry run, that would be)
    weekly: list[Digest] = field(default_factory=list)
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


@dataclass(frozen=True)
class _Item:
    kind: str
    item_type: str
    item_id: int
    title: str
    due_date: date
    stage: str
    path: str
    days: int
    agency_id: int | None


def parse_days(value: str | None) -> list[int]:
    """"14,7,1" -> [14, 7, 1]; anything that is not a positive whole number is ignored."""
    out = []
    for part in (value or "").replace(";", ",").split(","):
        part = part.strip()
        if part.isdigit() and 0 < int(part) <= 366:
            out.append(int(part))
    return sorted(set(out), reverse=True)


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


def _on_schedule(days_late: int, first: int, repeat: int) -> bool:
    if days_late < first:
        return False
    return days_late == first or (repeat > 0 and (days_late - first) % repeat == 0)


def _last_period(today: date, quarterly: bool) -> tuple[int, int | None, date]:
    """The last finished quarter (or year) at `today`: (year, quarter or None, its last day)."""
    if not quarterly:
        return today.year - 1, None, date(today.year - 1, 12, 31)
    q = (today.month - 1) // 3  # quarters finished this year
    year, quarter = (today.year, q) if q else (today.year - 1, 4)
    end_month = quarter * 3
    end = (date(year + (end_month == 12), end_month % 12 + 1, 1)) - timedelta(days=1)
    return year, quarter, end


def _items(session: DbSession, today: date, s: ReminderSettings) -> list[_Item]:
    due_soon = set(parse_days(s.due_soon_days))
    first, repeat = max(1, s.overdue_first_day or 1), max(0, s.overdue_repeat_days or 0)
    escalate = max(0, s.escalate_after_days or 0)
    out: list[_Item] = []
    facts = load_action_facts(session)
    updated = updated_action_ids(session, month_start(today)) if today.day >= (s.monthly_update_day or 1) else None
    for f in facts:
        if f.status(today) in CLOSED:
            continue
        dues = [("action", f.id, f"{f.code} {f.title}", f.due_date, f"/actions/{f.id}")]
        dues += [("milestone", m.id, f"{f.code} {f.title} — {m.title}", m.due_date, f"/actions/{f.id}#milestone-{m.id}")
                 for m in f.open_milestones()]
        for item_type, item_id, title, due, path in dues:
            days = (due - today).days
            if days in due_soon:
                out.append(_Item(KIND_DUE_SOON, item_type, item_id, title, due, f"d-{days}", path, days,
                                 f.lead_agency_id))
            elif days < 0 and _on_schedule(-days, first, repeat):
                out.append(_Item(KIND_OVERDUE, item_type, item_id, title, due, f"late-{-days}", path, days,
                                 f.lead_agency_id))
            if days < 0 and _on_schedule(-days, escalate + 1, repeat):
                out.append(_Item(KIND_ESCALATION, item_type, item_id, title, due, f"late-{-days}", path, days,
                                 f.lead_agency_id))
        if updated is not None and f.start_date <= today and f.id not in updated:
            out.append(_Item(KIND_MISSING_UPDATE, "action", f.id, f"{f.code} {f.title}", month_start(today),
                             f"{today:%Y-%m}", f"/actions/{f.id}/progress/new", 0, f.lead_agency_id))
    # Meeting follow-ups keep the same rhythm as milestones: due soon, late, escalated (meetings/queries.py).
    for fid, number, text, meeting, due, agency_id in open_follow_ups_for_reminders(session):
        days, title, path = (due - today).days, f"{meeting} #{number}: {text[:120]}", f"/follow-ups/{fid}"
        if days in due_soon:
            out.append(_Item(KIND_DUE_SOON, "follow_up", fid, title, due, f"d-{days}", path, days, agency_id))
        elif days < 0 and _on_schedule(-days, first, repeat):
            out.append(_Item(KIND_OVERDUE, "follow_up", fid, title, due, f"late-{-days}", path, days, agency_id))
        if days < 0 and _on_schedule(-days, escalate + 1, repeat):
            out.append(_Item(KIND_ESCALATION, "follow_up", fid, title, due, f"late-{-days}", path, days, agency_id))
    if s.indicator_reminders:
        out += _indicator_items(session, today)
    return out + _review_items(session, today, s, first, repeat)


def _review_items(session: DbSession, today: date, s: ReminderSettings, first: int, repeat: int) -> list[_Item]:
    """The review's two stages: a returned report not yet corrected (its agency, from the day after, then every
    `overdue_repeat_days`), and a report waiting for review `review_wait_days` days (coordinators, then as often).
    `due_date` carries the report's month; `days` how long it has been, as a negative number like lateness."""
    wait = max(1, s.review_wait_days or 5)
    out: list[_Item] = []
    rows = session.execute(
        select(ProgressUpdate.id, ProgressUpdate.review_status, ProgressUpdate.reviewed_at, ProgressUpdate.created_at,
               ProgressUpdate.period, ProgressUpdate.agency_id, Action.code, Action.title)
        .join(Action, Action.id == ProgressUpdate.action_id)
        .where(ProgressUpdate.superseded_at.is_(None), Action.deleted_at.is_(None),
               ProgressUpdate.review_status.in_((REVIEW_RETURNED, REVIEW_SUBMITTED))))
    for uid, status, reviewed_at, created_at, period, agency_id, code, title in rows:
        label = f"{code} {title}"
        if status == REVIEW_RETURNED and reviewed_at is not None:
            days = (today - to_wita(reviewed_at).date()).days
            if _on_schedule(days, first, repeat):
                out.append(_Item(KIND_REPORT_RETURNED, "progress", uid, label, period, f"returned-{days}",
                                 f"/progress/{uid}/correct", -days, agency_id))
        elif status == REVIEW_SUBMITTED:
            days = (today - to_wita(created_at).date()).days
            if _on_schedule(days, wait, repeat):
                out.append(_Item(KIND_REVIEW_WAITING, "progress", uid, label, period, f"waiting-{days}",
                                 f"/reviews/{uid}", -days, agency_id))
    for fid, number, text, submitted, due, agency_id in session.execute(
            select(FollowUp.id, FollowUp.number, FollowUp.text, FollowUp.closing_submitted_at, FollowUp.due_date,
                   FollowUp.agency_id).where(FollowUp.state == FOLLOW_UP_SUBMITTED)):
        days = (today - to_wita(submitted or datetime.min).date()).days
        if _on_schedule(days, wait, repeat):  # a follow-up reported done, waiting for the coordinator
            out.append(_Item(KIND_REVIEW_WAITING, "follow_up", fid, f"#{number}: {text[:120]}", due,
                             f"waiting-{days}", f"/follow-ups/{fid}", -days, agency_id))
    return out


def _indicator_items(session: DbSession, today: date) -> list[_Item]:
    """Indicators typed in by hand (ATS-derived ones fill themselves) missing their last period's value: to the
    coordinators and the owner agency's focal points. Quarterly or yearly as the indicator says, else quarterly
    when it has any quarterly target or value. A value waiting for review counts as entered; a returned one not."""
    indicators = list(session.execute(
        select(Indicator.id, Indicator.code, Indicator.name, Indicator.frequency, Indicator.owner_agency_id)
        .where(Indicator.deleted_at.is_(None), Indicator.ats_metric.is_(None))))
    if not indicators:
        return []
    quarterly = set(session.scalars(select(IndicatorTarget.indicator_id).where(IndicatorTarget.quarter.is_not(None))))
    quarterly |= set(session.scalars(select(IndicatorValue.indicator_id).where(IndicatorValue.quarter.is_not(None))))
    values = {(r[0], r[1], r[2]) for r in session.execute(
        select(IndicatorValue.indicator_id, IndicatorValue.year, IndicatorValue.quarter)
        .where(IndicatorValue.review_status != REVIEW_RETURNED))}
    years = {(r[0], r[1]) for r in values}
    out = []
    for ind_id, code, name, frequency, owner in indicators:
        by_quarter = frequency == "triwulanan" or (frequency is None and ind_id in quarterly)
        year, quarter, end = _last_period(today, by_quarter)
        missing = (ind_id, year, quarter) not in values if quarter else (ind_id, year) not in years
        if missing:
            stage = f"{year}-Q{quarter}" if quarter else f"{year}"
            out.append(_Item(KIND_MISSING_INDICATOR, "indicator", ind_id, f"{code} {name}", end, stage,
                             f"/indicators/{ind_id}", (end - today).days, owner))
    return out


def local_path(url: str) -> str:
    """The bell keeps the path: it only redirects to local paths; the email keeps the absolute link."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")


def collect(session: DbSession, now: datetime, settings: ReminderSettings,
            base_url: str = DEFAULT_BASE_URL) -> list[Reminder]:
    """Every reminder due at `now` (WITA day), one per recipient and item, unique by key."""
    today = wita_today(now)
    items = _items(session, today, settings)
    if not items:
        return []
    users = list(session.execute(
        select(User.id, User.email, User.locale, User.role, User.agency_id, User.email_undeliverable_at)
        .where(User.active.is_(True), User.role.in_((ROLE_FOCAL, ROLE_COORDINATOR, ROLE_ADMIN)))))
    focal: dict[int, list[_Person]] = defaultdict(list)
    coordinators: list[_Person] = []
    for uid, email, locale, role, agency_id, flagged in users:
        person = _Person(uid, email, locale if locale in ("id", "en") else "id", flagged is not None)
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
            wants = person.id is None or (person.id, item.kind) not in email_off
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
                  base_url: str = DEFAULT_BASE_URL) -> RunResult:
    """Record today's reminders (notifications + one digest email per recipient, + Monday's summaries).

    Needs an app context (templates, force_locale). Flushes without committing; when a mailer is given it
    then delivers everything pending, which commits (see outbox.deliver_pending). A dry run writes nothing
    and returns the digests that would be recorded.
    """
    settings = load_settings(session, create=not dry_run)
    today = wita_today(now)
    result = RunResult(today=today, dry_run=dry_run)
    result.reminders = collect(session, now, settings, base_url)

    by_recipient: dict[str, list[Reminder]] = defaultdict(list)
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
        result.delivery = deliver_pending(session, mailer, now)
    return result


def render_notification_title(r: Reminder) -> str:
    return notification_title(r)
