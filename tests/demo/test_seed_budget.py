"""The demo's realisations stay within each action's ceiling: no agency, and no sum of the agencies' latest
figures, goes past it, so the demo shows no "melebihi pagu" badge that nobody explained."""
from sqlalchemy import select

from coordinator.actions import budget, progress
from coordinator.core.clock import month_start, utcnow, wita_today
from coordinator.extensions import db
from coordinator.models import Action, ProgressUpdate


def test_seeded_realisations_stay_within_each_ceiling(app_ctx):
    result = app_ctx.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    this_month = month_start(wita_today(utcnow()))
    priced = db.session.scalars(select(Action).where(Action.budget_amount.is_not(None))).all()
    assert priced
    shared = 0
    for action in priced:
        months = db.session.scalars(select(ProgressUpdate.period).where(ProgressUpdate.action_id == action.id)
                                    .distinct()).all()
        for month in [*months, this_month]:
            assert budget.realisation_total(db.session, action.id, month) <= action.budget_amount, action.code
        shared += len(budget.realised_by_agency(db.session, action.id, this_month)) > 1
        assert budget.over_ceiling(progress.updates_for_action(db.session, action.id), action.budget_amount) == set()
    assert shared > 0  # the sum over several agencies is really exercised
