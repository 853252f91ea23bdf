"""What a thread is waiting on, from /proc/PID/task/TID/stat and .../syscall: kinds of waiting.

Runs in conctui's watch sampler thread. A thread in state R is running (or runnable). One
asleep (S, D) sits in a syscall whose number, per architecture, names the kind of waiting:
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
import platform

KINDS = ("running", "gil_wait", "lock_wait", "io_wait", "sleep", "other")

# TODO(records): these numbers move to the runner's one syscall table when it lands.
SYSCALLS = {
    "x86_64": {
        "futex": 202, "futex_waitv": 449,
        "read": 0, "write": 1, "pread64": 17, "pwrite64": 18, "readv": 19, "writev": 20, "sendfile": 40,
        "connect": 42, "accept": 43, "sendto": 44, "recvfrom": 45, "sendmsg": 46, "recvmsg": 47,
        "accept4": 288, "recvmmsg": 299, "sendmmsg": 307, "io_getevents": 208, "fsync": 74, "fdatasync": 75,
        "flock": 73, "epoll_wait": 232, "epoll_pwait": 281, "epoll_pwait2": 441,
        "poll": 7, "ppoll": 271, "select": 23, "pselect6": 270,
        "nanosleep": 35, "clock_nanosleep": 230, "pause": 34,
    },
    "aarch64": {
        "futex": 98, "futex_waitv": 449,
        "read": 63, "write": 64, "pread64": 67, "pwrite64": 68, "readv": 65, "writev": 66, "sendfile": 71,
        "connect": 203, "accept": 202, "sendto": 206, "recvfrom": 207, "sendmsg": 211, "recvmsg": 212,
        "accept4": 242, "recvmmsg": 243, "sendmmsg": 269, "io_getevents": 4, "fsync": 82, "fdatasync": 83,
        "flock": 32, "epoll_pwait": 22, "epoll_pwait2": 441,
        "ppoll": 73, "pselect6": 72,
        "nanosleep": 101, "clock_nanosleep": 115,
    },
}
IO = ("read", "write", "pread64", "pwrite64", "readv", "writev", "sendfile", "connect", "accept", "sendto",
      "recvfrom", "sendmsg", "recvmsg", "accept4", "recvmmsg", "sendmmsg", "io_getevents", "fsync", "fdatasync",
      "flock", "epoll_wait", "epoll_pwait", "epoll_pwait2")
SLEEP = ("nanosleep", "clock_nanosleep", "pause")
POLLING = ("poll", "ppoll", "select", "pselect6")  # first argument: how many descriptors (0: a sleep)


class Kinds:
    """The syscall numbers of one architecture, as kinds: built once per watch."""

    def __init__(self, machine: str | None = None) -> None:
        self.machine = machine or platform.machine()
        numbers = SYSCALLS.get(self.machine)
        self.note = None if numbers else f"kinds of waiting not measured on {self.machine}"
        numbers = numbers or {}
        self.futex = {numbers[n] for n in ("futex", "futex_waitv") if n in numbers}
        self.kind = {numbers[n]: "io_wait" for n in IO if n in numbers}
        self.kind.update({numbers[n]: "sleep" for n in SLEEP if n in numbers})
        self.polling = {numbers[n] for n in POLLING if n in numbers}

    def of(self, state: bytes, syscall: bytes | None, runtime: tuple[int, int] | None) -> str | None:
        """The kind of one read: `state` from stat, `syscall` the line of .../syscall (None: not
        readable). None where the kind cannot be told (asleep, syscall refused)."""
        if state == b"R":
            return "running"
        if state == b"D":
            return "io_wait"
        if syscall is None or self.note:
            return None
        fields = syscall.split()
        if not fields or fields[0] == b"running":
            return "running"
        try:
            number = int(fields[0])
            first = int(fields[1], 16) if len(fields) > 1 else -1
        except ValueError:
            return "other"  # "-1 ...": blocked outside a syscall
        if number in self.futex:
            return "gil_wait" if runtime and runtime[0] <= first < runtime[1] else "lock_wait"
        if number in self.polling:
            return "sleep" if first == 0 else "io_wait"
        return self.kind.get(number, "other")


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
        return os.pread(self.stat, 512, 0).rsplit(b")", 1)[1].split()

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
