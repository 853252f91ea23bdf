"""The constants conctui's GIL figures rest on, each declared once, and what they depend on the CPU for.

Imported by the runner (any Python >= 3.9, stdlib only: runner/gil.py finds its GIL's futex words)
and by conctui's own process (engine/gil_sampler.py reads /proc's syscall lines; the `watch`
feature sorts a thread's wait by the syscall it sleeps in).

A syscall's number differs by CPU: x86-64 has its own table; arm64 uses the kernel's generic one
(include/uapi/asm-generic/unistd.h), where 202 is `accept`, not `futex`. So everything that reads a
syscall number, or a C structure's bytes, goes through `arch()`, which answers None on a machine
this table does not know: the figure then says `not_measured()`, never 0.
"""
from __future__ import annotations

import os
import sys

NO_GIL = "no GIL: free-threaded build with the GIL off"
PROBE_WINDOW_S = 0.25  # runner/gil.py: the probe thread's GIL wait is sent once per window
SAMPLER_WINDOW_S = 1  # engine/gil_sampler.py: one py-spy record per window, so the figures move once a second

# What a thread asleep in a syscall is waiting for (a thread's /proc/PID/task/TID/syscall names it).
WAITS: dict[str, tuple[str, ...]] = {
    "io": ("poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait", "epoll_pwait2", "read",
           "recvfrom", "recvmsg", "accept", "accept4", "connect", "write", "readv", "writev", "pread64",
           "sendto", "sendmsg", "fsync"),
    "sleep": ("nanosleep", "clock_nanosleep", "pause"),
    "lock": ("futex",),  # a lock, a condition, or the GIL (runner/gil.py tells its GIL's words apart)
}


def free_threaded_build() -> bool:
    """Whether this Python is a free-threaded build (3.13t and newer, Py_GIL_DISABLED). There is
    none before 3.13, so there sysconfig (~6 M instructions with its build data, in every worker
    process) is not imported."""
    if sys.version_info < (3, 13):
        return False
    import sysconfig

    return bool(sysconfig.get_config_var("Py_GIL_DISABLED"))


class Arch:
    """One CPU's facts: syscall numbers (name -> number) and the sizes of the C structures read.

    futex_before / futex_after: bytes around the GIL condition's futex words that still belong to
    the GIL (CPython's _gil_runtime_state: last_holder and locked before its condition; after it,
    its mutex, switch_cond and switch_mutex). glibc's pthread_cond_t is 48 bytes on both CPUs here,
    pthread_mutex_t 40 on x86-64 and 48 on arm64: at most 8 + 48 + 48 + 48 = 152 after the words.
    pointer_bytes: a PyThreadState pointer, read from the GIL's last_holder word.

    A plain class: every worker child imports this module, and a dataclass compiles its
    methods at import (~1 ms here)."""

    __slots__ = ("name", "syscalls", "pointer_bytes", "futex_before", "futex_after")

    def __init__(self, name: str, syscalls: dict[str, int], pointer_bytes: int = 8, futex_before: int = 64,
                 futex_after: int = 160) -> None:
        self.name = name
        self.syscalls = syscalls
        self.pointer_bytes = pointer_bytes
        self.futex_before = futex_before
        self.futex_after = futex_after

    @property
    def futex(self) -> int:
        return self.syscalls["futex"]

    def wait_kind(self, number: int) -> str | None:
        """"io", "sleep" or "lock" for a syscall a thread sleeps in, None for any other."""
        return _KINDS[self.name].get(number)


# From the kernel's own tables: arch/x86/entry/syscalls/syscall_64.tbl (asm/unistd_64.h) and
# include/uapi/asm-generic/unistd.h, which arm64 uses (it has no poll, select or epoll_wait).
ARCHES: dict[str, Arch] = {
    "x86_64": Arch("x86_64", {
        "read": 0, "write": 1, "poll": 7, "pread64": 17, "readv": 19, "writev": 20, "select": 23, "pause": 34,
        "nanosleep": 35, "connect": 42, "accept": 43, "sendto": 44, "recvfrom": 45, "sendmsg": 46,
        "recvmsg": 47, "fsync": 74, "futex": 202, "clock_nanosleep": 230, "epoll_wait": 232, "pselect6": 270,
        "ppoll": 271, "epoll_pwait": 281, "accept4": 288, "epoll_pwait2": 441,
    }),
    "aarch64": Arch("aarch64", {
        "epoll_pwait": 22, "read": 63, "write": 64, "readv": 65, "writev": 66, "pread64": 67, "pselect6": 72,
        "ppoll": 73, "fsync": 82, "futex": 98, "nanosleep": 101, "clock_nanosleep": 115, "accept": 202,
        "connect": 203, "sendto": 206, "recvfrom": 207, "sendmsg": 211, "recvmsg": 212, "accept4": 242,
        "epoll_pwait2": 441,
    }),
}
_KINDS = {name: {arch.syscalls[call]: kind for kind, calls in WAITS.items() for call in calls
                 if call in arch.syscalls} for name, arch in ARCHES.items()}


def machine() -> str:
    """This machine's CPU as the kernel names it (`uname -m`; what platform.machine() says on Linux)."""
    return os.uname().machine


def arch() -> Arch | None:
    """This machine's table, or None where conctui has none."""
    return ARCHES.get(machine())


def not_measured() -> str:
    """What a figure that needs the table says on a machine without one."""
    return "not measured on %s: conctui has no syscall table for it" % machine()
