"""Reading ATS tables as coordinators save them from the Pusdatin portal (XLSX or CSV).

Two layouts are read. The portal layout ("rangkuman ATS by wilayah"): title rows,
then a one- or two-row header with the area name (and sometimes a code), Jumlah
BPB, Jumlah DO split by level, Jumlah LTM split at kelas 6 and 9, Total; a
"Residu" row and often a total row. The long layout: kode_wilayah, kategori,
jenjang, jumlah, one count per line. Rows keep the row number of the file.
Nothing here touches the database: names are matched later (match).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from coordinator.core.errors import N_
from coordinator.core.table_files import FileRefused, NotACount, _text, read_cells
from coordinator.models import ATS_CATEGORIES

KIND_AREA, KIND_RESIDU, KIND_TOTAL = "area", "residu", "total"
TOTAL_WORDS = {"jumlah", "total", "subtotal", "jml", "sub total", "jumlah total"}
NO_TABLE = N_("Tabel ATS tidak ditemukan: tidak ada baris judul kolom dengan BPB, DO dan LTM "
              "(atau kode_wilayah, kategori, jenjang, jumlah).")
SMALL_LABEL = 20  # numeric sub-headers (kelas 1 … 13, LTM 6 / 9) are at most this


@dataclass
class Issue:
    row: int | None
    message: str  # a msgid (N_) with %(name)s parameters
    params: dict[str, Any] = field(default_factory=dict)
    table: str | None = None  # in an upload of several tables: which (file, or file › sheet)


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


def _norm(value: Any) -> str:
    return re.sub(r"[^a-z0-9<>=≤ ]+", " ", _text(value).lower()).strip()


def parse_count(value: Any) -> int | None:
    """A count as written: 1234, "1.234", "1 234", 12.0; blank or "-" is None. Raises NotACount."""
    if value is None or isinstance(value, bool):
        if value is None:
            return None
        raise NotACount(str(value))
    if isinstance(value, int):
        return _capped(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return _capped(int(value))
        raise NotACount(str(value))
    raw = _text(value).replace(" ", "")
    if raw in ("", "-", "–"):
        return None
    # dots group thousands; ",0"/",00" (and a spreadsheet's "1039.0") are whole numbers; "2,000" is refused
    m = re.fullmatch(r"(-?)(\d{1,3}(?:\.\d{3})+(?:,00?)?|\d+(?:,00?|\.00?)?)", raw)
    if not m:
        raise NotACount(raw)
    n = int(re.sub(r"[.,]00?$", "", m.group(2)).replace(".", ""))
    return _capped(-n if m.group(1) else n)


MAX_COUNT = 10_000_000  # far above any area's ATS; a bigger figure is a typo or a corrupt cell


def _capped(n: int) -> int:
    if n > MAX_COUNT:
        raise NotACount(f"{n} (> {MAX_COUNT:,})".replace(",", "."))
    return n


def _categories_named(header: Any) -> set[str]:
    words = _norm(header).split()
    text = " ".join(words)
    found = set()
    if "bpb" in words or "belum pernah" in text:
        found.add("BPB")
    if "ltm" in words or "lulus tidak" in text:
        found.add("LTM")
    if "do" in words or "putus" in words or "drop" in words:
        found.add("DO")
    return found


def _is_percent_header(header: Any) -> bool:
    return "%" in _text(header) or bool({"persen", "persentase"} & set(_norm(header).split()))


def _is_total_header(header: Any) -> bool:
    """A total column: "Total", "Jumlah ATS", or a header naming several categories ("Total (BPB+DO+LTM)")."""
    text = _norm(header)
    if not text or _is_percent_header(header):
        return False
    return (text in TOTAL_WORDS or text in ("jumlah ats", "total ats", "grand total")
            or len(_categories_named(header)) >= 2)


def category_of(header: Any) -> str | None:
    """The one category a column header names; None for totals, percentages and other columns."""
    if _is_percent_header(header) or _is_total_header(header):
        return None
    found = _categories_named(header)
    return found.pop() if len(found) == 1 else None


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


def parse(data: bytes, file_name: str, sheet_index: int = 0) -> ParsedTable:
    try:
        cells = read_cells(data, file_name, sheet_index=sheet_index)
    except NotACount:
        return ParsedTable(errors=[Issue(None, N_("Berkas tidak dapat dibaca. Gunakan XLSX atau CSV."))])
    except FileRefused as refused:
        return ParsedTable(errors=[Issue(None, refused.message, refused.params)])
    for i, row in enumerate(cells[:40]):
        norms = {_norm(c).replace(" ", "_") for c in row}
        if "kategori" in norms and ("jumlah" in norms or "count" in norms):
            return _parse_long(cells, i)
        if len({category_of(c) for c in row} - {None}) >= 2:
            return _parse_wide(cells, i)
    return ParsedTable(errors=[Issue(None, NO_TABLE)])


# ----------------------------------------------------------------------------- the portal layout

def _cell(row: list[Any], i: int | None) -> Any:
    return row[i] if i is not None and i < len(row) else None


def _blank(value: Any) -> bool:
    return _text(value) in ("", "-", "–")


def _header_row(row: list[Any]) -> list[Any]:
    """A row that can be a header row next to the category row (title rows have one cell only)."""
    return row if sum(1 for c in row if _text(c)) >= 2 else []


def _groups(head: list[Any]) -> tuple[dict[int, str], dict[int, int]]:
    """Columns under each category (and total) header of `head`: column -> category or "total", and
    column -> the column of its group header; a header cell spans the empty cells to its right (merged cells)."""
    group_of: dict[int, str] = {}
    start_of: dict[int, int] = {}
    group: str | None = None
    start = 0
    for i in range(len(head)):
        top = head[i]
        if _text(top):
            group, start = ("total" if _is_total_header(top) else category_of(top)), i
        if group is not None:
            group_of[i], start_of[i] = group, start
    return group_of, start_of


def _is_sub_header(row: list[Any], name_col: int | None, group_of: dict[int, str], start_of: dict[int, int]) -> bool:
    """The second header row: no area name, and its filled cells are labels or small numbers standing under
    the category groups (numbers only under a group that spans several columns, e.g. DO by kelas 1 2 3 …)."""
    if name_col is not None and not _blank(_cell(row, name_col)) and not _is_label(_cell(row, name_col)):
        return False
    width = {s: sum(1 for v in start_of.values() if v == s) for s in set(start_of.values())}
    filled = [(i, c) for i, c in enumerate(row) if not _blank(c)]
    if not filled:
        return False
    for i, c in filled:
        if i not in group_of:
            if not _is_label(c):
                return False
            continue
        if _is_number_like(c):
            text = _text(c)
            if not (text.isdigit() and int(text) <= SMALL_LABEL and width[start_of[i]] > 1
                    and group_of[i] != "total"):
                return False
    return True


def _is_label(value: Any) -> bool:
    """A header of the name, code or number column."""
    return _is_name_header(value) or "kode" in _norm(value).split() or _norm(value) in ("no", "nomor")


def _wide_columns(head: list[Any], sub: list[Any], two_rows: bool, group_of: dict[int, str],
                  start_of: dict[int, int]) -> tuple[dict[int, tuple[str, str]], dict[int, str]]:
    """Value columns -> (category or "total", detail) and their labels."""
    columns: dict[int, tuple[str, str]] = {}
    labels: dict[int, str] = {}
    for i, group in group_of.items():
        top = _text(_cell(head, start_of[i]))
        below = _text(_cell(sub, i)) if two_rows else ""
        if _is_percent_header(below):
            continue
        if group == "total":
            if i == start_of[i] or (below and _is_total_header(below)):
                columns[i], labels[i] = ("total", ""), f"{top} {below}".strip()
            continue
        if i != start_of[i] and not below:
            continue  # an empty cell right of a one-column header
        detail = "" if not below or _is_total_header(below) or category_of(below) == group else below[:40]
        columns[i] = (group, detail)
        labels[i] = f"{top} {below}".strip()
    return columns, labels


def _is_number_like(value: Any) -> bool:
    try:
        parse_count(value)
        return _text(value) not in ("", "-")
    except NotACount:
        return False


def _is_code_header(value: Any) -> bool:
    return "kode" in _norm(value).split()


def _set_of(column: int | None) -> set[int]:
    return set() if column is None else {column}


def _find_column(header_rows: list[list[Any]], test: Any, exclude: set[int]) -> int | None:
    width = max((len(r) for r in header_rows), default=0)
    return next((i for i in range(width) if i not in exclude
                 and any(test(_cell(r, i)) for r in header_rows)), None)


def _parse_wide(cells: list[list[Any]], h: int) -> ParsedTable:
    """`h` is the row naming the categories. The row above may hold the name column's header (categories
    under a merged "Jumlah Anak Tidak Sekolah"); the row below may be a second header row (DO by level)."""
    table = ParsedTable(layout="wide")
    head = cells[h]
    above = _header_row(cells[h - 1]) if h > 0 else []
    sub = cells[h + 1] if h + 1 < len(cells) else []
    group_of, start_of = _groups(head)
    code_col = _find_column([above, head], _is_code_header, set(group_of))
    name_col = _find_column([above, head], _is_name_header, set(group_of) | _set_of(code_col))
    two_rows = _is_sub_header(sub, name_col, group_of, start_of)
    if two_rows:
        code_col = _find_column([above, head, sub], _is_code_header, set(group_of))
        name_col = _find_column([above, head, sub], _is_name_header, set(group_of) | _set_of(code_col))
    columns, labels = _wide_columns(head, sub, two_rows, group_of, start_of)
    first = h + (2 if two_rows else 1)
    if name_col is None:  # the column holding the most text (not numbers) below the header
        others = [i for i in range(max((len(r) for r in cells[first:first + 50]), default=0))
                  if i not in columns and i != code_col]
        texts = {i: sum(1 for r in cells[first:first + 50] if not _blank(_cell(r, i))
                        and not _is_number_like(_cell(r, i))) for i in others}
        name_col = max(others, key=lambda i: (texts[i], -i)) if others else None
    for index in range(first, len(cells)):
        row = cells[index]
        if not any(_text(c) for c in row):
            continue
        name = _text(_cell(row, name_col))
        if not name:
            name = next((_text(c) for i, c in enumerate(row) if i not in columns and i != code_col and _text(c)
                         and not _is_number_like(c)), "")
        values: dict[int, int | None] = {}
        for i in columns:
            try:
                values[i] = parse_count(_cell(row, i))
            except NotACount:
                table.errors.append(Issue(index + 1, N_("Baris %(row)s, kolom %(column)s: \"%(value)s\" bukan angka."),
                                          {"row": index + 1, "column": labels[i], "value": _text(_cell(row, i))[:30]}))
                values[i] = None
        if all(_text(_cell(row, i)) == "" for i in columns):
            continue  # a note under the table, e.g. "Sumber: Pusdatin" ("-" is a zero, not a note)
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
                if values[i] is not None:  # a blank Jumlah cell leaves the total to the breakdown
                    explicit[cat] = explicit.get(cat, 0) + v
            else:
                parsed.details.setdefault(cat, {})[detail] = parsed.details.get(cat, {}).get(detail, 0) + v
        _settle_totals(table, parsed, explicit)
        table.rows.append(parsed)
    return table


def _settle_totals(table: ParsedTable, parsed: ParsedRow, explicit: dict[str, int]) -> None:
    """Category totals from the Jumlah column, else the sum of the breakdown; checks they agree."""
    for cat in ATS_CATEGORIES:
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
    return text.upper() if text.upper() in ATS_CATEGORIES else category_of(value)


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
