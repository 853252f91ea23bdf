"""py-spy's CPU held to a share of a core, for both of conctui's py-spy samplers: the lab's GIL
sampler (engine/gil_sampler.py) and the watch's (engine/watch/pyspy.py). Runs in conctui's process,
in whichever thread starts py-spy.

Most of a py-spy run's cost is attaching to each process it samples, whatever the window's
length (17 processes: ~0.45 CPU-s for a 1 s window here), so a big tree's windows are spaced
out rather than shortened. The first window always starts at once."""
from __future__ import annotations

import os
import subprocess

SAVED_S = 10.0  # seconds of budget a cheap tree may save for when it grows
SAMPLES_PER_S = 400  # over every Python process: 16 processes at 100 Hz cost py-spy ~30% of a core
MIN_RATE_HZ = 20  # a window's samples a second per process, however big the tree


class Budget:
    """py-spy's CPU held to `share` of a core on average: a finished run's CPU seconds are spent from
    a balance that refills at `share` a second (at most `saved_s` seconds' worth), and a run starts
    only while the balance is not negative."""

    def __init__(self, now: float, share: float, saved_s: float = SAVED_S) -> None:
        self.share, self.cap = share, share * saved_s
        self.balance, self.at = 0.0, now

    def _refill(self, now: float) -> None:
        self.balance, self.at = min(self.cap, self.balance + self.share * max(0.0, now - self.at)), now

    def spend(self, cpu_s: float, now: float) -> None:
        self._refill(now)
        self.balance -= cpu_s

    def ready(self, now: float) -> bool:
        self._refill(now)
        return self.balance >= 0


def finished_cpu(process: subprocess.Popen) -> float | None:
    """The CPU seconds a py-spy run used once it has finished (reaping it), None while it runs."""
    try:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
    except ChildProcessError:  # reaped already: its cost is not known
        return None if process.poll() is None else 0.0
    if pid == 0:
        return None
    process.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime
