"""Rendering reminder emails in the recipient's language: the daily digest and the weekly summary.

Templates get plain dicts (no live database objects); every phrase is made under
force_locale(recipient's locale), so dates read "1 Desember 2026" or "1 December 2026".
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from flask import render_template
from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.core.clock import wita_today
from coordinator.core.formatting import fmt_date, fmt_month, in_locale, quarter_label
from coordinator.models import (
    KIND_DUE_SOON,
    KIND_ESCALATION,
    KIND_MISSING_INDICATOR,
    KIND_MISSING_UPDATE,
    KIND_OVERDUE,
    KIND_REPORT_RETURNED,
    KIND_REVIEW_WAITING,
    KIND_WEEKLY_SUMMARY,
    NotificationPreference,
    User,
)
from coordinator.models.user import ROLE_ADMIN, ROLE_COORDINATOR
from coordinator.monitor.deadlines import build_monitor
from coordinator.notifications.outbox import outbox_key
from coordinator.reminders.kinds import DEFAULT_BASE_URL, KIND_ORDER, Digest, Reminder


def kind_label(kind: str) -> str:
    labels = {
        KIND_DUE_SOON: gettext("Segera jatuh tempo"),
        KIND_OVERDUE: gettext("Terlambat"),
        KIND_ESCALATION: gettext("Eskalasi: terlambat lebih dari dua pekan"),
        KIND_MISSING_UPDATE: gettext("Laporan kemajuan bulan ini belum ada"),
        KIND_MISSING_INDICATOR: gettext("Nilai indikator belum diisi"),
        KIND_WEEKLY_SUMMARY: gettext("Ringkasan mingguan"),
        KIND_REPORT_RETURNED: gettext("Laporan dikembalikan, belum diperbaiki"),
        KIND_REVIEW_WAITING: gettext("Laporan menunggu tinjauan"),
    }
    return labels.get(kind, kind)


def _period(stage: str) -> str:
    year, _, quarter = stage.partition("-Q")
    return quarter_label(year, int(quarter) if quarter.isdigit() else None)


def item_phrase(r: Reminder) -> str:
    if r.kind == KIND_DUE_SOON:
        return ngettext("jatuh tempo dalam %(num)d hari, pada %(date)s",
                        "jatuh tempo dalam %(num)d hari, pada %(date)s", r.days, date=fmt_date(r.due_date))
    if r.kind in (KIND_OVERDUE, KIND_ESCALATION):
        return ngettext("terlambat %(num)d hari, tenggat %(date)s",
                        "terlambat %(num)d hari, tenggat %(date)s", -r.days, date=fmt_date(r.due_date))
    if r.kind == KIND_MISSING_UPDATE:
        return gettext("belum ada laporan kemajuan untuk %(month)s", month=fmt_month(r.due_date))
    if r.kind == KIND_MISSING_INDICATOR:
        return gettext("nilai untuk periode %(period)s belum diisi", period=_period(r.stage))
    if r.kind == KIND_REPORT_RETURNED:
        return ngettext("laporan %(month)s dikembalikan %(num)d hari lalu", "laporan %(month)s dikembalikan "
                        "%(num)d hari lalu", -r.days, month=fmt_month(r.due_date))
    if r.kind == KIND_REVIEW_WAITING:
        return ngettext("laporan %(month)s menunggu %(num)d hari", "laporan %(month)s menunggu %(num)d hari",
                        -r.days, month=fmt_month(r.due_date))
    return fmt_date(r.due_date)


def notification_title(r: Reminder) -> str:
    with force_locale(r.locale):
        return f"{kind_label(r.kind)}: {r.title} ({item_phrase(r)})"


def render_digest(digest: Digest, today: date) -> None:
    """Fill subject and bodies: every item with its link, grouped by kind."""
    by_kind: dict[str, list[Reminder]] = defaultdict(list)
    for r in digest.items:
        by_kind[r.kind].append(r)
    with in_locale(digest.locale):
        groups = [{"label": kind_label(kind), "kind": kind, "items": [
            {"title": r.title, "phrase": item_phrase(r), "url": r.url, "agency": r.agency}
            for r in sorted(by_kind[kind], key=lambda r: (r.due_date, r.title))]}
            for kind in KIND_ORDER if kind in by_kind]
        n = len(digest.items)
        digest.subject = ngettext("Pengingat RAD ATS: %(num)d tenggat", "Pengingat RAD ATS: %(num)d tenggat", n)
        ctx = {"groups": groups, "count": n, "today": fmt_date(today), "lang": digest.locale,
               "subject": digest.subject}
        digest.body_text = render_template("email/reminder_digest.txt", **ctx)
        digest.body_html = render_template("email/reminder_digest.html", **ctx)


def weekly_digests(session: Session, now: datetime, base_url: str = DEFAULT_BASE_URL) -> list[Digest]:
    """One summary per active coordinator: per agency, late items, items due within 7 days, actions not
    reported this month (the monitor's figures)."""
    coordinators = list(session.execute(
        select(User.id, User.email, User.locale, User.email_undeliverable_at)
        .where(User.active.is_(True), User.role.in_((ROLE_COORDINATOR, ROLE_ADMIN))).order_by(User.id)))
    if not coordinators:
        return []
    off = set(session.scalars(select(NotificationPreference.user_id).where(
        NotificationPreference.kind == KIND_WEEKLY_SUMMARY, NotificationPreference.email_enabled.is_(False))))
    monitor = build_monitor(session, now, recent=0)
    rows: list[dict[str, Any]] = []
    for row in monitor.agency_rows:
        counts = monitor.by_agency.get(row.agency.id)
        late, soon, not_reported = (counts.overdue, counts.due_7, counts.not_updated) if counts else (0, 0, 0)
        rows.append({"agency": row.agency.short_name, "late": late, "due_soon": soon, "not_reported": not_reported})
    rows.sort(key=lambda r: (-int(r["late"]), -int(r["not_reported"]), -int(r["due_soon"]), str(r["agency"])))
    base = (base_url or DEFAULT_BASE_URL).rstrip("/")
    today = wita_today(now)
    return [Digest(recipient=email, user_id=uid, locale=locale if locale in ("id", "en") else "id", items=[],
                   key=outbox_key(email.lower(), KIND_WEEKLY_SUMMARY, today.isoformat()),
                   email=uid not in off and flagged is None, url=f"{base}/monitor", rows=rows)
            for uid, email, locale, flagged in coordinators]


def render_weekly(digest: Digest, today: date) -> None:
    totals: dict[str, Any] = {k: sum(r[k] for r in digest.rows) for k in ("late", "due_soon", "not_reported")}
    with in_locale(digest.locale):
        digest.subject = gettext("Ringkasan mingguan RAD ATS: %(late)d terlambat, %(soon)d segera jatuh tempo",
                                 late=totals["late"], soon=totals["due_soon"])
        ctx = {"rows": digest.rows, "totals": totals, "today": fmt_date(today), "lang": digest.locale,
               "url": digest.url, "subject": digest.subject}
        digest.body_text = render_template("email/weekly_summary.txt", **ctx)
        digest.body_html = render_template("email/weekly_summary.html", **ctx)
