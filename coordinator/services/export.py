"""Tables to XLSX and CSV. CSV uses ';' and a BOM so Excel with Indonesian
regional settings opens it in columns."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else (v.isoformat() if isinstance(v, (date, datetime)) else v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _safe_cell(value: Any) -> Any:
    # Text starting with = + - @ would run as a formula in Excel.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def to_xlsx(headers: Sequence[str], rows: Iterable[Sequence[Any]], sheet_title: str = "Data",
            money_columns: Sequence[int] = (), date_columns: Sequence[int] = ()) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title[:31]
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_safe_cell(v) for v in row])
    for col in money_columns:
        for cell in ws.iter_cols(min_col=col + 1, max_col=col + 1, min_row=2).__next__():
            cell.number_format = '"Rp" #,##0'
    for col in date_columns:
        for cell in ws.iter_cols(min_col=col + 1, max_col=col + 1, min_row=2).__next__():
            cell.number_format = "DD/MM/YYYY"
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(12, min(50, len(str(header)) + 4))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
