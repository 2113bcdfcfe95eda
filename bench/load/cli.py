"""The command line and the order of a run: build, sign in, load with the side tasks, check, profile, report.

Kept apart from the modules that do each step so that the sequence (and what must be cleaned up when
it is cut short) reads in one place. The hidden --prepare and --profile options are the same command
run again as a subprocess inside the app's production environment.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import bench.load
from bench.load.checks import db_counts, reminder_run, start_side_tasks, verify
from bench.load.constants import PG_ADMIN_URL, RESULTS
from bench.load.cpu import CpuMeter
from bench.load.locust_run import read_samples, server_times, start_locust, wait_locust, write_plan
from bench.load.profiling import profile_pages, run_profile
from bench.load.report import Run, report
from bench.load.server import (
    Rig,
    build,
    create_database,
    free_port,
    gunicorn_log_findings,
    on_signals,
    pg_server_version,
    production_env,
    settle,
    start_gunicorn,
    stop_process,
    wait_healthy,
)
from bench.load.sessions import build_sessions, prepare, prepare_accounts, sign_in, warm_up


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=bench.load.__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--duration", type=int, default=30, help="seconds of load (default 30)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="seconds a user pauses after each page (0.5× to 1.5×; default 0: no pause, as wrk)")
    parser.add_argument("--pg", default=os.environ.get("LOAD_PG_ADMIN_URL", PG_ADMIN_URL),
                        help="maintenance database URL of the PostgreSQL server (a database of its own is made)")
    parser.add_argument("--out", type=Path, default=None,
                        help="report file (default bench/results/load-latest.md; with --think: load-think-latest.md)")
    parser.add_argument("--keep", action="store_true", help="keep the database and the folder (for profiling)")
    parser.add_argument("--prepare", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--profile", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--profile-runs", type=int, default=15,
                        help="requests per page kind in the one-at-a-time profile after the load (default 15)")
    parser.add_argument("--no-profile", action="store_true", help="skip that profile")
    return parser


def main(argv: list[str] | None = None) -> int:
    options = build_parser()
    args = options.parse_args(argv)
    sees_everything = max(1, round(args.users * 12 / 32))  # 12 of 32: coordinators, leaders, admins
    if args.prepare:
        prepare(Path(args.prepare), sees_everything, args.users - sees_everything, 2026)
        return 0
    if args.profile:
        profile_pages(Path(args.profile), args.profile_runs)
        return 0
    if args.out is None:
        args.out = RESULTS.with_name("load-think-latest.md") if args.think else RESULTS
    if not 4 <= args.users <= 32:
        options.error("--users takes 4 to 32")

    from bench.pages import load_average

    on_signals()
    load_before = load_average()
    rig = Rig(args.pg, keep=args.keep)
    try:
        return run(args, rig, load_before)
    finally:
        rig.close()


def run(args: argparse.Namespace, rig: Rig, load_before: str) -> int:
    """One run from the empty database to the written report; 1 if a target is missed. rig.close() cleans up."""
    from bench.pages import load_average, machine, publish

    tmp, url = rig.tmp, rig.url
    create_database(args.pg)
    port = free_port()
    rig.sink.start()
    env = production_env(tmp, url, port, rig.sink.port)
    timings = build(env, args.scale)
    prepared = prepare_accounts(env, tmp, args.users)
    accounts, writer = prepared["accounts"], prepared["writer"]
    assert len(accounts) == args.users, f"{len(accounts)} accounts for {args.users} connections"
    # A server that has run for a while has planner statistics (autovacuum); a database seeded a minute ago
    # has none, and this server may run with autovacuum off: analyse it as autovacuum would have.
    autovacuum = settle(url)

    log = tmp / "gunicorn.log"
    rig.web = start_gunicorn(env, log)
    wait_healthy(port, rig.web, log)
    print(f"gunicorn ready on 127.0.0.1:{port}; signing in {len(accounts)} accounts …", file=sys.stderr)

    started = time.perf_counter()
    browsers = [sign_in(port, a["email"], i) for i, a in enumerate(accounts)]
    writer_browser = sign_in(port, writer["email"], len(accounts))
    timings["logins"] = time.perf_counter() - started
    sessions = build_sessions(accounts, browsers, prepared["urls"])
    warmup = warm_up(sessions, browsers)

    locust_env = write_plan(tmp, sessions, args.think, env)
    before = db_counts(url)
    log_start = log.stat().st_size
    rig.meter = CpuMeter({"gunicorn": [rig.web.pid], "locust": []})
    rig.meter.start()
    print(f"load: {args.users} connections for {args.duration} s …", file=sys.stderr)
    rig.locust = start_locust(locust_env, tmp, args.users, args.duration, port)
    rig.meter.groups["locust"].append(rig.locust.pid)
    side = start_side_tasks(writer_browser, writer, env)
    wait_locust(rig.locust, args.duration)
    side.join()
    cpu = rig.meter.finish()
    rig.meter = None
    log_end = log.stat().st_size
    received_after_first = len(rig.sink.received)
    reminder_run(env, side.again)

    samples = read_samples(tmp)
    server, statuses = server_times(log, log_start, log_end)
    log_problems, notes = gunicorn_log_findings(log.read_text(errors="replace"))
    verify_problems = verify(url, tmp / "uploads", writer, side.marker, side.pdf, before, side.reminders, side.again,
                             rig.sink, received_after_first)
    pg_version = pg_server_version(url)
    stop_process(rig.web, 60)
    load_after = load_average()
    profile = None if args.no_profile else run_profile(env, tmp, args.profile_runs)
    result = Run(args=args, counts=prepared["counts"], accounts=accounts, samples=samples, server=server,
                 statuses=statuses, writer=side.writer, reminders=side.reminders, again=side.again,
                 verify_problems=verify_problems, log_problems=log_problems, notes=notes, cpu=cpu, timings=timings,
                 warmup=warmup, autovacuum=autovacuum, pg_version=pg_version, machine=machine(),
                 load_before=load_before, load_after=load_after, profile=profile)
    text, failures = report(result)
    publish(text, args.out)
    return 1 if failures else 0
