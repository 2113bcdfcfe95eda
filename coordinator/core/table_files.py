"""Reading an uploaded table (the first sheet of an XLSX, or a CSV) into rows of cell values, safely:
the unpacked size, the rows and the columns are bounded before anything is parsed. Shared by the ATS,
verval and RAD matrix imports."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from typing import Any

from coordinator.core.errors import N_

MAX_ROWS = 20000
ROW_MARGIN = 100  # empty rows tolerated below MAX_ROWS
MAX_COLUMNS = 64
TOO_MANY_ROWS = N_("Berkas berisi lebih dari %(max)s baris; bagi berkasnya atau hapus baris kosong di bawah tabel.")
MAX_UNZIPPED = 50 * 1024 * 1024  # bytes an XLSX may hold once unpacked


class NotACount(ValueError):
    pass


class FileRefused(ValueError):
    """A file that is read no further: `message` is a msgid with `params`."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message, self.params = message, params


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value).replace("\xa0", " ")).strip()


def _open_xlsx(data: bytes, max_unzipped: int = MAX_UNZIPPED) -> Any:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as err:
        raise NotACount(str(err)) from err
    if unpacked > max_unzipped:
        raise FileRefused(N_("Berkas XLSX terlalu besar setelah dibuka (lebih dari %(mb)s MB)."),
                          mb=max_unzipped // (1024 * 1024))
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # noqa: BLE001 - any damage in an uploaded workbook is "not readable"
        raise NotACount(str(err)) from err


def sheet_names(data: bytes, max_unzipped: int = MAX_UNZIPPED) -> list[str]:
    """The names of an XLSX's worksheets, in order. NotACount or FileRefused as read_cells."""
    wb = _open_xlsx(data, max_unzipped)
    try:
        return [ws.title for ws in wb.worksheets]
    finally:
        wb.close()


def _xlsx_cells(data: bytes, max_rows: int = MAX_ROWS, max_unzipped: int = MAX_UNZIPPED, sheet_index: int = 0
                ) -> list[list[Any]]:
    wb = _open_xlsx(data, max_unzipped)
    try:
        sheet = wb.worksheets[sheet_index]
        declared = sheet.max_row if isinstance(sheet.max_row, int) else 0
        if declared > max_rows + ROW_MARGIN:
            raise FileRefused(TOO_MANY_ROWS, max=max_rows)
        return [list(r) for r in sheet.iter_rows(max_row=max_rows + ROW_MARGIN, max_col=MAX_COLUMNS,
                                                 values_only=True)]
    except FileRefused:
        raise
    except Exception as err:  # noqa: BLE001
        raise NotACount(str(err)) from err
    finally:
        wb.close()


def _csv_cells(data: bytes, max_rows: int = MAX_ROWS) -> list[list[Any]]:
    text = ""
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):  # latin-1 decodes any byte: the last resort
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if "\x00" in text:
        raise NotACount("binary")
    sample = "\n".join(text.splitlines()[:40])
    delimiter = max((";", ",", "\t"), key=lambda d: sample.count(d))
    try:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        return [r[:MAX_COLUMNS] for _, r in zip(range(max_rows + ROW_MARGIN), reader, strict=False)]
    except csv.Error as err:
        raise NotACount(str(err)) from err


def is_xlsx(data: bytes, file_name: str) -> bool:
    return data.startswith(b"PK\x03\x04") or file_name.lower().endswith(".xlsx")


def read_cells(data: bytes, file_name: str, max_rows: int = MAX_ROWS, max_unzipped: int = MAX_UNZIPPED,
               sheet_index: int = 0) -> list[list[Any]]:
    """The cells of one sheet (XLSX; the first unless said) or of the CSV, as rows of values (at most
    MAX_COLUMNS wide). Raises NotACount when the file cannot be read, FileRefused when it is too large."""
    rows = _xlsx_cells(data, max_rows, max_unzipped, sheet_index) if is_xlsx(data, file_name) \
        else _csv_cells(data, max_rows)
    while rows and not any(_text(c) for c in rows[-1]):
        rows.pop()
    if len(rows) > max_rows:
        raise FileRefused(TOO_MANY_ROWS, max=max_rows)
    return rows
