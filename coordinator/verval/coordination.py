"""The coordinators' side of the village verification: progress and reconciliation figures (aggregates only),
verifier assignments, the masked export, the access log, erasure on request and the retention period.

Every function takes plain values and `now`, flushes and never commits: the web routes commit once per request
and the lead's command line (`flask verval retention`) can call `apply_retention(session, now)` the same way.
Erasing anonymises a child's row but keeps its desa, category, birth year, verification status and cases, so
every aggregate count (verification.desa_figures) stays as it was (UU 27/2022: erasure on request, a retention
period with anonymisation).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from coordinator.ats.figures import snapshot_on_or_before, totals_of
from coordinator.core.errors import N_, DomainError
from coordinator.core.rows import insert_or_ignore
from coordinator.models import (
    ROLE_VERIFIER,
    Area,
    Child,
    ChildAccessLog,
    ChildCase,
    ChildVerification,
    User,
    VerifierArea,
    VervalSettings,
)
from coordinator.verval.child_data import mask_date
from coordinator.verval.verification import DesaFigures, by_kecamatan, desa_figures, log_access, returned_children

UNVERIFIED = "belum"  # the children list's filter value for children not verified yet
RETENTION_MIN, RETENTION_MAX, RETENTION_DEFAULT = 1, 30, 5
ACCESS_ACTIONS = ("view", "edit", "export_csv", "export_xlsx", "refused", "erase")
REASON_MAX = 200


# Progress -------------------------------------------------------------------------------------------------------

@dataclass
class ProgressRow:
    kode: str
    nama: str
    listed: int = 0
    verified: int = 0
    valid_ats: int = 0
    returned: int = 0

    @property
    def verified_share(self) -> float | None:
        return self.verified / self.listed if self.listed else None


@dataclass
class Progress:
    kecamatan: list[ProgressRow]
    desa: list[ProgressRow]  # of the selected kecamatan only
    total: ProgressRow


def _area_names(session: Session) -> dict[str, tuple[str, str, str | None]]:
    """kode -> (nama, level, parent_kode)."""
    return {k: (n, lv, p) for k, n, lv, p in session.execute(select(Area.kode, Area.nama, Area.level,
                                                                      Area.parent_kode))}


def _row(f: DesaFigures, nama: str) -> ProgressRow:
    return ProgressRow(f.kode, nama, f.listed, f.verified, f.valid_ats, f.returned)


def is_kecamatan(session: Session, kode: str | None) -> bool:
    if not kode:
        return False
    return session.scalar(select(Area.kode).where(Area.kode == kode[:20], Area.level == "kecamatan")) is not None


def progress(session: Session, kecamatan: str | None = None) -> Progress:
    """Verification progress per kecamatan with listed children, and per desa of `kecamatan` (aggregates only)."""
    names = _area_names(session)
    figures = desa_figures(session)
    kec_rows = [_row(f, names.get(k, (k, "", None))[0]) for k, f in sorted(by_kecamatan(figures).items())]
    desa_rows = [_row(f, f.nama) for f in figures if kecamatan and f.kecamatan_kode == kecamatan]
    total = ProgressRow("", "")
    for r in kec_rows:
        total.listed += r.listed
        total.verified += r.verified
        total.valid_ats += r.valid_ats
        total.returned += r.returned
    return Progress(kec_rows, desa_rows, total)


# Reconciliation -------------------------------------------------------------------------------------------------

@dataclass
class ReconRow:
    """One area: the Pusdatin count (latest live ATS snapshot; None when it has none for the area) against the
    by-name list and its verification."""

    kode: str
    nama: str
    level: str  # kecamatan | desa | total
    pusdatin: int | None = None
    listed: int = 0
    verified: int = 0
    valid_ats: int = 0
    returned: int = 0

    @property
    def difference(self) -> int | None:
        """Pusdatin − verified valid ATS: children counted by Pusdatin that the verification did not confirm."""
        return None if self.pusdatin is None else self.pusdatin - self.valid_ats

    @property
    def listed_difference(self) -> int | None:
        return None if self.pusdatin is None else self.pusdatin - self.listed


def reconciliation(session: Session, kecamatan: str | None = None, until: date | None = None) -> list[ReconRow]:
    """Per kecamatan (or, given `kecamatan`, per desa of it): every active area and every area with listed
    children or a Pusdatin count. The Pusdatin count comes from the latest live ATS snapshot (on or before
    `until`); the by-name figures count each child once (returned: at least one returned outcome by `until`)."""
    snapshot = snapshot_on_or_before(session, until)
    totals = totals_of(session, snapshot) if snapshot is not None else None
    figures = desa_figures(session, until)
    areas = list(session.execute(select(Area.kode, Area.nama, Area.level, Area.parent_kode, Area.active)
                                 .order_by(Area.kode)))
    if kecamatan:
        pusdatin = {k: c["total"] for k, c in totals.desa.items()} if totals else {}
        by_code: dict[str, DesaFigures] = {f.kode: f for f in figures if f.kecamatan_kode == kecamatan}
        candidates = [(k, n, a) for k, n, lv, p, a in areas if lv == "desa" and p == kecamatan]
    else:
        pusdatin = {k: c["total"] for k, c in totals.kecamatan.items()} if totals else {}
        by_code = by_kecamatan(figures)
        candidates = [(k, n, a) for k, n, lv, _p, a in areas if lv == "kecamatan"]
    level = "desa" if kecamatan else "kecamatan"
    rows = []
    for kode, nama, active in candidates:
        f = by_code.get(kode)
        if not active and f is None and kode not in pusdatin:
            continue
        row = ReconRow(kode, nama, level, pusdatin.get(kode))
        if f is not None:
            row.listed, row.verified, row.valid_ats, row.returned = f.listed, f.verified, f.valid_ats, f.returned
        rows.append(row)
    return rows


def reconciliation_total(rows: list[ReconRow]) -> ReconRow:
    """The sum of `rows`; its Pusdatin count is None only when no row has one."""
    total = ReconRow("", "", "total")
    for r in rows:
        if r.pusdatin is not None:
            total.pusdatin = (total.pusdatin or 0) + r.pusdatin
        total.listed += r.listed
        total.verified += r.verified
        total.valid_ats += r.valid_ats
        total.returned += r.returned
    return total


def pusdatin_as_of(session: Session, until: date | None = None) -> date | None:
    snapshot = snapshot_on_or_before(session, until)
    return snapshot.as_of if snapshot is not None else None


# Verifier assignments -------------------------------------------------------------------------------------------

@dataclass
class VerifierRow:
    user: User
    areas: list[tuple[int, str, str, str]] = field(default_factory=list)  # assignment id, kode, desa, kecamatan


def verifiers(session: Session) -> list[VerifierRow]:
    users = list(session.scalars(select(User).where(User.role == ROLE_VERIFIER).order_by(User.name, User.id)))
    rows = {u.id: VerifierRow(u) for u in users}
    names = _area_names(session)
    assigned = session.execute(select(VerifierArea.id, VerifierArea.user_id, VerifierArea.area_kode)
                               .where(VerifierArea.user_id.in_(list(rows))).order_by(VerifierArea.area_kode))
    for ident, user_id, kode in assigned:
        nama, _lv, parent = names.get(kode, (kode, "", None))
        rows[user_id].areas.append((ident, kode, nama, names.get(parent or "", ("", "", None))[0]))
    return list(rows.values())


def assign_desa(session: Session, user_id: int, desa_kodes: list[str]) -> int:
    """Gives a village verifier one or more desa; already assigned desa are skipped. Returns how many were added."""
    user = session.get(User, user_id)
    if user is None or user.role != ROLE_VERIFIER:
        raise DomainError(N_("Hanya pengguna dengan peran verifikator desa yang dapat diberi desa."), "user_id")
    kodes = sorted({k for k in desa_kodes if k})
    if not kodes:
        raise DomainError(N_("Pilih setidaknya satu desa."), "desa_kodes")
    known = set(session.scalars(select(Area.kode).where(Area.kode.in_(kodes), Area.level == "desa")))
    if set(kodes) - known:
        raise DomainError(N_("Pilihan tidak sah."), "desa_kodes")
    have = set(session.scalars(select(VerifierArea.area_kode).where(VerifierArea.user_id == user_id)))
    added = [k for k in kodes if k not in have]
    session.add_all(VerifierArea(user_id=user_id, area_kode=k) for k in added)
    session.flush()
    return len(added)


def remove_assignment(session: Session, assignment_id: int) -> VerifierArea | None:
    """Removes one verifier–desa assignment; None when there is no such assignment."""
    found = session.get(VerifierArea, assignment_id)
    if found is None:
        return None
    session.delete(found)
    session.flush()
    return found


# Export -----------------------------------------------------------------------------------------------------------

@dataclass
class ExportFilter:
    desa: str | None = None
    kecamatan: str | None = None
    status: str | None = None  # a verification status code, or UNVERIFIED

    def describe(self) -> str:
        parts = [f"{k}={v}" for k, v in (("desa", self.desa), ("kecamatan", self.kecamatan),
                                          ("status", self.status)) if v]
        return ", ".join(parts) or "semua"


@dataclass
class ExportRow:
    id: int
    nik_masked: str
    nama: str
    tanggal_lahir: str
    jenis_kelamin: str
    desa_kode: str
    desa: str
    kecamatan: str
    kategori: str
    status: str | None
    verified_on: date | None
    returned: bool
    erased: bool


def export_rows(session: Session, f: ExportFilter) -> list[ExportRow]:
    """The children of the filter with their personal data masked (NIK, birth date: only the year); an erased
    child comes without any personal field."""
    stmt = select(Child)
    if f.desa:
        stmt = stmt.where(Child.desa_kode == f.desa)
    if f.kecamatan:
        stmt = stmt.where(Child.desa_kode.in_(select(Area.kode).where(Area.parent_kode == f.kecamatan)))
    if f.status == UNVERIFIED:
        stmt = stmt.where(Child.status.is_(None))
    elif f.status:
        stmt = stmt.where(Child.status == f.status)
    returned = set(session.scalars(returned_children(session)))
    names = _area_names(session)
    out = []
    for c in session.scalars(stmt.order_by(Child.desa_kode, Child.nama, Child.id)):
        desa_nama, _lv, parent = names.get(c.desa_kode, (c.desa_kode, "", None))
        erased = c.erased_at is not None
        out.append(ExportRow(
            id=c.id, nik_masked="" if erased else (c.nik_masked or ""), nama="" if erased else (c.nama or ""),
            tanggal_lahir="" if erased else mask_date(c.tanggal_lahir), jenis_kelamin=c.jenis_kelamin or "",
            desa_kode=c.desa_kode, desa=desa_nama, kecamatan=names.get(parent or "", ("", "", None))[0],
            kategori=c.kategori, status=c.status, verified_on=c.verified_on, returned=c.id in returned,
            erased=erased))
    return out


def log_export(session: Session, *, user_id: int, fmt: str, n: int, f: ExportFilter, now: datetime,
               ip: str | None = None) -> None:
    """One access-log row per export (never one per child): who, when, how many, which filter."""
    log_access(session, user_id=user_id, action=f"export_{fmt}", now=now, child_id=None,
               detail=f"{n} anak; filter {f.describe()}", ip=ip)


# Access log -------------------------------------------------------------------------------------------------------

@dataclass
class LogFilter:
    user_id: int | None = None
    child_id: int | None = None
    action: str | None = None


def access_log_page(session: Session, f: LogFilter, page: int, page_size: int
                    ) -> tuple[list[tuple[ChildAccessLog, str | None]], int, int, int]:
    """Newest first: (entry, the child's masked NIK), total, pages, page."""
    where: list[Any] = []
    if f.user_id is not None:
        where.append(ChildAccessLog.user_id == f.user_id)
    if f.child_id is not None:
        where.append(ChildAccessLog.child_id == f.child_id)
    if f.action:
        where.append(ChildAccessLog.action == f.action)
    total = session.scalar(select(func.count(ChildAccessLog.id)).where(*where)) or 0
    pages = max(1, -(-total // page_size))
    page = min(max(page, 1), pages)
    rows = session.execute(
        select(ChildAccessLog, Child.nik_masked).outerjoin(Child, Child.id == ChildAccessLog.child_id).where(*where)
        .order_by(ChildAccessLog.at.desc(), ChildAccessLog.id.desc()).offset((page - 1) * page_size)
        .limit(page_size)).all()
    return [(entry, masked) for entry, masked in rows], total, pages, page


def log_users(session: Session) -> list[tuple[int, str, str]]:
    """(id, name, role) of the users appearing in the access log, for its filter."""
    ids = select(ChildAccessLog.user_id).where(ChildAccessLog.user_id.is_not(None)).distinct()
    return [(u.id, u.name, u.role) for u in session.scalars(select(User).where(User.id.in_(ids)).order_by(User.name))]


# Erasure and retention --------------------------------------------------------------------------------------------

# The keyed NIK hash stays (readable by nobody, useless without CHILD_DATA_KEY): a later import recognises the
# child and skips its row instead of bringing the erased data back as a new child.
PERSONAL_FIELDS = ("nik_encrypted", "nik_masked", "nisn", "nama", "tempat_lahir", "tanggal_lahir",
                   "nama_ibu", "dusun", "rt", "rw", "npsn_terakhir", "jenjang_kelas", "sumber")


def erase_child(session: Session, child: Child, reason: str, now: datetime, user_id: int | None,
                ip: str | None = None) -> None:
    """Anonymises the child: the personal fields and the free-text notes of its verifications and cases go;
    desa, category, birth year, status, verification date and cases (with outcomes) stay, so counts do not
    change. Logged as 'erase'."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(N_("Alasan penghapusan wajib diisi."), "reason")
    if child.erased_at is not None:
        raise DomainError(N_("Data anak ini sudah dihapus."))
    for name in PERSONAL_FIELDS:
        setattr(child, name, None)
    child.erased_at = now
    child.erase_reason = reason[:REASON_MAX]
    for v in session.scalars(select(ChildVerification).where(ChildVerification.child_id == child.id)):
        v.notes = None
    for c in session.scalars(select(ChildCase).where(ChildCase.child_id == child.id)):
        c.notes = None
    session.flush()
    log_access(session, user_id=user_id, action="erase", now=now, child_id=child.id, detail=reason, ip=ip)


def get_settings(session: Session) -> VervalSettings:
    """The one settings row, created with the defaults on first use (two first visits at once: one row)."""
    insert_or_ignore(session, VervalSettings.__table__, {"id": 1, "retention_years": RETENTION_DEFAULT})
    row = session.get(VervalSettings, 1)
    assert row is not None
    return row


def update_retention(session: Session, years: int | None, now: datetime) -> VervalSettings:
    if years is None or not RETENTION_MIN <= years <= RETENTION_MAX:
        raise DomainError(N_("Harus antara %(lo)s dan %(hi)s."), "retention_years", lo=RETENTION_MIN,
                          hi=RETENTION_MAX)
    row = get_settings(session)
    row.retention_years = years
    row.updated_at = now
    session.flush()
    return row


def years_before(now: datetime, years: int) -> datetime:
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def retention_due(session: Session, now: datetime, years: int | None = None) -> list[Child]:
    """Children not yet erased whose last import (updated_at) and latest verification are both older than the
    retention period."""
    years = years if years is not None else get_settings(session).retention_years
    cutoff = years_before(now, years)
    recent_check = exists().where(ChildVerification.child_id == Child.id,
                                  or_(ChildVerification.created_at >= cutoff,
                                      ChildVerification.verified_on >= cutoff.date()))
    return list(session.scalars(
        select(Child).where(Child.erased_at.is_(None), Child.updated_at < cutoff, ~recent_check,
                            or_(Child.verified_on.is_(None), Child.verified_on < cutoff.date()))
        .order_by(Child.id)))


def apply_retention(session: Session, now: datetime, user_id: int | None = None, years: int | None = None) -> int:
    """Anonymises every child past the retention period (see retention_due); returns how many. Flushes, never
    commits: `flask verval retention` and the settings page commit."""
    years = years if years is not None else get_settings(session).retention_years
    due = retention_due(session, now, years)
    for child in due:
        erase_child(session, child, f"Masa retensi {years} tahun berakhir", now, user_id)
    return len(due)
