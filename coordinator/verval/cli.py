"""flask --app coordinator verval import FILE [--dry-run] | verval summary --format json|table."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from coordinator.extensions import db


def register(app: Flask) -> None:
    verval = AppGroup("verval", help="The by-name ATS list and its village verification.")

    @verval.command("import")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--source", default=None, help="Where the list comes from (e.g. Pusdatin, Dapodik).")
    @click.option("--dry-run", is_flag=True, help="Check every row and print the summary; save nothing.")
    def import_command(file: str, source: str | None, dry_run: bool) -> None:
        """Import the list, all or nothing: any row error exits 1 with the errors and saves nothing."""
        from coordinator.core.clock import utcnow
        from coordinator.core.errors import DomainError
        from coordinator.verval.child_data import key_from_config
        from coordinator.verval.importing import preview, save

        data = Path(file).read_bytes()
        key = key_from_config(current_app.config)
        try:
            p = preview(db.session, data, Path(file).name, key)
        except DomainError as err:
            raise click.ClickException(err.message % err.params if err.params else err.message) from err
        if p.missing_columns:
            raise click.ClickException(f"missing columns: {', '.join(p.missing_columns)}")
        for issue in p.errors:
            click.echo(f"row {issue.row}: {issue.message % issue.params if issue.params else issue.message}",
                       err=True)
        summary = f"rows={len(p.rows) + p.error_count} valid={len(p.rows)} new={p.new} updated={p.updated} " \
                  f"errors={p.error_count} skipped_erased={p.skipped_erased}"
        if p.error_count:
            db.session.rollback()
            raise click.ClickException(f"{summary}; nothing saved")
        if dry_run:
            db.session.rollback()
            click.echo(f"DRY RUN {summary}; nothing saved")
            return
        try:
            result = save(db.session, data, Path(file).name, key, utcnow(), None, source, checked=p)
            db.session.commit()
        except DomainError as err:
            db.session.rollback()
            raise click.ClickException(err.message % err.params if err.params else err.message) from err
        click.echo(f"saved import {result.batch.id}: created={result.created} updated={result.updated}")

    @verval.command("summary")
    @click.option("--format", "fmt", default="json", type=click.Choice(["json", "table"]))
    def summary_command(fmt: str) -> None:
        """Per desa with listed children: kode, nama, listed, verified, valid_ats, returned."""
        from coordinator.verval.verification import desa_figures

        rows = [{"kode": f.kode, "nama": f.nama, "listed": f.listed, "verified": f.verified,
                 "valid_ats": f.valid_ats, "returned": f.returned} for f in desa_figures(db.session)]
        if fmt == "json":
            click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        click.echo(f"{'kode':<16} {'nama':<28} {'listed':>7} {'verified':>9} {'valid':>7} {'returned':>9}")
        for r in rows:
            click.echo(f"{r['kode']:<16} {r['nama'][:28]:<28} {r['listed']:>7} {r['verified']:>9} "
                       f"{r['valid_ats']:>7} {r['returned']:>9}")

    @verval.command("retention")
    @click.option("--dry-run", is_flag=True, help="Only count the children whose personal data is due for erasure.")
    def retention_command(dry_run: bool) -> None:
        """Anonymise the children kept longer than the retention period (the aggregate counts stay)."""
        from coordinator.core.clock import utcnow
        from coordinator.verval.coordination import apply_retention, retention_due

        now = utcnow()
        if dry_run:
            click.echo(f"DRY RUN due={len(retention_due(db.session, now))}; nothing erased")
            db.session.rollback()
            return
        erased = apply_retention(db.session, now)
        db.session.commit()
        click.echo(f"erased={erased}")

    app.cli.add_command(verval)
