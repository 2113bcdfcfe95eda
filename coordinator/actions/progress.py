"""Monthly progress updates. They are never deleted: a correction supersedes."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from coordinator.actions import budget
from coordinator.actions import evidence as evidence_files
from coordinator.core.clock import add_months, month_start, wita_today
from coordinator.core.errors import N_, DomainError
from coordinator.models import Action, Evidence, ProgressUpdate, User
from coordinator.review import service as review

ALREADY_REPORTED = N_("Instansi Anda sudah melapor untuk bulan ini. Gunakan tombol Koreksi pada laporan tersebut.")


@dataclass
class ProgressInput:
    period: date
    percent_complete: int
    achievements: str
    obstacles: str | None = None
    follow_up: str | None = None
    budget_realised: int | None = None
    budget_note: str | None = None
    files: list[evidence_files.IncomingFile] = field(default_factory=list)


def current_update_for(session: Session, action_id: int, agency_id: int, period: date) -> ProgressUpdate | None:
    return session.scalar(
        select(ProgressUpdate).where(
            ProgressUpdate.action_id == action_id, ProgressUpdate.agency_id == agency_id,
            ProgressUpdate.period == period, ProgressUpdate.superseded_at.is_(None),
        )
    )


def _validate(action: Action, data: ProgressInput, now: datetime, max_bytes: int) -> list[str]:
    today = wita_today(now)
    if data.period > month_start(today):
        raise DomainError(N_("Periode laporan tidak boleh bulan yang akan datang."), "period")
    if data.period < add_months(month_start(action.start_date), -12):
        raise DomainError(N_("Periode laporan terlalu jauh sebelum aksi dimulai."), "period")
    if not 0 <= data.percent_complete <= 100:
        raise DomainError(N_("Persentase harus antara 0 dan 100."), "percent_complete")
    if data.budget_realised is not None and data.budget_realised < 0:
        raise DomainError(N_("Realisasi anggaran tidak boleh negatif."), "budget_realised")
    if len(data.files) > 10:
        raise DomainError(N_("Paling banyak 10 berkas per laporan."), "files")
    return [evidence_files.check_file(f, max_bytes) for f in data.files]


def _create(session: Session, action: Action, author: User, data: ProgressInput, now: datetime,
            content_types: list[str], upload_dir: str, review_required: bool, supersedes: ProgressUpdate | None = None,
            reason: str | None = None) -> ProgressUpdate:
    assert author.agency_id is not None
    period = month_start(data.period)
    update = ProgressUpdate(
        action_id=action.id, agency_id=author.agency_id, author_id=author.id, period=period,
        percent_complete=data.percent_complete, achievements=data.achievements.strip(),
        obstacles=(data.obstacles or "").strip() or None, follow_up=(data.follow_up or "").strip() or None,
        budget_realised=data.budget_realised, budget_note=(data.budget_note or "").strip() or None, created_at=now,
        supersedes_id=supersedes.id if supersedes else None, correction_reason=reason,
        review_status=review.status_on_submit(review_required), counted=False,
        addendum_period=review.addendum_period_for(session, period),
    )
    session.add(update)
    session.flush()
    if not review_required:
        review.count_in_force(session, update)
    for incoming, ctype in zip(data.files, content_types, strict=True):
        stored, digest = evidence_files.store(upload_dir, incoming)
        session.add(Evidence(update_id=update.id, original_name=evidence_files.clean_filename(incoming.filename),
                             stored_name=stored, content_type=ctype, size=len(incoming.data), sha256=digest,
                             uploaded_at=now))
    session.flush()
    return update


def record_progress_update(session: Session, action: Action, author: User, data: ProgressInput, now: datetime,
                           upload_dir: str, max_bytes: int, review_required: bool = True) -> ProgressUpdate:
    """A new report, submitted for review (or, with the review turned off, accepted at once)."""
    if author.agency_id is None or not action.involves_agency(author.agency_id):
        raise DomainError(N_("Instansi Anda tidak terlibat dalam aksi ini."))
    content_types = _validate(action, data, now, max_bytes)
    if current_update_for(session, action.id, author.agency_id, month_start(data.period)):
        raise DomainError(ALREADY_REPORTED, "period")
    budget.check_against_ceiling(session, action, author.agency_id, month_start(data.period), data.budget_realised,
                                 data.budget_note)
    return _create(session, action, author, data, now, content_types, upload_dir, review_required)


def correct_progress_update(session: Session, original: ProgressUpdate, author: User, data: ProgressInput,
                            reason: str, now: datetime, upload_dir: str, max_bytes: int,
                            review_required: bool = True, drop_evidence: set[int] | None = None) -> ProgressUpdate:
    """A new update replaces the original for its period; the original, with its
    evidence, stays on the action page marked as superseded. The correction is reviewed in turn; until it is
    accepted, an accepted original still counts. The original's evidence comes along (a copy of each file, so the
    original keeps its own), except the files in `drop_evidence`."""
    if original.superseded_at is not None:
        raise DomainError(N_("Laporan ini sudah dikoreksi sebelumnya."))
    if not reason.strip():
        raise DomainError(N_("Alasan koreksi wajib diisi."), "reason")
    data.period = original.period
    kept = [ev for ev in original.evidence if ev.id not in (drop_evidence or set())]
    carried = []
    for ev in kept:
        path = evidence_files.path_of(upload_dir, ev.stored_name)
        if path.is_file():  # a file lost on disk (restore without uploads) is not carried, the list says so
            carried.append((ev, evidence_files.IncomingFile(ev.original_name, path.read_bytes())))
    if len(carried) + len(data.files) > 10:
        raise DomainError(N_("Paling banyak 10 berkas per laporan, termasuk bukti yang dibawa dari laporan lama."),
                          "files")
    content_types = _validate(original.action, data, now, max_bytes)
    # The original's figure is left out of the sum: the correction replaces it, never adds to it.
    budget.check_against_ceiling(session, original.action, original.agency_id, original.period,
                                 data.budget_realised, data.budget_note)
    original.superseded_at = now
    session.flush()
    update = _create(session, original.action, author, data, now, content_types, upload_dir, review_required,
                     original, reason.strip())
    for ev, incoming in carried:  # checked when first uploaded: stored again as they are
        stored, digest = evidence_files.store(upload_dir, incoming)
        session.add(Evidence(update_id=update.id, original_name=ev.original_name, stored_name=stored,
                             content_type=ev.content_type, size=ev.size, sha256=digest, uploaded_at=ev.uploaded_at))
    session.flush()
    return update


def updates_for_action(session: Session, action_id: int) -> list[ProgressUpdate]:
    return list(session.scalars(
        select(ProgressUpdate).where(ProgressUpdate.action_id == action_id)
        .options(selectinload(ProgressUpdate.evidence), selectinload(ProgressUpdate.author),
                 selectinload(ProgressUpdate.agency))
        .order_by(ProgressUpdate.period.desc(), ProgressUpdate.created_at.desc())
    ))


def latest_percent(session: Session, action_id: int) -> int | None:
    row = session.execute(
        select(ProgressUpdate.percent_complete).where(
            ProgressUpdate.action_id == action_id, ProgressUpdate.superseded_at.is_(None)
        ).order_by(ProgressUpdate.period.desc(), ProgressUpdate.created_at.desc()).limit(1)
    ).first()
    return row[0] if row else None
