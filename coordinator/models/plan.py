"""The plan (RAD), its pillars (strategi) and programs."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.extensions import db


class Plan(db.Model):
    __tablename__ = "plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str | None] = mapped_column(String(200))
    start_year: Mapped[int]
    end_year: Mapped[int]
    baseline_ats: Mapped[int | None]
    baseline_year: Mapped[int | None]
    target_ats: Mapped[int | None]
    description: Mapped[str | None] = mapped_column(Text)

    pillars: Mapped[list[Pillar]] = relationship(back_populates="plan", order_by="Pillar.number")


class Pillar(db.Model):
    __tablename__ = "pillar"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)

    plan: Mapped[Plan] = relationship(back_populates="pillars")
    programs: Mapped[list[Program]] = relationship(back_populates="pillar", order_by="Program.code")


class Program(db.Model):
    __tablename__ = "program"

    id: Mapped[int] = mapped_column(primary_key=True)
    pillar_id: Mapped[int] = mapped_column(ForeignKey("pillar.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))

    pillar: Mapped[Pillar] = relationship(back_populates="programs")


class PlanRevision(db.Model):
    """A revision of the plan (RAD perubahan, e.g. after a mid-term review): opened by a coordinator with its legal
    basis and reason; every change to the plan's content while it is open is grouped under it (the change history
    carries its id, core/audit.py) until it is adopted (ditetapkan). At most one is open at a time."""

    __tablename__ = "plan_revision"
    __table_args__ = (
        Index("uq_plan_revision_open", "plan_id", unique=True, sqlite_where=text("adopted_at IS NULL"),
              postgresql_where=text("adopted_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"))
    number: Mapped[int]  # Perubahan I, II, …
    legal_basis: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[datetime]
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    adopted_at: Mapped[datetime | None]
    adopted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    @property
    def is_open(self) -> bool:
        return self.adopted_at is None
