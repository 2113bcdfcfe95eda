"""Sending the monthly report to the leaders, through the outbox.

The leaders' list: every active account with the leader role, plus the extra
addresses a coordinator keeps in the report settings. Each gets the PDF in their
language (the account's, else the settings' default) as an attachment.

Exactly once: each message has an outbox key. The scheduled delivery uses
`address|monthly_report|period|auto`, so however many scheduler runs (or
schedulers) reach the send day, each leader gets the month's report once; a
coordinator's "send" uses the archive id in the key, so sending one archived PDF
twice records nothing the second time, while a corrected revision can be sent.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import render_template
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from coordinator.core.clock import add_months, month_start, to_wita
from coordinator.core.errors import N_, DomainError
from coordinator.core.formatting import fmt_month, in_locale
from coordinator.models import ROLE_LEADER, SCOPE_REGENCY, MonthlySnapshot, OutboxMessage, ReportArchive, User
from coordinator.notifications.outbox import Attachment, enqueue, outbox_key
from coordinator.reports.archive import (
    LOCALES,
    archive_path,
    file_name,
    generate,
    latest_archive,
    load_report_settings,
    read_archived,
)
from coordinator.reports.facts import close_month, live_snapshot, load_facts
from coordinator.reports.model import build_report

KIND_MONTHLY_REPORT = "monthly_report"


@dataclass
class Recipient:
    email: str
    user_id: int | None
    locale: str
    name: str


@dataclass
class SendResult:
    period: date
    enqueued: int = 0
    already: int = 0  # recorded earlier with the same key: not sent again
    archives: list[ReportArchive] = field(default_factory=list)
    closed_now: bool = False
    skipped: str | None = None  # why the scheduled delivery did nothing


def parse_addresses(text: str | None) -> tuple[list[str], list[str]]:
    """One address per line (commas and semicolons also separate); returns (valid, invalid)."""
    valid, invalid = [], []
    for raw in (text or "").replace(",", "\n").replace(";", "\n").splitlines():
        address = raw.strip()
        if not address:
            continue
        try:
            valid.append(validate_email(address, check_deliverability=False).normalized)
        except EmailNotValidError:
            invalid.append(address)
    return valid, invalid


def leaders_list(session: Session) -> list[Recipient]:
    settings = load_report_settings(session, create=False)
    out: dict[str, Recipient] = {}
    for user in session.scalars(select(User).where(User.role == ROLE_LEADER, User.active.is_(True))
                                .order_by(User.name)):
        out.setdefault(user.email.lower(), Recipient(user.email, user.id, user.locale or "id", user.name))
    extra, _invalid = parse_addresses(settings.extra_recipients)
    for address in extra:
        locale = settings.default_locale if settings.default_locale in LOCALES else "id"
        out.setdefault(address.lower(), Recipient(address, None, locale, address))
    return list(out.values())


def _message(archive: ReportArchive, facts: dict[str, Any], locale: str) -> tuple[str, str, str]:
    from flask_babel import gettext

    report = build_report(facts, archive.scope, archive.scope_key)
    with in_locale(locale):
        subject = gettext("Laporan bulanan RAD ATS – %(month)s", month=fmt_month(archive.period))
        ctx = {"report": report, "archive": archive}
        return (subject, render_template("email/monthly_report.txt", **ctx),
                render_template("email/monthly_report.html", **ctx))


def enqueue_for(session: Session, archives: dict[str, ReportArchive], recipients: list[Recipient], now: datetime,
                upload_dir: str, key_tail: str) -> tuple[int, int]:
    """One message per recipient with the archive of their language; returns (recorded, already recorded)."""
    recorded = already = 0
    texts: dict[str, tuple[str, str, str]] = {}
    paths = {str(archive_path(upload_dir, a)) for a in archives.values()}
    # Whoever already has one of these very PDFs (sent by the scheduler or by hand) does not get it again.
    had = {(to.lower(), path) for to, path in session.execute(
        select(OutboxMessage.recipient, OutboxMessage.attachment_path)
        .where(OutboxMessage.kind == KIND_MONTHLY_REPORT, OutboxMessage.attachment_path.in_(paths)))}
    for r in recipients:
        archive = archives.get(r.locale) or archives["id"]
        if (r.email.lower(), str(archive_path(upload_dir, archive))) in had:
            already += 1
            continue
        read_archived(upload_dir, archive)  # refuse to send a file that no longer matches its hash
        if archive.locale not in texts:
            texts[archive.locale] = _message(archive, load_facts(archive.snapshot), archive.locale)
        subject, body_text, body_html = texts[archive.locale]
        key = outbox_key(r.email.lower(), KIND_MONTHLY_REPORT, f"{archive.period:%Y-%m}", archive.scope,
                         archive.scope_key, key_tail.format(archive=archive.id))
        attachment = Attachment(file_name(archive), str(archive_path(upload_dir, archive)))
        if enqueue(session, key=key, recipient=r.email, user_id=r.user_id, kind=KIND_MONTHLY_REPORT,
                   subject=subject, body_text=body_text, body_html=body_html, attachment=attachment, now=now):
            recorded += 1
        else:
            already += 1
    for archive in archives.values():
        if archive.sent_at is None and recorded:
            archive.sent_at = now
    session.flush()
    return recorded, already


def send_archive(session: Session, archive: ReportArchive, now: datetime, upload_dir: str, user_id: int | None
                 ) -> SendResult:
    """A coordinator sends one archived regency report (and its other-language twin, made if needed)."""
    if archive.scope != SCOPE_REGENCY:
        raise DomainError(N_("Hanya laporan tingkat kabupaten yang dikirim ke daftar pimpinan."))
    if archive.snapshot.reopened_at is not None:
        raise DomainError(N_("Bulan laporan ini sudah dibuka kembali; laporannya tidak dikirim lagi."))
    recipients = leaders_list(session)
    if not recipients:
        raise DomainError(N_("Daftar penerima kosong: tambahkan akun pimpinan atau alamat di pengaturan laporan."))
    archives = {archive.locale: archive}
    for locale in {r.locale for r in recipients} - {archive.locale}:
        archives[locale] = latest_archive(session, archive.snapshot, SCOPE_REGENCY, "", locale) or \
            generate(session, archive.snapshot, SCOPE_REGENCY, "", locale, now, user_id, upload_dir)
    result = SendResult(archive.period, archives=list(archives.values()))
    result.enqueued, result.already = enqueue_for(session, archives, recipients, now, upload_dir,
                                                  "archive-{archive}")
    return result


def send_due_at(settings: Any, today_month: date) -> datetime:
    """The naive UTC moment of this month's scheduled delivery (send_day at send_time WITA)."""
    hour, _, minute = (settings.send_time or "08:00").partition(":")
    day = min(max(int(settings.send_day or 5), 1), 28)
    local = datetime(today_month.year, today_month.month, day, int(hour or 8), int(minute or 0))
    return local - timedelta(hours=8)


def scheduled_delivery(session: Session, now: datetime, upload_dir: str) -> SendResult:
    """The scheduler's monthly job, safe to call every few minutes: from the send moment on, close last month
    if it is still open, archive its report and record one message per leader. Does nothing when last month
    was reopened by a coordinator (they close and send it themselves) or its report was already sent."""
    settings = load_report_settings(session)
    this_month = month_start(to_wita(now).date())
    period = add_months(this_month, -1)
    result = SendResult(period)
    if not settings.auto_send:
        result.skipped = "auto_send off"
        return result
    if now < send_due_at(settings, this_month):
        result.skipped = "not yet"
        return result
    snapshot = live_snapshot(session, period)
    if snapshot is None:
        ever = session.scalar(select(exists().where(MonthlySnapshot.period == period)))
        if ever:
            result.skipped = "reopened"
            return result
        snapshot = close_month(session, period, now, None)
        result.closed_now = True
    sent = session.scalar(select(exists().where(ReportArchive.period == period,
                                                ReportArchive.scope == SCOPE_REGENCY,
                                                ReportArchive.sent_at.is_not(None))))
    if sent:
        result.skipped = "already sent"
        return result
    recipients = leaders_list(session)
    if not recipients:
        result.skipped = "no recipients"
        return result
    archives = {}
    for locale in sorted({r.locale for r in recipients} | {"id"}):
        archives[locale] = latest_archive(session, snapshot, SCOPE_REGENCY, "", locale) or \
            generate(session, snapshot, SCOPE_REGENCY, "", locale, now, None, upload_dir)
    result.archives = list(archives.values())
    result.enqueued, result.already = enqueue_for(session, archives, recipients, now, upload_dir, "auto")
    return result
