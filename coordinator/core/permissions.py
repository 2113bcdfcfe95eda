"""Who may do what. Every route asks these functions; none decides on its own."""
from __future__ import annotations

from typing import Any

from coordinator.models import FOLLOW_UP_OPEN, Action, FollowUp, Indicator, IndicatorValue, Milestone, ProgressUpdate


def is_signed_in(user: Any) -> bool:
    return bool(user and getattr(user, "is_authenticated", False))


def can_edit_plan(user: Any) -> bool:
    return is_signed_in(user) and user.is_coordinator


def can_manage_agencies_and_users(user: Any) -> bool:
    return is_signed_in(user) and user.is_coordinator


def can_manage_reference_data(user: Any) -> bool:
    """Areas and reference lists belong to admins."""
    return is_signed_in(user) and user.is_admin


def sees_everything(user: Any) -> bool:
    return is_signed_in(user) and (user.is_coordinator or user.is_leader)


def can_view_action(user: Any, action: Action) -> bool:
    if sees_everything(user):
        return True
    return is_signed_in(user) and user.is_focal and action.involves_agency(user.agency_id)


def can_report_progress(user: Any, action: Action) -> bool:
    """Focal points of the lead or a supporting agency post progress."""
    return (
        is_signed_in(user) and user.is_focal and action.deleted_at is None and action.involves_agency(user.agency_id)
    )


def can_correct_update(user: Any, update: ProgressUpdate) -> bool:
    if not is_signed_in(user) or update.superseded_at is not None:
        return False
    return user.is_focal and update.agency_id == user.agency_id and can_report_progress(user, update.action)


def can_open_review_queue(user: Any, lead_agency_reviews: bool) -> bool:
    """Coordinators review every report; with REVIEW_BY_LEAD_AGENCY a lead agency's focal points review the
    reports its supporting agencies post on its actions."""
    if not is_signed_in(user):
        return False
    return user.is_coordinator or (lead_agency_reviews and user.is_focal and user.agency_id is not None)


def can_review_progress(user: Any, update: ProgressUpdate, lead_agency_reviews: bool) -> bool:
    if not is_signed_in(user) or update.action.deleted_at is not None:
        return False
    if user.is_coordinator:
        return True
    return (lead_agency_reviews and user.is_focal and user.agency_id is not None
            and update.action.lead_agency_id == user.agency_id and update.agency_id != user.agency_id)


def can_comment(user: Any, action: Action) -> bool:
    """Whoever works on an action may take part in its discussion; leaders read it (their pages stay read-only:
    a leader's word goes through the coordinator and the monthly decisions)."""
    return can_view_action(user, action) and action.deleted_at is None and not user.is_leader


def can_view_meetings(user: Any) -> bool:
    """Which meetings a focal point sees is decided by meetings/queries.meeting_scope."""
    return sees_everything(user) or (is_signed_in(user) and user.is_focal)


def can_manage_meetings(user: Any) -> bool:
    return is_signed_in(user) and user.is_coordinator


def can_close_follow_up(user: Any, item: FollowUp) -> bool:
    """The responsible agency's focal points report a follow-up done; a coordinator may do it for them."""
    if not is_signed_in(user) or item.state != FOLLOW_UP_OPEN:
        return False
    return user.is_coordinator or (user.is_focal and user.agency_id == item.agency_id)


def can_mark_milestone(user: Any, milestone: Milestone) -> bool:
    if can_edit_plan(user):
        return True
    return can_report_progress(user, milestone.action)


def can_complete_action(user: Any, action: Action) -> bool:
    if can_edit_plan(user):
        return True
    return is_signed_in(user) and user.is_focal and action.lead_agency_id == user.agency_id


def can_enter_indicator_values(user: Any) -> bool:
    """Coordinators enter any indicator's values; see can_enter_value for an owner agency's focal points."""
    return can_edit_plan(user)


def owns_indicator(user: Any, indicator: Indicator) -> bool:
    """A focal point of the agency responsible for an indicator typed in by hand (not fed by SITISEK)."""
    return (is_signed_in(user) and user.is_focal and user.agency_id is not None and indicator.deleted_at is None
            and indicator.ats_metric is None and indicator.owner_agency_id == user.agency_id)


def can_enter_value(user: Any, indicator: Indicator) -> bool:
    return can_enter_indicator_values(user) or owns_indicator(user, indicator)


def can_edit_value(user: Any, row: IndicatorValue) -> bool:
    """The owner agency corrects a value until the coordinator accepts it; an accepted value, only coordinators."""
    return can_enter_indicator_values(user) or (owns_indicator(user, row.indicator) and
                                               row.review_status != "diterima")


def can_manage_reports(user: Any) -> bool:
    """Close months, preview, generate and send the monthly report; its settings."""
    return is_signed_in(user) and user.is_coordinator


def can_view_reports(user: Any) -> bool:
    """The archive of monthly reports: coordinators and the leaders they are written for."""
    return is_signed_in(user) and (user.is_coordinator or user.is_leader)


# Village verification (children's personal data: see verval/verification.py for who sees which child) -----------

def can_manage_verval(user: Any) -> bool:
    """Import the by-name list, assign verifiers, link children to actions, erase on request."""
    return is_signed_in(user) and user.is_coordinator


def can_view_verval_figures(user: Any) -> bool:
    """Aggregate figures only (progress, reconciliation): no child's record."""
    return is_signed_in(user) and (user.is_coordinator or user.is_leader)


def can_open_child_list(user: Any) -> bool:
    """The list of children; what it holds depends on the role (verval/verification.visible_children)."""
    return is_signed_in(user) and (user.is_coordinator or user.is_verifier or user.is_focal)


def sees_children_data(user: Any) -> bool:
    """The roles that can open a child's record (names, birth dates, NIK; which children is
    verval/verification.visible_children): coordinators, admins, verifiers and focal points, not leaders. Their
    sessions end after a shorter idle time and are never remembered (accounts/sessions.py)."""
    return can_open_child_list(user)


def can_export_children(user: Any) -> bool:
    """Exports of personal data: coordinators and admins only, and every export is logged."""
    return is_signed_in(user) and user.is_coordinator


def can_view_access_log(user: Any) -> bool:
    return is_signed_in(user) and user.is_admin


def can_view_login_history(user: Any) -> bool:
    """Every account's sign-ins, addresses and devices: admins only."""
    return is_signed_in(user) and user.is_admin


def can_manage_api_tokens(user: Any) -> bool:
    """API tokens act as any user they are made for, so only admins create and revoke them."""
    return is_signed_in(user) and user.is_admin


# What a village verifier may open besides their children's pages: their account and signing out.
VERIFIER_ENDPOINTS = {"accounts.login", "accounts.logout", "accounts.account", "accounts.set_language",
                      "monitor.home", "static",
                      "accounts.forgot_password", "accounts.reset_password",
                      "notifications.index", "notifications.open", "notifications.read_all",
                      "notifications.preferences", "health.check",
                      "public.index"}  # the public page, when on, is for everyone


def verifier_may_open(endpoint: str | None) -> bool:
    if endpoint is None:
        return True  # a 404 for an unknown URL
    return endpoint in VERIFIER_ENDPOINTS or endpoint.startswith("verval.") and endpoint in VERIFIER_VERVAL


# verval.index only sends them on to their list.
VERIFIER_VERVAL = {"verval.index", "verval.children", "verval.child", "verval.reveal", "verval.verify",
                   "verval.offline_prepare", "verval.offline_key", "verval.offline_sync", "verval.offline_page",
                   "verval.offline_worker"}


def can_verify_offline(user: Any) -> bool:
    """Village verifiers (their desa) and coordinators work without signal; focal points verify online only."""
    return is_signed_in(user) and (user.is_verifier or user.is_coordinator)
