"""Private iCalendar (.ics) feeds of deadlines, for Google Calendar, Outlook or a phone.

A feed belongs to one user (the deadlines of the actions they see) or to one
agency (its lead and supporting actions). Calendar apps cannot log in, so the
random token in the URL is the only secret: it can be revoked and re-created.
Only the token's SHA-256 is stored (`hash_token`, as for API tokens), so a copy
of the database or a backup opens no feed; the URL is shown once, when made.
Every event is an all-day VEVENT on the due date (the day in WITA) with a UID
stable per item, so a calendar app updates the event instead of duplicating it.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import date, datetime, timedelta

from flask_babel import force_locale, gettext
from icalendar import Alarm, Calendar, Event
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from coordinator.actions.status import ActionFacts, load_action_facts
from coordinator.core.clock import wita_today
from coordinator.models import Action, Agency, CalendarFeed, User, action_supporting_agency

DEFAULT_BASE_URL = "http://127.0.0.1:5000"
PRODID = "-//SITISEK Kutai Timur//Kalender tenggat//ID"
CLOSED_STATUSES = ("selesai", "dibatalkan")
# What secrets.token_urlsafe makes; anything else (a NUL byte would upset PostgreSQL) is not looked up.
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
PREFIX_CHARS = 6  # of the token, kept to tell links apart: 37 random characters stay secret


def hash_token(token: str) -> str:
    """What is stored and looked up. The tokens are 256 random bits, so a plain SHA-256 is enough (no salt, no
    slow hash: there is nothing to guess). migrations/versions/5b2e8d4f1a90 hashes the older tokens the same way."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class FeedOwnerError(ValueError):
    """A feed belongs to exactly one user or one agency."""


def _status_label(status: str) -> str:
    labels = {
        "belum_mulai": gettext("Belum mulai"),
        "berjalan": gettext("Berjalan"),
        "terlambat": gettext("Terlambat"),
        "selesai": gettext("Selesai"),
        "dibatalkan": gettext("Dibatalkan"),
    }
    return labels.get(status, status)


def _action_ids_for_agency(session: Session, agency_id: int) -> list[int]:
    supporting = select(action_supporting_agency.c.action_id).where(action_supporting_agency.c.agency_id == agency_id)
    stmt = select(Action.id).where(
        Action.deleted_at.is_(None), or_(Action.lead_agency_id == agency_id, Action.id.in_(supporting))
    )
    return list(session.scalars(stmt))


def _action_ids_for_user(session: Session, user: User) -> list[int] | None:
    """None means every live action (coordinators, leaders, admins)."""
    if user.is_coordinator or user.is_leader:
        return None
    if user.is_focal and user.agency_id is not None:
        return _action_ids_for_agency(session, user.agency_id)
    return []


def _build(session: Session, action_ids: list[int] | None, name: str, now: datetime, base_url: str) -> bytes:
    today = wita_today(now)
    base = base_url.rstrip("/")
    facts: list[ActionFacts] = load_action_facts(session, action_ids) if action_ids != [] else []
    agencies = {row[0]: row[1] for row in session.execute(select(Agency.id, Agency.short_name))} if facts else {}

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", gettext("SITISEK – Tenggat %(name)s", name=name))
    cal.add("x-wr-timezone", "Asia/Makassar")
    stamp = now.replace(microsecond=0)
    for fact in sorted(facts, key=lambda f: (f.due_date, f.code, f.id)):
        status = fact.status(today)
        if status in CLOSED_STATUSES:
            continue
        lead = agencies.get(fact.lead_agency_id, "")
        url = f"{base}/actions/{fact.id}"
        description = gettext("Instansi pengampu: %(lead)s\nStatus aksi: %(status)s", lead=lead,
                              status=_status_label(status))
        for ms in fact.open_milestones():
            cal.add_component(_event(
                uid=f"milestone-{ms.id}@sitisek", summary=f"[{fact.code}] {ms.title}", due=ms.due_date,
                description=gettext("Tahapan aksi %(code)s %(title)s", code=fact.code, title=fact.title)
                + "\n" + description,
                url=f"{url}#milestones", stamp=stamp))
        cal.add_component(_event(
            uid=f"action-{fact.id}@sitisek", summary=f"[{fact.code}] {fact.title}", due=fact.due_date,
            description=gettext("Tenggat aksi") + "\n" + description, url=url, stamp=stamp))
    return cal.to_ical()


def _event(*, uid: str, summary: str, due: date, description: str, url: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", due)
    event.add("dtend", due + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", f"{description}\n{url}")
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", timedelta(days=-1))
    event.add_component(alarm)
    return event


def feed_for_user(session: Session, user: User, now: datetime, *, base_url: str = DEFAULT_BASE_URL) -> bytes:
    """Deadlines of the actions the user sees, in the user's language."""
    with force_locale(user.locale if user.locale in ("id", "en") else "id"):
        return _build(session, _action_ids_for_user(session, user), user.name, now, base_url)


def feed_for_agency(session: Session, agency: Agency, now: datetime, *, base_url: str = DEFAULT_BASE_URL,
                    locale: str = "id") -> bytes:
    """Deadlines of the agency's lead and supporting actions."""
    with force_locale(locale):
        return _build(session, _action_ids_for_agency(session, agency.id), agency.short_name, now, base_url)


def feed_bytes(session: Session, feed: CalendarFeed, now: datetime, *,
               base_url: str = DEFAULT_BASE_URL) -> bytes | None:
    """The calendar of a live feed, or None when its owner is gone or deactivated."""
    if feed.revoked_at is not None:
        return None
    if feed.user_id is not None:
        user = session.get(User, feed.user_id)
        if user is None or not user.active:
            return None
        return feed_for_user(session, user, now, base_url=base_url)
    agency = session.get(Agency, feed.agency_id) if feed.agency_id is not None else None
    if agency is None:
        return None
    return feed_for_agency(session, agency, now, base_url=base_url)


def find_live(session: Session, token: str) -> CalendarFeed | None:
    if not TOKEN_RE.fullmatch(token or ""):
        return None
    # Looked up by hash: no secret comparison in Python that timing could reveal.
    return session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == hash_token(token),
                                                     CalendarFeed.revoked_at.is_(None)))


def live_feed_of(session: Session, *, user: User | None = None, agency: Agency | None = None) -> CalendarFeed | None:
    return next(iter(_live_feeds(session, user, agency)), None)


def live_agency_feeds(session: Session) -> dict[int, CalendarFeed]:
    stmt = select(CalendarFeed).where(CalendarFeed.agency_id.is_not(None), CalendarFeed.revoked_at.is_(None))
    return {f.agency_id: f for f in session.scalars(stmt.order_by(CalendarFeed.id)) if f.agency_id is not None}


def _live_feeds(session: Session, user: User | None, agency: Agency | None) -> list[CalendarFeed]:
    if (user is None) == (agency is None):
        raise FeedOwnerError("a feed belongs to exactly one user or one agency")
    stmt = select(CalendarFeed).where(CalendarFeed.revoked_at.is_(None))
    if user is not None:
        stmt = stmt.where(CalendarFeed.user_id == user.id)
    elif agency is not None:
        stmt = stmt.where(CalendarFeed.agency_id == agency.id)
    stmt = stmt.order_by(CalendarFeed.id.desc())
    return list(session.scalars(stmt))


def create_feed(session: Session, *, user: User | None = None, agency: Agency | None = None, created_by: User,
                now: datetime) -> tuple[CalendarFeed, str]:
    """A new secret URL for the owner; any earlier live feed of the same owner stops working. Returns the feed and
    its token, which is never stored: show it now or never."""
    for old in _live_feeds(session, user, agency):
        old.revoked_at = now
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(token_hash=hash_token(token), prefix=token[:PREFIX_CHARS],
                        user_id=user.id if user is not None else None,
                        agency_id=agency.id if agency is not None else None, created_by_id=created_by.id,
                        created_at=now)
    session.add(feed)
    session.flush()
    return feed, token


def revoke(session: Session, feed: CalendarFeed, now: datetime) -> None:
    if feed.revoked_at is None:
        feed.revoked_at = now
        session.flush()


def can_manage(user: User, feed: CalendarFeed) -> bool:
    """The owner of a personal feed; for an agency feed, its focal points and coordinators/admins."""
    if feed.user_id is not None:
        return feed.user_id == user.id
    if user.is_coordinator:
        return True
    return user.is_focal and user.agency_id is not None and feed.agency_id == user.agency_id


def can_manage_agency(user: User, agency_id: int) -> bool:
    return user.is_coordinator or (user.is_focal and user.agency_id == agency_id)
