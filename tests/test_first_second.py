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


class Beats:
    """A sink that notes the run's start and every sample's time, and signals the second sample
    after the start (samples and the start may come in either order: two threads emit them)."""

    def __init__(self) -> None:
        self.started: float | None = None
        self.samples: list[float] = []
        self.two_after = threading.Event()

    def after(self) -> list[float]:
        return [t for t in self.samples if self.started is not None and t > self.started]

    def __call__(self, events: list[Event]) -> None:
        for event in events:
            if isinstance(event, RunStarted):
                self.started = event.t
            elif isinstance(event, Sample):
                self.samples.append(event.t)
        if len(self.after()) >= 2:
            self.two_after.set()


@pytest.mark.parametrize("live_period", [5.0, 1.0, 0.1])
def test_a_run_is_sampled_at_its_start_and_again_within_its_first_second(live_period: float) -> None:
    beats = Beats()
    session = Session([beats], sample_period=2.0).start_sampling()  # idle, as the TUI starts
    try:
        session.start(_spec()[0])
        session.sample_every(live_period)  # what the TUI does once the run has started
        assert beats.two_after.wait(15), "fewer than two samples came after the run started"
        # at once, then FIRST_SAMPLE_S (0.5 s) after the start: slack for a loaded machine
        at_start, next_one = (t - beats.started for t in beats.after()[:2])
        assert at_start <= 1.0 and next_one <= 1.5, (beats.started, beats.samples)
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
