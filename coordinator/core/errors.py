"""Errors a service raises for the user to read; messages are msgids for gettext."""
from __future__ import annotations


def N_(message: str) -> str:
    """Marks a message for extraction; views translate it with gettext."""
    return message


class DomainError(ValueError):
    def __init__(self, message: str, field: str | None = None, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.params = params
