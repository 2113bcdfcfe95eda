"""ATS pages: overview, kecamatan and desa pages, intervention coverage."""
from . import bp  # noqa: F401
