"""/ringkasan: the first page of leaders, linked for every role but village verifiers."""
from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from coordinator.ats import pages as ats_pages
from coordinator.core.charts import Series, line_chart
from coordinator.core.clock import utcnow, wita_today
from coordinator.core.formatting import current_locale, fmt_month
from coordinator.extensions import db
from coordinator.maps import measures as maps
from coordinator.summary.blueprint import bp
from coordinator.summary.overview import LeaderSummary, leader_summary
from coordinator.web.page_cache import cached_content, everyone


def _trajectory_chart(s: LeaderSummary) -> str:
    """ATS counts since the baseline against the straight line to the target, with today's point on the line."""
    points = [(d, c.get("total")) for d, c in s.report.ats_series if s.trajectory is None or d >= s.trajectory.start]
    if s.trajectory is not None:
        points.append((s.trajectory.end, None))
    labels = [fmt_month(d) for d, _v in points]
    series = [Series(_("ATS menurut data Pusdatin"), [float(v) if v is not None else None for _d, v in points])]
    if s.trajectory is not None:
        series.append(Series(_("Jalur menuju target"), [float(s.trajectory.on(d)) for d, _v in points], dashed=True))
    return line_chart(series, labels, _("Jumlah ATS dan jalur menuju target"), _("anak"), width=640, height=220,
                      locale=current_locale(), empty_text=_("Belum ada data ATS."))


@bp.route("/ringkasan")
@login_required
def index():
    def build() -> dict:
        now = utcnow()
        s = leader_summary(db.session, now, current_locale())
        rows = ats_pages.overview(db.session, wita_today(now)).rows
        area_map = maps.kecamatan_map(rows, maps.measure_of(None), {}, lambda kode: url_for("ats.area", kode=kode)) \
            if rows else None
        if area_map is not None:
            area_map.measures = []  # the other measures are on /ats: the summary stays within three phone screens
        return {"s": s, "f": s.figures, "chart": _trajectory_chart(s), "area_map": area_map}

    content = cached_content("summary/_index.html", build, reader=everyone)
    return render_template("summary/index.html", content=content)
