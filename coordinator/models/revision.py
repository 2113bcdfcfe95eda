"""The data revision: one row whose token changes with every committed change to what pages show."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.extensions import db


class DataRevision(db.Model):
    """A random token, replaced in the same transaction as every commit that changes plan, ATS or verval data
    (core/revision.py). Caches of rendered pages are keyed by it in every process, so a change made by
    any worker, the scheduler or a CLI command is seen by all of them at once."""

    __tablename__ = "data_revision"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    token: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime]
