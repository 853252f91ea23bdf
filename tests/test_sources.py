"""The one app over any source: the stub's fixed stream drives the same screen as a live
session and a replay, and the live app answers keys while a check runs off the UI thread."""
from __future__ import annotations

import ast
import threading
from pathlib import Path

import pytest
from conctui.app import ConcApp, live_app
from conctui.engine.spec import RunSpec, parse_params, parse_workload
from conctui.runner.request import RunnerInfo, WorkloadFacts
from conctui.watch_source import WatchSource
from fixtures import demo
from fixtures.stub_source import StubSource
from fixtures.watch_stream import stream as watch_stream
from textual.widgets import Footer

STUB = Path(__file__).parent / "fixtures" / "stub_source.py"
WATCH = Path(__file__).parent.parent / "tui" / "watch_source.py"


@pytest.mark.parametrize("path", [STUB, WATCH], ids=["stub", "watch"])
def test_a_source_needs_only_the_source_contract_and_the_engine(path: Path) -> None:
    """What a source (the stub's, `conctui watch`'s) may import: nothing of the app, the screen or the panes."""
    tree = ast.parse(path.read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    ours = {name for name in imported if name.startswith("conctui")}
    assert "conctui.source" in ours, "the source imports the contract"
    assert all(name == "conctui.source" or name.startswith("conctui.engine.") for name in ours), ours
    assert not {"textual", "rich"} & {name.split(".")[0] for name in imported}, imported


async def test_the_stub_drives_the_panes_through_its_own_key() -> None:
    stream = demo.download_threads()
    half = len(stream) // 2
    app = ConcApp(StubSource([stream[:half], stream[half:]]), ticking=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(Footer)
        assert "next" in [key.description for key in footer.query("FooterKey")]
        assert app.state.current is None
        await pilot.press("n")  # its effect is shown at once: the app frames after a source's key
        assert app.state.live is not None
        assert app.panes.header_pane._shown.note == "stub · "
        await pilot.press("n")
        assert app.state.live is None and [f["mode"] for f in app.figures] == ["threads"]
        assert app.panes.results_pane.query_one("#results-table").row_count == 1
        assert app.check_action("act", ("step",)) is False  # the stream is over: the key leaves the footer
        await pilot.press("question_mark")  # help lists the source's keys with the app's, and its notes
        assert [b.key for b in app.screen._keys] == ["n", "S", "T", "tab", "question_mark", "q", "ctrl+c"]
        assert app.screen._notes == ["a fixed stream: 0 steps to go"]


async def test_a_watched_program_drives_the_same_screen() -> None:
    """The watch's source (conctui watch) in the one app: its events fold into the one model, its
    panes fill the workers and results slots, and the app's run keys say why they do not apply."""
    source = WatchSource(launched=True)
    events = watch_stream()
    source(events[:2])  # the watch's start and its first sample, as the session's sink hands them over
    app = ConcApp(source, ticking=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.state.watch is not None and app.state.watch.started.pid == 4242
        assert app.panes.header_pane._shown.pid == 4242
        assert len(app.state.hosts[""].now) == 2  # its cores, folded as any host's
        footer = [key.description for key in app.screen.query_one(Footer).query("FooterKey")]
        assert footer[:2] == ["end", "rec"] and "modes" not in footer  # its own keys; the run keys' are off it
        source(events[2:])
        app.frame()
        assert "cruncher_0" in "\n".join(line.plain for line in app.panes.workers_pane.lines)
        app.frame()  # the last second's verdict comes in the frame after a sample's (widgets/verdict_lines.py),
        app.frame()  # the whole watch's in the frame after that
        assert "whole watch, 5 s" in app.panes.results_pane.text.plain
        assert app.check_action("sweep", ()) is None and app.check_action("claims", ()) is None  # greyed
        assert app.check_action("act", ("end",)) is True


async def test_a_key_pressed_during_a_capacity_check_is_answered_within_a_frame(monkeypatch) -> None:
    """The check runs in a worker thread (it may start a runner and wait up to 60 s): meanwhile
    the header says so, frames go on, and a key's effect shows in the next one."""
    release = threading.Event()
    began = threading.Event()

    def slow_check(spec: RunSpec, footprint) -> None:
        began.set()
        assert release.wait(10), "the test never released the check"

    monkeypatch.setattr("conctui.run_queue.capacity.check", slow_check)
    ref = parse_workload("download")
    info = RunnerInfo(demo.PYTHON, WorkloadFacts("download", has_async=True))
    app = live_app(RunSpec(ref, "threads", 3, parse_params(ref, [])), info, open_session=demo.DemoSession)
    said: list[str] = []
    app.notify = lambda message, **kwargs: said.append(message)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        assert began.wait(5)
        shown = app.panes.frame_shown
        shown.clear()
        await shown.wait()
        assert app.panes.header_pane._shown.note.startswith("checking threads x3")
        await pilot.press("plus")
        shown.clear()
        await shown.wait()  # the next frame
        assert app.panes.header_pane._shown.worker_count == 4
        assert app.check_action("act", ("run",)) is False  # run waits for the check
        release.set()
        while app.source.runs.checking is not None:  # the worker's result comes back to the UI thread
            await pilot.pause()
        assert said[-1] == "the demo stream runs nothing"  # the check passed; the demo session then refuses
        shown.clear()
        await shown.wait()
        assert app.panes.header_pane._shown.note == "next: "
