"""The budget, defined once: the ceiling (pagu) is the sum of the actions' budgets (their funding sources' amounts),
the realisation the sum of each agency's own latest cumulative realisation per action (figures/collect), absorption
their ratio. Cancelled actions count in neither: their ceiling will not be spent. Facts frozen before agencies'
realisations were kept apart fall back to each action's latest report."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


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
