"""An action's money: the agencies' cumulative realisation (realisasi) against its ceiling (pagu).

Every agency on an action reports its own cumulative realisation each month. The action's realisation at a month
is the sum, over its agencies, of each one's latest figure up to that month: never the sum of every report, which
would count the same money once a month. A figure above the ceiling, alone or in that sum, needs a note.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from flask import has_request_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.core.errors import N_, DomainError
from coordinator.core.formatting import fmt_money
from coordinator.figures import collect
from coordinator.models import Action, ProgressUpdate

OVER_OWN = N_("Realisasi kumulatif %(amount)s melebihi pagu aksi %(ceiling)s. Jelaskan sebabnya di keterangan "
              "realisasi anggaran.")
OVER_TOTAL = N_("Jumlah realisasi kumulatif semua instansi pada aksi ini menjadi %(total)s, melebihi pagu aksi "
                "%(ceiling)s. Periksa agar uang yang sama tidak dilaporkan dua instansi, atau jelaskan sebabnya di "
                "keterangan realisasi anggaran.")


@dataclass(frozen=True)
class Figure:
    """One current report's cumulative realisation."""

    agency_id: int
    period: date
    amount: int


def _current_figures(session: Session, action_id: int) -> list[Figure]:
    rows = session.execute(
        select(ProgressUpdate.agency_id, ProgressUpdate.period, ProgressUpdate.budget_realised).where(
            ProgressUpdate.action_id == action_id, ProgressUpdate.superseded_at.is_(None),
            ProgressUpdate.budget_realised.is_not(None),
        ).order_by(ProgressUpdate.period, ProgressUpdate.created_at, ProgressUpdate.id)
    )
    return [Figure(agency_id, period, amount) for agency_id, period, amount in rows if amount is not None]


def _latest(figures: Iterable[Figure], up_to_period: date) -> dict[int, int]:
    """Figures in the order of their months: a later month's figure replaces the agency's earlier one."""
    by_agency: dict[int, int] = {}
    for f in sorted(figures, key=lambda f: f.period):
        if f.period <= up_to_period:
            by_agency[f.agency_id] = f.amount
    return by_agency


def realised_by_agency(session: Session, action_id: int, up_to_period: date) -> dict[int, int]:
    """Each agency's cumulative realisation on the action as of a month: the figure of its latest current (not
    superseded) report of that month or before. A report that leaves the figure empty changes nothing: the
    agency's earlier figure stands. Every agency that reported counts, also one no longer on the action."""
    return collect.realised_by_agency(session, up_to_period, [action_id]).get(action_id, {})


def own_latest_figure(session: Session, action_id: int, agency_id: int, up_to_period: date) -> int | None:
    """The agency's own latest cumulative figure on the action (its current reports, under review included):
    what the progress form starts from, since the figure is cumulative."""
    return _latest([f for f in _current_figures(session, action_id) if f.agency_id == agency_id],
                   up_to_period).get(agency_id)


def realisation_total(session: Session, action_id: int, up_to_period: date) -> int:
    """The action's cumulative realisation as of a month: each agency's latest figure, summed once."""
    return sum(realised_by_agency(session, action_id, up_to_period).values())


def peak_total_with(figures: Sequence[Figure], agency_id: int, period: date, amount: int) -> int:
    """The highest total of the action's realisation while `amount` is the agency's latest figure: at `period`
    and at each later month some other agency reported, up to the agency's own next figure. It replaces the
    agency's current figure for `period` (the report a correction supersedes)."""
    others = [f for f in figures if not (f.agency_id == agency_id and f.period == period)]
    own_next = min((f.period for f in others if f.agency_id == agency_id and f.period > period), default=None)
    months = {period} | {f.period for f in others if f.period > period and (own_next is None or f.period < own_next)}
    with_new = [*others, Figure(agency_id, period, amount)]
    return max(sum(_latest(with_new, month).values()) for month in months)


def _rupiah(value: int) -> str:
    # The reader's format in a request ("Rp 660.000.000"); Indonesian for a command, which has no reader.
    return fmt_money(value) if has_request_context() else "Rp " + f"{value:,}".replace(",", ".")


def check_against_ceiling(session: Session, action: Action, agency_id: int, period: date, amount: int | None,
                          note: str | None) -> None:
    """Refuses, on the note's field, a figure that takes the agency or the whole action past the ceiling unless
    a note says why. An action without a ceiling, or a report without a figure, needs no note."""
    ceiling = action.budget_amount
    if ceiling is None or amount is None or (note or "").strip():
        return
    if amount > ceiling:
        raise DomainError(OVER_OWN, "budget_note", amount=_rupiah(amount), ceiling=_rupiah(ceiling))
    total = peak_total_with(_current_figures(session, action.id), agency_id, period, amount)
    if total > ceiling:
        raise DomainError(OVER_TOTAL, "budget_note", total=_rupiah(total), ceiling=_rupiah(ceiling))


def over_ceiling(updates: Sequence[ProgressUpdate], ceiling: int | None) -> set[int]:
    """Ids of the reports of one action (superseded ones included) whose figure went past the ceiling, alone or
    summed with the other agencies' latest figures: the rule each was checked by, against the reports there
    were when it was sent, and today's ceiling. An earlier report is not flagged by a later one's figure."""
    if ceiling is None:
        return set()
    sent = {u.id: (u.created_at, u.id) for u in updates}
    corrected_by = {u.supersedes_id: sent[u.id] for u in updates if u.supersedes_id is not None}
    figures = [(sent[u.id], u.id, Figure(u.agency_id, u.period, u.budget_realised)) for u in updates
               if u.budget_realised is not None]
    flagged = set()
    for when, update_id, figure in figures:
        # What was current when it was sent: the reports sent before it and not yet corrected then.
        before = [f for other_when, other_id, f in figures
                  if other_when < when and not (other_id in corrected_by and corrected_by[other_id] < when)]
        if figure.amount > ceiling or peak_total_with(before, figure.agency_id, figure.period, figure.amount) > ceiling:
            flagged.add(update_id)
    return flagged
