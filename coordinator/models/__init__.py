"""Typed SQLAlchemy models, one aggregate per module."""
from .action import (
    ATS_CATEGORIES,
    MILESTONE_STATES,
    STATUS_VALUES,
    Action,
    Evidence,
    Milestone,
    ProgressUpdate,
    action_area,
    action_supporting_agency,
)
from .agency import AGENCY_KINDS, Agency
from .api import ApiToken
from .area import LEVEL_DESA, LEVEL_KECAMATAN, Area
from .ats import FIGURE_AREA, FIGURE_RESIDU, RETURN_PATHWAYS, AreaAlias, AtsFigure, AtsSnapshot, ProgressOutcome
from .audit import AuditEntry
from .indicator import DIRECTIONS, Indicator, IndicatorTarget, IndicatorValue, indicator_action
from .notify import (
    KIND_DUE_SOON,
    KIND_ESCALATION,
    KIND_MISSING_INDICATOR,
    KIND_MISSING_UPDATE,
    KIND_OVERDUE,
    KIND_WEEKLY_SUMMARY,
    REMINDER_KINDS,
    CalendarFeed,
    Notification,
    NotificationPreference,
    ReminderSettings,
)
from .outbox import OUTBOX_FAILED, OUTBOX_PENDING, OUTBOX_SENDING, OUTBOX_SENT, OutboxMessage
from .plan import Pillar, Plan, Program
from .reference import LIST_FUNDING_SOURCE, REFERENCE_LISTS, ReferenceItem
from .report import (
    REPORT_SCOPES,
    SCOPE_AGENCY,
    SCOPE_KECAMATAN,
    SCOPE_REGENCY,
    MonthlySnapshot,
    ReportArchive,
    ReportSettings,
)
from .revision import DataRevision
from .security import PasswordResetToken, RateLimitCounter
from .user import (
    ROLE_ADMIN,
    ROLE_COORDINATOR,
    ROLE_FOCAL,
    ROLE_LEADER,
    ROLE_VERIFIER,
    ROLES,
    LoginAttempt,
    User,
    new_session_token,
)
from .verval import (
    LIST_VERVAL_REASON,
    LIST_VERVAL_STATUS,
    OUTCOMES,
    RETURNED_OUTCOMES,
    STATUS_VALID_ATS,
    WILLINGNESS,
    Child,
    ChildAccessLog,
    ChildCase,
    ChildVerification,
    VerifierArea,
    VervalImport,
    VervalSettings,
)

__all__ = [
    "ApiToken", "DataRevision",
    "PasswordResetToken", "RateLimitCounter",
    "ROLE_VERIFIER", "LIST_VERVAL_REASON", "LIST_VERVAL_STATUS", "OUTCOMES", "RETURNED_OUTCOMES", "STATUS_VALID_ATS",
    "WILLINGNESS", "Child", "ChildAccessLog", "ChildCase", "ChildVerification", "VerifierArea", "VervalImport",
    "VervalSettings",
    "REPORT_SCOPES", "SCOPE_AGENCY", "SCOPE_KECAMATAN", "SCOPE_REGENCY", "MonthlySnapshot", "ReportArchive",
    "ReportSettings",
    "FIGURE_AREA", "FIGURE_RESIDU", "RETURN_PATHWAYS", "AreaAlias", "AtsFigure", "AtsSnapshot", "ProgressOutcome",
    "KIND_DUE_SOON", "KIND_ESCALATION", "KIND_MISSING_INDICATOR", "KIND_MISSING_UPDATE", "KIND_OVERDUE",
    "KIND_WEEKLY_SUMMARY", "REMINDER_KINDS", "CalendarFeed", "Notification", "NotificationPreference",
    "ReminderSettings",
    "OUTBOX_FAILED", "OUTBOX_PENDING", "OUTBOX_SENDING", "OUTBOX_SENT", "OutboxMessage",
    "ATS_CATEGORIES", "MILESTONE_STATES", "STATUS_VALUES", "Action", "Evidence", "Milestone",
    "ProgressUpdate", "action_area", "action_supporting_agency", "AGENCY_KINDS", "Agency",
    "LEVEL_DESA", "LEVEL_KECAMATAN", "Area", "AuditEntry", "DIRECTIONS", "Indicator",
    "IndicatorTarget", "IndicatorValue", "indicator_action", "Pillar", "Plan", "Program",
    "LIST_FUNDING_SOURCE", "REFERENCE_LISTS", "ReferenceItem", "ROLE_ADMIN", "ROLE_COORDINATOR",
    "ROLE_FOCAL", "ROLE_LEADER", "ROLES", "LoginAttempt", "User", "new_session_token",
]
