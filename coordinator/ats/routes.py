"""ATS pages: overview, kecamatan and desa pages, intervention coverage."""
from __future__ import annotations

from flask import abort, current_app, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import login_required

from ..extensions import db
from ..formatting import current_locale
from ..models import LEVEL_DESA, LEVEL_KECAMATAN
from ..services import ats_pages, charts
from ..services.clock import utcnow, wita_today
from . import bp

CATEGORY_COLORS = {"BPB": "#b54708", "DO": "#b42318", "LTM": "#1849a9", "total": "#0b5d4b"}


def _chart(points: list[ats_pages.Point], title: str, bands: list[charts.Band] | None = None) -> str:
    dates = [p.as_of for p in points]
    labels = [format_date(d, "MMM yy") for d in dates]
    series = [
        charts.Series(name if key != "total" else _("Total"),
                      [p.counts[key] if p.counts else None for p in points], color=CATEGORY_COLORS[key],
                      css_class=f"series-{key.lower()}")
        for key, name in (("BPB", "BPB"), ("DO", "DO"), ("LTM", "LTM"), ("total", "total"))
    ]
    return charts.ats_chart(series, dates, labels, bands or [], title=title, unit=_("anak"),
                            locale=current_locale(), empty_text=_("Belum ada data ATS."))


def _import_url() -> str | None:
    if "ats.import_upload" not in current_app.view_functions:
        return None
    return url_for("ats.import_upload")


@bp.route("/ats")
@login_required
def overview():
    today = wita_today(utcnow())
    data = ats_pages.overview(db.session, today)
    chart = _chart(data.series, _("Jumlah ATS Kabupaten Kutai Timur"))
    return render_template("ats/overview.html", data=data, chart=chart, import_url=_import_url())


@bp.route("/ats/area/<kode>")
@login_required
def area(kode: str):
    today = wita_today(utcnow())
    page = ats_pages.area_page(db.session, kode[:20], today)
    if page is None:
        abort(404)
    bands = [
        charts.Band(i.action.code, i.action.title, i.action.start_date, i.action.due_date,
                    label=_("%(code)s %(title)s (%(start)s – %(due)s)", code=i.action.code, title=i.action.title,
                            start=format_date(i.action.start_date, "d MMM y"),
                            due=format_date(i.action.due_date, "d MMM y")))
        for i in page.interventions
    ]
    name = page.area.nama if page.area.level == LEVEL_DESA else _("Kec. %(nama)s", nama=page.area.nama)
    chart = _chart(page.series, _("Jumlah ATS %(nama)s", nama=name), bands)
    return render_template("ats/area.html", page=page, chart=chart, name=name, today=today)


@bp.route("/ats/coverage")
@login_required
def coverage():
    level = request.args.get("level", LEVEL_KECAMATAN)
    if level not in (LEVEL_KECAMATAN, LEVEL_DESA):
        level = LEVEL_KECAMATAN
    rows, cmp = ats_pages.coverage(db.session, level, wita_today(utcnow()))
    return render_template("ats/coverage.html", rows=rows, cmp=cmp, level=level)
