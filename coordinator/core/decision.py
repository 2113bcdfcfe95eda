"""Deciding on something submitted (a follow-up's closing, an indicator value) exactly once.

One conditional UPDATE claims the decision: of two reviewers (two tabs, two coordinators) at the same moment, the
second finds the row no longer waiting and is told so; it never overwrites the first. The same values are then set
through the ORM, so the change history records before and after.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from coordinator.core.errors import N_, DomainError

COMMENT_MAX = 2000


def decide_once(session: Session, row: Any, state: str, waiting: str, values: dict[str, Any],
                already: str, *still: Any) -> None:
    """Set `values` on `row` if its `state` column still holds `waiting` (and the conditions `still` hold); else
    DomainError(`already`)."""
    model = type(row)
    done = session.execute(update(model).where(model.id == row.id, getattr(model, state) == waiting, *still)
                           .values(**values).execution_options(synchronize_session=False))
    if done.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(row)
        raise DomainError(already)
    for key, value in values.items():
        setattr(row, key, value)
    session.flush()


def review_comment(text: str | None, required: bool) -> str | None:
    """A reviewer's note: required to return something, at most 2.000 characters."""
    text = (text or "").strip()
    if required and not text:
        raise DomainError(N_("Tuliskan apa yang perlu diperbaiki."), "comment")
    if len(text) > COMMENT_MAX:
        raise DomainError(N_("Catatan paling banyak 2.000 karakter."), "comment")
    return text or None
