"""Cells of a RAD matrix: opening the workbook (merged ranges filled), headers, numbers, lists,
ATS categories and milestone lines. No database; used by parse."""
from __future__ import annotations

import io
import math
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from coordinator.core.errors import N_
from coordinator.core.table_files import MAX_UNZIPPED, TOO_MANY_ROWS, FileRefused, _text
from coordinator.models import ATS_CATEGORIES, MILESTONE_STATES
from coordinator.rad_matrix.dates import parse_when
from coordinator.rad_matrix.layout import COLUMNS, MILESTONE_STATE_WORDS, MatrixMilestone

MAX_ROWS = 5000
MAX_COLUMNS = 64
NOT_XLSX = N_("Berkas tidak dapat dibaca sebagai XLSX. Simpan matriks RAD sebagai .xlsx lalu unggah lagi.")
TOO_BIG = N_("Berkas XLSX terlalu besar setelah dibuka (lebih dari %(mb)s MB).")
MARKS = {"v", "√", "✓", "✔", "x", "•", "●", "ya", "y", "*"}


@dataclass
class Sheet:
    """Values of a sheet, 0-based; a merged range's top-left value fills all its cells, and
    `origin` tells, for a filled cell, the 0-based row its value was written in."""

    name: str
    rows: list[list[Any]]
    origin: dict[tuple[int, int], int]

    def cell(self, r: int, c: int | None) -> Any:
        if c is None or r >= len(self.rows) or c >= len(self.rows[r]):
            return None
        return self.rows[r][c]

    def from_above(self, r: int, c: int | None) -> bool:
        """The cell only repeats a vertically merged value that starts on an earlier row."""
        return c is not None and self.origin.get((r, c), r) < r


def open_workbook(data: bytes) -> dict[str, Sheet]:
    """Every sheet by name, in workbook order. Raises FileRefused."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as err:
        raise FileRefused(NOT_XLSX) from err
    if unpacked > MAX_UNZIPPED:
        raise FileRefused(TOO_BIG, mb=MAX_UNZIPPED // (1024 * 1024))
    from openpyxl import load_workbook

    # Read-only for speed: a fully loaded workbook spends seconds styling the borders of merged ranges
    # (300 rows of merged actions). The merged ranges are then read from the sheet's XML ourselves.
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # noqa: BLE001 - any damage in an uploaded workbook is "not readable"
        raise FileRefused(NOT_XLSX) from err
    try:
        return {ws.title: _sheet(ws) for ws in wb.worksheets}
    except FileRefused:
        raise
    except Exception as err:  # noqa: BLE001
        raise FileRefused(NOT_XLSX) from err
    finally:
        wb.close()


_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]{1,3}\d+:[A-Z]{1,3}\d+)\"")


def _sheet(ws: Any) -> Sheet:
    from openpyxl.utils.cell import range_boundaries

    declared = ws.max_row if isinstance(ws.max_row, int) else 0
    if declared > MAX_ROWS:
        raise FileRefused(TOO_MANY_ROWS, max=MAX_ROWS)
    rows = [list(r) for r in ws.iter_rows(max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS, values_only=True)]
    if len(rows) > MAX_ROWS:
        raise FileRefused(TOO_MANY_ROWS, max=MAX_ROWS)
    width = max((len(r) for r in rows), default=0)
    for cells in rows:
        cells.extend([None] * (width - len(cells)))
    origin: dict[tuple[int, int], int] = {}
    path = getattr(ws, "_worksheet_path", None)
    xml = ws.parent._archive.read(path) if path else b""
    for ref in _MERGE.findall(xml):
        min_col, min_row, max_col, max_row = range_boundaries(ref.decode())
        top = min_row - 1
        if top >= len(rows) or min_col > width:
            continue
        value = rows[top][min_col - 1]
        for r in range(top, min(max_row, len(rows))):
            for c in range(min_col - 1, min(max_col, width)):
                rows[r][c] = value
                origin[(r, c)] = top
    while rows and not any(free_text(v) for v in rows[-1]):
        rows.pop()
    return Sheet(ws.title, rows, origin)


# ----------------------------------------------------------------------------- text

def free_text(value: Any) -> str:
    """Text as written, lines and paragraphs kept (spaces inside a line folded); "-" alone is empty."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    lines = (re.sub(r"[ \t\xa0]+", " ", line).strip() for line in re.split(r"\r\n|\r|\n", str(value)))
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
    return "" if text in ("-", "–", "—") else text


def one_line(value: Any) -> str:
    text = _text(value)
    return "" if text in ("-", "–", "—") else text


def norm_header(value: Any) -> str:
    """Lower case, "(Rp)"-style parts dropped, punctuation and spaces folded."""
    text = re.sub(r"\([^)]*\)", " ", _text(value).lower())
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


HEADER_KEYS: dict[str, str] = {}
for _key, _written, _aliases in COLUMNS:
    for _name in (_written, *_aliases):
        HEADER_KEYS.setdefault(norm_header(_name), _key)


def header_key(value: Any) -> tuple[str | None, int | None]:
    """The COLUMNS key a header names and the year written in it ("Target 2026")."""
    text = norm_header(value)
    m = re.search(r"\b(20\d\d)\b", text)
    year = int(m.group(1)) if m else None
    bare = re.sub(r"\s*\b(?:tahun |ta )?20\d\d\b\s*", " ", text).strip()
    key = HEADER_KEYS.get(bare)
    if key is None and bare.startswith("target "):
        key = HEADER_KEYS.get(bare[7:])
        key = key if key in ("tw1", "tw2", "tw3", "tw4") else None
    if key is None and bare == "" and year is not None:
        key = "target"  # "2026" under a "Target" group cell
    return key, year


# ----------------------------------------------------------------------------- numbers

class NotANumber(ValueError):
    pass


def parse_number(value: Any) -> float | None:
    """1250000, "1.250.000", "Rp 1.250.000", "1,5", "12,5%"; blank or "-" is None. Raises NotANumber."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise NotANumber(str(value))
    if isinstance(value, (int, float)):
        if not math.isfinite(float(value)):
            raise NotANumber(str(value))
        return float(value)
    raw = re.sub(r"^rp\.?", "", _text(value).lower().replace(" ", "")).rstrip("%")
    if raw in ("", "-", "–", "—"):
        return None
    sign = -1.0 if raw.startswith("-") else 1.0
    raw = raw.lstrip("-")
    number = None
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", raw):
        number = sign * float(raw.replace(".", "").replace(",", "."))
    elif re.fullmatch(r"\d+(?:[.,]\d+)?", raw):
        number = sign * float(raw.replace(",", "."))
    if number is None or not math.isfinite(number):  # 400 nines read as a float are infinite
        raise NotANumber(raw)
    return number


def as_int(value: float | None) -> int | None:
    return None if value is None or not math.isfinite(value) else int(round(value))


def small_int(digits: str) -> int:
    """A number written in digits, however many: past nine digits it is 10**9 (out of every range the
    importer allows, so refused there with the row), never the ValueError of a 5000-digit int()."""
    return int(digits) if len(digits) <= 9 else 10**9


def is_mark(value: Any) -> bool:
    return isinstance(value, str) and value.strip().lower().rstrip(".") in MARKS


# ----------------------------------------------------------------------------- lists

WHOLE_REGENCY = re.compile(
    r"(?:(?:seluruh|semua)\s+(?:wilayah\s+)?(?:kabupaten|kab|kecamatan|desa|wilayah|desa kelurahan)"
    r"(?:\s+(?:kutai timur|kutim))?|(?:kabupaten|kab)\s+(?:kutai timur|kutim)|kutai timur|kutim|\d+\s+kecamatan)")


def split_list(value: Any) -> list[str]:
    """Items split on ";", ",", newlines and " dan ", never inside parentheses."""
    text = free_text(value)
    items: list[str] = []
    depth, current = 0, ""
    i = 0
    while i < len(text):
        ch = text[i]
        depth += (ch == "(") - (ch == ")")
        if depth <= 0 and (ch in ";,\n" or text[i:i + 5].lower() == " dan "):
            items.append(current)
            current = ""
            i += 5 if ch == " " else 1
            continue
        current += ch
        i += 1
    items.append(current)
    return [s for s in (re.sub(r"\s+", " ", item).strip() for item in items) if s and s not in ("-", "–")]


def split_locations(value: Any) -> list[str]:
    norm = re.sub(r"[^a-z0-9]+", " ", free_text(value).lower()).strip()
    if not norm or WHOLE_REGENCY.fullmatch(norm):
        return []
    return split_list(value)


CATEGORY_WORDS = {"bpb": ("BPB",), "belum pernah sekolah": ("BPB",), "belum pernah bersekolah": ("BPB",),
                  "do": ("DO",), "putus sekolah": ("DO",), "drop out": ("DO",), "dropout": ("DO",),
                  "ltm": ("LTM",), "lulus tidak melanjutkan": ("LTM",),
                  "semua": ATS_CATEGORIES, "semua kategori": ATS_CATEGORIES, "seluruh": ATS_CATEGORIES,
                  "seluruh kategori": ATS_CATEGORIES, "semua ats": ATS_CATEGORIES}


def parse_categories(value: Any) -> list[str]:
    """BPB / DO / LTM in that order. Raises ValueError with the unknown part."""
    found: set[str] = set()
    for part in re.split(r"[;,/+\n]|\s+dan\s+", free_text(value)):
        words = re.sub(r"[^a-z]+", " ", part.lower()).strip()
        if not words or words == "-":
            continue
        if words not in CATEGORY_WORDS:
            raise ValueError(part.strip())
        found.update(CATEGORY_WORDS[words])
    return [c for c in ATS_CATEGORIES if c in found]


# ----------------------------------------------------------------------------- milestones

STATE_OF = {words: key for key, words in MILESTONE_STATE_WORDS.items()} | {
    "belum": "belum_mulai", "sedang berjalan": "berjalan", "proses": "berjalan", "batal": "dibatalkan",
    "sudah selesai": "selesai"}
_LINE = re.compile(r"(.+?)(?:\s[-–—]\s|\s?[–—]\s?|:\s)\s*(.+)")
_BRACKET = re.compile(r"(.*?)\s*\[([^\[\]]*)\]\s*")


def parse_milestone(line: str, default_year: int | None) -> MatrixMilestone:
    """"31/03/2026 – Penyusunan SK tim [selesai 15/03/2026]". Raises ValueError."""
    state, completed = "belum_mulai", None
    m = _BRACKET.fullmatch(line)
    if m:
        line, inside = m.group(1), re.sub(r"\s+", " ", m.group(2).strip().lower())
        words = re.match(r"([^\d]*?)\s*(\d.*)?$", inside)
        if words is None or words.group(1) not in STATE_OF:
            raise ValueError(inside)
        state = STATE_OF[words.group(1)]
        if words.group(2):
            completed = parse_when(words.group(2), default_year)[1]
    m = _LINE.fullmatch(line.strip())
    if not m:
        raise ValueError(line)
    due = parse_when(m.group(1), default_year)[1]
    title = m.group(2).strip()
    if due is None or not title:
        raise ValueError(line)
    assert state in MILESTONE_STATES
    return MatrixMilestone(title=title, due_date=due, state=state, completed_on=completed)


def milestone_line(ms: MatrixMilestone) -> str:
    """The line parse_milestone reads back; the state in brackets when it is not "belum mulai" (or when
    the title itself ends in a bracket, which would otherwise be read as the state)."""
    line = f"{ms.due_date:%d/%m/%Y} – {ms.title}"
    if ms.state != "belum_mulai" or ms.completed_on or ms.title.endswith("]"):
        when = f" {ms.completed_on:%d/%m/%Y}" if ms.completed_on else ""
        line += f" [{MILESTONE_STATE_WORDS[ms.state]}{when}]"
    return line
