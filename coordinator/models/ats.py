"""ATS counts from Pusdatin: dated snapshots of counts per area and category,
remembered area-name mappings, and per-desa outcomes of progress updates."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.extensions import db
from coordinator.models.area import Area

FIGURE_AREA = "area"
FIGURE_RESIDU = "residu"  # children whose address matched no area: counted in the regency, never in an area
RETURN_PATHWAYS = ("formal", "paket", "pesantren", "lkp")


class AtsSnapshot(db.Model):
    """One import: the ATS table as it stood on `as_of`. A replaced snapshot stays, marked."""

    __tablename__ = "ats_snapshot"
    __table_args__ = (
        Index("ix_ats_snapshot_live", "as_of", "replaced_at"),
        # One live snapshot per date, even when two imports of the same date save at the same moment.
        Index("uq_ats_snapshot_live", "as_of", unique=True,
              sqlite_where=text("replaced_at IS NULL"), postgresql_where=text("replaced_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date]
    source: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    file_name: Mapped[str | None] = mapped_column(String(255))
    stored_file: Mapped[str | None] = mapped_column(String(80))
    file_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    replaced_at: Mapped[datetime | None]
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("ats_snapshot.id"))

    figures: Mapped[list[AtsFigure]] = relationship(back_populates="snapshot", order_by="AtsFigure.id")


class AtsFigure(db.Model):
    """A count of one category (BPB/DO/LTM) for an area, or for the residu, in one snapshot.
    `detail` keeps the portal's breakdown (e.g. "kelas 7", "≤ kelas 6"); "" is the category total."""

    __tablename__ = "ats_figure"
    __table_args__ = (
        UniqueConstraint("snapshot_id", "kind", "area_kode", "category", "detail", name="uq_ats_figure_cell"),
        Index("ix_ats_figure_area", "area_kode", "snapshot_id"),
        # Serves the snapshot's figures and, read backwards, the newest figure of a snapshot in one step: the
        # version key of the ATS pages' totals cache (ats/pages.cached_totals).
        Index("ix_ats_figure_snapshot_version", "snapshot_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("ats_snapshot.id"))
    kind: Mapped[str] = mapped_column(String(10))  # area | residu
    area_kode: Mapped[str | None] = mapped_column(ForeignKey("area.kode"))
    category: Mapped[str] = mapped_column(String(3))
    detail: Mapped[str] = mapped_column(String(40), default="")
    count: Mapped[int]

    snapshot: Mapped[AtsSnapshot] = relationship(back_populates="figures")
    area: Mapped[Area | None] = relationship()


class AreaAlias(db.Model):
    """A name as it appears in imported files, mapped by hand to an area, remembered."""

    __tablename__ = "area_alias"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    area_kode: Mapped[str] = mapped_column(ForeignKey("area.kode"))
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    area: Mapped[Area] = relationship()


class ProgressOutcome(db.Model):
    """Per-desa outcome figures of a progress update: children reached and returned, by pathway."""

    __tablename__ = "progress_outcome"
    __table_args__ = (UniqueConstraint("update_id", "area_kode", name="uq_progress_outcome_area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    update_id: Mapped[int] = mapped_column(ForeignKey("progress_update.id"), index=True)
    area_kode: Mapped[str] = mapped_column(ForeignKey("area.kode"), index=True)
    reached: Mapped[int] = mapped_column(default=0)
    returned_formal: Mapped[int] = mapped_column(default=0)
    returned_paket: Mapped[int] = mapped_column(default=0)
    returned_pesantren: Mapped[int] = mapped_column(default=0)
    returned_lkp: Mapped[int] = mapped_column(default=0)

    area: Mapped[Area] = relationship()

    @property
    def returned(self) -> int:
        return self.returned_formal + self.returned_paket + self.returned_pesantren + self.returned_lkp
