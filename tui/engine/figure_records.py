"""The shapes of a run's figures and of a compare's summary rows, declared once.

They are typed dicts, not classes: the same values are the JSON documents `run`, `compare`,
`sweep` and `replay --json` print and the recordings' figures, so they stay plain dicts at
run time while each key has one declared name and type. engine/figures.py builds them; the
panes, the CLI's reports, the verdict, the claims and the sweep read them. No Textual here.
"""
from __future__ import annotations

from typing import Any, TypedDict


class GilFigures(TypedDict):
    """A run's GIL figures (engine/figures.py:gil_figures says what each measures)."""

    gil_scope: str  # "one", "per process", "per interpreter" or "none"
    gil_held: float | None
    gil_wait: float | None
    gil_note: str | None  # why held and wait are None
    gil_sampler: str | None
    gil_wait_note: str | None  # why wait is None where held is not (a CPU without a syscall table)
    gil_latency_ms: float | None
    gil_latency_note: str | None
    gil_probe_ms: float | None
    process_cpu: float | None
    gil_reenabled: dict[str, Any] | None


class WorkerFigures(TypedDict):
    """One worker of a run, as `per_worker` lists it."""

    index: int
    pid: int | None
    tid: int | None
    host: str
    status: str
    wall_s: float | None
    cpu_s: float | None
    runq_s: float | None
    error: str | None
    exitcode: int | None
    output: list[str]
    dropped_lines: int
    gil_held: float | None
    gil_wait: float | None
    gil_off_cpu: float | None
    ipc: dict[str, Any] | None
    memory: dict[str, Any] | None


class RunFigures(GilFigures):
    """One run: what run --json prints, and each run of compare's and sweep's documents."""

    mode: str
    workload: str
    params: dict[str, Any]
    workers: int  # the worker count, named as the recordings name it
    python: dict[str, Any]
    start_method: str
    status: str
    error: str | None
    wall_s: float | None
    cpu_s: float | None
    parallelism: float | None
    startup_s: float | None
    other_load: float | None
    waiting_share: float | None
    per_worker: list[WorkerFigures]
    cluster: dict[str, Any] | None
    memory: dict[str, Any] | None
    ipc: dict[str, Any] | None


class SummaryRow(TypedDict, total=False):
    """One row of a comparison: medians over a mode's repeats (engine/figures.py:summarize).
    Not total: the optional medians (figures.MEDIANS) appear only where a run had them."""

    executable: str
    python_gil: str | None
    python_version: str
    gil_enabled: bool
    free_threaded: bool
    workload: str
    workers: int
    mode: str
    runs: int
    ok_runs: int
    wall_s: float | None
    wall_min: float | None
    wall_max: float | None
    cpu_s: float | None
    parallelism: float | None
    usable_cores: int
    gil_scope: str
    gil_wait: float | None
    gil_held: float | None
    gil_note: str | None
    startup_s: float | None
    other_load: float | None
    waiting_share: float | None
    process_cpu: float | None
    gil_latency_ms: float | None
    cluster: dict[str, Any] | None
    ipc_s: float | None
    ipc_share: float | None
    ipc_mb_s: float | None
    ipc_by_reference: bool
    speedup: float | None
    efficiency: float | None
