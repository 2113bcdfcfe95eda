"""Limits an imported RAD matrix must keep, so that a value too long or too large for its column is a row
error naming the sheet and column, never a database error (a 500) on save."""
from __future__ import annotations

from typing import Any

from coordinator.core.errors import N_
from coordinator.rad_matrix.import_run import ImportRun
from coordinator.rad_matrix.layout import PLAN_FIELDS, PLAN_SHEET, MatrixPlan

MAX_BUDGET = 10**15  # Rp 1.000 triliun: far above any action, far below what the BIGINT column holds
MAX_PILLAR = 999
MAX_ATS = 10**9
PLAN_YEARS = ("start_year", "end_year", "baseline_year")
PLAN_TEXTS = (("name", 200), ("legal_basis", 200))
# Indicator columns (models.Indicator) -> length; "code" and "name" as on the Indikator sheet.
INDICATOR_TEXTS = (("code", 20), ("name", 300), ("unit", 40), ("data_source", 200))
TOO_LONG = N_("Paling banyak %(n)d karakter.")


def plan_value_errors(run: ImportRun, mp: MatrixPlan) -> bool:
    """Records an error for each value of the Rencana sheet its column cannot hold; True when there was one."""
    labels = dict(PLAN_FIELDS)
    before = len(run.p.errors)

    def bad(key: str, message: str, **params: Any) -> None:
        run.error(None, None, message, params, sheet=PLAN_SHEET, header=labels[key])

    for key in PLAN_YEARS:
        value = getattr(mp, key)
        if value is not None and not 2000 <= value <= 2100:
            bad(key, N_("Tahun harus antara 2000 dan 2100."))
    for key in ("baseline_ats", "target_ats"):
        value = getattr(mp, key)
        if value is not None and not 0 <= value <= MAX_ATS:
            bad(key, N_("Harus antara %(lo)d dan %(hi)d."), lo=0, hi=MAX_ATS)
    for key, limit in PLAN_TEXTS:
        if len((getattr(mp, key) or "").strip()) > limit:
            bad(key, TOO_LONG, n=limit)
    return len(run.p.errors) > before


def too_long_indicator_field(values: dict[str, str | None]) -> tuple[str, int] | None:
    """The first of an indicator's texts longer than its column, as (field, limit)."""
    for key, limit in INDICATOR_TEXTS:
        if len((values.get(key) or "").strip()) > limit:
            return key, limit
    return None
