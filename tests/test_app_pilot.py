"""The live TUI driven as a person would, through Textual's pilot, on real runs."""
from __future__ import annotations

import asyncio
import re
import sys
import time
from collections.abc import Callable

import psutil
import pytest
from conctui.app import ConcApp, live_app
from conctui.engine.modes import MODES
from conctui.engine.pythons import FoundPython, by_version, find_pythons, probe
from conctui.engine.runner_process import describe
from conctui.engine.spec import RunSpec, UsageError, parse_params, parse_workload
from conctui.export import render_screen
from conctui.panes import FRAME_HZ, IDLE_HZ
from conctui.widgets.clock import ElapsedClock
from conctui.widgets.help import HelpScreen
from conctui.widgets.picker import Picker

pytestmark = pytest.mark.process

QUICK = {"download": ["seconds=0.3", "steps=3"], "cpu": ["n=300000", "steps=5"]}


def make_app(workload: str = "download", mode: str = "threads", workers: int = 2, params: list[str] | None = None,
             **kwargs: object) -> ConcApp:
    ref = parse_workload(workload)
    values = parse_params(ref, QUICK.get(workload, []) if params is None else params)
    return live_app(RunSpec(ref, mode, workers, values), describe(sys.executable, ref, values), **kwargs)


async def until(pilot, predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    """Let the app run until `predicate` holds: each check follows a frame, with a deadline."""
    deadline = time.monotonic() + timeout
    shown = pilot.app.panes.frame_shown
    while not predicate():
        left = deadline - time.monotonic()
        assert left > 0, "the app never reached the expected state"
        shown.clear()
        try:
            await asyncio.wait_for(shown.wait(), left)
        except TimeoutError:
            raise AssertionError("the app never reached the expected state") from None


def finished(app: ConcApp, count: int) -> Callable[[], bool]:
    return lambda: len(app.figures) >= count and not app.source.runs.busy


async def test_enter_runs_and_the_panes_show_the_run() -> None:
    app = make_app(workers=3)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await until(pilot, finished(app, 1))
        run = app.figures[-1]
        assert (run["mode"], run["workers"], run["status"]) == ("threads", 3, "done")
        lines = [line.plain for line in app.panes.workers_pane.lines]
        assert len(lines) == 3
        assert lines[2].split()[:3] == ["2", f"t{app.state.current.workers[2].tid}", "done"]
        assert "wall" in app.query_one(ElapsedClock)._shown
        log_lines = app.query_one("#log").lines
        assert any("download complete" in line for line in log_lines)
        results = app.query_one("#results-table")
        assert results.row_count == 1


async def test_mode_keys_choose_the_next_run_even_during_a_run() -> None:
    app = make_app(params=["seconds=30", "steps=30"])  # long enough to be live on a loaded machine
    async with app.run_test(size=(80, 24)) as pilot:
        for key, mode in (("s", "sequential"), ("p", "processes"), ("a", "asyncio"), ("t", "threads")):
            await pilot.press(key)
            assert app.source.spec.mode == mode
        await pilot.press("enter")
        await until(pilot, lambda: app.state.live is not None)
        await pilot.press("p")  # mid-run: changes the choice, not the live run
        assert app.source.spec.mode == "processes"
        assert app.state.live.started.mode == "threads"
        await pilot.press("enter")  # no second run on top of the first
        await pilot.press("x")
        await until(pilot, finished(app, 1))
        assert [(f["mode"], f["status"]) for f in app.figures] == [("threads", "cancelled")]
        assert len(app.state.runs) == 1


@pytest.mark.timing
async def test_frames_slow_down_when_idle_and_a_key_or_a_run_speeds_them_up() -> None:
    app = make_app(params=["seconds=30", "steps=60"])  # a run that outlasts the idle second; x ends it
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.panes.frame_hz == FRAME_HZ  # the opening second
        await until(pilot, lambda: app.panes.frame_hz == IDLE_HZ)
        await pilot.press("p")
        assert app.panes.frame_hz == FRAME_HZ  # the key's effect is shown at once
        await until(pilot, lambda: "processes" in render_screen(app, None).split("\n")[0])
        await until(pilot, lambda: app.panes.frame_hz == IDLE_HZ)
        await pilot.press("t", "enter")
        await until(pilot, lambda: app.state.live is not None)
        keys_done = time.monotonic()
        await until(pilot, lambda: time.monotonic() - keys_done > 1.5)  # past the idle second, no key
        assert app.panes.frame_hz == FRAME_HZ  # the live run keeps the full rate
        await pilot.press("x")
        await until(pilot, finished(app, 1))
        await until(pilot, lambda: app.panes.frame_hz == IDLE_HZ)  # the run over, idle again


async def test_an_unavailable_mode_is_greyed_and_says_why() -> None:
    app = make_app("cpu")
    said: list[str] = []
    app.notify = lambda message, **kwargs: said.append(message)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.check_action("act", ("mode", "asyncio")) is None
        assert app.check_action("act", ("mode", "processes")) is True
        await pilot.press("a")
        await pilot.pause()
        assert app.source.spec.mode == "threads"
        assert any("plain function" in message for message in said)


async def test_workers_keys_change_the_next_run() -> None:
    app = make_app(workers=2)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("plus", "plus")
        assert app.source.spec.worker_count == 4
        await pilot.press("minus", "minus", "minus", "minus", "minus")
        assert app.source.spec.worker_count == 1


async def test_compare_runs_every_available_mode_and_fills_results() -> None:
    app = make_app(workers=2)
    expected = [mode for mode in MODES if not app.source.unavailable(mode)]
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        await until(pilot, lambda: len(app.figures) >= len(expected) and not app.source.runs.busy, timeout=90)
        assert [f["mode"] for f in app.figures] == expected
        assert all(f["status"] == "done" for f in app.figures)
        table = app.query_one("#results-table")
        assert table.row_count == len(expected)
        # by its label: the table shows a workload, python or status column only where they differ
        speedup = table.get_row_at(0)[[str(c.label).strip() for c in table.ordered_columns].index("speedup")]
        assert "1.00x" in str(speedup)  # sequential against itself


async def test_cancel_stops_a_compare_and_the_live_run() -> None:
    app = make_app(params=["seconds=5", "steps=50"])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        await until(pilot, lambda: app.state.live is not None)
        await pilot.press("x")
        await until(pilot, lambda: not app.source.runs.busy and len(app.figures) == 1)
        assert app.figures[0]["status"] == "cancelled"
        assert not app.source.runs.queue


async def test_workload_picker_switches_the_workload() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("w")
        assert isinstance(app.screen, Picker)
        picker = app.screen.query_one("OptionList")
        picker.highlighted = [o.id for o in picker.options].index("cpu")
        await pilot.press("enter")
        await until(pilot, lambda: app.source.spec.workload.text == "cpu")
        assert app.source.info.workload.kind == "cpu"
        await pilot.press("a")
        assert app.source.spec.mode == "threads"  # cpu has no async version: greyed


async def test_help_lists_every_key_and_defines_the_figures() -> None:
    app = make_app()
    async with app.run_test(size=(100, 60)) as pilot:  # tall enough that the first figures show unscrolled
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.pause()  # pushed is not yet painted: on a loaded machine the screen showed the panes
        help_pane, text = app.screen.query_one("#help"), ""
        while True:  # the keys and figures run past one screen: read it page by page
            text += render_screen(app, None)
            if help_pane.scroll_y >= help_pane.max_scroll_y:
                break
            help_pane.scroll_page_down(animate=False)
            await pilot.pause()
        for word in ("enter", "compare", "record", "claims", "sweep", "GIL wait", "parallelism", "efficiency",
                     "speedup"):
            assert word in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_record_key_writes_a_recording(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("R")
        assert app.source.recorder.recording
        await pilot.press("enter")
        await until(pilot, finished(app, 1))
        await pilot.press("R")
        assert not app.source.recorder.recording
    files = list(tmp_path.glob("conctui-*.jsonl"))
    assert len(files) == 1
    assert b'"run_finished"' in files[0].read_bytes()


LONG_CPU = ["n=200000000", "steps=100"]


async def start_processes_run(pilot) -> list[psutil.Process]:
    """Start the app's run and wait until every worker process runs: the runner and its children."""
    app = pilot.app
    await pilot.press("enter")
    await until(pilot, lambda: app.state.live is not None
                and all(w.status == "running" for w in app.state.live.workers))
    runner = psutil.Process(app.source.session.runner.pid)
    family = [runner, *runner.children(recursive=True)]
    assert len(family) >= 3  # the runner and its two workers
    return family


async def test_quitting_during_a_processes_run_leaves_no_child() -> None:
    app = make_app("cpu", "processes", params=LONG_CPU)
    async with app.run_test(size=(80, 24)) as pilot:
        family = await start_processes_run(pilot)
        await pilot.press("q")
    gone, alive = psutil.wait_procs(family, timeout=3)
    assert not alive


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_many_workers_scroll_in_the_workers_pane(size) -> None:
    app = make_app(workers=40, params=["seconds=0.2", "steps=2"])
    async with app.run_test(size=size) as pilot:
        await pilot.press("enter")
        await until(pilot, finished(app, 1))
        pane = app.panes.workers_pane
        assert len(pane.lines) == 40 and all("done" in line.plain for line in pane.lines)
        assert pane.max_scroll_y > 0
        last_row = re.compile(r"\s39 t\d+\s+done")
        assert not last_row.search(render_screen(app, None))
        pane.scroll_end(animate=False)
        await pilot.pause()
        assert last_row.search(render_screen(app, None))  # the last worker can be scrolled to


def other_python() -> FoundPython:
    """The newest Python the picker lists whose minor version is not this one's and whose runner
    answers (a pyenv shim of a version not installed does not), or skip saying so."""
    others = [found for found in by_version(find_pythons()) if found.version not in (None, sys.version_info[:2])
              and not found.free_threaded and not found.unavailable]
    for found in sorted(others, key=lambda found: found.version, reverse=True):
        try:
            probe(found.path)
        except UsageError:
            continue
        return found
    pytest.skip(f"the Python finder lists no working Python but {sys.version_info[0]}.{sys.version_info[1]}")


async def test_python_key_runs_the_workers_under_another_interpreter() -> None:
    other = other_python()
    version = "%d.%d." % other.version
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("P")
        assert isinstance(app.screen, Picker)
        picker = app.screen.query_one("OptionList")
        picker.highlighted = [o.id for o in picker.options].index(other.path)
        await pilot.press("enter")
        await until(pilot, lambda: app.source.spec.python == other.path)
        assert app.source.info.python.version.startswith(version)
        await pilot.press("enter")
        await until(pilot, finished(app, 1))
        assert app.figures[-1]["python"]["version"].startswith(version)


async def test_switch_interval_key_cycles_for_the_next_run() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("g")
        assert app.source.spec.switch_interval_ms == 1.0
        await pilot.press("enter")
        await until(pilot, finished(app, 1))
        assert app.state.runs[-1].started.options["switch_interval_ms"] == 1.0
        await pilot.press("g", "g", "g")
        assert app.source.spec.switch_interval_ms == 5.0


async def test_a_crash_in_the_ui_still_reaps_the_run() -> None:
    app = make_app("cpu", "processes", params=LONG_CPU)

    crashed = asyncio.Event()

    def broken(*args: object) -> None:
        crashed.set()
        raise RuntimeError("a bug in a pane")

    with pytest.raises(RuntimeError, match="a bug in a pane"):
        async with app.run_test(size=(80, 24)) as pilot:
            family = await start_processes_run(pilot)
            app.panes.clock_pane.show = broken
            await asyncio.wait_for(crashed.wait(), 30)  # the next frame calls it, and the app dies
    gone, alive = psutil.wait_procs(family, timeout=3)
    assert not alive
