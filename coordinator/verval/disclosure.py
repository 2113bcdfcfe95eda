"""Opening a child's full record, and searching the list: both are disclosures of personal data (UU 27/2022).

A child's page shows the record masked (NIK, NISN, birth date, mother's name); the full values are opened one
child at a time, with a reason, and every opening is logged. Openings are throttled per user (a setting): past the
limit the request is refused, logged, and the admins are alerted once per hour in the bell and by email, so
harvesting a whole desa is slow, visible and stopped. A search over the list is logged with how many children it
matched, never with what was searched for (a name or a NIK in the log would be a copy of the data itself).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coordinator.core.clock import to_wita
from coordinator.core.errors import N_
from coordinator.models import ROLE_ADMIN, ChildAccessLog, User
from coordinator.notifications.center import record_notification
from coordinator.notifications.outbox import enqueue, outbox_key
from coordinator.verval.verification import log_access

REVEAL, REVEAL_REFUSED, SEARCH = "reveal", "reveal_refused", "search"
WINDOW = timedelta(hours=1)
REVEAL_REASONS: list[tuple[str, str]] = [
    ("verifikasi", N_("Verifikasi lapangan")),
    ("pencocokan", N_("Pencocokan dengan KK atau data Dukcapil")),
    ("penanganan", N_("Penanganan kasus (kembali bersekolah)")),
    ("wali", N_("Permintaan orang tua atau wali")),
    ("lainnya", N_("Lainnya (jelaskan)")),
]
REASON_WORDS = dict(REVEAL_REASONS)  # the log is in Indonesian for the data protection officer, never translated
KIND_ALERT = "keamanan_data"


@dataclass
class RevealOutcome:
    allowed: bool
    used: int  # openings by this user in the last hour, this one included when allowed
    limit: int
    alerted: bool = False  # the admins were told just now


def reveals_in_window(session: Session, user_id: int, now: datetime) -> int:
    return session.scalar(select(func.count(ChildAccessLog.id)).where(
        ChildAccessLog.user_id == user_id, ChildAccessLog.action == REVEAL, ChildAccessLog.at > now - WINDOW)) or 0


def reveal_child(session: Session, *, user: User, child_id: int, reason: str, note: str | None, now: datetime,
                 limit: int, ip: str | None, log_url: str) -> RevealOutcome:
    """Logs one opening of a child's full record, or refuses it past `limit` per hour (0: no limit) and alerts
    the admins. Flushes, never commits."""
    used = reveals_in_window(session, user.id, now)
    if limit and used >= limit:
        earlier = session.scalar(select(func.count(ChildAccessLog.id)).where(
            ChildAccessLog.user_id == user.id, ChildAccessLog.action == REVEAL_REFUSED,
            ChildAccessLog.at > now - WINDOW)) or 0
        log_access(session, user_id=user.id, action=REVEAL_REFUSED, now=now, child_id=child_id,
                   detail=f"batas {limit} pembukaan per jam tercapai", ip=ip)
        alerted = not earlier and _alert_admins(session, user, limit, now, log_url)
        return RevealOutcome(False, used, limit, alerted)
    words = REASON_WORDS.get(reason, reason)
    log_access(session, user_id=user.id, action=REVEAL, now=now, child_id=child_id,
               detail=f"alasan: {words}" + (f"; {note.strip()}" if note and note.strip() else ""), ip=ip)
    return RevealOutcome(True, used + 1, limit)


def _alert_admins(session: Session, user: User, limit: int, now: datetime, log_url: str) -> bool:
    """A bell notification and an email to every active admin; one per user and hour (keys), so a burst of
    refusals alerts once. True when anything was recorded."""
    hour = to_wita(now).strftime("%Y-%m-%d %H")
    title = f"Batas pembukaan data anak tercapai: {user.name} ({user.email})"
    body = (f"{user.name} ({user.email}, peran {user.role}) membuka data lengkap {limit} anak dalam satu jam dan "
            f"permintaan berikutnya ditolak pada {to_wita(now):%d/%m/%Y %H:%M} WITA. Periksa log akses data anak: "
            f"apakah pembukaan ini wajar? Bila tidak, nonaktifkan akunnya.\n\n{log_url}")
    recorded = False
    for admin in session.scalars(select(User).where(User.role == ROLE_ADMIN, User.active.is_(True))):
        key = f"reveal-limit:{user.id}:{hour}:{admin.id}"
        recorded |= record_notification(session, key=key, user_id=admin.id, kind=KIND_ALERT, title=title,
                                        body=body, url=log_url, now=now)
        enqueue(session, key=outbox_key(key), recipient=admin.email, user_id=admin.id, kind=KIND_ALERT,
                subject=f"[SITISEK] {title}", body_text=body, now=now)
    return recorded


def log_search(session: Session, *, user_id: int, matched: int, by: str, now: datetime, ip: str | None) -> None:
    """One log row per search: who, when, by what kind of value and how many children matched; not the value."""
    log_access(session, user_id=user_id, action=SEARCH, now=now, detail=f"cari {by}: {matched} anak cocok", ip=ip)
