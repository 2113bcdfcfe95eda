"""The current plan as a RAD matrix, for the Excel export (written by export.write_matrix).

Everything is loaded in a fixed number of statements, however many actions the plan has. Names are
written so that the import reads them back to the same rows: agencies by short name, funding by its
reference label, areas as "Kec. X" or "Desa Y (Kec. X)" / "Kel. Y (Kec. X)".
"""
from __future__ import annotations

from datetime import datetime

from babel.dates import format_date
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from coordinator.actions.listing import code_key, latest_progress
from coordinator.actions.status import load_action_facts
from coordinator.core.clock import to_wita, wita_today
from coordinator.indicators.tracking import live_indicators, natural_key
from coordinator.models import Action, Agency, Area, Indicator, Plan, Program
from coordinator.plan.editing import current_plan
from coordinator.plan.funding import FundingLookup, FundingShare, funding_text
from coordinator.rad_matrix.layout import (
    ActionExtras,
    MatrixAction,
    MatrixIndicator,
    MatrixIndicatorDef,
    MatrixMilestone,
    MatrixPlan,
    ParsedMatrix,
)
from coordinator.rad_matrix.resolve import AgencyLookup, location_label, split_agencies

TITLE = "RENCANA AKSI DAERAH PENANGANAN ANAK TIDAK SEKOLAH"


def matrix_year(plan: Plan | None, now: datetime) -> int:
    """The year whose targets the matrix shows: this WITA year, within the plan's years."""
    year = wita_today(now).year
    if plan is None:
        return year
    return min(max(year, plan.start_year), plan.end_year)


def _plan(plan: Plan) -> MatrixPlan:
    return MatrixPlan(name=plan.name, legal_basis=plan.legal_basis, start_year=plan.start_year,
                      end_year=plan.end_year, baseline_ats=plan.baseline_ats, baseline_year=plan.baseline_year,
                      target_ats=plan.target_ats, description=plan.description)


def _agency_label(agency: Agency, lookup: AgencyLookup) -> str:
    """The short name, unless the reader would split it or take it for another agency;
    then the code, else the full name: a name the import reads back as this one agency."""
    for name in (agency.short_name, agency.code, agency.name):
        if split_agencies(name, lookup) == [name.strip()] and lookup.find(name) == agency.id:
            return name.strip()
    return agency.short_name


def _row_indicator(ind: Indicator, year: int) -> MatrixIndicator:
    targets = {t.quarter: t.value for t in ind.targets if t.year == year}
    return MatrixIndicator(row=0, name=ind.name, unit=ind.unit, baseline=ind.baseline_value,
                           target=targets.get(None), target_year=year,
                           quarter_targets={q: v for q, v in targets.items() if q is not None})


def collect_matrix(session: Session, now: datetime) -> tuple[ParsedMatrix, dict[str, ActionExtras]]:
    plan = current_plan(session)
    year = matrix_year(plan, now)
    matrix = ParsedMatrix(title=TITLE, default_year=year, plan=_plan(plan) if plan else None)
    if plan is None:
        return matrix, {}
    actions = sorted(session.scalars(
        select(Action).join(Program, Program.id == Action.program_id)
        .where(Action.deleted_at.is_(None), Program.pillar.has(plan_id=plan.id))
        .options(selectinload(Action.program).selectinload(Program.pillar), selectinload(Action.lead_agency),
                 selectinload(Action.supporting_agencies), selectinload(Action.areas),
                 selectinload(Action.milestones), selectinload(Action.fundings))), key=lambda a: code_key(a.code))
    areas = {kode: nama for kode, nama in session.execute(select(Area.kode, Area.nama).where(
        Area.parent_kode.is_(None)))}
    funding = FundingLookup.load(session).labels
    agencies = AgencyLookup.load(session)
    indicators = live_indicators(session, plan.id)
    by_action: dict[int, list[Indicator]] = {}
    for ind in indicators:
        for a in ind.actions:
            by_action.setdefault(a.id, []).append(ind)
    for a in actions:
        matrix.actions.append(MatrixAction(
            row=0, pillar_number=a.program.pillar.number, pillar_name=a.program.pillar.name,
            program_code=a.program.code, program_name=a.program.name, code=a.code, title=a.title,
            output=a.output, description=a.description, lead_agency=_agency_label(a.lead_agency, agencies),
            supporting_agencies=[_agency_label(s, agencies) for s in a.supporting_agencies],
            locations=[location_label(ar, areas) for ar in a.areas],
            funding_source=funding_text([FundingShare(f.source, f.amount) for f in a.fundings], funding) or None,
            budget=a.budget_amount, start_date=a.start_date, due_date=a.due_date,
            sub_kegiatan_code=a.sub_kegiatan_code, categories=a.category_list,
            milestones=[MatrixMilestone(m.title, m.due_date, m.state, m.completed_on) for m in a.milestones],
            indicators=[_row_indicator(i, year) for i in by_action.get(a.id, [])]))
    area_of: dict[str, str] = {}
    ats_kodes = [i.ats_area_kode for i in indicators if i.ats_area_kode]
    if ats_kodes:
        area_of = {ar.kode: location_label(ar, areas) for ar in session.scalars(
            select(Area).where(Area.kode.in_(ats_kodes)))}
    for ind in indicators:
        matrix.indicator_defs.append(MatrixIndicatorDef(
            row=0, code=ind.code, name=ind.name, definition=ind.definition, unit=ind.unit,
            direction=ind.direction, baseline=ind.baseline_value, baseline_year=ind.baseline_year,
            data_source=ind.data_source, ats_metric=ind.ats_metric,
            ats_area=area_of.get(ind.ats_area_kode) if ind.ats_area_kode else None,
            action_codes=sorted((a.code for a in ind.actions if a.deleted_at is None), key=natural_key),
            targets={(t.year, t.quarter): t.value for t in ind.targets}))
    return matrix, _extras(session, actions, now)


def _extras(session: Session, actions: list[Action], now: datetime) -> dict[str, ActionExtras]:
    ids = [a.id for a in actions]
    if not ids:
        return {}
    today = wita_today(now)
    facts = {f.id: f for f in load_action_facts(session, ids)}
    progress = latest_progress(session, ids)
    out = {}
    for a in actions:
        fact = facts[a.id]
        percent, when = progress.get(a.id, (None, None))
        out[a.code] = ActionExtras(status=fact.status(today), overridden=fact.is_overridden, progress=percent,
                                   last_report=to_wita(when).date() if when else None)
    return out


def title_lines(plan: Plan | None, now: datetime) -> list[str]:
    lines = [TITLE]
    if plan is not None:
        lines.append(f"{plan.name} Tahun {plan.start_year}–{plan.end_year}")
    lines.append(f"Keadaan per {format_date(wita_today(now), 'd MMMM y', locale='id')}")
    return lines


def export_plan(session: Session, now: datetime) -> bytes:
    from coordinator.rad_matrix.export import write_matrix

    matrix, extras = collect_matrix(session, now)
    plan = current_plan(session)
    return write_matrix(matrix, extras, title_lines(plan, now), matrix_year(plan, now))
