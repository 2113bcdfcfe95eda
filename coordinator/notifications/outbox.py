"""The email outbox: record every message once, deliver it at least once, never lose it.

Recording (`enqueue`) happens inside the caller's transaction: the unique key
(recipient|item|kind|due date|stage) makes a rerun, or two runs at the same moment,
record a reminder only once. Delivery (`deliver_pending`) claims each due message with
a conditional UPDATE and commits the claim before talking to SMTP, so two delivery runs
never send the same message, and no transaction stays open while the mail server is slow.

One window remains: a run killed after the SMTP server accepted a message but before the
row was marked sent leaves the claim behind; it is released after STUCK_AFTER and sent
again. Every attempt at one row carries the same Message-ID (`message_id_of`), so the
receiving mail system, or the reader's client, can tell the second copy is the first.
"""
from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple, cast

from sqlalchemy import CursorResult, and_, func, or_, select, update
from sqlalchemy.orm import Session, scoped_session

from coordinator.core.clock import wita_day_end_utc, wita_today
from coordinator.core.rows import insert_or_ignore
from coordinator.models.outbox import (
    CHANNEL_EMAIL,
    CHANNEL_WHATSAPP,
    OUTBOX_FAILED,
    OUTBOX_PENDING,
    OUTBOX_SENDING,
    OUTBOX_SENT,
    OutboxMessage,
)
from coordinator.models.user import User
from coordinator.notifications.mailer import Mailer, OutgoingMail, PermanentMailError, TransientMailError
from coordinator.notifications.whatsapp import OutgoingWhatsApp

log = logging.getLogger(__name__)

# Wait before attempt 2, 3, ...; after the last one fails the message is given up as failed.
BACKOFF = (timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1), timedelta(hours=6), timedelta(hours=24))
MAX_ATTEMPTS = len(BACKOFF) + 1
# A message claimed longer ago than this belongs to a run that crashed or was killed.
STUCK_AFTER = timedelta(minutes=15)
KEY_MAX = 300
ERROR_MAX = 2000
# Kinds whose body holds a secret (the one-time link of a password reset): once such a message is sent or
# given up, its body is replaced, so the database keeps a working link no longer than delivery takes.
SECRET_KINDS = frozenset({"password_reset"})
SCRUBBED_BODY = "[removed after delivery: the message held a one-time link]"


class Attachment(NamedTuple):
    name: str
    path: str


class Template(NamedTuple):
    """A WhatsApp template message: its approved name, language and body parameters."""
    name: str
    language: str
    params: list[str]


@dataclass
class DeliveryResult:
    sent: int = 0
    failed: int = 0
    retry_later: int = 0
    released: int = 0  # messages taken back from a crashed run


def outbox_key(*parts: object) -> str:
    """`recipient|item|kind|due date|stage` as the unique key; hashed when longer than the column."""
    key = "|".join("" if p is None else str(p) for p in parts)
    if len(key) > KEY_MAX:
        key = key[: KEY_MAX - 65] + "#" + hashlib.sha256(key.encode()).hexdigest()
    return key


def message_id_of(message_id: int, key: str, created_at: datetime) -> str:
    """The part of an outbox message's Message-ID before "@": `outbox-<row id>-<12 hex>`, the same on every
    attempt. The hash of the row's key and creation time keeps it unique when row ids start again (a new
    database), so a mail system that drops repeated Message-IDs never drops a different message."""
    digest = hashlib.sha256(f"{message_id}|{key}|{created_at.isoformat()}".encode()).hexdigest()
    return f"outbox-{message_id}-{digest[:12]}"


def _rowcount(result: Any) -> int:
    return cast(CursorResult[Any], result).rowcount


def enqueue(session: Session | scoped_session[Session], *, key: str, recipient: str, user_id: int | None, kind: str,
            subject: str, body_text: str, body_html: str | None = None,
            attachment: Attachment | tuple[str, str] | None = None, now: datetime,
            expires_at: datetime | None = None, template: Template | None = None) -> bool:
    """Record a message to send; False (and nothing changes) when the key is already recorded.

    Uses INSERT ... ON CONFLICT DO NOTHING (PostgreSQL) / INSERT OR IGNORE (SQLite), so two
    processes recording the same key at the same moment neither raise nor double. Flushes,
    never commits. A message to a user whose address was refused for good is recorded as
    failed (with the reason) rather than sent.

    With `template`, the message goes by WhatsApp: `recipient` is the number (E.164), `body_text` what the
    template says (kept for the outbox page), and the template's name, language and parameters are sent.
    """
    if len(key) > KEY_MAX:
        key = outbox_key(key)
    status, last_error = OUTBOX_PENDING, None
    if user_id is not None:
        flag = (User.whatsapp_failed_at, User.whatsapp_failed_reason) if template else \
            (User.email_undeliverable_at, User.email_undeliverable_reason)
        flagged = session.execute(select(*flag).where(User.id == user_id)).first()
        if flagged is not None and flagged[0] is not None:
            status = OUTBOX_FAILED
            last_error = f"address marked undeliverable on {flagged[0]:%Y-%m-%d %H:%M} UTC: {flagged[1] or ''}"
    values: dict[str, Any] = {
        "key": key, "recipient": recipient, "user_id": user_id, "kind": kind, "subject": subject[:300],
        "body_text": body_text, "body_html": body_html,
        "attachment_name": attachment[0] if attachment else None,
        "attachment_path": attachment[1] if attachment else None,
        "status": status, "attempts": 0, "created_at": now, "next_attempt_at": now, "last_error": last_error,
        "expires_at": expires_at, "channel": CHANNEL_WHATSAPP if template else CHANNEL_EMAIL,
        "template_name": template.name if template else None,
        "template_language": template.language if template else None,
        "template_params": json.dumps(template.params, ensure_ascii=False) if template else None,
    }
    session.flush()  # the caller's pending objects (e.g. the user) go first
    return insert_or_ignore(session, OutboxMessage.__table__, values, conflict="key")


def _release_stuck(session: Session | scoped_session[Session], now: datetime) -> int:
    """Give messages claimed by a crashed run back to pending (counting it as an attempt, so a
    message that crashes every run ends up failed instead of looping forever).

    Trade-off: if the run crashed after the SMTP server accepted the message but before it was
    marked sent, the message is sent a second time, with the same Message-ID as the first
    (`message_id_of`). The alternative (never retry a claimed message, at-most-once) would
    silently lose mail, and the outbox promises nothing is lost.
    """
    cutoff = now - STUCK_AFTER
    stuck = and_(OutboxMessage.status == OUTBOX_SENDING, OutboxMessage.claimed_at < cutoff)
    note = f"released at {now:%Y-%m-%d %H:%M} UTC: the delivery run that claimed it did not finish"
    opts = {"synchronize_session": False}
    gave_up = session.execute(
        update(OutboxMessage).where(stuck, OutboxMessage.attempts + 1 >= MAX_ATTEMPTS)
        .values(status=OUTBOX_FAILED, attempts=OutboxMessage.attempts + 1, claim_token=None, last_error=note),
        execution_options=opts)
    released = session.execute(
        update(OutboxMessage).where(stuck)
        .values(status=OUTBOX_PENDING, attempts=OutboxMessage.attempts + 1, claim_token=None, claimed_at=None,
                next_attempt_at=now, last_error=note),
        execution_options=opts)
    session.commit()
    return _rowcount(gave_up) + _rowcount(released)


def _claim(session: Session | scoped_session[Session], message_id: int, now: datetime) -> str | None:
    token = secrets.token_hex(16)
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OUTBOX_PENDING,
               OutboxMessage.next_attempt_at <= now)
        .values(status=OUTBOX_SENDING, claim_token=token, claimed_at=now),
        execution_options={"synchronize_session": False})
    if _rowcount(result) != 1:
        session.rollback()  # another run was quicker
        return None
    session.commit()  # the claim is visible to every other run before we talk to SMTP
    return token


def _finish(session: Session | scoped_session[Session], message_id: int, token: str, **values: Any) -> None:
    # Our claim, or (if a very slow send outlived STUCK_AFTER) a release nobody re-claimed yet.
    mine = or_(OutboxMessage.claim_token == token, OutboxMessage.status == OUTBOX_PENDING)
    result = session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id, mine).values(**values),
                             execution_options={"synchronize_session": False})
    if _rowcount(result) != 1:
        log.warning("outbox message %s was re-claimed by another run while this one was sending", message_id)
    session.commit()


def _deliver_one(session: Session | scoped_session[Session], mailer: Mailer, message_id: int, now: datetime,
                 result: DeliveryResult, channels: Mapping[str, Any]) -> None:
    token = _claim(session, message_id, now)
    if token is None:
        return
    row = session.execute(
        select(OutboxMessage.recipient, OutboxMessage.subject, OutboxMessage.body_text, OutboxMessage.body_html,
               OutboxMessage.attachment_name, OutboxMessage.attachment_path, OutboxMessage.attempts,
               OutboxMessage.user_id, User.email_undeliverable_at, User.email_undeliverable_reason,
               OutboxMessage.kind, OutboxMessage.expires_at, OutboxMessage.key, OutboxMessage.created_at,
               OutboxMessage.channel, OutboxMessage.template_name, OutboxMessage.template_language,
               OutboxMessage.template_params, User.whatsapp_failed_at, User.whatsapp_failed_reason)
        .outerjoin(User, User.id == OutboxMessage.user_id).where(OutboxMessage.id == message_id)
    ).one()
    session.commit()  # no transaction (not even a read) stays open while SMTP talks
    attempts = row.attempts + 1
    scrub = {"body_text": SCRUBBED_BODY, "body_html": None} if row.kind in SECRET_KINDS else {}
    if row.expires_at is not None and now >= row.expires_at:  # e.g. a reset link that no longer works
        _finish(session, message_id, token, status=OUTBOX_FAILED, claim_token=None, **scrub,
                last_error=f"expired at {row.expires_at:%Y-%m-%d %H:%M} UTC before it could be sent")
        result.failed += 1
        return
    whatsapp = row.channel == CHANNEL_WHATSAPP
    flagged_at, flag_reason = (row.whatsapp_failed_at, row.whatsapp_failed_reason) if whatsapp else \
        (row.email_undeliverable_at, row.email_undeliverable_reason)
    if flagged_at is not None:  # flagged after this message was recorded
        _finish(session, message_id, token, status=OUTBOX_FAILED, claim_token=None, **scrub,
                last_error=f"{'number' if whatsapp else 'address'} marked undeliverable: {flag_reason or ''}")
        result.failed += 1
        return
    provider_id = None
    try:
        if whatsapp:
            provider_id = channels[CHANNEL_WHATSAPP].send(OutgoingWhatsApp(
                to=row.recipient, template=row.template_name or "", language=row.template_language or "id",
                params=json.loads(row.template_params or "[]"), idempotency_key=message_id_of(
                    message_id, row.key, row.created_at)))
        else:
            mailer.send(OutgoingMail(recipient=row.recipient, subject=row.subject, body_text=row.body_text,
                                     body_html=row.body_html, attachment_name=row.attachment_name,
                                     attachment_path=row.attachment_path,
                                     message_id=message_id_of(message_id, row.key, row.created_at)))
    except PermanentMailError as err:
        _finish(session, message_id, token, status=OUTBOX_FAILED, attempts=attempts, claim_token=None, **scrub,
                last_error=str(err)[:ERROR_MAX])
        if err.recipient is not None and row.user_id is not None:
            flag_user(session, row.user_id, whatsapp, str(err), now)
            if whatsapp:  # the person hears it by email instead
                email_copy(session, message_id, now)
                session.commit()
        result.failed += 1
        log.warning("outbox message %s refused for good: %s", message_id, err)
    except Exception as err:  # TransientMailError, or a bug: never lose the message, retry later
        if not isinstance(err, TransientMailError):
            log.exception("outbox message %s: unexpected error while sending", message_id)
        if attempts >= MAX_ATTEMPTS:
            _finish(session, message_id, token, status=OUTBOX_FAILED, attempts=attempts, claim_token=None, **scrub,
                    last_error=f"gave up after {attempts} attempts: {err}"[:ERROR_MAX])
            result.failed += 1
        else:
            _finish(session, message_id, token, status=OUTBOX_PENDING, attempts=attempts, claim_token=None,
                    claimed_at=None, next_attempt_at=now + BACKOFF[attempts - 1], last_error=str(err)[:ERROR_MAX])
            result.retry_later += 1
    else:
        # A status the webhook brought before this commit is kept, never stepped back to "accepted".
        _finish(session, message_id, token, status=OUTBOX_SENT, attempts=attempts, sent_at=now, last_error=None,
                provider_message_id=provider_id,
                delivery_status=func.coalesce(OutboxMessage.delivery_status, "accepted") if provider_id else None,
                **scrub)
        result.sent += 1


def email_copy(session: Session | scoped_session[Session], message_id: int, now: datetime) -> bool:
    """A WhatsApp message its number could not receive, by email instead: once, the same WITA day only, and not
    when that day's email digest already reached the person."""
    row = session.execute(select(OutboxMessage.kind, OutboxMessage.subject, OutboxMessage.body_text,
                                 OutboxMessage.created_at, User.id, User.email, User.email_undeliverable_at)
                          .join(User, User.id == OutboxMessage.user_id).where(OutboxMessage.id == message_id)).first()
    if row is None or not row.email or row.email_undeliverable_at is not None:
        return False
    day_end = wita_day_end_utc(wita_today(row.created_at))
    emailed = session.scalar(select(OutboxMessage.id).where(
        OutboxMessage.user_id == row.id, OutboxMessage.channel == CHANNEL_EMAIL, OutboxMessage.kind == "digest",
        OutboxMessage.status != OUTBOX_FAILED, OutboxMessage.created_at >= day_end - timedelta(days=1),
        OutboxMessage.created_at < day_end).limit(1))
    if emailed is not None or now >= day_end:
        return False
    return enqueue(session, key=outbox_key(row.email.lower(), "whatsapp-fallback", message_id), recipient=row.email,
                   user_id=row.id, kind=row.kind, subject=row.subject, body_text=row.body_text, now=now,
                   expires_at=day_end)


def flag_user(session: Session | scoped_session[Session], user_id: int, whatsapp: bool, reason: str,
              now: datetime) -> None:
    """The address or number was refused for good: no more messages to it until it is changed (the outbox
    records them as failed); a person whose WhatsApp number fails gets their reminders by email."""
    values = {"whatsapp_failed_at": now, "whatsapp_failed_reason": reason[:300]} if whatsapp else \
        {"email_undeliverable_at": now, "email_undeliverable_reason": reason[:300]}
    session.execute(update(User).where(User.id == user_id).values(**values),
                    execution_options={"synchronize_session": False})
    session.commit()


def deliver_one(session: Session | scoped_session[Session], mailer: Mailer, message_id: int,
                now: datetime) -> DeliveryResult:  # an email: the reset link
    """Send one recorded message now (a password reset link, right after the request is answered) with the
    claim every delivery run takes, so the scheduler never sends it a second time; a failure leaves it to
    the scheduler's retries. Commits, like deliver_pending."""
    result = DeliveryResult()
    session.commit()
    _deliver_one(session, mailer, message_id, now, result, {})
    return result


def deliver_pending(session_factory_or_session: Session | scoped_session[Session] | Callable[[], Session],
                    mailer: Mailer, now: datetime, batch: int = 50, whatsapp: Any = None) -> DeliveryResult:
    """Send every message that is due at `now`; returns how many were sent, failed, or wait to retry.

    This is the one service that COMMITS: pass Flask-SQLAlchemy's `db.session` (or any Session,
    or a factory that makes one, e.g. for a thread). It commits whatever the session already
    holds, then commits each claim before talking to SMTP and each outcome after, because a
    transaction held open during SMTP would block other writers (SQLite) and a claim that is not
    committed does not stop a concurrent run from sending the same message.

    Messages are fetched `batch` at a time until none is due. A transient failure puts the
    message back with the next backoff step; a 5xx refusal of the address fails it and flags
    the user. A run never raises because of SMTP. With a `whatsapp` channel (notifications/whatsapp.py) its
    messages go out the same way; without one they wait until the channel is configured.
    """
    channels = {CHANNEL_WHATSAPP: whatsapp} if whatsapp is not None else {}
    if isinstance(session_factory_or_session, Session | scoped_session):
        session, owned = session_factory_or_session, False
    else:
        session, owned = session_factory_or_session(), True
    result = DeliveryResult()
    try:
        session.commit()
        result.released = _release_stuck(session, now)
        skipped: list[int] = []
        while True:
            due = list(session.execute(
                select(OutboxMessage.id, OutboxMessage.channel)
                .where(OutboxMessage.status == OUTBOX_PENDING, OutboxMessage.next_attempt_at <= now,
                       OutboxMessage.id.not_in(skipped) if skipped else OutboxMessage.id > 0,
                       OutboxMessage.channel.in_([CHANNEL_EMAIL, *channels]))
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(batch)))
            session.commit()
            if not due:
                break
            for message_id, channel in due:
                if channel == CHANNEL_WHATSAPP and getattr(whatsapp, "paused", False):
                    skipped.append(message_id)  # rate-limited: it waits for the next run, attempts untouched
                    continue
                _deliver_one(session, mailer, message_id, now, result, channels)
            if len(due) < batch:
                break
    finally:
        if owned:
            session.close()
    return result
