"""Agencies: saving, and the figures of one agency's page."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coordinator.actions.listing import ActionFilter, ActionRow, all_matching
from coordinator.core.clock import wita_today
from coordinator.core.errors import N_, DomainError
from coordinator.models import AGENCY_KINDS, Agency, ProgressUpdate, User
from coordinator.monitor.deadlines import on_time_rate, overdue_items


def save_agency(session: Session, agency: Agency | None, data: dict[str, Any]) -> Agency:
    code = data["code"].strip().upper()
    if data["kind"] not in AGENCY_KINDS:
        raise DomainError(N_("Jenis instansi tidak dikenal."), "kind")
    clash = session.scalar(select(Agency.id).where(func.upper(Agency.code) == code,
                                                   Agency.id != (agency.id if agency else -1)))
    if clash:
        raise DomainError(N_("Kode instansi sudah dipakai."), "code")
    if agency is None:
        agency = Agency()
        session.add(agency)
    agency.code = code
    agency.short_name = data["short_name"].strip()
    agency.name = data["name"].strip()
    agency.kind = data["kind"]
    agency.aliases = ", ".join(a.strip() for a in (data.get("aliases") or "").split(",") if a.strip())
    agency.head_name = (data.get("head_name") or "").strip() or None
    agency.head_email = (data.get("head_email") or "").strip().lower() or None
    agency.active = bool(data.get("active", True))
    session.flush()
    return agency


@dataclass
class AgencyPage:
    agency: Agency
    lead: list[ActionRow]
    supporting: list[ActionRow]
    on_time_rate: float | None
    overdue: int
    last_update: datetime | None
    recent_updates: list[ProgressUpdate]
    users: list[User]


def agency_page(session: Session, agency: Agency, now: datetime) -> AgencyPage:
    rows = all_matching(session, ActionFilter(involving_agency_id=agency.id, sort="due_date"), now)
    lead = [r for r in rows if r.action.lead_agency_id == agency.id]
    supporting = [r for r in rows if r.action.lead_agency_id != agency.id]
    today = wita_today(now)
    facts = [r.facts for r in lead]
    overdue = overdue_items(facts, today)
    last = session.scalar(select(func.max(ProgressUpdate.created_at)).where(ProgressUpdate.agency_id == agency.id))
    recent = list(session.scalars(
        select(ProgressUpdate).where(ProgressUpdate.agency_id == agency.id, ProgressUpdate.superseded_at.is_(None))
        .order_by(ProgressUpdate.created_at.desc()).limit(10)
    ))
    users = list(session.scalars(select(User).where(User.agency_id == agency.id).order_by(User.name)))
    return AgencyPage(agency, lead, supporting, on_time_rate(facts, today), overdue, last, recent, users)
