"""The data of the ATS pages: overview, kecamatan/desa page, intervention coverage.

Every page runs a fixed number of statements whatever the number of desa or
snapshots: the areas once, the live snapshots once, a version of their figures
once, the figures of the snapshots not yet cached once (figures.totals_for,
see cached_totals), the action links once, the actions' status facts in two.

Which interventions target an area: for a kecamatan, actions linked to it or to
one of its desa; for a desa, actions linked to it or to its whole kecamatan.
An intervention is active when its status is neither selesai nor dibatalkan and
it has started (start date on or before today).
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import replace
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from coordinator.actions.status import load_action_facts, status_of
from coordinator.ats.figures import Counts, SnapshotTotals, add_to, empty_counts, live_snapshots, totals_for
from coordinator.ats.page_types import (
    ActionTrend,
    AreaInfo,
    AreaPage,
    ByName,
    Comparison,
    Intervention,
    Outcomes,
    Overview,
    Point,
    Row,
)
from coordinator.core import revision
from coordinator.models import (
    ATS_CATEGORIES,
    FIGURE_AREA,
    FIGURE_RESIDU,
    LEVEL_KECAMATAN,
    Action,
    Area,
    AtsFigure,
    AtsSnapshot,
    Plan,
    ProgressOutcome,
    ProgressUpdate,
    action_area,
)

INACTIVE = ("selesai", "dibatalkan")


# Shared loading ------------------------------------------------------------------------------------------------

def load_areas(session: Session) -> dict[str, AreaInfo]:
    """Every area (1.590 at demo scale 10), read once per process and data revision; not to be changed."""
    def read() -> dict[str, AreaInfo]:
        rows = session.execute(select(Area.kode, Area.nama, Area.level, Area.parent_kode, Area.active))
        return {r[0]: AreaInfo(*r) for r in rows}

    return revision.memoized(session, ("areas",), read)


def _plan_baseline(session: Session) -> tuple[int | None, int | None]:
    """The plan's baseline year and baseline ATS (the first plan; a deployment has one)."""
    row = session.execute(select(Plan.baseline_year, Plan.baseline_ats).order_by(Plan.id).limit(1)).first()
    return (row[0], row[1]) if row else (None, None)


def baseline_snapshot(snapshots: list[AtsSnapshot], year: int | None) -> AtsSnapshot | None:
    """The plan's baseline among live snapshots (sorted by as_of): the earliest dated on or after 1 January of
    the plan's baseline year; without a baseline year, the earliest of all; None when none is that recent."""
    if not snapshots:
        return None
    if not year:
        return snapshots[0]
    start = date(year, 1, 1)
    return min((s for s in snapshots if s.as_of >= start), key=lambda s: (s.as_of, s.id), default=None)


# Totals of a snapshot never change once its figures are saved (an import makes a new snapshot; figures are only
# ever added): they are kept per process, keyed by the snapshot, the id of its newest figure (so figures added to
# a snapshot are seen) and the area tree (the desa rule depends on it). The key statement takes one step down the
# (snapshot_id, id) index per snapshot and reads no figures: counting them instead cost 15-21 ms a page on
# PostgreSQL at scale 10 (bench/load). totals_for loads what is missing.
_TOTALS_CACHE: dict[tuple[object, ...], SnapshotTotals] = {}
_CACHE_LIMIT = 96


def _figure_versions(session: Session, ids: list[int]) -> dict[int, int]:
    newest = (select(func.max(AtsFigure.id)).where(AtsFigure.snapshot_id == AtsSnapshot.id)
              .correlate(AtsSnapshot).scalar_subquery())
    rows = session.execute(select(AtsSnapshot.id, newest).where(AtsSnapshot.id.in_(ids)))
    return {sid: int(top or 0) for sid, top in rows}


def _tree(areas: dict[str, AreaInfo]) -> tuple[dict[str, str | None], int]:
    parents = {k: a.parent_kode for k, a in areas.items()}
    return parents, hash(frozenset(parents.items()))


def cached_totals(session: Session, snapshots: list[AtsSnapshot], areas: dict[str, AreaInfo]
                  ) -> dict[int, SnapshotTotals]:
    """figures.totals_for of these snapshots, computed once per process for each version of their figures."""
    if not snapshots:
        return {}
    parents, tree = revision.memoized(session, ("area-tree",), lambda: _tree(areas))
    versions = _figure_versions(session, [s.id for s in snapshots])
    keys = {s.id: (s.id, s.as_of, s.created_at, versions.get(s.id, 0), tree) for s in snapshots}
    missing = [s for s in snapshots if keys[s.id] not in _TOTALS_CACHE]
    if missing:
        if len(_TOTALS_CACHE) + len(missing) > _CACHE_LIMIT:
            _TOTALS_CACHE.clear()
        for sid, t in totals_for(session, missing, parents).items():
            _TOTALS_CACHE[keys[sid]] = t
    # The cached totals may hold a snapshot object of an earlier session: hand out this session's.
    return {s.id: replace(_TOTALS_CACHE[keys[s.id]], snapshot=s) for s in snapshots}


def _load(session: Session, areas: dict[str, AreaInfo], baseline: bool = True, every: bool = False
          ) -> tuple[list[AtsSnapshot], Comparison, dict[int, SnapshotTotals]]:
    """The live snapshots, and the totals of the (at most three) that the tables compare, or of all of them."""
    snapshots = live_snapshots(session)
    if not snapshots:
        return snapshots, Comparison(), {}
    year, plan_ats = _plan_baseline(session) if baseline else (None, None)
    picks = [snapshots[-1], snapshots[-2] if len(snapshots) > 1 else None,
             baseline_snapshot(snapshots, year) if baseline else None]
    wanted = snapshots if every else list({s.id: s for s in picks if s is not None}.values())
    by_id = cached_totals(session, wanted, areas)
    latest, previous, base = (by_id[s.id] if s is not None else None for s in picks)
    return snapshots, Comparison(latest, previous, base, plan_ats), by_id


def area_series(session: Session, snapshots: list[AtsSnapshot], area: AreaInfo, areas: dict[str, AreaInfo]
                ) -> list[Point]:
    """One area's counts in every snapshot (None where it has none), from the figures of that area and, for a
    kecamatan, of its desa only: one statement."""
    if not snapshots:
        return []
    scope = {area.kode}
    if area.level == LEVEL_KECAMATAN:
        scope |= {k for k, a in areas.items() if a.parent_kode == area.kode}
    rows = session.execute(
        select(AtsFigure.snapshot_id, AtsFigure.kind, AtsFigure.area_kode, AtsFigure.category, AtsFigure.count)
        .where(AtsFigure.area_kode.in_(scope), AtsFigure.kind.in_((FIGURE_AREA, FIGURE_RESIDU)),
               AtsFigure.detail == "", AtsFigure.snapshot_id.in_([s.id for s in snapshots]))
    )
    own: dict[int, Counts] = {}
    desa: dict[int, Counts] = {}  # the desa and their table's residu (figures.py: the kecamatan's count)
    for snapshot_id, kind, kode, category, count in rows:
        target = own if kode == area.kode and kind == FIGURE_AREA else desa
        add_to(target.setdefault(snapshot_id, empty_counts()), category, count)
    return [Point(s.as_of, desa.get(s.id) or own.get(s.id)) for s in snapshots]


def _targets(session: Session) -> dict[int, set[str]]:
    """Live action id -> the area codes it is linked to."""
    out: dict[int, set[str]] = defaultdict(set)
    rows = session.execute(
        select(action_area.c.action_id, action_area.c.area_kode)
        .join(Action, Action.id == action_area.c.action_id).where(Action.deleted_at.is_(None))
    )
    for action_id, kode in rows:
        out[action_id].add(kode)
    return out


def _reach(kodes: set[str], areas: dict[str, AreaInfo], children: dict[str, list[str]]) -> set[str]:
    """The areas an action counts for: those it is linked to, the kecamatan of a linked desa and every desa of a
    linked kecamatan."""
    out = set(kodes)
    for k in kodes:
        a = areas.get(k)
        if a is None:
            continue
        if a.parent_kode:
            out.add(a.parent_kode)
        else:
            out.update(children.get(k, ()))
    return out


def active_counts(session: Session, areas: dict[str, AreaInfo], today: date) -> dict[str, int]:
    """Area code -> number of active interventions targeting it (kecamatan: it or its desa; desa: it or its
    kecamatan). Once per process, data revision and day."""
    return revision.memoized(session, ("active-counts", today),
                             lambda: _count_active(session, areas, today))


def _count_active(session: Session, areas: dict[str, AreaInfo], today: date) -> dict[str, int]:
    targets = _targets(session)
    if not targets:
        return {}
    facts = {f.id: f for f in load_action_facts(session, list(targets))}
    children: dict[str, list[str]] = defaultdict(list)
    for kode, a in areas.items():
        if a.parent_kode:
            children[a.parent_kode].append(kode)
    counts: dict[str, int] = defaultdict(int)
    for action_id, kodes in targets.items():
        f = facts.get(action_id)
        if f is None or f.status(today) in INACTIVE or f.start_date > today:
            continue
        for kode in _reach(kodes, areas, children):
            counts[kode] += 1
    return dict(counts)


def _rank(rows: list[Row]) -> None:
    ranked = sorted((r for r in rows if r.latest is not None), key=lambda r: (-(r.total or 0), r.nama))
    for i, r in enumerate(ranked, start=1):
        r.rank = i
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.nama))


def _get(t: SnapshotTotals | None, level: str, kode: str) -> Counts | None:
    if t is None:
        return None
    return (t.kecamatan if level == LEVEL_KECAMATAN else t.desa).get(kode)


def _row(cmp: Comparison, area: AreaInfo, active: dict[str, int]) -> Row:
    return Row(
        kode=area.kode, nama=area.nama, latest=_get(cmp.latest, area.level, area.kode),
        previous=_get(cmp.previous, area.level, area.kode), baseline=_get(cmp.baseline, area.level, area.kode),
        active_interventions=active.get(area.kode, 0),
        from_desa=bool(cmp.latest and area.kode in cmp.latest.from_desa),
    )


# Pages ---------------------------------------------------------------------------------------------------------

def overview(session: Session, today: date) -> Overview:
    areas = load_areas(session)
    snapshots, cmp, by_id = _load(session, areas, every=True)
    series = [Point(s.as_of, by_id[s.id].total) for s in snapshots]
    if cmp.latest is None:
        return Overview(series, cmp, [], None, None, [])
    active = active_counts(session, areas, today)
    rows = [_row(cmp, a, active) for a in areas.values()
            if a.level == LEVEL_KECAMATAN and (a.active or a.kode in cmp.latest.kecamatan)]
    _rank(rows)

    def whole(attr: str) -> Row:
        def pick(t: SnapshotTotals | None) -> Counts | None:
            return getattr(t, attr) if t is not None else None
        return Row(None, attr, pick(cmp.latest), pick(cmp.previous), pick(cmp.baseline))

    mismatches = [(k, areas[k].nama if k in areas else k, desa_sum, row)
                  for k, desa_sum, row in cmp.latest.mismatches()]
    return Overview(series, cmp, rows, whole("residu"), whole("total"), mismatches)


def action_trend(session: Session, area_kodes: list[str]) -> ActionTrend:
    """Per live snapshot, the sum of the totals of an action's target areas: the kecamatan total of a targeted
    kecamatan, the desa total of a targeted desa not inside a targeted kecamatan; the regency total when the
    action targets no area. None where the snapshot has figures for none of them. A fixed number of statements
    (the cached totals of the live snapshots)."""
    areas = load_areas(session)
    snapshots, _cmp, by_id = _load(session, areas, baseline=False, every=True)
    known = [k for k in dict.fromkeys(area_kodes) if k in areas]
    kec = sorted(k for k in known if areas[k].level == LEVEL_KECAMATAN)
    desa = sorted(k for k in known if areas[k].level != LEVEL_KECAMATAN and areas[k].parent_kode not in kec)
    if not area_kodes:
        return ActionTrend([Point(s.as_of, by_id[s.id].total) for s in snapshots], "regency", [], [])
    series = []
    for s in snapshots:
        t = by_id[s.id]
        parts = [t.kecamatan[k] for k in kec if k in t.kecamatan] + [t.desa[d] for d in desa if d in t.desa]
        counts: Counts | None = None
        if parts:
            counts = empty_counts()
            for c in parts:
                for cat in ATS_CATEGORIES:
                    add_to(counts, cat, c[cat])
        series.append(Point(s.as_of, counts))
    scope = "mixed" if kec and desa else "kecamatan" if kec else "desa"
    return ActionTrend(series, scope, kec, desa)


def _outcomes(session: Session, kodes: list[str]) -> tuple[Outcomes, list[Outcomes]]:
    """Outcomes of counted (accepted, in force) reports of live actions in these areas: summed, and per month."""
    stmt = (
        select(ProgressUpdate.period, func.sum(ProgressOutcome.reached), func.sum(ProgressOutcome.returned_formal),
               func.sum(ProgressOutcome.returned_paket), func.sum(ProgressOutcome.returned_pesantren),
               func.sum(ProgressOutcome.returned_lkp))
        .join(ProgressUpdate, ProgressUpdate.id == ProgressOutcome.update_id)
        .join(Action, Action.id == ProgressUpdate.action_id)
        .where(ProgressOutcome.area_kode.in_(kodes), ProgressUpdate.counted.is_(True),
               Action.deleted_at.is_(None))
        .group_by(ProgressUpdate.period).order_by(ProgressUpdate.period)
    )
    total = Outcomes()
    periods = []
    for period, reached, formal, paket, pesantren, lkp in session.execute(stmt):
        o = Outcomes(int(reached or 0), int(formal or 0), int(paket or 0), int(pesantren or 0), int(lkp or 0),
                     period)
        periods.append(o)
        for name in ("reached", "formal", "paket", "pesantren", "lkp"):
            setattr(total, name, getattr(total, name) + getattr(o, name))
    return total, periods


def _interventions(session: Session, area: AreaInfo, areas: dict[str, AreaInfo], today: date) -> list[Intervention]:
    if area.level == LEVEL_KECAMATAN:
        scope = {area.kode} | {k for k, a in areas.items() if a.parent_kode == area.kode}
    else:
        scope = {area.kode} | ({area.parent_kode} if area.parent_kode else set())
    ids = select(action_area.c.action_id).where(action_area.c.area_kode.in_(scope))
    actions = session.scalars(
        select(Action).where(Action.id.in_(ids), Action.deleted_at.is_(None))
        .options(selectinload(Action.lead_agency), selectinload(Action.supporting_agencies),
                 selectinload(Action.areas))
        .order_by(Action.start_date, Action.code)
    ).all()
    # Statuses from the facts kept per data revision: the milestones need not be loaded again for each area.
    facts = {f.id: f for f in load_action_facts(session, [a.id for a in actions])}
    out = []
    for a in actions:
        status = facts[a.id].status(today) if a.id in facts else status_of(a, today)
        active = status not in INACTIVE and a.start_date <= today
        out.append(Intervention(a, status, active, direct=any(x.kode == area.kode for x in a.areas)))
    return out


def area_page(session: Session, kode: str, today: date) -> AreaPage | None:
    areas = load_areas(session)
    area = areas.get(kode)
    if area is None:
        return None
    snapshots, cmp, _totals = _load(session, areas)
    series = area_series(session, snapshots, area, areas)
    active = active_counts(session, areas, today)
    row = _row(cmp, area, active)
    desa_rows: list[Row] = []
    if area.level == LEVEL_KECAMATAN:
        desa_rows = [_row(cmp, a, active) for a in areas.values()
                     if a.parent_kode == kode and (a.active or (cmp.latest and a.kode in cmp.latest.desa))]
        _rank(desa_rows)
    has_desa_rows = bool(cmp.latest and kode in cmp.latest.from_desa)
    without_desa = None
    if area.level == LEVEL_KECAMATAN and has_desa_rows:
        def unplaced(t: SnapshotTotals | None) -> Counts | None:
            return t.without_desa.get(kode) if t is not None and kode in t.from_desa else None

        without_desa = Row(None, "", unplaced(cmp.latest), unplaced(cmp.previous), unplaced(cmp.baseline))
    scope = [kode] + [k for k, a in areas.items() if a.parent_kode == kode]
    total, periods = _outcomes(session, scope)
    return AreaPage(area, areas.get(area.parent_kode or ""), series, cmp, row, desa_rows, has_desa_rows,
                    _interventions(session, area, areas, today), total, periods, _by_name(session, scope),
                    without_desa)


def _by_name(session: Session, kodes: list[str]) -> ByName | None:
    from coordinator.verval.verification import desa_figures  # the one counting rule of the verval figures

    # Every desa's figures in one statement per data revision; an area page sums its own.
    every = revision.memoized(session, ("verval-desa-figures",),
                              lambda: {f.kode: f for f in desa_figures(session)})
    found = ByName()
    for f in (every[k] for k in kodes if k in every):
        found.listed += f.listed
        found.verified += f.verified
        found.valid_ats += f.valid_ats
        found.returned += f.returned
    return found if found.listed else None


def coverage(session: Session, level: str, today: date) -> tuple[list[Row], Comparison]:
    """Areas of one level ranked by ATS of the latest snapshot, with their active interventions; the top third
    by ATS with no active intervention is flagged."""
    areas = load_areas(session)
    _snapshots, cmp, _totals = _load(session, areas, baseline=False)
    if cmp.latest is None:
        return [], cmp
    active = active_counts(session, areas, today)
    figures = cmp.latest.kecamatan if level == LEVEL_KECAMATAN else cmp.latest.desa
    rows = []
    for kode in figures:
        area = areas.get(kode)
        if area is None:
            continue
        r = _row(cmp, area, active)
        parent = areas.get(area.parent_kode or "")
        r.parent_nama = parent.nama if parent else None
        rows.append(r)
    _rank(rows)
    top = math.ceil(len(rows) / 3)
    for r in rows:
        r.flagged = r.rank is not None and r.rank <= top and (r.total or 0) > 0 and r.active_interventions == 0
    return rows, cmp
