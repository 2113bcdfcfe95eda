"""ATS pages: overview, kecamatan and desa pages, intervention coverage, import history."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from coordinator.ats import history as ats_history
from coordinator.ats import pages as ats_pages
from coordinator.ats.blueprint import bp
from coordinator.ats.charts import action_band, trend_chart
from coordinator.core import permissions
from coordinator.core.choices import reference_choices
from coordinator.core.clock import utcnow, wita_today
from coordinator.core.formatting import current_locale, fmt_date, fmt_number
from coordinator.extensions import db
from coordinator.figures.live import children_as_of, children_in_areas
from coordinator.figures.waterfall import area_waterfall
from coordinator.figures.waterfall_chart import steps_svg, waterfall_steps, waterfall_words
from coordinator.maps import measures as maps
from coordinator.models import (
    LEVEL_DESA,
    LEVEL_KECAMATAN,
    LIST_VERVAL_STATUS,
    Action,
    AreaAlias,
    AtsSnapshot,
)
from coordinator.web.page_cache import by_action_access, cached_content
from coordinator.web.routing import get_or_404, role_required


def _import_url() -> str | None:
    if "ats.import_upload" not in current_app.view_functions:
        return None
    return url_for("ats.import_upload")


def _area_url(kode: str) -> str:
    return url_for("ats.area", kode=kode)


def _kecamatan_map(rows: list, measure: str, today: date) -> maps.MapView:
    returned: dict[str, int] = {}
    if measure == maps.RETURNED:  # distinct children per desa, summed per kecamatan: one call for the regency
        parents = {k: a.parent_kode for k, a in ats_pages.load_areas(db.session).items()}
        returned = maps.returned_per_kecamatan(children_as_of(db.session, None, today).by_area, parents)
    return maps.kecamatan_map(rows, measure, returned, _area_url)


def _waterfall(kode: str | None) -> dict:
    """Where the area's change since baseline comes from (figures/waterfall.py), as a chart in words and numbers."""
    wf = area_waterfall(db.session, kode)
    if wf is None:
        return {"wf": None}
    labels = dict(reference_choices(db.session, LIST_VERVAL_STATUS, current_locale()))
    steps = waterfall_steps(wf, waterfall_words(), _("ATS %(date)s", date=fmt_date(wf.start)),
                            _("ATS %(date)s", date=fmt_date(wf.end)))
    svg = steps_svg(steps, _("Asal perubahan ATS"), fmt_number) if steps else ""
    return {"wf": wf, "wf_svg": svg, "wf_cleaned": [(labels.get(k, k), n) for k, n in sorted(wf.cleaned.items())]}


@bp.route("/ats")
@login_required
def overview():
    measure = maps.measure_of(request.args.get("peta"))  # the query is part of the kept content's key

    def build() -> dict:
        today = wita_today(utcnow())
        data = ats_pages.overview(db.session, today)
        chart = trend_chart(data.series, _("Jumlah ATS Kabupaten Kutai Timur"))
        return {"data": data, "chart": chart, "import_url": _import_url(),
                "area_map": _kecamatan_map(data.rows, measure, today) if data.rows else None, **_waterfall(None)}

    return render_template("ats/overview.html", content=cached_content("ats/_overview.html", build))


@bp.route("/ats/area/<kode>")
@login_required
def area(kode: str):
    area = ats_pages.load_areas(db.session).get(kode)  # kept per data revision; any junk in the URL is just unknown
    if area is None:
        abort(404)
    name = area.nama if area.level == LEVEL_DESA else _("Kec. %(nama)s", nama=area.nama)

    def build() -> dict:
        today = wita_today(utcnow())
        page = ats_pages.area_page(db.session, area.kode, today)
        if page is None:
            abort(404)
        chart = trend_chart(page.series, _("Jumlah ATS %(nama)s", nama=name),
                            [action_band(i.action) for i in page.interventions])
        kodes = {area.kode} | {a.kode for a in ats_pages.load_areas(db.session).values() if a.parent_kode == area.kode}
        children = children_in_areas(db.session, kodes, utcnow())
        by_action = children.actions_in(kodes)
        codes = dict(db.session.execute(select(Action.id, Action.code).where(Action.id.in_(by_action))).all())
        returned_by = sorted(((codes.get(a, "?"), n) for a, n in by_action.items()), key=lambda x: (-x[1], x[0]))
        area_map = maps.desa_map(page.desa_rows, _area_url) if area.level == LEVEL_KECAMATAN else None
        return {"page": page, "chart": chart, "name": name, "today": today, "children": children,
                "returned_by": returned_by, "area_map": area_map, **_waterfall(area.kode)}

    # Readers differ only in which interventions they may open (a link or the bare code).
    content = cached_content("ats/_area.html", build, reader=by_action_access)
    return render_template("ats/area.html", name=name, content=content)


@bp.route("/ats/coverage")
@login_required
def coverage():
    level = request.args.get("level", LEVEL_KECAMATAN)
    if level not in (LEVEL_KECAMATAN, LEVEL_DESA):
        level = LEVEL_KECAMATAN
    rows, cmp = ats_pages.coverage(db.session, level, wita_today(utcnow()))
    return render_template("ats/coverage.html", rows=rows, cmp=cmp, level=level)


@bp.route("/ats/snapshots")
@role_required(permissions.sees_everything)
def snapshots():
    entries, aliases = ats_history.snapshot_history(db.session)
    return render_template("ats/snapshots.html", entries=entries, aliases=aliases)


@bp.route("/ats/snapshots/<int:snapshot_id>/file")
@role_required(permissions.can_edit_plan)
def snapshot_file(snapshot_id: int):
    snapshot = get_or_404(AtsSnapshot, snapshot_id)
    stored = snapshot.stored_file or ""
    if not stored or Path(stored).name != stored or stored.startswith("."):
        abort(404)
    path = Path(current_app.config["UPLOAD_DIR"]) / "ats" / stored
    if not path.is_file():
        abort(404)
    response: Response = send_file(path, as_attachment=True, download_name=snapshot.file_name or stored, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'"  # uploaded bytes: nothing in them runs
    return response


@bp.route("/ats/aliases/<int:alias_id>/delete", methods=["POST"])
@role_required(permissions.can_edit_plan)
def alias_delete(alias_id: int):
    alias = get_or_404(AreaAlias, alias_id)
    name = alias.name_key
    ats_history.forget_alias(db.session, alias)
    db.session.commit()
    flash(_("Pemetaan nama \"%(name)s\" dilupakan; impor berikutnya akan menanyakannya lagi.", name=name), "success")
    return redirect(url_for("ats.snapshots", _anchor="aliases"))
