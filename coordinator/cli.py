"""Command line: flask --app coordinator <command>."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from coordinator.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--scale", default=1, show_default=True, type=click.IntRange(1, 30),
                  help="Regency-sized copies of areas, agencies and actions (for benchmarks).")
    @click.option("--if-empty", is_flag=True, help="Skip quietly (still print the logins) when data exists.")
    def seed_demo_command(scale: int, if_empty: bool) -> None:
        """Fill an empty database with Kutim's areas and a demo plan with a year of history."""
        from sqlalchemy import select

        from coordinator.core.clock import utcnow
        from coordinator.models import Plan
        from coordinator.services.seed import seed_demo
        from coordinator.services.seed_content import DEMO_PASSWORD, DEMO_USERS

        if if_empty and db.session.scalar(select(Plan.id)):
            click.echo("Basis data sudah berisi rencana aksi; data demo tidak ditambahkan lagi.")
            click.echo(f"Akun demo (kata sandi untuk semua: {DEMO_PASSWORD}):")
            for email, role, _name, agency in ((u[0], u[2], u[1], u[3] or "") for u in DEMO_USERS):
                click.echo(f"  {email:<28} {role:<12} {agency}")
            return
        try:
            result = seed_demo(db.session, utcnow(), scale=scale)
        except RuntimeError as err:
            db.session.rollback()
            raise click.ClickException(str(err)) from err
        db.session.commit()
        click.echo(f"Demo siap: {result.actions} aksi, {result.milestones} tahapan, "
                   f"{result.updates} laporan kemajuan, {result.indicators} indikator.")
        click.echo(f"Akun demo (kata sandi untuk semua: {DEMO_PASSWORD}):")
        for email, role, agency in result.users:
            click.echo(f"  {email:<28} {role:<12} {agency}")
        click.echo("  fokal.<kode-instansi>@example.org  fokal  (satu per instansi lain, mis. fokal.dpppa@example.org)")

    users = AppGroup("users", help="Manage user accounts.")

    @users.command("create")
    @click.option("--email", required=True)
    @click.option("--name", required=True)
    @click.option("--role", required=True,
                  type=click.Choice(["admin", "koordinator", "fokal", "pimpinan", "verifikator"]))
    @click.option("--agency", "agency_code", default=None, help="Agency code, required for focal points.")
    @click.option("--locale", default="id", type=click.Choice(["id", "en"]))
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
    def create_user_command(email: str, name: str, role: str, agency_code: str | None, locale: str,
                            password: str) -> None:
        """Create a user."""
        from sqlalchemy import func, select

        from coordinator.core.clock import utcnow
        from coordinator.core.errors import DomainError
        from coordinator.models import Agency
        from coordinator.services.accounts import create_user

        agency_id = None
        if agency_code:
            agency_id = db.session.scalar(select(Agency.id).where(func.upper(Agency.code) == agency_code.upper()))
            if agency_id is None:
                raise click.ClickException(f"Unknown agency code: {agency_code}")
        try:
            user = create_user(db.session, email=email, name=name, password=password, role=role,
                               agency_id=agency_id, locale=locale, now=utcnow())
        except DomainError as err:
            db.session.rollback()
            raise click.ClickException(err.message % err.params if err.params else err.message) from err
        db.session.commit()
        click.echo(f"Created user {user.email} ({user.role}).")

    app.cli.add_command(users)

    from coordinator.ats.cli import register as register_ats

    register_ats(app)

    from coordinator.outbox_cli import register as register_outbox

    register_outbox(app)

    from coordinator.reminders.cli import register as register_reminders

    register_reminders(app)

    from coordinator.reports.cli import register as register_reports

    register_reports(app)

    from coordinator.plan.rad_cli import register as register_rad

    register_rad(app)

    from coordinator.verval.cli import register as register_verval

    register_verval(app)

    from coordinator.backup_cli import register as register_backup

    register_backup(app)
