"""Verval without signal, the server's half: the package a verifier downloads, and the sync of what they recorded.

The package holds only what finding and verifying a child needs: name, sex, birth year, dusun/RT/RW, category and
the current finding, never the NIK, the full birth date or the mother's name. It comes with a key made for the
device: the browser keeps the package encrypted with it (AES-GCM) and the key only in the tab's session storage;
the server hands the key again only to a live session of the same user (signed in with their password) and never
after VERVAL_OFFLINE_DAYS, so a lost phone without a session opens nothing. Every
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

from flask_babel import gettext
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from coordinator.core.clock import wita_today
from coordinator.core.errors import N_, DomainError
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
NOT_A_RECORD = N_("Catatan dari ponsel tidak lengkap; catat ulang hasilnya.")
NOT_YOUR_CHILD = N_("Anak ini tidak termasuk anak yang dapat Anda verifikasi.")
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
    """The key, to a live session of the user who prepared the device (signing in again, after signing out
    elsewhere, opens what was downloaded and still unsent), before it expires; else None. Flushes."""
    row = session.scalar(select(OfflineDevice).where(OfflineDevice.user_id == user.id,
                                                     OfflineDevice.device_id == _device_id(device_id)))
    if row is None or row.expires_at <= now:
        return None
    row.session_token = user.session_token
    session.flush()
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
    verification_id: int | None = None  # the child's finding now (the phone's next base)

    def as_dict(self) -> dict[str, Any]:
        return {"client_id": self.client_id, "result": self.result, "message": self.message, "theirs": self.theirs,
                "verification_id": self.verification_id}


def _input(fields: dict[str, Any]) -> VerificationInput:
    try:
        verified_on = date.fromisoformat(str(fields.get("verified_on") or ""))
    except ValueError:
        raise DomainError(N_("Tanggal tidak sah."), "verified_on") from None
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


def _id(value: Any) -> int | None:
    """A row id from JSON: a whole number in the INTEGER range (not a boolean, not 10**30)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 2**31 - 1 else None


def _again(session: Session, done: OfflineRecord) -> SyncOutcome:
    """A record sent before (its answer may have been lost on the way): its first result again, with the other
    finding for a conflict still open, so the phone shows it instead of dropping it."""
    if done.result == CONFLICT and done.conflict_with_id:
        other = session.get(ChildVerification, done.conflict_with_id)
        return SyncOutcome(done.client_id, CONFLICT, None, _finding(other) if other else None)
    if done.result == REFUSED:
        return SyncOutcome(done.client_id, REFUSED, done.message)
    return SyncOutcome(done.client_id, DUPLICATE, done.result, verification_id=done.verification_id)


def sync_record(session: Session, user: User, record: Any, now: datetime) -> SyncOutcome:
    """One record: applied, a duplicate of one already received, a conflict, or refused with the reason. A
    resolve ("mine" or "theirs") is taken only for a conflict still open against the same finding, and once (one
    conditional UPDATE claims it, so a double tap never writes twice)."""
    if not isinstance(record, dict):
        return SyncOutcome("", REFUSED, gettext(NOT_A_RECORD))
    client_id = str(record.get("client_id") or "")[:ID_MAX]
    resolve = record.get("resolve") if record.get("resolve") in ("mine", "theirs") else None
    done = session.scalar(select(OfflineRecord).where(OfflineRecord.user_id == user.id,
                                                      OfflineRecord.client_id == client_id))
    if done is not None and (resolve is None or done.result != CONFLICT):
        return _again(session, done)
    if len(client_id) < 8:
        return SyncOutcome(client_id, REFUSED, gettext(NOT_A_RECORD))
    child_id = done.child_id if done is not None else _id(record.get("child_id"))
    child = session.get(Child, child_id) if child_id else None
    if child is None or not can_verify_child(session, user, child):
        return SyncOutcome(client_id, REFUSED, gettext(NOT_YOUR_CHILD))
    given = record.get("fields")
    fields: dict[str, Any] = given if isinstance(given, dict) else {}
    if done is not None:
        fields = json.loads(done.payload)  # a resolve applies what was sent first, not what comes with it
    base = done.base_verification_id if done is not None else _id(record.get("base"))
    latest = session.scalar(select(ChildVerification).where(ChildVerification.child_id == child.id)
                            .order_by(ChildVerification.id.desc()).limit(1))
    if done is not None:
        if latest is not None and latest.id != done.conflict_with_id:  # a third finding came meanwhile: show it
            done.conflict_with_id = latest.id
            session.flush()
            return SyncOutcome(client_id, CONFLICT, None, _finding(latest))
        claimed = session.execute(update(OfflineRecord).where(OfflineRecord.id == done.id,
                                                              OfflineRecord.result == CONFLICT)
                                  .values(result=APPLIED, resolved_at=now).execution_options(synchronize_session=False))
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return SyncOutcome(client_id, DUPLICATE, APPLIED)
        session.refresh(done)
        if resolve == "theirs":
            done.message = "theirs kept"
            session.flush()
            return SyncOutcome(client_id, APPLIED, "theirs", verification_id=latest.id if latest else None)
        row = done
    else:
        row = OfflineRecord(user_id=user.id, client_id=client_id, child_id=child.id,
                            payload=json.dumps(fields, ensure_ascii=False)[:20000], base_verification_id=base,
                            received_at=now, result=REFUSED)  # until decided below, in this transaction
        session.add(row)
        if latest is not None and latest.id != base:
            row.result, row.conflict_with_id = CONFLICT, latest.id
            session.flush()
            return SyncOutcome(client_id, CONFLICT, None, _finding(latest))
    try:
        verification = record_verification(session, child, _input(fields), user.id, now, wita_today(now))
    except DomainError as err:  # the online form's rule, in the verifier's language
        row.result, row.message = REFUSED, gettext(err.message, **err.params)[:300]
        session.flush()
        return SyncOutcome(client_id, REFUSED, row.message)
    row.result, row.verification_id = APPLIED, verification.id
    log_access(session, user_id=user.id, action="edit", now=now, child_id=child.id,
               detail=f"verifikasi luring: {verification.status}")
    session.flush()
    return SyncOutcome(client_id, APPLIED, verification_id=verification.id)
