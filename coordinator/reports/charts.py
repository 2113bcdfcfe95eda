"""The monthly PDF report's charts, as inline SVG strings built from the report alone.

`report_charts` gives the template two charts: the ATS trend per category
(charts.ats_chart, without intervention bands) and a compact horizontal bar
chart of the latest ATS count per kecamatan (or per desa for a kecamatan's
report). Titles are translated here (Indonesian source strings); every text
that goes into the SVG is escaped, numbers are formatted for the locale.
"""
from __future__ import annotations

from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from babel.dates import format_date
from babel.numbers import format_decimal
from flask_babel import gettext as _

from coordinator.ats.charts import CATEGORY_COLORS
from coordinator.core import charts
from coordinator.figures.waterfall_chart import steps_svg, waterfall_steps, waterfall_words
from coordinator.maps import measures as maps
from coordinator.maps.choropleth import AreaValue
from coordinator.maps.shapes import kecamatan_shapes
from coordinator.models import SCOPE_KECAMATAN
from coordinator.reports.model import MonthlyReport

CHART_WIDTH = 672  # px at 96 dpi: the text width of an A4 page with 16 mm side margins
BAR_LIMIT = 25
FONT = "Laporan, sans-serif"  # the report's @font-face, so the charts print in the body font


def _attr(text: str) -> str:
    return escape(str(text), {'"': "&quot;"})


def _fmt(value: float, locale: str) -> str:
    return format_decimal(value, format="#,##0.##", locale=locale)


def _with_font(svg: str) -> str:
    """Sets the report font on the root <svg> (inherited by its text)."""
    return svg.replace("<svg ", f'<svg font-family="{FONT}" ', 1)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def bar_chart(labels: list[str], values: list[float], title: str, unit: str, locale: str = "id",
              width: int = CHART_WIDTH, row_height: int = 15, empty_text: str = "Belum ada data.",
              note: str = "") -> str:
    """A compact accessible horizontal bar chart: one labelled bar per value, the value at its end."""
    width = max(int(width), 240)
    label = f"{title} ({unit})" if unit else title
    n = min(len(labels), len(values))
    height = 30 + row_height * n + (26 if note else 12) if n else 120
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-label="{_attr(label)}">'
            f"<title>{escape(label)}</title>")
    if n == 0:
        return (head + f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" fill="#fff" '
                f'stroke="#d9e0de"/><text x="{width / 2:.1f}" y="{height / 2:.1f}" text-anchor="middle" '
                f'font-size="14" fill="#5b6663">{escape(empty_text)}</text></svg>')

    shown = [_clip(str(t), 32) for t in labels[:n]]
    texts = [_fmt(v, locale) for v in values[:n]]
    left = min(max(int(max(len(t) for t in shown) * 5.6) + 12, 80), 200)
    value_w = max(len(t) for t in texts) * 6 + 10
    plot_w = width - left - value_w - 4
    hi = max(max(values[:n]), 0) or 1
    top = 28
    desc = "; ".join(f"{t}: {v}" for t, v in zip(shown, texts, strict=True))
    parts = [head, f"<desc>{escape(desc)}</desc>",
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff"/>',
             f'<text x="0" y="14" font-size="12" font-weight="bold" fill="#1d2523">{escape(title)}</text>']
    if unit:
        parts.append(f'<text x="{width}" y="14" font-size="10" text-anchor="end" fill="#5b6663">{escape(unit)}</text>')
    parts.append('<g class="bars" font-size="10" fill="#1d2523">')
    for i in range(n):
        y = top + i * row_height
        v = max(values[i], 0)
        bar = plot_w * v / hi
        tip = f"{shown[i]}: {texts[i]}" + (f" {unit}" if unit else "")
        parts.append(
            f'<g class="bar"><title>{escape(tip)}</title>'
            f'<text x="{left - 6}" y="{y + row_height * 0.7:.1f}" text-anchor="end">{escape(shown[i])}</text>'
            f'<rect x="{left}" y="{y + 2}" width="{max(bar, 0.8):.1f}" height="{row_height - 4}" '
            f'fill="{charts.PALETTE[0]}" data-value="{values[i]:.10g}"/>'
            f'<text x="{left + bar + 4:.1f}" y="{y + row_height * 0.7:.1f}">{escape(texts[i])}</text></g>')
    parts.append("</g>")
    base_y = top + n * row_height
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{base_y}" stroke="#5b6663"/>')
    if note:
        parts.append(f'<text x="0" y="{base_y + 18}" font-size="10" font-style="italic" fill="#5b6663">'
                     f"{escape(note)}</text>")
    parts.append("</svg>")
    return "".join(parts)


def _ats_svg(report: MonthlyReport, locale: str) -> str:
    points = report.ats_series
    dates = [d for d, _counts in points]
    x_labels = [format_date(d, "MMM yy", locale=locale) for d in dates]
    series = [
        charts.Series(_("Total") if key == "total" else key,
                      [float(c[key]) if c.get(key) is not None else None for _d, c in points],
                      color=CATEGORY_COLORS[key], css_class=f"series-{key.lower()}")
        for key in ("BPB", "DO", "LTM", "total")
    ]
    if report.scope == SCOPE_KECAMATAN:
        title = _("ATS Kecamatan %(name)s per kategori", name=report.scope_name)
    else:
        title = _("ATS Kabupaten Kutai Timur per kategori")
    return charts.ats_chart(series, dates, x_labels, [], title=title, unit=_("anak"), width=CHART_WIDTH,
                            height=300, locale=locale, empty_text=_("Belum ada data ATS."), direct_labels=True)


def _areas_svg(report: MonthlyReport, locale: str) -> str:
    rows = [r for r in report.area_rows if r.now is not None]
    desa = report.area_level == "desa"
    title = _("ATS per desa, keadaan terbaru") if desa else _("ATS per kecamatan, keadaan terbaru")
    note = ""
    if len(rows) > BAR_LIMIT:
        if desa:
            note = _("Ditampilkan %(shown)s desa dengan ATS terbanyak dari %(total)s desa.",
                     shown=BAR_LIMIT, total=len(rows))
        else:
            note = _("Ditampilkan %(shown)s kecamatan dengan ATS terbanyak dari %(total)s kecamatan.",
                     shown=BAR_LIMIT, total=len(rows))
        rows = rows[:BAR_LIMIT]
    return bar_chart([r.nama for r in rows], [float(r.now or 0) for r in rows], title, _("anak"), locale,
                     empty_text=_("Belum ada data ATS."), note=note)


def _trajectory_svg(report: MonthlyReport, locale: str) -> str:
    """The regency's counts since the baseline against the straight path to the target (figures/trajectory)."""
    t = report.trajectory
    if t is None:
        return ""
    points: list[tuple[date, float | None]] = [(d, float(c["total"]) if c.get("total") is not None else None)
                                               for d, c in report.ats_series if d >= t.start]
    points.append((t.end, None))
    series = [charts.Series(_("ATS menurut data Pusdatin"), [v for _d, v in points], color=CATEGORY_COLORS["total"]),
              charts.Series(_("Jalur menuju target"), [float(t.on(d)) for d, _v in points], dashed=True)]
    return charts.line_chart(series, [format_date(d, "MMM yy", locale=locale) for d, _v in points],
                             _("Jumlah ATS dan jalur menuju target"), _("anak"), width=CHART_WIDTH, height=210,
                             locale=locale, empty_text=_("Belum ada data ATS."))


def _waterfall_svg(report: MonthlyReport, locale: str) -> str:
    w = report.waterfall
    if w is None:
        return ""
    steps = waterfall_steps(w, waterfall_words(),
                            _("ATS %(date)s", date=format_date(w.start, "d MMM y", locale=locale)),
                            _("ATS %(date)s", date=format_date(w.end, "d MMM y", locale=locale)))
    return steps_svg(steps, _("Asal perubahan ATS"), lambda n: _fmt(n, locale), width=CHART_WIDTH) if steps else ""


def _map_svg(report: MonthlyReport) -> str:
    """The kecamatan by ATS now, each linking to its row of the report's area table."""
    if report.area_level != "kecamatan" or not report.area_rows:
        return ""
    values = [AreaValue(r.kode, r.nama, float(r.now) if r.now is not None else None) for r in report.area_rows]
    return maps.map_view(values, kecamatan_shapes(), _("Peta kecamatan"), maps.ATS, lambda kode: "#wilayah",
                         "pdf-map").svg


SCALES_DIFFER = 3.0  # when the largest category is this many times the smallest, each gets a chart of its own


def _category_svgs(report: MonthlyReport, locale: str) -> list[str]:
    """BPB, DO and LTM as small multiples, each on its own scale, when one line would flatten the others."""
    points = report.ats_series
    if len(points) < 2:
        return []
    latest = [points[-1][1].get(k) or 0 for k in ("BPB", "DO", "LTM")]
    if min(latest) <= 0 or max(latest) / min(latest) < SCALES_DIFFER:
        return []
    labels = [format_date(d, "MMM yy", locale=locale) for d, _c in points]
    return [_with_font(charts.line_chart(
        [charts.Series(key, [float(c[key]) if c.get(key) is not None else None for _d, c in points],
                       color=CATEGORY_COLORS[key])], labels, key, _("anak"), width=CHART_WIDTH // 3, height=170,
        locale=locale, empty_text=_("Belum ada data ATS."))) for key in ("BPB", "DO", "LTM")]


def report_charts(report: MonthlyReport, locale: str) -> dict[str, Any]:
    """The report's charts by name, each an SVG string safe to insert into the template as is."""
    return {"ats": _with_font(_ats_svg(report, locale)), "areas": _with_font(_areas_svg(report, locale)),
            "categories": _category_svgs(report, locale),
            "trajectory": _with_font(_trajectory_svg(report, locale)),
            "waterfall": _with_font(_waterfall_svg(report, locale)), "map": _with_font(_map_svg(report))}
