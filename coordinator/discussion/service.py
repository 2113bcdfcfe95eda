"""The discussion thread of an action (and of each of its reports): post, correct, @mention.

A mention is `@` followed by an agency code (`@DINSOS`: its active focal points) or by a user's email, whole or
the part before the @ (`@koordinator`, `@fokal.dpppa@example.org`). Only people who may see the action hear of it:
a mention cannot reach someone the thread is hidden from. Nothing is deleted; a correction is a new comment that
names the one it corrects, and the thread shows both. Plain values and `now`; flushes, never commits.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from coordinator.core import permissions
from coordinator.core.errors import N_, DomainError
from coordinator.models import Action, Agency, Comment, ProgressUpdate, User
from coordinator.notifications.center import record_notification
from coordinator.notifications.outbox import outbox_key

BODY_MAX = 4000
KIND_MENTION = "mention"
MENTION = re.compile(r"(?<![\w.@])@([A-Za-z0-9][A-Za-z0-9._+-]*(?:@[A-Za-z0-9.-]+\.[A-Za-z]{2,})?)")


@dataclass
class Mentions:
    users: list[User] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # written with @ but matching no agency or user


def _clean(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise DomainError(N_("Tulis komentarnya."), "body")
    if len(body) > BODY_MAX:
        raise DomainError(N_("Komentar paling banyak 4.000 karakter."), "body")
    return body


def find_mentions(session: Session, body: str, action: Action) -> Mentions:
    """The active users a comment's @names reach, among those who may see the action."""
    out = Mentions()
    names = [m.rstrip(".") for m in MENTION.findall(body)]
    if not names:
        return out
    agencies = {a.code.lower(): a.id for a in session.scalars(select(Agency))}
    users = list(session.scalars(select(User).where(User.active.is_(True))))
    seen: set[int] = set()
    for name in names:
        key = name.lower()
        if key in agencies:
            found = [u for u in users if u.is_focal and u.agency_id == agencies[key]]
        else:
            found = [u for u in users if u.email.lower() == key or u.email.lower().split("@")[0] == key]
        if not found:
            out.unknown.append(name)
        for user in found:
            if user.id not in seen and permissions.can_view_action(user, action):
                seen.add(user.id)
                out.users.append(user)
    return out


def post_comment(session: Session, action: Action, author: User, body: str, now: datetime,
                 update: ProgressUpdate | None = None, corrects: Comment | None = None
                 ) -> tuple[Comment, Mentions]:
    """A comment on the action (or on one of its reports); its mentions are told through the bell."""
    body = _clean(body)
    if update is not None and update.action_id != action.id:
        raise DomainError(N_("Laporan itu bukan laporan aksi ini."))
    if corrects is not None:
        if corrects.action_id != action.id or corrects.author_id != author.id:
            raise DomainError(N_("Hanya penulis komentar yang dapat mengoreksinya."))
        if session.scalar(select(Comment.id).where(Comment.corrects_id == corrects.id)) is not None:
            raise DomainError(N_("Komentar ini sudah dikoreksi; koreksi versi terbarunya."))
        update_id = corrects.update_id
    else:
        update_id = update.id if update is not None else None
    comment = Comment(action_id=action.id, update_id=update_id, author_id=author.id, body=body, created_at=now,
                      corrects_id=corrects.id if corrects is not None else None)
    session.add(comment)
    session.flush()
    mentions = find_mentions(session, body, action)
    for user in mentions.users:
        if user.id != author.id:
            _tell(session, user, author, action, comment, now)
    return comment, mentions


def _tell(session: Session, user: User, author: User, action: Action, comment: Comment, now: datetime) -> None:
    with force_locale(user.locale if user.locale in ("id", "en") else "id"):
        title = gettext("%(who)s menyebut Anda di diskusi %(code)s %(title)s", who=author.name, code=action.code,
                        title=action.title)
    record_notification(session, key=outbox_key("comment", str(comment.id), f"u{user.id}"), user_id=user.id,
                        kind=KIND_MENTION, title=title, body=comment.body,
                        url=f"/actions/{action.id}#comment-{comment.id}", now=now)


def report_choices(session: Session, action_id: int) -> list[tuple[int, str, date]]:
    """What a comment may be about besides the action itself: its current reports (id, agency, month)."""
    return [(u.id, u.agency.short_name, u.period) for u in session.scalars(
        select(ProgressUpdate).where(ProgressUpdate.action_id == action_id, ProgressUpdate.superseded_at.is_(None))
        .options(joinedload(ProgressUpdate.agency)).order_by(ProgressUpdate.period.desc(), ProgressUpdate.id))]


@dataclass
class ThreadEntry:
    comment: Comment
    corrected_by: Comment | None  # the correction shown in its place


def thread(session: Session, action_id: int) -> list[ThreadEntry]:
    """The action's comments, oldest first; a corrected comment carries its correction."""
    comments = list(session.scalars(select(Comment).where(Comment.action_id == action_id)
                                    .options(joinedload(Comment.author)).order_by(Comment.created_at, Comment.id)))
    correction_of = {c.corrects_id: c for c in comments if c.corrects_id is not None}
    return [ThreadEntry(c, correction_of.get(c.id)) for c in comments]
