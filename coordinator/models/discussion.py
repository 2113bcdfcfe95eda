"""The discussion on an action and on its progress reports: plain text, @mentions, never deleted."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.extensions import db


class Comment(db.Model):
    """One message in an action's thread, about the action or one of its reports (`update_id`). A comment is
    never deleted or edited: its author posts a correction (`corrects_id`), shown in its place, and both stay."""

    __tablename__ = "comment"
    __table_args__ = (Index("ix_comment_action_created", "action_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id"))
    update_id: Mapped[int | None] = mapped_column(ForeignKey("progress_update.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"), index=True)

    author: Mapped["User"] = relationship()  # noqa: F821
    corrects: Mapped["Comment | None"] = relationship(remote_side=[id])  # noqa: UP037


from coordinator.models.user import User  # noqa: E402,F401  (resolves the "User" annotation)
