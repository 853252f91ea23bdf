"""The contract of every mode: one small workload, the same event sequence, the same figures.

sequential, threads, processes and asyncio (the async twin) under this Python; interpreters
under a 3.13 the Python finder finds (skipped, saying why, without one); dask on a
LocalCluster (skipped without distributed). The workload also prints an endless unfinished
line and a progress bar redrawn with carriage returns, and writes bytes to sys.stdout.buffer:
every mode keeps them bounded and decoded, by the one line discipline (channel.CapturedOutput),
or the run would not end within its timeout.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from conctui.engine.events import (
    Cluster,
    Event,
    GilSample,
    GilWorkers,
    Output,
    Progress,
    RunFinished,
    RunStarted,
    WorkerFinished,
    WorkerStarted,
)
from conctui.engine.figures import run_figures
from conctui.engine.pythons import find_pythons, probe
from conctui.engine.session import Fold, Session
from conctui.engine.spec import RunSpec, UsageError, parse_workload
from conctui.runner.channel import MAX_LINE_CHARS

pytestmark = pytest.mark.process

TASKS = Path(__file__).parent / "fixtures" / "contract_tasks.py"
WORKERS = 2
TIMEOUT_S = 120  # generous for a loaded machine; a mode without the line cap takes minutes
LINES = ["worker {i}: start", "bytes \udcff caf\u00e9", "x" * MAX_LINE_CHARS, "bar 1999", "worker {i}: end"]


def _python_with_interpreters() -> str:
    """A Python the finder finds whose runner offers sub-interpreters, or skip saying why."""
    tried = []
    for found in find_pythons():
        if found.version in ((3, 13), (3, 14)) and not found.free_threaded:
            try:
                info = probe(found.path)
            except UsageError as exc:
                tried.append(f"{found.path}: {exc}")
                continue
            if info.interpreters.api:
                return found.path
            tried.append(f"{found.path}: {info.interpreters.reason}")
    pytest.skip("no Python 3.13+ with sub-interpreters found" + (f" ({'; '.join(tried)})" if tried else ""))


def _spec(mode: str) -> RunSpec:
    func = "awork" if mode == "asyncio" else "work"
    spec = RunSpec(parse_workload(f"{TASKS}:{func}"), mode, WORKERS)
    if mode == "interpreters":
        return RunSpec(spec.workload, mode, WORKERS, python=_python_with_interpreters())
    if mode == "dask" and importlib.util.find_spec("distributed") is None:
        pytest.skip("distributed is not installed: pip install 'conctui[dask]'")
    return spec


def _run(spec: RunSpec) -> tuple[list[Event], dict]:
    events: list[Event] = []
    fold = Fold()
    session = Session([events.extend, fold])
    try:
        session.run(spec, timeout=TIMEOUT_S)
    finally:
        session.close()
    return events, run_figures(fold.state.runs[-1])


def _worker_shape(events: list[Event], index: int) -> dict:
    """What one worker's events say, in the terms every mode must agree on."""
    mine = [e for e in events if getattr(e, "index", None) == index]
    progress = [e.fraction for e in mine if isinstance(e, Progress)]
    return {
        "first": type(mine[0]).__name__,
        "last": (type(mine[-1]).__name__, getattr(mine[-1], "status", None)),
        "lines": [e.line for e in mine if isinstance(e, Output)],
        "last_progress": progress[-1] if progress else None,
        "progress_before_end": all(isinstance(e, Progress) for e in mine[1:-1] if not isinstance(e, Output)),
    }


MODES = ["sequential", "threads", "processes", "asyncio", "interpreters", "dask"]


@pytest.mark.parametrize("mode", MODES)
def test_every_mode_keeps_the_same_contract(mode: str) -> None:
    events, figures = _run(_spec(mode))
    kinds = [type(e) for e in events if not isinstance(e, (GilSample, GilWorkers, Cluster))]
    assert kinds[0] is RunStarted and kinds[-1] is RunFinished, kinds
    finished = next(e for e in reversed(events) if isinstance(e, RunFinished))
    assert finished.status == "done"
    # the launch is said, not read back from the end: before every worker's start, wall_s before the end
    first_start = min(e.t for e in events if isinstance(e, WorkerStarted))
    assert events[0].t <= finished.launched_t <= first_start, (finished.launched_t, first_start)
    assert finished.launched_t + finished.wall_s <= finished.t
    assert kinds.count(WorkerStarted) == kinds.count(WorkerFinished) == WORKERS
    started = events[0]
    assert (started.mode, started.workers, started.python.version) == (mode, WORKERS, figures["python"]["version"])
    for index in range(WORKERS):
        assert _worker_shape(events, index) == {
            "first": "WorkerStarted", "last": ("WorkerFinished", "done"),
            "lines": [line.format(i=index) for line in LINES], "last_progress": 1.0, "progress_before_end": True,
        }, mode
    gil = [e for e in events if isinstance(e, GilSample)]
    assert gil and (gil[-1].run_latency_ms is not None or gil[-1].note), "the GIL meter says a figure or why not"
    assert any(isinstance(e, Cluster) for e in events) == (mode == "dask")
    # the figures a run is quoted by, present in every mode
    assert figures["status"] == "done" and figures["wall_s"] > 0 and figures["cpu_s"] > 0
    assert figures["parallelism"] is not None
    for worker in figures["per_worker"]:
        assert worker["pid"] and worker["tid"] and worker["wall_s"] > 0 and worker["cpu_s"] is not None
        assert worker["dropped_lines"] == 0 and worker["error"] is None
