"""One table of an ATS upload, read and matched: which level it is (the regency's kecamatan table or one
kecamatan's desa table), its rows matched to areas, its figures, and its own errors and warnings. The import
(importing) puts the tables of an upload together and checks them against the snapshots saved."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from coordinator.ats.figures import Counts, add_to, empty_counts
from coordinator.ats.match import AreaMatcher, name_key
from coordinator.ats.parse import KIND_AREA, KIND_RESIDU, KIND_TOTAL, NO_TABLE, Issue, ParsedRow, parse
from coordinator.ats.upload import Table
from coordinator.core.errors import N_
from coordinator.models import ATS_CATEGORIES, FIGURE_AREA, FIGURE_RESIDU

Figure = tuple[str, str | None, str, str, int]  # kind, area_kode, category, detail, count


@dataclass
class PreviewRow:
    row: int
    name: str
    kind: str
    kode: str | None
    area_nama: str | None
    counts: Counts
    table: str = ""


@dataclass
class Unmatched:
    row: int
    name: str
    key: str


@dataclass
class TableRead:
    table: Table
    level: str = ""  # kecamatan | desa
    scope: str | None = None  # the kecamatan of a desa table
    scope_nama: str = ""
    rows: list[PreviewRow] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    total_rows: list[ParsedRow] = field(default_factory=list)  # the file's own Total rows: checks only

    def issue(self, row: int | None, message: str, params: dict[str, object]) -> Issue:
        return Issue(row, message, dict(params), self.table.label)

    def replaces(self, kind: str, kode: str | None, parents: dict[str, str | None]) -> bool:
        """Whether a figure of the date's saved snapshot is replaced by this table (importing's module comment)."""
        if self.level == "desa":
            if kind == FIGURE_RESIDU:
                return kode == self.scope
            return kode is not None and parents.get(kode) == self.scope
        if kind == FIGURE_RESIDU:
            return kode is None
        return kode is not None and parents.get(kode) is None


def counts_of(totals: dict[str, int]) -> Counts:
    c = empty_counts()
    for cat in ATS_CATEGORIES:
        add_to(c, cat, totals.get(cat, 0))
    return c


def _figures_of(row: ParsedRow, kind: str, kode: str | None) -> list[Figure]:
    out: list[Figure] = [(kind, kode, cat, "", row.totals.get(cat, 0)) for cat in ATS_CATEGORIES]
    for cat, parts in row.details.items():
        out.extend((kind, kode, cat, detail, n) for detail, n in parts.items())
    return out


def read_table(table: Table, matcher: AreaMatcher, mappings: dict[str, str]) -> TableRead | None:
    """The table's rows and figures. None for a sheet of a workbook with several that holds no ATS table (the
    caller says it was passed over)."""
    parsed = parse(table.data, table.file_name, table.sheet_index)
    t = TableRead(table)
    if table.one_of_sheets and not parsed.rows and [e.message for e in parsed.errors] == [NO_TABLE]:
        return None
    t.errors += [t.issue(e.row, e.message, e.params) for e in parsed.errors]
    t.warnings += [t.issue(w.row, w.message, w.params) for w in parsed.warnings]
    area_rows = [r for r in parsed.rows if r.kind == KIND_AREA]
    found = [matcher.candidates(r.name, r.code, mappings.get(name_key(r.name))) for r in area_rows]
    t.level, t.scope = matcher.table_level([f for f in found if f])
    t.scope_nama = matcher.names.get(t.scope or "", "")
    seen: dict[str, int] = {}
    for r in parsed.rows:
        if r.kind == KIND_TOTAL:
            t.total_rows.append(r)
            continue
        if r.kind == KIND_RESIDU:
            kode = t.scope if t.level == "desa" else None
            seen_key = f"residu:{kode}"
            if seen_key in seen:
                _duplicate(t, r.row, r.name, seen[seen_key])
                continue
            seen[seen_key] = r.row
            t.rows.append(PreviewRow(r.row, r.name, KIND_RESIDU, kode, None, counts_of(r.totals), table.label))
            t.figures.extend(_figures_of(r, FIGURE_RESIDU, kode))
            continue
        key = name_key(r.name)
        kode = matcher.by_code(r.code) or mappings.get(key) or matcher.match(r.name, r.code, t.level, t.scope)
        if kode is None:
            if not any(u.key == key for u in t.unmatched):
                t.unmatched.append(Unmatched(r.row, r.name, key))
            t.errors.append(t.issue(r.row, N_("Baris %(row)s: wilayah \"%(name)s\" tidak dikenal."),
                                    {"row": r.row, "name": r.name}))
            continue
        if not _in_scope(t, matcher, r, kode):
            continue
        if kode in seen:
            _duplicate(t, r.row, matcher.names[kode], seen[kode])
            continue
        seen[kode] = r.row
        t.rows.append(PreviewRow(r.row, r.name, KIND_AREA, kode, matcher.names[kode], counts_of(r.totals),
                                 table.label))
        t.figures.extend(_figures_of(r, FIGURE_AREA, kode))
    if not t.rows and not t.errors:
        t.errors.append(t.issue(None, N_("Berkas tidak berisi baris wilayah."), {}))
    if t.level == "kecamatan":
        _check_complete(t, matcher, seen)
    elif t.level == "desa" and t.scope:
        _warn_missing_desa(t, matcher, seen)
    return t


def _duplicate(t: TableRead, row: int, name: str, first: int) -> None:
    t.errors.append(t.issue(row, N_("Baris %(row)s: %(name)s muncul dua kali (juga di baris %(first)s)."),
                            {"row": row, "name": name, "first": first}))


def _in_scope(t: TableRead, matcher: AreaMatcher, r: ParsedRow, kode: str) -> bool:
    """A kecamatan table holds kecamatan only; a desa table only desa of its kecamatan. Else an error."""
    if t.level == "kecamatan" and not matcher.is_kecamatan(kode):
        t.errors.append(t.issue(r.row, N_(
            "Baris %(row)s: %(name)s adalah desa/kelurahan (Kec. %(kecamatan)s), tetapi berkas ini tabel kecamatan. "
            "Satu berkas berisi tabel kecamatan se-kabupaten atau tabel desa satu kecamatan."),
            {"row": r.row, "name": matcher.names[kode],
             "kecamatan": matcher.names.get(matcher.kecamatan_of(kode), "?")}))
        return False
    if t.level == "desa" and (matcher.is_kecamatan(kode) or matcher.kecamatan_of(kode) != t.scope):
        t.errors.append(t.issue(r.row, N_(
            "Baris %(row)s: %(name)s tidak termasuk Kec. %(scope)s, kecamatan tabel desa ini. "
            "Satu berkas berisi tabel kecamatan se-kabupaten atau tabel desa satu kecamatan."),
            {"row": r.row, "name": ("Kec. " if matcher.is_kecamatan(kode) else "") + matcher.names[kode],
             "scope": matcher.names.get(t.scope or "", "?")}))
        return False
    return True


def _check_complete(t: TableRead, matcher: AreaMatcher, seen: dict[str, int]) -> None:
    """A kecamatan table must hold every active kecamatan of its regency (the kode prefix "NN.NN.")."""
    prefixes = Counter(k[:6] for k in seen if matcher.is_kecamatan(k))
    if not prefixes:
        return
    prefix = prefixes.most_common(1)[0][0]
    missing = sorted((k for k in matcher.names if matcher.is_kecamatan(k) and k.startswith(prefix)
                      and k not in seen), key=lambda k: k)
    if missing:
        t.errors.append(t.issue(None, N_(
            "Tabel kecamatan tidak lengkap: %(n)s kecamatan tidak ada di berkas: %(names)s. Sebuah snapshot "
            "harus mencakup seluruh kabupaten."), {"n": len(missing),
                                                   "names": ", ".join(matcher.names[k] for k in missing)}))


def _warn_missing_desa(t: TableRead, matcher: AreaMatcher, seen: dict[str, int]) -> None:
    """A desa table replaces all desa of its kecamatan: the ones it leaves out would drop to nothing."""
    missing = sorted(k for k, parent in matcher.parents.items() if parent == t.scope and k not in seen)
    if missing:
        t.warnings.append(t.issue(None, N_(
            "Tabel desa Kec. %(kec)s tidak memuat %(n)s desa: %(names)s. Desa itu tidak lagi terhitung pada "
            "tanggal ini."), {"kec": matcher.names.get(t.scope or "", "?"), "n": len(missing),
                              "names": ", ".join(matcher.names[k] for k in missing)}))
