"""The review of progress reports: submitted (diajukan), then accepted (diterima) or returned (dikembalikan).

A returned report is corrected by its agency (actions/progress.correct_progress_update): the correction is a new
version under review, and the history keeps every round. `counted` marks the one accepted version in force for an
action, agency and month; figures and the monthly report read only those, so a correction under review leaves the
accepted figure standing until it is accepted in turn.

Domain code: plain values and `now`, flushes, never commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import force_locale, gettext
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session, joinedload

from coordinator.core.clock import add_months, to_wita
from coordinator.core.decision import decide_once, review_comment
from coordinator.core.errors import N_, DomainError
from coordinator.core.formatting import fmt_month
from coordinator.figures.indicator_feed import refresh_returned_indicators
from coordinator.models import (
    REVIEW_ACCEPTED,
    REVIEW_RETURNED,
    REVIEW_SUBMITTED,
    Action,
    MonthlySnapshot,
    ProgressUpdate,
    User,
)
from coordinator.notifications.center import record_notification
from coordinator.notifications.outbox import outbox_key

KIND_RETURNED_NOW = "report_returned"  # the bell, at once; the daily digest repeats it while uncorrected


def status_on_submit(review_required: bool) -> str:
    return REVIEW_SUBMITTED if review_required else REVIEW_ACCEPTED


def count_in_force(session: Session, report: ProgressUpdate) -> None:
    """`report` becomes the counted version of its action, agency and month; every other version stops counting."""
    session.execute(
        update(ProgressUpdate)
        .where(ProgressUpdate.action_id == report.action_id, ProgressUpdate.agency_id == report.agency_id,
               ProgressUpdate.period == report.period, ProgressUpdate.id != report.id,
               ProgressUpdate.counted.is_(True))
        .values(counted=False).execution_options(synchronize_session="fetch"))
    report.counted = True
    session.flush()


def addendum_period_for(session: Session, period: date) -> date | None:
    """For a report of a month that is closed: the first later month still open, whose report will list it as an
    addendum. None when the month is open."""
    closed = set(session.scalars(select(MonthlySnapshot.period).where(MonthlySnapshot.reopened_at.is_(None),
                                                                      MonthlySnapshot.period >= period)))
    if period not in closed:
        return None
    month = add_months(period, 1)
    while month in closed:
        month = add_months(month, 1)
    return month


def closed_periods(session: Session) -> list[date]:
    """Months closed (and not reopened), newest first: the progress form warns before a late report."""
    return list(session.scalars(select(MonthlySnapshot.period).where(MonthlySnapshot.reopened_at.is_(None))
                                .order_by(MonthlySnapshot.period.desc())))


def _check_open(report: ProgressUpdate) -> None:
    if report.superseded_at is not None:
        raise DomainError(N_("Laporan ini sudah dikoreksi; tinjau versi terbarunya."))
    if report.review_status != REVIEW_SUBMITTED:
        raise DomainError(N_("Laporan ini sudah ditinjau."))


def _decide(session: Session, report: ProgressUpdate, status: str, reviewer: User, comment: str | None,
            now: datetime) -> None:
    """Taken once (core/decision.py): of two reviewers, or a review and the author's correction, at the same
    moment, the second is told why; it never overwrites the first."""
    try:
        decide_once(session, report, "review_status", REVIEW_SUBMITTED, {
            "review_status": status, "reviewed_at": now, "reviewed_by_id": reviewer.id, "review_comment": comment},
            N_("Laporan ini sudah ditinjau."), ProgressUpdate.superseded_at.is_(None))
    except DomainError:
        _check_open(report)  # corrected meanwhile: says so
        raise


def accept(session: Session, report: ProgressUpdate, reviewer: User, now: datetime, comment: str = "") -> None:
    """Accepted: it counts from now, in place of any earlier accepted version of the same month."""
    _check_open(report)
    _decide(session, report, REVIEW_ACCEPTED, reviewer, review_comment(comment, False), now)
    count_in_force(session, report)
    refresh_returned_indicators(session, now)  # children back in school changed: so do the indicators counting them


def return_report(session: Session, report: ProgressUpdate, reviewer: User, comment: str, now: datetime) -> None:
    """Returned with a comment: the author is told at once (the bell) and corrects it; it does not count."""
    _check_open(report)
    _decide(session, report, REVIEW_RETURNED, reviewer, review_comment(comment, True), now)
    _tell_author(session, report, now)


def _tell_author(session: Session, report: ProgressUpdate, now: datetime) -> None:
    author = report.author
    if author is None or not author.active:
        return
    with force_locale(author.locale if author.locale in ("id", "en") else "id"):
        title = gettext("Laporan %(code)s bulan %(month)s dikembalikan untuk diperbaiki",
                        code=report.action.code, month=fmt_month(report.period))
    record_notification(session, key=outbox_key("review", str(report.id), REVIEW_RETURNED, f"u{author.id}"),
                        user_id=author.id, kind=KIND_RETURNED_NOW, title=title, body=report.review_comment,
                        url=f"/progress/{report.id}/correct", now=now)


# Reading -------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueFilter:
    agency_id: int | None = None
    period: date | None = None
    lead_agency_id: int | None = None  # a lead agency's reviewer: its actions' reports by other agencies only


def _waiting(f: QueueFilter) -> Select[Any]:
    stmt = select(ProgressUpdate).join(Action, Action.id == ProgressUpdate.action_id).where(
        ProgressUpdate.review_status == REVIEW_SUBMITTED, ProgressUpdate.superseded_at.is_(None),
        Action.deleted_at.is_(None))
    if f.agency_id is not None:
        stmt = stmt.where(ProgressUpdate.agency_id == f.agency_id)
    if f.period is not None:
        stmt = stmt.where(ProgressUpdate.period == f.period)
    if f.lead_agency_id is not None:
        stmt = stmt.where(Action.lead_agency_id == f.lead_agency_id, ProgressUpdate.agency_id != f.lead_agency_id)
    return stmt


def waiting_count(session: Session, f: QueueFilter) -> int:
    return int(session.scalar(select(func.count()).select_from(_waiting(f).subquery())) or 0)


def waiting_summary(session: Session, f: QueueFilter | None = None) -> tuple[int, date | None]:
    """How many reports of the queue wait, and the WITA day the oldest came in (the monitor's banner)."""
    waiting = _waiting(f or QueueFilter()).subquery()
    count, first = session.execute(select(func.count(), func.min(waiting.c.created_at))).one()
    return int(count or 0), to_wita(first).date() if first else None


def waiting_page(session: Session, f: QueueFilter, page: int, per_page: int) -> list[ProgressUpdate]:
    """Oldest first: the report that has waited longest is reviewed first."""
    return list(session.scalars(
        _waiting(f).options(joinedload(ProgressUpdate.action), joinedload(ProgressUpdate.agency),
                            joinedload(ProgressUpdate.author))
        .order_by(ProgressUpdate.created_at, ProgressUpdate.id).offset((page - 1) * per_page).limit(per_page)))


def next_waiting(session: Session, f: QueueFilter, after: ProgressUpdate) -> ProgressUpdate | None:
    """The next report in the queue after one just reviewed (the reviewer goes on without the list)."""
    following: ProgressUpdate | None = session.scalars(
        _waiting(f).where(ProgressUpdate.id != after.id)
        .order_by(ProgressUpdate.created_at, ProgressUpdate.id).limit(1)).first()
    return following


def previous_report(session: Session, report: ProgressUpdate) -> ProgressUpdate | None:
    """The same agency's counted report on the same action for the latest earlier month (what it said before)."""
    return session.scalars(
        select(ProgressUpdate).where(ProgressUpdate.action_id == report.action_id,
                                     ProgressUpdate.agency_id == report.agency_id,
                                     ProgressUpdate.period < report.period, ProgressUpdate.counted.is_(True))
        .order_by(ProgressUpdate.period.desc()).limit(1)).first()


def rounds(session: Session, report: ProgressUpdate) -> list[ProgressUpdate]:
    """Every version of this agency's report for the month, oldest first: submitted, returned, corrected, ..."""
    return list(session.scalars(
        select(ProgressUpdate).where(ProgressUpdate.action_id == report.action_id,
                                     ProgressUpdate.agency_id == report.agency_id,
                                     ProgressUpdate.period == report.period)
        .options(joinedload(ProgressUpdate.author), joinedload(ProgressUpdate.reviewed_by))
        .order_by(ProgressUpdate.created_at, ProgressUpdate.id)))
