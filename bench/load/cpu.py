"""Who used the machine's cores during the window: SITISEK, Locust, the reminder run, and everything else.

The CPU is shared with whatever else runs on the machine (other engineers' test suites, say); without
this split a slow run could not be told apart from a slow SITISEK.
"""
from __future__ import annotations

import contextlib
import os
import threading
from collections import Counter
from pathlib import Path

from bench.load.constants import DB_NAME

# CPU accounting: who used the two cores during the window -----------------------------------------

def _children(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        p = todo.pop()
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{p}/task"):
                for child in Path(f"/proc/{p}/task/{task}/children").read_text().split():
                    if int(child) not in found:
                        found.add(int(child))
                        todo.append(int(child))
    return found


def _cpu_ticks(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return None


def _busy_ticks() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values[:8]) - idle, sum(values[:8])


class CpuMeter(threading.Thread):
    """Samples /proc twice a second: CPU ticks of SITISEK's processes (gunicorn and the PostgreSQL
    backends of the load database), of Locust and the reminder run, and of the whole machine."""

    def __init__(self, groups: dict[str, list[int]]) -> None:
        super().__init__(daemon=True)
        self.groups = groups  # name -> root pids (their children are counted too)
        self.last: dict[int, int] = {}
        self.started = False
        self.used: Counter[str] = Counter()
        self.stop_event = threading.Event()
        self.busy0, self.total0 = _busy_ticks()
        self.busy1 = self.total1 = 0

    def sample(self) -> None:
        pids: dict[int, str] = {}
        for name, roots in self.groups.items():
            for root in roots:
                for p in {root, *_children(root)}:
                    pids[p] = name
        me = os.getpid()
        pids[me] = "bench"
        for p in _children(me):  # anything else this script started: the reminder run's process
            pids.setdefault(p, "reminders")
        for entry in os.listdir("/proc"):
            if entry.isdigit() and int(entry) not in pids:
                with contextlib.suppress(OSError):
                    if DB_NAME.encode() in Path(f"/proc/{entry}/cmdline").read_bytes():
                        pids[int(entry)] = "postgres"
        for pid, name in pids.items():
            ticks = _cpu_ticks(pid)
            if ticks is None:
                continue
            # A process first seen now started inside the window (it is ours, or a new backend): all its ticks.
            self.used[name] += ticks - self.last.get(pid, 0 if self.started else ticks)
            self.last[pid] = ticks
        self.started = True

    def run(self) -> None:
        self.sample()
        self.busy0, self.total0 = _busy_ticks()
        while not self.stop_event.wait(0.5):
            self.sample()
        self.sample()
        self.busy1, self.total1 = _busy_ticks()

    def finish(self) -> dict[str, float]:
        self.stop_event.set()
        self.join(timeout=10)
        hz = os.sysconf("SC_CLK_TCK")
        cores = os.cpu_count() or 1
        wall_core_s = (self.total1 - self.total0) / hz  # all cores' ticks: busy + idle
        out = {name: ticks / hz for name, ticks in self.used.items()}
        out["machine busy"] = (self.busy1 - self.busy0) / hz
        out["capacity"] = wall_core_s
        out["cores"] = cores
        return out
