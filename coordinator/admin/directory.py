"""Admin data: the list of users, areas (kecamatan, desa/kelurahan) and reference lists.

Nothing here commits: the view commits once, or rolls back on a DomainError.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from coordinator.core.errors import N_, DomainError
from coordinator.core.names import plain_key
from coordinator.models import (
    LEVEL_DESA,
    LEVEL_KECAMATAN,
    REFERENCE_LISTS,
    ROLES,
    Action,
    Area,
    AreaAlias,
    AtsFigure,
    Child,
    Indicator,
    ProgressOutcome,
    ReferenceItem,
    User,
    VerifierArea,
    action_area,
)

AREA_JENIS = ("desa", "kelurahan", "persiapan")
KECAMATAN_KODE = re.compile(r"\d{2}\.\d{2}\.\d{2}")
DESA_KODE = re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}")
REFERENCE_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")


# --- Users -------------------------------------------------------------------------------------------

@dataclass
class UserFilter:
    role: str | None = None
    agency_id: int | None = None
    active: bool | None = None
    q: str | None = None


def user_page(session: Session, f: UserFilter, page: int, page_size: int) -> tuple[list[User], int, int]:
    """One page of users matching the filter, by name; returns (users, total, pages)."""
    stmt = select(User)
    if f.role in ROLES:
        stmt = stmt.where(User.role == f.role)
    if f.agency_id is not None:
        stmt = stmt.where(User.agency_id == f.agency_id)
    if f.active is not None:
        stmt = stmt.where(User.active.is_(f.active))
    if f.q:
        q = f.q.lower()  # typed text, never a pattern: "%" and "_" match themselves
        stmt = stmt.where(or_(func.lower(User.name).contains(q, autoescape=True),
                              func.lower(User.email).contains(q, autoescape=True)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // page_size))
    page = min(max(page, 1), pages)
    users = list(session.scalars(stmt.order_by(func.lower(User.name), User.id)
                                 .offset((page - 1) * page_size).limit(page_size)))
    return users, total, pages


# --- Areas -------------------------------------------------------------------------------------------

@dataclass
class KecamatanGroup:
    kecamatan: Area
    desa: list[Area]

    @property
    def active_desa(self) -> int:
        return sum(1 for d in self.desa if d.active)


@dataclass
class AreaOverview:
    groups: list[KecamatanGroup]
    orphans: list[Area]
    action_counts: dict[str, int]
    totals: dict[str, int] = field(default_factory=dict)


def area_overview(session: Session) -> AreaOverview:
    """Every kecamatan with its desa/kelurahan, the number of actions per area, and totals."""
    areas = list(session.scalars(select(Area).order_by(Area.kode)))
    kecamatan = [a for a in areas if a.level == LEVEL_KECAMATAN]
    by_parent: dict[str, list[Area]] = {}
    for a in areas:
        if a.level == LEVEL_DESA and a.parent_kode:
            by_parent.setdefault(a.parent_kode, []).append(a)
    known = {k.kode for k in kecamatan}
    orphans = [a for a in areas if a.level != LEVEL_KECAMATAN and a.parent_kode not in known]
    rows = session.execute(
        select(action_area.c.area_kode, func.count(action_area.c.action_id))
        .join(Action, Action.id == action_area.c.action_id)
        .where(Action.deleted_at.is_(None))
        .group_by(action_area.c.area_kode)
    )
    counts = {kode: n for kode, n in rows}
    jenis = Counter(a.jenis for a in areas if a.level == LEVEL_DESA)
    totals = {
        "kecamatan": len(kecamatan),
        "desa": jenis.get("desa", 0),
        "kelurahan": jenis.get("kelurahan", 0),
        "persiapan": jenis.get("persiapan", 0),
        "inactive": sum(1 for a in areas if not a.active),
    }
    groups = [KecamatanGroup(k, by_parent.get(k.kode, [])) for k in kecamatan]
    return AreaOverview(groups, orphans, counts, totals)


def area_in_use(session: Session, area: Area) -> bool:
    """Used by any action (deleted ones too: their history still points at it) or a parent of desa."""
    used = session.scalar(select(func.count()).select_from(action_area).where(action_area.c.area_kode == area.kode))
    children = session.scalar(select(func.count()).select_from(Area).where(Area.parent_kode == area.kode))
    if used or children:
        return True
    # ATS figures, remembered names, outcomes and indicators keep pointing at the area too.
    # So do the children of the by-name list and the verifiers assigned to the desa.
    for column in (AtsFigure.area_kode, AreaAlias.area_kode, ProgressOutcome.area_kode, Indicator.ats_area_kode,
                   Child.desa_kode, VerifierArea.area_kode):
        if session.scalar(select(func.count()).where(column == area.kode)):
            return True
    return False


def _level_of(kode: str) -> str:
    if KECAMATAN_KODE.fullmatch(kode):
        return LEVEL_KECAMATAN
    if DESA_KODE.fullmatch(kode):
        return LEVEL_DESA
    raise DomainError(
        N_("Kode wilayah harus berbentuk 64.08.04 (kecamatan) atau 64.08.04.1001 (desa/kelurahan)."), "kode"
    )


def save_area(session: Session, area: Area | None, data: dict[str, Any]) -> Area:
    """Creates or changes an area. The kode (and so the level and the kecamatan) is fixed once created.

    data: kode (new areas only), nama, jenis (desa/kelurahan only), active.
    """
    if area is None:
        kode = (data.get("kode") or "").strip()
        level = _level_of(kode)
        if session.get(Area, kode) is not None:
            raise DomainError(N_("Kode wilayah %(kode)s sudah dipakai."), "kode", kode=kode)
        parent_kode = kode.rsplit(".", 1)[0] if level == LEVEL_DESA else None
    else:
        kode, level, parent_kode = area.kode, area.level, area.parent_kode
    parent = session.get(Area, parent_kode) if parent_kode else None
    if level == LEVEL_DESA and (parent is None or parent.level != LEVEL_KECAMATAN):
        raise DomainError(N_("Kecamatan induk %(kode)s tidak ditemukan. Tambahkan kecamatannya lebih dulu."),
                          "kode", kode=parent_kode or "–")
    nama = " ".join((data.get("nama") or "").split())
    if not nama:
        raise DomainError(N_("Nama wilayah wajib diisi."), "nama")
    jenis = (data.get("jenis") or "").strip() or None
    if level == LEVEL_KECAMATAN:
        jenis = None
    elif jenis not in AREA_JENIS:
        raise DomainError(N_("Pilih jenis: desa, kelurahan, atau desa persiapan."), "jenis")
    sibling = (Area.parent_kode == parent_kode) if parent_kode else Area.parent_kode.is_(None)
    clash = session.scalar(select(Area.kode).where(
        func.lower(Area.nama) == nama.lower(), Area.level == level, sibling, Area.kode != kode))
    if clash:
        raise DomainError(N_("Nama ini sudah dipakai wilayah %(kode)s."), "nama", kode=clash)
    active = bool(data.get("active", True))
    if active and parent is not None and not parent.active:
        raise DomainError(N_("Kecamatan %(nama)s nonaktif. Aktifkan kecamatannya lebih dulu."), "active",
                          nama=parent.nama)
    if area is None:
        area = Area(kode=kode, level=level, parent_kode=parent_kode)
        session.add(area)
    area.nama = nama
    area.jenis = jenis
    area.active = active
    session.flush()
    return area


def remove_area(session: Session, area: Area) -> bool:
    """Deletes an unused area; one that actions or desa refer to is only deactivated. True when deleted."""
    if area_in_use(session, area):
        area.active = False
        session.flush()
        return False
    session.delete(area)
    session.flush()
    return True


# --- Reference lists ---------------------------------------------------------------------------------

def reference_lists(session: Session) -> dict[str, list[ReferenceItem]]:
    """Every known list (even an empty one) with its items in display order."""
    out: dict[str, list[ReferenceItem]] = {name: [] for name in REFERENCE_LISTS}
    items = session.scalars(select(ReferenceItem).where(ReferenceItem.list_name.in_(REFERENCE_LISTS))
                            .order_by(ReferenceItem.position, ReferenceItem.code))
    for item in items:
        out[item.list_name].append(item)
    return out


def _refuse_shared_names(session: Session, list_name: str, code: str, names: list[str]) -> None:
    """A label or alias another item of the list already answers to ("DAK Fisik" for DAK and for DAK_FISIK) would
    make an imported name mean one item or the other by chance."""
    mine = {plain_key(n): n for n in names if plain_key(n)}
    others = session.scalars(select(ReferenceItem).where(ReferenceItem.list_name == list_name,
                                                         ReferenceItem.code != code))
    for other in others:
        theirs = [other.code, other.label_id, other.label_en, *(other.aliases or "").split(",")]
        for name in theirs:
            if plain_key(name) in mine:
                raise DomainError(N_("Nama \"%(name)s\" sudah dipakai oleh %(other)s di daftar ini: satu nama hanya "
                                     "boleh menunjuk satu butir."), "aliases", name=mine[plain_key(name)],
                                  other=other.label_id)


def save_reference_item(session: Session, item: ReferenceItem | None, list_name: str,
                        data: dict[str, Any]) -> ReferenceItem:
    """Creates or changes an item. The code is fixed once created: stored data refers to it.

    data: code (new items only), label_id, label_en, aliases (comma-separated), position (empty: at the end),
    active.
    """
    if list_name not in REFERENCE_LISTS:
        raise DomainError(N_("Daftar referensi tidak dikenal."))
    if item is None:
        code = (data.get("code") or "").strip()
        if not REFERENCE_CODE.fullmatch(code) or len(code) > 40:
            raise DomainError(N_("Kode hanya boleh berisi huruf, angka, titik, garis bawah, dan tanda hubung."),
                              "code")
        clash = session.scalar(select(ReferenceItem.id).where(
            ReferenceItem.list_name == list_name, func.lower(ReferenceItem.code) == code.lower()))
        if clash:
            raise DomainError(N_("Kode %(code)s sudah ada di daftar ini."), "code", code=code)
    label_id = " ".join((data.get("label_id") or "").split())
    if not label_id:
        raise DomainError(N_("Label bahasa Indonesia wajib diisi."), "label_id")
    label_en = " ".join((data.get("label_en") or "").split()) or label_id
    position = data.get("position")
    if position is not None and position < 0:
        raise DomainError(N_("Urutan tidak boleh negatif."), "position")
    aliases = [a for a in (" ".join(x.split()) for x in (data.get("aliases") or "").split(",")) if a]
    _refuse_shared_names(session, list_name, item.code if item else code, [label_id, label_en, *aliases])
    if item is None:
        if position is None:
            last = session.scalar(select(func.max(ReferenceItem.position))
                                  .where(ReferenceItem.list_name == list_name))
            position = (last + 1) if last is not None else 0
        item = ReferenceItem(list_name=list_name, code=code)
        session.add(item)
    item.label_id = label_id
    item.label_en = label_en
    item.aliases = ", ".join(aliases)
    if position is not None:
        item.position = position
    item.active = bool(data.get("active", True))
    session.flush()
    return item
