"""A regency's areas from a region file: kode_kecamatan, kecamatan, kode_desa, desa, jenis (docs/data-formats.md).

Kutai Timur's 18 kecamatan and 141 desa/kelurahan are packaged (coordinator/data/kutim_wilayah.csv); another
kabupaten brings its own file in the same format, as CSV or XLSX. The file is read whole and checked before
anything is loaded: every problem is an error with its row number, and one error loads nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.core.errors import N_
from coordinator.core.table_files import FileRefused, NotACount, read_cells
from coordinator.models import LEVEL_DESA, LEVEL_KECAMATAN, Area

PACKAGED = Path(__file__).resolve().parents[1] / "data" / "kutim_wilayah.csv"
COLUMNS = ("kode_kecamatan", "kecamatan", "kode_desa", "desa", "jenis")
JENIS = ("desa", "kelurahan")
KECAMATAN_KODE = re.compile(r"\d{2}\.\d{2}\.\d{2}")
DESA_KODE = re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}")
MAX_NAME = 120  # Area.nama
HEADER_SCAN = 10  # rows searched for the header


@dataclass(frozen=True)
class RegionError:
    row: int | None  # as a spreadsheet program numbers it; None for the file as a whole
    message: str  # a msgid
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Desa:
    kode: str
    nama: str
    jenis: str
    kecamatan: str  # kode


@dataclass
class Region:
    kecamatan: dict[str, str] = field(default_factory=dict)  # kode -> nama, in file order
    desa: list[Desa] = field(default_factory=list)
    errors: list[RegionError] = field(default_factory=list)

    @property
    def kabupaten(self) -> str | None:
        """The kabupaten's code (64.08) when the file holds areas."""
        return next(iter(self.kecamatan), "")[:5] or None


def _clean(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).replace("\xa0", " ").split())


def _header_key(value: Any) -> str:
    return re.sub(r"[\s/-]+", "_", _clean(value).lower())


def read_region(data: bytes, file_name: str) -> Region:
    """The areas of a region file, with every error it has (then `kecamatan` and `desa` are not to be loaded)."""
    region = Region()
    try:
        rows = read_cells(data, file_name)
    except FileRefused as err:
        region.errors.append(RegionError(None, err.message, err.params))
        return region
    except NotACount:
        region.errors.append(RegionError(None, N_("Berkas wilayah tidak dapat dibaca: gunakan CSV atau XLSX.")))
        return region
    filled = [i for i, r in enumerate(rows) if any(_clean(c) for c in r)]
    if not filled:
        region.errors.append(RegionError(None, N_("Berkas wilayah kosong.")))
        return region
    # The header is the first row naming the columns; title rows above it ("Daftar desa ...") are skipped.
    candidates = filled[:HEADER_SCAN]
    start = max(candidates, key=lambda i: (sum(c in COLUMNS for c in map(_header_key, rows[i])), -i))
    header = [_header_key(c) for c in rows[start]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        region.errors.append(RegionError(start + 1, N_("Kolom %(columns)s tidak ada di baris judul. Kolom yang "
                                                       "diperlukan: %(needed)s."),
                                         {"columns": ", ".join(missing), "needed": ", ".join(COLUMNS)}))
        return region
    at = {c: header.index(c) for c in COLUMNS}
    first_desa: dict[str, int] = {}
    desa_names: dict[tuple[str, str], int] = {}
    kec_names: dict[str, str] = {}
    for i, raw in enumerate(rows[start + 1:], start=start + 2):
        values = {c: _clean(raw[at[c]]) if at[c] < len(raw) else "" for c in COLUMNS}
        if not any(values.values()):
            continue
        problems: list[tuple[str, dict[str, Any]]] = []

        def error(message: str, **params: Any) -> None:
            problems.append((message, params))  # noqa: B023 - a fresh list each row, used within the row

        for column in COLUMNS:
            if not values[column]:
                error(N_("Kolom %(column)s kosong."), column=column)
        kec, desa = values["kode_kecamatan"], values["kode_desa"]
        if kec and not KECAMATAN_KODE.fullmatch(kec):
            error(N_("Kode kecamatan %(kode)s harus berbentuk 64.08.04."), kode=kec)
        if desa and not DESA_KODE.fullmatch(desa):
            error(N_("Kode desa %(kode)s harus berbentuk 64.08.04.2001."), kode=desa)
        elif desa and KECAMATAN_KODE.fullmatch(kec) and not desa.startswith(kec + "."):
            error(N_("Desa %(kode)s tidak berada di kecamatan %(kecamatan)s: kode desa harus diawali kode "
                     "kecamatannya."), kode=desa, kecamatan=kec)
        jenis = values["jenis"].lower()
        if jenis and jenis not in JENIS:
            error(N_("Jenis \"%(jenis)s\" tidak dikenal. Pilihan: %(allowed)s."), jenis=values["jenis"],
                  allowed=", ".join(JENIS))
        for column in ("kecamatan", "desa"):
            if len(values[column]) > MAX_NAME:
                error(N_("Nama di kolom %(column)s paling banyak %(n)d karakter."), column=column, n=MAX_NAME)
        if desa in first_desa:
            error(N_("Kode desa %(kode)s sudah ada di baris %(first)s."), kode=desa, first=first_desa[desa])
        if kec and kec in kec_names and values["kecamatan"] and kec_names[kec].lower() != values["kecamatan"].lower():
            error(N_("Kecamatan %(kode)s bernama \"%(nama)s\" di baris lain, di sini \"%(other)s\"."), kode=kec,
                  nama=kec_names[kec], other=values["kecamatan"])
        name_key = (kec, values["desa"].lower())
        if values["desa"] and name_key in desa_names:
            error(N_("Desa \"%(nama)s\" sudah ada di kecamatan ini (baris %(first)s)."), nama=values["desa"],
                  first=desa_names[name_key])
        if problems:
            region.errors += [RegionError(i, message, params) for message, params in problems]
            continue
        first_desa[desa] = i
        desa_names[name_key] = i
        kec_names.setdefault(kec, values["kecamatan"])
        region.kecamatan.setdefault(kec, values["kecamatan"])
        region.desa.append(Desa(desa, values["desa"], jenis, kec))
    _check_whole(region)
    return region


def _check_whole(region: Region) -> None:
    if not region.desa and not region.errors:
        region.errors.append(RegionError(None, N_("Berkas wilayah tidak berisi satu desa pun.")))
    kabupaten = {kode[:5] for kode in region.kecamatan}
    if len(kabupaten) > 1:
        region.errors.append(RegionError(None, N_("Berkas berisi wilayah lebih dari satu kabupaten (%(codes)s): "
                                                  "satu berkas untuk satu kabupaten."),
                                         {"codes": ", ".join(sorted(kabupaten))}))
    by_name: dict[str, str] = {}
    for kode, nama in region.kecamatan.items():
        other = by_name.setdefault(nama.lower(), kode)
        if other != kode:
            region.errors.append(RegionError(None, N_("Nama kecamatan \"%(nama)s\" dipakai dua kode: %(a)s dan "
                                                      "%(b)s."), {"nama": nama, "a": other, "b": kode}))


def packaged_region() -> Region:
    """Kutai Timur's 18 kecamatan and 141 desa/kelurahan."""
    return read_region(PACKAGED.read_bytes(), PACKAGED.name)


def load_region(session: Session, region: Region, code_prefix: str | None = None, name_suffix: str = "") -> int:
    """Adds the region's areas that are not there yet (by code); returns how many. A prefix (`65.08`) and a suffix
    make copies of the packaged region for the demo's --scale."""
    if region.errors:
        raise ValueError("a region with errors is not loaded")
    have = set(session.scalars(select(Area.kode)))

    def kode(k: str) -> str:
        return (code_prefix + k[5:]) if code_prefix else k

    added = [Area(kode=kode(k), nama=n + name_suffix, level=LEVEL_KECAMATAN, jenis=None)
             for k, n in region.kecamatan.items() if kode(k) not in have]
    session.add_all(added)
    session.flush()  # the kecamatan first: a desa refers to its parent
    desa = [Area(kode=kode(d.kode), nama=d.nama + name_suffix, level=LEVEL_DESA, jenis=d.jenis,
                 parent_kode=kode(d.kecamatan)) for d in region.desa if kode(d.kode) not in have]
    session.add_all(desa)
    session.flush()
    return len(added) + len(desa)
