"""The run's GIL figures from hand-made event streams: never a sum of different GILs' shares,
the workers' sampled wait time-weighted, one name per figure, and a version-1 recording's
GIL events read under today's names."""
from __future__ import annotations

from pathlib import Path

import pytest
from conctui.engine.events import (
    GilSample,
    GilWorkers,
    PythonInfo,
    RunFinished,
    RunStarted,
    WorkerFinished,
    WorkerStarted,
    decode,
)
from conctui.engine.figures import NO_GIL, run_figures, summarize
from conctui.engine.recording import read_recording
from conctui.engine.state import SessionState, apply
from conctui.engine.text import gil_held_cell

ROOT = Path(__file__).resolve().parents[1]
PYTHON = PythonInfo(executable="/py", version="3.12.0", logical_cores=16, usable_cores=16)


def _run(mode: str, rows: list[list], run_held: float | None, walls: list[float],
         python: PythonInfo = PYTHON, note: str | None = None) -> dict:
    """A finished run of len(walls) workers whose sampler's last word is `rows` / `run_held`."""
    state = SessionState()
    events = [RunStarted(0.0, 1, mode, "cpu", {}, len(walls), python, "spawn", 10)]
    events += [WorkerStarted(0.1, i, 11 + i, 11 + i) for i in range(len(walls))]
    events += [WorkerFinished(0.1 + wall, i, "done", None, wall, wall) for i, wall in enumerate(walls)]
    events += [GilWorkers(max(walls) + 0.2, rows, run_held, note, "py-spy", True),
               RunFinished(max(walls) + 0.3, "done", max(walls) + 0.2)]
    for event in events:
        apply(state, event)
    return run_figures(state.current)


def test_processes_report_each_workers_share_of_its_own_gil_never_their_sum() -> None:
    rows = [[i, 0.98, 0.0, 0.0] for i in range(16)]
    run = _run("processes", rows, 15.68, [2.0] * 16)  # a version-1 sampler summed them: 1568%
    assert run["gil_scope"] == "per process"
    assert run["gil_held"] == pytest.approx(0.98)
    assert gil_held_cell(run["gil_held"], run["gil_scope"], run["gil_note"]) == "each 98%"
    (row,) = summarize([run])
    assert row["gil_scope"] == "per process" and row["gil_held"] == pytest.approx(0.98)


def test_threads_share_one_gil_and_report_how_much_of_the_run_it_was_held() -> None:
    run = _run("threads", [[0, 0.49, 0.5, 0.0], [1, 0.49, 0.5, 0.0]], 0.98, [4.0, 4.0])
    assert run["gil_scope"] == "one"
    assert run["gil_held"] == 0.98 and run["gil_wait"] == pytest.approx(0.5)
    assert gil_held_cell(run["gil_held"], run["gil_scope"], run["gil_note"]) == "98%"


def test_the_runs_wait_is_the_workers_sampled_wait_weighted_by_their_time() -> None:
    run = _run("threads", [[0, 0.5, 0.5, 0.0], [1, 1.0, 0.0, 0.0]], 0.9, [1.0, 3.0])
    assert run["gil_wait"] == pytest.approx((0.5 * 1.0 + 0.0 * 3.0) / 4.0)


def test_sequential_with_one_worker_at_a_time_waits_about_nothing() -> None:
    """The probe thread and a lone worker taking turns is not the workers waiting on the GIL."""
    state = SessionState()
    events = [RunStarted(0.0, 1, "sequential", "cpu", {}, 2, PYTHON, "spawn", 10),
              WorkerStarted(0.1, 0, 10, 11), WorkerFinished(2.1, 0, "done", None, 2.0, 2.0),
              WorkerStarted(2.1, 1, 10, 12), WorkerFinished(4.1, 1, "done", None, 2.0, 2.0),
              GilSample(4.15, 0.5, 1.0, 5.0, 0.51, 1.0, 5.1, 5.0, 0.05),  # the probe: 51% of its time
              GilWorkers(4.2, [[0, 0.99, 0.002, 0.0], [1, 0.99, 0.004, 0.0]], 0.99, None, "py-spy", True),
              RunFinished(4.3, "done", 4.2)]
    for event in events:
        apply(state, event)
    run = run_figures(state.current)
    assert run["gil_wait"] == pytest.approx(0.003) and run["gil_latency_ms"] == 5.1
    assert "probe_wait" not in run and "gil_probe_wait" not in run  # the probe's share is not a run figure


def test_no_gil_and_no_sampling_say_why_instead_of_zero() -> None:
    free = PythonInfo(executable="/py3.13t", version="3.13.5", free_threaded=True, gil_enabled=False,
                      logical_cores=2, usable_cores=2)
    run = _run("threads", [[0, None, None, None]], None, [1.0], python=free, note=NO_GIL)
    assert (run["gil_scope"], run["gil_held"], run["gil_wait"], run["gil_note"]) == ("none", None, None, NO_GIL)
    assert gil_held_cell(None, "none", run["gil_note"]) == "no GIL"
    refused = _run("processes", [[0, None, None, None]], None, [1.0], note="ptrace refused: not root")
    assert refused["gil_held"] is None and refused["gil_note"].startswith("ptrace refused")


def test_a_version_1_gil_event_reads_the_probes_share_under_its_name() -> None:
    old = {"type": "gil", "t": 1.0, "wait": 0.5, "held": 0.9, "latency_ms": 4.0, "run_wait": 0.45,
           "run_held": 0.8, "run_latency_ms": 4.0, "period_ms": 5.0, "baseline_ms": 0.08}
    event = decode(old)
    assert isinstance(event, GilSample)
    assert (event.probe_wait, event.run_probe_wait, event.cpu, event.run_cpu) == (0.5, 0.45, 0.9, 0.8)


def test_a_version_1_recording_of_processes_replays_without_summing_their_gils() -> None:
    recording = read_recording(ROOT / "screenshots" / "cpu-compare.jsonl")
    assert recording.header["version"] == 1
    state = SessionState()
    for event in recording.events:
        apply(state, event)
    runs = {run["mode"]: run for run in map(run_figures, state.runs)}
    assert runs["processes"]["gil_scope"] == "per process"
    assert 0.9 < runs["processes"]["gil_held"] <= 1.0  # the file's run_held reads 1.80: two GILs summed
    assert runs["threads"]["gil_scope"] == "one" and runs["threads"]["gil_wait"] > 0.3  # two threads, one GIL
    assert runs["sequential"]["gil_wait"] < 0.05
