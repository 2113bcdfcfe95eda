"""Writing the RAD matrix as XLSX in the layout parse reads back: what we write is what we read.

Title lines, a blank row, a two-row header (groups over their sub-columns), then one row per
(action, indicator) with the action's own cells merged over its rows and pillar / program cells
merged over theirs. Text that a spreadsheet would run as a formula is stored as plain text.
"""
from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from coordinator.core.export import _is_formula_like
from coordinator.rad_matrix.layout import (
    COLUMNS,
    GROUPS,
    INDICATOR_COLUMNS,
    INDICATOR_SHEET,
    MAIN_SHEET,
    PLAN_FIELDS,
    PLAN_SHEET,
    QUARTER_KEYS,
    ActionExtras,
    MatrixAction,
    MatrixIndicator,
    ParsedMatrix,
)
from coordinator.rad_matrix.parse_cells import milestone_line
from coordinator.rad_matrix.parse_sheets import target_header

__all__ = ["STATUS_WORDS", "write_matrix"]

STATUS_WORDS = {"belum_mulai": "Belum mulai", "berjalan": "Berjalan", "terlambat": "Terlambat",
                "selesai": "Selesai", "dibatalkan": "Dibatalkan"}
WHOLE_REGENCY = "Seluruh kabupaten"
# The one "Waktu pelaksanaan" column is for reading; we write Mulai and Tenggat under that group.
WRITTEN = [(key, header) for key, header, _ in COLUMNS if key != "when"]
INDICATOR_KEYS = {"indicator", "unit", "baseline", "target", *QUARTER_KEYS}
WIDTHS = {"no": 8, "pillar": 22, "program": 24, "action": 36, "output": 24, "indicator": 30, "unit": 10,
          "baseline": 10, "target": 10, "start": 12, "due": 12, "location": 22, "lead": 20, "supporting": 24,
          "funding": 14, "budget": 16, "sub_kegiatan": 16, "categories": 12, "milestones": 44, "remarks": 30,
          "status": 16, "progress": 10, "last_report": 12}
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
DATE_FORMAT = "DD/MM/YYYY"


def _put(ws: Worksheet, row: int, col: int, value: Any, number_format: str | None = None) -> None:
    if value is None or value == "":
        return
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    cell = ws.cell(row=row, column=col, value=value)
    if _is_formula_like(value):
        # Kept as the text it is, never evaluated; parse reads the same text back.
        cell.data_type, cell.quotePrefix = "s", True
    if number_format:
        cell.number_format = number_format


def _action_values(a: MatrixAction, extras: ActionExtras | None) -> dict[str, Any]:
    values: dict[str, Any] = {
        "no": a.code, "pillar": f"{a.pillar_number}. {a.pillar_name}", "program": f"{a.program_code} {a.program_name}",
        "action": a.title, "output": a.output, "start": a.start_date, "due": a.due_date,
        "location": "; ".join(a.locations) or WHOLE_REGENCY, "lead": a.lead_agency,
        "supporting": ", ".join(a.supporting_agencies), "funding": a.funding_source, "budget": a.budget,
        "sub_kegiatan": a.sub_kegiatan_code, "categories": ", ".join(a.categories),
        "milestones": "\n".join(milestone_line(m) for m in a.milestones), "remarks": a.description,
    }
    if extras is not None:
        values["status"] = STATUS_WORDS.get(extras.status, extras.status) + (" (manual)" if extras.overridden else "")
        values["progress"] = extras.progress
        values["last_report"] = extras.last_report
    return values


def _indicator_values(ind: MatrixIndicator | None) -> dict[str, Any]:
    if ind is None:
        return {}
    values: dict[str, Any] = {"indicator": ind.name, "unit": ind.unit, "baseline": ind.baseline,
                              "target": ind.target}
    for q, key in enumerate(QUARTER_KEYS, start=1):
        values[key] = ind.quarter_targets.get(q)
    return values


def _formats(key: str) -> str | None:
    if key in ("start", "due", "last_report"):
        return DATE_FORMAT
    return "#,##0" if key == "budget" else None


def _header(ws: Worksheet, top: int, matrix_year: int) -> None:
    group_of = {key: label for label, keys in GROUPS.items() for key in keys}
    done: set[str] = set()
    for c, (key, header) in enumerate(WRITTEN, start=1):
        header = f"Target {matrix_year}" if key == "target" else header
        label = group_of.get(key)
        if label is None:
            _put(ws, top, c, header)
            ws.merge_cells(start_row=top, start_column=c, end_row=top + 1, end_column=c)
        else:
            _put(ws, top + 1, c, header)
            if label not in done:
                done.add(label)
                width = len(GROUPS[label])
                text = f"{label} {matrix_year}" if label == "Target per triwulan" else label
                _put(ws, top, c, text)
                ws.merge_cells(start_row=top, start_column=c, end_row=top, end_column=c + width - 1)
    for row in ws.iter_rows(min_row=top, max_row=top + 1, max_col=len(WRITTEN)):
        for cell in row:
            cell.font, cell.fill, cell.border = Font(bold=True), HEAD_FILL, BORDER
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")


def _merge_runs(ws: Worksheet, col: int, spans: list[tuple[Any, int, int]]) -> None:
    """Merges consecutive spans with the same key: (key, first row, last row)."""
    i = 0
    while i < len(spans):
        j = i
        while j + 1 < len(spans) and spans[j + 1][0] == spans[i][0]:
            j += 1
        if spans[j][2] > spans[i][1]:
            ws.merge_cells(start_row=spans[i][1], start_column=col, end_row=spans[j][2], end_column=col)
        i = j + 1


def _main_sheet(ws: Worksheet, matrix: ParsedMatrix, extras: dict[str, ActionExtras], title_lines: list[str],
                matrix_year: int) -> None:
    width = len(WRITTEN)
    for i, line in enumerate(title_lines, start=1):
        _put(ws, i, 1, line)
        ws.cell(row=i, column=1).font = Font(bold=True, size=14 if i == 1 else 12)
    top = len(title_lines) + 2
    _header(ws, top, matrix_year)
    col = {key: c for c, (key, _) in enumerate(WRITTEN, start=1)}
    r = top + 2
    spans: list[tuple[MatrixAction, int, int]] = []
    for a in matrix.actions:
        inds: list[MatrixIndicator | None] = list(a.indicators) or [None]
        first, values = r, _action_values(a, extras.get(a.code))
        for key, value in values.items():
            _put(ws, r, col[key], value, _formats(key))
        for ind in inds:
            for key, value in _indicator_values(ind).items():
                _put(ws, r, col[key], value)
            r += 1
        spans.append((a, first, r - 1))
        if r - 1 > first:
            for key in values:
                if key not in ("pillar", "program"):
                    ws.merge_cells(start_row=first, start_column=col[key], end_row=r - 1, end_column=col[key])
    _merge_runs(ws, col["pillar"], [((a.pillar_number, a.pillar_name), f, t) for a, f, t in spans])
    _merge_runs(ws, col["program"], [((a.pillar_number, a.program_code, a.program_name), f, t) for a, f, t in spans])
    for row in ws.iter_rows(min_row=top + 2, max_row=max(r - 1, top + 2), max_col=width):
        for cell in row:
            cell.alignment, cell.border = WRAP, BORDER
    for key, c in col.items():
        ws.column_dimensions[get_column_letter(c)].width = WIDTHS.get(key, 10)
    ws.freeze_panes = ws.cell(row=top + 2, column=col["action"] + 1)
    ws.print_title_rows = f"{top}:{top + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _indicator_sheet(ws: Worksheet, matrix: ParsedMatrix) -> None:
    keys = sorted({k for d in matrix.indicator_defs for k in d.targets}, key=lambda k: (k[0], k[1] or 0))
    headers = [h for _, h in INDICATOR_COLUMNS] + [target_header(y, q) for y, q in keys]
    for c, h in enumerate(headers, start=1):
        _put(ws, 1, c, h)
        ws.cell(row=1, column=c).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(c)].width = 14 if c > len(INDICATOR_COLUMNS) else 20
    for r, d in enumerate(matrix.indicator_defs, start=2):
        values = [d.code, d.name, d.definition, d.unit, d.direction, d.baseline, d.baseline_year, d.data_source,
                  d.ats_metric, d.ats_area, ", ".join(d.action_codes)] + [d.targets.get(k) for k in keys]
        for c, value in enumerate(values, start=1):
            _put(ws, r, c, value)
            ws.cell(row=r, column=c).alignment = WRAP
    ws.freeze_panes = "C2"


def _plan_sheet(ws: Worksheet, matrix: ParsedMatrix) -> None:
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 20, 80
    for r, (key, label) in enumerate(PLAN_FIELDS, start=1):
        _put(ws, r, 1, label)
        ws.cell(row=r, column=1).font = Font(bold=True)
        _put(ws, r, 2, getattr(matrix.plan, key))
        ws.cell(row=r, column=2).alignment = WRAP


def write_matrix(matrix: ParsedMatrix, extras: dict[str, ActionExtras], title_lines: list[str],
                 matrix_year: int) -> bytes:
    """The matrix as XLSX. Indicator targets are written under "Target <matrix_year>": parse_matrix gives
    the matrix back when its indicators' target_year is matrix_year (or None without targets)."""
    wb = Workbook()
    ws = wb.active
    ws.title = MAIN_SHEET
    _main_sheet(ws, matrix, extras, [t for t in title_lines if t], matrix_year)
    if matrix.indicator_defs:
        _indicator_sheet(wb.create_sheet(INDICATOR_SHEET), matrix)
    if matrix.plan is not None:
        _plan_sheet(wb.create_sheet(PLAN_SHEET), matrix)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

