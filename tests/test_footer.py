"""At 80x24 the footer is legible (a gap after every key and group label) and whole, and the
results table draws no scrollbar glyphs once the runs outgrow it."""
from __future__ import annotations

import re

from conctui.export import render_screen
from fixtures import demo
from textual.widgets import Footer


async def test_the_compact_footer_reads_key_by_key_and_fits_80_columns() -> None:
    app = demo.demo_app("cpu", "processes", 4)
    async with app.run_test(size=(80, 24)) as pilot:
        await demo.show(pilot, demo.download_threads())
        footer = render_screen(app, None).split("\n")[-1]
        assert footer.startswith("s t p a i d mode ⏎ run c compare + - workers w load P py g gil ? help q quit")
        assert len(footer.rstrip()) <= 80  # the last key whole
        shown = {key.key for key in app.screen.query_one(Footer).query("FooterKey")}
        listed = {binding.key for binding in app.key_bindings}
        # help lists them; x shows mid-run
        assert shown <= listed and listed - shown == {"S", "T", "R", "tab", "ctrl+c", "x"}


async def test_no_scrollbar_glyphs_between_the_results_and_their_bars() -> None:
    """Six runs in a table that shows four: the cursor keeps the latest in view, no bar is drawn."""
    app = demo.demo_app("cpu", "processes", 4)
    async with app.run_test(size=(80, 24)) as pilot:
        await demo.show(pilot, demo.cpu_compare() + demo.shifted(demo.cpu_compare(), 12.0, 3))
        lines = render_screen(app, None).split("\n")
        top = next(y for y, line in enumerate(lines) if "results · " in line)
        pane = lines[top + 1:next(y for y in range(top, len(lines)) if lines[y].startswith("╰"))]
        table = [line for line in pane if re.match(r"│ (seq|threads|procs) ", line)]
        assert len(table) >= 3 and table[-1].split()[1] == "procs"  # the latest run is in view
        assert not [line for line in pane if re.search(r"[▁▂▃▄▅▆▇▏▎▍▌▋▊▉]", line)], pane
