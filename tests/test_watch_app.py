"""conctui watch's screen, as a person sees it: the one app (app.py) over a WatchSource fed a
fixed stream (deterministic), at 80x24; and a recorded watch replayed in the same app."""
from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from conctui.app import ConcApp
from conctui.cli import main
from conctui.engine.recording import Recorder, Recording
from conctui.replay_app import replay_app
from conctui.watch_source import NOT_HERE, WatchSource
from fixtures.watch_stream import stream


def _app(events: list, launched: bool = True) -> ConcApp:
    source = WatchSource(launched=launched)
    source(events)  # as the session's sink hands them over
    return ConcApp(source, ticking=False)


def _threads(app: ConcApp) -> str:
    return "\n".join(line.plain for line in app.panes.workers_pane.lines)


async def test_the_screen_shows_processes_threads_verdict_and_never_obeys_their_text() -> None:
    app = _app(stream())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = _threads(app)
        assert "4242 main" in screen and "4300 multiprocessing worker" in screen
        assert "cruncher_0" in screen and "\x1b" not in screen and "evil␛[2J" in screen
        assert "ran Python under one GIL" in str(app.panes.results_pane.render())
        header = str(app.panes.header_pane.render())
        assert header.startswith("watching pid 4242 · python app.py · CPython 3.11.7 · GIL on · 2 cores")
        for key in ("t", "c", "S", "T"):  # mode keys, compare, sweep, claims: greyed, each says why
            app.clear_notifications()
            await pilot.press(key)
            assert [n.message for n in app._notifications] == [
                "watching a program: it runs as it was written; this key chooses how conctui runs a workload"]
        assert app.state.runs == [] and app.screen is app.panes  # nothing ran, no screen opened


async def test_an_ended_program_says_its_code_and_keeps_its_figures() -> None:
    app = _app(stream(ended=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "ended with code 0 after 5.0 s" in str(app.panes.header_pane.render())
        assert "cruncher_0" in _threads(app)
        assert app.check_action("act", ("end",)) is None  # x: greyed once it has ended


async def test_x_on_an_attached_program_is_refused() -> None:
    app = _app(stream(), launched=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("x")
        assert any("never signals a program it attached to" in n.message for n in app._notifications)


async def test_x_ends_a_launched_program_off_the_ui_thread() -> None:
    app = _app(stream())
    ended = []
    app.source.stop = lambda: ended.append(True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("x")
        await app.workers.wait_for_complete()
        assert ended == [True]
        assert app.check_action("act", ("end",)) is None  # being ended: x does not apply twice
    assert ended == [True]  # q's close did not end it again


async def test_help_defines_every_watch_figure() -> None:
    app = _app(stream())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        assert set(app.screen._figures) >= {"cpu", "c", "held", "gil", "lock", "io", "slp", "frame", "verdict"}
        assert "x" in [b.key for b in app.screen._keys]


async def test_a_recorded_watch_replays_in_the_same_app() -> None:
    events = stream(ended=True)
    app = replay_app(Recording("watch.jsonl", {"t0": 0.0}, events, None), ticking=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("right", "right")  # seek 10 s: past the recording's end
        await pilot.pause()
        assert "cruncher_0" in _threads(app)
        assert "ended with code 0" in str(app.panes.header_pane.render())
        assert str(app.panes.header_pane.render()).startswith("▶")


def test_snapshot_of_a_recorded_watch(snap_compare) -> None:
    async def settle(pilot) -> None:
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(_app(stream()), terminal_size=(80, 24), run_before=settle)


async def test_q_ends_a_launched_program_off_the_ui_thread_then_quits() -> None:
    app = _app(stream())
    release, ended = threading.Event(), []

    def slow_stop() -> None:  # SIGINT, then SIGTERM at 2 s: ending a program takes seconds
        release.wait(10)
        ended.append(True)

    app.source.stop = slow_stop
    quit_now, quitting = app.quit_now, asyncio.Event()
    app.quit_now = lambda: (quit_now(), quitting.set())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
        app.frame()
        assert app.is_running and ended == []
        assert str(app.panes.header_pane.render()).startswith("ending… watching pid 4242")
        app.clear_notifications()
        await pilot.press("t")  # a key pressed meanwhile is answered
        assert [n.message for n in app._notifications] == [NOT_HERE]
        release.set()
        await asyncio.wait_for(quitting.wait(), 10)
        assert ended == [True] and app.return_code == 0
    assert ended == [True]  # ended once: the close on the way out did not end it again


@pytest.mark.parametrize("kind", ["--svg", "--asciicast", "--html", "--svg-animated"])
def test_a_watch_recording_exports_like_a_lab_recording(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                        kind: str) -> None:
    path, out = tmp_path / "watch.jsonl", tmp_path / "out"
    recorder = Recorder()
    recorder.start(str(path))
    recorder(stream(ended=True))
    recorder.stop()
    assert main(["export", str(path), kind, str(out)]) == 0, capsys.readouterr().err
    said = capsys.readouterr().out
    assert said.startswith(f"wrote {out}") and said.endswith(", 100x30\n")
    drawn = out.read_text()
    assert "cruncher_3" in drawn and "4300" in drawn and "\x1b]0;" not in drawn
    if kind != "--asciicast":  # a cast carries its colours as escape codes; the others carry none
        assert "\x1b" not in drawn
