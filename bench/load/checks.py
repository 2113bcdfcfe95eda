"""What runs alongside the load, and the proof that nothing was lost or doubled under it.

Fast pages are not enough: a focal point must be able to post a progress update with its evidence PDF,
and `flask reminders run` must send every due email exactly once, while 32 sessions keep the server
busy. Afterwards the database, the upload folder and the SMTP sink are checked against what each
reported, and a second reminder run must add nothing.
"""
from __future__ import annotations

import contextlib
import hashlib
import math
import os
import re
import secrets
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.load.constants import BIN, REMINDERS_AT_S, REPO, WRITER_AT_S
from bench.load.server import SmtpSink
from bench.load.sessions import Browser, csrf_token


@dataclass
class SideTask:
    """One task beside the load: whether it worked, when it ran, what it reported, what went wrong."""

    name: str
    ok: bool = False
    started: float = 0.0
    ended: float = 0.0
    detail: dict[str, object] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def minimal_pdf(marker: str) -> bytes:
    """A valid one-page PDF that carries the marker: real evidence for the upload, without a PDF library."""
    text = f"BT /F1 12 Tf 72 720 Td (Bukti kegiatan {marker}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@dataclass
class SideTasks:
    """The progress update and the reminder run started during the load, and the reminder run after it."""

    marker: str
    pdf: bytes
    writer: SideTask
    reminders: SideTask
    again: SideTask
    threads: list[threading.Thread] = field(default_factory=list)

    def join(self) -> None:
        writer_thread, reminders_thread = self.threads
        writer_thread.join(timeout=300)
        reminders_thread.join(timeout=600)


def start_side_tasks(writer_browser: Browser, writer: dict, env: dict[str, str]) -> SideTasks:
    """Called as Locust starts: the update WRITER_AT_S into the window, the reminder run at REMINDERS_AT_S."""
    marker = f"Uji beban {secrets.token_hex(4)}"
    pdf = minimal_pdf(marker)
    tasks = SideTasks(marker, pdf, SideTask("progress update", detail={
        "email": writer["email"], "action_code": writer["action_code"], "period": writer["period"],
        "pdf_bytes": len(pdf)}), SideTask("reminders"), SideTask("reminders again"))
    time.sleep(WRITER_AT_S)
    writer_thread = threading.Thread(target=post_progress_update,
                                     args=(writer_browser, writer, marker, pdf, tasks.writer), daemon=True)
    writer_thread.start()
    time.sleep(REMINDERS_AT_S - WRITER_AT_S)

    reminders_thread = threading.Thread(target=reminder_run, args=(env, tasks.reminders), daemon=True)
    reminders_thread.start()
    tasks.threads = [writer_thread, reminders_thread]
    return tasks


def post_progress_update(browser: Browser, writer: dict, marker: str, pdf: bytes, task: SideTask) -> None:
    task.started = time.time()
    try:
        path = f"/actions/{writer['action_id']}/progress/new"
        status, _h, form, get_ms = browser.get(path)
        if status != 200:
            task.problems.append(f"GET {path}: HTTP {status}")
            return
        fields = {"csrf_token": csrf_token(form), "period": writer["period"], "percent_complete": "40",
                  "achievements": f"{marker}: sosialisasi di 3 desa, 41 anak terdata, 9 kembali ke sekolah.",
                  "obstacles": "Jarak ke dusun terpencil; perahu hanya sekali seminggu.",
                  "follow_up": "Pendampingan PKBM untuk Paket A bulan depan.", "budget_realised": "12.500.000"}
        status, headers, page, post_ms = browser.post_multipart(
            path, fields, [("files", "bukti-kegiatan.pdf", "application/pdf", pdf)])
        expected = f"/actions/{writer['action_id']}"
        if status != 302 or not headers.get("location", "").endswith(expected):
            error = re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]+)', page)
            task.problems.append(f"POST {path}: HTTP {status} {headers.get('location', '')} {error[:3]}")
            return
        status, _h, page, show_ms = browser.get(expected)
        if status != 200 or marker not in page:
            task.problems.append(f"the action page does not show the update (HTTP {status})")
            return
        task.detail.update(form_ms=get_ms, post_ms=post_ms, page_ms=show_ms)
        task.ok = True
    except Exception as err:  # noqa: BLE001 - reported, and fails the run
        task.problems.append(f"{type(err).__name__}: {err}")
    finally:
        task.ended = time.time()


SUMMARY = re.compile(r"day=(\S+) reminders=(\d+) notifications=(\d+) enqueued=(\d+) sent=(\d+) failed=(\d+) "
                     r"retry_later=(\d+)")


def _scheduler_unit() -> str:
    return (REPO / "deploy" / "coordinator-scheduler.service").read_text(encoding="utf-8")


def scheduler_niceness() -> int:
    """The Nice= of deploy/coordinator-scheduler.service: the reminder run gets the priority it has in production."""
    found = re.search(r"^Nice=(-?\d+)\s*$", _scheduler_unit(), re.MULTILINE)
    return int(found.group(1)) if found else 0


def scheduler_group_niceness() -> int:
    """The unit's CPUWeight= as the nice value of the run's scheduling group.

    Nice= only orders the processes of one group. Under systemd the scheduler is a cgroup of its own, weighed
    against the web service's (CPUWeight 100 by default) by its CPUWeight; here the run starts a session of its
    own, which Linux schedules as an autogroup weighed by that group's nice value. Without a weight the run's
    group is worth as much as all of gunicorn's, whatever its Nice=. One step of nice is a factor of 1,25 in
    weight, so CPUWeight=10 is nice 10."""
    found = re.search(r"^CPUWeight=(\d+)\s*$", _scheduler_unit(), re.MULTILINE)
    if not found:
        return 0
    return max(-20, min(19, round(math.log(100 / max(1, int(found.group(1))), 1.25))))


def _as_the_scheduler_unit(pid: int, niceness: int, group_niceness: int) -> int | None:
    """The unit's priority for a started process and its session's group, set from here (no Python runs in the
    child between fork and exec). Returns the group's nice value as the kernel has it, None without autogroups."""
    if niceness:
        with contextlib.suppress(ProcessLookupError):
            os.setpriority(os.PRIO_PROCESS, pid, niceness)
    group = Path(f"/proc/{pid}/autogroup")
    try:
        if group_niceness:
            group.write_text(str(group_niceness), encoding="ascii")
        found = re.search(r"nice (-?\d+)", group.read_text(encoding="ascii"))
        return int(found.group(1)) if found else None
    except OSError:
        return None  # a kernel without autogroups schedules processes, not sessions: the process nice is enough


def reminder_run(env: dict[str, str], task: SideTask) -> None:
    task.started = time.time()
    try:
        run = subprocess.Popen([str(BIN / "flask"), "reminders", "run"], cwd=REPO, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        task.detail["group_nice"] = _as_the_scheduler_unit(run.pid, scheduler_niceness(), scheduler_group_niceness())
        try:
            out, err = run.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            run.kill()
            out, err = run.communicate()
        done = subprocess.CompletedProcess(run.args, run.returncode, out, err)
        task.ended = time.time()
        found = SUMMARY.search(done.stdout)
        if done.returncode != 0 or not found:
            task.problems.append(f"exit {done.returncode}: {(done.stdout + done.stderr)[-1500:]}")
            return
        task.detail.update(zip(("day", "reminders", "notifications", "enqueued", "sent", "failed", "retry_later"),
                               [found.group(1), *map(int, found.groups()[1:])], strict=True))
        task.ok = True
    except Exception as err:  # noqa: BLE001 - reported, and fails the run
        task.ended = time.time()
        task.problems.append(f"{type(err).__name__}: {err}")


def db_counts(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as conn:
        one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        return {"outbox": one("SELECT count(*) FROM outbox_message"),
                "notifications": one("SELECT count(*) FROM notification"),
                "updates": one("SELECT count(*) FROM progress_update")}


def verify(url: str, upload_dir: Path, writer: dict, marker: str, pdf: bytes, before: dict[str, int],
           first: SideTask, second: SideTask, sink: SmtpSink, received_after_first: int) -> list[str]:
    """From the database: the update once with its file; the reminder run's rows once each, all delivered."""
    import psycopg

    problems: list[str] = []
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT id, action_id, agency_id, period, superseded_at FROM progress_update "
                            "WHERE achievements LIKE %s", (f"{marker}%",)).fetchall()
        if len(rows) != 1:
            problems.append(f"progress update stored {len(rows)} times, expected once")
        else:
            update_id, action_id, agency_id, period, superseded = rows[0]
            if (action_id, agency_id, period.isoformat(), superseded) != (
                    writer["action_id"], writer["agency_id"], writer["period_date"], None):
                problems.append(f"progress update stored with the wrong action/agency/period: {rows[0]}")
            current = conn.execute("SELECT count(*) FROM progress_update WHERE action_id = %s AND agency_id = %s "
                                   "AND period = %s AND superseded_at IS NULL",
                                   (action_id, agency_id, period)).fetchone()[0]
            if current != 1:
                problems.append(f"{current} current updates for that action, agency and month")
            files = conn.execute("SELECT stored_name, sha256, size FROM evidence WHERE update_id = %s",
                                 (update_id,)).fetchall()
            digest = hashlib.sha256(pdf).hexdigest()
            if len(files) != 1 or files[0][1] != digest or files[0][2] != len(pdf):
                problems.append(f"evidence rows for the update: {files}")
            elif hashlib.sha256((upload_dir / "evidence" / files[0][0]).read_bytes()).hexdigest() != digest:
                problems.append("the stored evidence file differs from the upload")
        dup_keys = conn.execute("SELECT count(*) FROM (SELECT key FROM outbox_message GROUP BY key "
                                "HAVING count(*) > 1) d").fetchone()[0]
        dup_mails = conn.execute("SELECT count(*) FROM (SELECT recipient, subject, md5(body_text) FROM outbox_message "
                                 "GROUP BY 1, 2, 3 HAVING count(*) > 1) d").fetchone()[0]
        dup_notes = conn.execute("SELECT count(*) FROM (SELECT key FROM notification GROUP BY key "
                                 "HAVING count(*) > 1) d").fetchone()[0]
        by_status = dict(conn.execute("SELECT status, count(*) FROM outbox_message GROUP BY status").fetchall())
        sent_rows = Counter(conn.execute("SELECT recipient, subject FROM outbox_message WHERE status = 'sent'")
                            .fetchall())
    after = db_counts(url)
    if dup_keys or dup_mails or dup_notes:
        problems.append(f"duplicates: {dup_keys} outbox keys, {dup_mails} identical emails, "
                        f"{dup_notes} notification keys")
    if first.ok:
        new_outbox = after["outbox"] - before["outbox"]
        new_notes = after["notifications"] - before["notifications"]
        if new_outbox != first.detail["enqueued"] or new_notes != first.detail["notifications"]:
            problems.append(f"the run reported {first.detail['enqueued']} emails and {first.detail['notifications']} "
                            f"notifications; the database has {new_outbox} and {new_notes} new rows")
        if first.detail["enqueued"] == 0:
            problems.append("the reminder run recorded nothing (expected reminders at this date)")
        if by_status.get("sent", 0) != new_outbox:
            problems.append(f"outbox by status after the runs: {by_status}")
    if received_after_first != (first.detail.get("sent") if first.ok else None):
        problems.append(f"SMTP received {received_after_first} messages in the first run, the run reported "
                        f"{first.detail.get('sent')}")
    with sink.lock:
        received = Counter(sink.received)
    if received != sent_rows:
        problems.append(f"SMTP received {sum(received.values())} messages ({sum(n > 1 for n in received.values())} "
                        f"twice), the outbox has {sum(sent_rows.values())} sent")
    if second.ok and (second.detail["enqueued"] or second.detail["notifications"] or second.detail["sent"]):
        problems.append(f"the second reminder run added something: {second.detail}")
    return problems
