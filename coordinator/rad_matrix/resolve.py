"""Names in a RAD matrix to rows of the database: agencies, areas and funding sources.

Agencies match by code, short name, full name or any alias, compared without case, spaces or
punctuation ("Dinas Pendidikan dan Kebudayaan", "DISDIKBUD", "Dis-dikbud" meet). Areas go through
AreaMatcher: "Kec. X", "Desa Y", "Kel. Y", "Y (Kec. X)" and bare names (a kecamatan if there is one of
that name, else a desa whose name is unique). A location text is also what collect writes, so an
export reads back to the same areas.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.ats.match import AreaMatcher, name_key, prefix_level
from coordinator.core.errors import N_
from coordinator.core.names import plain_key, split_names
from coordinator.models import Agency, Area

# Written for "the whole regency"; such a location adds no area.
WHOLE_REGENCY = {"kabupatenkutaitimur", "kutaitimur", "kutim", "kabupaten", "seluruhkecamatan",
                 "semuakecamatan", "seluruhwilayah", "seluruhkabupaten", "semuawilayah", "seluruhdesa"}
PAREN_RE = re.compile(r"^(?P<name>.+?)\s*\((?P<kec>[^()]+)\)\s*$")


def agency_key(name: str) -> str:
    """The key agency names are compared by (core/names.plain_key)."""
    return plain_key(name)


@dataclass
class AgencyLookup:
    by_key: dict[str, int] = field(default_factory=dict)
    agencies: dict[int, Agency] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> AgencyLookup:
        lookup = cls()
        # Active agencies first, so a name shared with a retired agency means the active one.
        rows = sorted(session.scalars(select(Agency)), key=lambda a: (not a.active, a.id))
        for agency in rows:
            lookup.add(agency)
        return lookup

    def add(self, agency: Agency) -> None:
        self.agencies[agency.id] = agency
        names = [agency.code, agency.short_name, agency.name, *(agency.aliases or "").split(",")]
        for name in names:
            key = agency_key(name or "")
            if key:
                self.by_key.setdefault(key, agency.id)

    def find(self, name: str) -> int | None:
        return self.by_key.get(agency_key(name))


def split_agencies(text: str, lookup: AgencyLookup) -> list[str]:
    """The agencies a cell names (core/names.split_names): "Dinas Pendidikan dan Kebudayaan" stays one agency,
    "Dinsos dan DPPPA" is two."""
    return split_names(text, lambda name: lookup.find(name) is not None)


def new_agency_code(short_name: str, taken: set[str]) -> str:
    """A code for an agency the import creates: the short name upper-cased, letters and digits only."""
    text = unicodedata.normalize("NFKD", short_name).encode("ascii", "ignore").decode("ascii").upper()
    base = re.sub(r"[^A-Z0-9]+", "", text)[:34] or "OPD"
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code


@dataclass
class LocationResult:
    kode: str | None = None
    error: str | None = None  # an N_ msgid with the parameter "name"


def resolve_location(matcher: AreaMatcher, text: str) -> LocationResult:
    """One written location -> an area code, or why not. Empty kode and no error: the whole regency."""
    text = str(text).strip()
    code = matcher.by_code(text)
    if code:
        return LocationResult(code)
    key = name_key(text)
    if not key or key in WHOLE_REGENCY:
        return LocationResult()
    paren = PAREN_RE.match(text)
    if paren:
        kec = matcher.kecamatan.get(name_key(paren.group("kec")))
        if kec is None:
            return LocationResult(error=N_("Kecamatan pada lokasi \"%(name)s\" tidak dikenal."))
        kode = matcher.desa_in.get((kec, name_key(paren.group("name"))))
        if kode is None:
            return LocationResult(error=N_("Desa/kelurahan \"%(name)s\" tidak ada di kecamatan itu."))
        return LocationResult(kode)
    hint = prefix_level(text)
    if hint != "desa" and key in matcher.kecamatan:
        return LocationResult(matcher.kecamatan[key])
    if hint != "kecamatan":
        found = matcher.desa_any.get(key, [])
        if len(found) == 1:
            return LocationResult(found[0])
        if len(found) > 1:
            return LocationResult(error=N_("Nama desa \"%(name)s\" ada di beberapa kecamatan; tulis "
                                           "\"Desa Nama (Kec. Nama)\"."))
    if key in matcher.aliases:
        return LocationResult(matcher.aliases[key])
    return LocationResult(error=N_("Lokasi \"%(name)s\" tidak dikenal."))


def location_label(area: Area, kecamatan_names: dict[str, str]) -> str:
    """How an export writes an area, so that resolve_location reads it back to the same area."""
    if area.parent_kode is None:
        return f"Kec. {area.nama}"
    prefix = "Kel." if area.jenis == "kelurahan" else "Desa"
    return f"{prefix} {area.nama} (Kec. {kecamatan_names.get(area.parent_kode, '')})"
