"""The tutorial's claims as ordering facts with wide margins, measured on real threads and processes.

Sleeping threads overlap; pure-Python CPU gains from processes and not from threads (the
GIL); hashlib's C code releases the GIL, so threads gain there. Two workers need two free
cores to show parallelism: on a machine with fewer, or one where other work took a share
while we measured, the CPU tests are skipped with the reason rather than failing on a
fact about the neighbours. Walls are the fastest of two runs (noise only slows a run down).
"""
from __future__ import annotations

import psutil
import pytest
from conctui.runner.info import usable_cores
from fixtures.command import conctui

pytestmark = [pytest.mark.process, pytest.mark.timing]

WORKERS = 2
OTHERS_MAX = 0.5  # cores other processes may use while we measure (conctui's own overhead is ~0.1)


def _busy_core_seconds() -> float:
    """Core-seconds the whole machine has spent busy (steal included: it was not ours either)."""
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def _compare(workload: str, modes: str, *params: str) -> tuple[dict[str, dict], str]:
    """Summary rows by mode, and the figures to show if an assertion fails."""
    usable = usable_cores()
    if usable < WORKERS:
        pytest.skip(f"needs {WORKERS} usable cores, this process may use {usable}")
    busy_before = _busy_core_seconds()
    result = conctui("compare", workload, "--modes", modes, "--workers", str(WORKERS), "--repeat", "2",
                     *[f"--param={p}" for p in params], "--json")
    assert result.code == 0, result.err
    document = result.json()
    ours = sum(run["cpu_s"] for run in document["runs"])
    others = (_busy_core_seconds() - busy_before - ours) / result.seconds
    if others > OTHERS_MAX:
        pytest.skip(f"other work kept {others:.1f} cores busy while we measured")
    worst = max((run["other_load"] or 0.0 for run in document["runs"]), default=0.0)
    if worst > OTHERS_MAX:  # a burst during one mode's runs, diluted in the command's average
        pytest.skip(f"other work kept {worst:.1f} cores busy during one of the runs")
    rows = {row["mode"]: row for row in document["summary"]}
    return rows, "; ".join(f"{m}: wall_min {r['wall_min']} s, parallelism {r['parallelism']}" for m, r in rows.items())


def test_three_sleeping_threads_finish_well_under_the_sequential_time() -> None:
    result = conctui("run", "download", "--mode", "threads", "--workers", "3", "--param", "seconds=1", "--json")
    assert result.code == 0, result.err
    run = result.run()
    sequential = 3 * 1.0  # three one-second sleeps, one after the other, cannot take less
    assert 1.0 <= run["wall_s"] < 0.6 * sequential
    assert run["parallelism"] < 0.2  # waiting uses no core


def test_pure_python_cpu_gains_from_processes_not_from_threads() -> None:
    rows, figures = _compare("cpu", "threads,processes", "n=8000000", "steps=10")
    assert rows["processes"]["wall_min"] < 0.8 * rows["threads"]["wall_min"], figures
    assert rows["threads"]["parallelism"] < 1.3, figures  # one GIL: one thread runs Python at a time


def test_hashlib_gains_from_threads() -> None:
    rows, figures = _compare("hashlib", "sequential,threads", "rounds=60")
    assert rows["threads"]["wall_min"] < 0.8 * rows["sequential"]["wall_min"], figures
    assert rows["threads"]["parallelism"] > 1.2, figures  # the GIL is released while hashing
