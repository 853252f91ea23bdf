"""Progress on stderr while headless commands run, so a long wait is never a blank screen.

`sweep` prints one line per run (to a terminal or a log alike). While a run is live, `run`,
`compare` and `sweep` redraw one line in place (runs, workers done, elapsed), only where stderr
is a terminal and the output is not --json: a pipe or a file gets nothing extra.
"""
from __future__ import annotations

import sys
import time
from typing import TextIO

from conctui.engine.events import Event
from conctui.engine.state import SessionState
from conctui.engine.sweep import points, time_left
from conctui.engine.text import seconds, seconds_left

REDRAW_S = 0.1  # at most ten redraws a second: events can come thousands a second
CLEAR = "\r\x1b[K"  # back to the line's start, and erase it


class SweepProgress:
    """One line on stderr per run: runs done of planned, the run's wall, the time left."""

    def __init__(self, planned: list[tuple[str, int]]) -> None:
        self.planned = planned
        self.began = time.monotonic()

    def __call__(self, runs: list[dict]) -> None:
        last, done = runs[-1], len(runs)
        walls = sum(r["wall_s"] or 0.0 for r in runs)
        left = time_left(points(runs), self.planned[done:], time.monotonic() - self.began, walls)
        eta = "done" if done == len(self.planned) else seconds_left(left)
        clear = CLEAR if sys.stderr.isatty() else ""  # over the live line, where one is drawn
        print(f"{clear}sweep: {done}/{len(self.planned)} runs · {last['mode']} x{last['workers']} "
              f"{seconds(last['wall_s'])} {last['status']} · {eta}", file=sys.stderr, flush=True)


def progress_line(command: str, state: SessionState, planned: int, first: int = 0) -> str | None:
    """`run: 1/1 runs · threads x3 · 1/3 workers done · 1.4 s`, or None while no run is live."""
    run = state.live
    if run is None:
        return None
    done = sum(w.status not in ("waiting", "running") for w in run.workers)
    return (f"{command}: {len(state.runs) - first}/{planned} runs · {run.started.mode} x{run.started.workers} · "
            f"{done}/{len(run.workers)} workers done · {seconds(run.elapsed(state.t), 1)}")


class LiveProgress:
    """A session sink, after the fold whose state it reads: one line redrawn in place."""

    def __init__(self, command: str, state: SessionState, planned: int, stream: TextIO) -> None:
        self.command, self.state, self.planned, self.stream = command, state, planned, stream
        self.first = len(state.runs)
        self.drawn = 0.0
        self.shown = False

    @classmethod
    def wanted(cls, command: str, state: SessionState, planned: int) -> LiveProgress | None:
        """Only where stderr is a terminal (the caller leaves it out for --json)."""
        return cls(command, state, planned, sys.stderr) if sys.stderr.isatty() else None

    def __call__(self, events: list[Event]) -> None:
        now = time.monotonic()
        if now - self.drawn < REDRAW_S:
            return
        self.drawn = now
        line = progress_line(self.command, self.state, self.planned, self.first)
        if line is not None:
            self.stream.write(CLEAR + line)
            self.stream.flush()
            self.shown = True

    def close(self) -> None:
        """Erase the line, so the report starts on a clean one."""
        if self.shown:
            self.stream.write(CLEAR)
            self.stream.flush()
