"""The monthly report's content, computed from a month's facts (facts) alone.

Pure functions of plain values: the same facts give the same report, which is
how a closed month's report stays the same however often it is regenerated.
Three scopes share one engine: the regency, one agency (the actions it leads
or supports) and one kecamatan (the actions aimed at it or its desa, and its
desa in place of the kecamatan table).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from coordinator.actions.listing import code_key
from coordinator.core.errors import N_, DomainError
from coordinator.figures.areas import AreaSums, area_sums, ats_count, change_pct
from coordinator.figures.budget import BudgetFigures, BudgetLine, budget_lines, budget_of
from coordinator.figures.children import ChildrenReturned, children_returned
from coordinator.figures.effects import ActionEffect
from coordinator.figures.late import LateReason
from coordinator.figures.month_effects import month_top_and_bottom
from coordinator.figures.rescheduled import RescheduledItem, rescheduled_in_facts
from coordinator.figures.trajectory import Trajectory, trajectory
from coordinator.figures.waterfall import Waterfall, waterfall_of
from coordinator.meetings.facts import FollowUpLines, follow_up_lines
from coordinator.models import SCOPE_AGENCY, SCOPE_KECAMATAN, SCOPE_REGENCY
from coordinator.reports.facts import chosen_decisions, decision_candidates
from coordinator.reports.frozen_status import action_status, late_reason_of
from coordinator.reports.indicator_lines import IndicatorLine, indicator_lines
from coordinator.review.facts import ReviewLines, review_lines

CLOSED = ("selesai", "dibatalkan")
OPEN = ("belum_mulai", "berjalan")
STATUS_ORDER = ("selesai", "berjalan", "terlambat", "belum_mulai", "dibatalkan")


@dataclass
class AreaRow:
    kode: str
    nama: str
    baseline: int | None
    last_month: int | None
    now: int | None
    active: int
    returned: int
    # The by-name list (village verification): listed, verified, confirmed out of school, returned (each child once).
    listed: int = 0
    verified: int = 0
    valid_ats: int = 0
    returned_by_name: int = 0
    returned_by: list[tuple[str, int]] = field(default_factory=list)  # (action code, children) behind `returned`

    @property
    def change(self) -> int | None:
        return None if self.now is None or self.last_month is None else self.now - self.last_month

    @property
    def change_since_baseline(self) -> float | None:
        return change_pct(self.now, self.baseline)


@dataclass
class PillarRow:
    number: int
    name: str
    counts: dict[str, int]
    actions: int
    avg_percent: float | None


@dataclass
class AgencyRow:
    short_name: str
    name: str
    led: int
    supported: int
    expected: int  # active actions it leads or supports: one report each this month
    reported: int
    on_time: int
    overdue_items: int


@dataclass
class LateAction:
    code: str
    title: str
    agency: str
    reason: LateReason  # the late item (a milestone or the action's own deadline) with its own date
    obstacle: str | None
    obstacle_period: date | None

    @property
    def days_late(self) -> int:
        return self.reason.days


@dataclass
class AnnexEntry:
    code: str
    title: str
    agency: str
    status: str
    due: date
    latest: dict[str, Any] | None
    reporter: str | None
    budget: int | None = None
    funding: list[dict[str, Any]] = field(default_factory=list)  # source, label_id, label_en, amount


@dataclass
class MonthlyReport:
    period: date
    period_end: date
    as_of: date
    collected_at: datetime
    scope: str
    scope_key: str
    scope_name: str
    plan_name: str
    # ATS
    ats_now: int | None
    ats_now_date: date | None
    ats_baseline: int | None
    ats_baseline_date: date | None
    ats_target: int | None
    ats_series: list[tuple[date, dict[str, int]]]
    area_rows: list[AreaRow]
    area_level: str  # kecamatan | desa
    # actions
    status_counts: dict[str, int]
    actions_total: int
    children: ChildrenReturned
    budget: BudgetFigures
    budget_by: dict[str, list[BudgetLine]]  # per pillar, agency and funding source (figures/budget.py)
    milestones_late: int  # open milestones past their due date, of actions neither done nor cancelled
    area_sums: dict[str, AreaSums]  # per column of the area table: rows, residu, total
    decisions: list[dict[str, Any]]
    pillars: list[PillarRow]
    agencies: list[AgencyRow]
    late: list[LateAction]
    indicators: list[IndicatorLine]
    annex: list[AnnexEntry]
    agency_names: dict[int, str] = field(default_factory=dict)
    has_by_name: bool = False  # any child of the by-name list in the report's areas
    letterhead: dict[str, str | None] | None = None  # the cover's names and logo as they were at closing
    waterfall: Waterfall | None = None  # where the regency's change since baseline comes from (figures/waterfall)
    trajectory: Trajectory | None = None  # the straight path from baseline to target (figures/trajectory)
    # the five actions that returned children at the lowest and the highest cost (figures/month_effects)
    most_effective: list[ActionEffect] = field(default_factory=list)
    least_effective: list[ActionEffect] = field(default_factory=list)
    review: ReviewLines = field(default_factory=ReviewLines)  # under review at closing, returned, late addenda
    rescheduled: list[RescheduledItem] = field(default_factory=list)  # past their first date, moved (not late)
    follow_ups: FollowUpLines = field(default_factory=FollowUpLines)  # meeting decisions: open, late, closed
    plan_revision: dict[str, Any] | None = None  # the plan revision in force and the one in preparation

    @property
    def expected_now(self) -> int | None:
        return self.trajectory.on(self.ats_now_date or self.as_of) if self.trajectory else None

    # The names the templates and the e-mail have always used
    @property
    def returned_total(self) -> int:
        return self.children.distinct_total

    @property
    def returned_month(self) -> int:
        return self.children.distinct_month

    @property
    def reached_month(self) -> int:
        return self.children.reached_month

    @property
    def returned_by_name_total(self) -> int:
        return self.children.by_name

    @property
    def returned_by_name_month(self) -> int:
        return self.children.by_name_month

    @property
    def reduction_achieved(self) -> int | None:
        if self.ats_baseline is None or self.ats_now is None:
            return None
        return self.ats_baseline - self.ats_now

    @property
    def reduction_needed(self) -> int | None:
        if self.ats_target is None or self.ats_now is None:
            return None
        return max(self.ats_now - self.ats_target, 0)

    @property
    def reduction_share(self) -> float | None:
        """Share of the planned reduction (baseline to target) achieved."""
        if self.ats_baseline is None or self.ats_target is None or self.ats_now is None:
            return None
        planned = self.ats_baseline - self.ats_target
        return None if planned <= 0 else (self.ats_baseline - self.ats_now) / planned


def _in_scope(facts: dict[str, Any], scope: str, key: str) -> tuple[list[dict[str, Any]], str, set[str] | None]:
    """The scope's actions, its name, and (kecamatan scope) the desa codes whose outcomes count."""
    actions = facts["actions"]
    if scope == SCOPE_REGENCY:
        return actions, "", None
    if scope == SCOPE_AGENCY:
        agency = next((a for a in facts["agencies"] if a["code"] == key), None)
        if agency is None:
            raise DomainError(N_("Perangkat daerah dengan kode itu tidak memiliki aksi dalam rencana."))
        aid = agency["id"]
        return [a for a in actions if a["lead"] == aid or aid in a["support"]], agency["name"], None
    if scope == SCOPE_KECAMATAN:
        kec = next((a for a in facts["areas"] if a["kode"] == key and a["level"] == "kecamatan"), None)
        if kec is None:
            raise DomainError(N_("Kode kecamatan tidak dikenal."))
        desa = {a["kode"] for a in facts["areas"] if a["parent"] == key}
        wanted = desa | {key}
        return [a for a in actions if wanted & set(a["areas"])], kec["nama"], desa
    raise DomainError(N_("Jenis laporan tidak dikenal."))


def build_report(facts: dict[str, Any], scope: str = SCOPE_REGENCY, key: str = "") -> MonthlyReport:
    period = date.fromisoformat(facts["period"])
    as_of = date.fromisoformat(facts["as_of"])
    actions, scope_name, desa_filter = _in_scope(facts, scope, key)
    agency_names = {a["id"]: a["short_name"] for a in facts["agencies"]}
    areas = {a["kode"]: a for a in facts["areas"]}
    status = {a["id"]: action_status(a, as_of) for a in actions}

    # Children back in school (figures/children.py): an area's children whichever action returned them; an
    # agency's, those its actions returned.
    in_scope = {a["id"] for a in actions}
    children_of = children_returned(
        actions if scope == SCOPE_AGENCY else facts["actions"], facts.get("child_returns"), facts.get("verval") or {},
        period, date.fromisoformat(facts["period_end"]),
        desa=None if desa_filter is None else desa_filter | {key}, credited_to=in_scope if scope == SCOPE_AGENCY
        else None)
    budget = budget_of(actions, status)
    budget_by = budget_lines(actions, status, {str(p["id"]): f'{p["number"]}. {p["name"]}' for p in facts["pillars"]},
                             {str(k): v for k, v in agency_names.items()})
    milestones_late = sum(1 for a in actions if status[a["id"]] not in CLOSED for m in a["milestones"]
                          if m["state"] in OPEN and date.fromisoformat(m["due"]) < as_of)
    status_counts = {s: 0 for s in STATUS_ORDER}
    for s in status.values():
        status_counts[s] = status_counts.get(s, 0) + 1

    # ATS figures: the regency's, or the kecamatan's.
    ats = facts["ats"]
    kec_key = key if scope == SCOPE_KECAMATAN else None
    now_total, base_total = ats_count(ats["latest"], kec_key), ats_count(ats["baseline"], kec_key)
    if scope != SCOPE_KECAMATAN and base_total is None:
        base_total = facts["plan"]["baseline_ats"]
    series = []
    for point in ats["series"]:
        counts = point["total"] if kec_key is None else point["kecamatan"].get(kec_key)
        if counts is not None:
            series.append((date.fromisoformat(point["as_of"]), counts))

    # Rows of the area table: kecamatan (regency, agency) or the kecamatan's desa.
    def active_in(kodes: set[str]) -> int:
        return sum(1 for a in actions if status[a["id"]] not in CLOSED and date.fromisoformat(a["start"]) <= as_of
                   and kodes & set(a["areas"]))

    if scope == SCOPE_KECAMATAN:
        level, row_areas = "desa", [a for a in facts["areas"] if a["parent"] == key]
    else:
        level, row_areas = "kecamatan", [a for a in facts["areas"] if a["level"] == "kecamatan"]
        if scope == SCOPE_AGENCY:
            targeted = {areas[k]["parent"] or k for a in actions for k in a["areas"] if k in areas}
            row_areas = [a for a in row_areas if a["kode"] in targeted] or row_areas
    codes = {a["id"]: a["code"] for a in facts["actions"]}
    rows = []
    for area in row_areas:
        kode = area["kode"]
        children = {a["kode"] for a in facts["areas"] if a["parent"] == kode}
        rows.append(AreaRow(
            kode, area["nama"], ats_count(ats["baseline"], kode, level), ats_count(ats["previous"], kode, level),
            ats_count(ats["latest"], kode, level), active_in({kode} | children | ({key} if level == "desa" else set())),
            sum(children_of.by_area.get(k, 0) for k in children | {kode})))
        rows[-1].returned_by = sorted(((codes.get(a, "?"), n) for a, n in
                                       children_of.actions_in(children | {kode}).items()), key=lambda x: -x[1])
    verval = facts.get("verval") or {}  # facts frozen before the by-name list existed have none
    for r in rows:
        kodes = {r.kode} | {a["kode"] for a in facts["areas"] if a["parent"] == r.kode}
        for kode in kodes & set(verval):
            listed, verified, valid, back, _back_month = verval[kode]
            r.listed, r.verified, r.valid_ats = r.listed + listed, r.verified + verified, r.valid_ats + valid
            r.returned_by_name += back
    rows.sort(key=lambda r: (-(r.now or 0), r.kode))

    # Pillars.
    pillar_rows = []
    for p in facts["pillars"]:
        mine = [a for a in actions if a["pillar_id"] == p["id"]]
        if not mine:
            continue
        c = {s: sum(1 for a in mine if status[a["id"]] == s) for s in STATUS_ORDER}
        percents = [a["latest"]["percent"] for a in mine if a.get("latest")]
        pillar_rows.append(PillarRow(p["number"], p["name"], c, len(mine),
                                     sum(percents) / len(percents) if percents else None))

    # Agencies: reports this month on the active actions each leads or supports; overdue items of those it leads.
    involved: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for a in actions:
        for aid in [a["lead"], *a["support"]]:
            involved[aid].append(a)
    scope_agency = next((x["id"] for x in facts["agencies"] if x["code"] == key), None) if scope == SCOPE_AGENCY \
        else None
    agency_rows = []
    for agency in facts["agencies"]:
        aid = agency["id"]
        if aid not in involved or (scope_agency is not None and aid != scope_agency):
            continue
        mine = involved[aid]
        active = [a for a in mine if status[a["id"]] not in CLOSED and date.fromisoformat(a["start"]) <= as_of]
        reports = [next((r for r in a["month_reports"] if r[0] == aid), None) for a in active]
        overdue = 0
        for a in mine:
            if a["lead"] != aid or status[a["id"]] in CLOSED:
                continue
            overdue += int(date.fromisoformat(a["due"]) < as_of)
            overdue += sum(1 for m in a["milestones"] if m["state"] in ("belum_mulai", "berjalan")
                           and date.fromisoformat(m["due"]) < as_of)
        agency_rows.append(AgencyRow(
            agency["short_name"], agency["name"], sum(1 for a in mine if a["lead"] == aid),
            sum(1 for a in mine if a["lead"] != aid), len(active), sum(1 for r in reports if r),
            sum(1 for r in reports if r and r[2]), overdue))
    agency_rows.sort(key=lambda r: (-r.overdue_items, r.short_name))

    late = []
    for a in actions:
        if status[a["id"]] != "terlambat":
            continue
        ob = a.get("last_obstacle")
        late.append(LateAction(a["code"], a["title"], agency_names.get(a["lead"], ""), late_reason_of(a, as_of),
                               ob["text"] if ob else None, date.fromisoformat(ob["period"]) if ob else None))
    late.sort(key=lambda x: (-x.days_late, x.code))

    if scope == SCOPE_REGENCY:
        decisions = chosen_decisions(facts)
    else:
        decisions = [d for d in chosen_decisions(facts) if d["action_id"] in in_scope] or \
            [d for d in decision_candidates(facts) if d["action_id"] in in_scope][:5]
    lead_of = {a["id"]: a["lead"] for a in facts["actions"]}
    for d in decisions:  # the agency responsible for the action first; who reported the obstacle second
        d["agency"] = agency_names.get(d["agency_id"], "")
        d["responsible"] = agency_names.get(lead_of.get(d["action_id"], -1), "")

    annex = [AnnexEntry(a["code"], a["title"], agency_names.get(a["lead"], ""), status[a["id"]],
                        date.fromisoformat(a["due"]), a.get("latest"),
                        agency_names.get(a["latest"]["agency_id"]) if a.get("latest") else None,
                        a.get("budget"), a.get("funding", []))
             for a in sorted(actions, key=lambda a: code_key(a["code"]))]  # 1.1.2 before 1.1.10
    indicators = indicator_lines(facts, period.year) if scope == SCOPE_REGENCY else []
    best, worst = month_top_and_bottom(facts, status, children_of) if scope == SCOPE_REGENCY else ([], [])
    return MonthlyReport(
        period=period, period_end=date.fromisoformat(facts["period_end"]), as_of=as_of,
        collected_at=datetime.fromisoformat(facts["collected_at"]), scope=scope, scope_key=key,
        scope_name=scope_name, plan_name=facts["plan"]["name"],
        ats_now=now_total, ats_now_date=date.fromisoformat(ats["latest"]["as_of"]) if ats["latest"] else None,
        ats_baseline=base_total,
        ats_baseline_date=date.fromisoformat(ats["baseline"]["as_of"]) if ats["baseline"] else None,
        ats_target=facts["plan"]["target_ats"] if scope != SCOPE_KECAMATAN else None,
        ats_series=series, area_rows=rows, area_level=level, status_counts=status_counts,
        actions_total=len(actions), children=children_of, budget=budget, budget_by=budget_by,
        milestones_late=milestones_late,
        area_sums=area_sums(rows, ats, kec_key, facts["plan"]["baseline_ats"] if scope != SCOPE_KECAMATAN else None,
                            children_of.distinct_total),
        decisions=decisions, pillars=pillar_rows, agencies=agency_rows, late=late,
        indicators=indicators, annex=annex, agency_names=agency_names,
        has_by_name=any(r.listed for r in rows), letterhead=facts.get("letterhead"),
        waterfall=waterfall_of(facts.get("waterfall")) if scope == SCOPE_REGENCY else None,
        most_effective=best, least_effective=worst,
        review=review_lines(facts, in_scope, agency_names),
        rescheduled=rescheduled_in_facts(actions, status, as_of),
        follow_ups=follow_up_lines(facts, as_of, key if scope == SCOPE_AGENCY else None, kec_key),
        plan_revision=facts.get("plan_revision"),
        trajectory=trajectory(base_total, date.fromisoformat(ats["baseline"]["as_of"]) if ats["baseline"] else None,
                              facts["plan"]["target_ats"], facts["plan"]["end_year"]) if scope != SCOPE_KECAMATAN
        else None,
    )
