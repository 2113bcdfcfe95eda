"""Actions (aksi) of the plan, their milestones (tahapan), progress and evidence."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.extensions import db
from coordinator.models.agency import Agency
from coordinator.models.area import Area
from coordinator.models.plan import Program

ATS_CATEGORIES = ("BPB", "DO", "LTM")
MILESTONE_STATES = ("belum_mulai", "berjalan", "selesai", "dibatalkan")
STATUS_VALUES = ("belum_mulai", "berjalan", "terlambat", "selesai", "dibatalkan")

action_supporting_agency = Table(
    "action_supporting_agency",
    db.metadata,
    Column("action_id", ForeignKey("action.id"), primary_key=True),
    Column("agency_id", ForeignKey("agency.id"), primary_key=True, index=True),
)

action_area = Table(
    "action_area",
    db.metadata,
    Column("action_id", ForeignKey("action.id"), primary_key=True),
    Column("area_kode", ForeignKey("area.kode"), primary_key=True, index=True),
)


def _first_due_date(context) -> date | None:  # type: ignore[no-untyped-def]
    """A row written without a baseline (seeds, imports) starts with its due date as the baseline."""
    due: date | None = context.get_current_parameters().get("due_date")
    return due


class Action(db.Model):
    __tablename__ = "action"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id"), index=True)
    code: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    output: Mapped[str | None] = mapped_column(Text)
    lead_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    ats_categories: Mapped[str] = mapped_column(String(20), default="")
    start_date: Mapped[date]
    due_date: Mapped[date] = mapped_column(index=True)
    # Honest rescheduling (plan/editing.py): the first due date is kept, each move needs a reason and is counted.
    baseline_due_date: Mapped[date | None] = mapped_column(default=_first_due_date)
    reschedule_count: Mapped[int] = mapped_column(default=0, server_default="0")
    due_change_reason: Mapped[str | None] = mapped_column(Text)
    budget_amount: Mapped[int | None] = mapped_column(BigInteger)  # the total of every funding source
    sub_kegiatan_code: Mapped[str | None] = mapped_column(String(60))
    marked_complete: Mapped[bool] = mapped_column(default=False)
    completed_on: Mapped[date | None]
    status_override: Mapped[str | None] = mapped_column(String(20))
    override_reason: Mapped[str | None] = mapped_column(Text)
    # Cancelled because merged into another action (a plan revision's "digabung"): the action that carries on.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("action.id"))
    deleted_at: Mapped[datetime | None]

    program: Mapped[Program] = relationship()
    lead_agency: Mapped[Agency] = relationship()
    supporting_agencies: Mapped[list[Agency]] = relationship(
        secondary=action_supporting_agency, order_by="Agency.short_name"
    )
    areas: Mapped[list[Area]] = relationship(secondary=action_area, order_by="Area.kode")
    fundings: Mapped[list[ActionFunding]] = relationship(order_by="ActionFunding.position",
                                                         cascade="all, delete-orphan")
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="action", order_by="(Milestone.due_date, Milestone.id)"
    )
    merged_into: Mapped[Action | None] = relationship(remote_side=[id])

    @property
    def category_list(self) -> list[str]:
        return [c for c in self.ats_categories.split(",") if c]

    @property
    def slip_days(self) -> int:
        """Days the due date moved from the first one (negative: brought forward)."""
        return (self.due_date - self.baseline_due_date).days if self.baseline_due_date else 0

    def involves_agency(self, agency_id: int | None) -> bool:
        if agency_id is None:
            return False
        return self.lead_agency_id == agency_id or any(a.id == agency_id for a in self.supporting_agencies)


class ActionFunding(db.Model):
    """One funding source of an action ("APBD, CSR" is two), with its amount where the plan gives it."""

    __tablename__ = "action_funding"
    __table_args__ = (UniqueConstraint("action_id", "source", name="uq_action_funding_action_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    source: Mapped[str] = mapped_column(String(40))  # a code of the funding-source reference list
    amount: Mapped[int | None] = mapped_column(BigInteger)  # rupiah
    position: Mapped[int] = mapped_column(default=0)


class Milestone(db.Model):
    __tablename__ = "milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    due_date: Mapped[date]
    state: Mapped[str] = mapped_column(String(20), default="belum_mulai")
    completed_on: Mapped[date | None]
    baseline_due_date: Mapped[date | None] = mapped_column(default=_first_due_date)  # as on Action
    reschedule_count: Mapped[int] = mapped_column(default=0, server_default="0")
    due_change_reason: Mapped[str | None] = mapped_column(Text)

    action: Mapped[Action] = relationship(back_populates="milestones")

    @property
    def slip_days(self) -> int:
        return (self.due_date - self.baseline_due_date).days if self.baseline_due_date else 0

    @property
    def is_open(self) -> bool:
        return self.state in ("belum_mulai", "berjalan")


REVIEW_SUBMITTED = "diajukan"
REVIEW_ACCEPTED = "diterima"
REVIEW_RETURNED = "dikembalikan"
REVIEW_STATUSES = (REVIEW_SUBMITTED, REVIEW_ACCEPTED, REVIEW_RETURNED)


def _counted_by_default(context) -> bool:  # type: ignore[no-untyped-def]
    """Rows written outside the review (seeds, imports of older months) count when accepted and current."""
    params = context.get_current_parameters()
    return params.get("superseded_at") is None and params.get("review_status", REVIEW_ACCEPTED) == REVIEW_ACCEPTED


class ProgressUpdate(db.Model):
    """A monthly report by one agency on one action. Never deleted: a correction
    supersedes it and both stay in the history.

    The coordinator reviews each report (review/service.py): submitted, then accepted or returned with a
    comment; a returned report is corrected (a new version). `counted` marks the one accepted version in force for
    its action, agency and month: figures and the monthly report read only counted reports, so a correction
    under review leaves the accepted figure standing until it is accepted itself."""

    __tablename__ = "progress_update"
    __table_args__ = (
        Index("ix_progress_action_period", "action_id", "period"),
        # One current report per agency, action and month, even when two submits race.
        Index("uq_progress_current", "action_id", "agency_id", "period", unique=True,
              sqlite_where=text("superseded_at IS NULL"), postgresql_where=text("superseded_at IS NULL")),
        Index("ix_progress_review_queue", "review_status", "created_at"),
        Index("ix_progress_counted_period", "counted", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    period: Mapped[date]  # first day of the reported month
    percent_complete: Mapped[int]
    achievements: Mapped[str] = mapped_column(Text)
    obstacles: Mapped[str | None] = mapped_column(Text)
    follow_up: Mapped[str | None] = mapped_column(Text)
    budget_realised: Mapped[int | None] = mapped_column(BigInteger)
    # Why the realisation goes past the action's ceiling (pagu); required then (actions/budget.py).
    budget_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(index=True)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("progress_update.id"))
    superseded_at: Mapped[datetime | None]
    correction_reason: Mapped[str | None] = mapped_column(Text)
    review_status: Mapped[str] = mapped_column(String(12), default=REVIEW_ACCEPTED, server_default=REVIEW_ACCEPTED)
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    review_comment: Mapped[str | None] = mapped_column(Text)
    counted: Mapped[bool] = mapped_column(default=_counted_by_default, server_default=text("false"))
    # Posted after its month was closed: listed as an addendum in the report of this (later) month.
    addendum_period: Mapped[date | None]

    action: Mapped[Action] = relationship()
    agency: Mapped[Agency] = relationship()
    author: Mapped["User"] = relationship(foreign_keys=[author_id])  # noqa: F821
    reviewed_by: Mapped["User | None"] = relationship(foreign_keys=[reviewed_by_id])  # noqa: F821, UP037
    evidence: Mapped[list[Evidence]] = relationship(back_populates="update", order_by="Evidence.id")
    outcomes: Mapped[list["ProgressOutcome"]] = relationship(order_by="ProgressOutcome.area_kode")  # noqa: UP037

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None


class Evidence(db.Model):
    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("progress_update.id"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime]

    update: Mapped[ProgressUpdate] = relationship(back_populates="evidence")


from coordinator.models.ats import ProgressOutcome  # noqa: E402,F401  (resolves the annotation)
from coordinator.models.user import User  # noqa: E402,F401  (resolves the "User" annotation)
