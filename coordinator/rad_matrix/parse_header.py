"""The header of a RAD matrix: which column holds what. One row, or two where a group cell ("Target per
triwulan", "Anggaran (Rp)") stands over its own headers; columns of amounts per funding source ("APBD (Rp)",
"Anggaran CSR", or "APBD" / "CSR" under "Anggaran (Rp)") are kept by the name of their source."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from coordinator.ats.parse import TOTAL_WORDS
from coordinator.rad_matrix.layout import EXPORT_ONLY, QUARTER_KEYS
from coordinator.rad_matrix.parse_cells import Sheet, free_text, header_key, norm_header, one_line

_AMOUNT_GROUPS = ("budget", "funding")  # a group cell over one column per source
_IN_RUPIAH = re.compile(r"(?i)(?P<name>.+?)\s*(?:\(\s*rp\.?\s*\)|\brp\.?)")
_BUDGET_OF = re.compile(r"(?i)(?:anggaran|pagu(?:\s+anggaran)?|biaya)\s+(?:dari\s+)?(?P<name>.+)")
# Amount columns that are not a source: the total, what was spent, prices.
_NOT_A_SOURCE = ("jumlah", "total", "realisasi", "sisa", "harga", "satuan", "biaya", "anggaran", "pagu", "nilai",
                 "volume", "indikatif", "kebutuhan", "rencana", "alokasi", "indikasi", "kegiatan", "usulan",
                 "perkiraan", "estimasi", "target")


@dataclass
class HeaderMap:
    columns: dict[str, int] = field(default_factory=dict)  # COLUMNS key -> 0-based column
    written: dict[str, str] = field(default_factory=dict)  # COLUMNS key -> header as written
    amounts: list[tuple[int, str, str]] = field(default_factory=list)  # column, source name, header as written
    target_year: int | None = None  # from "Target 2026"
    two_rows: bool = False


def source_of_amount_header(value: Any) -> str | None:
    """The funding source a one-row header holds amounts of ("APBD (Rp)", "Anggaran CSR", "Pagu Dana Desa"), or
    None."""
    text = one_line(value)
    if not text or header_key(text)[0] is not None:
        return None
    m = _IN_RUPIAH.fullmatch(text) or _BUDGET_OF.fullmatch(text)
    if m is None:
        return None
    name = m.group("name").strip()
    inner = _BUDGET_OF.fullmatch(name)  # "Anggaran APBD (Rp)"
    name = (inner.group("name") if inner else name).strip(" :-–")
    return _source_name(name)


def _source_name(name: str) -> str | None:
    words = norm_header(name)
    if (not words or words in TOTAL_WORDS or words.split()[0] in _NOT_A_SOURCE or words.isdigit()
            or "anggaran" in words.split()):
        return None
    return name


def read_header(s: Sheet, h: int) -> HeaderMap:
    """Maps the columns of the header on row h (0-based), and of row h+1 when it is a second header row."""
    out = HeaderMap()
    width = max(len(s.rows[h]), len(s.rows[h + 1]) if h + 1 < len(s.rows) else 0)
    below = [(c, s.cell(h + 1, c)) for c in range(width) if free_text(s.cell(h + 1, c))]
    own = [(c, v) for c, v in below if not s.from_above(h + 1, c) and v != s.cell(h, c)]
    out.two_rows = bool(below) and all(header_key(v)[0] or _under_amount_group(s, h, c, v) for c, v in own)
    for c in range(width):
        top = s.cell(h, c)
        key, year = header_key(top)
        written = one_line(top)
        under = s.cell(h + 1, c) if out.two_rows else None
        own_under = under is not None and bool(free_text(under)) and not s.from_above(h + 1, c) and under != top
        if own_under:
            if _under_amount_group(s, h, c, under):
                source = _source_name(one_line(under))
                if source is None:  # "Jumlah" under "Anggaran (Rp)": the budget itself
                    key = "budget"
                else:
                    out.amounts.append((c, source, f"{one_line(top)} {one_line(under)}"))
                    continue
            else:
                key, year = header_key(under)[0], header_key(under)[1] or year
            written = one_line(under)
        if key is None and not own_under:
            source = source_of_amount_header(top)
            if source is not None:
                out.amounts.append((c, source, written))
                continue
        if key is None or key in out.columns or key in EXPORT_ONLY:
            continue
        out.columns[key] = c
        out.written[key] = written
        if year and key in ("target", *QUARTER_KEYS):
            out.target_year = out.target_year or year
    return out


def _under_amount_group(s: Sheet, h: int, c: int, under: Any) -> bool:
    """A cell of the second header row under "Anggaran (Rp)" / "Sumber dana" merged over several columns."""
    top_key = header_key(s.cell(h, c))[0]
    if top_key not in _AMOUNT_GROUPS or header_key(under)[0] not in (None, "budget"):
        return False
    return any(s.cell(h, x) == s.cell(h, c) for x in (c - 1, c + 1) if x >= 0)
