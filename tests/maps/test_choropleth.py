"""The SVG choropleth (coordinator/maps): one linked, titled path per area with a shape; class breaks that cover
the data; no data drawn as such; areas without a shape listed; names escaped; the 141-desa map small enough."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from hypothesis import given, settings
from hypothesis import strategies as st

from coordinator.maps.choropleth import PALETTE, AreaValue, choropleth_svg, without_shape
from coordinator.maps.classes import class_of, classify
from coordinator.maps.projection import fit, ring_path
from coordinator.maps.shapes import ShapeSet, desa_shapes, kecamatan_shapes, parse

NS = {"svg": "http://www.w3.org/2000/svg"}
CREDIT = "Batas wilayah: cahyadsn/wilayah_boundaries (MIT)"


def square(kode: str, nama: str, x: float) -> dict:
    ring = [[116.0 + x, 0.5], [116.1 + x, 0.5], [116.1 + x, 0.6], [116.0 + x, 0.6], [116.0 + x, 0.5]]
    return {"type": "Feature", "properties": {"kode": kode, "nama": nama},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


def squares(*names: str) -> ShapeSet:
    features = [square(f"64.08.{i:02d}", n, i * 0.2) for i, n in enumerate(names, start=1)]
    return ShapeSet(parse({"type": "FeatureCollection", "features": features}))


def draw(areas: list[AreaValue], shapes: ShapeSet, **kw) -> str:
    return choropleth_svg(areas, shapes, title=kw.pop("title", "Peta kecamatan: ATS"), legend_title="ATS",
                          fmt=lambda v: f"{v:,.0f}".replace(",", "."), href_of=lambda k: f"/ats/area/{k}",
                          credit=CREDIT, **kw)


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314  # our own output, checked to be well-formed XML


def links(svg: str) -> list[ET.Element]:
    return parsed(svg).findall(".//svg:a", NS)


def test_one_linked_titled_path_per_area_with_a_shape():
    shapes = kecamatan_shapes()
    areas = [AreaValue(k, s.nama, 1000 + i * 37) for i, (k, s) in enumerate(sorted(shapes.shapes.items()))]
    svg = draw(areas, shapes)
    root = parsed(svg)
    assert root.get("role") == "group" and root.get("aria-label") == "Peta kecamatan: ATS"
    assert root.find("svg:title", NS).text == "Peta kecamatan: ATS" and root.find("svg:desc", NS) is not None
    assert len(root.findall(".//svg:path", NS)) == len(areas) == 18
    by_href = {a.get("href"): a for a in links(svg)}
    for i, area in enumerate(areas):
        a = by_href[f"/ats/area/{area.kode}"]
        assert [p.tag for p in a] == ["{http://www.w3.org/2000/svg}title", "{http://www.w3.org/2000/svg}path"]
        assert a.find("svg:title", NS).text == f"{area.nama}: {1000 + i * 37:,}".replace(",", ".")
    assert CREDIT in svg
    # the darkest class holds the largest figure; the lightest the smallest
    fills = {a.get("data-kode"): a.find("svg:path", NS).get("fill") for a in links(svg)}
    assert fills[areas[0].kode] == PALETTE[0] and fills[areas[-1].kode] == PALETTE[-1]


def test_no_data_is_hatched_and_titled_so_and_shown_in_the_legend():
    svg = draw([AreaValue("64.08.01", "A", 5), AreaValue("64.08.02", "B", None)], squares("A", "B"),
               no_data="tidak ada data")
    b = next(a for a in links(svg) if a.get("data-kode") == "64.08.02")
    assert b.find("svg:title", NS).text == "B: tidak ada data"
    assert b.find("svg:path", NS).get("fill") == "url(#map-hatch)"
    assert 'id="map-hatch"' in svg and svg.count("tidak ada data") == 2  # the area's title and the legend


def test_all_missing_empty_and_equal_values_still_draw():
    shapes = squares("A", "B")
    assert len(links(draw([AreaValue("64.08.01", "A", None), AreaValue("64.08.02", "B", None)], shapes))) == 2
    assert links(draw([], shapes)) == []
    svg = draw([AreaValue("64.08.01", "A", 7), AreaValue("64.08.02", "B", 7)], shapes)
    assert {a.find("svg:path", NS).get("fill") for a in links(svg)} == {PALETTE[2]}  # one class, mid colour


def test_an_area_without_a_shape_is_returned_not_dropped():
    shapes = squares("A")
    areas = [AreaValue("64.08.01", "A", 3), AreaValue("64.08.01.2099", "Desa Persiapan", 4)]
    assert without_shape(areas, shapes) == [areas[1]]
    assert len(links(draw(areas, shapes))) == 1


def test_names_and_texts_are_escaped():
    evil = '<script>alert("x")</script> & "Co"'
    svg = draw([AreaValue("64.08.01", evil, 1)], squares("A"), title=evil)
    assert "<script" not in svg
    assert parsed(svg).find(".//svg:a/svg:title", NS).text == f"{evil}: 1"  # well-formed and intact


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.integers(-5000, 5000), st.floats(-1e6, 1e6, allow_nan=False)), max_size=160),
       st.integers(1, 7))
def test_class_breaks_cover_the_data(values, classes):
    klasses = classify(values, classes)
    if not values:
        assert klasses == []
        return
    assert 1 <= len(klasses) <= min(classes, len(set(values)))
    assert klasses[0].low == min(values) and klasses[-1].high == max(values)
    assert sum(k.count for k in klasses) == len(values)
    for a, b in zip(klasses, klasses[1:], strict=False):
        assert a.low <= a.high < b.low <= b.high  # ordered, not overlapping
    for v in values:
        k = klasses[class_of(v, klasses)]
        assert k.low <= v <= k.high  # every value falls in the class it is drawn with


def test_natural_breaks_part_clusters():
    klasses = classify([1, 2, 3, 100, 101, 102, 1000], 3)
    assert [(k.low, k.high) for k in klasses] == [(1, 3), (100, 102), (1000, 1000)]


def test_projection_keeps_kutim_in_proportion_and_paths_compact():
    # a square degree at the equator stays square; at 60° it is half as wide as high
    assert fit((116.0, -0.5, 117.0, 0.5), 104).height == 104.0
    assert round(fit((0.0, 59.5, 1.0, 60.5), 54).height) == 2 * (54 - 8) + 8  # 4 px padding each side
    assert ring_path([(0, 0), (15, 0), (15, -5), (0, 0)]) == "M0 0l1.5 0 0-.5z"


def test_the_141_desa_map_stays_under_150_kb():
    shapes = desa_shapes()
    assert len(shapes) == 141
    areas = [AreaValue(k, s.nama, i * 13 % 700) for i, (k, s) in enumerate(shapes.shapes.items())]
    svg = draw(areas, shapes)
    assert len(re.findall("<path ", svg)) == 141
    assert len(svg.encode()) <= 150 * 1024
