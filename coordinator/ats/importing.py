"""Importing an ATS table as a dated snapshot: preview (nothing written), then save.

A file with any error saves nothing. The same file (sha256) imported again for the
date's live snapshot is recognised and nothing is added (a file of a replaced
snapshot may be imported again: that is how a replacement is undone).

Every live snapshot describes the whole regency:

- A table is either the kecamatan table of the regency (every active kecamatan of
  the regency must be in it, else an error lists those missing) or the desa table
  of one kecamatan (decided from the areas its rows match, codes, aliases and hand
  mappings included; a row outside that kecamatan is an error; import_tables).
- One upload may hold several tables (a ZIP, an XLSX with a sheet each, several
  files bundled: upload.py): at most one kecamatan table and one desa table per
  kecamatan, previewed and saved together as one snapshot, all or nothing.
- Desa tables without the kecamatan table in the same upload can only be imported
  for a date that already has a live snapshot (import the kecamatan table first). It replaces ALL desa rows of its
  kecamatan and that kecamatan's residu; every other figure of the old snapshot is
  copied over.
- A kecamatan table replaces all kecamatan rows and the regency residu; the old
  snapshot's desa rows (and their kecamatan's residu) are copied over, and where they
  disagree with the new kecamatan row the mismatch check flags it.
- The new snapshot is a new row; the old one stays, marked replaced_at/replaced_by_id.
  When the file replaces figures the old snapshot had (not only adds), saving needs
  confirm_replace=True.

save() flushes and never commits: the caller commits once.
"""
from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from coordinator.ats.figures import (
    Counts,
    SnapshotTotals,
    add_to,
    apply_rules,
    area_parents,
    empty_counts,
    previous_snapshot,
    snapshot_before,
    totals_for,
)
from coordinator.ats.import_tables import Figure, PreviewRow, TableRead, Unmatched, read_table
from coordinator.ats.indicators import quarter_of, refresh_snapshot_indicators
from coordinator.ats.match import AreaMatcher, name_key
from coordinator.ats.parse import Issue
from coordinator.ats.upload import tables_of
from coordinator.core.clock import utcnow, wita_today
from coordinator.core.errors import N_, DomainError
from coordinator.models import ATS_CATEGORIES, AreaAlias, AtsFigure, AtsSnapshot

CHANGE_WARNING = 0.30
EARLIEST = date(2000, 1, 1)


@dataclass
class Preview:
    file_name: str
    sha256: str
    as_of: date
    source: str
    level: str = ""  # kecamatan (the upload holds the kecamatan table) | desa (desa tables only)
    scope: str | None = None  # the kecamatan of an upload of one desa table
    tables: list[TableRead] = field(default_factory=list)
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
    kept: list[Figure] = field(default_factory=list)  # the replaced snapshot's figures copied over
    snapshot_total: Counts = field(default_factory=empty_counts)  # the date's snapshot after saving

    @property
    def can_save(self) -> bool:
        return not self.errors and not self.unmatched


def totals_of_figures(figures: list[Figure], parents: dict[str, str | None]) -> SnapshotTotals:
    """The counting rules of figures, applied to figures not yet saved."""
    return apply_rules(SnapshotTotals(AtsSnapshot()), [(kind, kode, cat, n) for kind, kode, cat, detail, n in figures
                                                       if not detail], parents)


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
    """Reads, matches and checks every table of the upload against the snapshots already saved; writes nothing."""
    p = Preview(file_name=file_name, sha256=hashlib.sha256(file_bytes).hexdigest(), as_of=as_of, source=source)
    today = wita_today(now or utcnow())
    if not EARLIEST <= as_of <= today:
        p.errors.append(Issue(None, N_("Tanggal keadaan per harus antara %(first)s dan hari ini (%(today)s)."),
                              {"first": EARLIEST.strftime("%d/%m/%Y"), "today": today.strftime("%d/%m/%Y")}))
    tables, problems = tables_of(file_bytes, file_name)
    p.errors.extend(problems)
    matcher = AreaMatcher.load(session)
    mappings = {k: v for k, v in (mappings or {}).items() if v in matcher.names}
    for table in tables:
        read = read_table(table, matcher, mappings)
        if read is None:
            p.warnings.append(Issue(None, N_("Lembar %(sheet)s dilewati: tidak berisi tabel ATS."),
                                    {"sheet": table.label}))
        else:
            p.tables.append(read)
    _combine(p, matcher)
    own = totals_of_figures(p.figures, matcher.parents)
    # The upload's own Residu rows: the regency's with a kecamatan table, else its desa tables' (their kecamatan's).
    scopes = [None] if p.level == "kecamatan" else [t.scope for t in p.tables]
    p.residu = empty_counts()
    for scope in scopes:
        for cat in ATS_CATEGORIES:
            add_to(p.residu, cat, own.residu_by_scope.get(scope, empty_counts())[cat])
    p.total = own.total
    p.kecamatan_totals = [(k, matcher.names.get(k, k), own.kecamatan[k]) for k in sorted(own.kecamatan)]
    for t in p.tables:
        table_total = totals_of_figures(t.figures, matcher.parents).total
        for r in t.total_rows:
            for cat in ATS_CATEGORIES:
                if cat in r.totals and r.totals[cat] != table_total[cat] and (r.totals[cat] or r.details.get(cat)):
                    p.warnings.append(t.issue(r.row, N_(
                        "Baris %(row)s (%(name)s): jumlah %(category)s tertulis %(total)s, tetapi baris-baris di "
                        "atasnya berjumlah %(parts)s."), {"row": r.row, "name": r.name, "category": cat,
                                                          "total": r.totals[cat], "parts": table_total[cat]}))
    _check_against_saved(session, p, matcher)
    if len(p.tables) <= 1:  # one table: its messages need not say which
        for issue in p.errors + p.warnings:
            issue.table = None
    return p


def _combine(p: Preview, matcher: AreaMatcher) -> None:
    """The tables of one upload as one snapshot's figures: at most one kecamatan table, one desa table each."""
    for t in p.tables:
        p.errors += t.errors
        p.warnings += t.warnings
        p.rows += t.rows
        p.figures += t.figures
        p.unmatched += [u for u in t.unmatched if all(x.key != u.key for x in p.unmatched)]
    kecamatan_tables = [t.table.label for t in p.tables if t.level == "kecamatan"]
    if len(kecamatan_tables) > 1:
        p.errors.append(Issue(None, N_("Unggahan ini berisi %(n)s tabel kecamatan (%(tables)s); satu snapshot hanya "
                                       "memuat satu tabel kecamatan."),
                              {"n": len(kecamatan_tables), "tables": ", ".join(kecamatan_tables)}))
    by_scope: dict[str, list[str]] = {}
    for t in p.tables:
        if t.level == "desa" and t.scope:
            by_scope.setdefault(t.scope, []).append(t.table.label)
    for scope, labels in by_scope.items():
        if len(labels) > 1:
            p.errors.append(Issue(None, N_("Tabel desa Kec. %(kec)s ada lebih dari sekali: %(tables)s."),
                                  {"kec": matcher.names.get(scope, scope), "tables": ", ".join(labels)}))
    p.level = "kecamatan" if kecamatan_tables else ("desa" if p.tables else "")
    p.scope = next(iter(by_scope)) if not kecamatan_tables and len(by_scope) == 1 else None
    if not p.tables and not p.errors:
        p.errors.append(Issue(None, N_("Unggahan tidak berisi tabel ATS.")))


def _check_against_saved(session: Session, p: Preview, matcher: AreaMatcher) -> None:
    p.replaces = live_on(session, p.as_of)
    if p.replaces is not None and p.replaces.file_sha256 == p.sha256:
        p.duplicate_of = p.replaces
    if p.level == "desa" and p.replaces is None:
        p.errors.append(Issue(None, N_(
            "Belum ada snapshot per %(date)s. Tabel desa Kec. %(name)s hanya dapat ditambahkan ke snapshot yang "
            "sudah ada: impor dulu tabel kecamatan se-kabupaten per tanggal itu."),
            {"date": p.as_of.strftime("%d/%m/%Y"),
             "name": ", ".join(matcher.names.get(t.scope or "", "?") for t in p.tables if t.level == "desa")}))
    # The whole tree, inactive areas too: an old figure of a desa deactivated since is still that kecamatan's.
    parents = area_parents(session)
    if p.replaces is not None:
        old = _old_figures(session, p.replaces)
        p.kept = [f for f in old if not any(t.replaces(f[0], f[1], parents) for t in p.tables)]
        p.needs_confirm = len(p.kept) < len(old)
    totals = totals_of_figures(p.figures + p.kept, parents)
    p.snapshot_total = totals.total
    for kode, desa_sum, row in totals.mismatches():
        p.warnings.append(Issue(None, N_(
            "Kec. %(name)s: jumlah desa ditambah residu (%(desa)s) tidak sama dengan baris kecamatan pada tanggal "
            "yang sama (%(row)s)."), {"name": matcher.names.get(kode, kode), "desa": desa_sum, "row": row}))
    prev_snapshot = snapshot_before(session, p.as_of)
    if prev_snapshot is None:
        return
    prev = totals_for(session, [prev_snapshot], parents)[prev_snapshot.id]
    changed = sorted(totals.kecamatan) if p.level == "kecamatan" else \
        sorted({t.scope for t in p.tables if t.level == "desa" and t.scope})
    for kode in changed:
        old_n, new_n = prev.kecamatan.get(kode, empty_counts())["total"], totals.kecamatan.get(
            kode, empty_counts())["total"]
        if _changed(old_n, new_n):
            p.warnings.append(Issue(None, N_(
                "Kec. %(name)s berubah lebih dari 30%% dibanding snapshot %(date)s: %(old)s menjadi %(new)s."),
                {"name": matcher.names.get(kode, kode), "date": prev_snapshot.as_of.isoformat(),
                 "old": old_n, "new": new_n}))
    if _changed(prev.total["total"], totals.total["total"]):
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
    ext = ext if ext in ("xlsx", "csv", "zip") else "bin"
    folder = Path(upload_dir) / "ats"
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{uuid.uuid4().hex}.{ext}"
    snapshot = AtsSnapshot(as_of=as_of, source=source[:200], note=note or None, file_name=file_name[:255],
                           stored_file=stored, file_sha256=p.sha256, created_at=now, created_by_id=user_id)
    try:
        # The old snapshot leaves first: one live snapshot per date (uq_ats_snapshot_live). A second import of
        # the same date saving at the same moment collides here instead of hiding this one's rows.
        if p.replaces is not None:
            p.replaces.replaced_at = now
            session.flush()
        session.add(snapshot)
        session.flush()
    except (IntegrityError, OperationalError) as err:
        raise DomainError(N_("Impor lain untuk tanggal yang sama disimpan pada saat yang sama. Tidak ada yang "
                             "disimpan dari berkas ini; ulangi impornya."), "file") from err
    figures = p.figures + p.kept
    if p.replaces is not None:
        p.replaces.replaced_by_id = snapshot.id
    session.execute(insert(AtsFigure), [
        {"snapshot_id": snapshot.id, "kind": kind, "area_kode": kode, "category": cat, "detail": detail,
         "count": n} for kind, kode, cat, detail, n in figures])
    _remember(session, p, mappings or {}, now, user_id)
    session.flush()
    # Indicators that follow the snapshots change with every import, in the same transaction.
    refresh_snapshot_indicators(session, now, only_quarter=quarter_of(snapshot))
    (folder / stored).write_bytes(file_bytes)
    return SaveResult(snapshot, True, p)


def _remember(session: Session, p: Preview, mappings: dict[str, str], now: datetime, user_id: int | None) -> None:
    used = {name_key(r.name) for r in p.rows}
    known = set(session.scalars(select(AreaAlias.name_key).where(AreaAlias.name_key.in_(list(mappings)))))
    for key, kode in mappings.items():
        if kode and key in used and key not in known:
            session.add(AreaAlias(name_key=key[:200], area_kode=kode, created_at=now, created_by_id=user_id))


__all__ = ["Preview", "SaveResult", "preview", "save", "live_on", "previous_snapshot", "totals_of_figures"]
