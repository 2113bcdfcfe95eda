"""The daily WhatsApp digest: one short template message per person per day, for those who opted in.

It carries only a count and a link, never an item's title, so no child's data (and no plan detail) ever goes into
a message that leaves the server. The email digest still lists every item.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from flask_babel import force_locale, ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.core.clock import wita_day_end_utc
from coordinator.models import KIND_ESCALATION, KIND_OVERDUE, User
from coordinator.notifications.outbox import Template, enqueue, outbox_key
from coordinator.reminders.kinds import Reminder

KIND_DIGEST = "whatsapp_digest"
DEFAULT_TEMPLATES = {"digest": {"id": "sitisek_pengingat_harian", "en": "sitisek_daily_reminders"}}


def template_name(templates: Mapping[str, Any] | None, kind: str, locale: str) -> str:
    """WHATSAPP_TEMPLATES names the approved template per message kind and language."""
    names = (templates or {}).get(kind)
    if not isinstance(names, dict):
        names = DEFAULT_TEMPLATES[kind]
    return str(names.get(locale) or names.get("id") or DEFAULT_TEMPLATES[kind]["id"])


def whatsapp_digests(session: Session, reminders: list[Reminder], today: date, now: datetime, base_url: str,
                     templates: Mapping[str, Any] | None = None, record: bool = True) -> list[tuple[str, str]]:
    """Records one digest per opted-in person with reminders recorded this run (once a day: the key is the number
    and the day). Returns (number, text) of each, recorded or (record=False) that would be."""
    by_user: dict[int, list[Reminder]] = defaultdict(list)
    for r in reminders:
        if r.user_id is not None:
            by_user[r.user_id].append(r)
    if not by_user:
        return []
    people = session.execute(select(User.id, User.name, User.phone, User.locale).where(
        User.id.in_(list(by_user)), User.active.is_(True), User.phone.is_not(None),
        User.whatsapp_opt_in_at.is_not(None), User.whatsapp_failed_at.is_(None)))
    link = f"{base_url.rstrip('/')}/notifications"
    out: list[tuple[str, str]] = []
    for user_id, name, phone, locale in people:
        phone = str(phone)
        locale = locale if locale in ("id", "en") else "id"
        items = by_user[user_id]
        late = sum(1 for r in items if r.kind in (KIND_OVERDUE, KIND_ESCALATION))
        first = (name or "").split(" ")[0][:40] or "-"
        with force_locale(locale):
            text = ngettext("Halo %(name)s, ada %(num)d pengingat SITISEK hari ini (%(late)s terlambat). Buka: "
                            "%(link)s", "Halo %(name)s, ada %(num)d pengingat SITISEK hari ini (%(late)s "
                            "terlambat). Buka: %(link)s", len(items), name=first, late=late, link=link)
        out.append((phone, text))
        if record:
            enqueue(session, key=outbox_key(f"u{user_id}", phone, "wa-digest", today.isoformat()), recipient=phone,
                    user_id=user_id, kind=KIND_DIGEST, subject=text[:300], body_text=text, now=now,
                    expires_at=wita_day_end_utc(today),  # "today" is stale tomorrow: never after the next one
                    template=Template(template_name(templates, "digest", locale), locale,
                                      [first, str(len(items)), str(late), link]))
    return out
