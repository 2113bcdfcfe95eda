"""Command line: flask --app coordinator <command>. Each capability registers its own commands (its cli.py)."""
from __future__ import annotations

import importlib

from flask import Flask

CLI_MODULES = (
    "demo.cli",
    "setup.cli",
    "accounts.cli",
    "ats.cli",
    "notifications.cli",
    "reminders.cli",
    "reports.cli",
    "rad_matrix.cli",
    "verval.cli",
    "backup.cli",
)


def register(app: Flask) -> None:
    for name in CLI_MODULES:
        importlib.import_module(f"coordinator.{name}").register(app)
