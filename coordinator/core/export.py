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

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _is_formula_like(value: Any) -> bool:
    # Text starting like this would run as a formula when a spreadsheet opens the file.
    return isinstance(value, str) and value[:1] in FORMULA_START


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return "'" + value if _is_formula_like(value) else value


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(headers: Sequence[str], rows: Iterable[Sequence[Any]], sheet_title: str = "Data",
            money_columns: Sequence[int] = (), date_columns: Sequence[int] = ()) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title[:31]
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
        for cell in ws[ws.max_row]:
            if _is_formula_like(cell.value):
                # Kept as the text it is (no apostrophe added), but never evaluated.
                cell.data_type, cell.quotePrefix = "s", True
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
