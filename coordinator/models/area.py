"""Administrative areas: kecamatan and desa/kelurahan, editable by admins."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.extensions import db

LEVEL_KECAMATAN = "kecamatan"
LEVEL_DESA = "desa"


class Area(db.Model):
    __tablename__ = "area"

    kode: Mapped[str] = mapped_column(String(20), primary_key=True)
    nama: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(12), index=True)  # kecamatan | desa
    jenis: Mapped[str | None] = mapped_column(String(12))  # desa | kelurahan | persiapan
    parent_kode: Mapped[str | None] = mapped_column(ForeignKey("area.kode"), index=True)
    active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[Area | None] = relationship(remote_side=[kode], back_populates="children")
    children: Mapped[list[Area]] = relationship(back_populates="parent", order_by="Area.kode")

    @property
    def label(self) -> str:
        if self.level == LEVEL_KECAMATAN:
            return f"Kec. {self.nama}"
        return self.nama
