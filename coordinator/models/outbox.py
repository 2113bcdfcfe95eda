"""The outbox: every email is a row before it is sent, so nothing is sent twice or lost."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.extensions import db

OUTBOX_PENDING = "pending"  # waiting, or waiting to retry after `next_attempt_at`
OUTBOX_SENDING = "sending"  # claimed by one delivery run
OUTBOX_SENT = "sent"
OUTBOX_FAILED = "failed"  # refused for good (e.g. 550 unknown user) or out of attempts
CHANNEL_EMAIL = "email"
CHANNEL_WHATSAPP = "whatsapp"


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # recipient|item|kind|due date|stage: the same reminder is recorded once, however often a run repeats.
    key: Mapped[str] = mapped_column(String(300), unique=True)
    recipient: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    attachment_name: Mapped[str | None] = mapped_column(String(200))
    attachment_path: Mapped[str | None] = mapped_column(String(400))
    status: Mapped[str] = mapped_column(String(10), default=OUTBOX_PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    # Not sent by then, it is given up: a password reset link that would no longer work when it arrives.
    expires_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    # The delivery channel: email (recipient an address) or whatsapp (recipient a number in E.164, sent as an
    # approved template with JSON parameters). The provider's id of the sent message, and the last delivery status
    # it reported (sent, delivered, read, failed) through its webhook.
    channel: Mapped[str] = mapped_column(String(10), default=CHANNEL_EMAIL, server_default=CHANNEL_EMAIL)
    template_name: Mapped[str | None] = mapped_column(String(100))
    template_language: Mapped[str | None] = mapped_column(String(10))
    template_params: Mapped[str | None] = mapped_column(Text)
    provider_message_id: Mapped[str | None] = mapped_column(String(200), index=True)
    delivery_status: Mapped[str | None] = mapped_column(String(12))
    delivery_updated_at: Mapped[datetime | None]
