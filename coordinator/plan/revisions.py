"""Plan revisions (RAD perubahan): open one with a legal basis and a reason, change the plan, adopt it.

While a revision is open every change to the plan's content is tagged with it in the change history
(core/audit.py), so the revision lists, as one, the actions added, cancelled and merged, the targets and due dates
changed. The monthly report names the revision of the plan in force at the end of its month.

Domain code: plain values and `now`, flushes, never commits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from coordinator.core.clock import to_wita, wita_day_end_utc
from coordinator.core.errors import N_, DomainError
from coordinator.models import AuditEntry, Plan, PlanRevision

GROUPS = ("added", "cancelled", "merged", "targets", "dates", "other")


def open_revision(session: Session) -> PlanRevision | None:
    return session.scalar(select(PlanRevision).where(PlanRevision.adopted_at.is_(None)).limit(1))


def start_revision(session: Session, plan: Plan, legal_basis: str, reason: str, user_id: int,
                   now: datetime) -> PlanRevision:
    legal_basis, reason = (legal_basis or "").strip(), (reason or "").strip()
    if not legal_basis:
        raise DomainError(N_("Tuliskan dasar hukum perubahan (misalnya Perbup yang mengubahnya)."), "legal_basis")
    if not reason:
        raise DomainError(N_("Tuliskan alasan perubahan (misalnya hasil kaji paruh waktu)."), "reason")
    if len(legal_basis) > 200 or len(reason) > 5000:
        raise DomainError(N_("Isian terlalu panjang."), "reason")
    if open_revision(session) is not None:
        raise DomainError(N_("Masih ada perubahan RAD yang terbuka; tetapkan dulu sebelum membuka yang baru."))
    number = (session.scalar(select(func.max(PlanRevision.number)).where(PlanRevision.plan_id == plan.id)) or 0) + 1
    revision = PlanRevision(plan_id=plan.id, number=number, legal_basis=legal_basis, reason=reason, opened_at=now,
                            opened_by_id=user_id)
    session.add(revision)
    session.flush()
    return revision


def adopt_revision(session: Session, revision: PlanRevision, user_id: int, now: datetime) -> None:
    """Adopted (ditetapkan): the revision closes; later changes to the plan belong to no revision until the next
    is opened."""
    if revision.adopted_at is not None:
        raise DomainError(N_("Perubahan ini sudah ditetapkan."))
    revision.adopted_at, revision.adopted_by_id = now, user_id
    session.flush()


def revision_list(session: Session) -> list[tuple[PlanRevision, int]]:
    counts = dict(session.execute(select(AuditEntry.plan_revision_id, func.count())
                                  .where(AuditEntry.plan_revision_id.is_not(None))
                                  .group_by(AuditEntry.plan_revision_id)).all())
    return [(r, int(counts.get(r.id, 0))) for r in session.scalars(
        select(PlanRevision).order_by(PlanRevision.number.desc()))]


@dataclass
class RevisionChanges:
    groups: dict[str, list[AuditEntry]] = field(default_factory=lambda: {g: [] for g in GROUPS})

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.groups.values())


def _group(entry: AuditEntry) -> str:
    after: dict[str, Any] = entry.after or {}
    if entry.entity_type == "action":
        if entry.operation == "create":
            return "added"
        if after.get("merged_into_id"):
            return "merged"
        if entry.operation == "delete" or after.get("status_override") == "dibatalkan":
            return "cancelled"
    if entry.entity_type in ("indicator_target",) or (entry.entity_type == "plan" and (
            {"target_ats", "baseline_ats"} & set(after))):
        return "targets"
    if entry.entity_type in ("action", "milestone") and entry.operation == "update" and "due_date" in after:
        return "dates"
    return "other"


def revision_changes(session: Session, revision: PlanRevision) -> RevisionChanges:
    out = RevisionChanges()
    for entry in session.scalars(select(AuditEntry).where(AuditEntry.plan_revision_id == revision.id)
                                 .options(selectinload(AuditEntry.user)).order_by(AuditEntry.at, AuditEntry.id)):
        out.groups[_group(entry)].append(entry)
    return out


def revision_facts(session: Session, as_of: date) -> dict[str, Any]:
    """For the monthly report: the revision in force at the end of `as_of` (None: the plan as first adopted) and
    the one being prepared then, if any."""
    until = wita_day_end_utc(as_of)
    adopted = session.scalar(select(PlanRevision).where(PlanRevision.adopted_at.is_not(None),
                                                        PlanRevision.adopted_at < until)
                             .order_by(PlanRevision.number.desc()).limit(1))
    pending = session.scalar(select(PlanRevision).where(
        PlanRevision.opened_at < until,
        (PlanRevision.adopted_at.is_(None)) | (PlanRevision.adopted_at >= until)).limit(1))
    return {
        "in_force": {"number": adopted.number, "legal_basis": adopted.legal_basis,
                     "adopted_on": to_wita(adopted.adopted_at).date().isoformat()} if adopted and adopted.adopted_at
        else None,
        "pending": {"number": pending.number, "legal_basis": pending.legal_basis} if pending else None,
    }
