"""Backup and restore of a whole installation: the database and UPLOAD_DIR in one archive.

Plain values in (the database URL, the upload directory, paths, `now`, BACKUP_KEY); the archive format is in
archive.py, its signature in signing.py. Nothing here logs or prints the database password: the PostgreSQL tools
get the URL without it and the password through PGPASSWORD in their environment only.

- SQLite: the online backup API (sqlite3.Connection.backup) copies a consistent image while the app runs;
  a restore copies the archived image back into the live file the same way, in one step.
- PostgreSQL: `pg_dump --format=custom --no-owner --no-privileges` inside a REPEATABLE READ snapshot that
  also counts the rows, so counts and dump agree; `pg_restore --clean --if-exists --no-owner
  --no-privileges --single-transaction`, so a failed restore changes nothing.
- Uploads are extracted into a hidden sibling of UPLOAD_DIR and swapped in with two renames.
"""
from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable, Collection
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from coordinator.backup.archive import (
    BackupError,
    Manifest,
    extract_archive,
    remove_leftovers,
    verify_archive,
    write_archive,
)
from coordinator.backup.signing import SignatureCheck, manifest_signer
from coordinator.core.clock import wita_today

__all__ = ["BackupError", "BackupResult", "check_restore", "create_backup", "default_archive_name",
           "display_url", "restore_backup"]

ALEMBIC_TABLE = "alembic_version"
# How long a restore (and an SQLite backup) waits for locks a running app holds before it gives up, unchanged.
LOCK_WAIT_SECONDS = 60


@dataclass
class BackupResult:
    path: Path
    manifest: Manifest
    skipped: list[str] = field(default_factory=list)


def default_archive_name(now: datetime) -> str:
    """sitisek-YYYYMMDD.tar.gz, the WITA date of `now` (naive UTC)."""
    return f"sitisek-{wita_today(now):%Y%m%d}.tar.gz"


def _url(database_url: str) -> URL:
    try:
        return make_url(database_url)
    except ArgumentError as err:
        raise BackupError("DATABASE_URL is not a valid database URL.") from err


def engine_of(database_url: str) -> str:
    backend = _url(database_url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"backup supports SQLite and PostgreSQL, not {backend}.")
    return backend


def display_url(database_url: str) -> str:
    """The URL to show an operator: password hidden."""
    return _url(database_url).render_as_string(hide_password=True)


def _redact(message: str, url: URL) -> str:
    if url.password:
        message = message.replace(str(url.password), "***")
    return message


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _facts(query: Callable[[str], list[Any]], names: list[str]) -> tuple[str, dict[str, int]]:
    """The alembic revision and the row count of every table."""
    tables = {name: int(query(f"SELECT count(*) FROM {_quote(name)}")[0][0]) for name in names}  # noqa: S608
    if ALEMBIC_TABLE not in tables:
        raise BackupError("the database has no alembic_version table, so no SITISEK schema: "
                          "run flask --app coordinator db upgrade first.")
    rows = query(f"SELECT version_num FROM {ALEMBIC_TABLE}")  # noqa: S608
    if len(rows) != 1:
        raise BackupError(f"alembic_version holds {len(rows)} revisions; expected exactly one.")
    return str(rows[0][0]), tables


# --- SQLite -------------------------------------------------------------------------------------------------

def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError("an in-memory SQLite database cannot be backed up or restored; "
                          "DATABASE_URL must name a file.")
    return Path(url.database)


def _sqlite_facts(conn: sqlite3.Connection) -> tuple[str, dict[str, int]]:
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return _facts(lambda sql: conn.execute(sql).fetchall(), names)


def _sqlite_copy(src: sqlite3.Connection, dest: sqlite3.Connection, what: str) -> None:
    """All pages in one step (one consistent image, written in one transaction); gives up after LOCK_WAIT_SECONDS
    of locks (Python's backup() itself would retry forever)."""
    deadline = time.monotonic() + LOCK_WAIT_SECONDS

    def progress(status: int, _remaining: int, _total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() > deadline:
            raise BackupError(f"{what}: the database stayed locked for {LOCK_WAIT_SECONDS} s (stop the application "
                              "first); nothing was changed.")

    src.backup(dest, progress=progress)


def _sqlite_backup(path: Path, dest: Path) -> tuple[str, dict[str, int]]:
    if not path.is_file():
        raise BackupError(f"the SQLite database {path} does not exist.")
    try:
        with closing(sqlite3.connect(path, timeout=1)) as src, closing(sqlite3.connect(dest)) as out:
            _sqlite_copy(src, out, "SQLite backup")  # a consistent image even while the app writes
            out.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
            return _sqlite_facts(out)
    except sqlite3.Error as err:
        raise BackupError(f"SQLite backup of {path} failed: {err}.") from err


def _sqlite_restore(path: Path, copy: Path, manifest: Manifest) -> None:
    try:
        with closing(sqlite3.connect(copy)) as src:
            check = src.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"the archived SQLite database is damaged ({check}); nothing was changed.")
            if _sqlite_facts(src) != (manifest.alembic_revision, manifest.tables):
                raise BackupError("the archived database does not match manifest.json (revision or row counts); "
                                  "nothing was changed.")
            path.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(path, timeout=1)) as live:
                _sqlite_copy(src, live, "SQLite restore")  # replaces every page of the live database at once
    except sqlite3.Error as err:
        raise BackupError(f"SQLite restore into {path} failed: {err}.") from err


def _sqlite_counts(path: Path, names: Collection[str]) -> dict[str, int]:
    with closing(sqlite3.connect(path, timeout=60)) as conn:
        return {n: int(conn.execute(f"SELECT count(*) FROM {_quote(n)}").fetchone()[0])  # noqa: S608
                for n in names}


# --- PostgreSQL ---------------------------------------------------------------------------------------------

def _pg_binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client tools (apt-get install "
                          "postgresql-client, the server's major version or newer).")
    return found


def _pg_env(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq URI without the password, and an environment that carries the password."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _run(cmd: list[str], env: dict[str, str], url: URL, what: str,
         watch: Callable[[], str | None] | None = None) -> None:
    """Runs a PostgreSQL tool; `watch` is called every second while it runs and may stop it, saying why."""
    try:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,  # noqa: S603
                                text=True)
    except OSError as err:
        raise BackupError(f"{what} could not be started: {err}.") from err
    why: str | None = None
    while True:
        try:
            _out, err_text = proc.communicate(timeout=1)
            break
        except subprocess.TimeoutExpired:
            if watch is not None and why is None:
                why = watch()
    if proc.returncode != 0:
        detail = _redact(err_text.strip(), url) or f"exit code {proc.returncode}"
        raise BackupError(f"{what} failed: {why + '; ' if why else ''}{detail}")


def _engine(url: URL) -> Any:
    return create_engine(url, poolclass=NullPool)


def _pg_tables(conn: Connection) -> list[str]:
    return list(conn.scalars(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")))


def _pg_facts(conn: Connection) -> tuple[str, dict[str, int]]:
    return _facts(lambda sql: list(conn.execute(text(sql)).all()), _pg_tables(conn))


def _pg_failed(url: URL, err: SQLAlchemyError) -> BackupError:
    detail = str(getattr(err, "orig", None) or err).strip()
    return BackupError(f"database {url.render_as_string(hide_password=True)}: {_redact(detail, url)}")


def _pg_backup(url: URL, dest: Path) -> tuple[str, dict[str, int]]:
    pg_dump = _pg_binary("pg_dump")
    uri, env = _pg_env(url)
    engine = _engine(url)
    try:
        with engine.connect() as base:
            conn = base.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            with conn.begin():
                # pg_dump reads the very snapshot in which the rows were counted.
                conn.execute(text(f"SET LOCAL lock_timeout = '{int(LOCK_WAIT_SECONDS)}s'"))
                snapshot = conn.scalar(text("SELECT pg_export_snapshot()"))
                facts = _pg_facts(conn)
                _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                      f"--lock-wait-timeout={int(LOCK_WAIT_SECONDS)}s", f"--file={dest}", f"--dbname={uri}"],
                     env, url, "pg_dump")
        return facts
    except SQLAlchemyError as err:
        raise _pg_failed(url, err) from err
    finally:
        engine.dispose()


def _cancel_when_stuck(url: URL, app_name: str) -> str | None:
    """pg_restore sets lock_timeout = 0 itself: cancel its statement when it waits on a lock too long, so its
    single transaction rolls back instead of hanging behind a running app."""
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            pids = list(conn.scalars(text(
                "SELECT pid FROM pg_stat_activity WHERE application_name = :name AND wait_event_type = 'Lock' "
                "AND now() - query_start > make_interval(secs => :secs)"), {"name": app_name,
                                                                             "secs": LOCK_WAIT_SECONDS}))
            for pid in pids:
                conn.execute(text("SELECT pg_cancel_backend(:pid)"), {"pid": pid})
            conn.commit()
    except SQLAlchemyError:
        return None
    finally:
        engine.dispose()
    if not pids:
        return None
    return (f"it waited more than {LOCK_WAIT_SECONDS} s for a lock another connection holds (stop the web app and "
            "the scheduler first) and was cancelled, so nothing was changed")


def _pg_restore(url: URL, dump: Path) -> None:
    pg_restore = _pg_binary("pg_restore")
    uri, env = _pg_env(url)
    env["PGAPPNAME"] = app_name = f"sitisek-restore-{os.getpid()}-{secrets.token_hex(4)}"
    _run([pg_restore, "--list", str(dump)], env, url, "pg_restore --list (reading the archived dump)")
    _run([pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          f"--dbname={uri}", str(dump)], env, url, "pg_restore", watch=lambda: _cancel_when_stuck(url, app_name))


def _pg_counts(url: URL, names: Collection[str] | None = None) -> dict[str, int]:
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            wanted = _pg_tables(conn) if names is None else names
            return {n: int(conn.scalar(text(f"SELECT count(*) FROM {_quote(n)}")) or 0)  # noqa: S608
                    for n in wanted}
    except SQLAlchemyError as err:
        raise _pg_failed(url, err) from err
    finally:
        engine.dispose()


# --- the operations -----------------------------------------------------------------------------------------

def create_backup(database_url: str, upload_dir: str | Path, target: Path, now: datetime, *,
                  key: str | None) -> BackupResult:
    """Writes one archive with the database, UPLOAD_DIR and a manifest signed with `key` (BACKUP_KEY) to target
    (atomically, mode 0600)."""
    sign = manifest_signer(key)  # no key, no backup: refused before anything is copied
    engine = engine_of(database_url)
    url = _url(database_url)
    target = Path(target).absolute()
    if target.is_dir():
        raise BackupError(f"{target} is a directory; name the archive file.")
    if not target.parent.is_dir():
        raise BackupError(f"the directory {target.parent} does not exist.")
    remove_leftovers(target.parent)
    try:
        with tempfile.TemporaryDirectory(prefix=f".sitisek-backup-{os.getpid()}-", dir=target.parent) as tmp:
            db_file = Path(tmp) / "database"
            if engine == "sqlite":
                revision, tables = _sqlite_backup(_sqlite_path(url), db_file)
            else:
                revision, tables = _pg_backup(url, db_file)
            manifest = Manifest(created_at=now.replace(microsecond=0).isoformat() + "Z", engine=engine,
                                alembic_revision=revision, tables=tables)
            skipped = write_archive(target, manifest, db_file, Path(upload_dir), sign)
    except OSError as err:
        raise BackupError(f"backup failed: {err}.") from err
    return BackupResult(path=target, manifest=manifest, skipped=skipped)


def _upload_root(upload_dir: str | Path) -> Path:
    # The real directory (UPLOAD_DIR may be a symlink): it is renamed away and replaced.
    return Path(upload_dir).absolute().resolve()


def check_restore(archive: Path, database_url: str, upload_dir: str | Path, known_revisions: Collection[str],
                  signature: SignatureCheck) -> Manifest:
    """Verifies the archive (its signature by `signature`) and that it fits this installation; changes nothing.
    BackupError says why not."""
    engine = engine_of(database_url)
    url = _url(database_url)
    if engine == "sqlite":
        _sqlite_path(url)
    manifest = verify_archive(Path(archive), signature)
    if manifest.engine != engine:
        raise BackupError(f"refused: the archive holds a {manifest.engine} database and this installation uses "
                          f"{engine}; a backup restores only into the same engine. Nothing was changed.")
    if manifest.alembic_revision not in known_revisions:
        raise BackupError(f"refused: the archive's schema revision {manifest.alembic_revision} is unknown to this "
                          "version of SITISEK (the archive was made by a newer one): update the code first. "
                          "Nothing was changed.")
    uploads = _upload_root(upload_dir)
    if os.path.ismount(uploads):
        raise BackupError(f"UPLOAD_DIR {uploads} is a mount point and cannot be swapped: mount its parent "
                          "directory instead. Nothing was changed.")
    parent = next((p for p in (uploads.parent, *uploads.parent.parents) if p.exists()), None)
    if parent is None or not os.access(parent, os.W_OK):
        raise BackupError(f"cannot write in {uploads.parent} to replace UPLOAD_DIR. Nothing was changed.")
    if engine == "postgresql":
        extra = sorted(set(_pg_counts(url)) - set(manifest.tables))
        if extra:
            raise BackupError(f"refused: the database has tables the archive does not ({', '.join(extra)}), so "
                              "its schema is newer than the archive's: first run flask --app coordinator db "
                              f"downgrade {manifest.alembic_revision}. Nothing was changed.")
    return manifest


def _swap(current: Path, new: Path, old: Path) -> None:
    """Puts `new` where `current` is: two renames within one directory."""
    had = current.exists()
    if had:
        shutil.copymode(current, new)
        os.rename(current, old)
    try:
        os.rename(new, current)
    except OSError:
        if had:
            os.rename(old, current)
        raise


def restore_backup(archive: Path, manifest: Manifest, database_url: str, upload_dir: str | Path) -> dict[str, int]:
    """Replaces the database and UPLOAD_DIR with the archive's (checked by check_restore first).

    Returns the row count per table after the restore, which must equal the manifest's."""
    engine = engine_of(database_url)
    url = _url(database_url)
    uploads = _upload_root(upload_dir)
    work: Path | None = None
    try:
        uploads.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{uploads.name}-restore-", dir=uploads.parent))
        db_copy = work / "database"
        extract_archive(Path(archive), manifest, db_copy, work / "uploads")
        if engine == "sqlite":
            _sqlite_restore(_sqlite_path(url), db_copy, manifest)
        else:
            _pg_restore(url, db_copy)
        try:
            _swap(uploads, work / "uploads", work / "old-uploads")
        except OSError as err:
            raise BackupError(f"the database was restored but UPLOAD_DIR {uploads} could not be replaced: {err}. "
                              "Restore again once that is fixed.") from err
        counts = (_sqlite_counts(_sqlite_path(url), manifest.tables) if engine == "sqlite"
                  else _pg_counts(url, manifest.tables))
    except (OSError, sqlite3.Error) as err:
        raise BackupError(f"restore failed: {err}.") from err
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
    wrong = sorted(n for n, c in manifest.tables.items() if counts.get(n) != c)
    if wrong:
        raise BackupError("restored, but the row counts differ from manifest.json for: "
                          + ", ".join(f"{n} ({counts.get(n)} instead of {manifest.tables[n]})" for n in wrong))
    return counts
