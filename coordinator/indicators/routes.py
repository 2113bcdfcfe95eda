from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from coordinator.ats.indicators import refresh_snapshot_indicators
from coordinator.core import charts, choices, permissions
from coordinator.core.audit import history_for
from coordinator.core.clock import to_wita, utcnow, wita_today
from coordinator.core.errors import DomainError
from coordinator.core.export import to_csv, to_xlsx
from coordinator.core.formatting import current_locale, quarter_label
from coordinator.extensions import db
from coordinator.figures.indicator_feed import refresh_returned_indicators
from coordinator.indicators import review as value_review
from coordinator.indicators import tracking as indicator_service
from coordinator.indicators.blueprint import bp
from coordinator.indicators.forms import IndicatorForm, TargetForm, ValueForm
from coordinator.models import REVIEW_ACCEPTED, REVIEW_SUBMITTED, Indicator, IndicatorTarget, IndicatorValue
from coordinator.plan import editing as plan_service
from coordinator.web.routing import apply_domain_error, get_or_404, require, role_required


def direction_label(direction: str) -> str:
    return {"naik": _("Naik"), "turun": _("Turun")}.get(direction, direction)


def status_label(status: str) -> str:
    return {indicator_service.STATUS_ON_TRACK: _("Sesuai target"),
            indicator_service.STATUS_OFF_TRACK: _("Belum sesuai target"),
            indicator_service.STATUS_NO_DATA: _("Belum ada data")}.get(status, status)


def _helpers() -> dict:
    return {"period_label": quarter_label, "direction_label": direction_label, "status_label": status_label}


def _live_indicator(indicator_id: int) -> Indicator:
    return get_or_404(Indicator, indicator_id)


def _detail_url(indicator_id: int) -> str:
    return url_for("indicators.detail", indicator_id=indicator_id)


def _form_page(form, title: str, cancel_url: str, subtitle: str | None = None):
    return render_template("form_page.html", form=form, title=title, subtitle=subtitle, cancel_url=cancel_url)


# List and export ---------------------------------------------------------------

@bp.route("/indicators")
@login_required
def index():
    year = wita_today(utcnow()).year
    rows = indicator_service.summaries(db.session, year)
    fmt = request.args.get("export")
    if fmt in ("csv", "xlsx"):
        return _export(rows, fmt, year)
    return render_template("indicators/index.html", rows=rows, year=year, **_helpers())


def _export(rows: list[indicator_service.IndicatorSummary], fmt: str, year: int) -> Response:
    headers = [_("Kode"), _("Indikator"), _("Definisi"), _("Satuan"), _("Arah"), _("Baseline"), _("Tahun baseline"),
               _("Nilai terakhir"), _("Periode nilai terakhir"), _("Target %(year)s", year=year), _("Status"),
               _("Sumber data"), _("Aksi terkait")]

    def num(value: float | None):
        if value is None:
            return None
        if float(value).is_integer():
            return int(value)
        # CSV is for Excel with Indonesian settings: a decimal comma and no grouping (9644,5).
        return f"{value:.6f}".rstrip("0").replace(".", ",") if fmt == "csv" else value

    data = [[
        r.code, r.name, r.definition or "", r.unit, direction_label(r.direction), num(r.baseline_value),
        r.baseline_year, num(r.latest.actual) if r.latest else None,
        quarter_label(r.latest.year, r.latest.quarter) if r.latest else "", num(r.year_target),
        status_label(r.status), r.data_source or "", ", ".join(r.action_codes),
    ] for r in rows]
    stamp = to_wita(utcnow()).strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        body, mime = to_csv(headers, data), "text/csv; charset=utf-8"
    else:
        body = to_xlsx(headers, data, sheet_title=_("Indikator"))
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mime,
                    headers={"Content-Disposition": f'attachment; filename="indikator-rad-ats-{stamp}.{fmt}"'})


# Detail --------------------------------------------------------------------------

def _chart(indicator: Indicator, rows: list[indicator_service.PeriodRow]) -> str:
    labels = [quarter_label(r.year, r.quarter) for r in rows]
    series = [
        charts.Series(_("Target"), [r.target for r in rows], dashed=True, color="#1849a9", css_class="series-target"),
        charts.Series(_("Realisasi"), [r.actual for r in rows], color="#0b5d4b", css_class="series-actual"),
    ]
    return charts.line_chart(series, labels, title=f"{indicator.code} {indicator.name}", unit=indicator.unit,
                             locale=current_locale(), empty_text=_("Belum ada target maupun nilai."))


@bp.route("/indicators/<int:indicator_id>")
@login_required
def detail(indicator_id: int):
    indicator = _live_indicator(indicator_id)
    rows = indicator_service.rows_for_page(db.session, indicator)
    can_targets = permissions.can_edit_plan(current_user)
    can_values = permissions.can_enter_value(current_user, indicator)
    year = wita_today(utcnow()).year
    target_form = TargetForm(prefix="target", formdata=None, data={"year": year}) if can_targets else None
    value_form = ValueForm(prefix="value", formdata=None, data={"year": year}) if can_values else None
    return render_template(
        "indicators/detail.html", indicator=indicator, rows=rows, chart=_chart(indicator, rows),
        actions=[a for a in indicator.actions if a.deleted_at is None], target_form=target_form,
        value_form=value_form, can_targets=can_targets, can_values=can_values,
        unaccepted=[v for v in indicator.all_values if v.review_status != REVIEW_ACCEPTED],
        can_review=permissions.can_enter_indicator_values(current_user),
        history=history_for(db.session, "indicator", indicator.id), **_helpers())


# Indicators --------------------------------------------------------------------------

def _indicator_form(indicator: Indicator | None):
    form = IndicatorForm(obj=indicator)
    form.action_ids.choices = indicator_service.live_action_choices(db.session)
    form.ats_area_kode.choices = [("", _("Seluruh kabupaten"))] + choices.area_choices(db.session)
    form.owner_agency_id.choices = [(0, _("Koordinator (tidak ada perangkat daerah khusus)"))] + \
        choices.agency_choices(db.session, keep=[indicator.owner_agency_id] if indicator and indicator.owner_agency_id
                               else [])
    if request.method == "GET" and indicator is not None:
        form.ats_metric.data = indicator.ats_metric or ""
        form.ats_area_kode.data = indicator.ats_area_kode or ""
        form.owner_agency_id.data, form.frequency.data = indicator.owner_agency_id or 0, indicator.frequency or ""
    if request.method == "GET" and indicator is not None:
        form.action_ids.data = [a.id for a in indicator.actions if a.deleted_at is None]
    plan = indicator.plan if indicator is not None else plan_service.current_plan(db.session)
    if plan is None:
        flash(_("Buat rencana aksi terlebih dahulu."), "error")
        return redirect(url_for("plan.overview"))
    if form.validate_on_submit():
        data = indicator_service.IndicatorInput(
            code=form.code.data, name=form.name.data, definition=form.definition.data, unit=form.unit.data,
            direction=form.direction.data, baseline_value=form.baseline_value.data,
            baseline_year=form.baseline_year.data, data_source=form.data_source.data,
            action_ids=form.action_ids.data or [], ats_metric=form.ats_metric.data or None,
            ats_area_kode=form.ats_area_kode.data or None, owner_agency_id=form.owner_agency_id.data or None,
            frequency=form.frequency.data or None)
        try:
            saved = indicator_service.save_indicator(db.session, indicator, plan, data)
            if saved.ats_metric:
                refresh_snapshot_indicators(db.session, utcnow())
                refresh_returned_indicators(db.session, utcnow())
            db.session.commit()
            flash(_("Indikator disimpan."), "success")
            return redirect(_detail_url(saved.id))
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
    if indicator is not None:
        return _form_page(form, _("Ubah indikator %(code)s", code=indicator.code), _detail_url(indicator.id))
    return _form_page(form, _("Indikator baru"), url_for("indicators.index"))


@bp.route("/indicators/new", methods=["GET", "POST"])
@role_required(permissions.can_edit_plan)
def new():
    return _indicator_form(None)


@bp.route("/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
@role_required(permissions.can_edit_plan)
def edit(indicator_id: int):
    return _indicator_form(_live_indicator(indicator_id))


@bp.route("/indicators/<int:indicator_id>/delete", methods=["POST"])
@role_required(permissions.can_edit_plan)
def delete(indicator_id: int):
    indicator = _live_indicator(indicator_id)
    indicator_service.delete_indicator(db.session, indicator, utcnow())
    db.session.commit()
    flash(_("Indikator %(code)s dihapus. Riwayatnya tetap tersimpan.", code=indicator.code), "success")
    return redirect(url_for("indicators.index"))


# Targets ----------------------------------------------------------------------------

@bp.route("/indicators/<int:indicator_id>/targets/new", methods=["GET", "POST"])
@role_required(permissions.can_edit_plan)
def new_target(indicator_id: int):
    indicator = _live_indicator(indicator_id)
    form = TargetForm(prefix="target")
    if request.method == "GET":
        form.year.data = wita_today(utcnow()).year
    if form.validate_on_submit():
        try:
            indicator_service.set_target(db.session, indicator, form.year.data, form.quarter.data, form.value.data)
            db.session.commit()
            flash(_("Target %(period)s disimpan.", period=quarter_label(form.year.data, form.quarter.data)),
                  "success")
            return redirect(_detail_url(indicator.id))
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
    return _form_page(form, _("Target untuk %(code)s", code=indicator.code), _detail_url(indicator.id),
                      subtitle=_("Bila periode itu sudah punya target, targetnya diganti."))


def _live_child(model, ident: int):
    row = db.session.get(model, ident)
    if row is None or row.indicator.deleted_at is not None:
        abort(404)
    return row


@bp.route("/targets/<int:target_id>/delete", methods=["POST"])
@role_required(permissions.can_edit_plan)
def delete_target(target_id: int):
    target = _live_child(IndicatorTarget, target_id)
    indicator_id = target.indicator_id
    indicator_service.delete_target(db.session, target)
    db.session.commit()
    flash(_("Target dihapus."), "success")
    return redirect(_detail_url(indicator_id))


# Values -------------------------------------------------------------------------------

def _value_form(indicator: Indicator, row: IndicatorValue | None):
    form = ValueForm(prefix="value", obj=row)
    if request.method == "GET" and row is None:
        form.year.data = wita_today(utcnow()).year
    # The owner agency's figures wait for the coordinator (unless the review is turned off); a coordinator's count.
    waits = not permissions.can_enter_indicator_values(current_user) and bool(current_app.config["PROGRESS_REVIEW"])
    if form.validate_on_submit():
        args = (form.year.data, form.quarter.data, form.value.data, form.source.data, form.note.data,
                current_user.id, utcnow())
        status = REVIEW_SUBMITTED if waits else REVIEW_ACCEPTED
        try:
            if row is None:
                indicator_service.record_value(db.session, indicator, *args, review_status=status)
            else:
                indicator_service.update_value(db.session, row, *args, review_status=status)
            db.session.commit()
            period = quarter_label(form.year.data, form.quarter.data)
            flash(_("Nilai %(period)s dikirim; nilai dihitung setelah diterima koordinator.", period=period) if waits
                  else _("Nilai %(period)s disimpan.", period=period), "success")
            return redirect(_detail_url(indicator.id))
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
    if row is not None:
        title = _("Ubah nilai %(code)s", code=indicator.code)
    else:
        title = _("Nilai baru untuk %(code)s", code=indicator.code)
    return _form_page(form, title, _detail_url(indicator.id), subtitle=indicator.name)


@bp.route("/indicators/<int:indicator_id>/values/new", methods=["GET", "POST"])
@login_required
def new_value(indicator_id: int):
    indicator = _live_indicator(indicator_id)
    require(permissions.can_enter_value(current_user, indicator))
    return _value_form(indicator, None)


@bp.route("/values/<int:value_id>/edit", methods=["GET", "POST"])
@login_required
def edit_value(value_id: int):
    row = _live_child(IndicatorValue, value_id)
    require(permissions.can_edit_value(current_user, row))
    return _value_form(row.indicator, row)


@bp.route("/values/<int:value_id>/delete", methods=["POST"])
@role_required(permissions.can_enter_indicator_values)
def delete_value(value_id: int):
    row = _live_child(IndicatorValue, value_id)
    indicator_id = row.indicator_id
    indicator_service.delete_value(db.session, row)
    db.session.commit()
    flash(_("Nilai dihapus."), "success")
    return redirect(_detail_url(indicator_id))


def _review(value_id: int, act, done: str):  # type: ignore[no-untyped-def]
    row = _live_child(IndicatorValue, value_id)
    try:
        act(row, request.form.get("comment", ""))
        db.session.commit()
        flash(done, "success")
    except DomainError as err:
        db.session.rollback()
        flash(_(err.message, **err.params), "error")
    return redirect(_detail_url(row.indicator_id) + f"#nilai-{row.id}")


@bp.route("/values/<int:value_id>/accept", methods=["POST"])
@role_required(permissions.can_enter_indicator_values)
def accept_value(value_id: int):
    return _review(value_id, lambda row, comment: value_review.accept_value(db.session, row, current_user, utcnow(),
                                                                              comment),
                   _("Nilai diterima dan dihitung."))


@bp.route("/values/<int:value_id>/return", methods=["POST"])
@role_required(permissions.can_enter_indicator_values)
def return_value(value_id: int):
    return _review(value_id, lambda row, comment: value_review.return_value(db.session, row, current_user, utcnow(),
                                                                              comment),
                   _("Nilai dikembalikan dengan catatan; pengisinya diberi tahu."))
