"""The test databases: the schema built once per run by the migrations, then one copy per pytest-xdist worker.

SQLite: the migrated template is a file, copied into each worker's temporary folder. PostgreSQL (when
TEST_DATABASE_URL is set): a template database `<name>_template`, from which each worker gets `<name>_<worker>`
with CREATE DATABASE ... TEMPLATE (a file copy inside the server, far faster than running the migrations).
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
TEMPLATE = pytest.StashKey[str]()


def _postgres_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


def _admin(url: str, *statements: str) -> None:
    """Run statements outside a transaction on the server's maintenance connection (CREATE/DROP DATABASE)."""
    u = make_url(url)
    conninfo = u.set(drivername="postgresql", database=u.database).render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True, connect_timeout=10) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    from config import TestingConfig
    from coordinator import create_app
    from coordinator.extensions import db

    cfg = TestingConfig()
    cfg.SQLALCHEMY_DATABASE_URI = url
    application = create_app(cfg)
    with application.app_context():
        upgrade(directory=str(MIGRATIONS))
        # Every test starts from empty tables, as the suite always has: the rows some migrations add (the data
        # revision, default verval codes) are each test's own to create.
        empty_all_tables()
        db.session.remove()
        db.engine.dispose()  # the last connection closed: SQLite folds its WAL into the file


def empty_all_tables() -> None:
    from sqlalchemy import text

    from coordinator.extensions import db

    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for t in tables:
            db.session.execute(t.delete())
    db.session.commit()


def build_template() -> str:
    """Migrate an empty database and return where it is: a PostgreSQL URL or an SQLite file path."""
    pg = _postgres_url()
    if pg:
        name = f"{make_url(pg).database}_template"
        _admin(pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
        template = _with_database(pg, name)
        _migrate(template)
        return template
    folder = Path(tempfile.mkdtemp(prefix="sitisek-test-db-"))
    path = folder / "template.db"
    _migrate(f"sqlite:///{path}")
    return str(path)


def drop_template(template: str) -> None:
    if template.startswith("postgresql"):
        _admin(_postgres_url() or template, f'DROP DATABASE IF EXISTS "{make_url(template).database}" WITH (FORCE)')
    else:
        shutil.rmtree(Path(template).parent, ignore_errors=True)


def worker_copy(template: str, worker: str, folder: Path) -> str:
    """A database of this worker's own, made from the template; its SQLAlchemy URL."""
    if template.startswith("postgresql"):
        pg = _postgres_url() or template
        name = f"{make_url(pg).database}_{worker}"
        for attempt in range(20):
            try:
                _admin(pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                       f'CREATE DATABASE "{name}" TEMPLATE "{make_url(template).database}"')
                break
            except psycopg.errors.ObjectInUse:  # another worker is copying the template at this moment
                if attempt == 19:
                    raise
                time.sleep(0.25)
        return _with_database(pg, name)
    path = folder / "test.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


def drop_worker_copy(url: str) -> None:
    if url.startswith("postgresql"):
        _admin(_postgres_url() or url, f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
