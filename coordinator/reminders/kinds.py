"""What a reminder run produces, shared by the run (due) and its emails (digest): one reminder per person and
item, and the digest email that gathers a person's reminders of the day."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from coordinator.models import (
    KIND_DUE_SOON,
    KIND_ESCALATION,
    KIND_MISSING_INDICATOR,
    KIND_MISSING_UPDATE,
    KIND_OVERDUE,
    KIND_REPORT_RETURNED,
    KIND_REVIEW_WAITING,
)

DEFAULT_BASE_URL = "http://127.0.0.1:5000"
KIND_ORDER = (KIND_ESCALATION, KIND_OVERDUE, KIND_REPORT_RETURNED, KIND_DUE_SOON, KIND_MISSING_UPDATE,
              KIND_REVIEW_WAITING, KIND_MISSING_INDICATOR)


@dataclass(frozen=True)
class Reminder:
    recipient: str
    user_id: int | None
    locale: str
    kind: str
    item_type: str  # action | milestone | indicator | progress
    item_id: int
    title: str
    due_date: date
    stage: str
    url: str
    key: str
    email: bool = True  # False: the user turned email off for this kind, or the address is refused for good
    days: int = 0  # days left (positive) or late (negative)
    agency: str | None = None


@dataclass
class Digest:
    recipient: str
    user_id: int | None
    locale: str
    items: list[Reminder]
    key: str
    subject: str = ""
    body_text: str = ""
    body_html: str = ""
    email: bool = True  # weekly summary: False when the coordinator turned its email off
    url: str = ""
    rows: list[dict[str, Any]] = field(default_factory=list)  # weekly summary: one per agency
