"""The budget, defined once: the ceiling (pagu) is the sum of the actions' budgets (their funding sources' amounts),
the realisation the sum of each agency's own latest cumulative realisation per action (figures/collect), absorption
their ratio. Cancelled actions count in neither: their ceiling will not be spent. Facts frozen before agencies'
realisations were kept apart fall back to each action's latest report.

Broken down (`budget_lines`): per pillar, ceiling and realisation of its actions; per agency, the money it reports
itself on every action and the ceiling of the actions it leads (the ceiling is the action's, not split between
agencies, so an agency has no absorption of its own); per funding source, its amounts, and the realisation only of
actions funded by that source alone: agencies report one figure per action, so money of an action with several
sources cannot be told apart and is shown as such, never shared out by guess."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

SEVERAL_SOURCES = "__several__"  # the line of realisation that belongs to actions with more than one source


@dataclass
class BudgetFigures:
    ceiling: int = 0
    realised: int = 0
    over_ceiling: list[str] = field(default_factory=list)  # codes of actions realised above their ceiling

    @property
    def absorption_pct(self) -> float | None:
        return round(self.realised * 100 / self.ceiling, 1) if self.ceiling else None


def action_realised(a: dict[str, Any]) -> int:
    by_agency = a.get("realised")
    if by_agency is not None:
        return sum(int(v) for v in by_agency.values())
    latest = a.get("latest") or {}
    return int(latest.get("budget_realised") or 0)


def budget_of(actions: Iterable[dict[str, Any]], status: dict[int, str]) -> BudgetFigures:
    out = BudgetFigures()
    for a in actions:
        if status.get(a["id"]) == "dibatalkan":
            continue
        realised = action_realised(a)
        out.ceiling += int(a.get("budget") or 0)
        out.realised += realised
        if a.get("budget") and realised > int(a["budget"]):
            out.over_ceiling.append(a["code"])
    return out


@dataclass
class BudgetLine:
    key: str  # pillar id, agency id or funding source code (as text)
    label: str
    ceiling: int | None
    realised: int | None
    label_en: str | None = None

    @property
    def absorption_pct(self) -> float | None:
        if not self.ceiling or self.realised is None:
            return None
        return round(self.realised * 100 / self.ceiling, 1)


def budget_lines(actions: Iterable[dict[str, Any]], status: dict[int, str], pillar_names: dict[str, str],
                 agency_names: dict[str, str]) -> dict[str, list[BudgetLine]]:
    """Per pillar, agency and funding source (see the module's docstring); SEVERAL_SOURCES is the line of the
    actions with more than one source, labelled by the template."""
    pillar: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    agency_own: dict[str, int] = defaultdict(int)
    agency_led: dict[str, int] = defaultdict(int)
    source_ceiling: dict[str, int] = defaultdict(int)
    source_realised: dict[str, int] = defaultdict(int)
    source_labels: dict[str, tuple[str, str | None]] = {}
    for a in actions:
        if status.get(a["id"]) == "dibatalkan":
            continue
        budget, realised = int(a.get("budget") or 0), action_realised(a)
        line = pillar[str(a["pillar_id"])]
        line[0], line[1] = line[0] + budget, line[1] + realised
        agency_led[str(a["lead"])] += budget
        by_agency = a.get("realised")
        if by_agency is None:  # older facts: the latest report's agency stands for the action
            latest = a.get("latest") or {}
            by_agency = {str(latest["agency_id"]): latest.get("budget_realised") or 0} if latest else {}
        for agency_id, amount in by_agency.items():
            agency_own[str(agency_id)] += int(amount or 0)
        sources = a.get("funding") or []
        for f in sources:
            source_labels[f["source"]] = (f.get("label_id") or f["source"], f.get("label_en"))
            amount = f.get("amount")
            source_ceiling[f["source"]] += int(amount) if amount is not None else budget if len(sources) == 1 else 0
        key = sources[0]["source"] if len(sources) == 1 else SEVERAL_SOURCES if sources else None
        if key is not None:
            source_realised[key] += realised
    return {
        "pillar": [BudgetLine(k, pillar_names.get(k, k), c, r) for k, (c, r) in pillar.items()],
        "agency": sorted((BudgetLine(k, agency_names.get(k, k), agency_led.get(k), agency_own.get(k, 0))
                          for k in set(agency_led) | set(agency_own)), key=lambda line: line.label.lower()),
        "source": [BudgetLine(k, source_labels.get(k, (k, None))[0], source_ceiling.get(k), source_realised.get(k, 0),
                              source_labels.get(k, (k, None))[1])
                   for k in sorted(set(source_ceiling) | set(source_realised),
                                   key=lambda k: (k == SEVERAL_SOURCES, k))],
    }
