"""What the WhatsApp platform reports about messages it took: sent, delivered, read, failed.

Statuses arrive out of order and more than once; a message's status only moves forward (a late "delivered"
never undoes "read"), and "failed" always counts. A failure that says the number cannot receive WhatsApp
(whatsapp.NUMBER_CODES) flags the number: the person's reminders go by email from then on, and the message that
failed is sent again by email, once. Plain values and `now`; flushes, never commits.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.models import User
from coordinator.models.outbox import CHANNEL_WHATSAPP, OutboxMessage
from coordinator.notifications.outbox import enqueue, outbox_key
from coordinator.notifications.whatsapp import NUMBER_CODES, STATUS_ORDER, StatusUpdate


def apply_statuses(session: Session, updates: list[StatusUpdate], now: datetime) -> int:
    """Returns how many outbox messages changed."""
    changed = 0
    for update in updates:
        row = session.scalar(select(OutboxMessage).where(OutboxMessage.provider_message_id == update.message_id,
                                                         OutboxMessage.channel == CHANNEL_WHATSAPP))
        if row is None:
            continue  # not ours, or recorded before this database was restored
        if update.status != "failed" and STATUS_ORDER.get(row.delivery_status or "", -1) >= STATUS_ORDER[update.status]:
            continue
        row.delivery_status, row.delivery_updated_at = update.status, now
        changed += 1
        if update.status != "failed":
            continue
        row.last_error = f"WhatsApp: {update.error_code or '?'} {update.error_title or ''}".strip()[:2000]
        if update.error_code in NUMBER_CODES and row.user_id is not None:
            _fall_back_to_email(session, row, now)
    session.flush()
    return changed


def _fall_back_to_email(session: Session, row: OutboxMessage, now: datetime) -> None:
    user = session.get(User, row.user_id)
    if user is None:
        return
    if user.whatsapp_failed_at is None:
        user.whatsapp_failed_at, user.whatsapp_failed_reason = now, (row.last_error or "")[:300]
    if user.email and user.email_undeliverable_at is None:
        enqueue(session, key=outbox_key(user.email.lower(), "whatsapp-fallback", row.id), recipient=user.email,
                user_id=user.id, kind=row.kind, subject=row.subject, body_text=row.body_text, now=now)
