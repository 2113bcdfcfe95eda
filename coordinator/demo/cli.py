"""Command line of the demo: flask --app coordinator seed-demo [--scale N] [--if-empty]."""
from __future__ import annotations

import click
from flask import Flask

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
        from coordinator.demo.content import DEMO_PASSWORD, DEMO_USERS
        from coordinator.demo.seed import seed_demo
        from coordinator.models import Plan

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
