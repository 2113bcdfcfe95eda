"""Reminders: the rules coordinators set, in-app notifications, email preferences, calendar feeds."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from coordinator.extensions import db

# Kinds of reminder; each user may turn email on or off per kind (in-app notifications always appear).
KIND_DUE_SOON = "due_soon"  # a milestone or action due in 14, 7 or 1 days
KIND_OVERDUE = "overdue"  # overdue on day 1, then every 7 days
KIND_MISSING_UPDATE = "missing_update"  # no progress update this month by the 25th
KIND_MISSING_INDICATOR = "missing_indicator"  # no indicator value for the last period
KIND_ESCALATION = "escalation"  # overdue more than 14 days: also to the agency head and coordinators
KIND_WEEKLY_SUMMARY = "weekly_summary"  # coordinators: per agency late, due soon, not reported
KIND_REPORT_RETURNED = "report_returned"  # a focal point's report returned by the reviewer and not yet corrected
KIND_REVIEW_WAITING = "review_waiting"  # coordinators: a report waiting for review more than review_wait_days
REMINDER_KINDS = (KIND_DUE_SOON, KIND_OVERDUE, KIND_MISSING_UPDATE, KIND_MISSING_INDICATOR, KIND_ESCALATION,
                  KIND_WEEKLY_SUMMARY, KIND_REPORT_RETURNED, KIND_REVIEW_WAITING)
COORDINATOR_KINDS = (KIND_WEEKLY_SUMMARY, KIND_REVIEW_WAITING)  # only coordinators choose about these


class ReminderSettings(db.Model):
    """One row: the reminder rules, editable by coordinators (defaults from the issue)."""

    __tablename__ = "reminder_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    due_soon_days: Mapped[str] = mapped_column(String(40), default="14,7,1")
    overdue_first_day: Mapped[int] = mapped_column(default=1)
    overdue_repeat_days: Mapped[int] = mapped_column(default=7)
    monthly_update_day: Mapped[int] = mapped_column(default=25)
    escalate_after_days: Mapped[int] = mapped_column(default=14)
    indicator_reminders: Mapped[bool] = mapped_column(default=True)
    daily_run_time: Mapped[str] = mapped_column(String(5), default="07:00")  # WITA
    weekly_summary_weekday: Mapped[int] = mapped_column(default=0)  # 0 = Monday
    review_wait_days: Mapped[int] = mapped_column(default=5, server_default="5")  # then every overdue_repeat_days
    updated_at: Mapped[datetime | None]


class Notification(db.Model):
    """An in-app notification (the bell). The same key as the reminder email, so a rerun adds nothing."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]


class NotificationPreference(db.Model):
    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("user_id", "kind", name="uq_notification_preference_user_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    email_enabled: Mapped[bool] = mapped_column(default=True)


class CalendarFeed(db.Model):
    """A private iCalendar feed of a user's or an agency's deadlines. The secret token in its URL is the only
    key; only its SHA-256 is kept (as for API tokens), so the URL is shown once, when the feed is made."""

    __tablename__ = "calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # the token's first characters, so people can tell links apart
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
