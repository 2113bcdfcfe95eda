"""The optional sheets of a RAD matrix: "Indikator" (one row per indicator, with its targets per year
and quarter) and "Rencana" (label in column A, value in B)."""
from __future__ import annotations

import re
from typing import Any

from coordinator.core.errors import N_
from coordinator.rad_matrix.dates import ROMAN
from coordinator.rad_matrix.layout import (
    INDICATOR_COLUMNS,
    PLAN_FIELDS,
    Issue,
    MatrixIndicatorDef,
    MatrixPlan,
    ParsedMatrix,
)
from coordinator.rad_matrix.parse_cells import NotANumber, Sheet, as_int, free_text, norm_header, one_line, parse_number

NO_INDICATOR_HEADER = N_("Lembar %(sheet)s: baris judul kolom (Kode, Nama indikator) tidak ditemukan.")
INDICATOR_INCOMPLETE = N_("Lembar %(sheet)s, baris %(row)s: kode atau nama indikator kosong.")
INDICATOR_TWICE = N_("Lembar %(sheet)s, baris %(row)s: kode indikator %(code)s sudah dipakai di baris %(first)s.")
BAD_DIRECTION = N_("Lembar %(sheet)s, baris %(row)s, kolom %(column)s: arah \"%(value)s\" harus naik atau turun.")
SHEET_NOT_A_NUMBER = N_("Lembar %(sheet)s, baris %(row)s, kolom %(column)s: \"%(value)s\" bukan angka.")
_TARGET = re.compile(r"target (20\d\d)(?: (?:tw|triwulan|q) ?(iv|iii|ii|i|[1-4]))?")


def _error(result: ParsedMatrix, sheet: Sheet, row: int, message: str, column: str | None = None,
           **params: Any) -> None:
    params.update(sheet=sheet.name, row=row)
    if column is not None:
        params["column"] = column
    result.errors.append(Issue(row, message, params, sheet.name, column))


def _number(result: ParsedMatrix, sheet: Sheet, r: int, column: str, value: Any) -> float | None:
    try:
        return parse_number(value)
    except NotANumber:
        _error(result, sheet, r + 1, SHEET_NOT_A_NUMBER, column, value=one_line(value)[:30])
        return None


def target_header(year: int, quarter: int | None) -> str:
    return f"Target {year}" + (f" TW {['I', 'II', 'III', 'IV'][quarter - 1]}" if quarter else "")


def read_indicator_defs(sheet: Sheet, result: ParsedMatrix) -> None:
    names = {norm_header(written): key for key, written in INDICATOR_COLUMNS}
    h = next((r for r in range(min(20, len(sheet.rows)))
              if {"code", "name"} <= {names.get(norm_header(c)) for c in sheet.rows[r]}), None)
    if h is None:
        if any(free_text(c) for row in sheet.rows for c in row):
            result.errors.append(Issue(None, NO_INDICATOR_HEADER, {"sheet": sheet.name}, sheet.name))
        return
    cols: dict[str, int] = {}
    targets: dict[int, tuple[int, int | None]] = {}
    written: dict[int, str] = {}
    for c, value in enumerate(sheet.rows[h]):
        text, written[c] = norm_header(value), one_line(value)
        if text in names and names[text] not in cols:
            cols[names[text]] = c
        elif m := _TARGET.fullmatch(text):
            q = m.group(2)
            targets[c] = (int(m.group(1)), (ROMAN.get(q) or int(q)) if q else None)
    seen: dict[str, int] = {}
    for r in range(h + 1, len(sheet.rows)):
        if not any(free_text(c) for c in sheet.rows[r]):
            continue
        values = {key: sheet.cell(r, c) for key, c in cols.items()}
        code, name = one_line(values.get("code")), free_text(values.get("name"))
        if not code or not name:
            _error(result, sheet, r + 1, INDICATOR_INCOMPLETE)
            continue
        if code in seen:
            _error(result, sheet, r + 1, INDICATOR_TWICE, code=code, first=seen[code])
            continue
        seen[code] = r + 1
        d = MatrixIndicatorDef(row=r + 1, code=code, name=name)
        for key in ("definition", "data_source", "ats_metric", "ats_area"):
            setattr(d, key, free_text(values.get(key)) or None)
        d.unit = one_line(values.get("unit")) or None
        direction = one_line(values.get("direction")).lower()
        if direction in ("naik", "turun"):
            d.direction = direction
        elif direction:
            _error(result, sheet, r + 1, BAD_DIRECTION, written[cols["direction"]], value=direction[:20])
        if "baseline" in cols:
            d.baseline = _number(result, sheet, r, written[cols["baseline"]], values.get("baseline"))
        if "baseline_year" in cols:
            d.baseline_year = as_int(_number(result, sheet, r, written[cols["baseline_year"]],
                                             values.get("baseline_year")))
        d.action_codes = [c.rstrip(".") for c in re.split(r"[\s,;]+", free_text(values.get("actions"))) if c]
        for c, year_quarter in targets.items():
            value = _number(result, sheet, r, written[c], sheet.cell(r, c))
            if value is not None:
                d.targets[year_quarter] = value
        result.indicator_defs.append(d)


def read_plan(sheet: Sheet, result: ParsedMatrix) -> MatrixPlan:
    labels = {norm_header(label): key for key, label in PLAN_FIELDS}
    plan = MatrixPlan()
    for r, row in enumerate(sheet.rows):
        key = labels.get(norm_header(row[0] if row else None))
        if key is None:
            continue
        value = sheet.cell(r, 1)
        if key in ("name", "legal_basis", "description"):
            setattr(plan, key, free_text(value) or None)
        else:
            setattr(plan, key, as_int(_number(result, sheet, r, one_line(row[0]), value)))
    return plan


# The title rows above the table, as agencies head their matrices: "TAHUN 2026-2028", "2026 s.d. 2028",
# "Baseline ATS (2025): 13.411 anak", "Kondisi awal ATS tahun 2024 sebanyak 13.411 anak", "Target ATS 2028 = 6.700".
# A school year ("Tahun Pelajaran 2025-2026") is not the plan's period, and a year is never a number of children.
_PERIOD = re.compile(r"(?<!pelajaran )(?<!ajaran )\b(20\d\d)\s*(?:-|–|—|s\.?\s*/?\s*d\.?|sampai(?:\s+dengan)?|hingga)"
                     r"\s*(20\d\d)\b", re.I)
_FIGURE = (r"\s*(?:ats\s*)?(?:(?:tahun|th\.?)\s*)?\(?(20\d\d)?\)?\s*"
           r"(?:[:=]|sebanyak|sejumlah|berjumlah|adalah|yaitu|ialah)?\s*(\d{1,3}(?:\.\d{3})+|\d+)(?![\d.])")
_BASELINE = re.compile(r"\b(?:baseline|kondisi awal|data dasar)" + _FIGURE, re.I)
_TARGET_ATS = re.compile(r"\btarget" + _FIGURE, re.I)


def _count(m: re.Match[str] | None) -> tuple[int, int | None] | None:
    """(children, year) of a baseline or target phrase; None for "Baseline Tahun 2025" (a year, no count)."""
    if m is None or (not m.group(1) and re.fullmatch(r"20\d\d", m.group(2))):
        return None
    return int(m.group(2).replace(".", "")), int(m.group(1)) if m.group(1) else None


def plan_from_title(lines: list[str]) -> MatrixPlan | None:
    """What the title rows say of the plan: its period, baseline and target ATS; None when they say nothing."""
    text = " ".join(" ".join(lines).split())
    plan = MatrixPlan()
    period = _PERIOD.search(text)
    if period and int(period.group(1)) <= int(period.group(2)):
        plan.start_year, plan.end_year = int(period.group(1)), int(period.group(2))
    baseline = _count(_BASELINE.search(text))
    if baseline:
        plan.baseline_ats, plan.baseline_year = baseline
    target = _count(_TARGET_ATS.search(text))
    if target:
        plan.target_ats = target[0]
    return plan if plan != MatrixPlan() else None
