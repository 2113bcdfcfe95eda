"""flask --app coordinator rad import|export: the RAD matrix in Excel (a contract other tools call).

    rad import FILE.xlsx [--dry-run] [--map "NAME=CODE" ...] [--create-agencies]
        prints the plan as read, the counts, the changed actions and every error as "baris N, <kolom>: message".
        Exit 0: saved (or, with --dry-run, would save). Exit 1: any error, or names that match no agency or
        funding source and are not mapped (--map "Nama di berkas=KODE": an agency's code or a funding source;
        =new adds it) nor, for agencies, created (--create-agencies); nothing is saved then. --dry-run never
        writes. Exit 2: bad options (a --map code that is neither an agency nor a funding source).
    rad export FILE.xlsx
        writes the plan in the same layout plus status and progress columns, atomically (a temporary file
        next to FILE, then renamed); prints the number of actions. Exit 1 when there is no plan.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from coordinator.extensions import db


def issue_text(issue) -> str:  # type: ignore[no-untyped-def]
    """An Issue (or FileRefused) as the CLI prints it: "baris N, <kolom>: message"."""
    try:
        message = issue.message % issue.params if issue.params else issue.message
    except (KeyError, TypeError, ValueError):
        message = issue.message
    if "%(row)s" in issue.message:  # the parser's messages say where themselves
        return message
    where = []
    if getattr(issue, "sheet", None) and issue.sheet != "Matriks RAD":
        where.append(f"lembar {issue.sheet}")
    if getattr(issue, "row", None) is not None:
        where.append(f"baris {issue.row}")
    prefix = ", ".join(where)
    if getattr(issue, "column", None):
        prefix = f"{prefix}, {issue.column}" if prefix else issue.column
    return f"{prefix}: {message}" if prefix else message


def _maps(pairs: tuple[str, ...]) -> tuple[dict[str, str], dict[str, str]]:
    """--map "NAME=CODE" pairs as the agency map and the funding map of importing. CODE is an agency's code or a
    funding source's code (or label or alias); "new" creates whichever the name turns out to be."""
    from sqlalchemy import func, select

    from coordinator.core.names import plain_key
    from coordinator.models import Agency
    from coordinator.plan.funding import FundingLookup

    funding = FundingLookup.load(db.session)
    agencies: dict[str, str] = {}
    sources: dict[str, str] = {}
    for pair in pairs:
        name, sep, code = pair.rpartition("=")
        if not sep or not name.strip() or not code.strip():
            raise click.BadParameter(f"use NAME=CODE, not {pair!r}", param_hint="--map")
        key, code = plain_key(name), code.strip()
        if code.lower() == "new":
            agencies[key] = sources[key] = "new"
            continue
        agency_id = db.session.scalar(select(Agency.id).where(func.upper(Agency.code) == code.upper()))
        source = funding.find(code)
        if agency_id is None and source is None:
            raise click.BadParameter(f"{code!r} is neither an agency code nor a funding source", param_hint="--map")
        if agency_id is not None:
            agencies[key] = str(agency_id)
        if source is not None:
            sources[key] = source
    return agencies, sources


def _plan_read(p) -> None:  # type: ignore[no-untyped-def]
    labels = {"name": "nama", "start_year": "tahun awal", "end_year": "tahun akhir", "baseline_ats": "baseline ATS",
              "baseline_year": "tahun baseline", "target_ats": "target ATS"}
    origin = {"sheet": "lembar Rencana", "title": "judul", "dates": "tanggal aksi", "fix": "opsi"}
    read = [f"{labels[k]} {p.plan_values.get(k)} ({origin[src]})" for k, src in p.plan_read_from.items()
            if k in labels and p.plan_values.get(k) is not None]
    if read:
        click.echo("  rencana: " + "; ".join(read))


def _summary(p) -> None:  # type: ignore[no-untyped-def]
    labels = {"plan": "rencana", "pillars": "pilar", "programs": "program", "actions": "aksi",
              "milestones": "tahapan", "indicators": "indikator"}
    for kind, c in p.counts.items():
        click.echo(f"  {labels[kind]:<10} baru {c.new:>4}  berubah {c.changed:>4}  tetap {c.unchanged:>4}")
    _plan_read(p)
    for name in p.agencies_to_create:
        click.echo(f"  instansi baru: {name}")
    for name in p.funding_to_create:
        click.echo(f"  sumber dana baru: {name}")
    for name, agency in p.aliases_to_add:
        click.echo(f"  alias baru: {name} -> {agency}")
    for ch in p.changed_actions:
        click.echo(f"  berubah {ch.code}: {', '.join(ch.headers)}")
    if p.not_in_file:
        click.echo(f"  {p.not_in_file} aksi rencana tidak ada di berkas (tetap, tidak dihapus)")


def register(app: Flask) -> None:
    """Adds the `rad` command group."""
    rad = AppGroup("rad", help="The RAD matrix in Excel: import and export.")

    @rad.command("import")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help="Preview only; save nothing.")
    @click.option("--map", "maps", multiple=True, metavar="NAME=CODE",
                  help="Map a name of the file to an agency code or a funding source (or 'new'); remembered as an "
                       "alias.")
    @click.option("--create-agencies", is_flag=True, help="Create every agency that matches none.")
    def import_command(file: Path, dry_run: bool, maps: tuple[str, ...], create_agencies: bool) -> None:
        """Import a RAD matrix (XLSX); nothing is saved on any error."""
        from coordinator.core.clock import utcnow
        from coordinator.rad_matrix import importing as rad_import
        from coordinator.rad_matrix.parse import FileRefused, parse_matrix

        agency_map, funding_map = _maps(maps)
        try:
            parsed = parse_matrix(file.read_bytes(), file.name)
        except FileRefused as err:  # no workbook, or one that unpacks too large
            click.echo(f"KESALAHAN: {issue_text(err)}", err=True)
            click.echo("Tidak ada yang disimpan.", err=True)
            sys.exit(1)
        p = rad_import.preview(db.session, parsed, agency_map, utcnow(), funding_map=funding_map)
        if create_agencies and p.unmapped:
            agency_map.update({u.key: "new" for u in p.unmapped})
            p = rad_import.preview(db.session, parsed, agency_map, utcnow(), funding_map=funding_map)
        click.echo(f"Berkas {file.name}: {p.actions_in_file} aksi")
        _summary(p)
        for w in p.warnings:
            click.echo(f"PERINGATAN: {issue_text(w)}")
        for u in p.unmapped:
            rows = ", ".join(str(r) for r in u.rows)
            click.echo(f"INSTANSI TIDAK DIKENAL: {u.name} (baris {rows})", err=True)
        for f in p.unmapped_funding:
            rows = ", ".join(str(r) for r in f.rows)
            click.echo(f"SUMBER DANA TIDAK DIKENAL: {f.name} (baris {rows})", err=True)
        for e in p.errors:
            click.echo(f"KESALAHAN: {issue_text(e)}", err=True)
        if not p.can_save:
            if p.unmapped:
                click.echo('Instansi: petakan dengan --map "Nama=KODE_INSTANSI" (atau =new), atau tambahkan '
                           '--create-agencies.', err=True)
            if p.unmapped_funding:
                click.echo('Sumber dana: petakan dengan --map "Nama=KODE_SUMBER_DANA" (mis. =APBD, =CSR), atau '
                           '=new untuk menambahkannya ke daftar sumber dana.', err=True)
            click.echo(f"{len(p.errors)} kesalahan; tidak ada yang disimpan.", err=True)
            db.session.rollback()
            sys.exit(1)
        if dry_run:
            db.session.rollback()
            click.echo("Uji coba (--dry-run): tidak ada yang disimpan.")
            return
        result = rad_import.save(db.session, parsed, agency_map, utcnow(), funding_map=funding_map)
        if not result.saved:
            db.session.rollback()
            for e in result.preview.errors:
                click.echo(f"KESALAHAN: {issue_text(e)}", err=True)
            click.echo("Tidak ada yang disimpan.", err=True)
            sys.exit(1)
        db.session.commit()
        click.echo(f"Tersimpan: {result.preview.changes} perubahan.")

    @rad.command("export")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    def export_command(file: Path) -> None:
        """Export the plan as a RAD matrix (XLSX) with status and progress."""
        from sqlalchemy import func, select

        from coordinator.core.clock import utcnow
        from coordinator.models import Action
        from coordinator.plan.editing import current_plan
        from coordinator.rad_matrix.collect import export_plan

        if current_plan(db.session) is None:
            click.echo("Belum ada rencana aksi; tidak ada yang diekspor.", err=True)
            sys.exit(1)
        now = utcnow()
        data = export_plan(db.session, now)
        actions = db.session.scalar(select(func.count()).where(Action.deleted_at.is_(None)))
        target = file.resolve()
        fd, tmp = tempfile.mkstemp(prefix=".rad-", suffix=".xlsx.tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        click.echo(f"{actions} aksi diekspor ke {file}.")

    app.cli.add_command(rad)
