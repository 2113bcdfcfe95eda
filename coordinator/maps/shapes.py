"""The areas' boundaries, read once per process from GeoJSON (docs/data-formats.md, "Area boundaries").

A file is a FeatureCollection whose features carry `kode` and `nama` in their properties and a Polygon or
MultiPolygon in lon/lat (WGS84). Kutai Timur's 18 kecamatan and 141 desa are packaged in coordinator/data/geo/
with their licence (MIT, cahyadsn/wilayah_boundaries) and provenance (SOURCE.md).
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from coordinator.maps.projection import Projection, fit, ring_path

GEO_DIR = Path(__file__).resolve().parents[1] / "data" / "geo"
KECAMATAN_FILE = GEO_DIR / "kutim_kecamatan.geojson"
DESA_FILE = GEO_DIR / "kutim_desa.geojson"

Ring = tuple[tuple[float, float], ...]  # (lon, lat) points


@dataclass(frozen=True)
class Shape:
    kode: str
    nama: str
    rings: tuple[Ring, ...]  # every ring of every polygon: drawn with fill-rule evenodd, holes stay holes

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        lons = [p[0] for r in self.rings for p in r]
        lats = [p[1] for r in self.rings for p in r]
        return min(lons), min(lats), max(lons), max(lats)


@dataclass
class ShapeSet:
    """Shapes by kode; the SVG paths of a set of them at a width are worked out once and kept (the same kecamatan
    map is drawn for every measure, and the pages are drawn again after every data change)."""

    shapes: dict[str, Shape]
    _drawn: dict[tuple[frozenset[str], int], tuple[Projection, dict[str, str]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __contains__(self, kode: object) -> bool:
        return kode in self.shapes

    def __len__(self) -> int:
        return len(self.shapes)

    def get(self, kode: str) -> Shape | None:
        return self.shapes.get(kode)

    def paths(self, kodes: frozenset[str], width: int) -> tuple[Projection, dict[str, str]]:
        """The projection fitted to these areas and each one's path data (`d`)."""
        key = (kodes, width)
        with self._lock:
            kept = self._drawn.get(key)
        if kept is not None:
            return kept
        chosen = [self.shapes[k] for k in sorted(kodes) if k in self.shapes]
        boxes = [s.bounds for s in chosen] or [(0.0, 0.0, 1.0, 1.0)]
        bounds = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                  max(b[3] for b in boxes))
        projection = fit(bounds, width)
        drawn = {s.kode: "".join(ring_path(projection.tenths(r)) for r in s.rings) for s in chosen}
        with self._lock:
            if len(self._drawn) > 64:  # a few maps per regency: this only guards against surprises
                self._drawn.clear()
            self._drawn[key] = (projection, drawn)
        return projection, drawn


def parse(data: object) -> dict[str, Shape]:
    """Shapes of a GeoJSON FeatureCollection; a feature without kode or polygon geometry is skipped."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ValueError("not a GeoJSON FeatureCollection")
    out: dict[str, Shape] = {}
    for feature in data.get("features") or []:
        props = feature.get("properties") or {}
        geometry = feature.get("geometry") or {}
        kode = str(props.get("kode") or "").strip()
        kind, coords = geometry.get("type"), geometry.get("coordinates") or []
        polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
        rings = tuple(tuple((float(p[0]), float(p[1])) for p in ring) for poly in polygons for ring in poly
                      if len(ring) >= 3)
        if kode and rings:
            out[kode] = Shape(kode, str(props.get("nama") or kode), rings)
    return out


@lru_cache(maxsize=8)
def load(path: Path) -> ShapeSet:
    """The shapes of a GeoJSON file, read once per process."""
    return ShapeSet(parse(json.loads(path.read_text(encoding="utf-8"))))


def kecamatan_shapes() -> ShapeSet:
    return load(KECAMATAN_FILE)


def desa_shapes() -> ShapeSet:
    return load(DESA_FILE)
