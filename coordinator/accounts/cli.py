"""Command line of accounts: flask --app coordinator users create ..."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from coordinator.extensions import db


def register(app: Flask) -> None:
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

        from coordinator.accounts.users import create_user
        from coordinator.core.clock import utcnow
        from coordinator.core.errors import DomainError
        from coordinator.models import Agency

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
