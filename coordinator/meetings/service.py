"""Recording a coordination meeting and the follow-ups its decisions create.

Domain code: plain values and `now`, flushes, never commits. Every change to a meeting or a follow-up is in the
change history (core/audit.py); nothing here is deleted: a follow-up that is no longer wanted is cancelled with a
reason.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coordinator.actions import evidence as evidence_files
from coordinator.core.errors import N_, DomainError
from coordinator.models import (
    FILE_KINDS,
    FOLLOW_UP_CANCELLED,
    FOLLOW_UP_OPEN,
    Action,
    Agency,
    Area,
    FollowUp,
    Meeting,
    MeetingAttendance,
    MeetingFile,
)
from coordinator.plan.editing import plausible_date, reschedule

TIME_RE = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
TEXT_MAX = 2000
LONG_TEXT_MAX = 20000  # minutes of a half-day meeting run to a few pages
FILES_PER_UPLOAD = 10


@dataclass
class MeetingInput:
    title: str
    held_on: date
    chair: str
    start_time: str | None = None
    place: str | None = None
    online_url: str | None = None
    agenda: str | None = None
    minutes: str | None = None
    invited: list[int] = field(default_factory=list)
    present: list[int] = field(default_factory=list)


@dataclass
class FollowUpInput:
    text: str
    agency_id: int
    due_date: date
    action_id: int | None = None
    area_kode: str | None = None


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _agencies(session: Session, ids: list[int]) -> set[int]:
    wanted = set(ids)
    if not wanted:
        return set()
    found = set(session.scalars(select(Agency.id).where(Agency.id.in_(wanted), Agency.active.is_(True))))
    if found != wanted:
        raise DomainError(N_("Ada perangkat daerah yang tidak dikenal atau tidak aktif."), "invited")
    return found


def _check_meeting(data: MeetingInput) -> None:
    data.title, data.chair = data.title.strip(), data.chair.strip()
    if not data.title:
        raise DomainError(N_("Wajib diisi."), "title")
    if not data.chair:
        raise DomainError(N_("Wajib diisi."), "chair")
    plausible_date(data.held_on, "held_on")
    data.start_time, data.place, data.online_url = (_clean(data.start_time), _clean(data.place),
                                                    _clean(data.online_url))
    if data.start_time and not TIME_RE.fullmatch(data.start_time):
        raise DomainError(N_("Tulis jam sebagai JJ:MM, misalnya 09:00."), "start_time")
    if not data.place and not data.online_url:
        raise DomainError(N_("Isi tempat rapat, atau tautan rapat daring, atau keduanya."), "place")
    if data.online_url and not re.match(r"https?://[^\s]+$", data.online_url):
        raise DomainError(N_("Tautan rapat daring harus diawali http:// atau https://."), "online_url")
    for name, value, limit in (("agenda", data.agenda, TEXT_MAX * 5), ("minutes", data.minutes, LONG_TEXT_MAX)):
        if value and len(value) > limit:
            raise DomainError(N_("Paling banyak %(max)s karakter."), name, max=f"{limit:,}".replace(",", "."))


def save_meeting(session: Session, meeting: Meeting | None, data: MeetingInput, user_id: int,
                 now: datetime) -> Meeting:
    """Creates or updates a meeting. An agency marked present is invited by that very fact."""
    _check_meeting(data)
    invited = _agencies(session, list(data.invited) + list(data.present))
    present = set(data.present)
    if meeting is None:
        meeting = Meeting(created_by_id=user_id, created_at=now)
        session.add(meeting)
    else:
        meeting.updated_at = now
    meeting.title, meeting.held_on, meeting.chair = data.title, data.held_on, data.chair
    meeting.start_time, meeting.place, meeting.online_url = data.start_time, data.place, data.online_url
    meeting.agenda, meeting.minutes = _clean(data.agenda), _clean(data.minutes)
    rows = {a.agency_id: a for a in meeting.attendance}
    for agency_id in list(rows):
        if agency_id not in invited:
            meeting.attendance.remove(rows.pop(agency_id))
    for agency_id in sorted(invited):
        row = rows.get(agency_id)
        if row is None:
            meeting.attendance.append(MeetingAttendance(agency_id=agency_id, present=agency_id in present))
        else:
            row.present = agency_id in present
    session.flush()
    return meeting


def _check_follow_up(session: Session, meeting: Meeting, data: FollowUpInput) -> None:
    data.text = data.text.strip()
    if not data.text:
        raise DomainError(N_("Wajib diisi."), "text")
    if len(data.text) > TEXT_MAX:
        raise DomainError(N_("Paling banyak %(max)s karakter."), "text", max="2.000")
    agency = session.get(Agency, data.agency_id)
    if agency is None or not agency.active:
        raise DomainError(N_("Perangkat daerah tidak dikenal atau tidak aktif."), "agency_id")
    plausible_date(data.due_date, "due_date")
    if data.due_date < meeting.held_on:
        raise DomainError(N_("Tenggat tindak lanjut tidak boleh sebelum tanggal rapat."), "due_date")
    if data.action_id:
        action = session.get(Action, data.action_id)
        if action is None or action.deleted_at is not None:
            raise DomainError(N_("Aksi tidak dikenal."), "action_id")
    else:
        data.action_id = None
    data.area_kode = _clean(data.area_kode)
    if data.area_kode and session.get(Area, data.area_kode) is None:
        raise DomainError(N_("Wilayah tidak dikenal."), "area_kode")


def add_follow_up(session: Session, meeting: Meeting, data: FollowUpInput, now: datetime) -> FollowUp:
    """A decision of the meeting becomes a follow-up, numbered after the meeting's last one."""
    _check_follow_up(session, meeting, data)
    number = (session.scalar(select(func.max(FollowUp.number)).where(FollowUp.meeting_id == meeting.id)) or 0) + 1
    item = FollowUp(meeting_id=meeting.id, number=number, text=data.text, agency_id=data.agency_id,
                    due_date=data.due_date, baseline_due_date=data.due_date, action_id=data.action_id,
                    area_kode=data.area_kode, state=FOLLOW_UP_OPEN, created_at=now)
    session.add(item)
    session.flush()
    return item


def edit_follow_up(session: Session, item: FollowUp, data: FollowUpInput, due_reason: str | None) -> None:
    """The coordinator corrects a follow-up's wording, agency or link; a new due date needs a reason and the first
    one is kept (the same honest rescheduling as actions and milestones)."""
    if not item.is_open:
        raise DomainError(N_("Tindak lanjut yang sudah selesai atau dibatalkan tidak dapat diubah."))
    _check_follow_up(session, item.meeting, data)
    reschedule(item, data.due_date, due_reason)
    item.text, item.agency_id, item.action_id, item.area_kode = (data.text, data.agency_id, data.action_id,
                                                                 data.area_kode)
    session.flush()


def cancel_follow_up(session: Session, item: FollowUp, reason: str) -> None:
    reason = (reason or "").strip()
    if not item.is_open:
        raise DomainError(N_("Tindak lanjut ini sudah selesai atau dibatalkan."))
    if not reason:
        raise DomainError(N_("Tuliskan alasan pembatalan."), "reason")
    if len(reason) > TEXT_MAX:
        raise DomainError(N_("Paling banyak %(max)s karakter."), "reason", max="2.000")
    item.state, item.cancel_reason = FOLLOW_UP_CANCELLED, reason
    session.flush()


def check_files(files: list[evidence_files.IncomingFile], max_bytes: int) -> list[str]:
    if len(files) > FILES_PER_UPLOAD:
        raise DomainError(N_("Paling banyak 10 berkas sekali unggah."), "files")
    return [evidence_files.check_file(f, max_bytes) for f in files]


def attach_files(session: Session, meeting: Meeting, kind: str, files: list[evidence_files.IncomingFile],
                 user_id: int, upload_dir: str, max_bytes: int, now: datetime) -> list[MeetingFile]:
    """The invitation, the signed attendance list, photos: checked like evidence (by content, not by name)."""
    if kind not in FILE_KINDS:
        raise DomainError(N_("Pilihan tidak sah."), "kind")
    if not files:
        raise DomainError(N_("Pilih sedikitnya satu berkas."), "files")
    out = [MeetingFile(meeting_id=meeting.id, kind=kind, **fields)
           for fields in store_files(files, check_files(files, max_bytes), user_id, upload_dir, now)]
    session.add_all(out)
    session.flush()
    return out


def store_files(files: list[evidence_files.IncomingFile], types: list[str], user_id: int, upload_dir: str,
                now: datetime) -> list[dict[str, object]]:
    """Writes files already checked; returns each one's columns for its row."""
    out: list[dict[str, object]] = []
    for incoming, ctype in zip(files, types, strict=True):
        stored, digest = evidence_files.store(upload_dir, incoming)
        out.append({"original_name": evidence_files.clean_filename(incoming.filename), "stored_name": stored,
                    "content_type": ctype, "size": len(incoming.data), "sha256": digest, "uploaded_at": now,
                    "uploaded_by_id": user_id})
    return out
