"""`conctui watch -- CMD`: start a program to watch, and end it with everything it started.

conctui starts a tiny shim (shim.py) under its own Python (no fork from conctui's threaded
process, only subprocess's exec), in a process group of its own, stdin /dev/null, stdout and
stderr one pipe. The shim kills the group when conctui dies, even by SIGKILL, and starts the
program, which declares conctui its tracer first, so under Yama's ptrace_scope 1 conctui's
py-spy may read it without sudo (no Yama on the kernels here: written against the documented
API, not verified).
Ending: SIGINT to the group, SIGTERM after END_TERM_S, SIGKILL after END_KILL_S, until the
group is empty; the shim is reaped. The launching thread must live as long as the program:
PR_SET_PDEATHSIG fires when the thread that started the shim ends, so launch from the main thread.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from conctui.engine.untrusted import from_bytes, visible
from conctui.engine.watch.target import BadTarget

END_TERM_S = 2.0
END_KILL_S = 5.0
MAX_LINE = 10_000  # characters: a longer line is cut into several

SHIM = os.path.join(os.path.dirname(__file__), "shim.py")


class Launched:
    """A program conctui started: its pid, its output lines, its end."""

    def __init__(self, argv: list[str], on_line: Callable[[str], None]) -> None:
        if not argv:
            raise BadTarget("nothing to run after --: give a command, e.g. conctui watch -- python app.py")
        if shutil.which(argv[0]) is None:
            raise BadTarget(f"command not found: {visible(argv[0])}")
        self.argv = argv
        self.started = time.monotonic()
        status_read, status_write = os.pipe()
        try:
            self.shim = subprocess.Popen(
                [sys.executable, "-I", SHIM, str(os.getpid()), str(status_write), *argv],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                pass_fds=(status_write,), process_group=0)
        finally:
            os.close(status_write)
        self.status = os.fdopen(status_read, "rb")
        first = self.status.readline().decode(errors="replace").split()
        if first[:1] != ["pid"]:
            self.shim.wait()
            self.status.close()
            said = " ".join(first[1:]) or "the shim ended"
            raise BadTarget(f"cannot start {visible(argv[0])}: {said}")
        self.pid = int(first[1])
        self.code: int | None = None
        self.exited = threading.Event()
        self._reader = threading.Thread(target=self._read_output, args=(on_line,), name="conctui-watch-output",
                                        daemon=True)
        self._reader.start()
        threading.Thread(target=self._read_status, name="conctui-watch-status", daemon=True).start()

    def _read_output(self, on_line: Callable[[str], None]) -> None:
        for raw in self.shim.stdout:
            text = from_bytes(raw.rstrip(b"\n"))
            for start in range(0, max(1, len(text)), MAX_LINE):
                on_line(text[start:start + MAX_LINE])
        self.shim.stdout.close()

    def _read_status(self) -> None:
        line = self.status.readline().decode(errors="replace").split()
        self.status.close()
        if line[:1] == ["exit"]:
            self.code = int(line[1])
        self.exited.set()

    @property
    def exit(self) -> tuple[int | None, int | None]:
        """(exit code, signal) once it exited; a signal's death reads as (None, N)."""
        if self.code is None:
            return None, None
        return (self.code, None) if self.code >= 0 else (None, -self.code)

    def _group_alive(self) -> bool:
        self.shim.poll()  # reap the shim as soon as it exits: a zombie is no member
        return _has_members(self.shim.pid)

    def end(self) -> None:
        """SIGINT, SIGTERM after END_TERM_S, SIGKILL after END_KILL_S, until its group is empty."""
        began = time.monotonic()
        for number, at in ((signal.SIGINT, 0.0), (signal.SIGTERM, END_TERM_S), (signal.SIGKILL, END_KILL_S)):
            while time.monotonic() - began < at:
                if not self._group_alive():
                    break
                time.sleep(0.02)
            if not self._group_alive():
                break
            try:
                os.killpg(self.shim.pid, number)
            except ProcessLookupError:
                break
        self.reap()

    def reap(self) -> None:
        """Wait for the shim and the rest of the group (SIGKILLed by now if ended)."""
        self.shim.wait()
        deadline = time.monotonic() + 5.0
        while _has_members(self.shim.pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        self.exited.wait(1.0)
        self._reader.join(1.0)


def _has_members(group: int) -> bool:
    """Whether any process but a zombie is left in process group `group`."""
    import psutil

    for process in psutil.process_iter(["pid"]):
        try:
            if os.getpgid(process.pid) == group and process.status() != psutil.STATUS_ZOMBIE:
                return True
        except (OSError, psutil.Error):
            continue
    return False
