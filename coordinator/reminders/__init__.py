"""Reminders outside the web workers: `flask reminders run` (once, for cron and tests) and
`flask scheduler` (APScheduler in a process of its own). create_app never starts a scheduler."""
