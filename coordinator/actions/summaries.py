"""Actions as plain dicts for machine readers (the API list), built from tuples.

A dashboard may ask for the whole plan (about 1.000 actions) at once: loading ORM objects with their
relationships for that costs more than the rest of the request, so five column queries do it instead.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.actions.listing import latest_progress
from coordinator.actions.status import ActionFacts
from coordinator.models import (
    Action,
    ActionFunding,
    Agency,
    Area,
    Pillar,
    Program,
    action_area,
    action_supporting_agency,
)


def iso_date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def iso_datetime(value: datetime | None) -> str | None:
    """Stored datetimes are naive UTC: written with a Z so no client reads them as WITA."""
    return value.replace(microsecond=0).isoformat() + "Z" if value else None


def summaries(session: Session, rows: list[tuple[ActionFacts, str]]) -> list[dict[str, Any]]:
    """One dict per (facts, status) row, in the rows' order; five statements whatever the count."""
    ids = [facts.id for facts, _status in rows]
    if not ids:
        return []
    main = {r[0]: r for r in session.execute(
        select(Action.id, Action.code, Action.title, Action.start_date, Action.due_date, Action.budget_amount,
               Action.ats_categories, Program.id, Program.code, Program.name, Pillar.id,
               Pillar.number, Pillar.name, Agency.id, Agency.code, Agency.short_name)
        .join(Program, Program.id == Action.program_id).join(Pillar, Pillar.id == Program.pillar_id)
        .join(Agency, Agency.id == Action.lead_agency_id).where(Action.id.in_(ids)))}
    supporting: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for action_id, agency_id, code, short in session.execute(
            select(action_supporting_agency.c.action_id, Agency.id, Agency.code, Agency.short_name)
            .join(Agency, Agency.id == action_supporting_agency.c.agency_id)
            .where(action_supporting_agency.c.action_id.in_(ids)).order_by(Agency.short_name)):
        supporting[action_id].append({"id": agency_id, "code": code, "short_name": short})
    areas: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for action_id, kode, nama, level in session.execute(
            select(action_area.c.action_id, Area.kode, Area.nama, Area.level)
            .join(Area, Area.kode == action_area.c.area_kode)
            .where(action_area.c.action_id.in_(ids)).order_by(Area.kode)):
        areas[action_id].append({"kode": kode, "nama": nama, "level": level})
    funding: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for action_id, source, amount in session.execute(
            select(ActionFunding.action_id, ActionFunding.source, ActionFunding.amount)
            .where(ActionFunding.action_id.in_(ids)).order_by(ActionFunding.position)):
        funding[action_id].append({"code": source, "amount": amount})
    progress = latest_progress(session, ids)
    out = []
    for facts, status in rows:
        (aid, code, title, start, due, budget, categories, prog_id, prog_code, prog_name, pil_id, pil_no,
         pil_name, lead_id, lead_code, lead_short) = main[facts.id]
        percent, last = progress.get(aid, (None, None))
        out.append({
            "id": aid, "code": code, "title": title,
            "pillar": {"id": pil_id, "number": pil_no, "name": pil_name},
            "program": {"id": prog_id, "code": prog_code, "name": prog_name},
            "lead_agency": {"id": lead_id, "code": lead_code, "short_name": lead_short},
            "supporting_agencies": supporting[aid],
            "areas": areas[aid],
            "ats_categories": [c for c in (categories or "").split(",") if c],
            "start_date": iso_date(start), "due_date": iso_date(due),
            "status": status, "status_overridden": facts.is_overridden,
            "budget_amount": budget, "funding_source": funding[aid][0]["code"] if funding[aid] else None,
            "funding_sources": funding[aid],
            "percent_complete": percent, "last_progress_at": iso_datetime(last),
        })
    return out
