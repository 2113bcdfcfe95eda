"""The ATS maps of the pages: which figure of each area a map shows, and the map ready for a template.

A kecamatan map shows one of four measures, chosen on the page (`?peta=`): ATS now, the change since the baseline
snapshot in %, children back in school per 100 ATS now, and active interventions; a kecamatan's page maps its desa
by ATS now. The figures are those of the page's own rows, so the map and the table beside it never disagree.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from flask_babel import gettext

from coordinator.ats.page_types import Row
from coordinator.core.errors import N_
from coordinator.core.formatting import fmt_number, fmt_percent
from coordinator.maps.choropleth import AreaValue, choropleth_svg, without_shape
from coordinator.maps.shapes import ShapeSet, desa_shapes, kecamatan_shapes

ATS, CHANGE, RETURNED, ACTIVE = "ats", "perubahan", "kembali", "intervensi"
MEASURES = {
    ATS: N_("ATS sekarang"),
    CHANGE: N_("Perubahan sejak baseline (%)"),
    RETURNED: N_("Anak kembali per 100 ATS"),
    ACTIVE: N_("Intervensi aktif"),
}
CREDIT = N_("Batas wilayah: cahyadsn/wilayah_boundaries (MIT)")
NO_DATA = N_("tidak ada data")
HOW_TO_READ = N_("Makin gelap warnanya, makin tinggi angkanya; wilayah berarsir tidak punya data. Setiap wilayah "
                 "bertaut ke halamannya.")


@dataclass
class Unshaped:
    kode: str
    nama: str
    figure: str


@dataclass
class MapView:
    """What templates/maps/_map.html shows."""

    heading: str
    svg: str
    unshaped: list[Unshaped]
    measure: str | None = None  # the chosen measure, when the page offers a choice
    measures: list[tuple[str, str]] = field(default_factory=list)  # (key, label) of every measure offered


def measure_of(arg: str | None) -> str:
    """The measure a query asks for; anything else is ATS now."""
    return arg if arg in MEASURES else ATS


def formatter(measure: str) -> Callable[[float], str]:
    if measure == CHANGE:
        return lambda v: fmt_percent(v, 1)
    if measure == RETURNED:
        return lambda v: fmt_number(v, 1)
    return fmt_number


def returned_per_kecamatan(by_area: Mapping[str, int], parent_of: Mapping[str, str | None]) -> dict[str, int]:
    """Children back in school per kecamatan, from the distinct counts per desa (or kecamatan) of the figures."""
    out: dict[str, int] = defaultdict(int)
    for kode, n in by_area.items():
        parent = parent_of.get(kode)
        out[parent or kode] += n
    return dict(out)


def value_of(row: Row, measure: str, returned: Mapping[str, int]) -> float | None:
    if measure == ACTIVE:
        return row.active_interventions
    if measure == CHANGE:
        return row.change_baseline_pct
    total = row.total
    if measure == RETURNED:
        if not total or row.kode is None:
            return None  # per 100 of nothing is no figure
        return round(returned.get(row.kode, 0) * 100 / total, 1)
    return total


def area_values(rows: Sequence[Row], measure: str, returned: Mapping[str, int] | None = None) -> list[AreaValue]:
    return [AreaValue(r.kode, r.nama, value_of(r, measure, returned or {})) for r in rows if r.kode]


def map_view(values: Sequence[AreaValue], shapes: ShapeSet, heading: str, measure: str,
             href_of: Callable[[str], str], pid: str) -> MapView:
    fmt = formatter(measure)
    label = gettext(MEASURES[measure])
    no_data = gettext(NO_DATA)
    svg = choropleth_svg(values, shapes, title=f"{heading}: {label}", legend_title=label, fmt=fmt,
                         href_of=href_of, credit=gettext(CREDIT), no_data=no_data, desc=gettext(HOW_TO_READ),
                         pid=pid)
    unshaped = [Unshaped(a.kode, a.nama, no_data if a.value is None else fmt(a.value))
                for a in without_shape(values, shapes)]
    return MapView(heading, svg, unshaped)


def kecamatan_map(rows: Sequence[Row], measure: str, returned: Mapping[str, int],
                  href_of: Callable[[str], str], shapes: ShapeSet | None = None) -> MapView:
    """The kecamatan of the overview by one measure; `returned`: children back in school per kecamatan."""
    view = map_view(area_values(rows, measure, returned), shapes or kecamatan_shapes(),
                    gettext("Peta kecamatan"), measure, href_of, "map-kecamatan")
    view.measure = measure
    view.measures = [(key, gettext(label)) for key, label in MEASURES.items()]
    return view


def desa_map(rows: Sequence[Row], href_of: Callable[[str], str], shapes: ShapeSet | None = None) -> MapView:
    """A kecamatan's desa by ATS now."""
    return map_view(area_values(rows, ATS), shapes or desa_shapes(), gettext("Peta desa/kelurahan"), ATS, href_of,
                    "map-desa")
