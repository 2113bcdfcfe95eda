"""Size and render time of the SVG maps (coordinator/maps): the 18 kecamatan and all 141 desa of Kutai Timur.

    .venv/bin/python -m bench.maps [--runs 50]

"cold" is the first drawing in a process (the GeoJSON read, projected and simplified), "warm" the median of the
drawings after it (the paths are kept per process; each page drawn after a data change is warm). No database and
no Flask: the maps are drawn from made-up figures, formatted as Indonesian numbers. Target: the 141-desa map ≤ 150 KB.
"""
from __future__ import annotations

import argparse
import random
import statistics
import time

from babel.numbers import format_decimal

from coordinator.maps import shapes as geo
from coordinator.maps.choropleth import AreaValue, choropleth_svg

SIZE_TARGET_KB = 150.0


def _draw(shapes: geo.ShapeSet, values: list[AreaValue]) -> str:
    return choropleth_svg(values, shapes, title="Peta", legend_title="ATS sekarang",
                          fmt=lambda v: format_decimal(v, locale="id"), href_of=lambda k: f"/ats/area/{k}",
                          credit="Batas wilayah: cahyadsn/wilayah_boundaries (MIT)")


def measure(name: str, load: geo.ShapeSet, runs: int, pick: str = "") -> bool:
    rng = random.Random(21)
    t0 = time.perf_counter()
    shapes = load
    values = [AreaValue(k, s.nama, rng.choice([None, *range(0, 900)]))
              for k, s in sorted(shapes.shapes.items()) if k.startswith(pick)]
    svg = _draw(shapes, values)
    cold = (time.perf_counter() - t0) * 1000
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        _draw(shapes, values)
        times.append((time.perf_counter() - t) * 1000)
    kb = len(svg.encode()) / 1024
    print(f"{name:<32} {len(values):>4} areas  {kb:7.1f} KB  cold {cold:6.1f} ms  warm median "
          f"{statistics.median(times):5.2f} ms")
    return kb <= SIZE_TARGET_KB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    t = time.perf_counter()
    kecamatan, desa = geo.kecamatan_shapes(), geo.desa_shapes()
    print(f"GeoJSON read: {(time.perf_counter() - t) * 1000:.0f} ms (once per process)")
    measure("kecamatan (18)", kecamatan, args.runs)
    ok = measure("desa, whole regency (141)", desa, args.runs)
    measure("desa of Sangatta Utara", desa, args.runs, pick="64.08.04.")
    print(f"141-desa map ≤ {SIZE_TARGET_KB:.0f} KB: {'yes' if ok else 'NO'}")


if __name__ == "__main__":
    main()
