"""Notifications: the bell (in-app notifications) and its page, email preferences, the reminder rules, and the
email outbox that records every message once and delivers it once (outbox, mailer, `flask outbox`)."""
