"""Which interventions work (issue 21): per live action, the areas it targets, the children it reached and
returned, the money it spent, what a child returned cost, and the ATS change in its kecamatan next to the change
in comparable kecamatan that no action targets.

- Children reached: the agencies' aggregates (ProgressOutcome.reached) summed over their counted (accepted)
  reports up to this month; a child visited twice, or by two agencies, is reached twice: not a distinct count.
- Children returned: the headline definition (figures/children.py) as of today, split per action: a child of the
  by-name list once, for the action of its first return; plus the agencies' aggregates not on the list.
- Realised: the sum of each agency's own latest cumulative realisation (figures/collect.realised_by_agency).
- Cost per child returned: realised ÷ returned; None without a return or without a realisation.
- ATS change: baseline → latest live snapshot, in % of the baseline, over the kecamatan the action targets (a desa
  target counts as its kecamatan); an action without an area is regency-wide and compared with nothing.
- Comparable kecamatan: not targeted by this action, targeted by no other action that had started by the latest
  snapshot and is not cancelled (regency-wide actions are left out: they would leave nothing to compare with), and
  whose baseline ATS is within ±50 % of the mean baseline of the action's kecamatan. Their change is pooled (the sum
  of their counts). The difference (percentage points) is an association, never proof that the action caused it.

The computation is pure (`effects_from`: plain values in and out); `action_effects` reads its inputs in a fixed
number of statements whatever the size of the plan.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coordinator.actions.status import load_action_facts
from coordinator.ats.figures import live_snapshots, totals_for
from coordinator.ats.pages import baseline_snapshot, load_areas
from coordinator.core.clock import month_start, wita_today
from coordinator.figures.collect import realised_by_agency
from coordinator.figures.live import children_as_of
from coordinator.models import (
    Action,
    Agency,
    Plan,
    ProgressOutcome,
    ProgressUpdate,
    action_area,
    action_supporting_agency,
)

SIMILAR = 0.5  # a comparable kecamatan's baseline is within ±50 % of the targeted kecamatan's mean baseline
CANCELLED = "dibatalkan"


@dataclass
class ActionEffect:
    id: int
    code: str
    title: str
    lead_agency: str
    status: str
    areas: list[str]  # the codes the action is linked to; empty: regency-wide
    area_names: list[str]
    reached: int
    returned: int
    realised: int
    kecamatan: list[str] = field(default_factory=list)  # the kecamatan its ATS change is measured on
    ats_change_pct: float | None = None  # baseline -> latest, in % of the baseline
    comparison: list[str] = field(default_factory=list)  # comparable kecamatan (codes)
    comparison_names: list[str] = field(default_factory=list)
    comparison_change_pct: float | None = None

    @property
    def regency_wide(self) -> bool:
        return not self.areas

    @property
    def cost_per_child(self) -> int | None:
        """Rupiah realised per child returned; None without a return or without money realised."""
        if not self.returned or not self.realised:
            return None
        return round(self.realised / self.returned)

    @property
    def difference_pct(self) -> float | None:
        """The targeted kecamatan's change minus the comparable ones' (percentage points; negative: ATS fell more
        where the action works)."""
        if self.ats_change_pct is None or self.comparison_change_pct is None:
            return None
        return round(self.ats_change_pct - self.comparison_change_pct, 1)


@dataclass
class ActionInput:
    """What `effects_from` needs of one action, as plain values."""

    id: int
    code: str
    title: str
    lead_agency: str
    status: str
    start_date: date
    areas: list[str]


@dataclass
class AtsPeriod:
    """The kecamatan counts (totals) of the baseline and the latest snapshot, and the regency's."""

    start: date
    end: date
    baseline: dict[str, int]
    latest: dict[str, int]
    regency_baseline: int
    regency_latest: int


# Pure parts ----------------------------------------------------------------------------------------------------

def change_pct(kodes: Iterable[str], baseline: dict[str, int], latest: dict[str, int]) -> float | None:
    """The pooled change of these kecamatan, in % of their baseline; only kecamatan counted in both snapshots."""
    both = [k for k in kodes if k in baseline and k in latest]
    start = sum(baseline[k] for k in both)
    if not start:
        return None
    return round((sum(latest[k] for k in both) - start) * 100 / start, 1)


def comparable_kecamatan(targeted: set[str], untargeted: set[str], baseline: dict[str, int]) -> list[str]:
    """The untargeted kecamatan whose baseline is within ±50 % of the targeted kecamatan's mean baseline."""
    levels = [baseline[k] for k in targeted if k in baseline]
    if not levels:
        return []
    mean = sum(levels) / len(levels)
    return sorted(k for k in untargeted - targeted if k in baseline and abs(baseline[k] - mean) <= SIMILAR * mean)


def kecamatan_of(kodes: Iterable[str], parents: dict[str, str | None]) -> set[str]:
    """The kecamatan of these areas: a kecamatan itself, a desa its parent."""
    return {parents.get(k) or k for k in kodes}


def effects_from(actions: list[ActionInput], reached: dict[int, int], returned: dict[int, int],
                 realised: dict[int, int], ats: AtsPeriod | None, parents: dict[str, str | None],
                 names: dict[str, str]) -> list[ActionEffect]:
    """One ActionEffect per action, in the order given; `parents` and `names`: area code -> parent / name."""
    kec_of = {a.id: kecamatan_of(a.areas, parents) for a in actions}
    touched: set[str] = set()
    for a in actions:
        if a.status != CANCELLED and (ats is None or a.start_date <= ats.end):
            touched |= kec_of[a.id]
    out = []
    for a in actions:
        e = ActionEffect(a.id, a.code, a.title, a.lead_agency, a.status, sorted(a.areas),
                         [names.get(k, k) for k in sorted(a.areas)], reached.get(a.id, 0), returned.get(a.id, 0),
                         realised.get(a.id, 0), kecamatan=sorted(kec_of[a.id]))
        if ats is not None:
            if e.regency_wide:
                start = ats.regency_baseline
                e.ats_change_pct = round((ats.regency_latest - start) * 100 / start, 1) if start else None
            else:
                e.ats_change_pct = change_pct(kec_of[a.id], ats.baseline, ats.latest)
                pool = set(ats.baseline) - touched
                e.comparison = comparable_kecamatan(kec_of[a.id], pool, ats.baseline)
                e.comparison_names = [names.get(k, k) for k in e.comparison]
                e.comparison_change_pct = change_pct(e.comparison, ats.baseline, ats.latest)
        out.append(e)
    return out


def _code_key(code: str) -> tuple[Any, ...]:
    """1.1.2 before 1.1.10."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in code.split("."))


SORT_KEYS: dict[str, Callable[[ActionEffect], Any]] = {
    "kode": lambda e: _code_key(e.code),
    "kembali": lambda e: e.returned,
    "biaya": lambda e: e.cost_per_child,
    "ats": lambda e: e.ats_change_pct,
    "selisih": lambda e: e.difference_pct,
}
DEFAULT_SORT = "kode"


def parse_sort(value: str | None) -> tuple[str, bool]:
    """`?urut=biaya` (ascending) or `?urut=-biaya` (descending); anything else: by code, ascending."""
    value = (value or "").strip()
    descending = value.startswith("-")
    key = value.lstrip("-")
    if key not in SORT_KEYS:
        return DEFAULT_SORT, False
    return key, descending


def sort_effects(effects: list[ActionEffect], key: str, descending: bool = False) -> list[ActionEffect]:
    """Sorted by one of SORT_KEYS; rows without a value last either way, ties by code."""
    get = SORT_KEYS.get(key, SORT_KEYS[DEFAULT_SORT])
    by_code = sorted(effects, key=lambda e: _code_key(e.code))
    known = [e for e in by_code if get(e) is not None]
    unknown = [e for e in by_code if get(e) is None]
    return sorted(known, key=get, reverse=descending) + unknown


def top_and_bottom(effects: list[ActionEffect], n: int = 5) -> tuple[list[ActionEffect], list[ActionEffect]]:
    """The n actions that returned the most children per rupiah (lowest cost per child first), and the n that
    returned the fewest (worst first): money spent without a single child returned counts as worst, the most money
    first, then the highest cost per child. An action in the first list is not repeated in the second; actions
    with neither a cost nor money spent are in neither."""
    costed = sorted((e for e in effects if e.cost_per_child is not None),
                    key=lambda e: (e.cost_per_child, -e.returned, _code_key(e.code)))
    top = costed[:n]
    shown = {e.id for e in top}
    nothing = sorted((e for e in effects if not e.returned and e.realised > 0),
                     key=lambda e: (-e.realised, _code_key(e.code)))
    worst = nothing + [e for e in reversed(costed) if e.id not in shown]
    return top, worst[:n]


# Reading the data ----------------------------------------------------------------------------------------------

def ats_period(session: Session) -> AtsPeriod | None:
    """The baseline and the latest live snapshot's kecamatan counts (None without two snapshots)."""
    snapshots = live_snapshots(session)
    year = session.scalar(select(Plan.baseline_year).order_by(Plan.id).limit(1))
    base = baseline_snapshot(snapshots, year)
    if base is None or snapshots[-1].id == base.id:
        return None
    latest = snapshots[-1]
    totals = totals_for(session, [base, latest])
    b, t = totals[base.id], totals[latest.id]
    return AtsPeriod(base.as_of, latest.as_of, {k: c["total"] for k, c in b.kecamatan.items()},
                     {k: c["total"] for k, c in t.kecamatan.items()}, b.total["total"], t.total["total"])


def action_effects(session: Session, now: datetime, ats: AtsPeriod | None = None) -> list[ActionEffect]:
    """Every live action's effect as of today (WITA), sorted by code; `ats`: the snapshots' counts when the caller
    has already read them (ats_period)."""
    today = wita_today(now)
    period = month_start(today)
    facts = load_action_facts(session)
    areas = load_areas(session)
    agencies = dict(session.execute(select(Agency.id, Agency.short_name)).all())
    linked: dict[int, list[str]] = defaultdict(list)
    for action_id, kode in session.execute(
            select(action_area.c.action_id, action_area.c.area_kode)
            .join(Action, Action.id == action_area.c.action_id).where(Action.deleted_at.is_(None))):
        linked[action_id].append(kode)
    reached = {a: int(n or 0) for a, n in session.execute(
        select(ProgressUpdate.action_id, func.sum(ProgressOutcome.reached))
        .join(ProgressUpdate, ProgressUpdate.id == ProgressOutcome.update_id)
        .where(ProgressUpdate.counted.is_(True), ProgressUpdate.period <= period)
        .group_by(ProgressUpdate.action_id))}
    returned: dict[int, int] = defaultdict(int)
    for (_kode, action_id), n in children_as_of(session, None, today).by_area_action.items():
        returned[action_id] += n
    realised = {a: sum(by_agency.values()) for a, by_agency in realised_by_agency(session, period).items()}
    inputs = [ActionInput(f.id, f.code, f.title, agencies.get(f.lead_agency_id, ""), f.status(today), f.start_date,
                          linked.get(f.id, [])) for f in sorted(facts, key=lambda f: _code_key(f.code))]
    return effects_from(inputs, reached, returned, realised, ats if ats is not None else ats_period(session),
                        {k: a.parent_kode for k, a in areas.items()}, {k: a.nama for k, a in areas.items()})


def actions_of_agency(session: Session, agency_id: int | None) -> set[int]:
    """The live actions an agency leads or supports (those its focal points may open)."""
    if agency_id is None:
        return set()
    supported = select(action_supporting_agency.c.action_id).where(action_supporting_agency.c.agency_id == agency_id)
    return set(session.scalars(select(Action.id).where(
        Action.deleted_at.is_(None), (Action.lead_agency_id == agency_id) | Action.id.in_(supported))))
