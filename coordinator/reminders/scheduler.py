"""The scheduler process: APScheduler's BlockingScheduler in WITA, started by `flask scheduler`.

Jobs (each: app context -> service -> commit, rollback on error, never raising into the scheduler):
- `reminders`: daily at ReminderSettings.daily_run_time (default 07:00 WITA): record what is due, deliver;
  then the indicators counting children back in school take the day's figure (figures/indicator_feed.py);
- `outbox`: every 10 minutes, deliver pending messages (retries after backoff), and move the daily job
  when a coordinator changed its time;
- `housekeeping`: hourly, remove uploads previewed but never confirmed (web/pending_uploads.py);
- `monthly report`: in the same 10-minute job, from the send day and time on (default the 5th, 08:00 WITA),
  close last month if still open, archive its report and email it to the leaders, once (see
  reports/delivery.scheduled_delivery: a scheduler that was down catches up when it starts).
Both are idempotent in the database (unique keys, claimed sends), so a second scheduler started by
mistake, or a cron `reminders run` at the same moment, sends nothing twice.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any, cast

from flask import Flask, current_app
from sqlalchemy.orm import Session

from coordinator.accounts.login_history import prune_login_history
from coordinator.core.clock import WITA, to_wita, utcnow
from coordinator.extensions import db
from coordinator.figures.indicator_feed import refresh_returned_indicators
from coordinator.notifications.mailer import SmtpMailer
from coordinator.notifications.outbox import DeliveryResult, deliver_pending
from coordinator.notifications.whatsapp import channel_from_config
from coordinator.reminders.due import RunResult, load_settings, run_reminders
from coordinator.reminders.kinds import DEFAULT_BASE_URL
from coordinator.reports.jobs import monthly_delivery_run
from coordinator.web.pending_uploads import discard_stale_uploads

log = logging.getLogger(__name__)
DELIVER_EVERY = timedelta(minutes=10)


def daily_run(now: datetime, dry_run: bool = False) -> RunResult:
    """One reminder run inside the current app context; commits (delivery commits per message)."""
    base_url = str(current_app.config.get("BASE_URL") or DEFAULT_BASE_URL)
    mailer = None if dry_run else SmtpMailer(current_app.config)
    try:
        result = run_reminders(cast(Session, db.session), now, mailer, dry_run=dry_run, base_url=base_url,
                               whatsapp=channel_from_config(current_app.config),
                               templates=current_app.config.get("WHATSAPP_TEMPLATES"))
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
            pruned = prune_login_history(db.session, now, int(current_app.config.get("LOGIN_HISTORY_DAYS") or 0))
            db.session.commit()
            if pruned:
                log.info("login history: %d attempts older than %s days deleted", pruned,
                         current_app.config.get("LOGIN_HISTORY_DAYS"))
            # A new quarter, an action deleted: what the outcome and case saves did not already refresh.
            refresh_returned_indicators(db.session, now)
            db.session.commit()
        return result
    except BaseException:
        db.session.rollback()
        raise


def deliver_run(now: datetime) -> DeliveryResult:
    try:
        return deliver_pending(db.session, SmtpMailer(current_app.config), now,
                               whatsapp=channel_from_config(current_app.config))
    except BaseException:
        db.session.rollback()
        raise


def housekeeping_run(now: datetime) -> str:
    """Hourly: uploads previewed but never confirmed go after an hour (a by-name list holds children's NIKs)."""
    gone = discard_stale_uploads(current_app.config["UPLOAD_DIR"])
    return f"{gone} waiting upload(s) nobody confirmed removed"


def parse_run_time(value: str | None) -> tuple[int, int]:
    """"07:00" -> (7, 0); anything unreadable -> the default 07:00."""
    hour, _, minute = (value or "").strip().partition(":")
    if hour.isdigit() and minute.isdigit() and 0 <= int(hour) < 24 and 0 <= int(minute) < 60:
        return int(hour), int(minute)
    return 7, 0


def _run_time(app: Flask) -> tuple[int, int]:
    with app.app_context():
        settings = load_settings(cast(Session, db.session), create=False)
        value = settings.daily_run_time
        db.session.rollback()
        db.session.remove()
    return parse_run_time(value)


def summary(result: RunResult) -> str:
    d = result.delivery
    return (f"day={result.today.isoformat()} reminders={len(result.reminders)} notifications={result.notifications} "
            f"enqueued={result.enqueued} sent={d.sent if d else 0} failed={d.failed if d else 0} "
            f"retry_later={d.retry_later if d else 0}")


def _job(app: Flask, name: str, fn: Any) -> bool:
    with app.app_context():
        try:
            outcome = fn(utcnow())
            log.info("%s: %s", name, summary(outcome) if isinstance(outcome, RunResult) else outcome)
            return True
        except Exception:  # a failed run must not stop the scheduler; the next one catches up
            log.exception("%s failed", name)
            return False
        finally:
            db.session.remove()


def daily_run_still_due(now_wita: datetime, run_time: tuple[int, int], done_day: date | None) -> bool:
    """After the set time, today's run is due until one has succeeded (a failed 07:00 run is retried
    by the 10-minute job the same day, not tomorrow: the day-exact reminders would be lost)."""
    return (now_wita.hour, now_wita.minute) >= run_time and done_day != now_wita.date()


def run_scheduler(app: Flask, catch_up: bool = True) -> None:
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    scheduler = BlockingScheduler(timezone=WITA)
    hour, minute = _run_time(app)
    current = {"time": (hour, minute)}
    done: dict[str, date | None] = {"day": None}

    def reminders_job() -> None:
        if _job(app, "reminders", daily_run):
            done["day"] = to_wita(utcnow()).date()

    def outbox_job() -> None:
        _job(app, "monthly report", lambda _now: monthly_delivery_run(_now))
        _job(app, "outbox", deliver_run)
        retry = catch_up or done["day"] is not None  # --no-catch-up: only after a first run of this process
        if retry and daily_run_still_due(to_wita(utcnow()), current["time"], done["day"]):
            reminders_job()  # today's run failed or was missed since the last success: try again
        wanted = _run_time(app)
        if wanted != current["time"]:
            current["time"] = wanted
            scheduler.reschedule_job("reminders", trigger=CronTrigger(hour=wanted[0], minute=wanted[1], timezone=WITA))
            log.info("daily reminder run moved to %02d:%02d WITA", *wanted)

    now_wita = to_wita(utcnow())
    past_today = (now_wita.hour, now_wita.minute) >= (hour, minute)
    scheduler.add_job(reminders_job, CronTrigger(hour=hour, minute=minute, timezone=WITA), id="reminders",
                      max_instances=1, coalesce=True, misfire_grace_time=3600)
    scheduler.add_job(outbox_job, "interval", seconds=int(DELIVER_EVERY.total_seconds()), id="outbox",
                      max_instances=1, coalesce=True)
    scheduler.add_job(lambda: _job(app, "housekeeping", housekeeping_run), "interval", hours=1, id="housekeeping",
                      max_instances=1, coalesce=True)
    if catch_up and past_today:
        # Today's run is idempotent: if the process was down at the set time, run it now.
        scheduler.add_job(reminders_job, id="catch-up")
    log.info("scheduler started: reminders daily at %02d:%02d WITA, outbox every %s", hour, minute, DELIVER_EVERY)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("scheduler stopped")
