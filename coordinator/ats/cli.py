"""flask --app coordinator ats import|summary|snapshots (a contract other tools call).

    ats import FILE [FILE ...] --as-of YYYY-MM-DD [--source TEXT] [--dry-run] [--replace]
        FILE: a CSV or XLSX table, an XLSX with a table per sheet, or a ZIP of tables; several FILEs are one
        import (a 141-desa snapshot: the kecamatan table and 18 desa tables). Prints the preview, warnings and
        errors (with the table and row); exit 1, nothing saved, on any error (names that match no area are
        errors here). --replace confirms replacing rows of the same date.
    ats summary [--as-of YYYY-MM-DD] [--kecamatan KODE] --format json|table
    ats snapshots --format json
"""
from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from coordinator.extensions import db


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise click.BadParameter("use YYYY-MM-DD") from err


def _message(issue) -> str:  # type: ignore[no-untyped-def]
    try:
        text = issue.message % issue.params
    except (KeyError, TypeError, ValueError):
        text = issue.message
    return f"{issue.table}: {text}" if getattr(issue, "table", None) else text


def _counts_line(label: str, c: dict[str, int]) -> str:
    return f"  {label:<28} BPB {c['BPB']:>7}  DO {c['DO']:>6}  LTM {c['LTM']:>6}  total {c['total']:>7}"


def register(app: Flask) -> None:
    """Adds the `ats` command group."""
    ats = AppGroup("ats", help="ATS counts from Pusdatin: import, summary, snapshots.")

    @ats.command("import")
    @click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--as-of", "as_of", required=True, callback=_date, help="Keadaan per (YYYY-MM-DD).")
    @click.option("--source", default="Pusdatin Kemendikdasmen", show_default=True)
    @click.option("--note", default=None)
    @click.option("--dry-run", is_flag=True, help="Preview only; save nothing.")
    @click.option("--replace", is_flag=True, help="Confirm replacing rows of a snapshot of the same date.")
    def import_command(files: tuple[Path, ...], as_of: date, source: str, note: str | None, dry_run: bool,
                       replace: bool) -> None:
        """Import ATS tables (CSV, XLSX or a ZIP of them) as one snapshot."""
        from coordinator.ats import importing as ats_import
        from coordinator.ats.figures import totals_of
        from coordinator.ats.upload import bundle
        from coordinator.core.clock import utcnow
        from coordinator.core.errors import DomainError

        if len(files) == 1:
            data, name = files[0].read_bytes(), files[0].name
        else:
            data, name = bundle([(f.name, f.read_bytes()) for f in files]), f"ats-{as_of.isoformat()}.zip"
        p = ats_import.preview(db.session, data, name, as_of, source, {}, utcnow())
        click.echo(f"Unggahan {name}: {len(p.tables)} tabel, {len(p.rows)} baris, keadaan per {as_of.isoformat()}")
        for t in p.tables:
            level = "kecamatan" if t.level == "kecamatan" else f"desa (kecamatan {t.scope or '?'})"
            click.echo(f"  {t.table.label}: tabel {level}, {len(t.rows)} baris")
        for kode, nama, counts in p.kecamatan_totals:
            click.echo(_counts_line(f"{kode} {nama}", counts))
        click.echo(_counts_line("Residu", p.residu))
        click.echo(_counts_line("Total berkas", p.total))
        if not p.errors:
            click.echo(_counts_line(f"Total snapshot per {as_of.isoformat()}", p.snapshot_total))
        for w in p.warnings:
            click.echo(f"PERINGATAN: {_message(w)}")
        for e in p.errors:
            click.echo(f"KESALAHAN: {_message(e)}", err=True)
        if p.errors or p.unmatched:
            click.echo(f"{len(p.errors)} kesalahan; tidak ada yang disimpan.", err=True)
            db.session.rollback()
            sys.exit(1)
        if p.duplicate_of is not None:
            click.echo(f"Berkas yang sama sudah diimpor (snapshot #{p.duplicate_of.id}); tidak ada yang ditambahkan.")
            return
        if p.needs_confirm and not replace:
            click.echo(f"Sudah ada snapshot per {as_of.isoformat()} untuk wilayah yang sama; "
                       "tambahkan --replace untuk menggantinya.", err=True)
            if not dry_run:
                sys.exit(1)
        if dry_run:
            click.echo("Uji coba (--dry-run): tidak ada yang disimpan.")
            return
        try:
            result = ats_import.save(db.session, data, name, as_of, source, note, utcnow(),
                                     current_app.config["UPLOAD_DIR"], {}, None, confirm_replace=replace)
        except DomainError as err:
            db.session.rollback()
            click.echo(f"KESALAHAN: {err.message % err.params}", err=True)
            sys.exit(1)
        db.session.commit()
        saved = totals_of(db.session, result.snapshot)
        click.echo(f"Tersimpan: snapshot #{result.snapshot.id} per {as_of.isoformat()}, "
                   f"total {saved.total['total']}.")

    @ats.command("summary")
    @click.option("--as-of", "as_of", default=None, callback=_date)
    @click.option("--kecamatan", "kecamatan", default=None, help="Kemendagri code, e.g. 64.08.04: its desa.")
    @click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True)
    def summary_command(as_of: date | None, kecamatan: str | None, fmt: str) -> None:
        """Totals of the latest snapshot on or before --as-of."""
        from coordinator.ats.figures import snapshot_on_or_before, summary, totals_of
        from coordinator.models import Area

        snapshot = snapshot_on_or_before(db.session, as_of)
        if snapshot is None:
            click.echo("Belum ada snapshot ATS" + (f" pada atau sebelum {as_of.isoformat()}." if as_of else "."),
                       err=True)
            sys.exit(1)
        kec = db.session.get(Area, kecamatan) if kecamatan else None
        if kecamatan and (kec is None or kec.parent_kode is not None):
            click.echo(f"Kecamatan {kecamatan} tidak dikenal.", err=True)
            sys.exit(1)
        s = summary(db.session, totals_of(db.session, snapshot), kecamatan)
        if s is None:
            assert kec is not None
            click.echo(f"Snapshot per {snapshot.as_of.isoformat()} tidak berisi angka desa untuk Kec. {kec.nama}; "
                       "hanya angka kecamatannya (lihat ats summary tanpa --kecamatan).", err=True)
            sys.exit(1)
        if fmt == "json":
            click.echo(json.dumps({"as_of": snapshot.as_of.isoformat(), "total": s.totals.total,
                                   "residu": s.totals.residu, "without_desa": s.without_desa, "areas": s.areas}))
            return
        click.echo(f"ATS per {snapshot.as_of.isoformat()} ({snapshot.source})")
        for r in s.areas:
            click.echo(_counts_line(f"{r['kode']} {r['nama']}", r))
        if s.without_desa is not None:
            click.echo(_counts_line("Tanpa desa (residu tabel desa)", s.without_desa))
        click.echo(_counts_line("Residu kabupaten", s.totals.residu))
        click.echo(_counts_line("Total kabupaten", s.totals.total))

    @ats.command("snapshots")
    @click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json", show_default=True)
    def snapshots_command(fmt: str) -> None:
        """The live snapshots, oldest first."""
        from coordinator.ats.figures import live_snapshots, totals_for

        snapshots = live_snapshots(db.session)
        totals = totals_for(db.session, snapshots)
        out = [{"as_of": s.as_of.isoformat(), "source": s.source, "total": totals[s.id].total["total"]}
               for s in snapshots]
        if fmt == "json":
            click.echo(json.dumps(out))
            return
        for row in out:
            click.echo(f"{row['as_of']}  {row['total']:>7}  {row['source']}")

    app.cli.add_command(ats)
