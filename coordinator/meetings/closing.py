"""Closing a follow-up: its agency reports it done with a note and evidence, the coordinator accepts or returns.

The same shape as the review of progress reports (review/service.py); each decision is taken once
(core/decision.py), so two coordinators at the same moment never overwrite each other. A returned closing
reaches the agency's focal points through the bell at once; its files stay attached, so every round is visible.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.actions import evidence as evidence_files
from coordinator.core.clock import wita_today
from coordinator.core.decision import decide_once, review_comment
from coordinator.core.errors import N_, DomainError
from coordinator.meetings.service import TEXT_MAX, check_files, store_files
from coordinator.models import (
    FOLLOW_UP_DONE,
    FOLLOW_UP_OPEN,
    FOLLOW_UP_SUBMITTED,
    FollowUp,
    FollowUpEvidence,
    User,
)
from coordinator.models.user import ROLE_FOCAL
from coordinator.notifications.center import record_notification
from coordinator.notifications.outbox import outbox_key

KIND_FOLLOW_UP_RETURNED = "report_returned"  # the same bell kind as a returned progress report


def submit_closing(session: Session, item: FollowUp, note: str, files: list[evidence_files.IncomingFile],
                   user_id: int, upload_dir: str, max_bytes: int, now: datetime, review_required: bool = True) -> None:
    """The responsible agency reports the follow-up done. With the review off it is done at once."""
    if item.state != FOLLOW_UP_OPEN:
        raise DomainError(N_("Tindak lanjut ini tidak sedang terbuka."))
    note = (note or "").strip()
    if not note:
        raise DomainError(N_("Tuliskan apa yang sudah dilakukan."), "note")
    if len(note) > TEXT_MAX:
        raise DomainError(N_("Paling banyak %(max)s karakter."), "note", max="2.000")
    types = check_files(files, max_bytes)  # every file checked before anything is written
    session.add_all([FollowUpEvidence(follow_up_id=item.id, **fields)
                     for fields in store_files(files, types, user_id, upload_dir, now)])
    item.state = FOLLOW_UP_SUBMITTED if review_required else FOLLOW_UP_DONE
    item.closing_note, item.closing_submitted_at, item.closing_submitted_by_id = note, now, user_id
    item.review_comment = None
    if not review_required:
        item.closed_on = wita_today(now)
    session.flush()


ALREADY = N_("Laporan penyelesaian ini sudah ditinjau.")


def _decide(session: Session, item: FollowUp, state: str, reviewer: User, comment: str | None,
            now: datetime, **more: object) -> None:
    decide_once(session, item, "state", FOLLOW_UP_SUBMITTED, {
        "state": state, "reviewed_at": now, "reviewed_by_id": reviewer.id, "review_comment": comment, **more},
        ALREADY)


def accept_closing(session: Session, item: FollowUp, reviewer: User, now: datetime, comment: str = "") -> None:
    """Done: it counts as closed on the day its agency reported it, not on the day of the review."""
    if item.state != FOLLOW_UP_SUBMITTED:
        raise DomainError(ALREADY)
    _decide(session, item, FOLLOW_UP_DONE, reviewer, review_comment(comment, False), now,
            closed_on=wita_today(item.closing_submitted_at or now))


def return_closing(session: Session, item: FollowUp, reviewer: User, now: datetime, comment: str) -> int:
    """Open again, with what is missing; the agency's focal points hear it through the bell at once.
    Returns how many were told."""
    if item.state != FOLLOW_UP_SUBMITTED:
        raise DomainError(ALREADY)
    text = review_comment(comment, True)
    _decide(session, item, FOLLOW_UP_OPEN, reviewer, text, now)
    told = 0
    for user_id, locale in session.execute(
            select(User.id, User.locale).where(User.agency_id == item.agency_id, User.role == ROLE_FOCAL,
                                               User.active.is_(True))):
        with force_locale(locale if locale in ("id", "en") else "id"):
            title = gettext("Penyelesaian tindak lanjut dikembalikan: %(text)s", text=item.text[:120])
        if record_notification(session, key=outbox_key("follow-up-returned", str(item.id), now.isoformat(),
                                                       str(user_id)),
                               user_id=user_id, kind=KIND_FOLLOW_UP_RETURNED, title=title,
                               url=f"/follow-ups/{item.id}", now=now):
            told += 1
    return told
