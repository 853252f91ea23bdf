"""The GIL meter, measured from inside the process that hosts the workers' threads.

GIL wait: a probe thread sleeps PERIOD_S and measures how late it wakes. Past the idle
baseline (timer slack, measured before the run) and the time it sat in the OS's run queue
waiting for a free core (Linux schedstat: on a busy machine that is not the GIL's doing),
the lateness is time spent waiting to get the GIL back, so wait = lateness / probe time is
the share of its time a thread that wakes up now and then (a UI, an I/O loop) loses to the GIL. Stdlib only: one
definition under every interpreter (gilknocker, a Rust meter, would need installing into
the user's Python, which the runner never does).

GIL held: the process's CPU seconds (the OS's sum over its threads) per wall second,
capped at 1. An upper bound: C code that released the GIL (hashlib) counts too.

Where the workers do not share this process's GIL (processes, sub-interpreters) or there
is none (a free-threaded build with the GIL off) the figures are None with a note saying
why, never a 0 that would read as "no contention".
"""
from __future__ import annotations

import os
import sys
import threading
import time
from typing import Any

from .channel import Outbox

PERIOD_S = 0.005
WINDOW_S = 0.25
CALIBRATION_SLEEPS = 16
CALIBRATION_PERIOD_S = 0.001
OWN_GIL = {
    "processes": "own GIL in each worker process",
    "interpreters": "own GIL in each sub-interpreter",
    "dask": "own GIL in each Dask worker process",
}


class RunQueue:
    """Seconds the calling thread has waited for a core so far (Linux schedstat; 0 elsewhere).

    Open it in the thread it measures: /proc/thread-self is whoever opened it."""

    def __init__(self) -> None:
        try:
            self.fd: int | None = os.open("/proc/thread-self/schedstat", os.O_RDONLY)
        except OSError:
            self.fd = None

    def waited(self) -> float:
        if self.fd is None:
            return 0.0
        return int(os.pread(self.fd, 64, 0).split()[1]) / 1e9

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)


def idle_lateness() -> float:
    """Median lateness of a short sleep while nothing else runs: the baseline to subtract."""
    queue = RunQueue()
    lates = []
    for _ in range(CALIBRATION_SLEEPS):
        queued, start = queue.waited(), time.perf_counter()
        time.sleep(CALIBRATION_PERIOD_S)
        lates.append(time.perf_counter() - start - CALIBRATION_PERIOD_S - (queue.waited() - queued))
    queue.close()
    lates.sort()
    return lates[len(lates) // 2]


def not_applicable(mode: str) -> str | None:
    """Why this process's GIL says nothing about the workers, or None when it does."""
    if mode in OWN_GIL:
        return OWN_GIL[mode]
    is_enabled = getattr(sys, "_is_gil_enabled", None)
    if is_enabled is not None and not is_enabled():
        return "no GIL: free-threaded build with the GIL off"
    return None


class Tally:
    """Probe time, time waited, wake-ups and process CPU since a start point."""

    def __init__(self) -> None:
        self.wall0 = time.perf_counter()
        self.cpu0 = time.process_time()
        self.waited = 0.0
        self.wakes = 0

    def figures(self) -> dict[str, Any]:
        wall = time.perf_counter() - self.wall0
        if wall <= 0:
            return {"wait": None, "held": None, "latency_ms": None}
        held = (time.process_time() - self.cpu0) / wall
        return {"wait": round(min(1.0, self.waited / wall), 4),
                "held": round(min(1.0, max(0.0, held)), 4),
                "latency_ms": round(1000 * self.waited / self.wakes, 3) if self.wakes else None}


class GilMeter:
    """Sends a `gil` event every WINDOW_S (last window and run so far), and a final one on stop."""

    def __init__(self, outbox: Outbox, period_s: float = PERIOD_S) -> None:
        self.outbox = outbox
        self.period_s = period_s
        self.baseline = idle_lateness()  # before any worker exists
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._run: Tally | None = None
        self.note: str | None = None

    def start(self, mode: str) -> GilMeter:
        """Probe the workers' GIL; decided now, after the workload's imports (they may re-enable it)."""
        self.note = not_applicable(mode)
        if self.note is not None:
            self._emit(None)  # the screen says "own GIL" / "no GIL" from the start
        else:
            self._run = Tally()
            self._thread = threading.Thread(target=self._probe, name="conctui-gil-probe", daemon=True)
            self._thread.start()
        return self

    def _emit(self, window: dict[str, Any] | None) -> None:
        run = self._run.figures() if self._run else {"wait": None, "held": None, "latency_ms": None}
        window = window or run
        self.outbox.emit("gil", wait=window["wait"], held=window["held"], latency_ms=window["latency_ms"],
                         run_wait=run["wait"], run_held=run["held"], run_latency_ms=run["latency_ms"],
                         period_ms=self.period_s * 1000, baseline_ms=round(self.baseline * 1000, 4),
                         note=self.note)

    def _probe(self) -> None:
        period, baseline = self.period_s, self.baseline
        queue = RunQueue()
        window, queued = Tally(), queue.waited()
        while True:
            start = time.perf_counter()
            time.sleep(period)
            window.waited += max(0.0, time.perf_counter() - start - period - baseline)
            window.wakes += 1
            stopping = self._stop.is_set()
            if stopping or start - window.wall0 >= WINDOW_S:
                queued = self._close(window, queue, queued)
                if stopping:
                    break
                window = Tally()
        queue.close()

    def _close(self, window: Tally, queue: RunQueue, queued: float) -> float:
        """Take the window's run-queue time out of its wait, add it to the run's, send it."""
        before = time.perf_counter()
        now_queued = queue.waited()  # a read releases the GIL: getting it back is a wait like any other
        window.waited = max(0.0, window.waited - (now_queued - queued)) + time.perf_counter() - before
        self._run.waited += window.waited
        self._run.wakes += window.wakes
        self._emit(window.figures())
        return now_queued

    def stop(self) -> None:
        """End the probe and send the whole run's figures (or the note saying they do not apply)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._emit(None)
