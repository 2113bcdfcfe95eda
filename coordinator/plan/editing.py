"""Writing the plan: plan header, pillars, programs, actions and milestones.

Each function takes plain values, validates them against the rest of the plan,
and flushes. The audit listener records every change with before and after.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coordinator.core.clock import wita_today
from coordinator.core.errors import N_, DomainError
from coordinator.core.money import MAX_RUPIAH
from coordinator.models import (
    ATS_CATEGORIES,
    LIST_FUNDING_SOURCE,
    MILESTONE_STATES,
    Action,
    ActionFunding,
    Agency,
    Area,
    FollowUp,
    Milestone,
    Pillar,
    Plan,
    Program,
    ReferenceItem,
)
from coordinator.plan.funding import FundingShare


def current_plan(session: Session) -> Plan | None:
    return session.scalar(select(Plan).order_by(Plan.id).limit(1))


def save_plan(session: Session, plan: Plan | None, data: dict[str, Any]) -> Plan:
    if data["end_year"] < data["start_year"]:
        raise DomainError(N_("Tahun akhir tidak boleh sebelum tahun awal."), "end_year")
    if plan is None:
        plan = Plan()
        session.add(plan)
    for key in ("name", "legal_basis", "start_year", "end_year", "baseline_ats", "baseline_year", "target_ats",
                "description"):
        setattr(plan, key, data.get(key))
    session.flush()
    return plan


def save_pillar(session: Session, pillar: Pillar | None, plan: Plan, data: dict[str, Any]) -> Pillar:
    clash = session.scalar(
        select(Pillar.id).where(Pillar.plan_id == plan.id, Pillar.number == data["number"],
                                Pillar.id != (pillar.id if pillar else -1))
    )
    if clash:
        raise DomainError(N_("Nomor pilar sudah dipakai."), "number")
    if pillar is None:
        pillar = Pillar(plan_id=plan.id)
        session.add(pillar)
    pillar.number, pillar.name, pillar.description = data["number"], data["name"], data.get("description")
    session.flush()
    return pillar


def delete_pillar(session: Session, pillar: Pillar) -> None:
    if pillar.programs:
        raise DomainError(N_("Pilar masih memiliki program. Pindahkan atau hapus programnya terlebih dahulu."))
    session.delete(pillar)
    session.flush()


def save_program(session: Session, program: Program | None, data: dict[str, Any]) -> Program:
    if session.get(Pillar, data["pillar_id"]) is None:
        raise DomainError(N_("Pilar tidak ditemukan."), "pillar_id")
    if program is None:
        program = Program()
        session.add(program)
    program.pillar_id, program.code, program.name = data["pillar_id"], data["code"], data["name"]
    session.flush()
    return program


def delete_program(session: Session, program: Program) -> None:
    live = session.scalar(select(func.count()).where(Action.program_id == program.id, Action.deleted_at.is_(None)))
    deleted = session.scalar(select(func.count()).where(Action.program_id == program.id,
                                                        Action.deleted_at.is_not(None)))
    if live:
        raise DomainError(N_("Program masih memiliki aksi. Pindahkan atau hapus aksinya terlebih dahulu."))
    if deleted:
        # Deleted actions keep their history and still belong to the program.
        raise DomainError(
            N_("Program ini memuat aksi yang sudah dihapus beserta riwayatnya, jadi tidak dapat dihapus."))
    session.delete(program)
    session.flush()


@dataclass
class ActionInput:
    program_id: int
    code: str
    title: str
    description: str | None
    output: str | None
    lead_agency_id: int
    supporting_agency_ids: list[int]
    area_kodes: list[str]
    ats_categories: list[str]
    start_date: date
    due_date: date
    budget_amount: int | None
    fundings: list[FundingShare]
    sub_kegiatan_code: str | None
    due_reason: str | None = None  # why the due date moves (required when it does)


def plausible_date(value: date, field: str) -> None:
    if not 2000 <= value.year <= 2100:
        raise DomainError(N_("Tahun harus antara 2000 dan 2100."), field)


def reschedule(item: Action | Milestone | FollowUp, new_due: date, reason: str | None) -> None:
    """Sets the due date honestly: the first one is kept, a move needs a reason and is counted, so a date moved
    past its deadline still shows as rescheduled (figures/rescheduled.py) instead of the lateness vanishing."""
    if item.id is None or item.due_date is None:  # a new item: its first due date is its baseline
        item.due_date, item.baseline_due_date = new_due, new_due
        return
    if item.baseline_due_date is None:
        item.baseline_due_date = item.due_date
    if new_due == item.due_date:
        return
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(N_("Tuliskan alasan mengubah tenggat; tenggat awal tetap tercatat."), "due_reason")
    if len(reason) > 2000:
        raise DomainError(N_("Alasan paling banyak 2.000 karakter."), "due_reason")
    item.due_date, item.reschedule_count, item.due_change_reason = new_due, (item.reschedule_count or 0) + 1, reason


def save_action(session: Session, action: Action | None, data: ActionInput,
                funding_codes: set[str] | None = None) -> Action:
    """funding_codes: the funding list's codes, when the caller has them (an import of 300 actions)."""
    data.code = data.code.strip()
    plausible_date(data.start_date, "start_date")
    plausible_date(data.due_date, "due_date")
    if data.due_date < data.start_date:
        raise DomainError(N_("Tanggal tenggat tidak boleh sebelum tanggal mulai."), "due_date")
    if session.get(Program, data.program_id) is None:
        raise DomainError(N_("Program tidak ditemukan."), "program_id")
    lead = session.get(Agency, data.lead_agency_id)
    if lead is None:
        raise DomainError(N_("Instansi penanggung jawab tidak ditemukan."), "lead_agency_id")
    if not lead.active and (action is None or action.lead_agency_id != lead.id):
        raise DomainError(N_("Instansi ini sudah tidak aktif dan tidak dapat menjadi penanggung jawab baru."),
                          "lead_agency_id")
    clash = session.scalar(
        select(Action.id).where(Action.code == data.code, Action.deleted_at.is_(None),
                                Action.id != (action.id if action else -1))
    )
    if clash:
        raise DomainError(N_("Kode aksi sudah dipakai aksi lain."), "code")
    if any(c not in ATS_CATEGORIES for c in data.ats_categories):
        raise DomainError(N_("Kategori ATS tidak dikenal."), "ats_categories")
    if data.budget_amount is not None and data.budget_amount < 0:
        raise DomainError(N_("Anggaran tidak boleh negatif."), "budget_amount")
    data.budget_amount = _check_funding(session, data.fundings, data.budget_amount, funding_codes)
    supporting = [a for a in session.scalars(select(Agency).where(Agency.id.in_(data.supporting_agency_ids)))
                  if a.id != lead.id]
    if len(set(data.supporting_agency_ids) - {lead.id}) != len(supporting):
        raise DomainError(N_("Instansi terkait tidak ditemukan."), "supporting_agency_ids")
    areas = list(session.scalars(select(Area).where(Area.kode.in_(data.area_kodes)))) if data.area_kodes else []
    if len(areas) != len(set(data.area_kodes)):
        raise DomainError(N_("Wilayah sasaran tidak ditemukan."), "area_kodes")
    if action is None:
        action = Action()
        session.add(action)
    reschedule(action, data.due_date, data.due_reason)
    action.program_id = data.program_id
    action.code = data.code.strip()
    action.title = data.title.strip()
    action.description = data.description
    action.output = data.output
    action.lead_agency_id = lead.id
    action.supporting_agencies = sorted(supporting, key=lambda a: a.id)
    action.areas = sorted(areas, key=lambda a: a.kode)
    action.ats_categories = ",".join(c for c in ATS_CATEGORIES if c in data.ats_categories)
    action.start_date = data.start_date
    action.budget_amount = data.budget_amount
    _set_fundings(session, action, data.fundings)
    action.sub_kegiatan_code = data.sub_kegiatan_code or None
    session.flush()
    return action


def _check_funding(session: Session, shares: list[FundingShare], budget: int | None,
                   known: set[str] | None) -> int | None:
    """Checks the sources and their amounts; returns the budget, which is their total when only they give it."""
    if known is None:
        known = set(session.scalars(select(ReferenceItem.code).where(
            ReferenceItem.list_name == LIST_FUNDING_SOURCE)))
    if any(s.source not in known for s in shares):
        raise DomainError(N_("Sumber dana tidak dikenal."), "fundings")
    if len({s.source for s in shares}) != len(shares):
        raise DomainError(N_("Setiap sumber dana hanya sekali."), "fundings")
    amounts = [s.amount for s in shares if s.amount is not None]
    if any(a < 0 for a in amounts):
        raise DomainError(N_("Jumlah sumber dana tidak boleh negatif."), "fundings")
    if not amounts:
        return budget
    total, complete = sum(amounts), len(amounts) == len(shares)
    if total > MAX_RUPIAH:
        raise DomainError(N_("Jumlah sumber dana paling banyak Rp %(max)s."), "fundings",
                          max=f"{MAX_RUPIAH:,}".replace(",", "."))
    if budget is None:
        return total if complete else None  # part of the amounts only: the total is not known
    if total > budget or (complete and total != budget):
        raise DomainError(N_("Jumlah per sumber dana (Rp %(total)s) tidak cocok dengan anggaran aksi (Rp %(budget)s): "
                             "anggaran adalah jumlah semua sumber dana."), "fundings",
                          total=f"{total:,}".replace(",", "."), budget=f"{budget:,}".replace(",", "."))
    return budget


def _set_fundings(session: Session, action: Action, shares: list[FundingShare]) -> None:
    """Rows kept where the source stays (their history reads as a change of amount), others added or deleted
    (explicitly: an orphan deleted by the flush escapes the audit listener)."""
    def same(rows: list[Any]) -> list[tuple[str, int]]:
        return sorted((r.source, -1 if r.amount is None else r.amount) for r in rows)

    if same(list(action.fundings)) == same(list(shares)):
        return  # the same sources and amounts in another order ("CSR, APBD"): no change to record
    by_source = {f.source: f for f in action.fundings}
    for source in set(by_source) - {s.source for s in shares}:
        session.delete(by_source[source])
    action.fundings = [by_source.get(s.source) or ActionFunding(source=s.source) for s in shares]
    for position, (row, share) in enumerate(zip(action.fundings, shares, strict=True)):
        row.amount, row.position = share.amount, position


def delete_action(session: Session, action: Action, now: datetime) -> None:
    """Soft delete: the action leaves lists and reminders, its history stays."""
    action.deleted_at = now
    session.flush()


def set_override(session: Session, action: Action, status: str | None, reason: str | None,
                 merged_into_id: int | None = None) -> None:
    """A manual status with its reason. An action merged into another (a plan revision's "digabung") is cancelled
    and names the action that carries on."""
    if merged_into_id:
        target = session.get(Action, merged_into_id)
        if target is None or target.deleted_at is not None or target.id == action.id:
            raise DomainError(N_("Pilih aksi lain yang masih ada."), "merged_into_id")
        if status != "dibatalkan":
            raise DomainError(N_("Aksi yang digabung berstatus Dibatalkan."), "status")
    if status:
        if not reason or not reason.strip():
            raise DomainError(N_("Status manual wajib disertai alasan."), "reason")
        action.status_override, action.override_reason = status, reason.strip()
    else:
        action.status_override, action.override_reason = None, None
    action.merged_into_id = merged_into_id or None
    session.flush()


def set_action_complete(session: Session, action: Action, complete: bool, now: datetime) -> None:
    if complete:
        open_ms = [m for m in action.milestones if m.is_open]
        if open_ms:
            raise DomainError(N_("Masih ada %(n)d tahapan yang belum selesai atau dibatalkan."), n=len(open_ms))
        action.marked_complete = True
        action.completed_on = wita_today(now)
    else:
        action.marked_complete = False
        action.completed_on = None
    session.flush()


def save_milestone(session: Session, milestone: Milestone | None, action: Action, data: dict[str, Any],
                   now: datetime) -> Milestone:
    state = data["state"]
    if state not in MILESTONE_STATES:
        raise DomainError(N_("Status tahapan tidak dikenal."), "state")
    completed_on = data.get("completed_on")
    if state == "selesai" and completed_on is None:
        completed_on = wita_today(now)
    if state != "selesai":
        completed_on = None
    if completed_on and completed_on > wita_today(now):
        raise DomainError(N_("Tanggal selesai tidak boleh di masa depan."), "completed_on")
    plausible_date(data["due_date"], "due_date")
    if milestone is None:
        milestone = Milestone(action_id=action.id)
        session.add(milestone)
    reschedule(milestone, data["due_date"], data.get("due_reason"))
    milestone.title = data["title"].strip()
    milestone.state = state
    milestone.completed_on = completed_on
    session.flush()
    return milestone


def mark_milestone_done(session: Session, milestone: Milestone, now: datetime) -> None:
    if milestone.state == "selesai":
        return
    if milestone.state == "dibatalkan":
        raise DomainError(N_("Tahapan yang dibatalkan tidak dapat ditandai selesai."))
    milestone.state = "selesai"
    milestone.completed_on = wita_today(now)
    session.flush()


def delete_milestone(session: Session, milestone: Milestone) -> None:
    session.delete(milestone)
    session.flush()
