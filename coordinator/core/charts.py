"""Server-side SVG line charts: no JavaScript, no chart library, no Flask.

The same function draws the chart on an indicator's page and, later, in the
monthly PDF report (WeasyPrint renders inline SVG). Callers pass already
translated texts; numbers on the y axis are formatted for the given locale
(Indonesian by default: 13.411, 12,5).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from babel.dates import format_date
from babel.numbers import format_decimal, get_group_symbol

PALETTE = ("#0b5d4b", "#1849a9", "#b54708", "#b42318", "#5b6663")


@dataclass
class Series:
    """One line. `values` is aligned with the chart's x labels; None leaves a gap in the points
    (the line joins the neighbouring points so that sparse targets still read as a line)."""

    name: str
    values: list[float | None]
    dashed: bool = False
    color: str | None = None
    css_class: str = field(default="")


def _attr(text: str) -> str:
    """Text for an attribute or an element: quotes too, so that no typed text can look like markup's attributes
    (web/page_cache.py finds the CSRF fields by them)."""
    return escape(str(text), {'"': "&quot;"})


def _fmt(value: float, locale: str) -> str:
    # Charts label hundreds of whole numbers: Babel's pattern machinery is kept for the rare fraction.
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", _group_symbol(locale))
    return format_decimal(value, format="#,##0.##", locale=locale)


@lru_cache(maxsize=8)
def _group_symbol(locale: str) -> str:
    return get_group_symbol(locale)


def _nice_step(span: float, ticks: int) -> float:
    raw = span / max(ticks, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for mult in (1, 2, 2.5, 5, 10):
        if raw <= mult * magnitude:
            return mult * magnitude
    return 10 * magnitude


def y_scale(values: list[float], ticks: int = 5) -> tuple[float, float, list[float]]:
    """Bounds and tick values covering `values`, starting at zero when the data is not far from it."""
    lo, hi = min(values), max(values)
    if lo >= 0 and lo <= hi * 0.5:
        lo = 0.0
    if hi == lo:
        pad = abs(hi) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
        if min(values) >= 0 and lo < 0:
            lo = 0.0
    step = _nice_step(hi - lo, ticks)
    start = math.floor(lo / step) * step
    end = math.ceil(hi / step) * step
    count = int(round((end - start) / step))
    tick_values = [round(start + i * step, 10) for i in range(count + 1)]
    return start, end, tick_values


def _draw_series(parts: list[str], series: list[Series], n: int, x_at: Callable[[int], float],
                 y_at: Callable[[float], float], x_labels: list[str], unit: str, locale: str, *, radius: float,
                 outlined: bool) -> None:
    """One <g> per series: a polyline and a point per value, each point with an accessible <title>."""
    for k, s in enumerate(series):
        color = s.color or PALETTE[k % len(PALETTE)]
        css = f' class="{_attr(s.css_class)}"' if s.css_class else ""
        points = [(i, v) for i, v in enumerate(s.values[:n]) if v is not None and math.isfinite(v)]
        parts.append(f'<g{css} data-series="{_attr(s.name)}">')
        if len(points) > 1:
            coords = " ".join(f"{x_at(i):.1f},{y_at(v):.1f}" for i, v in points)
            dash = ' stroke-dasharray="6 4"' if s.dashed else ""
            parts.append(f'<polyline points="{coords}" fill="none" stroke="{_attr(color)}" stroke-width="2"{dash}/>')
        for i, v in points:
            tip = f"{s.name} · {x_labels[i]}: {_fmt(v, locale)}" + (f" {unit}" if unit else "")
            if outlined:  # hollow points for dashed (target) series
                fill = "#fff" if s.dashed else color
                style = f'fill="{_attr(fill)}" stroke="{_attr(color)}" stroke-width="2"'
            else:
                style = f'fill="{_attr(color)}"'
            parts.append(f'<circle cx="{x_at(i):.1f}" cy="{y_at(v):.1f}" r="{radius}" {style} '
                         f'data-value="{v:.10g}"><title>{_attr(tip)}</title></circle>')
        parts.append("</g>")


def _title_and_unit(left: float, top: float, title: str, unit: str | None) -> list[str]:
    """Classed, so a phone's stylesheet can enlarge the title and drop the unit (the caption names it)."""
    out = [f'<text class="chart-title" x="{left}" y="18" font-size="14" font-weight="600" '
           f'fill="#1d2523">{_attr(title)}</text>']
    if unit:
        out.append(f'<text class="chart-unit" x="12" y="{top - 10}" font-size="11" fill="#5b6663">{_attr(unit)}</text>')
    return out


def line_chart(series: list[Series], x_labels: list[str], title: str, unit: str, width: int = 720,
               height: int = 320, locale: str = "id", empty_text: str = "Belum ada data.") -> str:
    """An accessible SVG line chart as a string, safe to embed in HTML as is."""
    width, height = max(int(width), 200), max(int(height), 150)
    label = f"{title} ({unit})" if unit else title
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="line-chart" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-label="{_attr(label)}">'
            f"<title>{_attr(label)}</title>")
    values = [v for s in series for v in s.values if v is not None and math.isfinite(v)]
    if not values or not x_labels:
        return (head + f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" fill="#fff" '
                f'stroke="#d9e0de"/><text x="{width / 2:.1f}" y="{height / 2:.1f}" text-anchor="middle" '
                f'font-size="14" fill="#5b6663">{_attr(empty_text)}</text></svg>')

    left, right, top, bottom = 72, 16, 48, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    lo, hi, ticks = y_scale(values)
    n = len(x_labels)

    inset = min(28.0, plot_w / 10)  # keeps the first and last points and labels off the frame

    def x_at(i: int) -> float:
        return left + plot_w / 2 if n == 1 else left + inset + (plot_w - 2 * inset) * i / (n - 1)

    def y_at(v: float) -> float:
        return top + plot_h * (1 - (v - lo) / (hi - lo))

    parts = [head, f'<desc>{_attr(_describe(series, x_labels, unit, locale))}</desc>',
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff"/>',
             *_title_and_unit(left, top, title, unit)]
    # Grid lines and y ticks.
    parts.append('<g class="grid" font-size="11" fill="#5b6663">')
    for t in ticks:
        y = y_at(t)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e4e9e7"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{_attr(_fmt(t, locale))}</text>')
    parts.append("</g>")
    # Axes.
    parts.append(f'<g class="axes" stroke="#5b6663"><line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}"/>'
                 f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}"/></g>')
    # X labels: thinned so they do not overlap on long series.
    every = max(1, math.ceil(n / max(1, plot_w // 64)))
    parts.append('<g class="x-labels" font-size="11" fill="#5b6663" text-anchor="middle">')
    shown = set(range(0, n, every))
    if n - 1 not in shown:  # the last period always gets its label, in place of its too-close neighbour
        shown = (shown - {max(shown)}) | {n - 1} if len(shown) > 1 else shown | {n - 1}
    for i, text in enumerate(x_labels):
        x = x_at(i)
        parts.append(f'<line x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}" y2="{top + plot_h + 4}" stroke="#5b6663"/>')
        if i in shown:
            parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 18}">{_attr(text)}</text>')
    parts.append("</g>")
    # Lines and points.
    _draw_series(parts, series, n, x_at, y_at, x_labels, unit, locale, radius=4, outlined=True)
    parts.append(_legend(series, width - right, height - 14))
    parts.append("</svg>")
    return "".join(parts)


def _legend(series: list[Series], x_right: int, y: int) -> str:
    """Legend along the bottom, right-aligned: a line sample and the series name each."""
    out = ['<g class="legend" font-size="12" fill="#1d2523">']
    x = float(x_right)
    for k in reversed(range(len(series))):
        s = series[k]
        color = s.color or PALETTE[k % len(PALETTE)]
        text_w = 7 * len(s.name) + 8
        x -= text_w
        out.append(f'<text x="{x:.1f}" y="{y}">{_attr(s.name)}</text>')
        x -= 30
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        out.append(f'<line x1="{x:.1f}" y1="{y - 4}" x2="{x + 24:.1f}" y2="{y - 4}" stroke="{_attr(color)}" '
                   f'stroke-width="2"{dash}/>')
        x -= 12
    out.append("</g>")
    return "".join(out)


def _describe(series: list[Series], x_labels: list[str], unit: str, locale: str) -> str:
    """A text equivalent of the chart for screen readers."""
    chunks = []
    for s in series:
        pts = [f"{x_labels[i]}: {_fmt(v, locale)}" for i, v in enumerate(s.values[:len(x_labels)]) if v is not None]
        if pts:
            chunks.append(f"{s.name} ({unit}) — " + "; ".join(pts) if unit else f"{s.name} — " + "; ".join(pts))
    return ". ".join(chunks)


# ATS counts over time with intervention bands ---------------------------------------------------------------

@dataclass
class Band:
    """An intervention drawn as a translucent rectangle from `start` to `end` (its start and due date)."""

    code: str
    title: str
    start: date
    end: date
    label: str = ""  # accessible text, e.g. "1.1.1 Pendampingan keluarga (1 Jan 2026 – 31 Des 2026)"


def band_lanes(bands: list[Band]) -> list[int]:
    """A lane per band (aligned with `bands`): overlapping bands go to different lanes, greedily by start."""
    order = sorted(range(len(bands)), key=lambda i: (bands[i].start, bands[i].end, bands[i].code))
    lane_ends: list[date] = []
    lanes = [0] * len(bands)
    for i in order:
        b = bands[i]
        for lane, end in enumerate(lane_ends):
            if end < b.start:
                lanes[i] = lane
                lane_ends[lane] = b.end
                break
        else:
            lanes[i] = len(lane_ends)
            lane_ends.append(b.end)
    return lanes


def ats_chart(series: list[Series], dates: list[date], x_labels: list[str], bands: list[Band], title: str,
              unit: str, width: int = 720, height: int = 340, locale: str = "id",
              empty_text: str = "Belum ada data.", direct_labels: bool = False) -> str:
    """ATS counts per category over time (x proportional to the snapshot dates), with the interventions
    that target the area drawn as translucent bands from start to due date, in lanes when they overlap.
    `direct_labels`: each line also carries its name at its last point (a printed page in grey, or a reader who
    does not tell the colours apart, still knows which line is which)."""
    width, height = max(int(width), 200), max(int(height), 150)
    label = f"{title} ({unit})" if unit else title
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="line-chart ats-chart" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-label="{_attr(label)}">'
            f"<title>{_attr(label)}</title>")
    n = min(len(dates), len(x_labels))
    values = [v for s in series for v in s.values[:n] if v is not None and math.isfinite(v)]
    if not values or n == 0:
        return (head + f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" fill="#fff" '
                f'stroke="#d9e0de"/><text x="{width / 2:.1f}" y="{height / 2:.1f}" text-anchor="middle" '
                f'font-size="14" fill="#5b6663">{_attr(empty_text)}</text></svg>')

    left, right, top, bottom = 72, 56 if direct_labels else 16, 48, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    lo, hi, ticks = y_scale(values)
    inset = min(28.0, plot_w / 10)
    first, last = dates[0].toordinal(), dates[n - 1].toordinal()
    if first == last:
        first, last = first - 30, last + 30
    span = last - first

    def x_of(d: date) -> float:
        return left + inset + (plot_w - 2 * inset) * (d.toordinal() - first) / span

    def y_at(v: float) -> float:
        return top + plot_h * (1 - (v - lo) / (hi - lo))

    # A point is named by its day ("15 Okt 2026"): two snapshots of one month share their axis label "Okt 26".
    point_labels = [format_date(d, "d MMM y", locale=locale) for d in dates[:n]]
    desc = _describe(series, point_labels, unit, locale)
    if bands:
        desc += ". " + "; ".join(b.label or f"{b.code} {b.title}" for b in bands)
    parts = [head, f"<desc>{_attr(desc)}</desc>",
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff"/>',
             *_title_and_unit(left, top, title, unit)]
    parts.append(_bands_svg(bands, x_of, left, left + plot_w, top, plot_h))
    parts.append('<g class="grid" font-size="11" fill="#5b6663">')
    for t in ticks:
        y = y_at(t)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e4e9e7"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{_attr(_fmt(t, locale))}</text>')
    parts.append("</g>")
    parts.append(f'<g class="axes" stroke="#5b6663"><line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}"/>'
                 f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}"/></g>')
    parts.append('<g class="x-labels" font-size="11" fill="#5b6663" text-anchor="middle">')
    last_x = -1e9
    labelled: set[str] = set()
    for i in reversed(range(n)):  # the latest label always shows; earlier ones only where they fit, each once
        x = x_of(dates[i])
        parts.append(f'<line x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}" y2="{top + plot_h + 4}" stroke="#5b6663"/>')
        if abs(last_x - x) >= 64 and x_labels[i] not in labelled:
            parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 18}">{_attr(x_labels[i])}</text>')
            last_x = x
            labelled.add(x_labels[i])
    parts.append("</g>")
    _draw_series(parts, series, n, lambda i: x_of(dates[i]), y_at, point_labels, unit, locale, radius=3.5,
                 outlined=False)
    if direct_labels:
        parts.append(_end_labels(series, n, lambda i: x_of(dates[i]), y_at))
    parts.append(_legend(series, width - right, height - 14))
    parts.append("</svg>")
    return "".join(parts)


def _end_labels(series: list[Series], n: int, x_at: Callable[[int], float], y_at: Callable[[float], float]) -> str:
    """Each series' name beside its last point, moved apart vertically so that no two overlap (12 px)."""
    ends: list[list[Any]] = []
    for k, s in enumerate(series):
        points = [(i, v) for i, v in enumerate(s.values[:n]) if v is not None and math.isfinite(v)]
        if points:
            i, v = points[-1]
            ends.append([y_at(v), x_at(i), s.name, s.color or PALETTE[k % len(PALETTE)]])
    ends.sort(key=lambda e: e[0])
    for j in range(1, len(ends)):
        ends[j][0] = max(ends[j][0], ends[j - 1][0] + 12)
    return '<g class="direct-labels" font-size="11" font-weight="600">' + "".join(
        f'<text x="{x + 7:.1f}" y="{y + 4:.1f}" fill="{_attr(color)}">{_attr(name)}</text>'
        for y, x, name, color in ends) + "</g>"


def _bands_svg(bands: list[Band], x_of: Callable[[date], float], x_min: float, x_max: float, top: float,
               plot_h: float) -> str:
    if not bands:
        return ""
    lanes = band_lanes(bands)
    count = max(lanes) + 1
    lane_h = plot_h / count
    out = ['<g class="bands" font-size="10">']
    for b, lane in zip(bands, lanes, strict=True):
        x1 = min(max(x_of(b.start), x_min), x_max)
        x2 = min(max(x_of(b.end), x_min), x_max)
        if x2 <= x1:  # outside the charted period, or a single day: a thin mark at the edge
            x2 = min(x1 + 2, x_max)
            x1 = x2 - 2
        y = top + lane * lane_h
        color = PALETTE[lane % len(PALETTE)]
        text = b.label or f"{b.code} {b.title}"
        out.append(f'<g class="band" data-code="{_attr(b.code)}"><title>{_attr(text)}</title>'
                   f'<rect x="{x1:.1f}" y="{y:.1f}" width="{x2 - x1:.1f}" height="{lane_h:.1f}" '
                   f'fill="{color}" fill-opacity="0.10" stroke="{color}" stroke-opacity="0.35"/>')
        if x2 - x1 >= 6 * len(b.code) + 6 and lane_h >= 12:
            out.append(f'<text x="{x1 + 3:.1f}" y="{y + 11:.1f}" fill="{color}">{_attr(b.code)}</text>')
        out.append("</g>")
    out.append("</g>")
    return "".join(out)
