"""The ATS import history: every snapshot, live or replaced, and the remembered area-name mappings."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.ats.figures import Counts
from coordinator.ats.pages import cached_totals, load_areas
from coordinator.models import AreaAlias, AtsSnapshot, User


@dataclass
class SnapshotEntry:
    """One import, live or replaced, with its regency total and who made it."""

    snapshot: AtsSnapshot
    total: Counts | None
    created_by: str | None
    replaced_by: AtsSnapshot | None = None

    @property
    def live(self) -> bool:
        return self.snapshot.replaced_at is None


@dataclass
class AliasEntry:
    """A remembered name mapping: the name as the files spell it (its comparison key) and the area."""

    id: int
    name_key: str
    area_kode: str
    area_nama: str
    area_level: str
    parent_nama: str | None
    created_at: datetime
    created_by: str | None


def snapshot_history(session: Session) -> tuple[list[SnapshotEntry], list[AliasEntry]]:
    """Every snapshot, newest date first (replaced ones after the one that replaced them), and every remembered
    name mapping: four statements plus the figures of snapshots not cached yet."""
    snapshots = list(session.scalars(
        select(AtsSnapshot).order_by(AtsSnapshot.as_of.desc(), AtsSnapshot.replaced_at.is_not(None),
                                     AtsSnapshot.created_at.desc(), AtsSnapshot.id.desc())))
    areas = load_areas(session)
    users: dict[int, str] = {uid: name for uid, name in session.execute(select(User.id, User.name))}
    totals = cached_totals(session, snapshots, areas)
    by_id = {s.id: s for s in snapshots}
    entries = [SnapshotEntry(s, totals[s.id].total, users.get(s.created_by_id) if s.created_by_id else None,
                             by_id.get(s.replaced_by_id) if s.replaced_by_id else None)
               for s in snapshots]
    aliases = []
    for a in session.scalars(select(AreaAlias).order_by(AreaAlias.name_key)):
        area = areas.get(a.area_kode)
        parent = areas.get(area.parent_kode or "") if area else None
        aliases.append(AliasEntry(a.id, a.name_key, a.area_kode, area.nama if area else a.area_kode,
                                  area.level if area else "", parent.nama if parent else None, a.created_at,
                                  users.get(a.created_by_id) if a.created_by_id else None))
    return entries, aliases


def forget_alias(session: Session, alias: AreaAlias) -> None:
    """Drops a remembered name mapping: the next import asks for that name again. Flush only."""
    session.delete(alias)
    session.flush()
