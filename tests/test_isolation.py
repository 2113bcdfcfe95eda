"""The suite's own isolation: what a test commits through the app is rolled back at its end, and a commit that
escapes the test's transaction is caught, not left for the next test to trip over."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from coordinator.extensions import db
from coordinator.models import Agency, User
from tests.conftest import _rolled_back, make_user


def _committed_users() -> int:
    """Users as another connection sees them: only what is really committed."""
    with db.engine.connect() as other:
        return other.scalar(select(func.count()).select_from(User))


def test_the_apps_commits_stay_inside_the_test(world):
    make_user("baru@example.org", "fokal", world.dinsos)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(User)) == 7
    assert _committed_users() == 0


def test_a_failed_write_rolls_back_to_the_last_commit_only(world):
    db.session.add(Agency(code="DINSOS", short_name="Dobel", name="Dobel", kind="opd", aliases=""))
    with pytest.raises(Exception, match="(?i)unique"):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Agency)) == 3  # the world's agencies stand


@pytest.mark.commits
def test_a_commit_outside_the_test_transaction_is_reported(app_ctx):
    with pytest.raises(pytest.fail.Exception, match="committed outside its transaction"):
        with _rolled_back():
            with db.engine.begin() as other:
                other.execute(Agency.__table__.insert().values(code="X", short_name="X", name="X", kind="opd",
                                                               aliases=""))
    assert _committed_users() == 0
    with db.engine.connect() as other:
        assert other.scalar(select(func.count()).select_from(Agency)) == 0  # and the tables were emptied
