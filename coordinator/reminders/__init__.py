"""Reminders: what is due for whom at `now` (due), the emails that say so (digest), and the processes outside the
web workers that run them: `flask reminders run` (once, for cron and tests) and `flask scheduler` (APScheduler
in a process of its own, which also runs the reports' and the outbox's jobs). create_app never starts one."""
