"""A process's descendants and its whole tree's CPU, read from /proc where it can be.

Runs in conctui's process, in the sampler threads: the watch's (the watched program's tree) and
the lab's (conctui's own tree, to tell what other programs took). Descendants come from
/proc/PID/task/TID/children (a child is listed under the thread that started it): a few small
files of the tree's own, where psutil's children(recursive=True) reads every process's stat on
the machine (~1.3 ms a tick beside 73 processes, growing with the machine's). A kernel without
those files (CONFIG_PROC_CHILDREN unset), or another OS, gets psutil's way.
"""
from __future__ import annotations

import os

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PROC_STAT = os.path.exists("/proc/self/stat")  # Linux: processes and threads read from /proc


def stat_fields(data: bytes) -> list[bytes]:
    """A /proc stat file's fields after the command name, which may hold spaces and ')': field 3
    (state) is [0], 14 and 15 (utime, stime) [11] and [12], 16 and 17 (cutime, cstime) [13] and
    [14], 22 (starttime) [19], 39 (processor) [36]. IndexError if `data` is not one."""
    return data.rsplit(b")", 1)[1].split()


def read_stat(path: str) -> list[bytes] | None:
    """A /proc stat file's fields after the command name (stat_fields); None once it has gone."""
    try:
        with open(path, "rb") as handle:
            return stat_fields(handle.read())
    except (OSError, IndexError):
        return None


def descendants(root: int) -> list[int] | None:
    """Every process below `root`, parents before their children, from /proc's children files;
    None where there are none (another OS, a kernel without CONFIG_PROC_CHILDREN). A process that
    ends meanwhile is left out. Each read opens one small file per thread of the tree."""
    if not PROC_STAT:
        return None
    found: list[int] = []
    todo = [root]
    while todo:
        pid = todo.pop()
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue  # ended
        for tid in tids:
            try:
                with open(f"/proc/{pid}/task/{tid}/children", "rb") as file:
                    children = [int(word) for word in file.read().split()]
            except FileNotFoundError:
                if not os.path.exists(f"/proc/{pid}/task/{tid}"):
                    continue  # the thread ended
                return None  # the thread is there, its children file is not: not this kernel
            except OSError:
                continue
            found += children
            todo += children
    return found


def _own_and_reaped_s(pid: int) -> float | None:
    """A live process's CPU seconds and those of the children it has reaped (waited for); None
    once it has ended (its seconds are then its parent's, once reaped)."""
    if PROC_STAT:
        fields = read_stat(f"/proc/{pid}/stat")
        return None if fields is None else sum(int(field) for field in fields[11:15]) / TICKS  # utime..cstime
    import psutil  # off Linux only: the lab's sampler imports this module before psutil is needed

    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return None
    return times.user + times.system + times.children_user + times.children_system


def tree_cpu_s(root: int) -> float:
    """CPU seconds so far of `root` and every process below it, the reaped ones included: a
    child's seconds move to its parent's when reaped, so the sum grows, but for a moment: a
    child reaped between its parent's read and its own is missed by one sum and back in the
    next. A process that leaves the tree unreaped (an orphan adopted by init) takes its seconds
    with it, and so does every reaped child off Linux, where psutil counts none."""
    pids = descendants(root)
    if pids is None:
        import psutil

        try:
            pids = [child.pid for child in psutil.Process(root).children(recursive=True)]
        except psutil.Error:
            pids = []
    return sum(seconds for pid in [root, *pids] if (seconds := _own_and_reaped_s(pid)) is not None)
