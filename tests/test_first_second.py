"""A run's first second shows time moving, at any --refresh: the sampler's heartbeat keeps to the
run's clock, and a new period (idle 2 s to live) cuts the idle wait short."""
from __future__ import annotations

import asyncio
import re
import sys
import threading

import pytest
from conctui.app import ConcApp, live_app
from conctui.engine.events import Event, RunStarted, Sample
from conctui.engine.runner_process import describe
from conctui.engine.session import Session
from conctui.engine.spec import RunSpec, parse_params, parse_workload

pytestmark = [pytest.mark.process, pytest.mark.timing]

QUICK = ["seconds=1.5", "steps=3"]


def _spec(mode: str = "threads") -> tuple[RunSpec, dict]:
    ref = parse_workload("download")
    params = parse_params(ref, QUICK)
    return RunSpec(ref, mode, 2, params), describe(sys.executable, ref, params)


class FirstBeat:
    """A sink that notes the run's start and signals the first sample taken after it."""

    def __init__(self) -> None:
        self.started: float | None = None
        self.first: float | None = None
        self.seen = threading.Event()

    def __call__(self, events: list[Event]) -> None:
        for event in events:
            if isinstance(event, RunStarted):
                self.started = event.t
            elif isinstance(event, Sample) and self.started is not None and event.t > self.started:
                if self.first is None:
                    self.first = event.t
                    self.seen.set()


@pytest.mark.parametrize("live_period", [5.0, 1.0, 0.1])
def test_the_first_sample_of_a_run_comes_within_its_first_second(live_period: float) -> None:
    beat = FirstBeat()
    session = Session([beat], sample_period=2.0).start_sampling()  # idle, as the TUI starts
    try:
        session.start(_spec()[0])
        session.sample_every(live_period)  # what the TUI does once the run has started
        assert beat.seen.wait(15), "no sample came after the run started"
        # due FIRST_SAMPLE_S (0.5 s) after the start: the first second, with slack for a loaded machine
        assert 0 < beat.first - beat.started <= 1.5, (beat.started, beat.first)
    finally:
        session.close()


def _elapsed(app: ConcApp) -> float | None:
    found = re.search(r"elapsed ([\d.]+) s", app.panes.clock_pane._shown)
    return float(found.group(1)) if found else None


@pytest.mark.parametrize("tick_hz", [0.2, 1.0])
async def test_the_clock_moves_in_the_first_second_of_a_run(tick_hz: float) -> None:
    spec, info = _spec()
    app = live_app(spec, info, tick_hz=tick_hz)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        shown: list[float] = []
        async with asyncio.timeout(20):
            while not shown or shown[-1] == 0.0:  # each turn waits for the app's next frame
                app.panes.frame_shown.clear()
                await app.panes.frame_shown.wait()
                if (elapsed := _elapsed(app)) is not None:
                    shown.append(elapsed)
        assert 0 < shown[-1] <= 1.0, shown
        await pilot.press("q")
