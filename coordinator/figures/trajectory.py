"""The path to the target: a straight line from the baseline count on its date to the plan's target at the end of
its last year. "Where we should be" is that line on a given day; the leaders' summary and the monthly report both
read it from here."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Trajectory:
    start: date
    start_total: int
    end: date
    target: int

    def on(self, day: date) -> int:
        """Where the count should be on `day` (before the start: the baseline; after the end: the target)."""
        span = (self.end - self.start).days
        if span <= 0 or day <= self.start:
            return self.start_total
        share = min((day - self.start).days / span, 1.0)
        return round(self.start_total + (self.target - self.start_total) * share)


def trajectory(baseline: int | None, baseline_date: date | None, target: int | None, end_year: int | None
               ) -> Trajectory | None:
    if baseline is None or baseline_date is None or target is None or not end_year:
        return None
    return Trajectory(baseline_date, baseline, date(end_year, 12, 31), target)
