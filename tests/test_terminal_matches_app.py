"""What a terminal shows is what the app drew: after every frame of a replayed recording, the bytes
Textual's driver wrote, played in pyte, equal the app's own compositor, cell by cell.

A pane that marks only its changed cells dirty must also mark what a shorter line, or a line
that wrapped onto fewer rows, leaves behind: the compositor (and so an SVG export) draws it
blank, but a terminal keeps the old cells until something else is drawn there.
"""
from __future__ import annotations

from pathlib import Path
from unittest.mock import patch

import pytest
from conctui.app import ConcApp
from conctui.engine.recording import Recorder, Recording, read_recording
from conctui.export import next_frame
from conctui.replay_app import ReplaySource
from fixtures import cores as core_streams
from fixtures.terminal import BytesDriver, app_screen, differences
from textual import constants

SCREENSHOTS = Path(__file__).parent.parent / "screenshots"
FPS = 4  # frames per recorded second, as `conctui export` steps a replay
# The terminal here takes 24-bit colour, as SVG exports and snapshots render: Rich keeps a style's
# escape codes on the style, whatever colour system asked first (Style._ansi), and one process
# shares styles between apps, so an export earlier in the process would otherwise have put its
# colours into a 16-colour terminal's bytes.
TRUECOLOR = "truecolor"


def recorded(events: list, path: Path) -> Recording:
    recorder = Recorder.open(path)
    recorder(events)
    recorder.stop()
    return read_recording(path)


SETTLE_ROUNDS = 20  # rounds of message handling before a frame still sending is a failure of its own


async def sent(app: ConcApp, pilot, driver: BytesDriver) -> None:
    """Rounds of the app's work (export.next_frame: by events, not idle-CPU sleeps) until one
    sends nothing and leaves no work queued."""
    for _ in range(SETTLE_ROUNDS):
        before = driver.written
        if await next_frame(app, pilot) and driver.written == before:
            return
    raise AssertionError(f"the app still sends after {SETTLE_ROUNDS} rounds")


async def terminal_against_app(recording: Recording, size: tuple[int, int], until: float | None = None) -> list[str]:
    """Replay `recording` frame by frame (up to `until` seconds in); after each, the rows where the
    terminal differs from the app."""
    source = ReplaySource(recording, 1.0)
    player = source.player
    player.paused = True  # the clock moves only when we step it
    with patch.object(constants, "COLOR_SYSTEM", TRUECOLOR):
        app = ConcApp(source, ticking=False)  # its console: see TRUECOLOR
    app.driver_class = BytesDriver
    async with app.run_test(headless=False, size=size) as pilot:
        driver = app._driver
        assert isinstance(driver, BytesDriver)
        for step in range(int(min(until or player.duration, player.duration) * FPS) + 2):
            elapsed = step / FPS
            app.feed(player.seek(player.start + elapsed).events)
            app.frame()
            await sent(app, pilot, driver)
            found = differences(driver.screen, app_screen(app))
            if found:
                return [f"at {elapsed:.2f} s of {recording.path}:", *found]
        assert driver.written > 0  # the driver did receive the app's frames
    return []


@pytest.mark.parametrize("name, until", [("cpu-compare", None), ("sweep", 20.0)])
async def test_recorded_runs_reach_the_terminal_as_drawn(name, until, size=(80, 24)) -> None:
    """Real recordings (README's screenshots), at the size a person most often has: the whole
    compare, and the sweep's first points (run after run, the same shape again)."""
    found = await terminal_against_app(read_recording(SCREENSHOTS / f"{name}.jsonl"), size, until)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_a_16_core_compare_reaches_the_terminal_as_drawn(tmp_path, size) -> None:
    """The shape of the compare where a terminal kept `worker process` for over a second: 16 cores,
    the processes' GIL line a note, then a figure."""
    recording = recorded(core_streams.compare(16), tmp_path / "compare16.jsonl")
    found = await terminal_against_app(recording, size)
    assert not found, "\n".join(found)


async def test_a_watch_reaches_the_terminal_as_drawn(tmp_path) -> None:
    """A watched program's panes (threads table, cores, verdict), whose figures move every second:
    only their changed cells are sent, with only the style codes that change (tui/sgr.py)."""
    from fixtures.watch_stream import stream

    recording = recorded(stream(12, ended=True), tmp_path / "watch.jsonl")
    found = await terminal_against_app(recording, (80, 24))
    assert not found, "\n".join(found)
