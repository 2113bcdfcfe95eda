"""One run of a RAD matrix import: what it counts and reports (the preview) and the messages it records.
importing drives the run; import_checks and import_indicators take part in it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from coordinator.ats.match import AreaMatcher
from coordinator.core.names import plain_key
from coordinator.plan.funding import FundingLookup
from coordinator.rad_matrix.layout import COLUMNS, MAIN_SHEET, Issue, MatrixPlan, ParsedMatrix
from coordinator.rad_matrix.resolve import AgencyLookup, agency_key

KINDS = ("plan", "pillars", "programs", "actions", "milestones", "indicators")
HEADERS = {key: header for key, header, _ in COLUMNS}


@dataclass
class Counts:
    new: int = 0
    changed: int = 0
    unchanged: int = 0

    def add(self, before: Any, after: Any) -> str:
        kind = "new" if before is None else ("unchanged" if before == after else "changed")
        setattr(self, kind, getattr(self, kind) + 1)
        return kind


@dataclass
class UnknownAgency:
    key: str  # agency_key of the name: what agency_map is keyed by
    name: str  # as written (first time)
    rows: list[int] = field(default_factory=list)
    mapped_to: str | None = None  # an agency id, "new", or None while unmapped


@dataclass
class UnknownFunding:
    key: str  # plain_key of the name: what funding_map is keyed by
    name: str  # as written (first time)
    rows: list[int] = field(default_factory=list)
    mapped_to: str | None = None  # a funding source's code, "new", or None while unmapped


@dataclass
class ChangedAction:
    code: str
    title: str
    fields: list[str]  # column keys of layout.COLUMNS; "milestones" for its tahapan

    @property
    def headers(self) -> list[str]:
        return [HEADERS.get(f, f) for f in self.fields]


@dataclass
class ImportPreview:
    counts: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in KINDS})
    agencies_to_create: list[str] = field(default_factory=list)
    aliases_to_add: list[tuple[str, str]] = field(default_factory=list)  # (name, agency short name)
    new_actions: list[str] = field(default_factory=list)
    changed_actions: list[ChangedAction] = field(default_factory=list)
    unknown_agencies: list[UnknownAgency] = field(default_factory=list)
    unknown_funding: list[UnknownFunding] = field(default_factory=list)
    funding_to_create: list[str] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    actions_in_file: int = 0
    plan_values: dict[str, Any] = field(default_factory=dict)  # PLAN_FIELDS key -> the plan's value after saving
    plan_read_from: dict[str, str] = field(default_factory=dict)  # key -> "fix", "sheet" or "title
    not_in_file: int = 0  # live actions of the plan the file does not name (kept as they are)

    @property
    def unmapped(self) -> list[UnknownAgency]:
        return [u for u in self.unknown_agencies if u.mapped_to is None]

    @property
    def unmapped_funding(self) -> list[UnknownFunding]:
        return [u for u in self.unknown_funding if u.mapped_to is None]

    @property
    def can_save(self) -> bool:
        return not self.errors and not self.unmapped and not self.unmapped_funding

    @property
    def changes(self) -> int:
        return (sum(c.new + c.changed for c in self.counts.values()) + len(self.agencies_to_create)
                + len(self.funding_to_create))


@dataclass
class ImportResult:
    saved: bool
    preview: ImportPreview


class ImportRun:
    """The state one import shares with its checks (import_checks) and its indicators (import_indicators): the
    session, the parsed file, the preview being filled and the lookups the run loads."""

    agencies: AgencyLookup
    areas: AreaMatcher
    funding: FundingLookup

    def __init__(self, session: Session, parsed: ParsedMatrix, agency_map: dict[str, str], now: datetime,
                 funding_map: dict[str, str] | None = None, plan_fix: MatrixPlan | None = None) -> None:
        self.s, self.parsed, self.now, self.plan_fix = session, parsed, now, plan_fix
        self.agency_map = {agency_key(k): str(v) for k, v in agency_map.items()}
        self.funding_map = {plain_key(k): str(v) for k, v in (funding_map or {}).items()}
        self.funding_mapped: dict[str, str] = {}  # plain_key of a name -> the source code it was mapped to
        self.p = ImportPreview(errors=list(parsed.errors), warnings=list(parsed.warnings),
                               actions_in_file=len(parsed.actions))
        self.action_ids: dict[str, int] = {}  # code -> id of the actions of the file, once saved

    # --- messages

    def error(self, row: int | None, column: str | None, message: str, params: dict[str, Any] | None = None, *,
              sheet: str = MAIN_SHEET, header: str | None = None, **kw: Any) -> None:
        if header is None and column is not None:
            header = self.parsed.columns.get(column) or HEADERS.get(column, column)
        self.p.errors.append(Issue(row, message, {**(params or {}), **kw}, sheet, header))

    def warn(self, row: int | None, message: str, **params: Any) -> None:
        self.p.warnings.append(Issue(row, message, dict(params)))
