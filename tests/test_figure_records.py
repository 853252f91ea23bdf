"""The declared shapes of a run's figures and a compare's rows match what figures.py builds."""
from __future__ import annotations

from typing import get_type_hints

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
