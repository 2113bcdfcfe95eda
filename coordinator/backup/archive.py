"""The backup archive: one .tar.gz with the database part, the uploads tree and a manifest.json.

Layout (paths inside the archive):

    database/sitisek.sqlite3   or   database/sitisek.pgdump   (pg_dump --format=custom)
    uploads/...                the UPLOAD_DIR tree (directories and regular files only)
    manifest.json              format version, created_at (UTC), engine, alembic revision,
                               row count per table, size and SHA-256 of every file above
    manifest.sig               last member: HMAC-SHA256 of manifest.json under BACKUP_KEY (signing.py)

Reading never trusts the archive: every member must be a directory or a regular file with a relative
name without `..` (no links, devices, FIFOs, absolute paths), under database/ or uploads/; every file
must be in the manifest with its size and SHA-256 and every manifest entry in the archive, and the manifest's
signature is checked before it is read. `verify_archive` checks all of this before anything is written;
`extract_archive` checks the bytes again, against the verified manifest, as it writes them.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import shutil
import stat
import tarfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
UPLOADS = "uploads"
WAITING = "-pending"  # web/pending_uploads.SUFFIX
DB_MEMBERS = {"sqlite": "database/sitisek.sqlite3", "postgresql": "database/sitisek.pgdump"}
MANIFEST_MAX_BYTES = 64 * 1024 * 1024
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore refused or failed; `message` is for the operator to read."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FileEntry:
    path: str  # inside the archive, e.g. "uploads/evidence/ab12.pdf"
    size: int
    sha256: str


@dataclass
class Manifest:
    created_at: str  # ISO UTC, "2026-11-27T02:00:00Z"
    engine: str  # "sqlite" | "postgresql"
    alembic_revision: str
    tables: dict[str, int]
    files: list[FileEntry] = field(default_factory=list)
    format_version: int = FORMAT_VERSION

    @property
    def database_member(self) -> str:
        return DB_MEMBERS[self.engine]

    @property
    def upload_files(self) -> list[FileEntry]:
        return [f for f in self.files if f.path.startswith(UPLOADS + "/")]

    def to_json(self) -> bytes:
        data = {"format_version": self.format_version, "created_at": self.created_at, "engine": self.engine,
                "alembic_revision": self.alembic_revision, "tables": dict(sorted(self.tables.items())),
                "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in self.files]}
        return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw.decode())
            version = data["format_version"]
            if not isinstance(version, int) or version > FORMAT_VERSION or version < 1:
                raise BackupError(f"manifest.json has format version {version!r}; this SITISEK reads version "
                                  f"{FORMAT_VERSION}. Restore it with the SITISEK version that made it.")
            engine = data["engine"]
            if engine not in DB_MEMBERS:
                raise ValueError(f"unknown engine {engine!r}")
            tables = {str(k): int(v) for k, v in data["tables"].items()}
            files = [FileEntry(path=str(f["path"]), size=int(f["size"]), sha256=str(f["sha256"]))
                     for f in data["files"]]
            manifest = cls(created_at=str(data["created_at"]), engine=engine,
                           alembic_revision=str(data["alembic_revision"]), tables=tables, files=files,
                           format_version=version)
        except BackupError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            raise BackupError(f"manifest.json is not a valid backup manifest ({err}).") from err
        return manifest


class _Hashing:
    """A readable file object that hashes and counts what passes through it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


def _dir_info(name: str, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    info.mode = 0o755
    info.mtime = int(mtime)
    return info


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> FileEntry | None:
    """Streams one regular file into the archive; None when it vanished or is no regular file."""
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        return None
    with fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            return None
        info = tarfile.TarInfo(name)
        info.size = st.st_size
        info.mode = 0o644
        info.mtime = int(st.st_mtime)
        reader = _Hashing(fh)
        tar.addfile(info, reader)  # copies exactly info.size bytes, fails if the file shrank meanwhile
    return FileEntry(path=name, size=reader.size, sha256=reader.digest.hexdigest())


def _raise(err: OSError) -> None:
    raise err  # an unreadable directory fails the backup instead of leaving it out silently


_LEFTOVER = re.compile(r"^\.(?:sitisek-backup-(\d+)-.*|.+\.tmp-(\d+))$")


def remove_leftovers(folder: Path) -> list[str]:
    """Removes what a backup killed half-way (SIGKILL, power loss) left in `folder`: its hidden working directory
    and archive file, named with the pid of a process that no longer runs. Returns their names."""
    removed = []
    for entry in folder.iterdir():
        found = _LEFTOVER.match(entry.name)
        if found is None or _running(int(found.group(1) or found.group(2))):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry.name)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: running
        return True
    return True


def write_archive(target: Path, manifest: Manifest, db_file: Path, upload_dir: Path,
                  sign: Callable[[bytes], bytes]) -> list[str]:
    """Writes the archive atomically (a hidden temporary file next to target, then renamed), mode 0600; `sign`
    turns manifest.json's bytes into manifest.sig's.

    Fills manifest.files; returns the paths under upload_dir that were skipped (links, sockets, ...).
    """
    skipped: list[str] = []
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, \
                tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT, compresslevel=6) as tar:
            entry = _add_file(tar, manifest.database_member, db_file)
            if entry is None:
                raise BackupError(f"the database copy {db_file} disappeared while writing the archive.")
            manifest.files = [entry]
            tar.addfile(_dir_info(UPLOADS, upload_dir.stat().st_mtime if upload_dir.is_dir() else 0))
            for root, dirs, files in os.walk(upload_dir, onerror=_raise) if upload_dir.is_dir() else ():
                dirs.sort()
                rel_root = Path(root).relative_to(upload_dir)
                for name in list(dirs):
                    path = Path(root) / name
                    if root == str(upload_dir) and name.endswith(WAITING):
                        dirs.remove(name)  # previews nobody confirmed yet, by-name lists among them: never kept
                        continue
                    if path.is_symlink():
                        dirs.remove(name)
                        skipped.append(str(path))
                        continue
                    tar.addfile(_dir_info(f"{UPLOADS}/{(rel_root / name).as_posix()}", path.stat().st_mtime))
                for name in sorted(files):
                    path = Path(root) / name
                    if path.is_symlink() or not path.is_file():
                        skipped.append(str(path))
                        continue
                    entry = _add_file(tar, f"{UPLOADS}/{(rel_root / name).as_posix()}", path)
                    if entry is not None:
                        manifest.files.append(entry)
            data = manifest.to_json()
            mtime = int(Path(tmp).stat().st_mtime)
            for name, content in ((MANIFEST, data), (SIGNATURE, sign(data))):
                info = tarfile.TarInfo(name)
                info.size = len(content)
                info.mode = 0o644
                info.mtime = mtime
                tar.addfile(info, io.BytesIO(content))
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return skipped


def check_member(member: tarfile.TarInfo) -> str:
    """The member's name if it is a directory or regular file with a safe relative name; else BackupError."""
    name = member.name
    kind = "file" if member.isreg() else "directory" if member.isdir() else None
    if kind is None:
        what = ("a symbolic link" if member.issym() else "a hard link" if member.islnk()
                else "a device" if member.ischr() or member.isblk() else "a FIFO" if member.isfifo()
                else f"an entry of type {member.type!r}")
        raise BackupError(f"refused: the archive member {name!r} is {what}; a backup holds only files "
                          "and directories.")
    parts = name.split("/")
    if (not name or name.startswith("/") or "\\" in name or "\x00" in name
            or any(p in ("", ".", "..") for p in parts)):
        raise BackupError(f"refused: the archive member {name!r} has an unsafe path (absolute, empty or with "
                          "'..'); nothing was restored.")
    if kind == "file" and name not in (MANIFEST, SIGNATURE) and name not in DB_MEMBERS.values() \
            and (parts[0] != UPLOADS or len(parts) < 2):
        raise BackupError(f"refused: unexpected archive member {name!r}.")
    if kind == "directory" and parts[0] != UPLOADS:
        raise BackupError(f"refused: unexpected archive member {name!r}.")
    return name


READ_ERRORS = (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile)


def _unreadable(path: Path, err: BaseException) -> BackupError:
    return BackupError(f"{path} is not a readable backup archive (.tar.gz): {err or type(err).__name__}.")


def _members(path: Path) -> Iterator[tuple[tarfile.TarInfo, IO[bytes] | None]]:
    """Streams the archive's members in order, each checked by check_member, with a reader for files.

    Reading a member's bytes happens in the caller, which turns READ_ERRORS into _unreadable() itself."""
    try:
        tar = tarfile.open(path, mode="r|gz")
    except FileNotFoundError as err:
        raise BackupError(f"{path}: no such file.") from err
    except IsADirectoryError as err:
        raise BackupError(f"{path} is a directory, not a backup archive.") from err
    except (*READ_ERRORS, OSError) as err:
        raise _unreadable(path, err) from err
    with tar:
        while True:
            try:
                member = tar.next()
            except READ_ERRORS as err:
                raise _unreadable(path, err) from err
            if member is None:
                return
            check_member(member)
            yield member, tar.extractfile(member) if member.isreg() else None


def _digest(reader: IO[bytes]) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    while chunk := reader.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def verify_archive(path: Path, check_signature: Callable[[bytes, bytes | None], None]) -> Manifest:
    """Reads the whole archive once and checks it against its manifest; writes nothing. `check_signature` gets
    manifest.json's and manifest.sig's bytes (None when absent) before the manifest is read, and raises to refuse."""
    found: dict[str, tuple[int, str]] = {}
    raw: dict[str, bytes] = {}
    seen: set[str] = set()
    try:
        for member, reader in _members(path):
            if member.name in seen:
                raise BackupError(f"refused: the archive holds {member.name!r} twice.")
            seen.add(member.name)
            if reader is None:
                continue
            if member.name in (MANIFEST, SIGNATURE):
                if member.size > MANIFEST_MAX_BYTES:
                    raise BackupError(f"refused: {member.name} is implausibly large.")
                raw[member.name] = reader.read()
            else:
                found[member.name] = _digest(reader)
    except READ_ERRORS as err:
        raise _unreadable(path, err) from err
    if MANIFEST not in raw:
        raise BackupError(f"{path} has no manifest.json: it is not a SITISEK backup.")
    check_signature(raw[MANIFEST], raw.get(SIGNATURE))
    manifest = Manifest.from_json(raw[MANIFEST])
    listed = {f.path: f for f in manifest.files}
    if len(listed) != len(manifest.files):
        raise BackupError("refused: manifest.json lists a file twice.")
    if manifest.database_member not in listed:
        raise BackupError(f"refused: manifest.json does not list the database part {manifest.database_member}.")
    missing = sorted(set(listed) - set(found))
    if missing:
        raise BackupError(f"refused: {len(missing)} file(s) listed in manifest.json are missing from the archive: "
                          f"{', '.join(missing[:5])}.")
    extra = sorted(set(found) - set(listed))
    if extra:
        raise BackupError(f"refused: {len(extra)} file(s) in the archive are not in manifest.json: "
                          f"{', '.join(extra[:5])}.")
    bad = [name for name, (size, digest) in sorted(found.items())
           if (size, digest) != (listed[name].size, listed[name].sha256)]
    if bad:
        raise BackupError(f"refused: checksum mismatch for {len(bad)} file(s), the archive is damaged or was "
                          f"altered: {', '.join(bad[:5])}.")
    return manifest


def extract_archive(path: Path, manifest: Manifest, db_dest: Path, uploads_dest: Path) -> None:
    """Writes the database part to db_dest and the uploads tree under uploads_dest (which must not exist),
    checking every file's size and SHA-256 against the manifest as it is written."""
    listed = {f.path: f for f in manifest.files}
    uploads_dest.mkdir()
    written: set[str] = set()
    mtimes: list[tuple[Path, int]] = []
    try:
        for member, reader in _members(path):
            _extract_member(member, reader, manifest, listed, db_dest, uploads_dest, written, mtimes)
    except READ_ERRORS as err:
        raise _unreadable(path, err) from err
    if written != set(listed):
        raise BackupError("refused: the archive changed while it was being restored (files are missing).")
    for directory, mtime in mtimes:  # after their files were written, which touched them
        os.utime(directory, (mtime, mtime))


def _extract_member(member: tarfile.TarInfo, reader: IO[bytes] | None, manifest: Manifest,
                    listed: dict[str, FileEntry], db_dest: Path, uploads_dest: Path, written: set[str],
                    mtimes: list[tuple[Path, int]]) -> None:
    if member.name in (MANIFEST, SIGNATURE):
        return
    parts = member.name.split("/")
    if member.name == manifest.database_member:
        dest = db_dest
    elif parts[0] == UPLOADS:
        root = uploads_dest.resolve()
        dest = uploads_dest.joinpath(*parts[1:])
        if dest.resolve() != root and root not in dest.resolve().parents:
            raise BackupError(f"refused: {member.name!r} would be written outside the upload directory.")
    else:
        raise BackupError(f"refused: unexpected archive member {member.name!r}.")
    if reader is None:
        dest.mkdir(parents=True, exist_ok=True)
        mtimes.append((dest, int(member.mtime)))
        return
    entry = listed.get(member.name)
    if entry is None or member.name in written:
        raise BackupError(f"refused: {member.name!r} is not in manifest.json or is in the archive twice.")
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    digest = hashlib.sha256()
    size = 0
    with os.fdopen(fd, "wb") as out:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    if (size, digest.hexdigest()) != (entry.size, entry.sha256):
        raise BackupError(f"refused: checksum mismatch for {member.name}, the archive changed while "
                          "it was being restored.")
    os.utime(dest, (member.mtime, member.mtime))
    written.add(member.name)


def manifest_summary(manifest: Manifest) -> dict[str, Any]:
    uploads = manifest.upload_files
    return {"created_at": manifest.created_at, "engine": manifest.engine, "revision": manifest.alembic_revision,
            "tables": len(manifest.tables), "rows": sum(manifest.tables.values()), "files": len(uploads),
            "bytes": sum(f.size for f in uploads)}
