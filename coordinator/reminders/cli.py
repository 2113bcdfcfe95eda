"""flask --app coordinator reminders run [--now ISO-DATETIME] [--dry-run] | flask --app coordinator scheduler."""
from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import Flask
from flask.cli import AppGroup


def parse_now(value: str | None) -> datetime:
    """ISO datetime (UTC unless it carries an offset) -> naive UTC; none -> the app clock."""
    from coordinator.core.clock import utcnow

    if not value:
        return utcnow()
    try:
        now = datetime.fromisoformat(value)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--now") from err
    if now.tzinfo is not None:
        now = now.astimezone(UTC).replace(tzinfo=None)
    return now


def register(app: Flask) -> None:
    reminders = AppGroup("reminders", help="Reminder emails and notifications.")

    @reminders.command("run")
    @click.option("--now", "now_iso", default=None, metavar="ISO-DATETIME",
                  help="Run as if it were this moment (UTC unless an offset is given, e.g. 2026-11-01T07:00+08:00).")
    @click.option("--dry-run", is_flag=True, help="Print who would get what; record and send nothing.")
    def run_command(now_iso: str | None, dry_run: bool) -> None:
        """Record what is due in the outbox, then deliver everything pending (SMTP failures stay to retry)."""
        from coordinator.reminders.scheduler import daily_run, summary

        now = parse_now(now_iso)
        result = daily_run(now, dry_run=dry_run)
        if dry_run:
            click.echo(f"DRY RUN {result.today.isoformat()} (WITA): nothing recorded, nothing sent.")
            for digest in result.digests + result.weekly:
                click.echo(f"{digest.recipient} [{digest.locale}] {digest.subject}")
                for item in digest.items:
                    click.echo(f"    {item.kind:<18} {item.title[:70]}  {item.url}")
            click.echo(f"would_send={len(result.digests) + sum(d.email for d in result.weekly)} "
                       f"reminders={len(result.reminders)}")
            return
        click.echo(summary(result))

    app.cli.add_command(reminders)

    @app.cli.command("scheduler")
    @click.option("--no-catch-up", is_flag=True, help="Do not run today's reminders at start when their time is past.")
    def scheduler_command(no_catch_up: bool) -> None:
        """Run the reminder scheduler in this process (one process only; never inside web workers)."""
        from coordinator.reminders.scheduler import run_scheduler

        run_scheduler(app, catch_up=not no_catch_up)
