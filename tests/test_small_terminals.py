"""Small terminals: from the least size the panes need (60x20) to 80x24 they shrink in
proportion, every one still boxed and nothing drawn outside a box."""
from __future__ import annotations

import re

import pytest
from conctui.export import render_screen
from fixtures import demo

BOXED = re.compile(r"^[╭│╰].*[╮│╯]$")  # a row of side-by-side boxes: border to border


def _mid_run():
    return demo.cpu_compare()[:-30]  # the processes run of a compare, live: every pane has something


def _widths(row: str) -> list[int]:
    """The widths of the boxes a row of the panes holds, borders included."""
    return [len(box) for box in re.findall(r"╭[^╮]*╮", row)]


@pytest.mark.parametrize("size", [(60, 20), (70, 22), (80, 24)])
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
