"""The ATS chart of the pages: BPB, DO, LTM and the total per snapshot as SVG, with interventions drawn as bands
from their start to their due date. Shared by the ATS pages and the action page."""
from __future__ import annotations

from flask_babel import format_date
from flask_babel import gettext as _

from coordinator.ats import pages as ats_pages
from coordinator.core import charts
from coordinator.core.formatting import current_locale
from coordinator.models import Action

CATEGORY_COLORS = {"BPB": "#b54708", "DO": "#b42318", "LTM": "#1849a9", "total": "#0b5d4b"}


def trend_chart(points: list[ats_pages.Point], title: str, bands: list[charts.Band] | None = None,
                width: int = 720, height: int = 340) -> str:
    """The ATS chart of the pages (BPB, DO, LTM and total per snapshot, interventions as bands)."""
    dates = [p.as_of for p in points]
    labels = [format_date(d, "MMM yy") for d in dates]
    series = [
        charts.Series(name if key != "total" else _("Total"),
                      [p.counts[key] if p.counts else None for p in points], color=CATEGORY_COLORS[key],
                      css_class=f"series-{key.lower()}")
        for key, name in (("BPB", "BPB"), ("DO", "DO"), ("LTM", "LTM"), ("total", "total"))
    ]
    return charts.ats_chart(series, dates, labels, bands or [], title=title, unit=_("anak"), width=width,
                            height=height, locale=current_locale(), empty_text=_("Belum ada data ATS."))


def action_band(action: Action) -> charts.Band:
    """An action drawn as a band from its start to its due date."""
    return charts.Band(action.code, action.title, action.start_date, action.due_date,
                       label=_("%(code)s %(title)s (%(start)s – %(due)s)", code=action.code, title=action.title,
                               start=format_date(action.start_date, "d MMM y"),
                               due=format_date(action.due_date, "d MMM y")))
