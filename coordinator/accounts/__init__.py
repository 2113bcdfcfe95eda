"""Accounts: signing in and out, forgotten passwords, the own account page, users and their roles, rate limits,
the login history and personal API tokens."""
