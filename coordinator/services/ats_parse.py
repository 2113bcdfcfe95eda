"""Reading ATS tables as coordinators save them from the Pusdatin portal (XLSX or CSV).

Two layouts are read. The portal layout ("rangkuman ATS by wilayah"): title rows,
then a one- or two-row header with the area name (and sometimes a code), Jumlah
BPB, Jumlah DO split by level, Jumlah LTM split at kelas 6 and 9, Total; a
"Residu" row and often a total row. The long layout: kode_wilayah, kategori,
jenjang, jumlah, one count per line. Rows keep the row number of the file.
Nothing here touches the database: names are matched later (ats_match).
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from .errors import N_

CATEGORIES = ("BPB", "DO", "LTM")
KIND_AREA, KIND_RESIDU, KIND_TOTAL = "area", "residu", "total"
TOTAL_WORDS = {"jumlah", "total", "subtotal", "jml", "sub total", "jumlah total"}
MAX_ROWS = 20000


@dataclass
class Issue:
    row: int | None
    message: str  # a msgid (N_) with %(name)s parameters
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class ParsedRow:
    row: int
    name: str
    code: str | None
    kind: str  # area | residu | total
    totals: dict[str, int] = field(default_factory=dict)  # category -> count
    details: dict[str, dict[str, int]] = field(default_factory=dict)  # category -> detail -> count
    grand_total: int | None = None


@dataclass
class ParsedTable:
    layout: str = ""  # wide | long
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)


class NotACount(ValueError):
    pass


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value).replace("\xa0", " ")).strip()


def _norm(value: Any) -> str:
    return re.sub(r"[^a-z0-9<>=≤ ]+", " ", _text(value).lower()).strip()


def parse_count(value: Any) -> int | None:
    """A count as written: 1234, "1.234", "1 234", 12.0; blank or "-" is None. Raises NotACount."""
    if value is None or isinstance(value, bool):
        if value is None:
            return None
        raise NotACount(str(value))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise NotACount(str(value))
    raw = _text(value).replace(" ", "")
    if raw in ("", "-", "–"):
        return None
    m = re.fullmatch(r"(-?)(\d{1,3}(?:\.\d{3})+|\d+)(?:,0+)?", raw)
    if not m:
        raise NotACount(raw)
    n = int(m.group(2).replace(".", ""))
    return -n if m.group(1) else n


def category_of(header: Any) -> str | None:
    words = _norm(header).split()
    text = " ".join(words)
    if "bpb" in words or "belum pernah" in text:
        return "BPB"
    if "ltm" in words or "lulus tidak" in text:
        return "LTM"
    if "do" in words or "putus" in words or "drop" in words:
        return "DO"
    return None


def _is_total_header(header: Any) -> bool:
    text = _norm(header)
    return text in TOTAL_WORDS or text in ("jumlah ats", "total ats", "grand total")


def _is_name_header(header: Any) -> bool:
    words = _norm(header).split()
    return any(w in ("wilayah", "nama", "kecamatan", "desa", "kelurahan", "daerah", "lokasi") for w in words) \
        and category_of(header) is None and "kode" not in words


def row_kind(name: str) -> str:
    words = _norm(name).split()
    if not words:
        return KIND_AREA
    if words[0] == "residu":
        return KIND_RESIDU
    if words[0] in ("total", "jumlah", "grand", "subtotal", "kabupaten", "kab"):
        return KIND_TOTAL
    return KIND_AREA


# ----------------------------------------------------------------------------- reading cells

def read_cells(data: bytes, file_name: str) -> list[list[Any]]:
    """The cells of the first sheet (XLSX) or of the CSV, as rows of values."""
    ext = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if data.startswith(b"PK\x03\x04") or ext == "xlsx":
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
            raise NotACount(str(err)) from err
        try:
            sheet = wb.worksheets[0]
            rows = [list(r) for _, r in zip(range(MAX_ROWS), sheet.iter_rows(values_only=True), strict=False)]
        finally:
            wb.close()
        return rows
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if "\x00" in text:
        raise NotACount("binary")
    sample = "\n".join(text.splitlines()[:40])
    delimiter = max((";", ",", "\t"), key=lambda d: sample.count(d))
    return [list(r) for _, r in zip(range(MAX_ROWS), csv.reader(io.StringIO(text), delimiter=delimiter),
                                    strict=False)]


def parse(data: bytes, file_name: str) -> ParsedTable:
    try:
        cells = read_cells(data, file_name)
    except NotACount:
        return ParsedTable(errors=[Issue(None, N_("Berkas tidak dapat dibaca. Gunakan XLSX atau CSV."))])
    for i, row in enumerate(cells[:40]):
        norms = {_norm(c).replace(" ", "_") for c in row}
        if "kategori" in norms and ("jumlah" in norms or "count" in norms):
            return _parse_long(cells, i)
        if len({category_of(c) for c in row} - {None}) >= 2:
            return _parse_wide(cells, i)
    return ParsedTable(errors=[Issue(None, N_(
        "Tabel ATS tidak ditemukan: tidak ada baris judul kolom dengan BPB, DO dan LTM "
        "(atau kode_wilayah, kategori, jenjang, jumlah)."))])


# ----------------------------------------------------------------------------- the portal layout

def _cell(row: list[Any], i: int | None) -> Any:
    return row[i] if i is not None and i < len(row) else None


def _wide_columns(head: list[Any], sub: list[Any]) -> tuple[dict[int, tuple[str, str]], dict[int, str], bool]:
    """Value columns -> (category or "total", detail), their labels, and whether `sub` is a second header row."""
    filled = [c for c in sub if _text(c)]
    two_rows = bool(filled) and not any(_is_number_like(c) for c in filled)
    columns: dict[int, tuple[str, str]] = {}
    labels: dict[int, str] = {}
    group: str | None = None
    group_label = ""
    for i in range(max(len(head), len(sub) if two_rows else 0)):
        top = _text(_cell(head, i))
        below = _text(_cell(sub, i)) if two_rows else ""
        if top:
            group, group_label = category_of(top), top
            if group is None:
                if _is_total_header(top):
                    columns[i], labels[i] = ("total", ""), top
                continue
        elif group is None or not below:
            group = None
            continue
        detail = "" if not below or _is_total_header(below) or category_of(below) == group else below[:40]
        columns[i] = (group, detail)
        labels[i] = f"{group_label} {below}".strip()
    return columns, labels, two_rows


def _is_number_like(value: Any) -> bool:
    try:
        parse_count(value)
        return _text(value) not in ("", "-")
    except NotACount:
        return False


def _parse_wide(cells: list[list[Any]], h: int) -> ParsedTable:
    table = ParsedTable(layout="wide")
    head = cells[h]
    sub = cells[h + 1] if h + 1 < len(cells) else []
    columns, labels, two_rows = _wide_columns(head, sub)
    name_col = next((i for i, c in enumerate(head) if _is_name_header(c)), None)
    code_col = next((i for i, c in enumerate(head) if "kode" in _norm(c).split()), None)
    if name_col is None:
        name_col = next((i for i, c in enumerate(head) if i not in columns and i != code_col
                         and _norm(c) not in ("no", "nomor")), 0)
    for index in range(h + (2 if two_rows else 1), len(cells)):
        row = cells[index]
        if not any(_text(c) for c in row):
            continue
        name = _text(_cell(row, name_col))
        if not name:
            name = next((_text(c) for i, c in enumerate(row) if i not in columns and _text(c)
                         and not _is_number_like(c)), "")
        values: dict[int, int | None] = {}
        for i in columns:
            try:
                values[i] = parse_count(_cell(row, i))
            except NotACount:
                table.errors.append(Issue(index + 1, N_("Baris %(row)s, kolom %(column)s: \"%(value)s\" bukan angka."),
                                          {"row": index + 1, "column": labels[i], "value": _text(_cell(row, i))[:30]}))
                values[i] = None
        if all(v is None for v in values.values()):
            continue  # a note under the table, e.g. "Sumber: Pusdatin"
        for i, v in values.items():
            if v is not None and v < 0:
                table.errors.append(Issue(index + 1, N_("Baris %(row)s, kolom %(column)s: angka negatif (%(value)s)."),
                                          {"row": index + 1, "column": labels[i], "value": v}))
        if not name:
            table.errors.append(Issue(index + 1, N_("Baris %(row)s: nama wilayah kosong."), {"row": index + 1}))
            continue
        parsed = ParsedRow(index + 1, name, _text(_cell(row, code_col)) or None, row_kind(name))
        explicit: dict[str, int] = {}
        for i, (cat, detail) in columns.items():
            v = values[i] or 0
            if cat == "total":
                parsed.grand_total = values[i]
            elif detail == "":
                explicit[cat] = explicit.get(cat, 0) + v
            else:
                parsed.details.setdefault(cat, {})[detail] = parsed.details.get(cat, {}).get(detail, 0) + v
        _settle_totals(table, parsed, explicit)
        table.rows.append(parsed)
    return table


def _settle_totals(table: ParsedTable, parsed: ParsedRow, explicit: dict[str, int]) -> None:
    """Category totals from the Jumlah column, else the sum of the breakdown; checks they agree."""
    for cat in CATEGORIES:
        parts = sum(parsed.details.get(cat, {}).values())
        if cat in explicit:
            parsed.totals[cat] = explicit[cat]
            if parsed.details.get(cat) and parts != explicit[cat]:
                table.warnings.append(Issue(parsed.row, N_(
                    "Baris %(row)s (%(name)s): rincian %(category)s berjumlah %(parts)s, tetapi jumlahnya "
                    "tertulis %(total)s."), {"row": parsed.row, "name": parsed.name, "category": cat,
                                             "parts": parts, "total": explicit[cat]}))
        else:
            parsed.totals[cat] = parts
    if parsed.grand_total is not None and parsed.grand_total != sum(parsed.totals.values()):
        table.warnings.append(Issue(parsed.row, N_(
            "Baris %(row)s (%(name)s): BPB + DO + LTM = %(parts)s, tetapi kolom Total berisi %(total)s."),
            {"row": parsed.row, "name": parsed.name, "parts": sum(parsed.totals.values()),
             "total": parsed.grand_total}))


# ----------------------------------------------------------------------------- the long layout

def _long_category(value: Any) -> str | None:
    text = _norm(value)
    return text.upper() if text.upper() in CATEGORIES else category_of(value)


def _parse_long(cells: list[list[Any]], h: int) -> ParsedTable:
    table = ParsedTable(layout="long")
    head = [_norm(c).replace(" ", "_") for c in cells[h]]

    def col(*names: str) -> int | None:
        return next((head.index(n) for n in names if n in head), None)

    c_area, c_cat = col("kode_wilayah", "wilayah", "kode", "nama_wilayah"), col("kategori")
    c_detail, c_n = col("jenjang", "rincian", "kelas"), col("jumlah", "count")
    by_area: dict[str, ParsedRow] = {}
    explicit: dict[str, dict[str, int]] = {}
    seen: dict[tuple[str, str, str], int] = {}
    for index in range(h + 1, len(cells)):
        row, rn = cells[index], index + 1
        if not any(_text(c) for c in row):
            continue
        area, cat = _text(_cell(row, c_area)), _long_category(_cell(row, c_cat))
        detail = _text(_cell(row, c_detail))[:40]
        detail = "" if detail in ("", "-") or _is_total_header(detail) or _norm(detail) == "semua" else detail
        if not area:
            table.errors.append(Issue(rn, N_("Baris %(row)s: nama wilayah kosong."), {"row": rn}))
            continue
        if cat is None:
            table.errors.append(Issue(rn, N_("Baris %(row)s: kategori \"%(value)s\" tidak dikenal (BPB, DO, LTM)."),
                                      {"row": rn, "value": _text(_cell(row, c_cat))[:30]}))
            continue
        try:
            n = parse_count(_cell(row, c_n)) or 0
        except NotACount:
            table.errors.append(Issue(rn, N_("Baris %(row)s, kolom %(column)s: \"%(value)s\" bukan angka."),
                                      {"row": rn, "column": "jumlah", "value": _text(_cell(row, c_n))[:30]}))
            continue
        if n < 0:
            table.errors.append(Issue(rn, N_("Baris %(row)s, kolom %(column)s: angka negatif (%(value)s)."),
                                      {"row": rn, "column": "jumlah", "value": n}))
            continue
        key = (area.lower(), cat, detail)
        if key in seen:
            table.errors.append(Issue(rn, N_("Baris %(row)s: %(name)s muncul dua kali (juga di baris %(first)s)."),
                                      {"row": rn, "name": area, "first": seen[key]}))
            continue
        seen[key] = rn
        parsed = by_area.get(area.lower())
        if parsed is None:
            is_code = bool(re.fullmatch(r"[\d.]+", area))
            parsed = by_area[area.lower()] = ParsedRow(rn, area, area if is_code else None, row_kind(area))
            table.rows.append(parsed)
        if detail:
            parsed.details.setdefault(cat, {})[detail] = n
        else:
            explicit.setdefault(area.lower(), {})[cat] = n
    for area_key, parsed in by_area.items():
        _settle_totals(table, parsed, explicit.get(area_key, {}))
    return table
