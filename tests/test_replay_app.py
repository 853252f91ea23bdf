"""Replays look like the live run: the replay keys, SVG frames and asciicast files."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyte
import pytest
from conctui.engine.recording import Recorder, read_recording
from conctui.engine.state import SessionState, apply
from conctui.replay_app import replay_app
from fixtures import demo


@pytest.fixture
def recording_file(tmp_path: Path) -> Path:
    """The demo's cpu compare, written through the real Recorder."""
    path = tmp_path / "demo.jsonl"
    recorder = Recorder.open(path)
    recorder(demo.cpu_compare())
    recorder.stop()
    return path


async def test_replay_keys_pause_seek_and_speed(recording_file: Path) -> None:
    app = replay_app(read_recording(recording_file))
    async with app.run_test(size=(80, 24)) as pilot:
        player = app.source.player
        await pilot.press("space")
        assert player.paused
        app.action_act("seek", -player.elapsed)  # back to the start, however much played before the pause
        start = player.elapsed
        await pilot.press("right", "right")
        assert player.elapsed == pytest.approx(start + 10.0)
        await pilot.press("left")
        assert player.elapsed == pytest.approx(start + 5.0)
        assert len(app.state.runs) == 1  # refolded from the start: only the first run has begun
        await pilot.press("greater_than_sign", "greater_than_sign")
        assert player.speed == 4.0
        await pilot.press("less_than_sign")
        assert player.speed == 2.0
        for _ in range(5):
            await pilot.press("right")
        assert player.finished
        await pilot.pause()
        assert [f["mode"] for f in app.figures] == ["sequential", "threads", "processes"]


async def test_replay_ends_in_the_state_a_live_fold_ends_in(recording_file: Path) -> None:
    live = SessionState()
    for event in demo.cpu_compare():
        apply(live, event)
    app = replay_app(read_recording(recording_file), ticking=False)
    async with app.run_test(size=(80, 24)) as pilot:
        step = app.source.player.seek(app.source.player.end)
        app.feed(step.events)
        app.frame()
        await pilot.pause()
    assert [(r.started, r.finished) for r in app.state.runs] == [(r.started, r.finished) for r in live.runs]
    assert [[w.status for w in r.workers] for r in app.state.runs] == [[w.status for w in r.workers]
                                                                       for r in live.runs]


def _conctui(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "conctui", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.process
def test_asciicast_is_well_formed_and_plays_to_the_figures(recording_file: Path, tmp_path: Path) -> None:
    cast = tmp_path / "demo.cast"
    done = _conctui("export", str(recording_file), "--asciicast", str(cast), "--size", "100x30")
    assert done.returncode == 0, done.stderr
    header, *frames = [json.loads(line) for line in cast.read_text().splitlines()]
    assert (header["version"], header["width"], header["height"]) == (2, 100, 30)
    times = [frame[0] for frame in frames]
    assert times == sorted(times) and len(frames) > 10
    assert all(kind == "o" and isinstance(text, str) for _, kind, text in frames)
    screen = pyte.Screen(100, 30)
    stream = pyte.Stream(screen)
    for _, _, text in frames:
        stream.feed(text)
    shown = "\n".join(screen.display)
    for figure in ("sequential", "processes", "3.48x", "8.00s", "parallelism 3.83"):
        assert figure in shown, shown


@pytest.mark.process
def test_svg_frame_at_a_moment(recording_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "frame.svg"
    done = _conctui("export", str(recording_file), "--svg", str(out), "--at", "5", "--size", "80x24")
    assert done.returncode == 0, done.stderr
    svg = out.read_text()
    assert svg.startswith("<svg") and "sequential" in svg and "processes" not in svg


async def test_seeking_back_shows_only_the_runs_ended_by_then(recording_file: Path) -> None:
    app = replay_app(read_recording(recording_file))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space")
        for _ in range(6):
            await pilot.press("right")
        await pilot.pause()
        assert len(app.figures) == 3
        app.action_act("seek", -app.source.player.duration)  # back to the start
        await pilot.pause()
        assert app.figures == [] and app.panes.results_pane.query_one("#results-table").row_count == 0


async def test_the_header_shows_the_recording_at_once_and_the_speed_even_while_paused(recording_file: Path) -> None:
    """No blank header before the first run's start falls due; `<` and `>` answer in it while paused."""
    app = replay_app(read_recording(recording_file), ticking=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.panes.frame_shown.wait()
        assert app.state.current is None  # nothing is due yet at 0 s
        header = str(app.panes.header_pane.render())
        assert header.startswith("▶ 0/") and "1x · cpu x4 · sequential" in header
        await pilot.press("space", "greater_than_sign")
        header = str(app.panes.header_pane.render())
        assert "2x paused · " in header and header.startswith("⏸")
        await pilot.press("less_than_sign", "less_than_sign")
        assert "0.5x paused · " in str(app.panes.header_pane.render())


async def test_the_footer_names_seeking_with_the_arrows(recording_file: Path) -> None:
    app = replay_app(read_recording(recording_file), ticking=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        footer = " ".join(str(widget.render()) for widget in app.screen.query("FooterKey, FooterLabel"))
        assert "← → seek 5s" in footer and "< > speed" in footer
