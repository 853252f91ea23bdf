"""The verdict, claims and sweep keys of the live TUI, driven through Textual's pilot on real runs."""
from __future__ import annotations

from pathlib import Path

import pytest
from conctui.engine.recording import Recorder, read_recording
from conctui.export import render_screen
from conctui.replay_app import replay_app
from conctui.widgets.claims import ClaimsScreen
from conctui.widgets.sweep import SweepScreen
from conctui.widgets.sweep_plan import SweepPlan
from fixtures import demo
from test_app_pilot import finished, make_app, until


def _text(widget) -> str:
    return str(widget.render())


@pytest.mark.process
async def test_the_verdict_follows_each_run() -> None:
    app = make_app(workers=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await until(pilot, finished(app, 1))
        entries = app.panes.results_pane.entries
        assert [e["reason"] for e in entries][:1] == ["waiting"], entries
        assert "waiting" in _text(app.query_one("#verdict"))


@pytest.mark.process
async def test_claims_key_lists_every_claim_and_a_number_measures_exactly_its_case() -> None:
    app = make_app(workers=3)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("T")
        await until(pilot, lambda: isinstance(app.screen, ClaimsScreen))
        await pilot.pause()
        text = render_screen(app, None)
        assert text.count("not measured yet: press") == 7, text
        await pilot.press("1")  # the sleeping threads: download x3, sequential then threads
        await until(pilot, lambda: not isinstance(app.screen, ClaimsScreen))
        # the runs over, the claims come back by themselves, with the new figure
        await until(pilot, lambda: isinstance(app.screen, ClaimsScreen), timeout=60)
        assert [(f["workload"], f["mode"], f["workers"]) for f in app.figures] == [
            ("download", "sequential", 3), ("download", "threads", 3)]
        await pilot.pause()
        text = render_screen(app, None)
        assert "measured: 3 sleeping threads took" in text and text.count("not measured yet") == 6, text


@pytest.mark.process
async def test_sweep_key_runs_the_sweep_and_x_stops_it_keeping_the_points() -> None:
    app = make_app(workers=2)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("S")
        await until(pilot, lambda: isinstance(app.screen, SweepPlan))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, SweepScreen))
        await until(pilot, lambda: len(app.figures) >= 1)
        await pilot.press("x")
        await until(pilot, lambda: not app.source.running)
        sweep, progress = app.sweep_view()
        assert sweep["status"] == "stopped" and sweep["runs_done"] < sweep["runs_planned"], progress
        assert [p["workers"] for p in sweep["points"]][:1] == [1]
        assert "stopped" in progress


@pytest.mark.process
async def test_a_whole_sweep_fits_each_mode() -> None:
    app = make_app(workers=2)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("S", "enter")  # the plan, then its start
        await until(pilot, lambda: app.sweep_running)
        # the sweep is over once its last run is reaped and folded (run_queue.run_reaped); the
        # runner is reaped a frame before that, when the queue is already empty
        await until(pilot, lambda: not app.sweep_running and not app.source.running, timeout=120)
        sweep, progress = app.sweep_view()
        assert sweep["status"] == "done" and "done" in progress
        assert set(sweep["fits"]) == set(sweep["modes"])
        assert all(found["serial_fraction"] is not None for found in sweep["fits"].values()), sweep["fits"]


def _recorded(path: Path, events: list) -> Path:
    recorder = Recorder.open(path)
    recorder(events)
    recorder.stop()
    return path


async def test_a_replay_shows_the_verdict_claims_and_sweep_it_recorded(tmp_path: Path) -> None:
    path = _recorded(tmp_path / "demo.jsonl", demo.cpu_compare() + demo.shifted(demo.cpu_sweep(), 30.0, 3))
    app = replay_app(read_recording(path), ticking=False)
    async with app.run_test(size=(100, 40)) as pilot:
        step = app.source.player.seek(app.source.player.end)
        app.feed(step.events)
        app.frame()
        await pilot.pause()
        assert app.panes.results_pane.entries[0]["reason"] == "won"
        sweep, progress = app.sweep_view()
        assert (sweep["status"], sweep["fits"]["threads"]["serial_fraction"]) == ("done", 1.0), progress
        await pilot.press("T")
        await until(pilot, lambda: isinstance(app.screen, ClaimsScreen))
        await pilot.pause()
        text = render_screen(app, None)
        assert "measured: 4 processes kept 3.87 of the 4 cores busy." in text, text
        assert "not measured in this recording" in text
        await pilot.press("1")  # a replay runs nothing
        assert isinstance(app.screen, ClaimsScreen)
        await pilot.press("escape", "S")
        await until(pilot, lambda: isinstance(app.screen, SweepScreen))
        await pilot.pause()
        text = render_screen(app, None)
        assert "advice: On these 4 cores, for cpu, use processes at 4 workers: 4.00x" in text, text
