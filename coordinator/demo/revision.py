"""The demo's plan revision: Perubahan I, opened after the first semester's review and adopted a month ago. Under it
an indicator's last-year target was raised and an action gained a milestone; both are listed on its page and the
monthly report names it."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from coordinator.models import Action, IndicatorTarget, Milestone, Plan, User
from coordinator.plan.revisions import adopt_revision, start_revision


def seed_revision(session: Session, now: datetime, coordinator: User | None) -> None:
    plan = session.scalar(select(Plan).order_by(Plan.id).limit(1))
    target = session.scalar(select(IndicatorTarget).where(IndicatorTarget.quarter.is_(None))
                            .order_by(IndicatorTarget.year.desc(), IndicatorTarget.id).limit(1))
    action = session.scalar(select(Action).where(Action.deleted_at.is_(None), Action.due_date > now.date())
                            .order_by(Action.code).limit(1))
    if plan is None or coordinator is None or target is None or action is None:
        return
    revision = start_revision(session, plan, "Perbup Kutai Timur tentang Perubahan RAD Penanganan ATS (data demo)",
                              "Hasil kaji paruh waktu semester I: target indikator tahun terakhir disesuaikan dan "
                              "tahapan pendampingan ditambah.", coordinator.id, now - timedelta(days=45))
    target.value = float(round(target.value * 1.1)) if target.value else target.value
    session.add(Milestone(action_id=action.id, title="Evaluasi paruh waktu pendampingan",
                          due_date=min(action.due_date, (now + timedelta(days=60)).date())))
    session.flush()
    adopt_revision(session, revision, coordinator.id, now - timedelta(days=30))
