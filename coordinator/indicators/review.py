"""The review of indicator values entered by an indicator's owner agency: waiting (diajukan), then accepted
(diterima) or returned with a comment (dikembalikan), as progress reports are. Only accepted values count
(Indicator.values); the agency corrects a returned value, which then waits again. Plain values and `now`; flushes,
never commits."""
from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from coordinator.core.decision import decide_once, review_comment
from coordinator.core.errors import N_, DomainError
from coordinator.core.formatting import quarter_label
from coordinator.models import REVIEW_ACCEPTED, REVIEW_RETURNED, REVIEW_SUBMITTED, Indicator, IndicatorValue, User
from coordinator.notifications.center import record_notification
from coordinator.notifications.outbox import outbox_key


def waiting_values(session: Session) -> list[IndicatorValue]:
    """Oldest first, as the report queue."""
    return list(session.scalars(
        select(IndicatorValue).join(Indicator, Indicator.id == IndicatorValue.indicator_id)
        .where(IndicatorValue.review_status == REVIEW_SUBMITTED, Indicator.deleted_at.is_(None))
        .options(joinedload(IndicatorValue.indicator).joinedload(Indicator.owner_agency))
        .order_by(IndicatorValue.entered_at, IndicatorValue.id)))


ALREADY = N_("Nilai ini sudah ditinjau.")


def _decide(session: Session, row: IndicatorValue, status: str, reviewer: User, comment: str | None,
            now: datetime) -> None:
    decide_once(session, row, "review_status", REVIEW_SUBMITTED, {
        "review_status": status, "reviewed_at": now, "reviewed_by_id": reviewer.id, "review_comment": comment},
        ALREADY)


def accept_value(session: Session, row: IndicatorValue, reviewer: User, now: datetime, comment: str = "") -> None:
    if row.review_status != REVIEW_SUBMITTED:
        raise DomainError(ALREADY)
    _decide(session, row, REVIEW_ACCEPTED, reviewer, review_comment(comment, False), now)


def return_value(session: Session, row: IndicatorValue, reviewer: User, now: datetime, comment: str) -> None:
    """Returned: the focal point who entered it hears at once through the bell."""
    if row.review_status != REVIEW_SUBMITTED:
        raise DomainError(ALREADY)
    _decide(session, row, REVIEW_RETURNED, reviewer, review_comment(comment, True), now)
    author = session.get(User, row.entered_by_id) if row.entered_by_id else None
    if author is None:
        return
    with force_locale(author.locale if author.locale in ("id", "en") else "id"):
        title = gettext("Nilai indikator %(code)s %(period)s dikembalikan: %(comment)s", code=row.indicator.code,
                        period=quarter_label(row.year, row.quarter), comment=(row.review_comment or "")[:120])
    record_notification(session, key=outbox_key("value-returned", str(row.id), now.isoformat()), user_id=author.id,
                        kind="report_returned", title=title, url=f"/indicators/{row.indicator_id}#nilai-{row.id}",
                        now=now)
