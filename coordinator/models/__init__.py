"""Typed SQLAlchemy models, one aggregate per module."""
from coordinator.models.action import (
    ATS_CATEGORIES,
    MILESTONE_STATES,
    REVIEW_ACCEPTED,
    REVIEW_RETURNED,
    REVIEW_STATUSES,
    REVIEW_SUBMITTED,
    STATUS_VALUES,
    Action,
    ActionFunding,
    Evidence,
    Milestone,
    ProgressUpdate,
    action_area,
    action_supporting_agency,
)
from coordinator.models.agency import AGENCY_KINDS, Agency
from coordinator.models.api import ApiToken
from coordinator.models.area import LEVEL_DESA, LEVEL_KECAMATAN, Area
from coordinator.models.ats import (
    FIGURE_AREA,
    FIGURE_RESIDU,
    RETURN_PATHWAYS,
    AreaAlias,
    AtsFigure,
    AtsSnapshot,
    ProgressOutcome,
)
from coordinator.models.audit import AuditEntry
from coordinator.models.discussion import Comment
from coordinator.models.indicator import DIRECTIONS, Indicator, IndicatorTarget, IndicatorValue, indicator_action
from coordinator.models.meeting import (
    FILE_KINDS,
    FOLLOW_UP_CANCELLED,
    FOLLOW_UP_DONE,
    FOLLOW_UP_OPEN,
    FOLLOW_UP_STATES,
    FOLLOW_UP_SUBMITTED,
    FollowUp,
    FollowUpEvidence,
    Meeting,
    MeetingAttendance,
    MeetingFile,
)
from coordinator.models.notify import (
    COORDINATOR_KINDS,
    KIND_DUE_SOON,
    KIND_ESCALATION,
    KIND_MISSING_INDICATOR,
    KIND_MISSING_UPDATE,
    KIND_OVERDUE,
    KIND_REPORT_RETURNED,
    KIND_REVIEW_WAITING,
    KIND_WEEKLY_SUMMARY,
    REMINDER_KINDS,
    CalendarFeed,
    Notification,
    NotificationPreference,
    ReminderSettings,
)
from coordinator.models.outbox import OUTBOX_FAILED, OUTBOX_PENDING, OUTBOX_SENDING, OUTBOX_SENT, OutboxMessage
from coordinator.models.plan import Pillar, Plan, PlanRevision, Program
from coordinator.models.reference import LIST_FUNDING_SOURCE, REFERENCE_LISTS, ReferenceItem
from coordinator.models.report import (
    REPORT_SCOPES,
    SCOPE_AGENCY,
    SCOPE_KECAMATAN,
    SCOPE_REGENCY,
    MonthlySnapshot,
    ReportArchive,
    ReportSettings,
)
from coordinator.models.revision import DataRevision
from coordinator.models.security import PasswordResetToken, RateLimitCounter
from coordinator.models.user import (
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
from coordinator.models.verval import (
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
    OfflineDevice,
    OfflineRecord,
    VerifierArea,
    VervalImport,
    VervalSettings,
)

__all__ = [
    "FILE_KINDS", "FOLLOW_UP_CANCELLED", "FOLLOW_UP_DONE", "FOLLOW_UP_OPEN", "FOLLOW_UP_STATES", "FOLLOW_UP_SUBMITTED",
    "FollowUp", "FollowUpEvidence", "Meeting", "MeetingAttendance", "MeetingFile",
    "ApiToken", "DataRevision",
    "PasswordResetToken", "RateLimitCounter",
    "ROLE_VERIFIER", "LIST_VERVAL_REASON", "LIST_VERVAL_STATUS", "OUTCOMES", "RETURNED_OUTCOMES", "STATUS_VALID_ATS",
    "WILLINGNESS", "Child", "ChildAccessLog", "ChildCase", "ChildVerification", "VerifierArea", "VervalImport",
    "OfflineDevice", "OfflineRecord",
    "VervalSettings",
    "REPORT_SCOPES", "SCOPE_AGENCY", "SCOPE_KECAMATAN", "SCOPE_REGENCY", "MonthlySnapshot", "ReportArchive",
    "ReportSettings",
    "FIGURE_AREA", "FIGURE_RESIDU", "RETURN_PATHWAYS", "AreaAlias", "AtsFigure", "AtsSnapshot", "ProgressOutcome",
    "KIND_DUE_SOON", "KIND_ESCALATION", "KIND_MISSING_INDICATOR", "KIND_MISSING_UPDATE", "KIND_OVERDUE",
    "KIND_WEEKLY_SUMMARY", "KIND_REPORT_RETURNED", "KIND_REVIEW_WAITING",
    "COORDINATOR_KINDS", "REMINDER_KINDS", "CalendarFeed", "Notification", "NotificationPreference",
    "ReminderSettings",
    "OUTBOX_FAILED", "OUTBOX_PENDING", "OUTBOX_SENDING", "OUTBOX_SENT", "OutboxMessage",
    "ATS_CATEGORIES", "MILESTONE_STATES", "STATUS_VALUES", "Action", "ActionFunding", "Evidence", "Milestone",
    "ProgressUpdate", "REVIEW_ACCEPTED", "REVIEW_RETURNED", "REVIEW_STATUSES", "REVIEW_SUBMITTED", "action_area",
    "action_supporting_agency", "AGENCY_KINDS", "Agency",
    "LEVEL_DESA", "LEVEL_KECAMATAN", "Area", "AuditEntry", "Comment", "DIRECTIONS", "Indicator",
    "IndicatorTarget", "IndicatorValue", "indicator_action", "Pillar", "Plan", "PlanRevision", "Program",
    "LIST_FUNDING_SOURCE", "REFERENCE_LISTS", "ReferenceItem", "ROLE_ADMIN", "ROLE_COORDINATOR",
    "ROLE_FOCAL", "ROLE_LEADER", "ROLES", "LoginAttempt", "User", "new_session_token",
]
