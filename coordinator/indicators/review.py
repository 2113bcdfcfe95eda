"""The review of indicator values entered by an indicator's owner agency: waiting (diajukan), then accepted
(diterima) or returned with a comment (dikembalikan), as progress reports are. Only accepted values count
(Indicator.values); the agency corrects a returned value, which then waits again. Plain values and `now`; flushes,
never commits."""
from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale, gettext
from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from coordinator.core.errors import N_, DomainError
from coordinator.core.formatting import quarter_label
from coordinator.models import REVIEW_ACCEPTED, REVIEW_RETURNED, REVIEW_SUBMITTED, Indicator, IndicatorValue, User
from coordinator.notifications.center import record_notification
from coordinator.notifications.outbox import outbox_key

COMMENT_MAX = 2000


def waiting_values(session: Session) -> list[IndicatorValue]:
    """Oldest first, as the report queue."""
    return list(session.scalars(
        select(IndicatorValue).join(Indicator, Indicator.id == IndicatorValue.indicator_id)
        .where(IndicatorValue.review_status == REVIEW_SUBMITTED, Indicator.deleted_at.is_(None))
        .options(joinedload(IndicatorValue.indicator).joinedload(Indicator.owner_agency))
        .order_by(IndicatorValue.entered_at, IndicatorValue.id)))


def _decide(session: Session, row: IndicatorValue, status: str, reviewer: User, comment: str | None,
            now: datetime) -> None:
    """One conditional UPDATE: a second reviewer (another tab) is told, never overwrites the first."""
    done = session.execute(
        update(IndicatorValue).where(IndicatorValue.id == row.id, IndicatorValue.review_status == REVIEW_SUBMITTED)
        .values(review_status=status, reviewed_at=now, reviewed_by_id=reviewer.id, review_comment=comment)
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(row)
        raise DomainError(N_("Nilai ini sudah ditinjau."))
    row.review_status, row.reviewed_at, row.reviewed_by_id, row.review_comment = status, now, reviewer.id, comment
    session.flush()


def _comment(text: str | None, required: bool) -> str | None:
    text = (text or "").strip()
    if required and not text:
        raise DomainError(N_("Tuliskan yang perlu diperbaiki."), "comment")
    if len(text) > COMMENT_MAX:
        raise DomainError(N_("Catatan paling banyak 2.000 karakter."), "comment")
    return text or None


def accept_value(session: Session, row: IndicatorValue, reviewer: User, now: datetime, comment: str = "") -> None:
    if row.review_status != REVIEW_SUBMITTED:
        raise DomainError(N_("Nilai ini sudah ditinjau."))
    _decide(session, row, REVIEW_ACCEPTED, reviewer, _comment(comment, False), now)


def return_value(session: Session, row: IndicatorValue, reviewer: User, now: datetime, comment: str) -> None:
    """Returned: the focal point who entered it hears at once through the bell."""
    if row.review_status != REVIEW_SUBMITTED:
        raise DomainError(N_("Nilai ini sudah ditinjau."))
    _decide(session, row, REVIEW_RETURNED, reviewer, _comment(comment, True), now)
    author = session.get(User, row.entered_by_id) if row.entered_by_id else None
    if author is None:
        return
    with force_locale(author.locale if author.locale in ("id", "en") else "id"):
        title = gettext("Nilai indikator %(code)s %(period)s dikembalikan: %(comment)s", code=row.indicator.code,
                        period=quarter_label(row.year, row.quarter), comment=(row.review_comment or "")[:120])
    record_notification(session, key=outbox_key("value-returned", str(row.id), now.isoformat()), user_id=author.id,
                        kind="report_returned", title=title, url=f"/indicators/{row.indicator_id}#nilai-{row.id}",
                        now=now)
