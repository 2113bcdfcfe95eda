"""The OpenAPI document of /api/v1, served without authentication at /api/v1/openapi.json.

Objects are closed (additionalProperties: false) so that a field added to a response without being
documented fails the Schemathesis run in tests/api/test_schema.py.
"""
from __future__ import annotations

from typing import Any

from flask import jsonify

from coordinator.actions.listing import SORTS
from coordinator.api.blueprint import bp
from coordinator.api.errors import CODES, DEFAULT_PER_PAGE, MAX_ID, MAX_PER_PAGE
from coordinator.meetings.queries import STATUS_FILTERS as FOLLOW_UP_FILTERS
from coordinator.models import MILESTONE_STATES, REVIEW_STATUSES, STATUS_VALUES

S = dict[str, Any]
INT: S = {"type": "integer"}
STR: S = {"type": "string"}
BOOL: S = {"type": "boolean"}
NUM: S = {"type": "number"}
DATE: S = {"type": "string", "format": "date"}
DATETIME: S = {"type": "string", "format": "date-time"}


def obj(props: S, optional: tuple[str, ...] = ()) -> S:
    return {"type": "object", "properties": props, "required": [k for k in props if k not in optional],
            "additionalProperties": False}


def null(schema: S) -> S:
    return {"anyOf": [schema, {"type": "null"}]}


def ref(name: str) -> S:
    return {"$ref": f"#/components/schemas/{name}"}


def array(schema: S) -> S:
    return {"type": "array", "items": schema}


def page_of(name: str) -> S:
    return obj({"items": array(ref(name)), "page": INT, "per_page": INT, "total": INT, "pages": INT})


COUNTS = obj({"BPB": INT, "DO": INT, "LTM": INT, "total": INT})
AGENCY_REF = obj({"id": INT, "code": STR, "short_name": STR})
CODE_REF = obj({"id": INT, "code": STR})
AGENCY = {"id": INT, "code": STR, "short_name": STR, "name": STR, "kind": STR, "active": BOOL}
ACTION_SUMMARY = {
    "id": INT, "code": STR, "title": STR,
    "pillar": obj({"id": INT, "number": INT, "name": STR}),
    "program": obj({"id": INT, "code": STR, "name": STR}),
    "lead_agency": ref("AgencyRef"), "supporting_agencies": array(ref("AgencyRef")),
    "areas": array(obj({"kode": STR, "nama": STR, "level": {"enum": ["kecamatan", "desa"]}})),
    "ats_categories": array({"enum": ["BPB", "DO", "LTM"]}),
    "start_date": DATE, "due_date": DATE, "status": {"enum": list(STATUS_VALUES)}, "status_overridden": BOOL,
    "budget_amount": null({**INT, "description": "Rupiah: the total of the funding sources"}),
    "funding_source": null({**STR, "description": "The first of funding_sources (kept for older clients)"}),
    "funding_sources": array(obj({"code": STR, "amount": null({**INT, "description": "Rupiah, where known"})})),
    "percent_complete": null({**INT, "minimum": 0, "maximum": 100}), "last_progress_at": null(DATETIME),
    "late_reason": null({**obj({"kind": {"enum": ["milestone", "action", "override"]}, "due_date": null(DATE),
                                "days_late": INT, "milestone": null(STR)}),
                         "description": "Why a terlambat action is late: its open milestone or its own deadline "
                                        "that has been late longest (null unless status is terlambat)"}),
    "url": STR,
}
ACTION_DETAIL = {
    **ACTION_SUMMARY, "description": null(STR), "output": null(STR), "sub_kegiatan_code": null(STR),
    "computed_status": {"enum": list(STATUS_VALUES)}, "override_reason": null(STR), "marked_complete": BOOL,
    "completed_on": null(DATE),
    "baseline_due_date": null({**DATE, "description": "The first due date; due_date differs when rescheduled"}),
    "reschedule_count": {**INT, "description": "How often the due date was moved (each with a reason)"},
    "due_change_reason": null({**STR, "description": "Why the due date was last moved"}),
    "latest_progress": null(obj({"percent_complete": INT, "period": DATE, "reported_at": DATETIME,
                                 "agency": ref("AgencyRef")})),
    "milestones": array(obj({"id": INT, "title": STR, "due_date": DATE, "state": {"enum": list(MILESTONE_STATES)},
                             "completed_on": null(DATE), "overdue": BOOL, "baseline_due_date": null(DATE),
                             "reschedule_count": INT})),
}
PILLAR = obj({"id": INT, "number": INT, "name": STR, "description": null(STR),
              "programs": array(obj({"id": INT, "code": STR, "name": STR, "action_count": INT}))})
INDICATOR = {
    "id": INT, "code": STR, "name": STR, "definition": null(STR), "unit": STR, "direction": {"enum": ["naik", "turun"]},
    "baseline_value": null(NUM), "baseline_year": null(INT), "data_source": null(STR), "ats_metric": null(STR),
    "ats_area_kode": null(STR), "actions": array(ref("CodeRef")), "url": STR,
    "latest": null(obj({"year": INT, "quarter": null(INT), "value": NUM, "on_track": null(BOOL)})),
    "year": INT, "year_target": null(NUM), "year_target_quarter": null(INT),
    "status": {"enum": ["on_track", "off_track", "no_data"]},
}
INDICATOR_DETAIL = {
    **INDICATOR,
    "targets": array(obj({"year": INT, "quarter": null(INT), "value": NUM})),
    "values": array(obj({"year": INT, "quarter": null(INT), "value": NUM, "source": null(STR), "note": null(STR),
                         "entered_at": DATETIME})),
    "periods": array(obj({"year": INT, "quarter": null(INT), "target": null(NUM), "actual": null(NUM),
                          "reference_target": null(NUM), "on_track": null(BOOL), "achievement": null(NUM)})),
}
PROGRESS_REPORT = obj({
    "id": INT, "action": ref("CodeRef"), "agency": ref("AgencyRef"), "period": DATE,
    "percent_complete": {**INT, "minimum": 0, "maximum": 100}, "achievements": STR, "obstacles": null(STR),
    "follow_up": null(STR), "budget_realised": null({**INT, "description": "Rupiah, cumulative, this agency's own"}),
    "submitted_at": DATETIME, "review_status": {"enum": list(REVIEW_STATUSES)}, "reviewed_at": null(DATETIME),
    "review_comment": null(STR),
    "counted": {**BOOL, "description": "The accepted version in force: the one figures and reports count"},
    "current": {**BOOL, "description": "False: superseded by a correction (kept as history)"},
    "supersedes_id": null(INT),
    "addendum_period": null({**DATE, "description": "Posted after its month was closed: listed in this month"}),
})
ERROR = obj({"error": obj({"status": INT, "code": {"enum": list(CODES.values())}, "message": STR,
                           "parameter": STR}, optional=("parameter",))})

SCHEMAS: S = {
    "Error": ERROR, "Counts": COUNTS, "AgencyRef": AGENCY_REF, "CodeRef": CODE_REF,
    "Plan": obj({"id": INT, "name": STR, "legal_basis": null(STR), "start_year": INT, "end_year": INT,
                 "baseline_ats": null(INT), "baseline_year": null(INT), "target_ats": null(INT),
                 "description": null(STR), "pillars": array(ref("Pillar"))}),
    "Pillar": PILLAR, "PillarList": obj({"items": array(ref("Pillar"))}),
    "Agency": obj(AGENCY), "AgencyList": obj({"items": array(ref("Agency"))}),
    "AgencyDetail": obj({**AGENCY, "lead_actions": array(ref("CodeRef")), "supporting_actions": array(ref("CodeRef"))}),
    "ActionSummary": obj(ACTION_SUMMARY), "ActionPage": page_of("ActionSummary"), "ActionDetail": obj(ACTION_DETAIL),
    "IndicatorSummary": obj(INDICATOR), "IndicatorPage": page_of("IndicatorSummary"),
    "IndicatorDetail": obj(INDICATOR_DETAIL),
    "ProgressReport": PROGRESS_REPORT, "ProgressReportPage": page_of("ProgressReport"),
    "FollowUp": obj({
        "id": INT, "number": INT, "text": STR,
        "status": {"enum": ["terbuka", "terlambat", "diajukan", "selesai", "dibatalkan"]},
        "meeting": obj({"id": INT, "title": STR, "held_on": DATE}), "agency": ref("AgencyRef"),
        "due_date": DATE, "baseline_due_date": DATE, "reschedule_count": INT, "action": null(ref("CodeRef")),
        "area_kode": null(STR), "closing_note": null(STR), "closing_submitted_at": null(DATETIME),
        "closed_on": null(DATE), "review_comment": null(STR)}),
    "FollowUpPage": page_of("FollowUp"),
    "SnapshotList": obj({"items": array(obj({"id": INT, "as_of": DATE, "source": STR, "created_at": DATETIME,
                                              "total": ref("Counts")}))}),
    "Figures": obj({
        "period": STR, "as_of": DATE, "closed": BOOL,
        "scope": obj({"kind": {"enum": ["kabupaten", "kecamatan", "opd"]}, "key": null(STR), "name": null(STR)}),
        "ats": obj({"current": null(INT), "baseline": null(INT), "target": null(INT),
                    "change_since_baseline": null(INT), "current_as_of": null(DATE), "baseline_as_of": null(DATE)}),
        "actions": obj({k: INT for k in ("total", "selesai", "berjalan", "terlambat", "belum_mulai", "dibatalkan")}),
        "milestones_late": INT,
        "children_returned": obj({k: INT for k in (
            "distinct_total", "by_name", "reported_only", "distinct_this_month", "by_name_this_month",
            "reported_only_this_month", "reached_this_month")}),
        "budget": obj({"ceiling": INT, "realised": INT, "absorption_pct": null(NUM), "over_ceiling": array(STR),
                       **{f"by_{kind}": array(obj({"key": STR, "name": STR, "ceiling": null(INT), "realised": null(INT),
                                                   "absorption_pct": null(NUM)}))
                          for kind in ("pillar", "agency", "source")}}),
        "reports": obj({"expected": INT, "received": INT, "on_time": INT}),
        "area_level": {"enum": ["kecamatan", "desa"]},
        "areas": array(obj({"kode": STR, "nama": STR, "ats_current": null(INT), "ats_baseline": null(INT),
                            "children_returned": INT})),
        "residu": obj({"ats_current": null(INT), "ats_baseline": null(INT), "children_returned": null(INT)}),
    }),
    "AtsSummary": obj({"snapshot_id": INT, "as_of": DATE, "source": STR, "kecamatan": null(STR),
                       "total": ref("Counts"), "residu": ref("Counts"),
                       "without_desa": null(ref("Counts")),
                       "areas": array(obj({"kode": STR, "nama": STR, "BPB": INT, "DO": INT, "LTM": INT,
                                           "total": INT}))}),
}

ERROR_TEXT = {400: "Bad query parameter (the error names it)", 401: "Missing, unknown, revoked or expired token",
              403: "The token's user may not read this (as on the web page)", 404: "Unknown or deleted"}


def query(name: str, schema: S, description: str) -> S:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def path_id(name: str) -> S:
    return {"name": name, "in": "path", "required": True, "schema": {**INT, "minimum": 1, "maximum": MAX_ID}}


PAGING = [query("page", {**INT, "minimum": 1, "maximum": 1_000_000, "default": 1}, "Page, from 1; past the end: empty"),
          query("per_page", {**INT, "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
                "Items per page")]
ACTION_FILTERS = [
    query("pillar", {**INT, "minimum": 1, "maximum": MAX_ID}, "Pillar id"),
    query("agency", {**INT, "minimum": 1, "maximum": MAX_ID}, "Agency id, lead or supporting"),
    query("status", {"enum": list(STATUS_VALUES)}, "Status (manual status when set, else computed)"),
    query("kecamatan", {**STR, "maxLength": 20}, "Area code: actions targeting it or one of its desa"),
    query("due_from", DATE, "Due on or after"), query("due_to", DATE, "Due on or before"),
    query("q", {**STR, "maxLength": 100}, "Text in code, title or description"),
    query("sort", {"enum": list(SORTS), "default": "code"}, "Sort key"),
    query("order", {"enum": ["asc", "desc"], "default": "asc"}, "Sort order"),
]


def operation(summary: str, schema: str, params: list[S] | None = None, errors: tuple[int, ...] = (400, 401, 403),
              public: bool = False) -> S:
    responses: S = {"200": {"description": "OK", "content": {"application/json": {"schema": ref(schema)}}}}
    for code in errors:
        responses[str(code)] = {"description": ERROR_TEXT[code],
                                "content": {"application/json": {"schema": ref("Error")}}}
    responses["429"] = {"description": "Too many requests for this token this minute (API_RATE_LIMIT_PER_MINUTE)",
                        "headers": {"Retry-After": {"description": "Seconds until the next minute",
                                                    "schema": {"type": "integer", "minimum": 1}}},
                        "content": {"application/json": {"schema": ref("Error")}}}
    op: S = {"summary": summary, "parameters": params or [], "responses": responses}
    if public:
        op["security"] = []
    return {"get": op}


def document() -> S:
    with_404 = (400, 401, 403, 404)
    return {
        "openapi": "3.1.0",
        "info": {"title": "SITISEK API (RAD ATS Kutai Timur)", "version": "1.0.0",
                 "description": "Read-only. Bearer token per user (admins create them at /admin/api-tokens); the "
                                "token's user has the same permissions as on the web pages. Dates are ISO dates, "
                                "datetimes ISO UTC with Z, money whole rupiah. Errors: {\"error\": {...}}."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}, "schemas": SCHEMAS},
        "paths": {
            "/openapi.json": {"get": {"summary": "This document", "security": [], "parameters": [], "responses": {
                "200": {"description": "OpenAPI document", "content": {"application/json": {"schema": {
                    "type": "object"}}}},
                "400": {"description": "Bad request", "content": {"application/json": {"schema": ref("Error")}}}}}},
            "/plan": operation("The action plan (RAD) with its pillars and programs", "Plan", errors=with_404),
            "/pillars": operation("Pillars (strategi) and their programs", "PillarList"),
            "/agencies": operation("Agencies (perangkat daerah and partners)", "AgencyList"),
            "/agencies/{agency_id}": operation("One agency and its actions; focal points: their own agency only",
                                               "AgencyDetail", [path_id("agency_id")], with_404),
            "/actions": operation("Actions, filtered and paginated like the web list; focal points see the "
                                  "actions their agency leads or supports", "ActionPage", ACTION_FILTERS + PAGING),
            "/actions/{action_id}": operation("One action with milestones, status and latest progress",
                                              "ActionDetail", [path_id("action_id")], with_404),
            "/progress-reports": operation(
                "Progress reports, newest first, with their review state (diajukan, diterima, dikembalikan) and "
                "every version (current false: superseded by a correction); focal points see their agency's "
                "actions", "ProgressReportPage",
                [query("action", {**INT, "minimum": 1, "maximum": MAX_ID}, "Action id"),
                 query("agency", {**INT, "minimum": 1, "maximum": MAX_ID}, "Reporting agency id"),
                 query("period", {**STR, "pattern": "^[0-9]{4}-[0-9]{2}$"}, "Reported month, YYYY-MM"),
                 query("review_status", {"enum": list(REVIEW_STATUSES)}, "Review state")] + PAGING),
            "/follow-ups": operation(
                "Meeting follow-ups (tindak lanjut rapat): open ones first, earliest due first; status is computed "
                "in WITA (terlambat: open past its due date; diajukan: reported done, waiting for review); focal "
                "points see the meetings their agency attended or owes a follow-up from", "FollowUpPage",
                [query("meeting", {**INT, "minimum": 1, "maximum": MAX_ID}, "Meeting id"),
                 query("agency", {**INT, "minimum": 1, "maximum": MAX_ID}, "Responsible agency id"),
                 query("status", {"enum": list(FOLLOW_UP_FILTERS)}, "belum_selesai: open or waiting for review")]
                + PAGING),
            "/indicators": operation("Indicators with latest value and this year's target", "IndicatorPage",
                                     [query("year", {**INT, "minimum": 2000, "maximum": 2100},
                                            "Year of the target shown (default: this year, WITA)")] + PAGING),
            "/indicators/{indicator_id}": operation("One indicator with targets and values", "IndicatorDetail",
                                                    [path_id("indicator_id")], with_404),
            "/figures": operation(
                "A month's headline figures for the regency, a kecamatan or an agency: the numbers of that month's "
                "report, as `flask report figures` (coordinators, leaders)", "Figures",
                [query("period", {**STR, "pattern": "^[0-9]{4}-[0-9]{2}$"}, "YYYY-MM (default: this month, WITA)"),
                 query("kecamatan", {**STR, "maxLength": 20}, "Kecamatan code"),
                 query("agency", {**STR, "maxLength": 30}, "Agency code, e.g. DINSOS (not with kecamatan)")]),
            "/ats/snapshots": operation("Live ATS snapshots with regency totals (coordinators, leaders)",
                                        "SnapshotList"),
            "/ats/summary": operation(
                "ATS totals by area and category of the latest snapshot on or before as_of "
                "(as `flask ats summary --format json`)", "AtsSummary",
                [query("as_of", DATE, "Date (default: latest snapshot)"),
                 query("kecamatan", {**STR, "maxLength": 20}, "Kecamatan code: its desa instead of all kecamatan")],
                with_404),
        },
    }


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())
