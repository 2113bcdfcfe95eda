"""What the ATS pages show: areas, table rows, the snapshots compared, an area's page and its interventions."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from coordinator.ats.figures import Counts, SnapshotTotals
from coordinator.models import Action


@dataclass(frozen=True)  # shared between requests (pages.load_areas)
class AreaInfo:
    kode: str
    nama: str
    level: str
    parent_kode: str | None
    active: bool


@dataclass
class Row:
    """One line of a table: an area (or the residu, or the regency total) at latest, previous and baseline."""

    kode: str | None
    nama: str
    latest: Counts | None
    previous: Counts | None = None
    baseline: Counts | None = None
    rank: int | None = None
    active_interventions: int = 0
    from_desa: bool = False
    flagged: bool = False
    parent_nama: str | None = None

    @property
    def total(self) -> int | None:
        return self.latest["total"] if self.latest else None

    def _change(self, other: Counts | None) -> int | None:
        if self.latest is None or other is None:
            return None
        return self.latest["total"] - other["total"]

    def _ratio(self, other: Counts | None) -> float | None:
        change = self._change(other)
        if change is None or other is None or other["total"] == 0:
            return None
        return change / other["total"]

    @property
    def change(self) -> int | None:
        return self._change(self.previous)

    @property
    def change_pct(self) -> float | None:
        return self._ratio(self.previous)

    @property
    def change_baseline(self) -> int | None:
        return self._change(self.baseline)

    @property
    def change_baseline_pct(self) -> float | None:
        return self._ratio(self.baseline)


@dataclass
class Point:
    as_of: date
    counts: Counts | None


@dataclass
class Comparison:
    """The three snapshots a table compares: latest, the one before it, and the plan's baseline."""

    latest: SnapshotTotals | None = None
    previous: SnapshotTotals | None = None
    baseline: SnapshotTotals | None = None
    plan_baseline_ats: int | None = None  # Plan.baseline_ats, as the plan states it

    @property
    def baseline_differs(self) -> bool:
        """The plan states a baseline ATS and the baseline snapshot's regency total is another number."""
        return (self.baseline is not None and self.plan_baseline_ats is not None
                and self.baseline.total["total"] != self.plan_baseline_ats)


@dataclass
class Overview:
    series: list[Point]
    cmp: Comparison
    rows: list[Row]
    residu: Row | None
    total: Row | None
    mismatches: list[tuple[str, str, int, int]]  # kode, nama, desa sum + residu, kecamatan row


@dataclass
class Intervention:
    action: Action
    status: str
    active: bool
    direct: bool  # linked to this very area (else through its kecamatan or its desa)


@dataclass
class Outcomes:
    reached: int = 0
    formal: int = 0
    paket: int = 0
    pesantren: int = 0
    lkp: int = 0
    period: date | None = None

    @property
    def returned(self) -> int:
        return self.formal + self.paket + self.pesantren + self.lkp


@dataclass
class AreaPage:
    area: AreaInfo
    parent: AreaInfo | None
    series: list[Point]
    cmp: Comparison
    row: Row
    desa_rows: list[Row]
    has_desa_rows: bool
    interventions: list[Intervention]
    outcomes: Outcomes
    outcomes_by_period: list[Outcomes] = field(default_factory=list)
    by_name: ByName | None = None  # the village verification of the by-name list, when any child is listed
    # The kecamatan's children whose desa is unknown (its desa table's Residu row): in the kecamatan's figure.
    without_desa: Row | None = None


@dataclass
class ByName:
    """Aggregates of the by-name list for an area and its desa (no child's data): each child counted once."""

    listed: int = 0
    verified: int = 0
    valid_ats: int = 0
    returned: int = 0


@dataclass
class ActionTrend:
    """The ATS of an action's target areas in every live snapshot."""

    series: list[Point]
    scope: str  # "regency" (no target area), "kecamatan", "desa" or "mixed"
    kecamatan: list[str]  # targeted kecamatan counted whole
    desa: list[str]  # targeted desa outside a targeted kecamatan
