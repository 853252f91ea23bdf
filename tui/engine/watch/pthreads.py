"""Which native thread a pthread id is, read from outside the target: the watch sampler thread.

py-spy names a thread by its native id only for CPython 3.11 and newer (CPython keeps none
before); for 3.9 and 3.10 it gives the pthread id, the address of the C library's thread
structure, which glibc and musl place at the top of the thread's own stack mapping. So the
thread whose stack pointer (read from /proc/PID/task/TID/syscall while it waits) lies in the
mapping holding that address is that thread. The main thread's structure is not on a thread's
stack: it is the one pthread id left once every other thread is matched.
"""
from __future__ import annotations

import bisect

MAX_TID = 4_194_304  # Linux's highest pid_max: an id above it is a pthread id, not a native one


def stack_pointer(syscall: bytes | None) -> int | None:
    """The stack pointer in a syscall line (`nr a1 a2 a3 a4 a5 a6 sp pc`); None while it runs."""
    parts = syscall.split() if syscall else []
    if len(parts) != 9:
        return None
    try:
        return int(parts[7], 16)
    except ValueError:
        return None


def _mappings(pid: int) -> list[tuple[int, int]]:
    """The process's mappings as sorted [start, end) pairs; none once it has gone."""
    spans = []
    try:
        with open(f"/proc/{pid}/maps", "rb") as maps:
            for line in maps:
                start, _, end = line.split(b" ", 1)[0].partition(b"-")
                spans.append((int(start, 16), int(end, 16)))
    except (OSError, ValueError):
        return []
    return sorted(spans)


def _mapping_of(address: int, spans: list[tuple[int, int]]) -> int | None:
    at = bisect.bisect_right(spans, (address, float("inf"))) - 1
    return at if at >= 0 and spans[at][0] <= address < spans[at][1] else None


def match(pid: int, pthread_ids: set[int], stacks: dict[int, int], tids: set[int]) -> dict[int, int]:
    """{pthread id: native tid} for those of `pid`'s pthread ids that can be told: by the stack
    pointers last read (`stacks`, by tid), then the main thread (tid == pid) by elimination: the
    one id left once every other thread of the process (`tids`) has shown its stack."""
    spans = _mappings(pid)
    by_mapping = {_mapping_of(sp, spans): tid for tid, sp in stacks.items() if tid != pid}
    by_mapping.pop(None, None)
    found = {ident: by_mapping[at] for ident in pthread_ids
             if (at := _mapping_of(ident, spans)) is not None and at in by_mapping}
    left = pthread_ids - found.keys()
    if len(left) == 1 and pid in tids and tids - {pid} <= stacks.keys():
        found[left.pop()] = pid
    return found
