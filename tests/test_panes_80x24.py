"""A newcomer's screen at 80x24 (issue 25): the header shortens rather than cuts and always says
●REC; the results tell Pythons apart and keep the latest compare's rows beside its verdict; the
cores pane shows what the next run uses; notices replace their kind instead of stacking; output
wraps instead of being cut. Pilot tests of the one app over deterministic streams (tests/fixtures)."""
from __future__ import annotations

import pytest
from conctui.app import ConcApp
from conctui.engine.events import Output, RunStarted
from conctui.export import render_screen
from conctui.runner.run_events import SubInterpreters
from conctui.source import HeaderLine
from conctui.widgets.header import header_text
from fixtures import demo
from fixtures.stub_source import StubSource

SIZE = (80, 24)
EXPERIMENTAL = demo.FREE_THREADED.replace(usable_cores=2, interpreters=SubInterpreters("_interpreters", True))


class RecordingStub(StubSource):
    """The stub's stream, its header saying what a recording live session's says between runs."""

    def header(self, state):
        run = state.current
        return None if run is None else HeaderLine.of_run(run.started, True, "next: ")


def interpreters_run() -> list:
    """One sub-interpreters run under an experimental API, with a switch interval: the longest header."""
    run = demo._run(0.2, 1, "interpreters", "cpu", {"n": 8_000_000}, 2, 3.61, 3.5, [98.0, 97.0], False)
    return [e.replace(python=EXPERIMENTAL, options={"switch_interval_ms": 0.2}) if isinstance(e, RunStarted) else e
            for e in run]


def interpreters_app() -> ConcApp:
    return ConcApp(RecordingStub([interpreters_run()]), ticking=False)


async def _step(app: ConcApp, pilot) -> None:
    await app.panes.frame_shown.wait()
    await pilot.press("n")
    app.frame()
    await pilot.pause()


def screen(app: ConcApp) -> list[str]:
    return render_screen(app, None).split("\n")


@pytest.mark.parametrize("width", [80, 60, 40])
def test_the_header_shortens_most_important_first_and_keeps_rec(width: int) -> None:
    line = HeaderLine.of_run(interpreters_run()[0], True, "next: ")
    text = header_text(line, width).plain
    assert len(text) <= width and text.endswith("●REC")
    assert text.startswith("next: cpu x2 · interpreters (exp")  # what runs, then its mode
    assert "private" not in text  # the caveat's reason is for help and a notice, not the header
    full = header_text(line, 200).plain
    assert full == ("next: cpu x2 · interpreters (experimental) · CPython 3.13.5 · GIL off · 2 cores · spawn"
                    " · switch 0.2ms  ●REC")
    if width == 80:  # the Python, the GIL and the cores survive, shortened; the switch interval gives way
        assert "interpreters (exp.) · 3.13.5 · GIL off · 2c · spn  ●REC" in text


async def test_the_header_at_80_columns_shows_rec_and_the_python_beside_a_long_mode() -> None:
    app = interpreters_app()
    async with app.run_test(size=SIZE) as pilot:
        await _step(app, pilot)
        header = screen(app)[0]
        assert "●REC" in header and "interpreters (exp" in header and "GIL off" in header and "2c" in header


def test_header_snapshot(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await _step(pilot.app, pilot)
        await pilot.pause()  # a notice is a message: handled, then cleared (its lifetime is wall time)
        pilot.app.clear_notifications()
        for _ in range(50):  # the footer drops the stub's spent key when it recomposes, a few messages on
            if not [key for key in pilot.app.screen.query("FooterKey") if key.key == "n"]:
                break
            await pilot.pause()

    assert snap_compare(interpreters_app(), terminal_size=SIZE, run_before=run_before)


async def test_rows_of_two_pythons_say_which_python_ran_them() -> None:
    app = demo.demo_app("cpu", "threads", 2)
    async with app.run_test(size=SIZE) as pilot:
        await demo.show(pilot, demo.two_pythons())
        rows = [line for line in screen(app) if line.startswith("│ 3.1") and line.split()[4] == "threads"]
        assert [row.split()[1:4] for row in rows] == [["3.12", "GIL", "on"], ["3.13t", "GIL", "off"]]
        assert any("3.13t GIL off cpu x2: median wall" in line for line in screen(app))


async def test_one_python_needs_no_python_column() -> None:
    app = demo.demo_app("cpu", "processes", 4)
    async with app.run_test(size=SIZE) as pilot:
        await demo.show(pilot, demo.cpu_compare())
        assert "python" not in str(app.panes.results_pane.query_one("#results-table").columns)


async def test_the_latest_compare_and_its_verdict_show_together_and_older_rows_say_so() -> None:
    """Two compares of cpu, then one of shared (with its memory lines): the shared rows and the
    verdict are in view; the memory lines take only the rows left; older rows are counted."""
    app = demo.demo_app("shared", "processes", 2)
    stream = (demo.cpu_compare() + demo.shifted(demo.cpu_compare(), 20.0, 3)
              + demo.shifted(demo.shared_compare(), 40.0, 6))
    async with app.run_test(size=SIZE) as pilot:
        await demo.show(pilot, stream)
        lines = screen(app)
        top = next(y for y, line in enumerate(lines) if "results · " in line)
        bottom = next(y for y in range(top + 1, len(lines)) if lines[y].startswith("╰"))
        pane = "\n".join(lines[top:bottom + 1])
        shared = [line for line in lines[top:bottom] if line.startswith("│ shared ")]
        assert [line.split()[2] for line in shared] == ["threads", "procs"]
        for entry in app.panes.results_pane.entries:
            assert entry["mode"] in pane  # every verdict line
        assert "↑ 6 older: ↑↓" in lines[bottom]  # 8 runs, 2 in view
        await pilot.press("up", "up")  # the focused results table: an older run
        assert app.panes.results_pane.query_one("#results-table").cursor_row == 5


async def test_after_a_dask_run_the_cores_pane_shows_what_the_next_run_uses() -> None:
    app = demo.demo_app("cpu", "threads", 4)  # the next run: threads, on this machine's cores
    async with app.run_test(size=SIZE) as pilot:
        await demo.show(pilot, demo.dask_two_hosts())
        side = "\n".join(line[48:] for line in screen(app)[1:8])
        assert "node-a" not in side and "tcp://" not in side, side
        assert "dask done · wall 2.10 s" in side  # the last run's figures stay


def test_cores_after_dask_snapshot(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await demo.show(pilot, demo.dask_two_hosts())

    assert snap_compare(demo.demo_app("cpu", "threads", 4), terminal_size=SIZE, run_before=run_before)


def test_two_pythons_snapshot(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await demo.show(pilot, demo.two_pythons())

    assert snap_compare(demo.demo_app("cpu", "threads", 2), terminal_size=SIZE, run_before=run_before)


async def test_a_notice_replaces_the_one_of_its_kind() -> None:
    app = demo.demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await demo.show(pilot, demo.download_threads())
        await pilot.press("g", "g", "g", "g")
        await pilot.pause()
        assert [n.message for n in app._notifications] == ["next run: switch interval 5 ms"]
        app.say("threads: done, wall 2.00 s")  # another kind stays beside it
        await pilot.pause()
        assert len(list(app._notifications)) == 2


async def test_a_long_output_line_wraps_and_the_pane_says_what_is_out_of_sight() -> None:
    app = demo.demo_app()
    long = "no GIL: free-threaded build with the GIL off, so the threads ran at once on every core they had"
    async with app.run_test(size=SIZE) as pilot:
        await demo.show(pilot, demo.download_threads() + [Output(2.4, 0, long)])
        log = app.panes.log_pane
        assert [text.plain for _, text in list(log.rows)[-2:]] == [  # 78 cells: nothing cut off
            "[0] no GIL: free-threaded build with the GIL off, so the threads ran at once",
            "    on every core they had"]
        assert log.border_subtitle.startswith("↑ ") and "tab, ↑↓" in log.border_subtitle
        await pilot.press("tab")
        assert app.focused is log
        await pilot.press("up")
        assert "↓ 1 more" in log.border_subtitle


async def test_help_lists_tab_and_the_arrows() -> None:
    app = demo.demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await demo.show(pilot, demo.download_threads())
        await pilot.press("question_mark")
        listed = {binding.key: binding.tooltip for binding in app.screen._keys}
        assert "↑↓" in listed["tab"] and "older runs" in listed["tab"]


def five_modes() -> list:
    """The default compare's five modes of sleeping downloads, on a machine that other programs
    keep busy while the sequential run is live: a verdict of four lines, with a busy caveat."""
    params = {"seconds": 2.0, "steps": 20}
    runs = [("sequential", 6.0, [95.0, 90.0]), ("threads", 2.0, [2.0, 1.0]), ("processes", 2.4, [20.0, 15.0]),
            ("asyncio", 2.02, [2.0, 1.0]), ("dask", 2.3, [10.0, 8.0])]
    events: list = []
    t0 = 0.2
    for number, (mode, wall, load) in enumerate(runs, 1):
        events += demo._run(t0, number, mode, "download", params, 3, wall, 0.0, load, False)
        t0 += wall + 0.5
    return events


async def test_a_compare_of_five_modes_keeps_every_row_and_the_winner_beside_a_long_verdict() -> None:
    """Five rows and four verdict lines need 10 rows where 9 are: the busy caveat gives way, never a row."""
    app = demo.demo_app("download", "threads", 3)
    async with app.run_test(size=SIZE) as pilot:
        await demo.show(pilot, five_modes())
        pane = app.panes.results_pane
        assert len(pane.entries) >= 4 and any(entry["reason"] == "busy" for entry in pane.entries)
        lines = screen(app)
        top = next(y for y, line in enumerate(lines) if "results · " in line)
        inside = lines[top + 1:top + 10]
        assert [line.split()[1] for line in inside[1:6]] == ["seq", "threads", "procs", "async", "dask"]
        verdict = inside[6:]
        assert "won in" in verdict[0] and not any("other programs" in line for line in verdict)
        assert "older" not in lines[top + 10]


def test_the_verdict_in_fewer_lines_leaves_out_the_busy_caveats_first_then_says_how_many_more(monkeypatch) -> None:
    import conctui.widgets.results as results

    entries = [{"mode": "threads", "reason": "won"}, {"mode": "sequential", "reason": "busy"},
               {"mode": "processes", "reason": "startup"}, {"mode": "dask", "reason": "busy"}]
    monkeypatch.setattr(results, "brief", lambda entry: f"{entry['mode']} {entry['reason']}")
    assert results.verdict_text(entries, 4).plain.split("\n") == [
        "threads won", "sequential busy", "processes startup", "dask busy"]
    assert results.verdict_text(entries, 2).plain.split("\n") == ["threads won", "processes startup (+2 more)"]
    assert results.verdict_text(entries, 1, 21).plain == "threads won (+3 more)"
    assert results.verdict_text(entries, 1, 18).plain == "threads… (+3 more)"


async def test_i_under_an_experimental_api_says_why_in_a_notice_and_in_help() -> None:
    """The header has room for `(exp.)`; the reason itself is told when the mode is chosen, and in help."""
    app = demo.demo_app("cpu", "threads", 2)
    app.source.info = app.source.info.replace(python=EXPERIMENTAL)
    async with app.run_test(size=SIZE) as pilot:
        await demo.show(pilot, [])
        await pilot.press("i")
        await pilot.pause()
        assert [n.message for n in app._notifications] == [
            "interpreters: experimental: Python 3.13.5's private _interpreters module"]
        assert "interpreters (exp" in screen(app)[0] and "private" not in screen(app)[0]
        assert "interpreters: experimental: Python 3.13.5's private _interpreters module" in app.source.help_notes()
