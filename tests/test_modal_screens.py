"""Every modal screen at 80x24 as a newcomer meets it: how to close it is on its first screen,
help speaks to users, and the Python picker lists one entry per version, in version order."""
from __future__ import annotations

import re

import pytest
from conctui.engine.pythons import FoundPython, by_version
from conctui.export import render_screen
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


@pytest.mark.parametrize(("key", "hint"), [("question_mark", "help: escape closes"),
                                           ("T", "escape closes"),
                                           ("w", "workload: enter picks, escape closes"),
                                           ("P", "python: enter picks, escape closes")])
async def test_every_modal_says_how_to_close_it_on_its_first_screen(key: str, hint: str) -> None:
    screen = await _opened(key, FOUND)
    assert hint in screen, screen


async def test_help_speaks_to_users_not_to_the_projects_developers() -> None:
    app = demo.demo_app()
    async with app.run_test(size=(80, 200)) as pilot:  # tall: the whole help on one screen
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
