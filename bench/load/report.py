"""The Markdown report: what was run on which machine, the figures per page kind, the side tasks, the CPU
split, the profile, and the verdict against the targets (which decides the exit status).

Written for a reader who was not there: every figure says what it measures and where it comes from.
"""
from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from bench.load.checks import SideTask, scheduler_niceness
from bench.load.constants import KINDS, MIX_FOCAL, MIX_SEES_EVERYTHING, NOW, P95_TARGET_MS
from bench.load.locust_run import Sample, figures


def fmt(value: float) -> str:
    return "–" if value != value else f"{value:.0f}" if value >= 100 else f"{value:.1f}"  # NaN: no sample


@dataclass
class Run:
    """Everything the report needs."""

    args: argparse.Namespace
    counts: dict
    accounts: list[dict]
    samples: list[Sample]
    server: dict[str, list[float]]
    statuses: Counter[str]
    writer: SideTask
    reminders: SideTask
    again: SideTask
    verify_problems: list[str]
    log_problems: list[str]
    notes: list[str]
    cpu: dict[str, float]
    timings: dict[str, float]
    warmup: int
    autovacuum: str
    pg_version: str
    machine: list[str]
    load_before: str
    load_after: str
    profile: dict | None = None

    @property
    def window(self) -> tuple[float, float]:
        return min(s.start for s in self.samples), max(s.start + s.ms / 1000 for s in self.samples)


def _results_table(run: Run, duration: float) -> list[str]:
    lines = ["| page | requests | req/s | errors | median ms | p95 ms | p99 ms | max ms | server median / p95 ms |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for s in run.samples:
        by_kind[s.kind].append(s)
    for kind in [k for k in KINDS if k in by_kind]:
        rows = by_kind[kind]
        f, srv = figures([s.ms for s in rows]), figures(run.server.get(kind, []))
        lines.append(f"| {kind} | {len(rows)} | {len(rows) / duration:.1f} | {sum(1 for s in rows if s.error)} | "
                     f"{fmt(f['median'])} | {fmt(f['p95'])} | {fmt(f['p99'])} | {fmt(f['max'])} | "
                     f"{fmt(srv['median'])} / {fmt(srv['p95'])} |")
    f = figures([s.ms for s in run.samples])
    srv = figures([t for k in KINDS for t in run.server.get(k, [])])
    errors = sum(1 for s in run.samples if s.error)
    lines.append(f"| **all** | **{len(run.samples)}** | **{len(run.samples) / duration:.1f}** | **{errors}** | "
                 f"**{fmt(f['median'])}** | **{fmt(f['p95'])}** | {fmt(f['p99'])} | {fmt(f['max'])} | "
                 f"{fmt(srv['median'])} / {fmt(srv['p95'])} |")
    return lines


def _side_tasks(run: Run) -> list[str]:
    w, r, r2 = run.writer.detail, run.reminders.detail, run.again.detail
    lines = [f"- Progress update by {w['email']} on action {w['action_code']} ({w['period']}), started "
             f"{run.writer.started - run.window[0]:.1f} s into the window: "
             + (f"form {w['form_ms']:.0f} ms, post with a {w['pdf_bytes']}-byte evidence PDF {w['post_ms']:.0f} ms "
                f"(302 to the action), the action page showing it {w['page_ms']:.0f} ms."
                if run.writer.ok else "FAILED: " + "; ".join(run.writer.problems))]
    if run.reminders.ok:
        at = run.reminders.started - run.window[0]
        nice, group = scheduler_niceness(), r.get("group_nice")
        where = (f"in a scheduling group at nice {group}" if group is not None
                 else "with no scheduling group of its own (no autogroups on this kernel)")
        lines.append(f"- `flask reminders run` as its own process (nice {nice} {where}, as the scheduler's "
                     "systemd unit's Nice= and CPUWeight= give it), "
                     f"started {at:.1f} s "
                     f"into the window: exit 0 after {run.reminders.ended - run.reminders.started:.1f} s (process "
                     f"start included): {r['reminders']} reminders due, {r['notifications']} notifications, "
                     f"{r['enqueued']} emails recorded in the outbox, {r['sent']} delivered to the local SMTP server, "
                     f"{r['failed']} failed, {r['retry_later']} left to retry.")
    else:
        lines.append("- `flask reminders run` FAILED: " + "; ".join(run.reminders.problems))
    lines.append(f"- The same run again after the load: {r2.get('notifications', '?')} notifications, "
                 f"{r2.get('enqueued', '?')} emails, {r2.get('sent', '?')} sent (nothing new expected)."
                 if run.again.ok else "- The second reminder run FAILED: " + "; ".join(run.again.problems))
    lines.append("- Checked in the database afterwards: " + (
        "the update is stored once, as the current report of that action, agency and month, with its evidence file "
        "(same SHA-256 on disk); the outbox and the notifications hold exactly what the run reported, no key and no "
        "email twice, every message `sent`; the SMTP server received each of them once." if not run.verify_problems
        else "FAILED"))
    lines += [f"  - {p}" for p in run.verify_problems]
    during = [s.ms for s in run.samples if run.reminders.started <= s.start <= run.reminders.ended]
    outside = [s.ms for s in run.samples if not run.reminders.started <= s.start <= run.reminders.ended]
    if during and outside:
        fd, fo = figures(during), figures(outside)
        lines.append(f"- Page times while the reminder run's process was alive ({len(during)} requests): median "
                     f"{fmt(fd['median'])} ms, p95 {fmt(fd['p95'])} ms; the rest of the window: median "
                     f"{fmt(fo['median'])} ms, p95 {fmt(fo['p95'])} ms.")
    return lines


def _cpu_lines(run: Run) -> tuple[list[str], float]:
    cpu, cap = run.cpu, run.cpu.get("capacity", 0.0)
    if not cap:
        return [], 0.0
    cores = int(cpu["cores"])
    app_s = cpu.get("gunicorn", 0.0) + cpu.get("postgres", 0.0)
    ours = app_s + sum(cpu.get(k, 0.0) for k in ("locust", "reminders", "bench"))
    others = max(0.0, cpu["machine busy"] - ours)
    answered = sum(run.statuses.values()) or 1
    per_request = 1000 * app_s / answered
    lines = [f"{cores} cores × {cap / cores:.1f} s = {cap:.1f} core-seconds from the start of the load to the end "
             f"of the side tasks; busy {cpu['machine busy']:.1f}: gunicorn {cpu.get('gunicorn', 0.0):.1f}, its "
             f"PostgreSQL backends {cpu.get('postgres', 0.0):.1f}, Locust {cpu.get('locust', 0.0):.1f}, the reminder "
             f"run {cpu.get('reminders', 0.0):.1f}, this script {cpu.get('bench', 0.0):.1f}, **other processes on "
             f"the machine {others:.1f} ({100 * others / cap:.0f} % of the capacity)**."]
    if others / cap > 0.15:
        lines.append("")
        lines.append("Other work on the machine (e.g. test suites of other engineers) took a noticeable share of the "
                     "two cores: the times above are worse than on an otherwise idle server of the same size.")
    lines += ["", f"SITISEK spent **{per_request:.0f} ms of CPU per request** (gunicorn "
              f"{1000 * cpu.get('gunicorn', 0.0) / answered:.0f} ms + PostgreSQL "
              f"{1000 * cpu.get('postgres', 0.0) / answered:.0f} ms, over the {answered} requests gunicorn answered). "
              f"{cores} idle cores therefore serve at most about {1000 * cores / per_request:.0f} requests/s."]
    if not run.args.think:
        users = run.args.users
        lines[-1] += (
            f" {users} connections that send the next request as soon as they have the last answer then wait on "
            f"average at least {users * per_request / cores:.0f} ms per request (Little's law: time = connections / "
            f"throughput). A p95 of {P95_TARGET_MS:.0f} ms for {users} such connections needs at least "
            f"{users / (P95_TARGET_MS / 1000):.0f} requests/s even if every request took exactly {P95_TARGET_MS:.0f} "
            f"ms, i.e. at most {cores * P95_TARGET_MS / users:.0f} ms of CPU per request on {cores} cores, load "
            "generator included.")
    return lines, per_request


def _profile_lines(run: Run) -> list[str]:
    prof = run.profile
    if not prof:
        return []
    lines = ["## One request at a time (where the time goes)", "",
             "After the load, with gunicorn stopped: the app in one process on the same PostgreSQL database, "
             "with the page cache off (what building each page costs; under load most monitor, list and ATS "
             "requests are served from it), "
             f"{run.args.profile_runs} requests per page kind after 3 warm-ups, signed in as the coordinator (and a "
             "focal point), SQL statements timed at the driver (round trip: PostgreSQL's work and the driver's). "
             "Python CPU is this process's. The shares by package below come from a further pass under cProfile "
             "(CPU time), which weighs many small calls more than they cost without it.", "",
             "| page | wall ms | Python CPU ms | SQL statements | SQL ms | costliest statement (ms per request) |",
             "|---|---:|---:|---:|---:|---|"]
    for kind, p in prof.items():
        top = p["statements"][0] if p["statements"] else (0, 0, "")
        lines.append(f"| {kind} | {p['wall_ms']:.1f} | {p['cpu_ms']:.1f} | {p['sql_n']:.0f} | {p['sql_ms']:.1f} | "
                     f"{top[1]:.1f}: `{top[2][:90]}…` |")
    for kind, p in prof.items():
        shares = ", ".join(f"{name} {100 * share:.0f} %" for name, share in list(p["packages"].items())[:7])
        lines.append("")
        lines.append(f"- {kind}: Python CPU by package {shares}.")
    return lines


def report(run: Run) -> tuple[str, list[str]]:
    """The Markdown text, and the targets missed (none: the run passes)."""
    args = run.args
    start, end = run.window
    duration = end - start
    errors = [s for s in run.samples if s.error]
    overall = figures([s.ms for s in run.samples])
    roles = Counter(a["role"] for a in run.accounts)
    c, t = run.counts, run.timings
    stamp = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    lines = [
        "# SITISEK load test", "",
        f"{stamp} · `python -m bench.load` · gunicorn with deploy/gunicorn.conf.py (2 sync workers) on "
        f"PostgreSQL, production mode, demo scale {args.scale}, fixed now {NOW} UTC · Locust {locust_version()}: "
        f"{args.users} connections, " + (f"{args.think:g} s think time (0.5× to 1.5×)" if args.think else
                                         "no think time") + f", {args.duration} s.", "",
        "## Machine", "", *run.machine, f"- {run.pg_version} on the same machine (autovacuum {run.autovacuum}; "
        "the run does VACUUM ANALYZE after seeding)",
        f"- Load average (1/5/15 min) before: {run.load_before}; after: {run.load_after}", "",
        "## Data and sessions", "",
        f"- {c['actions']} actions, {c['milestones']} milestones, {c['updates']} progress updates, {c['agencies']} "
        f"agencies, {c['users']} accounts, {c['kecamatan']} kecamatan and {c['desa']} desa with ATS snapshots; built "
        f"in {t['upgrade']:.1f} s (migrations) + {t['seed']:.1f} s (seed), not measured.",
        f"- {len(run.accounts)} accounts signed in through the login form (CSRF token, an address of their own): "
        + ", ".join(f"{n} {r}" for r, n in sorted(roles.items())) + f", in {t['logins']:.1f} s.",
        f"- Warm-up, untimed: {run.warmup} requests. Weights per coordinator, leader and admin: "
        + ", ".join(f"{k} {w}" for k, w in MIX_SEES_EVERYTHING.items()) + "; per focal point: "
        + ", ".join(f"{k} {w}" for k, w in MIX_FOCAL.items())
        + ". A focal point opens only actions its agency leads or supports, and its action list is its agency's.", "",
        "## Results", "",
        f"{len(run.samples)} requests in {duration:.1f} s = **{len(run.samples) / duration:.1f} requests/s**, "
        f"**{len(errors)} errors**, p95 **{fmt(overall['p95'])} ms**. Client times as Locust saw them (on the same "
        "machine: they include waiting for a free worker thread and for the CPU); server times are gunicorn's own "
        "(from reading the request to sending the answer).", "",
        *_results_table(run, duration),
    ]
    if errors:
        lines += ["", "Errors:", ""] + [f"- {n}× {e}" for e, n in Counter(s.error for s in errors).most_common(10)]
    lines += ["", f"gunicorn answered {sum(run.statuses.values())} requests in the window: "
              + ", ".join(f"{n}× {code}" for code, n in sorted(run.statuses.items())) + "."]
    lines += [f"- {p}" for p in run.log_problems + run.notes]
    lines += ["", "## During the load", "", *_side_tasks(run)]
    cpu_lines, _per_request = _cpu_lines(run)
    if cpu_lines:
        lines += ["", "## CPU during the window", "", *cpu_lines]
    profile = _profile_lines(run)
    if profile:
        lines += ["", *profile]
    failures = []
    if errors:
        failures.append(f"{len(errors)} errors")
    if not overall["p95"] <= P95_TARGET_MS:
        failures.append(f"p95 {overall['p95']:.0f} ms > {P95_TARGET_MS:.0f} ms")
    if not run.writer.ok:
        failures.append("the progress update failed")
    if not run.reminders.ok or not run.again.ok:
        failures.append("a reminder run failed")
    if run.verify_problems:
        failures.append("the database check failed")
    failures += run.log_problems
    lines += ["", "## Verdict", "",
              f"Targets: no error, p95 ≤ {P95_TARGET_MS:.0f} ms over all requests, the progress update and the "
              "reminder run succeed during the load and nothing is lost or doubled.", ""]
    lines += [f"- FAIL: {f}" for f in failures] or ["- All targets met."]
    return "\n".join(lines) + "\n", failures


def locust_version() -> str:
    try:
        from importlib.metadata import version

        return version("locust")
    except Exception:  # noqa: BLE001
        return "?"
