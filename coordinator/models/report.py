"""The monthly report for leaders: frozen months, the PDF archive, the delivery settings."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.extensions import db

SCOPE_REGENCY = "kabupaten"
SCOPE_AGENCY = "opd"
SCOPE_KECAMATAN = "kecamatan"
REPORT_SCOPES = (SCOPE_REGENCY, SCOPE_AGENCY, SCOPE_KECAMATAN)


class MonthlySnapshot(db.Model):
    """A closed month: every figure the report needs, frozen as JSON at closing.

    Reports of the month are built from `facts` only, so edits after closing change nothing in them.
    Reopening keeps the row (marked reopened); closing again makes a new one. One live row per month.
    """

    __tablename__ = "monthly_snapshot"
    __table_args__ = (
        Index("uq_monthly_snapshot_live", "period", unique=True,
              sqlite_where=text("reopened_at IS NULL"), postgresql_where=text("reopened_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[date]  # first day of the month
    closed_at: Mapped[datetime]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # None: the scheduler
    facts: Mapped[str] = mapped_column(Text)  # canonical JSON (sorted keys)
    facts_sha256: Mapped[str] = mapped_column(String(64))
    reopened_at: Mapped[datetime | None]
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reopen_reason: Mapped[str | None] = mapped_column(Text)

    closed_by: Mapped["User | None"] = relationship(foreign_keys=[closed_by_id])  # noqa: F821, UP037


class ReportArchive(db.Model):
    """One generated PDF, kept as generated: downloads return these very bytes (checked by SHA-256)."""

    __tablename__ = "report_archive"
    __table_args__ = (
        UniqueConstraint("snapshot_id", "scope", "scope_key", "locale", "revision", name="uq_report_archive_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("monthly_snapshot.id"), index=True)
    period: Mapped[date]
    scope: Mapped[str] = mapped_column(String(12))
    scope_key: Mapped[str] = mapped_column(String(30), default="")  # agency code or kecamatan kode
    scope_name: Mapped[str] = mapped_column(String(200), default="")
    locale: Mapped[str] = mapped_column(String(5))
    revision: Mapped[int] = mapped_column(default=0)
    document_number: Mapped[str] = mapped_column(String(80))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    size: Mapped[int]
    pages: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    build_seconds: Mapped[float]
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # None: the scheduler or CLI
    sent_at: Mapped[datetime | None]  # first time it was put in the outbox for the leaders

    snapshot: Mapped[MonthlySnapshot] = relationship()
    created_by: Mapped["User | None"] = relationship(foreign_keys=[created_by_id])  # noqa: F821, UP037


class ReportSettings(db.Model):
    """One row: the report's letterhead and its delivery to the leaders."""

    __tablename__ = "report_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    pemkab_name: Mapped[str] = mapped_column(String(200), default="Pemerintah Kabupaten Kutai Timur")
    office_name: Mapped[str] = mapped_column(String(200), default="Dinas Pendidikan dan Kebudayaan")
    logo_stored_name: Mapped[str | None] = mapped_column(String(80))
    logo_content_type: Mapped[str | None] = mapped_column(String(40))
    send_day: Mapped[int] = mapped_column(default=5)  # of the following month
    send_time: Mapped[str] = mapped_column(String(5), default="08:00")  # WITA
    auto_send: Mapped[bool] = mapped_column(default=True)
    extra_recipients: Mapped[str | None] = mapped_column(Text)  # one address per line, besides leader accounts
    default_locale: Mapped[str] = mapped_column(String(5), default="id")  # for addresses without an account
    updated_at: Mapped[datetime | None]
