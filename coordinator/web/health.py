"""GET /healthz for nginx, systemd and the administrator: does the database answer, and is it migrated?"""
from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from coordinator.extensions import db

bp = Blueprint("health", __name__)
MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


@cache
def code_revision() -> str | None:
    """The newest migration this code knows: after a deploy the database must have reached it."""
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def _answer(http_status: int, **body: Any) -> Any:
    response = jsonify(**body)
    response.status_code = http_status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/healthz")
def check() -> Any:
    # No error text in the answers: they are public, and a driver's message can name the server or user.
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return _answer(503, status="error", database="unreachable")
    try:
        revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        revision = None
    db.session.rollback()
    if revision != code_revision():
        return _answer(503, status="error", database="migration pending", revision=revision,
                       expected=code_revision())
    return _answer(200, status="ok", database="ok", revision=revision)
