"""flask --app coordinator report monthly|close|deliver: the monthly report from the command line."""
from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from coordinator.extensions import db


def _fail(err: Exception) -> click.ClickException:
    from coordinator.core.errors import DomainError

    if isinstance(err, DomainError):
        return click.ClickException(err.message % err.params if err.params else err.message)
    return click.ClickException(str(err))


def register(app: Flask) -> None:
    report = AppGroup("report", help="The monthly PDF report for leaders.")

    @report.command("monthly")
    @click.option("--period", required=True, metavar="YYYY-MM", help="The reported month, e.g. 2026-10.")
    @click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, writable=True),
                  help="Where to write the PDF.")
    @click.option("--agency", "agency_code", default=None, help="Report for one agency (its code, e.g. DINSOS).")
    @click.option("--kecamatan", "kecamatan_kode", default=None, help="Report for one kecamatan (kode, e.g. 64.08.04).")
    @click.option("--lang", "locale", default="id", show_default=True, type=click.Choice(["id", "en"]))
    @click.option("--close", "close_first", is_flag=True, help="Close the month first if it is still open.")
    @click.option("--send", is_flag=True, help="Close the month if open, archive, email it to the leaders now "
                  "(leaders who already got this PDF do not get it again).")
    @click.option("--regenerate", is_flag=True, help="Build a new revision even if one is archived already.")
    def monthly_command(period: str, out_path: str, agency_code: str | None, kecamatan_kode: str | None,
                        locale: str, close_first: bool, send: bool, regenerate: bool) -> None:
        """Write the month's report. A closed month's report comes from the archive (made and archived with its
        SHA-256 the first time); an open month gives a draft marked DRAF, unless --close or --send closes it."""
        from coordinator.core.clock import utcnow
        from coordinator.core.errors import DomainError
        from coordinator.models import SCOPE_REGENCY
        from coordinator.notifications.mailer import SmtpMailer
        from coordinator.notifications.outbox import deliver_pending
        from coordinator.reports.archive import generate, latest_archive, preview, read_archived
        from coordinator.reports.delivery import send_archive
        from coordinator.reports.facts import close_month, live_snapshot, parse_period

        scope, key = _scope(agency_code, kecamatan_kode)
        if send and scope != SCOPE_REGENCY:
            raise click.UsageError("--send sends the regency report; leave out --agency/--kecamatan.")
        now = utcnow()
        upload_dir = current_app.config["UPLOAD_DIR"]
        out = Path(out_path)
        if not out.parent.is_dir() or not os.access(out.parent, os.W_OK):
            raise click.UsageError(f"cannot write {out_path}: no such folder or no permission")
        try:
            p = parse_period(period)
            snapshot = live_snapshot(db.session, p)
            if snapshot is None and (send or close_first):
                snapshot = close_month(db.session, p, now, None)
                click.echo(f"Closed {p:%Y-%m} (facts {snapshot.facts_sha256[:16]}).", err=True)
            if snapshot is None:
                rendered = preview(db.session, p, scope, key, locale, now)
                db.session.rollback()
                Path(out_path).write_bytes(rendered.pdf)
                click.echo(f"DRAFT (month not closed): {out_path} {rendered.pages} pages, "
                           f"{rendered.seconds_total:.2f} s", err=True)
                return
            archive = None if regenerate else latest_archive(db.session, snapshot, scope, key, locale)
            if archive is None:
                archive = generate(db.session, snapshot, scope, key, locale, now, None, upload_dir)
            out.write_bytes(read_archived(upload_dir, archive))
            db.session.commit()
            click.echo(f"{archive.document_number}: {out_path} {archive.pages} pages, sha256 {archive.sha256}, "
                       f"{archive.build_seconds:.2f} s")
            if send:
                result = send_archive(db.session, archive, now, upload_dir, None)
                db.session.commit()
                delivery = deliver_pending(db.session, SmtpMailer(current_app.config), now)
                click.echo(f"recorded={result.enqueued} already={result.already} sent={delivery.sent} "
                           f"failed={delivery.failed} retry_later={delivery.retry_later}")
        except (DomainError, OSError) as err:
            db.session.rollback()
            raise _fail(err) from err

    @report.command("close")
    @click.option("--period", required=True, metavar="YYYY-MM")
    def close_command(period: str) -> None:
        """Freeze a month that has ended (its report's figures no longer change)."""
        from coordinator.core.clock import utcnow
        from coordinator.core.errors import DomainError
        from coordinator.reports.facts import close_month, parse_period

        try:
            snapshot = close_month(db.session, parse_period(period), utcnow(), None)
            db.session.commit()
        except DomainError as err:
            db.session.rollback()
            raise _fail(err) from err
        click.echo(f"Closed {snapshot.period:%Y-%m} (facts {snapshot.facts_sha256[:16]}).")

    @report.command("deliver")
    def deliver_command() -> None:
        """What the scheduler does every 10 minutes: from the send day on, close last month, archive and
        email its report to the leaders (once), then deliver pending email."""
        from coordinator.reports.jobs import monthly_delivery_run

        click.echo(monthly_delivery_run())

    @report.command("figures")
    @click.option("--period", required=True, metavar="YYYY-MM", help="The month, e.g. 2026-11.")
    @click.option("--agency", "agency_code", default=None, help="One agency's figures (its code, e.g. DINSOS).")
    @click.option("--kecamatan", "kecamatan_kode", default=None, help="One kecamatan's (kode, e.g. 64.08.04).")
    @click.option("--format", "fmt", default="json", show_default=True, type=click.Choice(["json"]))
    def figures_command(period: str, agency_code: str | None, kecamatan_kode: str | None, fmt: str) -> None:
        """The month's headline figures as one JSON object: the numbers of that month's report (PDF), and for
        the running month what the monitor shows today. A contract other tools call (docs/figures.md)."""
        import json

        from coordinator.core.clock import utcnow
        from coordinator.core.errors import DomainError
        from coordinator.figures.headline import month_figures
        from coordinator.reports.facts import parse_period

        scope, key = _scope(agency_code, kecamatan_kode)
        try:
            figures = month_figures(db.session, parse_period(period), scope, key, utcnow())
        except DomainError as err:
            raise _fail(err) from err
        finally:
            db.session.rollback()  # reading only
        click.echo(json.dumps(figures, ensure_ascii=False, indent=2))

    app.cli.add_command(report)


def _scope(agency_code: str | None, kecamatan_kode: str | None) -> tuple[str, str]:
    from coordinator.models import SCOPE_AGENCY, SCOPE_KECAMATAN, SCOPE_REGENCY

    if agency_code and kecamatan_kode:
        raise click.UsageError("Use --agency or --kecamatan, not both.")
    if agency_code:
        return SCOPE_AGENCY, agency_code.strip().upper()
    if kecamatan_kode:
        return SCOPE_KECAMATAN, kecamatan_kode.strip()
    return SCOPE_REGENCY, ""
