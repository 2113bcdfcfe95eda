"""The backup's signature: HMAC-SHA256 of manifest.json under BACKUP_KEY, a key kept outside the archive.

manifest.json lists the size and SHA-256 of every file in the archive, so a signature over its exact bytes
covers the whole archive. Checksums alone prove only that the archive is whole: whoever changes a file (a user's
password hash, an admin account, an evidence file) can recompute them. Without BACKUP_KEY nobody can make a
signature `restore` accepts. The signature is the member manifest.sig, a small JSON document:

    {"algorithm": "HMAC-SHA256", "key_id": "<16 hex>", "hmac": "<64 hex>"}

`key_id` (an HMAC of a fixed label under the key, not the key) only lets a refusal say "signed with another
key" rather than "altered". A key is at least MIN_KEY_CHARS characters; the CLI passes app.config["BACKUP_KEY"].
"""
from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass

from coordinator.backup.archive import BackupError

ALGORITHM = "HMAC-SHA256"
MIN_KEY_CHARS = 32
# Fixed labels: the key signs nothing else that could be mistaken for a manifest, and its id reveals nothing.
_MANIFEST_LABEL = b"sitisek backup manifest v1\n"
_KEY_ID_LABEL = b"sitisek backup key id"
GENERATE = 'python3 -c "import secrets; print(secrets.token_hex(32))"'


def _key_bytes(key: str) -> bytes:
    return key.encode("utf-8")


def key_id(key: str) -> str:
    return hmac.new(_key_bytes(key), _KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]


def _mac(key: str, manifest_raw: bytes) -> str:
    return hmac.new(_key_bytes(key), _MANIFEST_LABEL + manifest_raw, hashlib.sha256).hexdigest()


def manifest_signer(key: str | None) -> Callable[[bytes], bytes]:
    """What `write_archive` calls with manifest.json's bytes to get manifest.sig's. Refuses a missing or short
    key before any work is done, so a misconfigured server fails its backup at once instead of writing an archive
    no restore would accept."""
    if not key:
        raise BackupError("BACKUP_KEY is not set: a backup is signed with it, so that a restore can tell the "
                          "archive was not changed. Generate one (" + GENERATE + "), put it in /etc/sitisek/env "
                          "and keep a copy outside the server and outside the backups.")
    if len(key) < MIN_KEY_CHARS:  # also the CHANGE-ME of deploy/env.example
        raise BackupError(f"BACKUP_KEY is too short (at least {MIN_KEY_CHARS} characters): generate one with "
                          + GENERATE + ".")

    def sign(manifest_raw: bytes) -> bytes:
        document = {"algorithm": ALGORITHM, "key_id": key_id(key), "hmac": _mac(key, manifest_raw)}
        return (json.dumps(document) + "\n").encode()

    return sign


@dataclass
class SignatureCheck:
    """What `verify_archive` calls with manifest.json's and manifest.sig's bytes (None when absent).

    Refuses an unsigned, unreadably signed or wrongly signed archive; with `allow_unsigned` (restore --unsigned)
    it lets it through and keeps the reason in `problem`, for the command to warn about."""

    key: str | None
    allow_unsigned: bool = False
    problem: str | None = None
    signed_with: str | None = None  # the key id of a valid signature

    def __call__(self, manifest_raw: bytes, signature_raw: bytes | None) -> None:
        problem = self._problem(manifest_raw, signature_raw)
        if problem is None:
            return
        if self.allow_unsigned:
            self.problem = problem
            return
        raise BackupError(f"refused: {problem}. Nothing was changed. Restore it with --unsigned only if you know "
                          "for certain where this archive comes from.")

    def _problem(self, manifest_raw: bytes, signature_raw: bytes | None) -> str | None:
        if signature_raw is None:
            return ("the archive is not signed (it has no manifest.sig): it was made before backups were signed, "
                    "or not by SITISEK's backup")
        try:
            document = json.loads(signature_raw.decode())
            algorithm, signed_id, mac = document["algorithm"], document["key_id"], document["hmac"]
            if not (isinstance(signed_id, str) and isinstance(mac, str)):
                raise TypeError("key_id and hmac must be text")
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            return f"manifest.sig is not a readable signature ({err})"
        if algorithm != ALGORITHM:
            return f"manifest.sig uses the signature algorithm {algorithm!r}; this SITISEK knows only {ALGORITHM}"
        if not self.key:
            return "BACKUP_KEY is not set, so the archive's signature cannot be checked"
        if hmac.compare_digest(_mac(self.key, manifest_raw), mac):
            self.signed_with = signed_id
            return None
        if not hmac.compare_digest(key_id(self.key), signed_id):
            return (f"the archive was signed with another BACKUP_KEY (key id {signed_id[:16]!r}; this installation's "
                    f"is {key_id(self.key)!r})")
        return ("the signature does not match manifest.json: the archive was changed after it was made "
                "(manifest.json rewritten, e.g. with the checksums of altered files)")
