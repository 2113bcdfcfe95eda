"""The plan (RAD), its pillars (strategi) and programs."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
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
