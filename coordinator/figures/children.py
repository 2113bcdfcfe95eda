"""Children back in school, defined once.

The headline is *distinct children*: those of the by-name list (verval) with a returned outcome, each counted once
whatever the number of actions that followed them, for the action of its first returned outcome by date; plus,
shown apart and labelled so, the children agencies report as returned in aggregate (ProgressOutcome) that are not on
the list: for each action and desa, what the agencies reported minus the list's children returned through that
action there (never below zero). A child reached by two actions and reported by both in aggregate can only be told
apart by name; that is what the list is for.

`returns` is the facts' "child_returns" (figures/collect.child_returns); facts frozen before it existed have none,
and then the list's per-desa counts stand for `by_name` and the aggregates are taken as reported.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass
class ChildrenReturned:
    by_name: int = 0
    reported_only: int = 0
    by_name_month: int = 0
    reported_only_month: int = 0
    reached_month: int = 0  # children reached this month, as the agencies report them (not a distinct count)
    by_area: dict[str, int] = field(default_factory=dict)  # desa (or kecamatan) code -> distinct children
    # (desa code, action id) -> distinct children: which action returned the children of an area
    by_area_action: dict[tuple[str, int], int] = field(default_factory=dict)

    def actions_in(self, kodes: set[str]) -> dict[int, int]:
        """Children returned in these areas, per action (the action a list child counts for)."""
        out: dict[int, int] = defaultdict(int)
        for (kode, action_id), n in self.by_area_action.items():
            if kode in kodes:
                out[action_id] += n
        return dict(out)

    @property
    def distinct_total(self) -> int:
        return self.by_name + self.reported_only

    @property
    def distinct_month(self) -> int:
        return self.by_name_month + self.reported_only_month


def children_returned(actions: Iterable[dict[str, Any]], returns: list[list[Any]] | None,
                      verval: dict[str, list[int]], period: date, period_end: date,
                      desa: set[str] | None = None, credited_to: set[int] | None = None) -> ChildrenReturned:
    """`actions`: the facts' actions whose aggregates count; `desa`: only these areas (None: all);
    `credited_to`: only list children whose first return went through one of these actions (None: any)."""
    out = ChildrenReturned()
    by_area: dict[str, int] = defaultdict(int)
    by_area_action: dict[tuple[str, int], int] = defaultdict(int)
    named: dict[tuple[int, str], int] = defaultdict(int)  # (action, desa) -> list children returned through it
    named_month: dict[tuple[int, str], int] = defaultdict(int)
    if returns is not None:
        for kode, cases in returns:
            if desa is not None and kode not in desa:
                continue
            for action_id, when in cases:
                named[(action_id, kode)] += 1
                named_month[(action_id, kode)] += period <= date.fromisoformat(when) <= period_end
            first_action, first_date = cases[0][0], date.fromisoformat(cases[0][1])
            if credited_to is not None and first_action not in credited_to:
                continue
            out.by_name += 1
            out.by_name_month += first_date >= period
            by_area[kode] += 1
            by_area_action[(kode, first_action)] += 1
    else:
        for kode, row in verval.items():
            if desa is None or kode in desa:
                out.by_name, out.by_name_month = out.by_name + row[3], out.by_name_month + row[4]
                by_area[kode] += row[3]
    reported: dict[tuple[int, str], int] = defaultdict(int)
    reported_month: dict[tuple[int, str], int] = defaultdict(int)
    for a in actions:
        for kode, p, reached, returned in a["outcomes"]:
            if desa is not None and kode not in desa:
                continue
            reported[(a["id"], kode)] += returned
            if date.fromisoformat(p) == period:
                reported_month[(a["id"], kode)] += returned
                out.reached_month += reached
    for key, n in reported.items():
        extra = max(0, n - named.get(key, 0))
        out.reported_only += extra
        by_area[key[1]] += extra
        if extra:
            by_area_action[(key[1], key[0])] += extra
    out.reported_only_month = sum(max(0, n - named_month.get(k, 0)) for k, n in reported_month.items())
    out.by_area, out.by_area_action = dict(by_area), dict(by_area_action)
    return out
