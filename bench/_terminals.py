"""conctui's TUI and htop side by side, each in its own 80x24 tmux pane, measured in the same windows.

The app watches a `processes` run of `cpu` with one worker per core (a busy server); htop
runs at its default refresh. Both are measured over the same seconds: first idle (the app
open, nothing running), then live (Enter pressed, every worker running).
"""
from __future__ import annotations

import os
import shlex
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psutil
from _common import Tmux, conctui_command, ensure_tool

SETTLE_S = 2.0  # after the first frame or the run's start: the opening paint is not the steady state


@dataclass
class Pair:
    tmux: Tmux
    app: psutil.Process
    htop: psutil.Process
    before: psutil.Process | None = None  # the conctui of an older tree, in pane "before" (--before)

    def start_run(self) -> None:
        for pane in ("app", "before") if self.before else ("app",):
            self.tmux("send-keys", "-t", pane, "Enter")
        for pane in ("app", "before") if self.before else ("app",):
            self.tmux.wait_for(pane, r"p\d+\s+run")
        time.sleep(SETTLE_S)  # a warm-up interval, not a synchronisation


@contextmanager
def conctui_beside_htop(on_open: Callable[[Tmux], None] = lambda tmux: None,
                        before: str | None = None) -> Iterator[Pair]:
    """Both programs open and settled; `on_open(tmux)` runs right after the panes exist.
    `before`: the Python of an older tree, whose conctui runs the same choice in a third pane."""
    htop = ensure_tool("htop")
    if htop is None:
        raise SystemExit("htop is missing and could not be installed (apt-get install htop)")
    workers = os.cpu_count() or 1
    choice = ["tui", "cpu", "--mode", "processes", "--workers", str(workers),
              "--param", "n=2000000000", "--param", "steps=1000"]
    with Tmux() as tmux:
        tmux.open("app", shlex.join([*conctui_command(), *choice]))
        tmux.open("htop", htop)
        if before:
            tmux.open("before", shlex.join([before, "-m", "conctui", *choice]))
        on_open(tmux)
        tmux.wait_for("app", r"quit")
        if before:
            tmux.wait_for("before", r"quit")
        pair = Pair(tmux, tmux.process("app", "conctui"), tmux.process("htop", "htop"),
                    tmux.process("before", "conctui") if before else None)
        time.sleep(SETTLE_S)
        try:
            yield pair
        finally:
            apps = [pair.app, *([pair.before] if pair.before else [])]
            for pane in ("app", "before") if pair.before else ("app",):
                tmux("send-keys", "-t", pane, "q")
            psutil.wait_procs(apps, timeout=10)


def windows(count: int, seconds: float, read: Callable[[], dict[str, float]]) -> dict[str, list[float]]:
    """Rates per second of each counter `read()` returns, over `count` back-to-back windows."""
    rates: dict[str, list[float]] = {}
    before, t0 = read(), time.monotonic()
    for _ in range(count):
        time.sleep(seconds)  # the window being measured
        after, t1 = read(), time.monotonic()
        for name in after:
            rates.setdefault(name, []).append((after[name] - before[name]) / (t1 - t0))
        before, t0 = after, t1
    return rates
