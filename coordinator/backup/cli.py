"""flask --app coordinator backup|restore: the whole installation (database and UPLOAD_DIR) in one archive.

    backup FILE
        writes FILE (a .tar.gz), or DIR/sitisek-YYYYMMDD.tar.gz (the WITA date) when FILE is a directory;
        atomically, mode 0600, its manifest signed with BACKUP_KEY; prints what it holds. Exit 1 with a message
        on any failure (BACKUP_KEY missing or shorter than 32 characters included).
    restore FILE [--yes] [--unsigned]
        verifies the archive (the manifest's signature under BACKUP_KEY, every checksum, safe member paths),
        refuses an archive of the other engine or of a schema revision this code does not know, asks for
        confirmation unless --yes, then replaces the database and UPLOAD_DIR and checks the row counts. Exit 1,
        nothing changed, on a refusal. --unsigned restores an unsigned or wrongly signed archive, with a warning.

Messages are in English, like the rest of the operators' command line output of backup and restore. The logic
is in backup/operations.py, backup/archive.py and backup/signing.py.
"""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app

from coordinator.extensions import db


def _known_revisions(app: Flask) -> tuple[set[str], set[str]]:
    """Every alembic revision this code has, and its heads."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(app.extensions["migrate"].directory)
    return {rev.revision for rev in script.walk_revisions()}, set(script.get_heads())


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{n} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def register(app: Flask) -> None:
    @app.cli.command("backup")
    @click.argument("file", type=click.Path(path_type=Path))
    def backup_command(file: Path) -> None:
        """Back up the database and the uploaded files into one .tar.gz archive.

        FILE is the archive to write, or a directory to write sitisek-YYYYMMDD.tar.gz into.
        """
        from coordinator.backup.archive import manifest_summary
        from coordinator.backup.operations import BackupError, create_backup, default_archive_name
        from coordinator.backup.signing import key_id
        from coordinator.core.clock import utcnow

        now = utcnow()
        target = file / default_archive_name(now) if file.is_dir() else file
        db.session.remove()  # hold no transaction of our own while the copy is made
        key = current_app.config.get("BACKUP_KEY")
        try:
            result = create_backup(current_app.config["SQLALCHEMY_DATABASE_URI"], current_app.config["UPLOAD_DIR"],
                                   target, now, key=key)
        except BackupError as err:
            raise click.ClickException(err.message) from err
        for path in result.skipped:
            click.echo(f"skipped (not a regular file or directory): {path}", err=True)
        s = manifest_summary(result.manifest)
        click.echo(f"Backup written: {result.path} ({_size(result.path.stat().st_size)})")
        click.echo(f"  {s['engine']} database, revision {s['revision']}: {s['tables']} tables, {s['rows']} rows; "
                   f"{s['files']} uploaded files ({_size(s['bytes'])}).")
        click.echo(f"  Signed with BACKUP_KEY (key id {key_id(str(key))}): keep that key to restore it.")

    @app.cli.command("restore")
    @click.argument("file", type=click.Path(path_type=Path))
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    @click.option("--unsigned", is_flag=True,
                  help="Restore even if the archive is not signed with this BACKUP_KEY (made before backups were "
                       "signed, or under a lost key). Only for an archive whose origin you know for certain.")
    def restore_command(file: Path, yes: bool, unsigned: bool) -> None:
        """Replace the database and the uploaded files with a backup archive's.

        Stop the web app and the scheduler first. Nothing is changed when the archive is damaged, not
        signed with BACKUP_KEY (unless --unsigned), from the other database engine or from a newer SITISEK.
        """
        from coordinator.backup.archive import manifest_summary
        from coordinator.backup.operations import BackupError, check_restore, display_url, restore_backup
        from coordinator.backup.signing import SignatureCheck

        url = current_app.config["SQLALCHEMY_DATABASE_URI"]
        upload_dir = current_app.config["UPLOAD_DIR"]
        known, heads = _known_revisions(app)
        signature = SignatureCheck(current_app.config.get("BACKUP_KEY"), allow_unsigned=unsigned)
        try:
            manifest = check_restore(file, url, upload_dir, known, signature)
        except BackupError as err:
            raise click.ClickException(err.message) from err
        s = manifest_summary(manifest)
        signed = (f"Signed with this BACKUP_KEY (key id {signature.signed_with})" if signature.problem is None
                  else "NOT verified by a signature")
        click.echo(f"Archive {file}: made {s['created_at']}, {s['engine']} database at revision {s['revision']}, "
                   f"{s['tables']} tables, {s['rows']} rows, {s['files']} uploaded files ({_size(s['bytes'])}). "
                   f"Every checksum matches. {signed}.")
        if signature.problem is not None:
            _warn_unsigned(signature.problem)
        click.echo(f"This REPLACES everything in the database {display_url(url)} and in {upload_dir}.")
        if not yes and not click.confirm("Restore now?", default=False):
            raise click.ClickException("restore cancelled; nothing was changed.")
        db.session.remove()  # our own connections must not hold locks the restore waits for
        db.engine.dispose()
        try:
            counts = restore_backup(file, manifest, url, upload_dir)
        except BackupError as err:
            raise click.ClickException(err.message) from err
        finally:
            db.engine.dispose()
        _new_data_revision()
        click.echo(f"Restored: {len(counts)} tables, {sum(counts.values())} rows (as in the manifest), "
                   f"{s['files']} uploaded files.")
        if manifest.alembic_revision not in heads:
            click.echo("The archive's schema is older than this code: run flask --app coordinator db upgrade.")


def _warn_unsigned(problem: str) -> None:
    rule = "!" * 100
    click.echo("\n".join((
        rule,
        f"WARNING: --unsigned: {problem}.",
        "Nothing proves that this archive was made by this installation's backup and left unchanged since: whoever",
        "could write it may have put any data, any accounts and any password hashes into it. Restore it only if you",
        "know for certain where it comes from (e.g. a backup made before signing was introduced).",
        rule)), err=True)


def _new_data_revision() -> None:
    """Running web workers keep rendered pages per data revision: a new one makes them all build afresh."""
    from sqlalchemy.exc import SQLAlchemyError

    from coordinator.core import revision

    try:
        revision.bump(db.session)
        db.session.commit()
    except SQLAlchemyError:  # an archive of a schema before the revision table: `db upgrade` creates it
        db.session.rollback()
    finally:
        db.session.remove()
