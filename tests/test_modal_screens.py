"""Every modal screen at 80x24 as a newcomer meets it: how to close it is on its first screen,
help speaks to users, and the Python picker lists one entry per version, in version order."""
from __future__ import annotations

import re

from conctui.engine.pythons import FoundPython, by_version
from conctui.export import render_screen
from conctui.widgets.sweep import SweepScreen
from conctui.widgets.sweep_plan import SweepPlan
from fixtures import demo

SIZE = (80, 24)

# what find_pythons returns on a machine like the one issue 25 was seen on: path order, 3.11
# three times (the running one, a pyenv shim, the system's), old versions among the new
FOUND = [
    FoundPython("/home/u/.venv/bin/python", (3, 11), False, "current"),
    FoundPython("/home/u/.pyenv/shims/python2.7", (2, 7), False, "PATH"),
    FoundPython("/home/u/.pyenv/shims/python3.11", (3, 11), False, "PATH"),
    FoundPython("/home/u/.pyenv/shims/python3.13", (3, 13), False, "PATH"),
    FoundPython("/home/u/.pyenv/shims/python3.6", (3, 6), False, "PATH"),
    FoundPython("/home/u/.pyenv/shims/python3.9", (3, 9), False, "PATH"),
    FoundPython("/usr/bin/python3.11", (3, 11), False, "PATH"),
    FoundPython("/home/u/.pyenv/versions/3.13.0/bin/python3", (3, 13), False, "pyenv"),
    FoundPython("/home/u/.cache/conctui/python3.13t/bin/python3.13t", (3, 13), True, "conctui build", "0"),
    FoundPython("/home/u/.cache/conctui/python3.13t/bin/python3.13t", (3, 13), True, "conctui build", "1"),
]


def test_by_version_gives_one_entry_per_version_sorted_with_the_too_old_last() -> None:
    entries = by_version(FOUND)
    assert [e.label for e in entries] == ["3.9", "3.11", "3.13", "3.13t GIL off", "3.13t GIL on", "2.7", "3.6"]
    three_eleven = entries[1]
    assert (three_eleven.path, three_eleven.also) == (FOUND[0].path, (FOUND[2].path, FOUND[6].path))
    assert entries[2].path == FOUND[7].path and entries[2].also == (FOUND[3].path,)  # pyenv's own, not its shim


async def _opened(key: str, found: list[FoundPython] | None = None, size: tuple[int, int] = SIZE) -> str:
    """The screen's text right after `key`, on the demo app after a finished download run."""
    app = demo.demo_app("cpu", "processes", 4)
    if found is not None:
        app.source.found_pythons = lambda: found
    async with app.run_test(size=size) as pilot:
        await demo.show(pilot, demo.download_threads())
        await pilot.press(key)
        await pilot.pause()
        return render_screen(app, None)


async def test_every_modal_says_how_to_close_it_on_its_first_screen() -> None:
    hints = {"question_mark": "help: escape closes", "T": "claims: a number measures its claim, escape closes",
             "w": "workload: enter picks, escape closes", "P": "python: enter picks, escape closes"}
    app = demo.demo_app("cpu", "processes", 4)
    app.source.found_pythons = lambda: FOUND
    async with app.run_test(size=SIZE) as pilot:
        await demo.show(pilot, demo.download_threads())
        for key, hint in hints.items():
            await pilot.press(key)
            await pilot.pause()
            screen = render_screen(app, None)
            assert app.screen is not app.panes and hint in screen, screen
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is app.panes, key


async def test_help_speaks_to_users_not_to_the_projects_developers() -> None:
    app = demo.demo_app()
    async with app.run_test(size=(80, 140)) as pilot:  # tall: the whole help on one screen
        await demo.show(pilot, demo.download_threads())
        await pilot.press("question_mark")
        await pilot.pause()
        screen = render_screen(app, None)
    assert "Keys" in screen and "Figures" in screen, screen
    assert not re.search(r"\b\w+/\w+\.py\b", screen), screen  # no source file named
    assert "this machine" not in screen and "not yet run" not in screen, screen


async def test_the_python_picker_lists_versions_in_order_and_the_too_old_last_one_line_each() -> None:
    screen = await _opened("P", FOUND, size=(80, 40))  # tall enough for the whole list
    inside = [row[4:] for row in screen.split("\n")]  # the picker is centred, 72 columns wide at 80
    firsts = [found[1] for row in inside if (found := re.match(r"│ +(\d\.\d+t?|also|below) ", row))]
    assert firsts == ["3.9", "3.11", "also", "also", "3.13", "also", "3.13t", "3.13t", "below", "2.7", "3.6"], screen
    assert "3.13t GIL off conctui build" in re.sub(r" +", " ", screen), screen  # the label and source apart
    old = [row for row in inside if re.match(r"│ (2\.7|3\.6) ", row)]
    # the reason is said once, above them, not wrapped into each row
    assert len(old) == 2 and all("below" not in row for row in old), old


def test_python_picker_snapshot(snap_compare) -> None:
    async def run_before(pilot) -> None:
        pilot.app.source.found_pythons = lambda: FOUND
        await demo.show(pilot, demo.download_threads())
        await pilot.press("P")
        await pilot.pause()

    assert snap_compare(demo.demo_app("cpu", "processes", 4), terminal_size=SIZE, run_before=run_before)


async def test_s_shows_the_sweeps_plan_first_and_escape_runs_nothing() -> None:
    app = demo.demo_app("cpu", "processes", 4)
    async with app.run_test(size=SIZE) as pilot:
        await demo.show(pilot, demo.download_threads())
        await pilot.press("S")
        await pilot.pause()
        assert isinstance(app.screen, SweepPlan)
        words = " ".join(render_screen(app, None).split())
        assert "sweep: enter starts, escape closes" in words, words
        # the demo's 4 cores: 1 to 8 workers, in the two modes a sweep compares
        assert "threads at 1, 2, 4, 8 workers" in words and "processes at 1, 2, 4, 8 workers" in words, words
        assert "8 runs, one after another" in words and "x stops it" in words, words
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.panes and not app.state.sweeps  # closed: nothing was started


async def test_the_sweeps_plan_says_about_how_long_from_this_sessions_runs() -> None:
    app = demo.demo_app("cpu", "processes", 4)
    async with app.run_test(size=SIZE) as pilot:
        await demo.show(pilot, demo.cpu_sweep()[:40])  # the first run of the demo's own cpu sweep: 1 thread, 2 s
        await pilot.press("S")
        await pilot.pause()
        words = " ".join(render_screen(app, None).split())
    # 1, 2, 4, 8 workers on 4 cores from one worker's 2 s, with half of each worker's work
    # serial (as before a fit): 2, 3, 5 and 10 s, in each of the two modes
    assert "8 runs, one after another: about 40 s" in words, words


async def test_enter_on_the_plan_starts_the_sweep_and_its_screen_says_how_to_leave() -> None:
    app = demo.demo_app("cpu", "processes", 4)
    async with app.run_test(size=SIZE) as pilot:
        await demo.show(pilot, demo.download_threads())
        await pilot.press("S", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SweepScreen) and len(app.state.sweeps) == 1
        assert "esc back to the panes" in render_screen(app, None).split("\n")[-1]


async def test_minus_at_one_worker_says_one_is_the_fewest() -> None:
    app = demo.demo_app("download", "threads", 1)
    said: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await demo.show(pilot, demo.download_threads())
        app.notify = lambda message, **kwargs: said.append(message)
        await pilot.press("minus")
        await pilot.pause()
        assert app.source.spec.worker_count == 1
        assert said == ["1 worker is the fewest a run takes"], said
        await pilot.press("plus", "minus")
        assert app.source.spec.worker_count == 1 and len(said) == 1  # from 2, - is a step, said by the header


def test_sweep_plan_snapshot(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await demo.show(pilot, demo.cpu_sweep()[:40])
        await pilot.press("S")
        await pilot.pause()

    assert snap_compare(demo.demo_app("cpu", "processes", 4), terminal_size=SIZE, run_before=run_before)
