"""Routes of the monthly report: thin; the work is in the domain modules beside them (facts, model, pdf, archive,
delivery, settings)."""
from __future__ import annotations

import io
from collections import Counter
from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from coordinator.core import permissions
from coordinator.core.clock import add_months, month_start, utcnow, wita_today
from coordinator.core.errors import N_, DomainError
from coordinator.core.formatting import fmt_month
from coordinator.extensions import db
from coordinator.models import (
    SCOPE_AGENCY,
    SCOPE_KECAMATAN,
    SCOPE_REGENCY,
    Agency,
    Area,
    MonthlySnapshot,
    OutboxMessage,
    ReportArchive,
)
from coordinator.reports import archive as archive_service
from coordinator.reports.blueprint import bp
from coordinator.reports.delivery import KIND_MONTHLY_REPORT, leaders_list, send_archive
from coordinator.reports.facts import (
    DECISIONS_MAX,
    close_month,
    collect_facts,
    decision_candidates,
    live_snapshot,
    month_end,
    parse_period,
    reopen_month,
)
from coordinator.reports.forms import CloseForm, EmptyForm, GenerateForm, ReopenForm, ReportSettingsForm, scope_choices
from coordinator.reports.settings import ReportSettingsInput, update_settings
from coordinator.web.routing import apply_domain_error, get_or_404, role_required

managers_only = role_required(permissions.can_manage_reports)
viewers_only = role_required(permissions.can_view_reports)
MONTHS_LISTED = 12


def _period_or_404(text: str) -> date:
    try:
        return parse_period(text)
    except DomainError:
        abort(404)


def _closed_month_or_404(text: str) -> tuple[date, MonthlySnapshot]:
    p = _period_or_404(text)
    snapshot = live_snapshot(db.session, p)
    if snapshot is None:
        abort(404)
    return p, snapshot


def _generate_form() -> GenerateForm:
    form = GenerateForm()
    form.scope.choices = scope_choices()
    form.agency.choices = [("", "–")] + [
        (a.code, a.short_name) for a in db.session.scalars(select(Agency).order_by(Agency.short_name))]
    form.kecamatan.choices = [("", "–")] + [
        (a.kode, a.nama) for a in db.session.scalars(select(Area).where(Area.level == "kecamatan")
                                                     .order_by(Area.nama))]
    return form


def _scope_key(scope: str, agency: str | None, kecamatan: str | None) -> str:
    if scope == SCOPE_AGENCY:
        if not agency:
            raise DomainError(N_("Pilih perangkat daerah."), "agency")
        return agency
    if scope == SCOPE_KECAMATAN:
        if not kecamatan:
            raise DomainError(N_("Pilih kecamatan."), "kecamatan")
        return kecamatan
    return ""


def _delivery_counts(archives: list[ReportArchive]) -> dict[int, Counter[str]]:
    """Per archive: its outbox messages by status (the archive's file is each message's attachment)."""
    upload_dir = current_app.config["UPLOAD_DIR"]
    by_path = {str(archive_service.archive_path(upload_dir, a)): a.id for a in archives}
    out: dict[int, Counter[str]] = {a.id: Counter() for a in archives}
    if by_path:
        for path, status in db.session.execute(
                select(OutboxMessage.attachment_path, OutboxMessage.status)
                .where(OutboxMessage.kind == KIND_MONTHLY_REPORT, OutboxMessage.attachment_path.in_(list(by_path)))):
            out[by_path[path]][status] += 1
    return out


@bp.route("/")
@viewers_only
def index():
    today = wita_today(utcnow())
    current = month_start(today)
    snapshots = list(db.session.scalars(select(MonthlySnapshot).order_by(MonthlySnapshot.period.desc(),
                                                                         MonthlySnapshot.id.desc())))
    live = {s.period: s for s in snapshots if s.reopened_at is None}
    periods = sorted({add_months(current, -k) for k in range(MONTHS_LISTED + 1)} | set(live), reverse=True)
    archives = archive_service.archives_of(db.session, [s.id for s in live.values()])
    count: Counter[int] = Counter(a.snapshot_id for a in archives)
    sent = {a.snapshot_id for a in archives if a.sent_at is not None}
    if not permissions.can_manage_reports(current_user):
        periods = [p for p in periods if p in live]
    settings = archive_service.load_report_settings(db.session, create=False)
    return render_template("reports/index.html", periods=periods, live=live, count=count, sent=sent,
                           current=current, settings=settings, recipients=leaders_list(db.session))


@bp.route("/<period>")
@viewers_only
def month(period: str):
    p = _period_or_404(period)
    snapshot = live_snapshot(db.session, p)
    manager = permissions.can_manage_reports(current_user)
    if snapshot is None and not manager:
        abort(404)
    history = list(db.session.scalars(select(MonthlySnapshot).where(MonthlySnapshot.period == p)
                                      .order_by(MonthlySnapshot.id.desc())))
    archives = archive_service.archives_of(db.session, [s.id for s in history])
    return render_template(
        "reports/month.html", period=p, snapshot=snapshot, history=history, archives=archives,
        deliveries=_delivery_counts(archives), ended=month_end(p) < wita_today(utcnow()), manager=manager,
        generate_form=_generate_form(), reopen_form=ReopenForm(), button=EmptyForm(),
        scope_labels=dict(scope_choices()))


@bp.route("/<period>/preview.pdf")
@managers_only
def preview(period: str):
    p = _period_or_404(period)
    scope = request.args.get("scope") or SCOPE_REGENCY
    key = (request.args.get("key") or "").strip()[:30]
    locale = request.args.get("lang") or "id"
    if scope not in (SCOPE_REGENCY, SCOPE_AGENCY, SCOPE_KECAMATAN) or locale not in archive_service.LOCALES:
        abort(404)
    try:
        rendered = archive_service.preview(db.session, p, scope, key, locale, utcnow())
    except DomainError:
        abort(404)  # an agency or kecamatan code that has no report
    finally:
        db.session.rollback()  # a preview changes nothing
    response = current_app.response_class(rendered.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="Draf-Laporan-RAD-ATS-{p:%Y-%m}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<period>/close", methods=["GET", "POST"])
@managers_only
def close(period: str):
    p = _period_or_404(period)
    now = utcnow()
    if live_snapshot(db.session, p) is not None:
        flash(_("Bulan ini sudah ditutup."), "info")
        return redirect(url_for("reports.month", period=period))
    candidates = decision_candidates(collect_facts(db.session, p, now))
    names = dict(db.session.execute(select(Agency.id, Agency.short_name)).all())
    form = CloseForm()
    form.decisions.choices = [(c["action_id"], c["code"]) for c in candidates]
    if request.method == "GET":
        form.decisions.data = [c["action_id"] for c in candidates[:DECISIONS_MAX]]
    if form.validate_on_submit():
        try:
            close_month(db.session, p, now, current_user.id, list(form.decisions.data or []))
            db.session.commit()
            flash(_("Bulan %(month)s ditutup. Angka laporannya kini tetap.", month=fmt_month(p)), "success")
            return redirect(url_for("reports.month", period=period))
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
    return render_template("reports/close.html", period=p, form=form, candidates=candidates, names=names,
                           ended=month_end(p) < wita_today(now), limit=DECISIONS_MAX)


@bp.route("/<period>/reopen", methods=["POST"])
@managers_only
def reopen(period: str):
    p, snapshot = _closed_month_or_404(period)
    form = ReopenForm()
    if form.validate_on_submit():
        try:
            reopen_month(db.session, snapshot, utcnow(), current_user.id, form.reason.data or "")
            db.session.commit()
            flash(_("Bulan dibuka kembali. Laporan yang sudah diarsipkan tetap tersimpan."), "success")
            return redirect(url_for("reports.month", period=period))
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
    for error in form.reason.errors + form.form_errors:
        flash(_("Bulan tidak dibuka kembali: %(reason)s", reason=error), "error")
    return redirect(url_for("reports.month", period=period))


@bp.route("/<period>/generate", methods=["POST"])
@managers_only
def generate(period: str):
    p, snapshot = _closed_month_or_404(period)
    form = _generate_form()
    if not form.validate_on_submit():
        flash(_("Laporan tidak dibuat: periksa pilihan cakupan dan bahasa."), "error")
        return redirect(url_for("reports.month", period=period))
    try:
        scope = form.scope.data or SCOPE_REGENCY
        key = _scope_key(scope, form.agency.data, form.kecamatan.data)
        archive = archive_service.generate(db.session, snapshot, scope, key, form.locale.data or "id", utcnow(),
                                           current_user.id, current_app.config["UPLOAD_DIR"])
        db.session.commit()
        flash(_("Laporan %(number)s dibuat dan diarsipkan (%(pages)s halaman).", number=archive.document_number,
                pages=archive.pages), "success")
    except DomainError as err:
        db.session.rollback()
        flash(_("Laporan tidak dibuat: %(reason)s", reason=_(err.message, **err.params)), "error")
    return redirect(url_for("reports.month", period=period))


@bp.route("/archive/<int:archive_id>/send", methods=["POST"])
@managers_only
def send(archive_id: int):
    archive = get_or_404(ReportArchive, archive_id)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            result = send_archive(db.session, archive, utcnow(), current_app.config["UPLOAD_DIR"], current_user.id)
            db.session.commit()
            if result.enqueued:
                flash(_("Laporan masuk kotak keluar untuk %(n)s penerima; terkirim pada pengiriman email berikutnya "
                        "(paling lama 10 menit).", n=result.enqueued), "success")
            else:
                flash(_("Laporan ini sudah pernah dikirim ke semua penerima; tidak dikirim lagi."), "info")
        except DomainError as err:
            db.session.rollback()
            flash(_("Laporan tidak dikirim: %(reason)s", reason=_(err.message, **err.params)), "error")
    return redirect(url_for("reports.month", period=f"{archive.period:%Y-%m}"))


@bp.route("/archive/<int:archive_id>/download")
@viewers_only
def download(archive_id: int):
    archive = get_or_404(ReportArchive, archive_id)
    if archive.snapshot.reopened_at is not None and not permissions.can_manage_reports(current_user):
        abort(404)  # leaders get the reports of the months as they stand closed
    try:
        data = archive_service.read_archived(current_app.config["UPLOAD_DIR"], archive)
    except DomainError as err:
        flash(_(err.message, **err.params), "error")
        return redirect(url_for("reports.month", period=f"{archive.period:%Y-%m}"))
    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                     download_name=archive_service.file_name(archive))


@bp.route("/settings", methods=["GET", "POST"])
@managers_only
def settings():
    now = utcnow()
    row = archive_service.load_report_settings(db.session)
    db.session.commit()
    form = ReportSettingsForm(obj=row)
    if form.validate_on_submit():
        upload = form.logo.data
        logo = upload.read() if isinstance(upload, FileStorage) and upload.filename else None
        data = ReportSettingsInput(
            pemkab_name=form.pemkab_name.data or "", office_name=form.office_name.data or "",
            send_day=form.send_day.data or 0, send_time=form.send_time.data or "",
            auto_send=bool(form.auto_send.data), extra_recipients=form.extra_recipients.data or "",
            default_locale=form.default_locale.data or "id")
        try:
            update_settings(db.session, data, now, current_app.config["UPLOAD_DIR"], logo=logo,
                            remove_logo=bool(form.remove_logo.data))
            db.session.commit()
            flash(_("Pengaturan laporan disimpan."), "success")
            return redirect(url_for("reports.settings"))
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
    return render_template("reports/settings.html", form=form, row=row, recipients=leaders_list(db.session))
