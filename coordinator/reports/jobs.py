"""The scheduler's monthly report job (also `flask report deliver`)."""
from __future__ import annotations

from datetime import datetime
from typing import cast

from flask import current_app
from sqlalchemy.orm import Session

from coordinator.core.clock import utcnow
from coordinator.extensions import db
from coordinator.notifications.mailer import SmtpMailer
from coordinator.notifications.outbox import deliver_pending
from coordinator.reports.delivery import scheduled_delivery


def monthly_delivery_run(now: datetime | None = None) -> str:
    """Inside an app context: record the month's report for the leaders when due (commit), then deliver."""
    now = now or utcnow()
    session = cast(Session, db.session)
    try:
        result = scheduled_delivery(session, now, current_app.config["UPLOAD_DIR"])
        session.commit()
    except BaseException:
        session.rollback()
        raise
    if result.skipped:
        return f"monthly report {result.period:%Y-%m}: nothing to do ({result.skipped})"
    delivery = deliver_pending(db.session, SmtpMailer(current_app.config), now)
    return (f"monthly report {result.period:%Y-%m}: closed_now={result.closed_now} "
            f"archives={len(result.archives)} recorded={result.enqueued} already={result.already} "
            f"sent={delivery.sent} failed={delivery.failed} retry_later={delivery.retry_later}")
