"""Tolerant matching of area names in imported ATS tables to Kemendagri areas.

Names are compared by a key: lower case, accents and punctuation removed, the
prefixes "Kec.", "Kecamatan", "Desa", "Kel.", "Kelurahan" dropped, spelling
variants folded (VARIANTS, editable) and spaces removed, so "KEC. SANGATTA
UTARA", "Kecamatan Sangatta  Utara" and "Sangatta-Utara" meet. Order of a match:
a Kemendagri code in the code column; the desa of the table's kecamatan; a
kecamatan (kecamatan tables); a hand mapping remembered as AreaAlias; a desa
anywhere in the regency whose name is unique. The table's level and kecamatan
are decided from the areas the rows can be (codes, aliases and hand mappings
included, see table_level); the import (importing) then refuses rows outside that scope.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.models import LEVEL_KECAMATAN, Area, AreaAlias

# Known spellings of the same place: variant word -> the word in the area table. Edit freely.
VARIANTS: dict[str, str] = {
    "kombeng": "kongbeng",
    "sangata": "sangatta",
    "sengata": "sangatta",
}

PREFIXES = ("kecamatan", "kec", "kelurahan", "kel", "desa", "ds", "kampung")
LEVEL_PREFIX = {"kecamatan": "kecamatan", "kec": "kecamatan", "kelurahan": "desa", "kel": "desa", "desa": "desa",
                "ds": "desa", "kampung": "desa"}
KODE_RE = re.compile(r"^64\.08\.\d{2}(\.\d{4})?$")


def _words(name: str) -> list[str]:
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", " ", text).split()


def prefix_level(name: str) -> str | None:
    """'kecamatan' or 'desa' when the name carries a prefix saying so."""
    words = _words(name)
    return LEVEL_PREFIX.get(words[0]) if len(words) > 1 else None


def name_key(name: str) -> str:
    """The comparison key of a name (also the key of a remembered AreaAlias)."""
    words = _words(name)
    while len(words) > 1 and words[0] in PREFIXES:
        words = words[1:]
    return "".join(VARIANTS.get(w, w) for w in words)


@dataclass
class AreaMatcher:
    """Everything needed to match names, loaded once per import."""

    names: dict[str, str] = field(default_factory=dict)  # kode -> nama
    parents: dict[str, str | None] = field(default_factory=dict)  # kode -> kecamatan kode (None for kecamatan)
    kecamatan: dict[str, str] = field(default_factory=dict)  # key -> kode
    desa_in: dict[tuple[str, str], str] = field(default_factory=dict)  # (kecamatan kode, key) -> kode
    desa_any: dict[str, list[str]] = field(default_factory=dict)  # key -> kodes
    aliases: dict[str, str] = field(default_factory=dict)  # key -> kode

    @classmethod
    def load(cls, session: Session) -> AreaMatcher:
        m = cls()
        for kode, nama, level, parent in session.execute(
                select(Area.kode, Area.nama, Area.level, Area.parent_kode).where(Area.active.is_(True))):
            m.names[kode] = nama
            m.parents[kode] = parent if level != LEVEL_KECAMATAN else None
            key = name_key(nama)
            if level == LEVEL_KECAMATAN:
                m.kecamatan.setdefault(key, kode)
            elif parent:
                m.desa_in.setdefault((parent, key), kode)
                m.desa_any.setdefault(key, []).append(kode)
        m.aliases = {k: v for k, v in session.execute(select(AreaAlias.name_key, AreaAlias.area_kode))
                     if v in m.names}
        return m

    def is_kecamatan(self, kode: str) -> bool:
        return kode in self.parents and self.parents[kode] is None

    def kecamatan_of(self, kode: str) -> str:
        return self.parents.get(kode) or kode

    def by_code(self, code: str | None) -> str | None:
        code = (code or "").strip()
        return code if KODE_RE.match(code) and code in self.names else None

    def candidates(self, name: str, code: str | None, mapped: str | None = None) -> set[str]:
        """Every area the row may be, before the table's level is known: the code, a hand mapping or a
        remembered alias decide alone; else the kecamatan and the desa (anywhere) of that name, as the
        prefix allows."""
        for kode in (self.by_code(code), mapped if mapped in self.names else None):
            if kode:
                return {kode}
        key = name_key(name)
        if not key:
            return set()
        hint = prefix_level(name)
        found: set[str] = set()
        if hint != "desa" and key in self.kecamatan:
            found.add(self.kecamatan[key])
        if hint != "kecamatan":
            found.update(self.desa_any.get(key, []))
        if not found and key in self.aliases:
            found.add(self.aliases[key])
        return found

    def table_level(self, rows: list[set[str]]) -> tuple[str, str | None]:
        """Decides from the rows' candidate areas whether a file is the kecamatan table of the regency or
        the desa table of one kecamatan: ('kecamatan', None) or ('desa', kecamatan kode)."""
        kec_votes = 0
        parents: Counter[str] = Counter()
        for found in rows:
            if any(self.is_kecamatan(k) for k in found):
                kec_votes += 1
            for parent in {self.parents[k] for k in found if not self.is_kecamatan(k)}:
                parents[parent or ""] += 1
        best = parents.most_common(1)[0] if parents else ("", 0)
        if kec_votes >= best[1] or not best[0]:
            return "kecamatan", None
        return "desa", best[0]

    def match(self, name: str, code: str | None, level: str, scope: str | None) -> str | None:
        kode = self.by_code(code)
        if kode:
            return kode
        key = name_key(name)
        if not key:
            return None
        hint = prefix_level(name)
        if level == "desa" and scope and hint != "kecamatan" and (scope, key) in self.desa_in:
            return self.desa_in[(scope, key)]
        if (level == "kecamatan" or hint == "kecamatan") and key in self.kecamatan:
            return self.kecamatan[key]
        if key in self.aliases:
            return self.aliases[key]
        candidates = self.desa_any.get(key, [])
        if len(candidates) == 1 and hint != "kecamatan":
            return candidates[0]
        return None
