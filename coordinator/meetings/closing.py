"""Closing a follow-up: its agency reports it done with a note and evidence, the coordinator accepts or returns.

The same shape as the review of progress reports (review/service.py): one conditional UPDATE claims the decision,
so two coordinators (or a coordinator and a cancellation) at the same moment never overwrite each other, and the
same values are then written through the ORM so the change history records before and after. A returned closing
reaches the agency's focal points through the bell at once; its files stay attached, so every round is visible.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale, gettext
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from coordinator.actions import evidence as evidence_files
from coordinator.core.clock import wita_today
from coordinator.core.errors import N_, DomainError
from coordinator.meetings.service import TEXT_MAX, check_files
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
    for incoming, ctype in zip(files, types, strict=True):
        stored, digest = evidence_files.store(upload_dir, incoming)
        session.add(FollowUpEvidence(follow_up_id=item.id, original_name=evidence_files.clean_filename(
            incoming.filename), stored_name=stored, content_type=ctype, size=len(incoming.data), sha256=digest,
            uploaded_at=now, uploaded_by_id=user_id))
    item.state = FOLLOW_UP_SUBMITTED if review_required else FOLLOW_UP_DONE
    item.closing_note, item.closing_submitted_at, item.closing_submitted_by_id = note, now, user_id
    item.review_comment = None
    if not review_required:
        item.closed_on = wita_today(now)
    session.flush()


def _decide(session: Session, item: FollowUp, state: str, reviewer: User, comment: str | None,
            now: datetime) -> None:
    done = session.execute(
        update(FollowUp).where(FollowUp.id == item.id, FollowUp.state == FOLLOW_UP_SUBMITTED)
        .values(state=state, reviewed_at=now, reviewed_by_id=reviewer.id, review_comment=comment)
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(item)
        raise DomainError(N_("Laporan penyelesaian ini sudah ditinjau."))
    item.state, item.reviewed_at, item.reviewed_by_id, item.review_comment = state, now, reviewer.id, comment
    session.flush()


def _comment(comment: str | None, required: bool) -> str | None:
    comment = (comment or "").strip()
    if required and not comment:
        raise DomainError(N_("Tuliskan yang perlu diperbaiki."), "comment")
    if len(comment) > TEXT_MAX:
        raise DomainError(N_("Catatan paling banyak 2.000 karakter."), "comment")
    return comment or None


def accept_closing(session: Session, item: FollowUp, reviewer: User, now: datetime, comment: str = "") -> None:
    """Done: it counts as closed on the day its agency reported it, not on the day of the review."""
    if item.state != FOLLOW_UP_SUBMITTED:
        raise DomainError(N_("Laporan penyelesaian ini sudah ditinjau."))
    item.closed_on = wita_today(item.closing_submitted_at or now)
    _decide(session, item, FOLLOW_UP_DONE, reviewer, _comment(comment, False), now)


def return_closing(session: Session, item: FollowUp, reviewer: User, now: datetime, comment: str) -> int:
    """Open again, with what is missing; the agency's focal points hear it through the bell at once.
    Returns how many were told."""
    if item.state != FOLLOW_UP_SUBMITTED:
        raise DomainError(N_("Laporan penyelesaian ini sudah ditinjau."))
    text = _comment(comment, True)
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
