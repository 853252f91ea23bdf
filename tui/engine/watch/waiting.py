"""What a thread is waiting on, from /proc/PID/task/TID/stat and .../syscall: kinds of waiting.

Runs in conctui's watch sampler thread. A thread in state R is running (or runnable). One
asleep (S, D) sits in a syscall whose number, per architecture (the one table, in
runner/gil_constants.py), names the kind of waiting:
- gil_wait: a futex whose word lies inside the target's `_PyRuntime` (target.py), where the
  GIL's mutex and condition live;
- lock_wait: any other futex: a Lock, RLock, Condition, Event, Queue, a C library's mutex;
- io_wait: reads, writes, sockets, poll/select/epoll with descriptors, and D state (disk);
- sleep: clock_nanosleep, nanosleep, pause; and poll/select with no descriptors, which is
  how Python before 3.11 sleeps (`select(0, NULL, NULL, NULL, &timeout)`);
- other: anything else (waitpid, a signal wait, restart_syscall after a stop): named, not guessed.
"""
from __future__ import annotations

import os

from conctui.engine.process_tree import stat_fields
from conctui.runner.gil_constants import Arch, not_measured

KINDS = ("running", "gil_wait", "lock_wait", "io_wait", "sleep", "other")
POLLING = ("poll", "ppoll", "select", "pselect6")  # first argument: how many descriptors (0: a sleep)
KIND_OF_WAIT = {"io": "io_wait", "sleep": "sleep"}


class Kinds:
    """One CPU's syscall numbers (the runner's one table, gil_constants.ARCHES) read as kinds."""

    def __init__(self, cpu: Arch | None) -> None:
        self.cpu = cpu
        self.note = None if cpu else f"kinds of waiting {not_measured()}"
        self.polling = {cpu.syscalls[name] for name in POLLING if name in cpu.syscalls} if cpu else set()

    def of(self, state: bytes, syscall: bytes | None, runtime: tuple[int, int] | None) -> str | None:
        """The kind of one read: `state` from stat, `syscall` the line of .../syscall (None: not
        readable). None where the kind cannot be told (asleep, syscall refused, no table)."""
        if state == b"R":
            return "running"
        if state == b"D":
            return "io_wait"
        if syscall is None or self.cpu is None:
            return None
        fields = syscall.split()
        if not fields or fields[0] == b"running":
            return "running"
        try:
            number = int(fields[0])
            first = int(fields[1], 16) if len(fields) > 1 else -1
        except ValueError:
            return "other"  # "-1 ...": blocked outside a syscall
        if number == self.cpu.futex:
            return "gil_wait" if runtime and runtime[0] <= first < runtime[1] else "lock_wait"
        if number in self.polling:
            return "sleep" if first == 0 else "io_wait"
        return KIND_OF_WAIT.get(self.cpu.wait_kind(number) or "", "other")


class ThreadFiles:
    """A thread's stat and syscall files, kept open: two preads a read, no open() per read."""

    def __init__(self, pid: int, tid: int) -> None:
        base = f"/proc/{pid}/task/{tid}/"
        self.stat = os.open(base + "stat", os.O_RDONLY)
        try:
            self.syscall: int | None = os.open(base + "syscall", os.O_RDONLY)
            self.refused: str | None = None
        except PermissionError as exc:
            self.syscall, self.refused = None, f"reading {base}syscall: {exc.strerror}"

    def stat_fields(self) -> list[bytes]:
        """stat's fields after the command name (field 3, state, is [0]); OSError once it has gone."""
        return stat_fields(os.pread(self.stat, 512, 0))

    def read(self) -> tuple[list[bytes], bytes | None]:
        """(stat's fields, syscall line or None), one moment's read; OSError once it has gone."""
        fields = self.stat_fields()
        if fields[0] in (b"S", b"D") and self.syscall is not None:
            try:
                return fields, os.pread(self.syscall, 256, 0)
            except PermissionError as exc:
                self.refused = f"reading syscall: {exc.strerror}"
                os.close(self.syscall)
                self.syscall = None
        return fields, None

    def close(self) -> None:
        for fd in (self.stat, self.syscall):
            if fd is not None:
                os.close(fd)
