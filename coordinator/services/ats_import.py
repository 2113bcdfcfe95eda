"""Importing an ATS table as a dated snapshot: preview (nothing written), then save.

A file with any error saves nothing. The same file (sha256) imported again for the
same date is recognised and nothing is added. Dates that already have a live
snapshot follow this rule:

    The new snapshot holds the file's figures plus, copied over, the old snapshot's
    figures for every area (and residu scope) the file does not contain; the old
    snapshot stays, marked replaced_at/replaced_by_id. When the file only ADDS areas
    (e.g. the desa table of kecamatan K to a date whose snapshot has only kecamatan
    rows) no confirmation is needed. When the file has rows for areas (or a residu
    of the same scope) that the date's snapshot already has, saving needs
    confirm_replace=True.

save() flushes and never commits: the caller commits once.
"""
from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..models import ATS_CATEGORIES, FIGURE_AREA, FIGURE_RESIDU, AreaAlias, AtsFigure, AtsSnapshot
from .ats_figures import Counts, SnapshotTotals, add_to, empty_counts, previous_snapshot, totals_of
from .ats_indicators import refresh_snapshot_indicators
from .ats_match import AreaMatcher, name_key
from .ats_parse import KIND_AREA, KIND_RESIDU, KIND_TOTAL, Issue, ParsedRow, parse
from .errors import N_, DomainError

CHANGE_WARNING = 0.30
Figure = tuple[str, str | None, str, str, int]  # kind, area_kode, category, detail, count


@dataclass
class PreviewRow:
    row: int
    name: str
    kind: str
    kode: str | None
    area_nama: str | None
    counts: Counts


@dataclass
class Unmatched:
    row: int
    name: str
    key: str


@dataclass
class Preview:
    file_name: str
    sha256: str
    as_of: date
    source: str
    level: str = ""  # kecamatan | desa
    scope: str | None = None  # the kecamatan of a desa table
    rows: list[PreviewRow] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    kecamatan_totals: list[tuple[str, str, Counts]] = field(default_factory=list)  # kode, nama, counts
    residu: Counts = field(default_factory=empty_counts)
    total: Counts = field(default_factory=empty_counts)
    duplicate_of: AtsSnapshot | None = None
    replaces: AtsSnapshot | None = None  # the live snapshot of the same date, if any
    needs_confirm: bool = False
    figures: list[Figure] = field(default_factory=list)

    @property
    def can_save(self) -> bool:
        return not self.errors and not self.unmatched


def _counts(totals: dict[str, int]) -> Counts:
    c = empty_counts()
    for cat in ATS_CATEGORIES:
        add_to(c, cat, totals.get(cat, 0))
    return c


def _totals_in_memory(figures: list[Figure], parents: dict[str, str | None]) -> SnapshotTotals:
    """The counting rules of ats_figures.totals_for, applied to figures not yet saved."""
    t = SnapshotTotals(AtsSnapshot())
    for kind, kode, cat, detail, n in figures:
        if detail:
            continue
        if kind == FIGURE_RESIDU:
            add_to(t.residu, cat, n)
            add_to(t.residu_by_scope.setdefault(kode, empty_counts()), cat, n)
        elif kode is not None and parents.get(kode) is None:
            add_to(t.kecamatan_rows.setdefault(kode, empty_counts()), cat, n)
        elif kode is not None:
            add_to(t.desa.setdefault(kode, empty_counts()), cat, n)
    sums: dict[str, Counts] = defaultdict(empty_counts)
    for kode, counts in t.desa.items():
        for cat in ATS_CATEGORIES:
            add_to(sums[parents[kode] or ""], cat, counts[cat])
    t.from_desa = set(sums)
    for kode in set(t.kecamatan_rows) | set(sums):
        t.kecamatan[kode] = sums[kode] if kode in sums else t.kecamatan_rows[kode]
    for counts in list(t.kecamatan.values()) + [t.residu]:
        for cat in ATS_CATEGORIES:
            add_to(t.total, cat, counts[cat])
    return t


def _figures_of(row: ParsedRow, kind: str, kode: str | None) -> list[Figure]:
    out: list[Figure] = [(kind, kode, cat, "", row.totals.get(cat, 0)) for cat in ATS_CATEGORIES]
    for cat, parts in row.details.items():
        out.extend((kind, kode, cat, detail, n) for detail, n in parts.items())
    return out


def _changed(old: int, new: int) -> bool:
    return old > 0 and abs(new - old) / old > CHANGE_WARNING


def live_on(session: Session, as_of: date) -> AtsSnapshot | None:
    return session.scalar(select(AtsSnapshot).where(AtsSnapshot.as_of == as_of, AtsSnapshot.replaced_at.is_(None))
                          .order_by(AtsSnapshot.id.desc()).limit(1))


def _old_figures(session: Session, snapshot: AtsSnapshot) -> list[Figure]:
    return [tuple(r) for r in session.execute(  # type: ignore[misc]
        select(AtsFigure.kind, AtsFigure.area_kode, AtsFigure.category, AtsFigure.detail, AtsFigure.count)
        .where(AtsFigure.snapshot_id == snapshot.id).order_by(AtsFigure.id))]


def preview(session: Session, file_bytes: bytes, file_name: str, as_of: date, source: str,
            mappings: dict[str, str] | None = None, now: datetime | None = None) -> Preview:
    """Reads, matches and checks the file against the snapshots already saved; writes nothing."""
    p = Preview(file_name=file_name, sha256=hashlib.sha256(file_bytes).hexdigest(), as_of=as_of, source=source)
    table = parse(file_bytes, file_name)
    p.errors.extend(table.errors)
    p.warnings.extend(table.warnings)
    matcher = AreaMatcher.load(session)
    mappings = {k: v for k, v in (mappings or {}).items() if v}
    area_rows = [r for r in table.rows if r.kind == KIND_AREA]
    p.level, p.scope = matcher.table_level([r.name for r in area_rows if not matcher.by_code(r.code)])
    coded = [matcher.by_code(r.code) for r in area_rows]
    if coded and all(coded):  # a code column decides the level by itself
        levels = {matcher.is_kecamatan(k) for k in coded if k}
        p.level = "kecamatan" if levels == {True} else "desa"
        scopes = {matcher.kecamatan_of(k) for k in coded if k and not matcher.is_kecamatan(k)}
        p.scope = scopes.pop() if len(scopes) == 1 else p.scope
    seen: dict[str, int] = {}
    total_rows: list[ParsedRow] = []
    for r in table.rows:
        if r.kind == KIND_TOTAL:
            total_rows.append(r)
            continue
        if r.kind == KIND_RESIDU:
            kode = p.scope if p.level == "desa" else None
            seen_key = f"residu:{kode}"
            if seen_key in seen:
                p.errors.append(Issue(r.row, N_("Baris %(row)s: %(name)s muncul dua kali (juga di baris %(first)s)."),
                                      {"row": r.row, "name": r.name, "first": seen[seen_key]}))
                continue
            seen[seen_key] = r.row
            p.rows.append(PreviewRow(r.row, r.name, KIND_RESIDU, kode, None, _counts(r.totals)))
            p.figures.extend(_figures_of(r, FIGURE_RESIDU, kode))
            continue
        key = name_key(r.name)
        kode = matcher.match(r.name, r.code, p.level, p.scope)
        if kode is None and mappings.get(key) in matcher.names:
            kode = mappings[key]
        if kode is None:
            if not any(u.key == key for u in p.unmatched):
                p.unmatched.append(Unmatched(r.row, r.name, key))
            p.errors.append(Issue(r.row, N_("Baris %(row)s: wilayah \"%(name)s\" tidak dikenal."),
                                  {"row": r.row, "name": r.name}))
            continue
        if kode in seen:
            p.errors.append(Issue(r.row, N_("Baris %(row)s: %(name)s muncul dua kali (juga di baris %(first)s)."),
                                  {"row": r.row, "name": matcher.names[kode], "first": seen[kode]}))
            continue
        seen[kode] = r.row
        p.rows.append(PreviewRow(r.row, r.name, KIND_AREA, kode, matcher.names[kode], _counts(r.totals)))
        p.figures.extend(_figures_of(r, FIGURE_AREA, kode))
    if not p.rows and not p.errors:
        p.errors.append(Issue(None, N_("Berkas tidak berisi baris wilayah.")))
    own = _totals_in_memory(p.figures, matcher.parents)
    p.residu, p.total = own.residu, own.total
    p.kecamatan_totals = [(k, matcher.names.get(k, k), own.kecamatan[k]) for k in sorted(own.kecamatan)]
    for r in total_rows:
        for cat in ATS_CATEGORIES:
            if cat in r.totals and r.totals[cat] != own.total[cat] and (r.totals[cat] or r.details.get(cat)):
                p.warnings.append(Issue(r.row, N_(
                    "Baris %(row)s (%(name)s): jumlah %(category)s tertulis %(total)s, tetapi baris-baris di atasnya "
                    "berjumlah %(parts)s."), {"row": r.row, "name": r.name, "category": cat,
                                                "total": r.totals[cat], "parts": own.total[cat]}))
    _check_against_saved(session, p, own, matcher)
    return p


def _check_against_saved(session: Session, p: Preview, own: SnapshotTotals, matcher: AreaMatcher) -> None:
    p.duplicate_of = session.scalar(select(AtsSnapshot).where(
        AtsSnapshot.file_sha256 == p.sha256, AtsSnapshot.as_of == p.as_of).order_by(AtsSnapshot.id).limit(1))
    p.replaces = live_on(session, p.as_of)
    merged = p.figures
    if p.replaces is not None:
        old = _old_figures(session, p.replaces)
        mine = {(kind, kode) for kind, kode, *_ in p.figures}
        p.needs_confirm = any((kind, kode) in mine for kind, kode, *_ in old)
        merged = p.figures + [f for f in old if (f[0], f[1]) not in mine]
    totals = _totals_in_memory(merged, matcher.parents)
    for kode, desa_sum, row in totals.mismatches():
        p.warnings.append(Issue(None, N_(
            "Kec. %(name)s: jumlah desa ditambah residu (%(desa)s) tidak sama dengan baris kecamatan pada tanggal "
            "yang sama (%(row)s)."), {"name": matcher.names.get(kode, kode), "desa": desa_sum, "row": row}))
    prev_snapshot = session.scalar(select(AtsSnapshot).where(
        AtsSnapshot.replaced_at.is_(None), AtsSnapshot.as_of < p.as_of).order_by(AtsSnapshot.as_of.desc()).limit(1))
    if prev_snapshot is None:
        return
    prev = totals_of(session, prev_snapshot)
    for kode in sorted(own.kecamatan):
        old_n, new_n = prev.kecamatan.get(kode, empty_counts())["total"], totals.kecamatan[kode]["total"]
        if _changed(old_n, new_n):
            p.warnings.append(Issue(None, N_(
                "Kec. %(name)s berubah lebih dari 30%% dibanding snapshot %(date)s: %(old)s menjadi %(new)s."),
                {"name": matcher.names.get(kode, kode), "date": prev_snapshot.as_of.isoformat(),
                 "old": old_n, "new": new_n}))
    if p.level == "kecamatan" and _changed(prev.total["total"], totals.total["total"]):
        p.warnings.append(Issue(None, N_(
            "Total kabupaten berubah lebih dari 30%% dibanding snapshot %(date)s: %(old)s menjadi %(new)s."),
            {"date": prev_snapshot.as_of.isoformat(), "old": prev.total["total"], "new": totals.total["total"]}))


@dataclass
class SaveResult:
    snapshot: AtsSnapshot
    created: bool
    preview: Preview


def save(session: Session, file_bytes: bytes, file_name: str, as_of: date, source: str, note: str | None,
         now: datetime, upload_dir: str, mappings: dict[str, str] | None = None, user_id: int | None = None,
         confirm_replace: bool = False) -> SaveResult:
    """Saves the file as a snapshot, all or nothing. Raises DomainError when it cannot."""
    p = preview(session, file_bytes, file_name, as_of, source, mappings, now)
    if not p.can_save:
        raise DomainError(N_("Berkas berisi %(n)s kesalahan; tidak ada yang disimpan."), "file",
                          n=max(len(p.errors), 1))
    if p.duplicate_of is not None:
        return SaveResult(p.duplicate_of, False, p)
    if p.needs_confirm and not confirm_replace:
        raise DomainError(N_("Sudah ada snapshot per %(date)s untuk wilayah yang sama. Centang \"ganti snapshot "
                             "tanggal yang sama\" untuk menggantinya."), "confirm_replace", date=as_of.isoformat())
    ext = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    ext = ext if ext in ("xlsx", "csv") else "bin"
    folder = Path(upload_dir) / "ats"
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{uuid.uuid4().hex}.{ext}"
    snapshot = AtsSnapshot(as_of=as_of, source=source[:200], note=note or None, file_name=file_name[:255],
                           stored_file=stored, file_sha256=p.sha256, created_at=now, created_by_id=user_id)
    session.add(snapshot)
    session.flush()
    figures = list(p.figures)
    if p.replaces is not None:
        mine = {(kind, kode) for kind, kode, *_ in p.figures}
        figures += [f for f in _old_figures(session, p.replaces) if (f[0], f[1]) not in mine]
        p.replaces.replaced_at = now
        p.replaces.replaced_by_id = snapshot.id
    session.execute(insert(AtsFigure), [
        {"snapshot_id": snapshot.id, "kind": kind, "area_kode": kode, "category": cat, "detail": detail,
         "count": n} for kind, kode, cat, detail, n in figures])
    _remember(session, p, mappings or {}, now, user_id)
    session.flush()
    # Indicators that follow the snapshots change with every import, in the same transaction.
    refresh_snapshot_indicators(session, now)
    (folder / stored).write_bytes(file_bytes)
    return SaveResult(snapshot, True, p)


def _remember(session: Session, p: Preview, mappings: dict[str, str], now: datetime, user_id: int | None) -> None:
    used = {name_key(r.name) for r in p.rows}
    known = set(session.scalars(select(AreaAlias.name_key).where(AreaAlias.name_key.in_(list(mappings)))))
    for key, kode in mappings.items():
        if kode and key in used and key not in known:
            session.add(AreaAlias(name_key=key[:200], area_kode=kode, created_at=now, created_by_id=user_id))


__all__ = ["Preview", "SaveResult", "preview", "save", "live_on", "previous_snapshot"]
