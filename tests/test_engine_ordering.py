"""The tutorial's claims as ordering facts with wide margins, measured on real threads and processes.

Sleeping threads overlap; pure-Python CPU gains from processes and not from threads (the
GIL); hashlib's C code releases the GIL, so threads gain there. Two workers need two idle
cores to show parallelism: on a machine with fewer, or one busy with other work, the
CPU tests are skipped with the reason rather than failing on a fact about the neighbours.
Walls are the fastest of two runs (noise only ever slows a run down).
"""
from __future__ import annotations

import os

import psutil
import pytest
from fixtures.command import conctui

WORKERS = 2


def _usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _need_idle_cores() -> None:
    usable = _usable_cores()
    if usable < WORKERS:
        pytest.skip(f"needs {WORKERS} usable cores, this process may use {usable}")
    busy = psutil.cpu_percent(interval=0.3, percpu=True)
    idle = sum(100 - p for p in busy) / 100
    if idle < WORKERS - 0.5:
        pytest.skip(f"only {idle:.1f} of {len(busy)} cores idle: other work would decide the result")


def _compare(workload: str, modes: str, *params: str) -> dict[str, dict]:
    args = [f"--param={p}" for p in params]
    result = conctui("compare", workload, "--modes", modes, "--workers", str(WORKERS), "--repeat", "2",
                     *args, "--json")
    assert result.code == 0, result.err
    return {row["mode"]: row for row in result.json()["summary"]}


def test_three_sleeping_threads_finish_well_under_the_sequential_time() -> None:
    result = conctui("run", "download", "--mode", "threads", "--workers", "3", "--param", "seconds=1", "--json")
    assert result.code == 0, result.err
    run = result.run()
    sequential = 3 * 1.0  # three one-second sleeps, one after the other, cannot take less
    assert 1.0 <= run["wall_s"] < 0.6 * sequential
    assert run["parallelism"] < 0.2  # waiting uses no core


def test_pure_python_cpu_gains_from_processes_not_from_threads() -> None:
    _need_idle_cores()
    rows = _compare("cpu", "threads,processes", "n=8000000", "steps=10")
    threads, processes = rows["threads"], rows["processes"]
    assert processes["wall_min"] < 0.8 * threads["wall_min"], rows
    assert threads["parallelism"] < 1.3, rows  # one GIL: one thread runs Python at a time
    assert processes["parallelism"] > 1.3, rows


def test_hashlib_gains_from_threads() -> None:
    _need_idle_cores()
    rows = _compare("hashlib", "sequential,threads", "rounds=60")
    assert rows["threads"]["wall_min"] < 0.8 * rows["sequential"]["wall_min"], rows
    assert rows["threads"]["parallelism"] > 1.3, rows  # the GIL is released while hashing
