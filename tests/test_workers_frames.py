"""A frame costs what changed: with 1024 workers, one progress event rebuilds and redraws one
line of the workers pane, and a tick rebuilds only the running workers' lines."""
from __future__ import annotations

import re

import pytest
from conctui.engine.events import Progress, RunStarted, Sample, WorkerFinished, WorkerStarted
from conctui.engine.model import SessionModel, fold
from conctui.export import render_screen
from conctui.widgets import workers
from fixtures import demo

WORKERS = 1024


def opening() -> list:
    """A threads run of WORKERS workers, all running, then one sample of each."""
    events = [RunStarted(0.1, 1, "threads", "download", {}, WORKERS, demo.PYTHON, "spawn", demo.PID)]
    events += [WorkerStarted(0.2, i, demo.PID, demo.PID + 10 + i) for i in range(WORKERS)]
    events.append(Sample(0.25, [1.0] * 4, [[i, 0.0, 0] for i in range(WORKERS)], 1.5))
    return events


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[int]]:
    """The worker indices whose line the pane rebuilds, and whose strip it draws, from now on."""
    calls: dict[str, list[int]] = {"lines": [], "strips": []}
    line, strip = workers.cells_line, workers.styled_strip

    def counted_line(cells, status):
        calls["lines"].append(int(cells[0]))
        return line(cells, status)

    def counted_strip(text, console, base):
        calls["strips"].append(int(text.plain.split()[0]))
        return strip(text, console, base)

    monkeypatch.setattr(workers, "cells_line", counted_line)
    monkeypatch.setattr(workers, "styled_strip", counted_strip)
    return calls


def test_the_fold_names_the_workers_an_event_changed() -> None:
    model = SessionModel()
    fold(model, opening(), 0.25)
    changes = fold(model, [Progress(0.3, 7, 0.5),
                           Sample(0.5, [1.0] * 4, [[i, 0.0, 0] for i in range(WORKERS)], 1.5)], 0.5)
    assert changes.workers == {7}  # the sample moved no worker's figure
    assert changes.hosts == {""} and not changes.ended


async def test_one_progress_event_rebuilds_one_line_of_1024(built: dict[str, list[int]]) -> None:
    app = demo.demo_app(workers=WORKERS)
    async with app.run_test(size=(80, 24)) as pilot:
        await demo.show(pilot, opening())
        before = render_screen(app, None).split("\n")  # every shown line drawn once
        built["lines"].clear()
        built["strips"].clear()
        await demo.show(pilot, [Progress(0.3, 2, 0.5)])
        after = render_screen(app, None).split("\n")
        assert built["lines"] == [2]
        assert built["strips"] == [2]  # the other lines on screen came from the strip cache
        changed = [row for old, row in zip(before, after) if row != old]
        assert len(changed) == 1 and re.search(r"\s2 t\d+\s+run\s+███░░░", changed[0])


async def test_a_tick_rebuilds_the_shown_running_lines_and_the_rest_when_scrolled_to(
        built: dict[str, list[int]]) -> None:
    app = demo.demo_app(workers=WORKERS)
    async with app.run_test(size=(80, 24)) as pilot:
        await demo.show(pilot, opening())
        pane = app.panes.workers_pane
        shown = pane.size.height - 1  # worker lines under the header
        built["lines"].clear()
        await demo.show(pilot, [WorkerFinished(0.5, i, "done", None, 0.3, 0.0) for i in (0, 1, 900)])
        assert sorted(built["lines"]) == [0, 1]  # worker 900's line is out of view
        built["lines"].clear()
        # the same figures a second later: only the heartbeat moved, so only the clocks change
        await demo.show(pilot, [Sample(1.25, [1.0] * 4, [[i, 0.0, 0] for i in range(WORKERS)], 1.5)])
        assert sorted(built["lines"]) == list(range(2, shown))  # the running workers on screen
        built["lines"].clear()
        pane.scroll_to(y=898, animate=False)
        await pilot.pause()
        screen = render_screen(app, None)
        assert re.search(r"899 t\d+\s+run\s+\S+\s+1.1s", screen)
        assert re.search(r"900 t\d+\s+done\s+██████\s+0.3s", screen)
        assert {898, 899, 900} <= set(built["lines"]) <= set(range(898, 898 + shown))  # built as they came into view
        assert [pane.lines[i].plain.split()[2] for i in (1, 2, 900, 1023)] == ["done", "run", "done", "run"]
        assert pane.lines[1023].plain.split()[4] == "1.1s"


async def test_an_ended_runs_figures_are_computed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once, when the run ends, on the model: the clock, the results and later frames read them."""
    from conctui.engine import model

    computed: list[int] = []
    figures = model.run_figures
    monkeypatch.setattr(model, "run_figures", lambda run: computed.append(run.started.run) or figures(run))
    app = demo.demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        stream = demo.download_threads()
        await demo.show(pilot, stream)
        for k in range(3):  # samples keep coming after the run: a frame each
            await demo.show(pilot, [Sample(stream[-1].t + 1 + k, [1.0] * 4, [], 1.5)])
        assert computed == [1]
        assert "threads done · wall 2.00 s" in render_screen(app, None)


async def test_at_80x24_the_pane_shows_its_rows_without_a_horizontal_scrollbar() -> None:
    """Lines are as wide as the header and fit beside the vertical scrollbar: a horizontal one
    would cover the pane's last row (7-digit thread ids included: Linux's pid_max allows them)."""
    app = demo.demo_app(workers=6)
    events = [RunStarted(0.1, 1, "threads", "download", {}, 6, demo.PYTHON, "spawn", demo.PID)]
    events += [WorkerStarted(0.2, i, demo.PID, 4194300 + i) for i in range(6)]
    async with app.run_test(size=(80, 24)) as pilot:
        await demo.show(pilot, events)
        pane = app.panes.workers_pane
        assert pane.show_vertical_scrollbar and not pane.show_horizontal_scrollbar
        shown = [line for line in render_screen(app, None).split("\n") if re.search(r"t4194\d{3}", line)]
        assert len(shown) == pane.scrollable_content_region.height - 1  # every row under the header
