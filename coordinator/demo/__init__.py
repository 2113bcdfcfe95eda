"""The demo: Kutim's real areas and agencies, a SITISEK-shaped plan with a year of history (seed, content), ATS
snapshots from March 2025 to today (ats), demo children of the by-name list (verval), and `flask seed-demo`."""
