"""Coordination meetings (rapat koordinasi): attendance, minutes, files, and the follow-ups their decisions create."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.extensions import db
from coordinator.models.action import Action, _first_due_date
from coordinator.models.agency import Agency
from coordinator.models.area import Area

FILE_KINDS = ("undangan", "daftar_hadir", "foto", "lainnya")

# A follow-up is open until its agency reports it done (closing submitted), then the coordinator accepts
# (done) or returns it (open again, with a comment). Cancelling needs a reason. Lateness is computed.
FOLLOW_UP_OPEN = "terbuka"
FOLLOW_UP_SUBMITTED = "diajukan"
FOLLOW_UP_DONE = "selesai"
FOLLOW_UP_CANCELLED = "dibatalkan"
FOLLOW_UP_STATES = (FOLLOW_UP_OPEN, FOLLOW_UP_SUBMITTED, FOLLOW_UP_DONE, FOLLOW_UP_CANCELLED)


class Meeting(db.Model):
    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(index=True)
    start_time: Mapped[str | None] = mapped_column(String(5))  # "09:00" WITA
    place: Mapped[str | None] = mapped_column(String(200))
    online_url: Mapped[str | None] = mapped_column(String(500))
    chair: Mapped[str] = mapped_column(String(200))  # name and position, as signed under the minutes
    agenda: Mapped[str | None] = mapped_column(Text)
    minutes: Mapped[str | None] = mapped_column(Text)  # notulen
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime | None]

    attendance: Mapped[list[MeetingAttendance]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingAttendance.agency_id")
    files: Mapped[list[MeetingFile]] = relationship(order_by="MeetingFile.id")
    follow_ups: Mapped[list[FollowUp]] = relationship(back_populates="meeting", order_by="FollowUp.number")

    def invited_ids(self) -> set[int]:
        return {a.agency_id for a in self.attendance}

    def present_ids(self) -> set[int]:
        return {a.agency_id for a in self.attendance if a.present}


class MeetingAttendance(db.Model):
    """An invited agency and whether it came (the attendance list, daftar hadir, is kept as a file as well)."""

    __tablename__ = "meeting_attendance"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), primary_key=True, index=True)
    present: Mapped[bool] = mapped_column(default=False)

    meeting: Mapped[Meeting] = relationship(back_populates="attendance")
    agency: Mapped[Agency] = relationship()


class _UploadedFile:
    """A file checked and stored as evidence is (actions/evidence.py), with who sent it."""

    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime]
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))


class MeetingFile(_UploadedFile, db.Model):
    """The invitation, the signed attendance list, photos: never deleted."""

    __tablename__ = "meeting_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))


class FollowUp(db.Model):
    """A meeting's decision that someone must carry out (tindak lanjut): like a milestone, it has a due date
    (moved only with a reason, the first one kept), a responsible agency that reports it done with a note and
    evidence, and a coordinator who accepts or returns that report."""

    __tablename__ = "follow_up"
    __table_args__ = (Index("ix_follow_up_state_due", "state", "due_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    number: Mapped[int]  # the decision's number in the minutes
    text: Mapped[str] = mapped_column(Text)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    due_date: Mapped[date]
    baseline_due_date: Mapped[date | None] = mapped_column(default=_first_due_date)
    reschedule_count: Mapped[int] = mapped_column(default=0, server_default="0")
    due_change_reason: Mapped[str | None] = mapped_column(Text)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"), index=True)
    area_kode: Mapped[str | None] = mapped_column(ForeignKey("area.kode"))
    state: Mapped[str] = mapped_column(String(12), default=FOLLOW_UP_OPEN)
    closing_note: Mapped[str | None] = mapped_column(Text)
    closing_submitted_at: Mapped[datetime | None]
    closing_submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_on: Mapped[date | None]  # the WITA day the accepted closing was submitted
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    review_comment: Mapped[str | None] = mapped_column(Text)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]

    meeting: Mapped[Meeting] = relationship(back_populates="follow_ups")
    agency: Mapped[Agency] = relationship()
    action: Mapped[Action | None] = relationship()
    area: Mapped[Area | None] = relationship()
    evidence: Mapped[list[FollowUpEvidence]] = relationship(order_by="FollowUpEvidence.id")

    @property
    def is_open(self) -> bool:
        return self.state in (FOLLOW_UP_OPEN, FOLLOW_UP_SUBMITTED)

    @property
    def slip_days(self) -> int:
        return (self.due_date - self.baseline_due_date).days if self.baseline_due_date else 0

    def status(self, today: date) -> str:
        """terbuka, terlambat, diajukan (done, waiting for review), selesai or dibatalkan."""
        if self.state == FOLLOW_UP_OPEN and self.due_date < today:
            return "terlambat"
        return self.state


class FollowUpEvidence(_UploadedFile, db.Model):
    """A file sent with a closing report; kept when the closing is returned (the history shows each round)."""

    __tablename__ = "follow_up_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(ForeignKey("follow_up.id"), index=True)
