"""The action list: filters, sort and pagination shared by the page and the exports."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from coordinator.actions.status import ActionFacts, load_action_facts
from coordinator.core.clock import wita_today
from coordinator.figures.late import LateReason
from coordinator.models import (
    Action,
    ActionFunding,
    Agency,
    Area,
    Program,
    ProgressUpdate,
    action_area,
    action_supporting_agency,
)

SORTS = ("code", "due_date", "title", "status", "agency")


@dataclass
class ActionFilter:
    pillar_id: int | None = None
    agency_id: int | None = None
    status: str | None = None
    kecamatan: str | None = None
    due_from: date | None = None
    due_to: date | None = None
    q: str | None = None
    funding: str | None = None  # a funding source's code
    sort: str = "code"
    descending: bool = False
    involving_agency_id: int | None = None  # a focal point's scope


@dataclass
class ActionRow:
    action: Action
    status: str
    overridden: bool
    percent: int | None
    last_update: datetime | None
    facts: ActionFacts
    late: LateReason | None = None  # why it is late (figures/late.py), for a terlambat action


def code_key(code: str) -> tuple:
    """2.10.1 after 2.9.1; numbers and words never compared with each other."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in code.replace("-", ".").split("."))


def _candidate_ids(session: Session, f: ActionFilter) -> list[int]:
    stmt = select(Action.id).join(Program, Program.id == Action.program_id).where(Action.deleted_at.is_(None))
    if f.pillar_id:
        stmt = stmt.where(Program.pillar_id == f.pillar_id)
    for agency_id in (f.agency_id, f.involving_agency_id):
        if agency_id:
            supporting = select(action_supporting_agency.c.action_id).where(
                action_supporting_agency.c.agency_id == agency_id)
            stmt = stmt.where(or_(Action.lead_agency_id == agency_id, Action.id.in_(supporting)))
    if f.kecamatan:
        areas = select(Area.kode).where(or_(Area.kode == f.kecamatan, Area.parent_kode == f.kecamatan))
        stmt = stmt.where(Action.id.in_(select(action_area.c.action_id).where(action_area.c.area_kode.in_(areas))))
    if f.funding:
        stmt = stmt.where(Action.id.in_(select(ActionFunding.action_id).where(ActionFunding.source == f.funding)))
    if f.due_from:
        stmt = stmt.where(Action.due_date >= f.due_from)
    if f.due_to:
        stmt = stmt.where(Action.due_date <= f.due_to)
    if f.q:
        q = f.q.strip()  # typed text, never a pattern: "%" and "_" match themselves
        stmt = stmt.where(or_(Action.title.icontains(q, autoescape=True), Action.code.icontains(q, autoescape=True),
                              Action.description.icontains(q, autoescape=True)))
    return list(session.scalars(stmt))


def latest_progress(session: Session, ids: list[int]) -> dict[int, tuple[int, datetime]]:
    """Latest current update per action (percent, when), one statement."""
    rows = session.execute(
        select(ProgressUpdate.action_id, ProgressUpdate.percent_complete, ProgressUpdate.created_at,
               ProgressUpdate.period)
        .where(ProgressUpdate.superseded_at.is_(None), ProgressUpdate.action_id.in_(ids))
    )
    best: dict[int, tuple[date, datetime, int]] = {}
    for action_id, percent, created, period in rows:
        key = (period, created, percent)
        if action_id not in best or key > best[action_id]:
            best[action_id] = key
    return {a: (v[2], v[1]) for a, v in best.items()}


def filtered_rows(session: Session, f: ActionFilter, now: datetime) -> list[tuple[ActionFacts, str]]:
    """(facts, status) of every matching action, sorted; statements do not grow with the plan."""
    today = wita_today(now)
    ids = _candidate_ids(session, f)
    if not ids:
        return []
    rows = []
    for fact in load_action_facts(session, ids):
        status = fact.status(today)
        if f.status and status != f.status:
            continue
        rows.append((fact, status))
    agency_names: dict[int, str] = {}
    if f.sort == "agency":
        agency_names = {i: n.lower() for i, n in session.execute(select(Agency.id, Agency.short_name))}
    keys = {
        "code": lambda r: code_key(r[0].code),
        "due_date": lambda r: (r[0].due_date, code_key(r[0].code)),
        "title": lambda r: r[0].title.lower(),
        "status": lambda r: (r[1], r[0].due_date),
        "agency": lambda r: (agency_names.get(r[0].lead_agency_id, ""), code_key(r[0].code)),
    }
    rows.sort(key=keys.get(f.sort, keys["code"]), reverse=f.descending)
    return rows


def load_actions(session: Session, ids: list[int]) -> dict[int, Action]:
    stmt = select(Action).where(Action.id.in_(ids)).options(
        selectinload(Action.lead_agency), selectinload(Action.program).selectinload(Program.pillar),
        selectinload(Action.supporting_agencies), selectinload(Action.areas), selectinload(Action.fundings),
    )
    return {a.id: a for a in session.scalars(stmt)}


def _action_rows(session: Session, rows: list[tuple[ActionFacts, str]], today: date) -> list[ActionRow]:
    """Full actions and latest progress, only for the rows that will be shown."""
    ids = [r[0].id for r in rows]
    if not ids:
        return []
    actions = load_actions(session, ids)
    progress = latest_progress(session, ids)
    out = []
    for fact, status in rows:
        pct, last = progress.get(fact.id, (None, None))
        out.append(ActionRow(actions[fact.id], status, fact.is_overridden, pct, last, fact, fact.late_reason(today)))
    return out


def page_of_actions(session: Session, f: ActionFilter, now: datetime, page: int, size: int
                    ) -> tuple[list[ActionRow], int, int]:
    rows = filtered_rows(session, f, now)
    total = len(rows)
    pages = max(1, (total + size - 1) // size)
    page = min(max(1, page), pages)
    return _action_rows(session, rows[(page - 1) * size: page * size], wita_today(now)), total, pages


def all_matching(session: Session, f: ActionFilter, now: datetime) -> list[ActionRow]:
    return _action_rows(session, filtered_rows(session, f, now), wita_today(now))
