"""One watch: the target (attached or launched), its sampler, and the sinks its events go to.

Runs in conctui's process: `start` in the thread that must outlive a launched program (the
main thread, see launch.py), the sampler and output readers in their own threads. Every
event goes to every sink in one order, under one lock, so the model folded live, a
recording and a replay of it agree.
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

from conctui.engine.events import Event
from conctui.engine.watch.events import WatchEnded, WatchOutput, WatchStarted
from conctui.engine.watch.launch import Launched
from conctui.engine.watch.sampler import WatchSampler
from conctui.engine.watch.target import BadTarget, PythonBuild, check_target, python_of

PYTHON_WAIT_S = 3.0  # a launched command has this long to become Python


def _launched_python(launched: Launched) -> PythonBuild | None:
    """Wait until the launched program maps a Python; BadTarget (after ending it) if it never does."""
    deadline = time.monotonic() + PYTHON_WAIT_S
    while time.monotonic() < deadline and not launched.exited.is_set():
        try:
            build = python_of(launched.pid)
        except PermissionError:
            return None
        if build is not None:
            return build
        time.sleep(0.01)
    launched.end()
    if launched.exited.is_set() and launched.code is not None and launched.code != 0 and launched.code != -2:
        raise BadTarget(f"{' '.join(launched.argv)[:200]} exited with code {launched.code} before it ran Python")
    raise BadTarget(f"{launched.argv[0][:200]} is not Python: conctui watches CPython 3.9 to 3.13 programs")


class WatchSession:
    """Start with a pid (attach) or an argv (launch); `sinks` get every event batch."""

    def __init__(self, sinks: list[Callable[[list[Event]], None]], pid: int | None = None,
                 argv: list[str] | None = None, refresh_hz: float = 1.0) -> None:
        self.sinks = sinks
        self.lock = threading.Lock()
        self.t0 = time.monotonic()
        self.launched: Launched | None = None
        if argv is not None:
            self.launched = Launched(argv, self._line)
            build = _launched_python(self.launched)
            pid = self.launched.pid
        else:
            build = check_target(pid)
            argv = _argv(pid)
        self.pid = pid
        self.sampler = WatchSampler(pid, build, self.emit, self.t0, refresh_hz)
        self.emit([WatchStarted(0.0, pid, argv, build.label if build else "?", self.launched is not None,
                                os.cpu_count() or 1, bool(build and build.no_gil))])
        self.sampler.start()
        self.finished = False

    def emit(self, events: list[Event]) -> None:
        with self.lock:
            for sink in self.sinks:
                sink(events)

    def _line(self, line: str) -> None:
        self.emit([WatchOutput(round(time.monotonic() - self.t0, 3), line)])

    def ended(self) -> bool:
        """Whether the target has ended by itself (the sampler then stopped)."""
        return self.sampler.root_ended.is_set()

    def wait(self, seconds: float) -> bool:
        """Wait up to `seconds` for the target to end; True if it did."""
        return self.sampler.root_ended.wait(seconds)

    def stop(self) -> None:
        """End the watch: a launched program is ended (its whole group), an attached one left running."""
        if self.finished:
            return
        self.finished = True
        exited_by_itself = self.ended()
        self.sampler.stop()
        how, code, number = "detached", None, None
        if self.launched is not None:
            if not exited_by_itself:
                self.launched.end()
                how = "ended"
            else:
                self.launched.reap()
                how = "exited"
            code, number = self.launched.exit
        elif exited_by_itself:
            how = "exited"  # not conctui's child: its exit code cannot be learnt
        self.emit([WatchEnded(round(time.monotonic() - self.t0, 3), how, code, number)])


def _argv(pid: int) -> list[str]:
    import psutil

    try:
        return psutil.Process(pid).cmdline()
    except psutil.Error:
        return []
