"""flask --app coordinator ats import|summary|snapshots (a contract other tools call)."""
from flask import Flask


def register(app: Flask) -> None:
    """Adds the `ats` command group."""
