"""Reading meetings and follow-ups: the lists, the API, the deadline monitor and the reminders share these.

Who sees what: coordinators and leaders every meeting; a focal point the meetings its agency was invited to or
owes a follow-up from, and every follow-up of those meetings (a decision is read in its meeting's context).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, false, func, or_, select
from sqlalchemy.orm import Session, joinedload

from coordinator.models import (
    FOLLOW_UP_CANCELLED,
    FOLLOW_UP_DONE,
    FOLLOW_UP_OPEN,
    FOLLOW_UP_SUBMITTED,
    FollowUp,
    Meeting,
    MeetingAttendance,
)

STATUS_FILTERS = ("belum_selesai", "terlambat", "terbuka", "diajukan", "selesai", "dibatalkan")
PAGE_SIZE = 50


def meeting_scope(user: Any) -> Any:
    """A WHERE clause on Meeting for what `user` may open (None: everything)."""
    if user.is_coordinator or user.is_leader:
        return None
    if not user.is_focal or user.agency_id is None:
        return false()
    invited = select(MeetingAttendance.meeting_id).where(MeetingAttendance.agency_id == user.agency_id)
    owes = select(FollowUp.meeting_id).where(FollowUp.agency_id == user.agency_id)
    return or_(Meeting.id.in_(invited), Meeting.id.in_(owes))


def may_open_meeting(session: Session, user: Any, meeting: Meeting) -> bool:
    scope = meeting_scope(user)
    if scope is None:
        return True
    return session.scalar(select(func.count()).select_from(Meeting).where(Meeting.id == meeting.id, scope)) == 1


def meetings(session: Session, user: Any) -> list[tuple[Meeting, int, int]]:
    """Newest first, with each meeting's follow-ups still open and all of them."""
    open_count = func.sum(case((FollowUp.state.in_((FOLLOW_UP_OPEN, FOLLOW_UP_SUBMITTED)), 1), else_=0))
    stmt = (select(Meeting, func.coalesce(open_count, 0), func.count(FollowUp.id))
            .outerjoin(FollowUp, FollowUp.meeting_id == Meeting.id)
            .group_by(Meeting.id).order_by(Meeting.held_on.desc(), Meeting.id.desc()))
    scope = meeting_scope(user)
    if scope is not None:
        stmt = stmt.where(scope)
    return [(m, int(o), int(n)) for m, o, n in session.execute(stmt)]


@dataclass
class FollowUpFilter:
    meeting_id: int | None = None
    agency_id: int | None = None
    status: str | None = None  # one of STATUS_FILTERS


def status_clause(status: str | None, today: date) -> Any:
    if status == "belum_selesai":
        return FollowUp.state.in_((FOLLOW_UP_OPEN, FOLLOW_UP_SUBMITTED))
    if status == "terlambat":
        return and_(FollowUp.state == FOLLOW_UP_OPEN, FollowUp.due_date < today)
    if status == "terbuka":
        return and_(FollowUp.state == FOLLOW_UP_OPEN, FollowUp.due_date >= today)
    if status in (FOLLOW_UP_SUBMITTED, FOLLOW_UP_DONE, FOLLOW_UP_CANCELLED):
        return FollowUp.state == status
    return None


def follow_up_query(user: Any, flt: FollowUpFilter, today: date) -> Select:
    """Open ones first, the earliest due first (so the longest late lead), then the closed ones, newest first."""
    closed = case((FollowUp.state.in_((FOLLOW_UP_DONE, FOLLOW_UP_CANCELLED)), 1), else_=0)
    stmt = (select(FollowUp).join(Meeting, Meeting.id == FollowUp.meeting_id)
            .options(joinedload(FollowUp.meeting), joinedload(FollowUp.agency), joinedload(FollowUp.action))
            .order_by(closed, case((closed == 0, FollowUp.due_date)), FollowUp.closed_on.desc(), FollowUp.id))
    scope = meeting_scope(user)
    if scope is not None:
        stmt = stmt.where(scope)
    if flt.meeting_id:
        stmt = stmt.where(FollowUp.meeting_id == flt.meeting_id)
    if flt.agency_id:
        stmt = stmt.where(FollowUp.agency_id == flt.agency_id)
    clause = status_clause(flt.status, today)
    if clause is not None:
        stmt = stmt.where(clause)
    return stmt


def follow_up_page(session: Session, user: Any, flt: FollowUpFilter, today: date, page: int,
                   page_size: int = PAGE_SIZE) -> tuple[list[FollowUp], int]:
    stmt = follow_up_query(user, flt, today)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    page = max(1, page)
    rows = list(session.scalars(stmt.limit(page_size).offset((page - 1) * page_size)).unique())
    return rows, int(total)


@dataclass
class FollowUpBoard:
    """The deadline monitor's view of meeting follow-ups at `today`."""

    today: date
    overdue: list[FollowUp] = field(default_factory=list)
    due_7: list[FollowUp] = field(default_factory=list)
    waiting: list[FollowUp] = field(default_factory=list)  # reported done, waiting for the coordinator
    rescheduled: list[FollowUp] = field(default_factory=list)  # past their first due date, moved: not late today
    open_total: int = 0
    by_agency: dict[int, int] = field(default_factory=dict)  # overdue follow-ups per responsible agency


def follow_up_board(session: Session, today: date) -> FollowUpBoard:
    board = FollowUpBoard(today=today)
    rows = session.scalars(
        select(FollowUp).where(FollowUp.state.in_((FOLLOW_UP_OPEN, FOLLOW_UP_SUBMITTED)))
        .options(joinedload(FollowUp.agency), joinedload(FollowUp.meeting))
        .order_by(FollowUp.due_date, FollowUp.id))
    by_agency: dict[int, int] = defaultdict(int)
    week = today + timedelta(days=7)
    for item in rows:
        board.open_total += 1
        if item.state == FOLLOW_UP_SUBMITTED:
            board.waiting.append(item)
        elif item.due_date < today:
            board.overdue.append(item)
            by_agency[item.agency_id] += 1
        else:
            if item.baseline_due_date and item.baseline_due_date < today:
                board.rescheduled.append(item)
            if item.due_date <= week:
                board.due_7.append(item)
    board.by_agency = dict(by_agency)
    return board


def open_follow_ups_for_reminders(session: Session) -> list[tuple[int, int, str, str, date, int]]:
    """(id, number, text, meeting title, due date, agency id) of every follow-up its agency still has to do."""
    return [tuple(r) for r in session.execute(  # type: ignore[misc]
        select(FollowUp.id, FollowUp.number, FollowUp.text, Meeting.title, FollowUp.due_date, FollowUp.agency_id)
        .join(Meeting, Meeting.id == FollowUp.meeting_id).where(FollowUp.state == FOLLOW_UP_OPEN)
        .order_by(FollowUp.due_date, FollowUp.id))]
