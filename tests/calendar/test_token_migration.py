"""Migration 5b2e8d4f1a90: calendar feed tokens stored in clear become their hashes, and a URL already subscribed
in a calendar app keeps working. Run on a database of its own (an SQLite file, or a scratch PostgreSQL database
when TEST_DATABASE_URL is set), migrated to the revision before, given an old row, then upgraded."""
from __future__ import annotations

import os
import secrets
from datetime import datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, Table, inspect, select
from sqlalchemy.engine import make_url

import config
from coordinator import create_app
from coordinator.calendar.feed import hash_token
from coordinator.extensions import db
from tests import databases
from tests.conftest import FIXED_NOW

BEFORE, AFTER = "3d5f8a2c6e71", "5b2e8d4f1a90"


@pytest.fixture()
def old_database(tmp_path):
    pg = os.environ.get("TEST_DATABASE_URL")
    if not pg:
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    name = f"{make_url(pg).database}_calendar_migration_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    databases._admin(pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    yield databases._with_database(pg, name)
    databases._admin(pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _table(name: str) -> Table:
    return Table(name, MetaData(), autoload_with=db.engine)


def test_upgrade_hashes_the_tokens_and_old_urls_keep_working(old_database):
    cfg = config.TestingConfig()
    cfg.SQLALCHEMY_DATABASE_URI = old_database
    application = create_app(cfg)
    application.config["FIXED_NOW"] = FIXED_NOW
    subscribed, revoked = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with application.app_context():
        try:
            upgrade(directory=str(databases.MIGRATIONS), revision=BEFORE)
            agency, feed = _table("agency"), _table("calendar_feed")
            with db.engine.begin() as conn:
                agency_id = conn.execute(agency.insert().values(
                    code="DINSOS", short_name="Dinsos", name="Dinas Sosial", kind="opd", aliases="",
                    active=True)).inserted_primary_key[0]
                conn.execute(feed.insert(), [
                    {"token": subscribed, "agency_id": agency_id, "created_at": datetime(2026, 11, 1),
                     "revoked_at": None},
                    {"token": revoked, "agency_id": agency_id, "created_at": datetime(2026, 10, 1),
                     "revoked_at": datetime(2026, 11, 1)}])

            upgrade(directory=str(databases.MIGRATIONS), revision=AFTER)
            assert "token" not in {c["name"] for c in inspect(db.engine).get_columns("calendar_feed")}
            feed = _table("calendar_feed")
            with db.engine.connect() as conn:
                rows = conn.execute(select(feed.c.token_hash, feed.c.prefix).order_by(feed.c.id)).all()
            assert [tuple(r) for r in rows] == [(hash_token(subscribed), subscribed[:6]),
                                                (hash_token(revoked), revoked[:6])]
            upgrade(directory=str(databases.MIGRATIONS))  # whatever comes after, as a server would run it
            client = application.test_client()
            resp = client.get(f"/calendar/{subscribed}.ics")
            assert resp.status_code == 200 and resp.data.startswith(b"BEGIN:VCALENDAR")
            assert client.get(f"/calendar/{revoked}.ics").status_code == 404
            assert client.get(f"/calendar/{hash_token(subscribed)}.ics").status_code == 404

            # Downgrade cannot bring the secrets back: every feed gets a new, distinct token in clear.
            db.session.remove()
            downgrade(directory=str(databases.MIGRATIONS), revision=BEFORE)
            feed = _table("calendar_feed")
            with db.engine.connect() as conn:
                tokens = list(conn.scalars(select(feed.c.token)))
            assert len(set(tokens)) == 2 and subscribed not in tokens and all(len(t) >= 43 for t in tokens)
        finally:
            db.session.remove()
            db.engine.dispose()
