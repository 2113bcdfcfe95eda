"""Agencies (perangkat daerah and partners) that own or support actions."""
from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.extensions import db

AGENCY_KINDS = ("opd", "vertikal", "kecamatan", "desa", "mitra")


class Agency(db.Model):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    short_name: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12), default="opd")
    aliases: Mapped[str] = mapped_column(String(400), default="")
    head_name: Mapped[str | None] = mapped_column(String(120))
    head_email: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)

    def __str__(self) -> str:
        return self.short_name
