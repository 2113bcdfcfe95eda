"""The facts of a month, gathered once and frozen when the month is closed.

`collect_facts` reads everything the monthly report shows into plain JSON values
(ids, codes, names, dates as ISO strings, counts), in a fixed number of
statements. `close_month` stores them as a MonthlySnapshot; from then on the
month's reports are built from that JSON only (model), so edits made
after closing change nothing in them, and regenerating gives the same figures.

What a fact means "as of the month":
- an action's status is computed on the month's last day (or today, for the
  running month) from the plan as it stands at closing: a completion or a
  milestone done after the month's end does not count for that month;
- progress reports and outcomes are the counted ones (accepted by the
  coordinator, the version in force) for months up to the reported one; a
  report is on time when it was first made by the last day of its month (WITA);
  reports still under review at closing and late reports of closed months are
  listed apart (review/facts.py), never mixed in;
- the ATS counts are the live snapshots dated on or before the month's end.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coordinator.ats.figures import live_snapshots, snapshot_on_or_before, totals_for, totals_of
from coordinator.ats.indicators import ATS_METRICS, metric_value
from coordinator.ats.pages import baseline_snapshot
from coordinator.core.clock import add_months, to_wita, wita_today
from coordinator.core.errors import N_, DomainError
from coordinator.figures.collect import child_returns, realised_by_agency, verval_by_desa
from coordinator.figures.indicator_feed import returned_as_of
from coordinator.figures.waterfall import month_waterfall
from coordinator.meetings.facts import follow_up_facts
from coordinator.models import (
    ATS_CATEGORIES,
    LIST_FUNDING_SOURCE,
    Action,
    ActionFunding,
    Agency,
    Area,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Milestone,
    MonthlySnapshot,
    Pillar,
    Plan,
    Program,
    ProgressOutcome,
    ProgressUpdate,
    ReferenceItem,
    ReportSettings,
    action_area,
    action_supporting_agency,
)
from coordinator.plan.revisions import revision_facts
from coordinator.reports.frozen_status import action_status, late_since
from coordinator.review.facts import review_facts

FACTS_VERSION = 1
WITA_OFFSET = timedelta(hours=8)  # Asia/Makassar has no daylight saving
DECISIONS_MAX = 5
# Obstacles older than this many months before the reported one are no longer news for leaders.
DECISION_LOOKBACK_MONTHS = 2


def month_end(period: date) -> date:
    return add_months(period, 1) - timedelta(days=1)


def parse_period(text: str | None) -> date:
    """'2026-10' -> date(2026, 10, 1); DomainError for anything else."""
    m = re.fullmatch(r"(\d{4})-(\d{2})", (text or "").strip(), re.ASCII)
    try:
        if m is None:
            raise ValueError
        period = date(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise DomainError(N_("Periode harus berbentuk TTTT-BB, misalnya 2026-10.")) from None
    if not 2000 <= period.year <= 2100:
        raise DomainError(N_("Periode harus berbentuk TTTT-BB, misalnya 2026-10."))
    return period


def _d(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _counts(c: dict[str, int]) -> dict[str, int]:
    return {k: int(c.get(k, 0)) for k in (*ATS_CATEGORIES, "total")}


def _ats(session: Session, end: date, prev_end: date, baseline_year: int | None) -> dict[str, Any]:
    snapshots = [s for s in live_snapshots(session) if s.as_of <= end]
    if not snapshots:
        return {"series": [], "latest": None, "previous": None, "baseline": None}
    totals = totals_for(session, snapshots)
    latest = snapshots[-1]
    previous = next((s for s in reversed(snapshots) if s.as_of <= prev_end), None)
    base = baseline_snapshot(snapshots, baseline_year)

    def full(snapshot: Any) -> dict[str, Any] | None:
        if snapshot is None:
            return None
        t = totals[snapshot.id]
        return {"as_of": _d(snapshot.as_of), "source": snapshot.source, "total": _counts(t.total),
                "residu": _counts(t.residu),
                "kecamatan": {k: _counts(v) for k, v in sorted(t.kecamatan.items())},
                "desa": {k: _counts(v) for k, v in sorted(t.desa.items())}}

    series = [{"as_of": _d(s.as_of), "total": _counts(totals[s.id].total),
               "kecamatan": {k: _counts(v) for k, v in sorted(totals[s.id].kecamatan.items())}}
              for s in snapshots]
    return {"series": series, "latest": full(latest), "previous": full(previous), "baseline": full(base)}


def _indicators(session: Session, end: date, now: datetime) -> list[dict[str, Any]]:
    indicators = list(session.scalars(
        select(Indicator).where(Indicator.deleted_at.is_(None)).order_by(Indicator.code)))
    ids = [i.id for i in indicators]
    targets: dict[int, list[list[Any]]] = defaultdict(list)
    values: dict[int, list[list[Any]]] = defaultdict(list)
    for ind_id, year, quarter, value in session.execute(
            select(IndicatorTarget.indicator_id, IndicatorTarget.year, IndicatorTarget.quarter, IndicatorTarget.value)
            .where(IndicatorTarget.indicator_id.in_(ids))):
        targets[ind_id].append([year, quarter, value])
    end_q = (end.year, (end.month - 1) // 3 + 1)
    # The month's end in UTC: a value entered later (e.g. rewritten by a November import) is not October's.
    cutoff = min(now, datetime.combine(end + timedelta(days=1), datetime.min.time()) - WITA_OFFSET)
    for ind_id, year, quarter, value, entered in session.execute(
            select(IndicatorValue.indicator_id, IndicatorValue.year, IndicatorValue.quarter, IndicatorValue.value,
                   IndicatorValue.entered_at)
            .where(IndicatorValue.indicator_id.in_(ids), IndicatorValue.review_status == "diterima")
            .order_by(IndicatorValue.entered_at)):
        # A value counts from the start of its period (a quarter in progress shows its figure as entered by
        # the month's end); a period that ended by the month's end counts with its latest value.
        start_q = (year, quarter or 1)
        period_end = date(year, 12, 31) if quarter is None else add_months(date(year, 3 * quarter - 2, 1), 3) \
            - timedelta(days=1)
        if start_q <= end_q and (entered <= cutoff or (period_end <= end and entered <= now)):
            values[ind_id].append([year, quarter, value, entered.isoformat()])
    # Snapshot-fed indicators: the quarter in progress takes its figure from the month's own latest snapshot
    # (each import rewrites the quarter's stored value, which may already hold a later month's count).
    latest = snapshot_on_or_before(session, end)
    if latest is not None and (latest.as_of.year, (latest.as_of.month - 1) // 3 + 1) == end_q:
        totals = totals_of(session, latest)
        for i in indicators:
            if i.ats_metric in ATS_METRICS:
                figure = metric_value(i, totals)
                kept = [v for v in values[i.id] if (v[0], v[1]) != end_q]
                values[i.id] = kept + ([[end_q[0], end_q[1], figure, cutoff.isoformat()]] if figure is not None else [])
    # Children back in school (figures/indicator_feed.py): the quarter's figure as of the month's end, counted as
    # the report's own headline is (the stored value may already hold a later day's count).
    for ind_id, figure in returned_as_of(session, indicators, end).items():
        kept = [v for v in values[ind_id] if (v[0], v[1]) != end_q]
        values[ind_id] = kept + [[end_q[0], end_q[1], figure, cutoff.isoformat()]]
    return [{"id": i.id, "code": i.code, "name": i.name, "unit": i.unit, "direction": i.direction,
             "baseline": i.baseline_value, "baseline_year": i.baseline_year,
             "targets": sorted(targets[i.id], key=lambda t: (t[0], t[1] or 0)), "values": values[i.id]}
            for i in indicators]


def _updates(session: Session, period: date, end: date) -> tuple[dict[int, dict[str, Any]], dict[int, list[Any]],
                                                                   dict[int, dict[str, Any]]]:
    """Per action: its latest current report up to the month, this month's reports, its last obstacle."""
    latest: dict[int, dict[str, Any]] = {}
    month: dict[int, list[Any]] = defaultdict(list)
    obstacle: dict[int, dict[str, Any]] = {}
    first_made = {(a, g): t for a, g, t in session.execute(
        select(ProgressUpdate.action_id, ProgressUpdate.agency_id, func.min(ProgressUpdate.created_at))
        .where(ProgressUpdate.period == period).group_by(ProgressUpdate.action_id, ProgressUpdate.agency_id))}
    rows = session.execute(
        select(ProgressUpdate.id, ProgressUpdate.action_id, ProgressUpdate.agency_id, ProgressUpdate.period,
               ProgressUpdate.percent_complete, ProgressUpdate.achievements, ProgressUpdate.obstacles,
               ProgressUpdate.follow_up, ProgressUpdate.budget_realised, ProgressUpdate.created_at)
        .where(ProgressUpdate.counted.is_(True), ProgressUpdate.period <= period)
        .order_by(ProgressUpdate.period, ProgressUpdate.created_at, ProgressUpdate.id))
    for uid, action_id, agency_id, p, percent, achievements, obstacles, follow_up, budget, created in rows:
        reported_on = to_wita(created).date()
        latest[action_id] = {"id": uid, "agency_id": agency_id, "period": _d(p), "percent": percent,
                             "achievements": achievements, "obstacles": obstacles, "follow_up": follow_up,
                             "budget_realised": budget, "reported_on": _d(reported_on)}
        if p == period:
            first = first_made.get((action_id, agency_id), created)  # a correction keeps the first date
            month[action_id].append([agency_id, _d(to_wita(first).date()), to_wita(first).date() <= end])
        if obstacles and obstacles.strip():
            obstacle[action_id] = {"update_id": uid, "agency_id": agency_id, "period": _d(p),
                                   "text": obstacles.strip()}
    return latest, month, obstacle


def _outcomes(session: Session, period: date) -> dict[int, list[list[Any]]]:
    """Per action, per desa and month: children reached and returned (counted reports only)."""
    sums: dict[tuple[int, str, date], list[int]] = defaultdict(lambda: [0, 0])
    rows = session.execute(
        select(ProgressUpdate.action_id, ProgressOutcome.area_kode, ProgressUpdate.period, ProgressOutcome.reached,
               ProgressOutcome.returned_formal + ProgressOutcome.returned_paket + ProgressOutcome.returned_pesantren
               + ProgressOutcome.returned_lkp)
        .join(ProgressUpdate, ProgressUpdate.id == ProgressOutcome.update_id)
        .where(ProgressUpdate.counted.is_(True), ProgressUpdate.period <= period))
    for action_id, kode, p, reached, returned in rows:
        s = sums[(action_id, kode, p)]
        s[0] += int(reached or 0)
        s[1] += int(returned or 0)
    out: dict[int, list[list[Any]]] = defaultdict(list)
    for (action_id, kode, p), (reached, returned) in sorted(sums.items()):
        out[action_id].append([kode, _d(p), reached, returned])
    return out


def _letterhead(session: Session) -> dict[str, str | None] | None:
    """The cover as it was at closing (logo files are never deleted, so the stored name stays valid)."""
    settings = session.get(ReportSettings, 1)
    if settings is None:
        return None
    return {"pemkab_name": settings.pemkab_name, "office_name": settings.office_name,
            "logo_stored_name": settings.logo_stored_name, "logo_content_type": settings.logo_content_type}


def collect_facts(session: Session, period: date, now: datetime) -> dict[str, Any]:
    end = month_end(period)
    as_of = min(end, wita_today(now))
    plan = session.scalar(select(Plan).order_by(Plan.id).limit(1))
    supporting: dict[int, list[int]] = defaultdict(list)
    for action_id, agency_id in session.execute(select(action_supporting_agency.c.action_id,
                                                       action_supporting_agency.c.agency_id)):
        supporting[action_id].append(agency_id)
    areas_of: dict[int, list[str]] = defaultdict(list)
    for action_id, kode in session.execute(select(action_area.c.action_id, action_area.c.area_kode)):
        areas_of[action_id].append(kode)
    latest, month_reports, obstacle = _updates(session, period, end)
    outcomes = _outcomes(session, period)
    realised = realised_by_agency(session, period)

    month_over = datetime.combine(end + timedelta(days=1), datetime.min.time()) - WITA_OFFSET
    # Actions deleted after the month's end were still part of that month's plan.
    actions = list(session.scalars(
        select(Action).join(Program, Program.id == Action.program_id)
        .where(or_(Action.deleted_at.is_(None), Action.deleted_at >= month_over)).order_by(Action.code)))
    milestones: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for m in session.execute(select(Milestone.action_id, Milestone.title, Milestone.due_date, Milestone.state,
                                    Milestone.completed_on, Milestone.baseline_due_date, Milestone.reschedule_count)
                             .order_by(Milestone.due_date, Milestone.id)):
        action_id, title, due, state, done_on, baseline, moves = m
        if state == "selesai" and done_on is not None and done_on > end:
            state = "berjalan"  # done after the month: still open at the month's end
        milestones[action_id].append({"title": title, "due": _d(due), "state": state, "done_on": _d(done_on),
                                      "baseline_due": _d(baseline), "reschedules": moves})
    programs = {p.id: p for p in session.scalars(select(Program))}
    labels = {r.code: (r.label_id, r.label_en) for r in session.scalars(
        select(ReferenceItem).where(ReferenceItem.list_name == LIST_FUNDING_SOURCE))}
    funding: dict[int, list[dict[str, Any]]] = defaultdict(list)  # frozen with their labels of the day
    for action_id, source, amount in session.execute(select(ActionFunding.action_id, ActionFunding.source,
                                                            ActionFunding.amount).order_by(ActionFunding.position)):
        label_id, label_en = labels.get(source, (source, source))
        funding[action_id].append({"source": source, "label_id": label_id, "label_en": label_en, "amount": amount})
    action_rows = []
    for a in actions:
        complete = a.marked_complete and (a.completed_on is None or a.completed_on <= end)
        program = programs[a.program_id]
        action_rows.append({
            "id": a.id, "code": a.code, "title": a.title, "pillar_id": program.pillar_id,
            "program": f"{program.code} {program.name}", "lead": a.lead_agency_id,
            "support": sorted(supporting.get(a.id, [])), "areas": sorted(areas_of.get(a.id, [])),
            "start": _d(a.start_date), "due": _d(a.due_date), "complete": bool(complete),
            "baseline_due": _d(a.baseline_due_date), "reschedules": a.reschedule_count,
            "completed_on": _d(a.completed_on) if complete else None,
            "override": a.status_override, "override_reason": a.override_reason,
            "budget": a.budget_amount, "funding": funding.get(a.id, []), "milestones": milestones.get(a.id, []),
            "latest": latest.get(a.id), "month_reports": month_reports.get(a.id, []),
            "last_obstacle": obstacle.get(a.id), "outcomes": outcomes.get(a.id, []),
            "realised": {str(k): v for k, v in realised.get(a.id, {}).items()},
        })
    agency_ids: set[int] = {a.lead_agency_id for a in actions} | {i for ids in supporting.values() for i in ids}
    agency_ids |= {int(u["agency_id"]) for u in latest.values()}
    agencies = [{"id": a.id, "code": a.code, "short_name": a.short_name, "name": a.name}
                for a in session.scalars(select(Agency).where(Agency.id.in_(agency_ids)).order_by(Agency.short_name))]
    areas = [{"kode": k, "nama": n, "level": lv, "parent": p}
             for k, n, lv, p in session.execute(select(Area.kode, Area.nama, Area.level, Area.parent_kode)
                                                .order_by(Area.kode))]
    pillars = [{"id": p.id, "number": p.number, "name": p.name}
               for p in session.scalars(select(Pillar).order_by(Pillar.number))]
    prev_end = period - timedelta(days=1)
    return {
        "version": FACTS_VERSION, "period": _d(period), "period_end": _d(end), "as_of": _d(as_of),
        "collected_at": now.replace(microsecond=0).isoformat(),
        "plan": {"name": plan.name if plan else "", "baseline_ats": plan.baseline_ats if plan else None,
                 "baseline_year": plan.baseline_year if plan else None,
                 "target_ats": plan.target_ats if plan else None,
                 "start_year": plan.start_year if plan else None, "end_year": plan.end_year if plan else None},
        "pillars": pillars, "agencies": agencies, "areas": areas, "actions": action_rows,
        "ats": _ats(session, end, prev_end, plan.baseline_year if plan else None),
        "indicators": _indicators(session, end, now),
        "verval": verval_by_desa(session, period, end),
        "child_returns": child_returns(session, end),
        "waterfall": month_waterfall(session, end, plan.baseline_year if plan else None),
        "review": review_facts(session, period),
        "follow_ups": follow_up_facts(session, period, as_of),
        "plan_revision": revision_facts(session, as_of),
        "letterhead": _letterhead(session),
        "decisions": None,  # chosen at closing; None: the automatic choice
    }


# The issues for a leader's decision ---------------------------------------------------------------------------

def decision_candidates(facts: dict[str, Any]) -> list[dict[str, Any]]:
    """Obstacles reported in the month or the two before, most pressing first: late actions by days late,
    then open actions by the lowest progress. One per action."""
    period = date.fromisoformat(facts["period"])
    since = add_months(period, -DECISION_LOOKBACK_MONTHS)
    as_of = date.fromisoformat(facts["as_of"])

    out = []
    for a in facts["actions"]:
        ob = a.get("last_obstacle")
        if not ob or date.fromisoformat(ob["period"]) < since:
            continue
        status = action_status(a, as_of)
        if status in ("selesai", "dibatalkan"):
            continue
        late = (as_of - late_since(a, as_of)).days if status == "terlambat" else 0
        percent = (a.get("latest") or {}).get("percent") or 0
        out.append({"action_id": a["id"], "code": a["code"], "title": a["title"], "agency_id": ob["agency_id"],
                    "period": ob["period"], "text": ob["text"], "status": status, "days_late": max(late, 0),
                    "percent": percent})
    out.sort(key=lambda c: (c["status"] != "terlambat", -c["days_late"], c["percent"], c["code"]))
    return out


def chosen_decisions(facts: dict[str, Any]) -> list[dict[str, Any]]:
    candidates = decision_candidates(facts)
    chosen = facts.get("decisions")
    if chosen is None:
        return candidates[:DECISIONS_MAX]
    by_id = {c["action_id"]: c for c in candidates}
    return [by_id[i] for i in chosen if i in by_id][:DECISIONS_MAX]


# Closing and reopening ----------------------------------------------------------------------------------------

def canonical(facts: dict[str, Any]) -> str:
    return json.dumps(facts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def live_snapshot(session: Session, period: date) -> MonthlySnapshot | None:
    return session.scalar(select(MonthlySnapshot).where(MonthlySnapshot.period == period,
                                                        MonthlySnapshot.reopened_at.is_(None)))


def load_facts(snapshot: MonthlySnapshot) -> dict[str, Any]:
    facts: dict[str, Any] = json.loads(snapshot.facts)
    return facts


def close_month(session: Session, period: date, now: datetime, user_id: int | None,
                decisions: list[int] | None = None) -> MonthlySnapshot:
    """Freeze the month. Only a month that has ended can be closed, and only once (until reopened)."""
    if month_end(period) >= wita_today(now):
        raise DomainError(N_("Bulan ini belum berakhir; laporan bulan berjalan hanya dapat dilihat sebagai draf."))
    if live_snapshot(session, period) is not None:
        raise DomainError(N_("Bulan ini sudah ditutup."))
    facts = collect_facts(session, period, now)
    if decisions is not None:
        allowed = {c["action_id"] for c in decision_candidates(facts)}
        if any(i not in allowed for i in decisions):
            raise DomainError(N_("Pilihan masalah tidak dikenal; muat ulang halaman dan pilih lagi."))
        if len(decisions) > DECISIONS_MAX:
            raise DomainError(N_("Pilih paling banyak lima masalah untuk diputuskan pimpinan."))
        facts["decisions"] = list(decisions)
    text = canonical(facts)
    snapshot = MonthlySnapshot(period=period, closed_at=now, closed_by_id=user_id, facts=text,
                               facts_sha256=hashlib.sha256(text.encode()).hexdigest())
    try:
        with session.begin_nested():  # another process may close the same month at the same moment
            session.add(snapshot)
            session.flush()
    except IntegrityError:
        raise DomainError(N_("Bulan ini sudah ditutup.")) from None
    return snapshot


def reopen_month(session: Session, snapshot: MonthlySnapshot, now: datetime, user_id: int | None,
                 reason: str) -> None:
    """The closed facts stay (marked reopened), with their archived PDFs; closing again freezes anew."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(N_("Tuliskan alasan membuka kembali bulan ini."))
    if snapshot.reopened_at is not None:
        raise DomainError(N_("Bulan ini sudah dibuka kembali."))
    snapshot.reopened_at, snapshot.reopened_by_id, snapshot.reopen_reason = now, user_id, reason[:2000]
    session.flush()
