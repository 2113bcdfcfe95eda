"""The indicators of an imported RAD matrix (part of importing's run).

An indicator is found by its code (Indikator sheet) or by its name, without case; a new one gets
the next free code like IND-07. What the Indikator sheet says wins over what an action's row says;
a value the file leaves empty keeps the value in the database. Targets are set per (year, quarter),
links to actions only added: nothing is removed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from coordinator.core.errors import N_, DomainError
from coordinator.indicators.tracking import IndicatorInput, live_indicators, period_key, save_indicator, set_target
from coordinator.models import Action, Indicator, Plan
from coordinator.rad_matrix.import_checks import TOO_LONG, too_long_indicator_field
from coordinator.rad_matrix.import_run import ImportRun
from coordinator.rad_matrix.layout import INDICATOR_COLUMNS, INDICATOR_SHEET
from coordinator.rad_matrix.resolve import resolve_location

SHEET_HEADERS = dict(INDICATOR_COLUMNS)
FIELD_COLUMN = {"baseline_value": "baseline", "ats_area_kode": "ats_area", "action_ids": "actions"}
CODE_RE = re.compile(r"^ind-(\d+)$")


@dataclass
class _Spec:
    name: str
    row: int | None
    from_sheet: bool = False
    code: str | None = None
    definition: str | None = None
    unit: str | None = None
    direction: str | None = None
    baseline: float | None = None
    baseline_year: int | None = None
    data_source: str | None = None
    ats_metric: str | None = None
    ats_area: str | None = None
    action_codes: list[str] = field(default_factory=list)
    targets: dict[tuple[int, int | None], float] = field(default_factory=dict)


def _key(name: str) -> str:
    return " ".join(str(name).lower().split())


def _state(ind: Indicator, targets: dict[tuple[int, int | None], float]) -> tuple[Any, ...]:
    return (ind.code, ind.name, ind.definition, ind.unit, ind.direction, ind.baseline_value, ind.baseline_year,
            ind.data_source, ind.ats_metric, ind.ats_area_kode, sorted(a.id for a in ind.actions),
            sorted(targets.items(), key=lambda kv: period_key(*kv[0])))


def _specs(run: ImportRun) -> list[_Spec]:
    specs: dict[str, _Spec] = {}
    for d in run.parsed.indicator_defs:
        key = _key(d.name)
        if key in specs:
            run.error(d.row, None, N_("Indikator \"%(name)s\" tertulis dua kali."), sheet=INDICATOR_SHEET,
                      header=SHEET_HEADERS["name"], name=d.name)
            continue
        specs[key] = _Spec(d.name.strip(), d.row, True, (d.code or "").strip() or None, d.definition, d.unit,
                           d.direction, d.baseline, d.baseline_year, d.data_source, d.ats_metric, d.ats_area,
                           list(d.action_codes), dict(d.targets))
    for ma in run.parsed.actions:
        for mi in ma.indicators:
            spec = specs.setdefault(_key(mi.name), _Spec(mi.name.strip(), mi.row))
            spec.unit = spec.unit or mi.unit
            spec.baseline = spec.baseline if spec.baseline is not None else mi.baseline
            year = mi.target_year or run.parsed.default_year
            if year is None and (mi.target is not None or mi.quarter_targets):
                run.warn(mi.row, N_("Target indikator \"%(name)s\" tanpa tahun tidak disimpan."), name=mi.name)
            elif year is not None:
                if mi.target is not None:
                    spec.targets.setdefault((year, None), mi.target)
                for quarter, value in mi.quarter_targets.items():
                    spec.targets.setdefault((year, quarter), value)
            if ma.code.strip() not in spec.action_codes:
                spec.action_codes.append(ma.code.strip())
    return list(specs.values())


def import_indicators(run: ImportRun, plan: Plan) -> None:
    s = run.s
    existing = live_indicators(s, plan.id)
    by_code = {i.code.lower(): i for i in existing}
    by_name: dict[str, Indicator] = {}
    for known in existing:
        by_name.setdefault(_key(known.name), known)
    used = {c.lower() for c in s.scalars(select(Indicator.code).where(Indicator.plan_id == plan.id))}
    numbers = [int(m.group(1)) for m in map(CODE_RE.match, used) if m]
    counter = max(numbers, default=0)
    live_actions: dict[str, int] = {c: i for c, i in s.execute(
        select(Action.code, Action.id).where(Action.deleted_at.is_(None)))}
    file_codes = {a.code.strip() for a in run.parsed.actions}

    def error(spec: _Spec, column: str, message: str, params: dict[str, Any] | None = None, **kw: Any) -> None:
        if spec.from_sheet:
            run.error(spec.row, None, message, params, sheet=INDICATOR_SHEET, header=SHEET_HEADERS.get(column), **kw)
        else:
            run.error(spec.row, "indicator", message, params, **kw)

    for spec in _specs(run):
        ind: Indicator | None = by_code.get(spec.code.lower()) if spec.code else None
        ind = ind or by_name.get(_key(spec.name))
        old_targets = {(t.year, t.quarter): t.value for t in ind.targets} if ind else {}
        before = _state(ind, old_targets) if ind else None

        def keep(value: Any, attr: str, current: Indicator | None = ind) -> Any:
            return value if value not in (None, "") else (getattr(current, attr) if current else None)

        code = spec.code or (ind.code if ind else None)
        if code is None:
            counter += 1
            while f"ind-{counter:02d}" in used:
                counter += 1
            code = f"IND-{counter:02d}"
        used.add(code.lower())
        unit = keep(spec.unit, "unit")
        if not unit:
            error(spec, "unit", N_("Satuan indikator \"%(name)s\" wajib diisi."), name=spec.name)
            continue
        long = too_long_indicator_field({"code": code, "name": spec.name, "unit": unit,
                                         "data_source": spec.data_source})
        if long is not None:
            error(spec, long[0], TOO_LONG, n=long[1])
            continue
        baseline = keep(spec.baseline, "baseline_value")
        direction = (spec.direction or "").strip().lower() or (ind.direction if ind else None)
        if not direction:
            latest = max(spec.targets.items(), key=lambda kv: period_key(*kv[0]), default=None)
            target = latest[1] if latest else None
            direction = "turun" if target is not None and baseline is not None and target < baseline else "naik"
        area_kode = ind.ats_area_kode if ind else None
        if spec.ats_area:
            found = resolve_location(run.areas, spec.ats_area)
            if found.error:
                error(spec, "ats_area", found.error, name=spec.ats_area)
                continue
            area_kode = found.kode
        action_ids = {a.id for a in ind.actions if a.deleted_at is None} if ind else set()
        for c in spec.action_codes:
            if c in live_actions:
                action_ids.add(live_actions[c])
            elif c not in file_codes:  # an action of the file that failed has its own error already
                error(spec, "actions", N_("Aksi terkait %(code)s tidak ditemukan."), code=c)
        data = IndicatorInput(code=code, name=spec.name, definition=keep(spec.definition, "definition"), unit=unit,
                              direction=direction, baseline_value=baseline,
                              baseline_year=keep(spec.baseline_year, "baseline_year"),
                              data_source=keep(spec.data_source, "data_source"),
                              action_ids=sorted(action_ids), ats_metric=keep(spec.ats_metric, "ats_metric"),
                              ats_area_kode=area_kode)
        try:
            ind = save_indicator(s, ind, plan, data)
            new_targets = dict(old_targets)
            for (year, quarter), value in sorted(spec.targets.items(), key=lambda kv: period_key(*kv[0])):
                if old_targets.get((year, quarter)) != value:
                    set_target(s, ind, year, quarter, float(value))
                new_targets[(year, quarter)] = float(value)
        except DomainError as err:
            field_name = FIELD_COLUMN.get(err.field or "", err.field or "")
            error(spec, field_name, err.message, err.params)
            continue
        run.p.counts["indicators"].add(before, _state(ind, new_targets))
