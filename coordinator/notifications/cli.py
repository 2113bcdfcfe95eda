"""flask --app coordinator outbox deliver|list: the email outbox from the command line."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from coordinator.extensions import db

STATUSES = ("pending", "sending", "sent", "failed")


def register(app: Flask) -> None:
    outbox = AppGroup("outbox", help="The email outbox: deliver what is due, look at recent messages.")

    @outbox.command("deliver")
    @click.option("--now", "now_iso", default=None, metavar="ISO-DATETIME",
                  help="Deliver as if it were this moment (UTC unless an offset is given).")
    @click.option("--batch", default=50, show_default=True, type=click.IntRange(1, 1000))
    def deliver_command(now_iso: str | None, batch: int) -> None:
        """Send every message that is due; SMTP failures stay in the outbox to retry."""
        from datetime import UTC, datetime

        from coordinator.core.clock import utcnow
        from coordinator.notifications.mailer import SmtpMailer
        from coordinator.notifications.outbox import deliver_pending
        from coordinator.notifications.whatsapp import channel_from_config

        try:
            now = datetime.fromisoformat(now_iso) if now_iso else utcnow()
        except ValueError as err:
            raise click.BadParameter(str(err), param_hint="--now") from err
        if now.tzinfo is not None:  # the database stores naive UTC
            now = now.astimezone(UTC).replace(tzinfo=None)
        result = deliver_pending(db.session, SmtpMailer(current_app.config), now, batch=batch,
                                 whatsapp=channel_from_config(current_app.config))
        click.echo(f"sent={result.sent} failed={result.failed} retry_later={result.retry_later} "
                   f"released={result.released}")

    @outbox.command("list")
    @click.option("--status", type=click.Choice(STATUSES), default=None)
    @click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000))
    def list_command(status: str | None, limit: int) -> None:
        """Print the most recent messages, newest first."""
        from sqlalchemy import select

        from coordinator.models.outbox import OutboxMessage

        stmt = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(limit)
        if status:
            stmt = stmt.where(OutboxMessage.status == status)
        rows = list(db.session.scalars(stmt))
        if not rows:
            click.echo("No messages.")
            return
        click.echo(f"{'id':>6}  {'status':<8} {'tries':>5}  {'created (UTC)':<16}  {'next/sent (UTC)':<16}  "
                   f"{'recipient':<30} {'kind':<16} subject")
        for m in rows:
            when = m.sent_at if m.status == "sent" else m.next_attempt_at
            click.echo(f"{m.id:>6}  {m.status:<8} {m.attempts:>5}  {m.created_at:%Y-%m-%d %H:%M}  "
                       f"{when:%Y-%m-%d %H:%M}  {m.recipient[:30]:<30} {m.kind[:16]:<16} {m.subject[:60]}")
            if m.last_error and m.status != "sent":
                click.echo(f"{'':>8}error: {m.last_error[:200]}")

    app.cli.add_command(outbox)
