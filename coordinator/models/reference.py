"""Reference lists an admin can edit (funding sources and later lists)."""
from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.extensions import db

LIST_FUNDING_SOURCE = "sumber_dana"
LIST_VERVAL_STATUS = "verval_status"  # village verification: what the verifier found
LIST_VERVAL_REASON = "verval_alasan"  # why a child is out of school
REFERENCE_LISTS = (LIST_FUNDING_SOURCE, LIST_VERVAL_STATUS, LIST_VERVAL_REASON)


class ReferenceItem(db.Model):
    __tablename__ = "reference_item"
    __table_args__ = (UniqueConstraint("list_name", "code", name="uq_reference_item_list_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_name: Mapped[str] = mapped_column(String(40), index=True)
    code: Mapped[str] = mapped_column(String(40))
    label_id: Mapped[str] = mapped_column(String(120))
    label_en: Mapped[str] = mapped_column(String(120))
    # Other names a file may use for the item, comma-separated ("APBD" alone is APBD Kabupaten; "DD" Dana Desa).
    aliases: Mapped[str] = mapped_column(String(400), default="", server_default="")
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
