"""`conctui watch` with no target: the Python processes this user can see, busiest first."""
from __future__ import annotations

import os
import time
from typing import NamedTuple

import psutil
from conctui.engine.watch.target import python_of

CPU_SPAN_S = 0.3  # CPU is measured over this span, like htop's first refresh


class PythonProcess(NamedTuple):
    pid: int
    argv: list[str]
    threads: int
    cpu: float  # share of one core over CPU_SPAN_S


def python_processes() -> list[PythonProcess]:
    """This user's Python processes (conctui itself left out), sorted by CPU, highest first."""
    me, uid = os.getpid(), os.getuid()
    candidates: list[tuple[psutil.Process, float]] = []
    for process in psutil.process_iter(["pid", "uids"]):
        try:
            if process.pid == me or process.info["uids"] is None or process.info["uids"].real != uid:
                continue
            if python_of(process.pid) is None:
                continue
            times = process.cpu_times()
            candidates.append((process, times.user + times.system))
        except (psutil.Error, OSError):
            continue
    began = time.monotonic()
    time.sleep(CPU_SPAN_S)
    span = time.monotonic() - began
    rows = []
    for process, cpu0 in candidates:
        try:
            with process.oneshot():
                times = process.cpu_times()
                rows.append(PythonProcess(process.pid, process.cmdline(), process.num_threads(),
                                          round((times.user + times.system - cpu0) / span, 3)))
        except psutil.Error:
            continue
    return sorted(rows, key=lambda row: (-row.cpu, row.pid))
