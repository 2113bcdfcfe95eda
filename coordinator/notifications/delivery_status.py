"""What the WhatsApp platform reports about messages it took: sent, delivered, read, failed.

Statuses arrive out of order, more than once, and sometimes before the outbox has committed the message's
platform id: a status finds its row by that id or by our callback data (the row's message id), and moves it only
forward, in one conditional UPDATE (a late "delivered" never undoes "read", two webhooks at once never step back);
"failed" always counts. A failure that says the number cannot receive WhatsApp (whatsapp.NUMBER_CODES) flags that
number (if it is still the person's) and sends the message by email instead (outbox.email_copy). Flushes, never
commits.
"""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import case, or_, select, update
from sqlalchemy.orm import Session

from coordinator.models import User
from coordinator.models.outbox import CHANNEL_WHATSAPP, OutboxMessage
from coordinator.notifications.outbox import email_copy, message_id_of
from coordinator.notifications.whatsapp import NUMBER_CODES, STATUS_ORDER, StatusUpdate

CALLBACK = re.compile(r"outbox-(\d{1,12})-[0-9a-f]{12}")


def _row(session: Session, update_: StatusUpdate) -> OutboxMessage | None:
    row = session.scalar(select(OutboxMessage).where(OutboxMessage.provider_message_id == update_.message_id,
                                                     OutboxMessage.channel == CHANNEL_WHATSAPP))
    match = CALLBACK.fullmatch(update_.callback or "")
    if row is None and match:
        candidate = session.get(OutboxMessage, int(match.group(1)))
        if candidate is not None and candidate.channel == CHANNEL_WHATSAPP and \
                message_id_of(candidate.id, candidate.key, candidate.created_at) == update_.callback:
            row = candidate
    return row


def apply_statuses(session: Session, updates: list[StatusUpdate], now: datetime) -> int:
    """Returns how many outbox messages changed."""
    rank = case(*((OutboxMessage.delivery_status == name, value) for name, value in STATUS_ORDER.items()), else_=-1)
    changed = 0
    for status in updates:
        row = _row(session, status)
        if row is None:
            continue  # not ours, or recorded before this database was restored
        values: dict[str, object] = {"delivery_status": status.status, "delivery_updated_at": now}
        moves_on = rank < STATUS_ORDER[status.status]
        if status.status == "failed":
            values["last_error"] = f"WhatsApp: {status.error_code or '?'} {status.error_title or ''}".strip()[:2000]
            moves_on = or_(moves_on, OutboxMessage.delivery_status != "failed")
        done = session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id, moves_on).values(**values)
                               .execution_options(synchronize_session=False))
        if not done.rowcount:  # type: ignore[attr-defined]
            continue
        changed += 1
        if status.status == "failed" and status.error_code in NUMBER_CODES and row.user_id is not None:
            user = session.get(User, row.user_id)
            if user is not None and user.phone == row.recipient:  # an old number's failure leaves the new one be
                if user.whatsapp_failed_at is None:
                    user.whatsapp_failed_at, user.whatsapp_failed_reason = now, str(values["last_error"])[:300]
                email_copy(session, row.id, now)
    session.flush()
    return changed
