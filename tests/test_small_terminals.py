"""Small terminals: below the size the panes need, one message that says the size needed, gone
when the terminal grows back; between that and 80x24 the panes shrink in proportion, every one
still boxed and nothing drawn outside a box."""
from __future__ import annotations

import re

import pytest
from conctui.export import render_screen
from conctui.widgets.too_small import MIN_SIZE, TooSmall
from fixtures import demo

BOXED = re.compile(r"^[╭│╰].*[╮│╯]$")  # a row of side-by-side boxes: border to border


def _mid_run():
    return demo.cpu_compare()[:-30]  # the processes run of a compare, live: every pane has something


def _widths(row: str) -> list[int]:
    """The widths of the boxes a row of the panes holds, borders included."""
    return [len(box) for box in re.findall(r"╭[^╮]*╮", row)]


async def test_below_the_size_needed_one_message_says_it_and_the_panes_come_back_when_it_grows() -> None:
    app = demo.demo_app("cpu", "processes", 4)
    async with app.run_test(size=(50, 15)) as pilot:
        await demo.show(pilot, _mid_run())
        await pilot.pause()
        assert isinstance(app.screen, TooSmall)
        screen = render_screen(app, None)
        words = " ".join(screen.split())
        assert f"this one is 50x15; conctui needs {MIN_SIZE.width}x{MIN_SIZE.height}" in words, screen
        assert "╭" not in screen, screen  # the message alone, no squeezed pane
        await pilot.resize_terminal(30, 10)
        await pilot.pause()
        assert "this one is 30x10;" in " ".join(render_screen(app, None).split())
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert app.screen is app.panes
        assert "╭─ workers" in render_screen(app, None)


@pytest.mark.parametrize("size", [(MIN_SIZE.width, MIN_SIZE.height), (70, 22), (80, 24)])
async def test_from_the_least_size_to_80x24_every_pane_is_boxed_in_proportion(size: tuple[int, int]) -> None:
    app = demo.demo_app("cpu", "processes", 4)
    async with app.run_test(size=size) as pilot:
        await demo.show(pilot, _mid_run())
        await pilot.pause()
        assert app.screen is app.panes
        rows = render_screen(app, None).split("\n")
    assert len(rows) == size[1] and rows[0].lstrip().startswith("cpu x4"), rows  # the header on top: no scroll
    panes = rows[1:-1]  # between the header and the footer: boxes only, nothing outside a border
    assert all(BOXED.match(row) for row in panes), "\n".join(panes)
    titles = [title for row in panes for title in re.findall(r"╭─ (\w+)", row)]
    assert titles == ["workers", "cores", "results", "output"], titles
    workers, cores = _widths(panes[0])
    assert workers + cores == size[0] and 1.2 <= workers / cores <= 1.8, (workers, cores)  # 3:2 at 80


def test_too_small_snapshot(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await demo.show(pilot, _mid_run())
        await pilot.pause()

    assert snap_compare(demo.demo_app("cpu", "processes", 4), terminal_size=(50, 15), run_before=run_before)
