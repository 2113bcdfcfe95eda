"""flask backup / restore: the whole installation (database and UPLOAD_DIR) in one archive, on the suite's real
engine (SQLite, or PostgreSQL with TEST_DATABASE_URL; restoring into the `test` database leaves the schema the
migrations made)."""
from __future__ import annotations

import hashlib
import io
import json
import os
import random
import shutil
import sqlite3
import subprocess
import tarfile
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text

import config as app_config
from coordinator.accounts.api_tokens import create_token
from coordinator.backup import operations as backup_service
from coordinator.backup.archive import DB_MEMBERS, BackupError
from coordinator.backup.operations import create_backup
from coordinator.backup.signing import key_id, manifest_signer
from coordinator.core import revision
from coordinator.core.clock import utcnow
from coordinator.extensions import db
from coordinator.models import Agency, Evidence, ProgressUpdate, User
from coordinator.reports.archive import load_report_settings

BINARY = random.Random(7).randbytes(70_000)  # every byte value, NULs included
PASSWORD_IN_URL = "Rahasia-Sekali-9"
KEY = "a-backup-key-of-at-least-32-characters"  # for create_backup called directly
OTHER_KEY = "another-installation-s-backup-key-0123456789"
# A backup reads the database from other connections (pg_dump, SQLite's backup API) and a restore replaces it.
pytestmark = pytest.mark.commits


@pytest.fixture()
def uploads(app_ctx, tmp_path):
    """UPLOAD_DIR of its own for each test, so a restore swaps nothing another test uses."""
    saved = app_ctx.config["UPLOAD_DIR"]
    root = tmp_path / "instance" / "uploads"
    root.mkdir(parents=True)
    app_ctx.config["UPLOAD_DIR"] = str(root)
    yield root
    app_ctx.config["UPLOAD_DIR"] = saved


def invoke(app, *args, input=None):
    result = app.test_cli_runner().invoke(args=[str(a) for a in args], input=input)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def all_rows() -> dict[str, list[tuple]]:
    """Every row of every table, ordered by primary key, and the alembic revision."""
    db.session.expire_all()
    rows = {}
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        rows[table.name] = [tuple(r) for r in db.session.execute(select(table).order_by(*order))]
    rows["alembic_version"] = [tuple(r) for r in db.session.execute(text("SELECT version_num FROM alembic_version"))]
    db.session.commit()
    return rows


def all_files(root: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and directory (None) under root."""
    return {p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None)
            for p in sorted(root.rglob("*"))}


def write_files(root: Path) -> None:
    (root / "evidence").mkdir()
    (root / "evidence" / "0f3a9c.png").write_bytes(BINARY)
    (root / "evidence" / "kosong.pdf").write_bytes(b"")
    deep = root / "reports" / "2026" / "10" / "lampiran"
    deep.mkdir(parents=True)
    (deep / "RAD-ATS 2026-10 Sangatta é–ü.pdf").write_bytes(b"%PDF-1.7\n" + BINARY[:999] + b"\n%%EOF\n")
    (root / "ats").mkdir()
    (root / "ats" / "pusdatin.csv").write_text("kode_wilayah;kategori;jumlah\n64.08.04;DO;12\n", encoding="utf-8")
    (root / "arsip-kosong").mkdir()  # an empty directory comes back too


def state(root: Path) -> tuple[dict, dict, list[str]]:
    """Database rows, files, and what lies next to UPLOAD_DIR (no temporary directory may stay). Not the data
    revision: a restore gives it a new token on purpose, so running web workers drop the pages they keep
    (test_restore_gives_a_new_data_revision)."""
    rows = all_rows()
    del rows["data_revision"]
    return rows, all_files(root), sorted(p.name for p in root.parent.iterdir())


def head_revision(app) -> str:
    return ScriptDirectory(app.extensions["migrate"].directory).get_current_head()


def engine_name() -> str:
    return db.engine.dialect.name


def backup(app, tmp_path: Path, name: str = "cadangan.tar.gz") -> Path:
    target = tmp_path / "out" / name
    target.parent.mkdir(exist_ok=True)
    result = invoke(app, "backup", target)
    assert result.exit_code == 0, result.output
    return target


def test_round_trip_brings_back_every_row_and_every_file(app_ctx, uploads, tmp_path):
    seeded = invoke(app_ctx, "seed-demo")
    assert seeded.exit_code == 0, seeded.output
    write_files(uploads)
    now = utcnow()
    update = db.session.scalars(select(ProgressUpdate).order_by(ProgressUpdate.id)).first()
    db.session.add(Evidence(update_id=update.id, original_name="foto kegiatan.png", stored_name="0f3a9c.png",
                            content_type="image/png", size=len(BINARY),
                            sha256=hashlib.sha256(BINARY).hexdigest(), uploaded_at=now))
    admin = db.session.scalar(select(User).where(User.email == "admin@example.org"))
    create_token(db.session, admin.id, "Dasbor Bappeda", None, admin.id, now)
    load_report_settings(db.session)
    db.session.commit()
    before_rows, before_files, _ = state(uploads)
    assert sum(1 for rows in before_rows.values() if rows) >= 28  # most tables hold data

    archive = backup(app_ctx, tmp_path)
    assert archive.stat().st_mode & 0o777 == 0o600  # children's data and password hashes inside

    # Change everything: rows deleted, changed and added; files removed, altered and added.
    db.session.execute(text("DELETE FROM audit_entry"))
    db.session.execute(text("DELETE FROM evidence"))
    db.session.execute(text("DELETE FROM indicator_value"))
    db.session.execute(text("UPDATE action SET title = 'diubah setelah cadangan'"))
    db.session.execute(text("UPDATE user_account SET name = 'X', active = false WHERE email = 'admin@example.org'"))
    db.session.add(Agency(code="BARU", short_name="Baru", name="Instansi Baru", kind="opd", aliases=""))
    db.session.commit()
    (uploads / "evidence" / "0f3a9c.png").unlink()
    (uploads / "ats" / "pusdatin.csv").write_text("diubah", encoding="utf-8")
    (uploads / "evidence" / "kosong.pdf").write_bytes(b"no longer empty")
    (uploads / "baru.txt").write_text("ditambahkan setelah cadangan")
    shutil.rmtree(uploads / "reports")  # the nested directory with the non-ASCII name
    assert all_rows() != before_rows and all_files(uploads) != before_files

    result = invoke(app_ctx, "restore", archive, "--yes")
    assert result.exit_code == 0, result.output
    assert "Restored:" in result.output
    assert f"Signed with this BACKUP_KEY (key id {key_id(app_ctx.config['BACKUP_KEY'])})" in result.output
    assert "WARNING" not in result.output
    after_rows, after_files, beside = state(uploads)
    for name, rows in before_rows.items():
        assert after_rows[name] == rows, name
    assert after_rows.keys() == before_rows.keys()
    assert after_files == before_files  # byte for byte; baru.txt is gone, the empty directory is back
    assert (uploads / "evidence" / "0f3a9c.png").read_bytes() == BINARY
    assert beside == ["uploads"]  # the temporary and the old upload directory are gone

    # The installation works on: sequences and constraints came back too.
    db.session.add(Agency(code="SESUDAH", short_name="Sesudah", name="Sesudah pemulihan", kind="opd", aliases=""))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Agency)) == len(before_rows["agency"]) + 1


def test_manifest_describes_the_archive(app_ctx, uploads, world, tmp_path):
    write_files(uploads)
    waiting = uploads / "verval-pending"  # a by-name list previewed, not yet confirmed: never in a backup
    waiting.mkdir()
    (waiting / ("ab" * 16)).write_bytes(b"sealed by-name list")
    out = tmp_path / "out"
    out.mkdir()
    result = invoke(app_ctx, "backup", out)  # a directory: named by the WITA date of the clock
    assert result.exit_code == 0, result.output
    archive = out / "sitisek-20261127.tar.gz"
    assert archive.is_file() and [p.name for p in out.iterdir()] == [archive.name]
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
        data = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    assert manifest["format_version"] == 1
    assert manifest["created_at"] == "2026-11-27T02:00:00Z"
    assert manifest["engine"] == engine_name()
    assert manifest["alembic_revision"] == head_revision(app_ctx)
    rows = all_rows()
    for table in db.metadata.sorted_tables:
        assert manifest["tables"][table.name] == len(rows[table.name]), table.name
    assert manifest["tables"]["alembic_version"] == 1
    db_member = DB_MEMBERS[engine_name()]
    assert names[0] == db_member and names[-2:] == ["manifest.json", "manifest.sig"]
    assert "uploads/arsip-kosong" in names and not [n for n in names if "-pending" in n]
    signature = json.loads(data["manifest.sig"])
    assert signature == json.loads(manifest_signer(app_ctx.config["BACKUP_KEY"])(data["manifest.json"]))
    assert signature["algorithm"] == "HMAC-SHA256" and signature["key_id"] == key_id(app_ctx.config["BACKUP_KEY"])
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == set(data) - {"manifest.json", "manifest.sig"}
    for path, entry in listed.items():
        assert entry["size"] == len(data[path]) and entry["sha256"] == hashlib.sha256(data[path]).hexdigest()
    for rel, content in all_files(uploads).items():
        if content is not None and not rel.startswith("verval-pending"):
            assert data[f"uploads/{rel}"] == content


# --- refusals: each leaves the database, the files and the upload directory's surroundings as they were ---

def repack(src: Path, dest: Path, change: Callable[[list[tuple[tarfile.TarInfo, bytes | None]]], None],
           manifest_change: Callable[[dict], None] | None = None, fix_manifest: bool = False,
           sign_with: str | None = app_config.TestingConfig().BACKUP_KEY) -> Path:
    """Copies an archive, letting `change` edit its members; fix_manifest recomputes the checksums so that only
    the change under test can be the reason for a refusal. The manifest is signed again with `sign_with` (the
    suite's BACKUP_KEY: someone holding the key, so the checks after the signature's are what is tested); None
    keeps the original manifest.sig, as a forger without the key must."""
    with tarfile.open(src) as tar:
        members = [(m, tar.extractfile(m).read() if m.isfile() else None) for m in tar.getmembers()]
    change(members)
    manifest = json.loads(next(d for m, d in members if m.name == "manifest.json"))
    if manifest_change:
        manifest_change(manifest)
    if fix_manifest:
        manifest["files"] = [{"path": m.name, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
                             for m, d in members if d is not None and m.isfile()
                             and m.name not in ("manifest.json", "manifest.sig")]
    raw = json.dumps(manifest).encode()
    replaced = {"manifest.json": raw}
    if sign_with is not None:
        replaced["manifest.sig"] = manifest_signer(sign_with)(raw)
    with tarfile.open(dest, "w:gz") as out:
        for member, content in members:
            if member.name in replaced:
                content = replaced[member.name]
                member.size = len(content)
            out.addfile(member, io.BytesIO(content) if content is not None else None)
    return dest


def file_member(name: str, content: bytes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    return info, content


def link_member(name: str, kind: bytes, target: str = "") -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info, None


def flip_byte(name: str):
    def change(members):
        for i, (m, d) in enumerate(members):
            if m.name == name:
                members[i] = (m, d[:10] + bytes([d[10] ^ 0xFF]) + d[11:])
    return change


@pytest.fixture()
def prepared(app_ctx, uploads, world, tmp_path):
    """A small installation, its archive, and its state before any restore."""
    write_files(uploads)
    archive = backup(app_ctx, tmp_path)
    return archive, state(uploads)


def assert_refused(app, uploads, before, archive, *words, args=("--yes",), input=None):
    result = invoke(app, "restore", archive, *args, input=input)
    assert result.exit_code == 1, result.output
    for word in words:
        assert word in result.output, result.output
    assert state(uploads) == before
    return result


@pytest.mark.parametrize("member", ["uploads/evidence/0f3a9c.png", "database"])
def test_corrupted_archive_is_refused(app_ctx, uploads, prepared, tmp_path, member):
    archive, before = prepared
    name = member if member.startswith("uploads") else DB_MEMBERS[engine_name()]
    bad = repack(archive, tmp_path / "rusak.tar.gz", flip_byte(name))
    assert_refused(app_ctx, uploads, before, bad, "checksum mismatch", name)


@pytest.mark.parametrize("evil", [
    file_member("uploads/../../evil.txt", b"owned"),
    file_member("../evil.txt", b"owned"),
    file_member("/tmp/sitisek-evil.txt", b"owned"),
    file_member("uploads/evidence/../../../evil.txt", b"owned"),
    link_member("uploads/evidence/passwd", tarfile.SYMTYPE, "/etc/passwd"),
    link_member("uploads/evidence/keras", tarfile.LNKTYPE, "uploads/evidence/0f3a9c.png"),
    link_member("uploads/evidence/tty", tarfile.CHRTYPE),
    link_member("uploads/evidence/fifo", tarfile.FIFOTYPE),
], ids=["dotdot-in-uploads", "dotdot", "absolute", "deep-dotdot", "symlink", "hardlink", "device", "fifo"])
def test_unsafe_members_are_refused(app_ctx, uploads, prepared, tmp_path, evil):
    archive, before = prepared
    bad = repack(archive, tmp_path / "jahat.tar.gz", lambda members: members.insert(1, evil), fix_manifest=True)
    assert_refused(app_ctx, uploads, before, bad, "refused", evil[0].name)
    assert not (tmp_path / "evil.txt").exists() and not Path("/tmp/sitisek-evil.txt").exists()
    assert not (uploads.parent / "evil.txt").exists()


def test_archive_of_the_other_engine_is_refused(app_ctx, uploads, prepared, tmp_path):
    archive, before = prepared
    other = "postgresql" if engine_name() == "sqlite" else "sqlite"
    other_member = DB_MEMBERS[other]

    def rename_db(members):
        for m, _d in members:
            if m.name.startswith("database/"):
                m.name = other_member

    bad = repack(archive, tmp_path / "lain.tar.gz", rename_db, lambda m: m.update(engine=other), fix_manifest=True)
    assert_refused(app_ctx, uploads, before, bad, "refused", f"holds a {other} database", "Nothing was changed")


def test_archive_of_a_newer_schema_is_refused(app_ctx, uploads, prepared, tmp_path):
    archive, before = prepared
    bad = repack(archive, tmp_path / "baru.tar.gz", lambda m: None, lambda m: m.update(alembic_revision="f00dfeedbeef"))
    assert_refused(app_ctx, uploads, before, bad, "f00dfeedbeef", "newer", "Nothing was changed")


def test_missing_files_are_refused(app_ctx, uploads, prepared, tmp_path):
    archive, before = prepared
    assert_refused(app_ctx, uploads, before, tmp_path / "tidak-ada.tar.gz", "no such file")
    dropped = repack(archive, tmp_path / "kurang.tar.gz",
                     lambda members: members.remove(next(x for x in members if x[0].name.endswith(".png"))))
    assert_refused(app_ctx, uploads, before, dropped, "missing from the archive", "uploads/evidence/0f3a9c.png")
    no_manifest = tmp_path / "tanpa-manifest.tar.gz"
    with tarfile.open(archive) as tar, tarfile.open(no_manifest, "w:gz") as out:
        for m in tar.getmembers():
            if m.name != "manifest.json":
                out.addfile(m, tar.extractfile(m) if m.isfile() else None)
    assert_refused(app_ctx, uploads, before, no_manifest, "no manifest.json")
    extra = repack(archive, tmp_path / "lebih.tar.gz",
                   lambda members: members.insert(1, file_member("uploads/selundupan.txt", b"x")))
    assert_refused(app_ctx, uploads, before, extra, "not in manifest.json", "uploads/selundupan.txt")
    garbage = tmp_path / "sampah.tar.gz"
    garbage.write_bytes(BINARY[:5000])
    assert_refused(app_ctx, uploads, before, garbage, "not a readable backup archive")
    truncated = tmp_path / "terpotong.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    assert_refused(app_ctx, uploads, before, truncated, "not a readable backup archive")


def test_restore_gives_a_new_data_revision(app_ctx, uploads, prepared):
    archive, _before = prepared
    token = revision.current_token(db.session)
    db.session.commit()
    result = invoke(app_ctx, "restore", archive, "--yes")
    assert result.exit_code == 0, result.output
    assert revision.current_token(db.session) not in (None, token)


def test_restore_asks_first_and_a_no_changes_nothing(app_ctx, uploads, prepared):
    archive, before = prepared
    db.session.execute(text("UPDATE action SET title = 'diubah'"))
    db.session.commit()
    (uploads / "baru.txt").write_text("baru")
    changed = state(uploads)
    result = assert_refused(app_ctx, uploads, changed, archive, "Restore now?", "cancelled", args=(), input="n\n")
    assert "REPLACES everything" in result.output
    assert_refused(app_ctx, uploads, changed, archive, args=(), input="")  # no answer at all
    result = invoke(app_ctx, "restore", archive, input="y\n")
    assert result.exit_code == 0, result.output
    assert state(uploads) == before


def test_a_restore_that_fails_half_way_changes_nothing(app_ctx, uploads, prepared, monkeypatch):
    """Another connection holds a lock the restore needs: SQLite's backup step or pg_restore's single
    transaction gives up after LOCK_WAIT_SECONDS, and neither the database nor the files have changed."""
    archive, _ = prepared
    db.session.execute(text("UPDATE action SET title = 'diubah'"))
    db.session.commit()
    (uploads / "baru.txt").write_text("baru")
    changed = state(uploads)
    monkeypatch.setattr(backup_service, "LOCK_WAIT_SECONDS", 1)
    if engine_name() == "sqlite":
        blocker = sqlite3.connect(db.engine.url.database, check_same_thread=False)
        blocker.execute("BEGIN IMMEDIATE")  # holds the write lock, as a long write of the app would
    else:
        blocker = db.engine.raw_connection()
        blocker.cursor().execute("SELECT count(*) FROM agency")  # an open transaction: pg_restore cannot drop it
    # Should the restore not give up, the lock goes after 30 s and the test fails instead of hanging.
    safety = threading.Timer(30, blocker.rollback)
    safety.start()
    try:
        result = invoke(app_ctx, "restore", archive, "--yes")
    finally:
        safety.cancel()
        safety.join()
        blocker.rollback()
        blocker.close()
    assert result.exit_code == 1, result.output
    assert ("locked for 1 s" if engine_name() == "sqlite" else "waited more than 1 s for a lock") in result.output
    assert state(uploads) == changed


@pytest.mark.skipif("TEST_DATABASE_URL" not in os.environ, reason="PostgreSQL only")
def test_postgresql_database_with_a_newer_schema_is_refused(app_ctx, uploads, prepared):
    archive, _ = prepared
    db.session.execute(text("CREATE TABLE zz_newer_feature (id integer PRIMARY KEY)"))
    db.session.commit()
    try:
        before = state(uploads)
        assert_refused(app_ctx, uploads, before, archive, "zz_newer_feature", "db downgrade")
    finally:
        db.session.execute(text("DROP TABLE zz_newer_feature"))
        db.session.commit()


# --- the signature: checksums say the archive is whole, BACKUP_KEY says who made it -------------------------

def drop_signature(members):
    members.remove(next(x for x in members if x[0].name == "manifest.sig"))


def test_forged_archive_with_a_recomputed_manifest_is_refused(app_ctx, uploads, prepared, tmp_path):
    """Someone who can write a backup file swaps an evidence file and the database for their own and recomputes
    every checksum: the manifest is whole, but its signature (made without BACKUP_KEY) does not match."""
    archive, before = prepared
    name = DB_MEMBERS[engine_name()]
    forged = repack(archive, tmp_path / "palsu.tar.gz", flip_byte(name), fix_manifest=True, sign_with=None)
    assert_refused(app_ctx, uploads, before, forged, "refused", "signature does not match manifest.json",
                   "Nothing was changed", "--unsigned")
    swapped = repack(archive, tmp_path / "ditukar.tar.gz", lambda members: members.__setitem__(
        next(i for i, (m, _d) in enumerate(members) if m.name.endswith(".png")),
        file_member("uploads/evidence/0f3a9c.png", b"<html>bukan bukti</html>")), fix_manifest=True,
        sign_with="a-forger-s-own-key-of-32-characters-or-more")
    assert_refused(app_ctx, uploads, before, swapped, "refused", "signed with another BACKUP_KEY")


def test_unsigned_archive_is_refused_and_restores_with_unsigned_and_a_warning(app_ctx, uploads, prepared, tmp_path):
    """An archive from before backups were signed: refused; --unsigned, given on purpose, restores it, loudly."""
    archive, before = prepared
    unsigned = repack(archive, tmp_path / "tanpa-tanda.tar.gz", drop_signature, sign_with=None)
    assert_refused(app_ctx, uploads, before, unsigned, "refused", "not signed", "no manifest.sig", "--unsigned")
    db.session.execute(text("UPDATE action SET title = 'diubah'"))
    db.session.commit()
    result = invoke(app_ctx, "restore", unsigned, "--yes", "--unsigned")
    assert result.exit_code == 0, result.output
    assert "NOT verified by a signature" in result.output
    assert "WARNING: --unsigned: the archive is not signed" in result.output and "Restored:" in result.output
    assert state(uploads) == before
    # --unsigned does not make a damaged archive restore: the checksums are still checked.
    damaged = repack(archive, tmp_path / "rusak.tar.gz", flip_byte(DB_MEMBERS[engine_name()]), sign_with=None)
    assert_refused(app_ctx, uploads, before, damaged, "checksum mismatch", args=("--yes", "--unsigned"))


def test_wrong_key_is_refused(app_ctx, uploads, prepared):
    """An archive of another installation, or a restore under a changed BACKUP_KEY."""
    archive, before = prepared
    saved = app_ctx.config["BACKUP_KEY"]
    try:
        app_ctx.config["BACKUP_KEY"] = OTHER_KEY
        assert_refused(app_ctx, uploads, before, archive, "refused", "signed with another BACKUP_KEY",
                       f"key id '{key_id(saved)}'", f"is '{key_id(OTHER_KEY)}'")
        app_ctx.config["BACKUP_KEY"] = None
        assert_refused(app_ctx, uploads, before, archive, "BACKUP_KEY is not set")
    finally:
        app_ctx.config["BACKUP_KEY"] = saved
    result = invoke(app_ctx, "restore", archive, "--yes")
    assert result.exit_code == 0, result.output


def test_no_backup_without_a_key(app_ctx, uploads, tmp_path, monkeypatch):
    """Production has no default key: the backup refuses at once, writing nothing; a short key too."""
    for name, value in {"DATABASE_URL": "postgresql://x@127.0.0.1/x", "SECRET_KEY": "s", "CHILD_DATA_KEY": "k",
                        "COORDINATOR_INSTANCE": str(tmp_path)}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("BACKUP_KEY", raising=False)
    assert app_config.ProductionConfig().BACKUP_KEY is None
    monkeypatch.setenv("BACKUP_KEY", "k" * 40)
    assert app_config.ProductionConfig().BACKUP_KEY == "k" * 40
    saved = app_ctx.config["BACKUP_KEY"]
    out = tmp_path / "out"
    out.mkdir()
    try:
        for key, words in ((None, "BACKUP_KEY is not set"), ("CHANGE-ME", "BACKUP_KEY is too short")):
            app_ctx.config["BACKUP_KEY"] = key
            result = invoke(app_ctx, "backup", out / "x.tar.gz")
            assert result.exit_code == 1 and words in result.output, result.output
            assert "secrets.token_hex(32)" in result.output
            assert list(out.iterdir()) == []
    finally:
        app_ctx.config["BACKUP_KEY"] = saved


# --- backup failures ---------------------------------------------------------------------------------------

def test_missing_postgresql_tools_are_named(app_ctx, uploads, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    target = tmp_path / "x.tar.gz"
    with pytest.raises(BackupError, match="pg_dump not found: install the PostgreSQL client tools"):
        create_backup("postgresql://backup@127.0.0.1:5432/test", uploads, target, datetime(2026, 11, 27), key=KEY)
    assert list(tmp_path.glob("*.tar.gz*")) == [] and list(tmp_path.glob(".sitisek-backup-*")) == []


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="needs pg_dump (postgresql-client)")
def test_the_database_password_is_never_shown(app_ctx, uploads, tmp_path):
    url = f"postgresql://backup:{PASSWORD_IN_URL}@127.0.0.1:1/sitisek"  # nothing listens on port 1
    with pytest.raises(BackupError) as err:
        create_backup(url, uploads, tmp_path / "x.tar.gz", datetime(2026, 11, 27), key=KEY)
    assert PASSWORD_IN_URL not in err.value.message and "backup:***@127.0.0.1:1" in err.value.message
    assert list(tmp_path.iterdir()) == [uploads.parent]
    if engine_name() == "postgresql":  # trust auth ignores the password; a restore shows the URL without it
        saved = app_ctx.config["SQLALCHEMY_DATABASE_URI"]
        app_ctx.config["SQLALCHEMY_DATABASE_URI"] = db.engine.url.set(password=PASSWORD_IN_URL) \
            .render_as_string(hide_password=False)
        try:
            archive = backup(app_ctx, tmp_path)
            result = invoke(app_ctx, "restore", archive, input="n\n")
            assert "***@" in result.output and PASSWORD_IN_URL not in result.output
        finally:
            app_ctx.config["SQLALCHEMY_DATABASE_URI"] = saved


def test_backup_errors_are_clear_messages(app_ctx, uploads, tmp_path):
    result = invoke(app_ctx, "backup", tmp_path / "tidak" / "ada" / "x.tar.gz")
    assert result.exit_code == 1 and "does not exist" in result.output
    with pytest.raises(BackupError, match="in-memory SQLite"):
        create_backup("sqlite://", uploads, tmp_path / "x.tar.gz", datetime(2026, 11, 27), key=KEY)
    with pytest.raises(BackupError, match="SQLite and PostgreSQL, not mysql"):
        create_backup("mysql://u@h/db", uploads, tmp_path / "x.tar.gz", datetime(2026, 11, 27), key=KEY)


def test_a_backup_removes_what_a_killed_backup_left(app_ctx, uploads, tmp_path):
    """SIGKILL or a power cut mid-backup leaves a hidden working directory (a database copy inside) and a partial
    archive; the next backup removes those of processes that no longer run, and nothing of a running one."""
    out = tmp_path / "out"
    out.mkdir()
    gone = subprocess.Popen(["true"])
    gone.wait()
    dead, alive = gone.pid, os.getpid()
    (out / f".sitisek-backup-{dead}-abc").mkdir()
    (out / f".sitisek-backup-{dead}-abc" / "database").write_bytes(b"SQLite format 3\0")
    (out / f".cadangan-lama.tar.gz.tmp-{dead}").write_bytes(b"\x1f\x8b partial")
    (out / f".sitisek-backup-{alive}-xyz").mkdir()
    (out / "cadangan-lama.tar.gz").write_bytes(b"kept: a finished archive")
    backup(app_ctx, tmp_path)
    assert sorted(p.name for p in out.iterdir()) == [f".sitisek-backup-{alive}-xyz", "cadangan-lama.tar.gz",
                                                    "cadangan.tar.gz"]
