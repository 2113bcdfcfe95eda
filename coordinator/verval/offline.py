"""Verval without signal, the server's half: the package a verifier downloads, and the sync of what they recorded.

The package holds only what finding and verifying a child needs: name, sex, birth year, dusun/RT/RW, category and
the current finding, never the NIK, the full birth date or the mother's name. It comes with a key bound to the
device and to this session: the browser keeps the package encrypted with it (AES-GCM), and after logout (a new
session token) or VERVAL_OFFLINE_DAYS the key is no longer handed out, so a lost phone opens nothing. Every
child in a package is in the access log, as a view would be.

Sync takes records with a client-generated id, each once: a second sync of the same id changes nothing. A record
is checked by the same rules as the online form (verification.record_verification). When someone verified the
child after the package was downloaded, the record is a conflict: both findings are returned side by side, and
nothing is written until the verifier keeps theirs (resolve "mine") or the other (resolve "theirs").
"""
from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coordinator.core.clock import wita_today
from coordinator.core.errors import DomainError
from coordinator.models import (
    LIST_VERVAL_REASON,
    LIST_VERVAL_STATUS,
    WILLINGNESS,
    Child,
    ChildVerification,
    OfflineDevice,
    OfflineRecord,
    User,
)
from coordinator.verval.verification import (
    VerificationInput,
    can_verify_child,
    list_codes,
    log_access,
    record_verification,
    visible_children,
)

DEFAULT_DAYS = 7
ID_MAX = 64
APPLIED, DUPLICATE, CONFLICT, REFUSED = "applied", "duplicate", "conflict", "refused"


def _device_id(value: Any) -> str:
    text = str(value or "").strip()
    if not (8 <= len(text) <= ID_MAX) or not all(c.isalnum() or c in "-_" for c in text):
        raise DomainError("device_id: 8 to 64 letters, digits, - or _")
    return text


def prepare_device(session: Session, user: User, device_id: Any, now: datetime,
                   days: int = DEFAULT_DAYS) -> OfflineDevice:
    """A fresh key for this device and session (a new download replaces the last one's key)."""
    device_id = _device_id(device_id)
    row = session.scalar(select(OfflineDevice).where(OfflineDevice.user_id == user.id,
                                                     OfflineDevice.device_id == device_id))
    if row is None:
        row = OfflineDevice(user_id=user.id, device_id=device_id)
        session.add(row)
    row.session_token, row.key = user.session_token, secrets.token_urlsafe(32)
    row.created_at, row.expires_at = now, now + timedelta(days=max(1, days))
    session.flush()
    return row


def device_key(session: Session, user: User, device_id: Any, now: datetime) -> str | None:
    """The key, to the session that prepared the device and before it expires; else None."""
    row = session.scalar(select(OfflineDevice).where(OfflineDevice.user_id == user.id,
                                                     OfflineDevice.device_id == _device_id(device_id)))
    if row is None or row.session_token != user.session_token or row.expires_at <= now:
        return None
    return row.key


def package(session: Session, user: User, now: datetime) -> dict[str, Any]:
    """The children this verifier may verify, and the lists the form offers."""
    latest = dict(session.execute(select(ChildVerification.child_id, func.max(ChildVerification.id))
                                  .group_by(ChildVerification.child_id)).all())
    children = []
    rows = session.execute(visible_children(session, user).where(Child.erased_at.is_(None))
                           .order_by(Child.desa_kode, Child.nama)).scalars()
    for child in cast(Iterable[Child], rows):
        children.append({
            "id": child.id, "name": child.nama or "", "sex": child.jenis_kelamin, "birth_year": child.birth_year,
            "dusun": child.dusun, "rt": child.rt, "rw": child.rw, "desa": child.desa_kode,
            "category": child.kategori, "status": child.status,
            "verified_on": child.verified_on.isoformat() if child.verified_on else None,
            "base": latest.get(child.id)})
        log_access(session, user_id=user.id, action="view", now=now, child_id=child.id, detail="paket luring")
    return {
        "children": children,
        "statuses": [[c, i, e] for c, i, e in list_codes(session, LIST_VERVAL_STATUS)],
        "reasons": [[c, i, e] for c, i, e in list_codes(session, LIST_VERVAL_REASON)],
        "willingness": list(WILLINGNESS), "today": wita_today(now).isoformat(),
    }


@dataclass
class SyncOutcome:
    client_id: str
    result: str
    message: str | None = None
    theirs: dict[str, Any] | None = None  # the other finding, for a conflict

    def as_dict(self) -> dict[str, Any]:
        return {"client_id": self.client_id, "result": self.result, "message": self.message, "theirs": self.theirs}


def _input(fields: dict[str, Any]) -> VerificationInput:
    try:
        verified_on = date.fromisoformat(str(fields.get("verified_on") or ""))
    except ValueError:
        raise DomainError("verified_on", "verified_on") from None
    disability = fields.get("disability")
    return VerificationInput(
        status=str(fields.get("status") or ""), reason=str(fields.get("reason") or "") or None,
        willing_to_return=str(fields.get("willing_to_return") or "") or None,
        disability=disability if isinstance(disability, bool) else None,
        notes=str(fields.get("notes") or "")[:4000] or None, verified_on=verified_on)


def _finding(v: ChildVerification) -> dict[str, Any]:
    return {"status": v.status, "reason": v.reason, "willing_to_return": v.willing_to_return,
            "disability": v.disability, "notes": v.notes, "verified_on": v.verified_on.isoformat(),
            "verifier": v.verifier.name if v.verifier else None}


def sync_record(session: Session, user: User, record: Any, now: datetime) -> SyncOutcome:
    """One record: applied, a duplicate of one already received, a conflict, or refused with the reason."""
    if not isinstance(record, dict):
        return SyncOutcome("", REFUSED, "record")
    client_id = str(record.get("client_id") or "")[:ID_MAX]
    resolve = record.get("resolve")
    done = session.scalar(select(OfflineRecord).where(OfflineRecord.user_id == user.id,
                                                      OfflineRecord.client_id == client_id))
    if done is not None and not (done.result == CONFLICT and resolve in ("mine", "theirs")):
        return SyncOutcome(client_id, DUPLICATE, done.result)
    if len(client_id) < 8:
        return SyncOutcome(client_id, REFUSED, "client_id")
    child = session.get(Child, record.get("child_id")) if isinstance(record.get("child_id"), int) else None
    if child is None or not can_verify_child(session, user, child):
        return SyncOutcome(client_id, REFUSED, "child_id")
    given = record.get("fields")
    fields: dict[str, Any] = given if isinstance(given, dict) else {}
    base = record.get("base") if isinstance(record.get("base"), int) else None
    row = done or OfflineRecord(user_id=user.id, client_id=client_id, child_id=child.id,
                                payload=json.dumps(fields, ensure_ascii=False)[:20000], base_verification_id=base,
                                received_at=now, result=REFUSED)  # until decided below, in this transaction
    if done is None:
        session.add(row)
    latest = session.scalar(select(ChildVerification).where(ChildVerification.child_id == child.id)
                            .order_by(ChildVerification.id.desc()).limit(1))
    if resolve == "theirs" and done is not None:
        row.result, row.resolved_at, row.message = APPLIED, now, "theirs kept"
        session.flush()
        return SyncOutcome(client_id, APPLIED, "theirs")
    if latest is not None and latest.id != base and resolve != "mine":
        row.result, row.conflict_with_id = CONFLICT, latest.id
        session.flush()
        return SyncOutcome(client_id, CONFLICT, None, _finding(latest))
    try:
        verification = record_verification(session, child, _input(fields), user.id, now, wita_today(now))
    except DomainError as err:
        row.result, row.message = REFUSED, (err.field or err.message)[:300]
        session.flush()
        return SyncOutcome(client_id, REFUSED, err.field or err.message)
    row.result, row.verification_id, row.resolved_at = APPLIED, verification.id, now if done else None
    log_access(session, user_id=user.id, action="edit", now=now, child_id=child.id,
               detail=f"verifikasi luring: {verification.status}")
    session.flush()
    return SyncOutcome(client_id, APPLIED)
