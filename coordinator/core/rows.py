"""Writing a row once, however many processes try at the same moment."""
from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, scoped_session


def insert_or_ignore(session: Session | scoped_session[Session], table: Any, values: dict[str, Any],
                     conflict: str = "id") -> bool:
    """INSERT ... ON CONFLICT DO NOTHING (PostgreSQL, SQLite) on the unique column `conflict`; True when the row
    went in. RETURNING tells (rowcount is -1 for these INSERTs on some drivers). Other databases: a savepoint
    around a plain INSERT."""
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = insert(table).values(**values).on_conflict_do_nothing(index_elements=[conflict])
        return session.execute(stmt.returning(table.c.id)).first() is not None
    try:
        with session.begin_nested():
            session.execute(table.insert().values(**values))
    except IntegrityError:
        return False
    return True
