"""Command line of accounts: flask --app coordinator users create ... | api-token create ..."""
from __future__ import annotations

from datetime import datetime

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
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
                  help="At least 12 characters, not a common or guessable password, without the user's name or the "
                       "name part of their email (accounts/passwords.py). Asked for, hidden, when not given.")
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

    tokens = AppGroup("api-token", help="Personal API tokens for dashboards and scripts (/api/v1).")

    @tokens.command("create")
    @click.option("--user", "email", required=True, help="Email of the active user the token acts as.")
    @click.option("--name", required=True, help="What the token is for, e.g. the dashboard's name.")
    @click.option("--expires", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                  help="Last day the token works (YYYY-MM-DD, through that day in WITA); none: until revoked.")
    def create_token_command(email: str, name: str, expires: datetime | None) -> None:
        """Create a token and print its secret, once: it is stored only as a hash."""
        from sqlalchemy import select

        from coordinator.accounts.api_tokens import create_token, expiry_of
        from coordinator.accounts.users import normalise_email
        from coordinator.core.clock import utcnow
        from coordinator.core.errors import DomainError
        from coordinator.models import User

        user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
        if user is None:
            raise click.ClickException(f"Tidak ada pengguna dengan email {email}.")
        try:
            token, secret = create_token(db.session, user.id, name, expiry_of(expires.date() if expires else None),
                                         None, utcnow())
        except DomainError as err:
            db.session.rollback()
            if err.params:  # a year out of range: the message says which years
                message = err.message % err.params
            else:  # the form's short messages, said in full for the command line
                message = {"user_id": "Pengguna ini nonaktif.", "name": "Nama token wajib diisi.",
                           "expires_at": "Tanggal kedaluwarsa harus sesudah hari ini."
                           }.get(err.field or "", err.message)
            raise click.ClickException(message) from err
        db.session.commit()
        click.echo(f"Token {token.name!r} untuk {user.email} ({user.role}), "
                   + (f"berlaku sampai {expires.date().isoformat()} (WITA)." if expires else "berlaku sampai dicabut."))
        click.echo("Simpan sekarang; rahasia ini tidak ditampilkan lagi:")
        click.echo(secret)

    app.cli.add_command(tokens)
