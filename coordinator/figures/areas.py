"""Per-area tables that add up: the rows, plus a residu row (children counted in the total but in none of the
rows: a Pusdatin count without a kecamatan or desa, or areas the table leaves out), plus the total. The residu is
the total minus the rows, so the column always sums to the figure at the top of the page."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass
class AreaSums:
    """One column's rows, residu and total; None where the total is unknown."""

    rows: int | None
    residu: int | None
    total: int | None


def column(values: Iterable[int | None], total: int | None) -> AreaSums:
    known = [v for v in values if v is not None]
    rows = sum(known) if known else None
    if total is None:
        return AreaSums(rows, None, rows)
    return AreaSums(rows, total - (rows or 0), total)


def change_pct(now: int | None, baseline: int | None) -> float | None:
    """Change since baseline as a share (−0,25 for a quarter fewer); None without a baseline."""
    if now is None or not baseline:
        return None
    return (now - baseline) / baseline


def area_sums(rows: Sequence[Any], ats: dict[str, Any], kec_key: str | None, plan_baseline: int | None,
              returned: int) -> dict[str, AreaSums]:
    """Each column of the area table with its residu and total: the total is the figure at the top of the
    report (the regency's, or the kecamatan's), so rows plus residu always add up to it."""
    baseline = ats_count(ats["baseline"], kec_key)
    return {"baseline": column((r.baseline for r in rows), baseline if baseline is not None else plan_baseline),
            "last_month": column((r.last_month for r in rows), ats_count(ats["previous"], kec_key)),
            "now": column((r.now for r in rows), ats_count(ats["latest"], kec_key)),
            "returned": column((r.returned for r in rows), returned)}


def ats_count(counts: dict[str, Any] | None, kode: str | None = None, level: str = "kecamatan") -> int | None:
    if counts is None:
        return None
    if kode is None:
        return int(counts["total"]["total"])
    row = counts[level].get(kode)
    return int(row["total"]) if row else None
