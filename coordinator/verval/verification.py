"""Village verification of the by-name list: who may see which child, the access log, verifications and
case outcomes, and the per-desa figures (listed, verified, valid ATS, returned) – each child counted once.

Who sees which child (UU 27/2022: access only for those who need it):
- coordinators and admins: every child;
- a village verifier: the children of the desa assigned to them;
- a focal point: the children linked (as a case) to an action its agency leads or supports;
- leaders: no child, only aggregate figures.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from coordinator.core.errors import N_, DomainError
from coordinator.figures.indicator_feed import refresh_returned_indicators
from coordinator.models import (
    LIST_VERVAL_REASON,
    LIST_VERVAL_STATUS,
    OUTCOMES,
    RETURNED_OUTCOMES,
    STATUS_VALID_ATS,
    WILLINGNESS,
    Action,
    Area,
    Child,
    ChildAccessLog,
    ChildCase,
    ChildVerification,
    ReferenceItem,
    VerifierArea,
    action_supporting_agency,
)

NPSN_LEN = 8


# Access ---------------------------------------------------------------------------------------------------------

def verifier_desa(session: Session, user_id: int) -> set[str]:
    return set(session.scalars(select(VerifierArea.area_kode).where(VerifierArea.user_id == user_id)))


def _agency_actions(agency_id: int | None) -> Any:
    """The live actions the agency leads or supports: a deleted action gives its focal points no child."""
    supported = select(action_supporting_agency.c.action_id).where(action_supporting_agency.c.agency_id == agency_id)
    return select(Action.id).where(or_(Action.lead_agency_id == agency_id, Action.id.in_(supported)),
                                   Action.deleted_at.is_(None))


def visible_children(session: Session, user: Any) -> Select[tuple[Child]]:
    """The children `user` may see, as a query to filter further; nothing for leaders and strangers."""
    stmt = select(Child)
    if user.is_coordinator:
        return stmt
    if user.is_verifier:
        return stmt.where(Child.desa_kode.in_(select(VerifierArea.area_kode).where(VerifierArea.user_id == user.id)))
    if user.is_focal and user.agency_id is not None:
        linked = select(ChildCase.child_id).where(ChildCase.action_id.in_(_agency_actions(user.agency_id)))
        return stmt.where(Child.id.in_(linked))
    return stmt.where(Child.id.is_(None))  # an empty result


def can_see_child(session: Session, user: Any, child: Child) -> bool:
    if user.is_coordinator:
        return True
    if user.is_verifier:
        return child.desa_kode in verifier_desa(session, user.id)
    if user.is_focal and user.agency_id is not None:
        return bool(session.scalar(select(exists().where(
            ChildCase.child_id == child.id, ChildCase.action_id.in_(_agency_actions(user.agency_id))))))
    return False


def can_verify_child(session: Session, user: Any, child: Child) -> bool:
    """Verifiers of the child's desa, and coordinators."""
    if child.erased_at is not None:
        return False
    return user.is_coordinator or (user.is_verifier and child.desa_kode in verifier_desa(session, user.id))


def can_record_outcome(session: Session, user: Any, case: ChildCase) -> bool:
    """Coordinators, and focal points of an agency that leads or supports the case's action."""
    if user.is_coordinator:
        return True
    return bool(user.is_focal and case.action.deleted_at is None and case.action.involves_agency(user.agency_id))


def log_access(session: Session, *, user_id: int | None, action: str, now: datetime, child_id: int | None = None,
               detail: str | None = None, ip: str | None = None) -> None:
    session.add(ChildAccessLog(at=now, user_id=user_id, child_id=child_id, action=action,
                               detail=(detail or "")[:300] or None, ip=(ip or "")[:64] or None))
    session.flush()


# Verifications --------------------------------------------------------------------------------------------------

@dataclass
class VerificationInput:
    status: str
    reason: str | None
    willing_to_return: str | None
    disability: bool | None
    notes: str | None
    verified_on: date


def list_codes(session: Session, list_name: str, keep: str | None = None) -> list[tuple[str, str, str]]:
    """(code, label_id, label_en) of the active items, plus `keep` if deactivated since."""
    rows = session.execute(select(ReferenceItem.code, ReferenceItem.label_id, ReferenceItem.label_en,
                                  ReferenceItem.active).where(ReferenceItem.list_name == list_name)
                           .order_by(ReferenceItem.position, ReferenceItem.id)).all()
    return [(c, i, e) for c, i, e, active in rows if active or c == keep]


def record_verification(session: Session, child: Child, data: VerificationInput, verifier_id: int, now: datetime,
                        today: date) -> ChildVerification:
    if child.erased_at is not None:
        raise DomainError(N_("Data anak ini sudah dihapus."))
    if data.status not in {c for c, _i, _e in list_codes(session, LIST_VERVAL_STATUS)}:
        raise DomainError(N_("Pilihan tidak sah."), "status")
    reason = data.reason or None
    if reason is not None and reason not in {c for c, _i, _e in list_codes(session, LIST_VERVAL_REASON)}:
        raise DomainError(N_("Pilihan tidak sah."), "reason")
    if data.status != STATUS_VALID_ATS:
        reason = None  # a reason for being out of school only where the child is out of school
    if data.willing_to_return and data.willing_to_return not in WILLINGNESS:
        raise DomainError(N_("Pilihan tidak sah."), "willing_to_return")
    if data.verified_on > today:
        raise DomainError(N_("Tanggal verifikasi tidak boleh di masa depan."), "verified_on")
    if data.verified_on.year < 2000:
        raise DomainError(N_("Tanggal tidak sah."), "verified_on")
    v = ChildVerification(child_id=child.id, status=data.status, reason=reason,
                          willing_to_return=data.willing_to_return or None, disability=data.disability,
                          notes=(data.notes or "").strip()[:4000] or None, verified_on=data.verified_on,
                          verifier_id=verifier_id, created_at=now)
    session.add(v)
    if child.verified_on is None or data.verified_on >= child.verified_on:
        # A finding recorded late for an earlier visit goes into the history, not over a newer one.
        child.status, child.verified_on = data.status, data.verified_on
    session.flush()
    return v


# Cases ----------------------------------------------------------------------------------------------------------

@dataclass
class OutcomeInput:
    outcome: str
    outcome_date: date | None
    school_npsn: str | None
    institution: str | None
    notes: str | None


def link_case(session: Session, child: Child, action: Action, now: datetime, user_id: int | None) -> ChildCase:
    """Only a child confirmed out of school (verified 'ATS valid') is followed as a case; once per action."""
    if child.erased_at is not None:
        raise DomainError(N_("Data anak ini sudah dihapus."))
    if child.status != STATUS_VALID_ATS:
        raise DomainError(N_("Hanya anak yang terverifikasi ATS valid yang dapat dihubungkan ke aksi."))
    if action.deleted_at is not None:
        raise DomainError(N_("Aksi tidak dikenal."), "action_id")
    found = session.scalar(select(ChildCase).where(ChildCase.child_id == child.id, ChildCase.action_id == action.id))
    if found is not None:
        raise DomainError(N_("Anak ini sudah dihubungkan ke aksi tersebut."), "action_id")
    case = ChildCase(child_id=child.id, action_id=action.id, outcome="belum", created_at=now, updated_at=now,
                     created_by_id=user_id)
    session.add(case)
    session.flush()
    return case


def record_outcome(session: Session, case: ChildCase, data: OutcomeInput, now: datetime, today: date) -> None:
    if data.outcome not in OUTCOMES:
        raise DomainError(N_("Pilihan tidak sah."), "outcome")
    npsn = (data.school_npsn or "").strip() or None
    institution = (data.institution or "").strip()[:200] or None
    if data.outcome in RETURNED_OUTCOMES:
        if data.outcome_date is None:
            raise DomainError(N_("Tanggal hasil wajib diisi."), "outcome_date")
        if data.outcome_date > today:
            raise DomainError(N_("Tanggal tidak boleh di masa depan."), "outcome_date")
    if data.outcome == "formal" and not (npsn and re.fullmatch(r"[0-9]{8}", npsn)):
        raise DomainError(N_("NPSN sekolah harus 8 angka."), "school_npsn")
    if data.outcome in ("paket", "pesantren", "lkp") and not institution:
        raise DomainError(N_("Nama lembaga (PKBM, pesantren atau LKP) wajib diisi."), "institution")
    was = case.outcome_date if case.outcome in RETURNED_OUTCOMES else None  # when the child counts as back
    case.outcome = data.outcome
    case.outcome_date = data.outcome_date if data.outcome != "belum" else None
    case.school_npsn = npsn if data.outcome == "formal" else None
    case.institution = institution if data.outcome in ("paket", "pesantren", "lkp") else None
    # An erased child's case keeps its outcome for the counts, but no new free text about the child.
    case.notes = None if case.child.erased_at is not None else (data.notes or "").strip()[:4000] or None
    case.updated_at = now
    session.flush()
    if was != (case.outcome_date if case.outcome in RETURNED_OUTCOMES else None):
        refresh_returned_indicators(session, now)  # children back in school changed: so do the indicators counting them


# Figures --------------------------------------------------------------------------------------------------------

@dataclass
class DesaFigures:
    kode: str
    nama: str
    kecamatan_kode: str
    listed: int = 0
    verified: int = 0
    valid_ats: int = 0
    returned: int = 0
    pusdatin: int | None = None


def returned_children(session: Session, until: date | None = None) -> Any:
    """Children with at least one returned outcome (dated on or before `until`): each counted once."""
    stmt = select(ChildCase.child_id).where(ChildCase.outcome.in_(RETURNED_OUTCOMES))
    if until is not None:
        stmt = stmt.where(ChildCase.outcome_date <= until)
    return stmt.distinct()


def desa_figures(session: Session, until: date | None = None) -> list[DesaFigures]:
    """Per desa with listed children: listed, verified, valid ATS, returned (each child once)."""
    areas = {k: (n, p) for k, n, p in session.execute(select(Area.kode, Area.nama, Area.parent_kode)
                                                      .where(Area.level == "desa"))}
    out: dict[str, DesaFigures] = {}
    returned = returned_children(session, until).subquery()
    stmt = (select(Child.desa_kode, func.count(Child.id), func.count(Child.status),
                   func.count(Child.id).filter(Child.status == STATUS_VALID_ATS), func.count(returned.c.child_id))
            .outerjoin(returned, returned.c.child_id == Child.id).group_by(Child.desa_kode))
    rows = session.execute(stmt)
    for kode, listed, verified, valid, back in rows:
        nama, parent = areas.get(kode, (kode, None))
        out[kode] = DesaFigures(kode, nama, parent or "", int(listed), int(verified), int(valid), int(back))
    return sorted(out.values(), key=lambda f: f.kode)


def by_kecamatan(figures: list[DesaFigures]) -> dict[str, DesaFigures]:
    totals: dict[str, DesaFigures] = defaultdict(lambda: DesaFigures("", "", ""))
    for f in figures:
        t = totals[f.kecamatan_kode]
        t.kode = t.kecamatan_kode = f.kecamatan_kode
        t.listed += f.listed
        t.verified += f.verified
        t.valid_ats += f.valid_ats
        t.returned += f.returned
    return dict(totals)
