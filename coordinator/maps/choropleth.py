"""A choropleth of areas as one inline SVG: no JavaScript, no tiles, no network, no Flask.

Each area with a shape is a link (`<a href>`) to its page around a path, titled with its name and figure (read by
screen readers, shown on hover); the fill is its class on a sequential palette that also grows darker from class to
class, so the map still reads in grey print; an area without a figure is hatched grey ("tidak ada data"). The legend
and the credit line of the boundaries are part of the SVG, so the same markup serves a page and, later, the PDF.
Callers pass translated texts and a formatter in the reader's language (coordinator.core.formatting). Every text
is escaped: names come from the database.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple
from xml.sax.saxutils import escape

from coordinator.maps.classes import Klass, class_of, classify
from coordinator.maps.shapes import ShapeSet

WIDTH = 600
# ColorBrewer OrRd, light to dark: lightness falls from class to class (readable in grey print and by most
# colour-blind readers); fewer classes take colours spread over the same range.
PALETTE = ("#fef0d9", "#fdcc8a", "#fc8d59", "#d7301f", "#7f0000")
NO_DATA_FILL = "#f0f0f0"
STROKE = "#5b6663"
LEGEND_HEIGHT = 74


class AreaValue(NamedTuple):
    kode: str
    nama: str
    value: float | None


def _text(value: object) -> str:
    """Text for an element or an attribute: quotes too (web/page_cache.py looks for markup by its attributes)."""
    return escape(str(value), {'"': "&quot;", "'": "&#x27;"})


def palette(count: int) -> list[str]:
    if count <= 0:
        return []
    if count == 1:
        return [PALETTE[2]]
    last = len(PALETTE) - 1
    return [PALETTE[round(i * last / (count - 1))] for i in range(count)]


def without_shape(areas: Sequence[AreaValue], shapes: ShapeSet) -> list[AreaValue]:
    """The areas of the data that the boundaries do not know (a desa persiapan added later): listed beside the
    map, never dropped."""
    return [a for a in areas if a.kode not in shapes]


def _label(k: Klass, fmt: Callable[[float], str]) -> str:
    return fmt(k.low) if k.low == k.high else f"{fmt(k.low)} – {fmt(k.high)}"


def _legend(parts: list[str], top: float, klasses: list[Klass], colours: list[str], fmt: Callable[[float], str],
            legend_title: str, no_data: str | None, pid: str) -> None:
    slots = [(c, _label(k, fmt)) for k, c in zip(klasses, colours, strict=True)]
    if no_data is not None:
        slots.append((f"url(#{pid}-hatch)", no_data))
    parts.append(f'<g font-size="11" transform="translate(4 {top:.0f})">')
    parts.append(f'<text x="0" y="11" font-weight="bold">{_text(legend_title)}</text>')
    step = (WIDTH - 8) / max(len(slots), 1)
    for i, (fill, label) in enumerate(slots):
        x = i * step
        parts.append(f'<rect x="{x:.1f}" y="18" width="{step - 6:.1f}" height="14" fill="{fill}" '
                     f'stroke="{STROKE}" stroke-width=".5"/>')
        parts.append(f'<text x="{x:.1f}" y="46">{_text(label)}</text>')
    parts.append("</g>")


def choropleth_svg(areas: Sequence[AreaValue], shapes: ShapeSet, *, title: str, legend_title: str,
                   fmt: Callable[[float], str], href_of: Callable[[str], str], classes: int = 5,
                   credit: str, no_data: str = "tidak ada data", desc: str = "", pid: str = "map") -> str:
    """The map of these areas (those with a shape; see `without_shape` for the others) as an SVG element.

    `fmt` writes a figure in the reader's language, `href_of` gives an area's page; `pid` prefixes the ids inside
    the SVG (two maps on one page need two)."""
    drawn = [a for a in areas if a.kode in shapes]
    projection, paths = shapes.paths(frozenset(a.kode for a in drawn), WIDTH)
    klasses = classify([a.value for a in drawn if a.value is not None], classes)
    colours = palette(len(klasses))
    map_height = projection.height
    height = map_height + LEGEND_HEIGHT
    has_missing = any(a.value is None for a in drawn)
    description = desc or legend_title
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="map" viewBox="0 0 {WIDTH} {height:.1f}" '
        f'width="100%" role="group" aria-label="{_text(title)}" aria-describedby="{pid}-desc" '
        f'font-family="sans-serif">',
        f'<title id="{pid}-title">{_text(title)}</title><desc id="{pid}-desc">{_text(description)}</desc>',
        f'<defs><pattern id="{pid}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{NO_DATA_FILL}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="#8a8f8d" stroke-width="1.5"/></pattern></defs>',
        f'<g stroke="{STROKE}" stroke-width=".5" stroke-linejoin="round" fill-rule="evenodd">',
    ]
    for a in sorted(drawn, key=lambda a: a.kode):
        d = paths.get(a.kode)
        if not d:
            continue
        if a.value is None:
            fill, figure = f"url(#{pid}-hatch)", no_data
        else:
            fill, figure = colours[class_of(a.value, klasses)], fmt(a.value)
        parts.append(f'<a href="{_text(href_of(a.kode))}" data-kode="{_text(a.kode)}">'
                     f'<title>{_text(a.nama)}: {_text(figure)}</title><path d="{d}" fill="{fill}"/></a>')
    parts.append("</g>")
    _legend(parts, map_height + 2, klasses, colours, fmt, legend_title, no_data if has_missing else None, pid)
    parts.append(f'<text x="{WIDTH - 4}" y="{height - 4:.1f}" font-size="10" fill="#5b6663" '
                 f'text-anchor="end">{_text(credit)}</text>')
    parts.append("</svg>")
    return "".join(parts)
