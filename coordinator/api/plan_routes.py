"""The plan, its pillars and programs, and the agencies: what every signed-in role reads on /plan and /agencies."""
from __future__ import annotations

from datetime import date, datetime

from flask import abort, jsonify
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from coordinator.api.blueprint import bp
from coordinator.api.errors import ApiError
from coordinator.core import permissions
from coordinator.extensions import db
from coordinator.models import Action, Agency, Pillar, Plan, action_supporting_agency
from coordinator.plan import editing as plan_service


def iso_date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def iso_datetime(value: datetime | None) -> str | None:
    """Stored datetimes are naive UTC: written with a Z so no client reads them as WITA."""
    return value.replace(microsecond=0).isoformat() + "Z" if value else None


def agency_ref(agency: Agency) -> dict:
    return {"id": agency.id, "code": agency.code, "short_name": agency.short_name}


def _action_counts() -> dict[int, int]:
    return dict(db.session.execute(
        select(Action.program_id, func.count()).where(Action.deleted_at.is_(None)).group_by(Action.program_id)
    ).all())


def _pillar(pillar: Pillar, counts: dict[int, int]) -> dict:
    return {"id": pillar.id, "number": pillar.number, "name": pillar.name, "description": pillar.description,
            "programs": [{"id": p.id, "code": p.code, "name": p.name, "action_count": counts.get(p.id, 0)}
                         for p in pillar.programs]}


def _current_plan() -> Plan:
    plan = plan_service.current_plan(db.session)
    if plan is None:
        raise ApiError(404, _("Belum ada rencana aksi."))
    return plan


@bp.get("/plan")
def plan():
    p = _current_plan()
    counts = _action_counts()
    return jsonify({
        "id": p.id, "name": p.name, "legal_basis": p.legal_basis, "start_year": p.start_year,
        "end_year": p.end_year, "baseline_ats": p.baseline_ats, "baseline_year": p.baseline_year,
        "target_ats": p.target_ats, "description": p.description,
        "pillars": [_pillar(pl, counts) for pl in p.pillars],
    })


@bp.get("/pillars")
def pillars():
    plan = plan_service.current_plan(db.session)
    counts = _action_counts()
    return jsonify({"items": [_pillar(pl, counts) for pl in plan.pillars] if plan else []})


def _agency(a: Agency) -> dict:
    return {"id": a.id, "code": a.code, "short_name": a.short_name, "name": a.name, "kind": a.kind,
            "active": a.active}


@bp.get("/agencies")
def agencies():
    rows = db.session.scalars(select(Agency).order_by(Agency.kind, Agency.short_name))
    return jsonify({"items": [_agency(a) for a in rows]})


@bp.get("/agencies/<int:agency_id>")
def agency(agency_id: int):
    a = db.session.get(Agency, agency_id)
    if a is None:
        abort(404)
    # As /agencies/<id>: focal points read their own agency only.
    if not (permissions.sees_everything(current_user) or current_user.agency_id == a.id):
        abort(403)
    live = Action.deleted_at.is_(None)
    led = db.session.execute(select(Action.id, Action.code).where(live, Action.lead_agency_id == a.id)).all()
    supported = db.session.execute(
        select(Action.id, Action.code).join(action_supporting_agency, action_supporting_agency.c.action_id == Action.id)
        .where(live, action_supporting_agency.c.agency_id == a.id)).all()

    def refs(rows: list) -> list[dict]:
        from coordinator.actions.listing import code_key

        return [{"id": i, "code": c} for i, c in sorted(rows, key=lambda r: code_key(r[1]))]

    return jsonify({**_agency(a), "lead_actions": refs(list(led)), "supporting_actions": refs(list(supported))})
