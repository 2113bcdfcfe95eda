"""Lon/lat onto an SVG viewBox, and rings into compact SVG path data.

Kutai Timur lies at 0–2°N: an equirectangular projection with x scaled by the cosine of the map's central latitude
keeps shapes and distances true to within a fraction of a percent there (at the equator it is the plate carrée;
further from it, the cosine is what keeps a kecamatan from looking stretched east–west). y is flipped (north up).
Points are rounded to 0.1 px and written as relative moves, and a point that moves a ring by less than
`TOLERANCE` tenths of a pixel is dropped (Douglas–Peucker): the map of 141 desa stays far under 150 KB.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

PAD = 4.0  # px around the areas
TOLERANCE = 2  # tenths of a pixel: under what a screen or a printer shows
Tenths = list[tuple[int, int]]


@dataclass(frozen=True)
class Projection:
    west: float
    north: float
    kx: float  # px per degree of longitude: scale × cos(central latitude)
    scale: float  # px per degree of latitude
    width: float
    height: float

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        return PAD + (lon - self.west) * self.kx, PAD + (self.north - lat) * self.scale

    def tenths(self, ring: Iterable[tuple[float, float]]) -> Tenths:
        """The ring in integer tenths of a pixel, repeated points dropped."""
        out: Tenths = []
        for lon, lat in ring:
            x, y = self.point(lon, lat)
            p = (round(x * 10), round(y * 10))
            if not out or out[-1] != p:
                out.append(p)
        return out


def fit(bounds: tuple[float, float, float, float], width: float) -> Projection:
    """The projection that fits (west, south, east, north) into `width` px; the height follows."""
    west, south, east, north = bounds
    central = math.radians((south + north) / 2)
    cos = max(math.cos(central), 0.01)
    span_x = max((east - west) * cos, 1e-9)
    scale = (width - 2 * PAD) / span_x
    height = max(north - south, 1e-9) * scale + 2 * PAD
    return Projection(west, north, scale * cos, scale, float(width), round(height, 1))


def _simplify(points: Sequence[tuple[int, int]], tolerance: float) -> list[tuple[int, int]]:
    """Douglas–Peucker on an open line: its ends are kept."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy)
        worst, at = -1.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            d = abs(dy * (px - x1) - dx * (py - y1)) / norm if norm else math.hypot(px - x1, py - y1)
            if d > worst:
                worst, at = d, i
        if worst > tolerance:
            keep[at] = True
            stack += [(first, at), (at, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def simplify_ring(ring: Tenths, tolerance: float = TOLERANCE) -> Tenths:
    """A closed ring simplified as two lines, split at the point farthest from its first."""
    if ring and ring[0] == ring[-1]:
        ring = ring[:-1]
    if len(ring) < 4:
        return ring
    x0, y0 = ring[0]
    far = max(range(len(ring)), key=lambda i: (ring[i][0] - x0) ** 2 + (ring[i][1] - y0) ** 2)
    return _simplify(ring[:far + 1], tolerance)[:-1] + _simplify([*ring[far:], ring[0]], tolerance)[:-1]


def _num(tenths: int) -> str:
    """12 -> "1.2", 5 -> ".5", -5 -> "-.5", 30 -> "3": the shortest text SVG reads back as the value."""
    sign = "-" if tenths < 0 else ""
    whole, frac = divmod(abs(tenths), 10)
    if not frac:
        return f"{sign}{whole}"
    return f"{sign}{whole or ''}.{frac}"


def _pair(x: int, y: int) -> str:
    ys = _num(y)
    return _num(x) + ("" if ys.startswith("-") else " ") + ys


def ring_path(ring: Tenths, tolerance: float = TOLERANCE) -> str:
    """`M x y l dx dy … z` for a ring in tenths; a ring that simplifies away to under three points is not drawn."""
    points = simplify_ring(ring, tolerance)
    if len(points) < 3:
        return ""
    parts = ["M", _pair(*points[0]), "l"]
    for (xa, ya), (xb, yb) in zip(points, points[1:], strict=False):
        step = _pair(xb - xa, yb - ya)
        parts.append(step if step.startswith("-") else " " + step)
    parts.append("z")
    text = "".join(parts)
    return text.replace("l ", "l", 1)
