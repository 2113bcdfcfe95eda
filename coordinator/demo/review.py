"""The demo's reports in every review state, as a month at the Pemkab leaves them.

Reports of past months were accepted a few days after they came in. Of the running month's, about half wait in
the coordinator's queue (the oldest first), one was returned with a comment and waits for its agency, one was
returned and corrected (the correction waits again), and one accepted report was corrected and accepted anew.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.core.clock import month_start, wita_today
from coordinator.models import (
    REVIEW_ACCEPTED,
    REVIEW_RETURNED,
    REVIEW_SUBMITTED,
    ProgressOutcome,
    ProgressUpdate,
    User,
)

RETURN_COMMENT = ("Jumlah anak yang kembali bersekolah belum sesuai berita acara; lampirkan daftar hadir dan "
                  "berita acara penyerahan.")
CORRECTION_REASON = "Diperbaiki sesuai catatan koordinator: berita acara dilampirkan."


def _copy(report: ProgressUpdate, created: datetime, reason: str) -> ProgressUpdate:
    """A correction with the same content (the agency fixed the attachment, not the figures)."""
    return ProgressUpdate(
        action_id=report.action_id, agency_id=report.agency_id, author_id=report.author_id, period=report.period,
        percent_complete=report.percent_complete, achievements=report.achievements, obstacles=report.obstacles,
        follow_up=report.follow_up, budget_realised=report.budget_realised, created_at=created,
        supersedes_id=report.id, correction_reason=reason,
        outcomes=[ProgressOutcome(area_kode=o.area_kode, reached=o.reached, returned_formal=o.returned_formal,
                                  returned_paket=o.returned_paket, returned_pesantren=o.returned_pesantren,
                                  returned_lkp=o.returned_lkp) for o in report.outcomes])


def seed_review_states(session: Session, now: datetime, reviewer: User | None) -> dict[str, int]:
    if reviewer is None:
        return {}
    rng = random.Random(22)
    this_month = month_start(wita_today(now))
    reports = list(session.scalars(select(ProgressUpdate).order_by(ProgressUpdate.created_at, ProgressUpdate.id)))
    current = []
    for r in reports:
        if r.period < this_month:
            r.reviewed_at, r.reviewed_by_id = min(r.created_at + timedelta(days=rng.randint(1, 6)), now), reviewer.id
        else:
            current.append(r)
    waiting = [r for r in current if rng.random() < 0.5]
    for r in current:
        if r in waiting:
            r.review_status, r.counted = REVIEW_SUBMITTED, False
        else:
            r.reviewed_at, r.reviewed_by_id = min(r.created_at + timedelta(days=1), now), reviewer.id
    accepted = [r for r in current if r not in waiting]
    with_outcomes = [r for r in waiting if r.outcomes] or waiting
    returned, corrected = with_outcomes[:1], with_outcomes[1:2]
    for r in returned + corrected:
        r.review_status, r.counted, r.review_comment = REVIEW_RETURNED, False, RETURN_COMMENT
        r.reviewed_at, r.reviewed_by_id = min(r.created_at + timedelta(hours=20), now), reviewer.id
    session.flush()
    for r in corrected:  # the agency fixed it; the correction waits for review again
        assert r.reviewed_at is not None
        r.superseded_at = min(r.reviewed_at + timedelta(hours=20), now)
        session.flush()
        fixed = _copy(r, r.superseded_at, CORRECTION_REASON)
        fixed.review_status, fixed.counted = REVIEW_SUBMITTED, False
        session.add(fixed)
    for r in accepted[:1]:  # corrected after acceptance, and the correction accepted in turn
        assert r.reviewed_at is not None
        r.superseded_at = min(r.reviewed_at + timedelta(hours=2), now)
        r.counted = False
        session.flush()
        fixed = _copy(r, r.superseded_at, "Persentase kemajuan diperbarui.")
        fixed.reviewed_at, fixed.reviewed_by_id = min(r.superseded_at + timedelta(hours=3), now), reviewer.id
        fixed.review_status, fixed.counted = REVIEW_ACCEPTED, True
        session.add(fixed)
    session.flush()
    return {"returned": len(returned), "corrected": len(corrected), "accepted_this_month": len(accepted),
            "waiting": len(waiting) - len(returned)}  # the corrected ones wait again, as their corrections
