"""Building, archiving and reading back the monthly reports.

A report of a closed month is built from its frozen facts and archived with its
SHA-256; a download returns the archived bytes after checking them against that
hash. A month that is still open can only be previewed (marked DRAF, never archived).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coordinator.core.errors import N_, DomainError
from coordinator.core.rows import insert_or_ignore
from coordinator.models import SCOPE_REGENCY, MonthlySnapshot, ReportArchive, ReportSettings
from coordinator.reports.facts import collect_facts, live_snapshot, load_facts
from coordinator.reports.model import MonthlyReport, build_report
from coordinator.reports.pdf import RenderedReport, document_number, new_stored_name, render_report

LOCALES = ("id", "en")


def load_report_settings(session: Session, create: bool = True) -> ReportSettings:
    """Row 1, created with the defaults when missing (two processes may ask at once)."""
    settings = session.get(ReportSettings, 1)
    if settings is not None:
        return settings
    if not create:
        return ReportSettings(id=1, pemkab_name="Pemerintah Kabupaten Kutai Timur",
                              office_name="Dinas Pendidikan dan Kebudayaan", send_day=5, send_time="08:00",
                              auto_send=True, default_locale="id")
    insert_or_ignore(session, ReportSettings.__table__, {
        "id": 1, "pemkab_name": "Pemerintah Kabupaten Kutai Timur",
        "office_name": "Dinas Pendidikan dan Kebudayaan", "send_day": 5, "send_time": "08:00",
        "auto_send": True, "default_locale": "id"})
    settings = session.get(ReportSettings, 1)
    assert settings is not None
    return settings


def reports_dir(upload_dir: str) -> Path:
    return Path(upload_dir) / "reports"


def archive_path(upload_dir: str, archive: ReportArchive) -> Path:
    return reports_dir(upload_dir) / archive.stored_name


@dataclass
class Built:
    report: MonthlyReport
    snapshot: MonthlySnapshot | None  # None: an open month, built from the live data (a draft)
    facts: dict[str, Any]


def build_for(session: Session, period: date, scope: str, key: str, now: datetime) -> Built:
    """The month's report: from its frozen facts when closed, else from the data as it stands (a draft)."""
    snapshot = live_snapshot(session, period)
    facts = load_facts(snapshot) if snapshot is not None else collect_facts(session, period, now)
    return Built(build_report(facts, scope, key), snapshot, facts)


def preview(session: Session, period: date, scope: str, key: str, locale: str, now: datetime) -> RenderedReport:
    built = build_for(session, period, scope, key, now)
    return render_report(built.report, load_report_settings(session, create=False), locale, now,
                         draft=built.snapshot is None)


def archives_of(session: Session, snapshot_ids: list[int]) -> list[ReportArchive]:
    if not snapshot_ids:
        return []
    return list(session.scalars(select(ReportArchive).where(ReportArchive.snapshot_id.in_(snapshot_ids))
                                .order_by(ReportArchive.created_at.desc(), ReportArchive.id.desc())))


def latest_archive(session: Session, snapshot: MonthlySnapshot, scope: str, key: str, locale: str
                   ) -> ReportArchive | None:
    return session.scalar(select(ReportArchive).where(
        ReportArchive.snapshot_id == snapshot.id, ReportArchive.scope == scope, ReportArchive.scope_key == key,
        ReportArchive.locale == locale).order_by(ReportArchive.revision.desc()).limit(1))


def generate(session: Session, snapshot: MonthlySnapshot, scope: str, key: str, locale: str, now: datetime,
             user_id: int | None, upload_dir: str) -> ReportArchive:
    """Build the closed month's report and archive it (a new revision each time). Flushes, never commits;
    the file is written first and removed again if the row cannot be saved."""
    if snapshot.reopened_at is not None:
        raise DomainError(N_("Bulan ini sudah dibuka kembali; tutup lagi sebelum membuat laporan."))
    if locale not in LOCALES:
        raise DomainError(N_("Bahasa laporan tidak dikenal."))
    report = build_report(load_facts(snapshot), scope, key)
    revision = session.scalar(select(func.count()).select_from(ReportArchive).where(
        ReportArchive.snapshot_id == snapshot.id, ReportArchive.scope == scope, ReportArchive.scope_key == key,
        ReportArchive.locale == locale)) or 0
    rendered = render_report(report, load_report_settings(session), locale, now, draft=False, revision=revision)
    folder = reports_dir(upload_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stored = new_stored_name()
    path = folder / stored
    path.write_bytes(rendered.pdf)
    archive = ReportArchive(
        snapshot_id=snapshot.id, period=snapshot.period, scope=scope, scope_key=key,
        scope_name=report.scope_name, locale=locale, revision=revision,
        document_number=document_number(report, revision), stored_name=stored, size=len(rendered.pdf),
        pages=rendered.pages, sha256=rendered.sha256, build_seconds=round(rendered.seconds_total, 3),
        created_at=now, created_by_id=user_id)
    try:
        with session.begin_nested():  # a second "generate" at the same moment takes the same revision number
            session.add(archive)
            session.flush()
    except IntegrityError:
        path.unlink(missing_ok=True)
        raise DomainError(N_("Laporan yang sama sedang dibuat pada saat yang sama; muat ulang halaman arsip.")) \
            from None
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return archive


def read_archived(upload_dir: str, archive: ReportArchive) -> bytes:
    """The archived bytes, refused if the file is missing or no longer matches its SHA-256."""
    path = archive_path(upload_dir, archive)
    if not path.is_file():
        raise DomainError(N_("Berkas laporan tidak ditemukan di arsip."))
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != archive.sha256:
        raise DomainError(N_("Berkas laporan di arsip tidak cocok dengan sidik SHA-256-nya; berkas tidak dikirim."))
    return data


def file_name(archive: ReportArchive) -> str:
    scope = "" if archive.scope == SCOPE_REGENCY else f"-{archive.scope_key.replace('.', '')}"
    rev = f"-R{archive.revision}" if archive.revision else ""
    lang = "" if archive.locale == "id" else f"-{archive.locale}"
    return f"Laporan-RAD-ATS-{archive.period:%Y-%m}{scope}{rev}{lang}.pdf"
