"""The bell, email preferences, the reminder rules (coordinators) and the outbox (admins)."""
from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from coordinator.core import permissions
from coordinator.core.clock import utcnow
from coordinator.core.errors import DomainError
from coordinator.extensions import db
from coordinator.models import OUTBOX_FAILED, OUTBOX_PENDING, OUTBOX_SENDING, OUTBOX_SENT, OutboxMessage
from coordinator.notifications import center as service
from coordinator.notifications.blueprint import bp
from coordinator.notifications.forms import KIND_LABELS, WEEKDAYS, ReminderSettingsForm, WhatsAppForm, preferences_form
from coordinator.notifications.phone import set_whatsapp_choice, shown
from coordinator.web.routing import apply_domain_error, get_or_404, int_arg, role_required, safe_next

coordinators_only = role_required(permissions.can_edit_plan)
admins_only = role_required(permissions.can_manage_reference_data)


@bp.app_context_processor
def _bell() -> dict[str, Any]:
    """The unread count for the bell in the navigation: one COUNT per request, signed-in users only."""
    if not (current_user and current_user.is_authenticated):
        return {}
    if "unread_notifications" not in g:
        g.unread_notifications = service.unread_count(db.session, current_user.id)
    return {"unread_notifications": g.unread_notifications}


# --- The bell --------------------------------------------------------------------------------------

@bp.route("/notifications")
@login_required
def index():
    page = int_arg("page", 1) or 1
    rows, total, pages, page = service.notification_page(db.session, current_user.id, page,
                                                         current_app.config["PAGE_SIZE"])
    return render_template("notifications/index.html", rows=rows, total=total, pages=pages, page=page,
                           kind_labels=KIND_LABELS)


@bp.route("/notifications/<int:notification_id>/open", endpoint="open")
@login_required
def open_notification(notification_id: int):
    note = service.open_notification(db.session, current_user.id, notification_id, utcnow())
    if note is None:
        abort(404)  # missing and someone else's look the same
    db.session.commit()
    return redirect(safe_next(note.url, url_for("notifications.index")))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def read_all():
    n = service.mark_all_read(db.session, current_user.id, utcnow())
    db.session.commit()
    if n:
        flash(_("Semua notifikasi ditandai sudah dibaca."), "success")
    return redirect(url_for("notifications.index"))


# --- Email preferences -----------------------------------------------------------------------------

@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def preferences():
    kinds = service.kinds_for(current_user)
    form = preferences_form(kinds, service.email_preferences(db.session, current_user.id))
    if form.validate_on_submit():
        choices = {k: bool(form[f"email_{k}"].data) for k in kinds}
        service.set_email_preferences(db.session, current_user.id, choices)
        db.session.commit()
        flash(_("Pilihan email disimpan."), "success")
        return redirect(url_for("notifications.preferences"))
    return render_template("notifications/preferences.html", form=form, kinds=kinds, kind_labels=KIND_LABELS,
                           whatsapp_form=_whatsapp_form(blank=True), phone_shown=shown(current_user.phone))


def _whatsapp_form(blank: bool = False) -> WhatsAppForm:
    form = WhatsAppForm(formdata=None) if blank else WhatsAppForm()
    if blank:
        form.phone.data = shown(current_user.phone)
        form.opt_in.data = current_user.whatsapp_opt_in_at is not None
    return form


@bp.route("/account/whatsapp", methods=["POST"])
@login_required
def whatsapp():
    form = _whatsapp_form()
    if form.validate_on_submit():
        try:
            set_whatsapp_choice(db.session, current_user, form.phone.data, bool(form.opt_in.data), utcnow())
            db.session.commit()
            flash(_("Pilihan WhatsApp disimpan.") if current_user.whatsapp_opt_in_at
                  else _("Notifikasi WhatsApp tidak dikirim."), "success")
            return redirect(url_for("notifications.preferences"))
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
    kinds = service.kinds_for(current_user)
    return render_template("notifications/preferences.html", kinds=kinds, kind_labels=KIND_LABELS,
                           form=preferences_form(kinds, service.email_preferences(db.session, current_user.id)),
                           whatsapp_form=form, phone_shown=shown(current_user.phone))


# --- Reminder rules --------------------------------------------------------------------------------

@bp.route("/reminders/settings", methods=["GET", "POST"])
@coordinators_only
def settings():
    now = utcnow()
    row = service.get_settings(db.session, now)
    db.session.commit()  # the row with the defaults exists from the first visit on
    form = ReminderSettingsForm(obj=row)
    if form.validate_on_submit():
        data = service.SettingsInput(
            due_soon_days=form.due_soon_days.data or "", overdue_first_day=form.overdue_first_day.data,
            overdue_repeat_days=form.overdue_repeat_days.data, monthly_update_day=form.monthly_update_day.data,
            escalate_after_days=form.escalate_after_days.data, indicator_reminders=bool(form.indicator_reminders.data),
            daily_run_time=form.daily_run_time.data or "", weekly_summary_weekday=form.weekly_summary_weekday.data,
            review_wait_days=form.review_wait_days.data)
        try:
            service.update_settings(db.session, data, now)
            db.session.commit()
            flash(_("Aturan pengingat disimpan."), "success")
            return redirect(url_for("notifications.settings"))
        except DomainError as err:
            db.session.rollback()
            apply_domain_error(form, err)
    return render_template("notifications/settings.html", form=form, row=row, weekdays=WEEKDAYS)


# --- The outbox (admins) ---------------------------------------------------------------------------

def _status_labels() -> dict[str, str]:
    return {OUTBOX_PENDING: _("Menunggu"), OUTBOX_SENDING: _("Sedang dikirim"), OUTBOX_SENT: _("Terkirim"),
            OUTBOX_FAILED: _("Gagal")}


@bp.route("/admin/outbox")
@admins_only
def outbox():
    status = request.args.get("status") or None
    if status not in service.OUTBOX_STATUSES:
        status = None
    page = int_arg("page", 1) or 1
    rows, total, pages, page = service.outbox_page(db.session, status, page, current_app.config["PAGE_SIZE"])
    return render_template("notifications/outbox.html", rows=rows, total=total, pages=pages, page=page,
                           status=status, args={"status": status} if status else {}, status_labels=_status_labels(),
                           counts=service.outbox_counts(db.session),
                           flagged=service.undeliverable_users(db.session), retryable=(OUTBOX_FAILED, OUTBOX_PENDING))


@bp.route("/admin/outbox/<int:message_id>/retry", methods=["POST"])
@admins_only
def retry(message_id: int):
    get_or_404(OutboxMessage, message_id)
    if service.retry_message(db.session, message_id, utcnow()):
        db.session.commit()
        flash(_("Pesan dijadwalkan ulang untuk dikirim pada pengiriman berikutnya."), "success")
    else:
        db.session.rollback()
        flash(_("Pesan ini sedang dikirim atau sudah terkirim; tidak dijadwalkan ulang."), "error")
    return redirect(safe_next(request.form.get("next"), url_for("notifications.outbox")))
