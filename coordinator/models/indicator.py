"""Indicators of the plan, their targets and measured values."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Float, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.extensions import db
from coordinator.models.action import Action
from coordinator.models.agency import Agency
from coordinator.models.plan import Plan

DIRECTIONS = ("naik", "turun")

indicator_action = Table(
    "indicator_action",
    db.metadata,
    Column("indicator_id", ForeignKey("indicator.id"), primary_key=True),
    Column("action_id", ForeignKey("action.id"), primary_key=True, index=True),
)


class Indicator(db.Model):
    __tablename__ = "indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(300))
    definition: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(40))
    direction: Mapped[str] = mapped_column(String(5))  # naik | turun
    baseline_value: Mapped[float | None] = mapped_column(Float)
    baseline_year: Mapped[int | None]
    data_source: Mapped[str | None] = mapped_column(String(200))
    # When set, values come from the ATS snapshots on every import: total | BPB | DO | LTM | pct_baseline
    # (ats/indicators.py), or from SITISEK's own data: anak_kembali, distinct children back in school
    # (figures/indicator_feed.py); for the regency (ats_area_kode NULL) or one kecamatan/desa.
    ats_metric: Mapped[str | None] = mapped_column(String(20))
    ats_area_kode: Mapped[str | None] = mapped_column(ForeignKey("area.kode"))
    # The agency responsible for the indicator: its focal points enter the values, which the coordinator reviews.
    owner_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    frequency: Mapped[str | None] = mapped_column(String(12))  # triwulanan | tahunan; None: as targets/values go
    deleted_at: Mapped[datetime | None]

    plan: Mapped[Plan] = relationship()
    owner_agency: Mapped[Agency | None] = relationship()
    actions: Mapped[list[Action]] = relationship(secondary=indicator_action, order_by="Action.code")
    targets: Mapped[list[IndicatorTarget]] = relationship(
        back_populates="indicator", order_by="(IndicatorTarget.year, IndicatorTarget.quarter)"
    )
    # Every figure reads `values`: the accepted ones. `all_values` holds those waiting for review or returned too.
    values: Mapped[list[IndicatorValue]] = relationship(
        primaryjoin="and_(Indicator.id == IndicatorValue.indicator_id, IndicatorValue.review_status == 'diterima')",
        order_by="(IndicatorValue.year, IndicatorValue.quarter)", overlaps="all_values,indicator",
    )
    all_values: Mapped[list[IndicatorValue]] = relationship(
        back_populates="indicator", order_by="(IndicatorValue.year, IndicatorValue.quarter)"
    )


class IndicatorTarget(db.Model):
    """Target for a year (quarter NULL) or for one quarter of it."""

    __tablename__ = "indicator_target"
    __table_args__ = (UniqueConstraint("indicator_id", "year", "quarter", name="uq_indicator_target_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"), index=True)
    year: Mapped[int]
    quarter: Mapped[int | None]
    value: Mapped[float] = mapped_column(Float)

    indicator: Mapped[Indicator] = relationship(back_populates="targets")


class IndicatorValue(db.Model):
    """A measured value for a year or a quarter, with where it came from."""

    __tablename__ = "indicator_value"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id"), index=True)
    year: Mapped[int]
    quarter: Mapped[int | None]
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    entered_at: Mapped[datetime]
    # A value entered by the owner agency's focal point waits for the coordinator (diajukan), then is accepted
    # (diterima) or returned with a comment (dikembalikan); only accepted values count.
    review_status: Mapped[str] = mapped_column(String(12), default="diterima", server_default="diterima")
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    review_comment: Mapped[str | None] = mapped_column(Text)

    indicator: Mapped[Indicator] = relationship(back_populates="all_values")
