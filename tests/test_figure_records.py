"""The declared shapes of a run's figures and a compare's rows match what figures.py builds."""
from __future__ import annotations

from typing import get_type_hints

import pytest
from conctui.engine.events import EventError, RunFinished, RunStarted, Sample, WorkerFinished, WorkerStarted
from conctui.engine.figure_records import RunFigures, SummaryRow, WorkerFigures
from conctui.engine.figures import run_figures, summarize
from conctui.engine.state import SessionState, apply
from fixtures import demo


def _runs(events: list) -> list[RunFigures]:
    state = SessionState()
    for event in events:
        apply(state, event)
    return [run_figures(run) for run in state.runs]


def test_a_runs_figures_have_exactly_the_declared_keys() -> None:
    for figures in _runs(demo.cpu_compare() + demo.dask_two_hosts()):
        assert set(figures) == set(get_type_hints(RunFigures))
        for worker in figures["per_worker"]:
            assert set(worker) == set(get_type_hints(WorkerFigures))


def test_every_summary_key_is_declared() -> None:
    rows = summarize(_runs(demo.cpu_compare() + demo.two_pythons()))
    assert rows
    for row in rows:
        assert set(row) <= set(get_type_hints(SummaryRow)), set(row) - set(get_type_hints(SummaryRow))


def _processes_run(launched_t: float | None) -> RunFigures:
    """Two processes launched at 1.00 s that start at 1.20 and 1.30 s; the run says it ended at
    3.05 s, 0.05 s after its last worker (the runner's wind-down)."""
    started = RunStarted(0.9, 1, "processes", "cpu", {}, 2, demo.PYTHON, "spawn", 4100)
    events = [started, WorkerStarted(1.2, 0, 4101, 4101), WorkerStarted(1.3, 1, 4102, 4102),
              WorkerFinished(3.0, 0, "done", None, 1.8, 1.8), WorkerFinished(3.0, 1, "done", None, 1.7, 1.7),
              RunFinished(3.05, "done", 2.0, None, launched_t)]
    return _runs(events)[0]


def test_start_up_is_measured_from_the_launch_the_runner_said() -> None:
    assert _processes_run(1.0)["startup_s"] == 0.25  # median of 0.20 and 0.30
    # a recording from before launched_t: the launch is read as the end less the wall, 0.05 s late
    assert _processes_run(None)["startup_s"] == 0.2


def test_a_launch_after_the_run_s_end_is_refused() -> None:
    """A recording's launched_t is untrusted: one past its own t (or before 0) would bend startup_s."""
    for launched in (3.5, -1.0):
        with pytest.raises(EventError, match="launched_t"):
            RunFinished(3.05, "done", 2.0, None, launched)
    assert RunFinished(3.05, "done", 2.0, None, 1.0).launched_t == 1.0


def test_other_load_counts_each_sample_for_the_part_of_its_span_the_run_was_live() -> None:
    """Other programs keep half a core busy while the run is live, 10.0 s to 12.55 s. The
    sampler's sample at the run's start (10.01 s) covers the two seconds before it, when they
    took 1.5 cores: it counts for 0.01 s of the run, not for a quarter of it."""
    started = RunStarted(10.0, 1, "threads", "cpu", {}, 1, demo.PYTHON, "spawn", 4100)
    events = [Sample(8.0, [0.0, 0.0], [], 0.0, "", 0.0), started, Sample(10.01, [100.0, 50.0], [], 0.0, "", 150.0),
              WorkerStarted(10.05, 0, 4100, 4110),
              *(Sample(t, [100.0, 50.0], [], 0.0, "", 50.0) for t in (10.5, 11.5, 12.5)),
              WorkerFinished(12.55, 0, "done", None, 2.5, 2.5), RunFinished(12.55, "done", 2.5)]
    (figures,) = _runs(events)
    assert abs(figures["other_load"] - 0.5) < 0.01, figures["other_load"]  # a mean over samples: 0.75


def test_other_load_is_absent_where_only_the_start_sample_covers_the_run() -> None:
    """A run shorter than the sampler's first period: its start sample says what came before it."""
    started = RunStarted(10.0, 1, "threads", "cpu", {}, 1, demo.PYTHON, "spawn", 4100)
    events = [started, Sample(10.01, [100.0, 50.0], [], 0.0, "", 150.0), WorkerStarted(10.05, 0, 4100, 4110),
              WorkerFinished(10.3, 0, "done", None, 0.25, 0.25), RunFinished(10.3, "done", 0.25)]
    (figures,) = _runs(events)
    assert figures["other_load"] is None
