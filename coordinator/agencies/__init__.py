"""Agencies (OPD and partners): their list, their page with figures, and editing them."""
