"""Indicators of the plan: definitions, targets per period, measured values and their pages."""
