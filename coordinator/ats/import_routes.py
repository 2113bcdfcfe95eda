"""Importing Pusdatin ATS tables: upload, preview, map unknown areas, save."""
from . import bp  # noqa: F401
