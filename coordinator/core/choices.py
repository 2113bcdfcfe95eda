"""Option lists for forms and filters, read from the reference tables."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from coordinator.core import revision
from coordinator.models import LIST_FUNDING_SOURCE, Agency, Area, Pillar, Program, ReferenceItem

# `keep`: values an existing record already uses stay offered even when deactivated since,
# so editing something else on the record never silently drops or replaces them.

def agency_choices(session: Session, keep: Iterable[int] = ()) -> list[tuple[int, str]]:
    keep = list(keep)
    if not keep:  # the filters' list: once per process and data revision
        return list(revision.memoized(session, ("agency-choices",), lambda: _agency_choices(session, [])))
    return _agency_choices(session, keep)


def _agency_choices(session: Session, keep: list[int]) -> list[tuple[int, str]]:
    rows = session.scalars(
        select(Agency).where(or_(Agency.active.is_(True), Agency.id.in_(list(keep)))).order_by(Agency.short_name))
    return [(a.id, f"{a.short_name} – {a.name}" if a.name != a.short_name else a.short_name) for a in rows]


def program_choices(session: Session) -> list[tuple[int, str]]:
    rows = session.execute(
        select(Program.id, Program.code, Program.name, Pillar.number).join(Pillar).order_by(Pillar.number, Program.code)
    )
    return [(pid, f"{code} {name}") for pid, code, name, _ in rows]


def pillar_choices(session: Session) -> list[tuple[int, str]]:
    return list(revision.memoized(session, ("pillar-choices",), lambda: [
        (p.id, f"{p.number}. {p.name}") for p in session.scalars(select(Pillar).order_by(Pillar.number))]))


def area_choices(session: Session, keep: Iterable[str] = ()) -> list[tuple[str, str]]:
    """Kecamatan first, each followed by its desa, so the list reads like the map."""
    areas = list(session.scalars(
        select(Area).where(or_(Area.active.is_(True), Area.kode.in_(list(keep)))).order_by(Area.kode)))
    out: list[tuple[str, str]] = []
    for kec in (a for a in areas if a.level == "kecamatan"):
        out.append((kec.kode, f"Kec. {kec.nama}"))
        out.extend((d.kode, f"— {d.nama} ({kec.nama})") for d in areas if d.parent_kode == kec.kode)
    return out


def kecamatan_choices(session: Session) -> list[tuple[str, str]]:
    def read() -> list[tuple[str, str]]:
        rows = session.scalars(
            select(Area).where(Area.level == "kecamatan", Area.active.is_(True)).order_by(Area.nama))
        return [(a.kode, a.nama) for a in rows]

    return list(revision.memoized(session, ("kecamatan-choices",), read))


def reference_choices(session: Session, list_name: str, locale: str, keep: Iterable[str] = ()
                      ) -> list[tuple[str, str]]:
    rows = session.scalars(
        select(ReferenceItem).where(ReferenceItem.list_name == list_name,
                                    or_(ReferenceItem.active.is_(True), ReferenceItem.code.in_(list(keep))))
        .order_by(ReferenceItem.position, ReferenceItem.code)
    )
    return [(r.code, r.label_en if locale == "en" else r.label_id) for r in rows]


def funding_choices(session: Session, locale: str, keep: Iterable[str] = ()) -> list[tuple[str, str]]:
    return reference_choices(session, LIST_FUNDING_SOURCE, locale, keep)


def funding_labels(session: Session, locale: str) -> dict[str, str]:
    """Every source, retired ones too: an action keeps showing the source it was funded from."""
    return {r.code: r.label_en if locale == "en" else r.label_id for r in session.scalars(
        select(ReferenceItem).where(ReferenceItem.list_name == LIST_FUNDING_SOURCE))}
