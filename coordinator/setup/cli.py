"""flask --app coordinator setup --admin-email EMAIL [--admin-name NAME] [--region-file CSV|XLSX]

The first command on a new server, after `flask db upgrade`: see docs/operations.md. The admin's password comes
from ADMIN_PASSWORD or a hidden prompt (twice), and must keep the password rules (accounts/passwords.py)."""
from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask

from coordinator.core.clock import utcnow
from coordinator.core.errors import DomainError
from coordinator.extensions import db
from coordinator.setup.install import SetupResult, check_empty, set_up
from coordinator.setup.region import Region, packaged_region, read_region


def _message(message: str, params: dict) -> str:
    return message % params if params else message


def _region(path: Path | None) -> Region:
    region = packaged_region() if path is None else read_region(path.read_bytes(), path.name)
    if region.errors:
        for e in region.errors:
            where = f"Baris {e.row}: " if e.row else ""
            click.echo(f"  {where}{_message(e.message, e.params)}", err=True)
        raise click.ClickException(f"Berkas wilayah berisi {len(region.errors)} kesalahan; tidak ada yang dimuat.")
    return region


def _report(result: SetupResult, base_url: str) -> None:
    click.echo(f"  Wilayah: {result.kecamatan} kecamatan, {result.desa} desa/kelurahan")
    click.echo(f"  Sumber dana: {result.funding_sources}")
    click.echo(f"  Instansi: {result.agencies}")
    click.echo(f"  Admin: {result.admin_email}")
    click.echo(f"Masuk di {base_url.rstrip('/')}/login untuk menambah koordinator, instansi dan pengguna lain.")


def register(app: Flask) -> None:
    @app.cli.command("setup")
    @click.option("--admin-email", required=True, help="Email of the first administrator.")
    @click.option("--admin-name", default="Administrator", show_default=True)
    @click.option("--region-file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
                  help="Areas of another kabupaten (kode_kecamatan, kecamatan, kode_desa, desa, jenis); "
                       "default: Kutai Timur's 18 kecamatan and 141 desa/kelurahan.")
    def setup_command(admin_email: str, admin_name: str, region_file: Path | None) -> None:
        """Prepare a new installation: areas, reference lists, agencies and the first admin. Never demo data."""
        region = _region(region_file)
        base_url = str(app.config.get("BASE_URL") or "http://127.0.0.1:5000")
        try:
            if check_empty(db.session, admin_email):
                db.session.rollback()
                click.echo("SITISEK sudah disiapkan sebelumnya untuk admin ini; tidak ada yang diubah.")
                return
        except DomainError as err:
            db.session.rollback()
            raise click.ClickException(_message(err.message, err.params)) from err
        password = os.environ.get("ADMIN_PASSWORD") or click.prompt(
            "Kata sandi admin (minimal 12 karakter, bukan kata sandi umum, tanpa nama atau nama email admin)",
            hide_input=True, confirmation_prompt="Ulangi kata sandi")
        try:
            result = set_up(db.session, region, admin_email=admin_email, admin_name=admin_name,
                            admin_password=password, now=utcnow())
        except DomainError as err:
            db.session.rollback()
            raise click.ClickException(_message(err.message, err.params) + " Tidak ada yang diubah.") from err
        db.session.commit()
        click.echo("SITISEK siap dipakai:")
        _report(result, base_url)
