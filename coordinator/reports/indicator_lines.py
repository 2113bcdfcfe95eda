"""The indicators of a month's report, judged against their targets from the month's facts alone (the same rules as
the indicator pages: indicators/tracking.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from coordinator.core.formatting import PeriodName
from coordinator.indicators.tracking import STATUS_NO_DATA, STATUS_OFF_TRACK, STATUS_ON_TRACK, natural_key, period_rows


@dataclass
class IndicatorLine:
    code: str
    name: str
    unit: str
    direction: str
    baseline: float | None
    target: float | None
    actual: float | None
    actual_period: PeriodName | None  # "TW III 2026" or "Q3 2026", in the language it is shown in
    light: str  # on_track | off_track | no_data


def indicator_lines(facts: dict[str, Any], year: int) -> list[IndicatorLine]:
    out = []
    for ind in sorted(facts["indicators"], key=lambda i: natural_key(i["code"])):  # I-2 before I-10
        shim = SimpleNamespace(
            direction=ind["direction"], baseline_value=ind["baseline"],
            targets=[SimpleNamespace(id=k, year=y, quarter=q, value=v) for k, (y, q, v) in enumerate(ind["targets"])],
            values=[SimpleNamespace(id=k, year=y, quarter=q, value=v, source=None, note=None, entered_by_id=None,
                                    entered_at=datetime.fromisoformat(at))
                    for k, (y, q, v, at) in enumerate(ind["values"])])
        rows = period_rows(shim)  # type: ignore[arg-type]
        latest = next((r for r in reversed(rows) if r.actual is not None), None)
        year_targets = [t for t in ind["targets"] if t[0] == year]
        target = next((t[2] for t in year_targets if t[1] is None), None)
        if target is None and year_targets:
            target = max(year_targets, key=lambda t: t[1] or 0)[2]
        if latest is None or latest.on_track is None:
            light = STATUS_NO_DATA
        else:
            light = STATUS_ON_TRACK if latest.on_track else STATUS_OFF_TRACK
        label = None
        if latest is not None:
            label = PeriodName(latest.year, latest.quarter)  # "TW III 2026" as on the pages
        out.append(IndicatorLine(ind["code"], ind["name"], ind["unit"], ind["direction"], ind["baseline"], target,
                                 latest.actual if latest else None, label, light))
    return out
