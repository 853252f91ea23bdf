"""The results table draws its header and rows at the same column widths, whenever a line was
drawn: Textual measures new rows when idle, after a frame may already have drawn the header
(an export of gil-threads drew the header narrower than its rows in 6 of 32 runs at once)."""
from __future__ import annotations

from conctui.widgets.table import ReadOnlyTable
from textual.app import App, ComposeResult


class TableApp(App):
    def compose(self) -> ComposeResult:
        yield ReadOnlyTable()


async def test_a_column_widened_when_idle_has_every_cached_line_drawn_again() -> None:
    """Textual keys its cached lines by an update count, not by the widths: widening a column
    must move that count, or a line drawn before keeps the old widths."""
    app = TableApp()
    async with app.run_test(size=(40, 6)) as pilot:
        table = app.query_one(ReadOnlyTable)
        table.add_column("mode", key="mode")
        table.add_column("n", key="n")
        table.add_row("sequential", "2")
        count = table._update_count
        table._update_dimensions(set(table._new_rows))  # what the table does when idle: measure the new row
        assert table.columns["mode"].content_width == len("sequential")
        assert table._update_count > count
        table._new_rows.clear()
        await pilot.pause()
        header, row = table.render_line(0).text, table.render_line(1).text
        assert header.index(" n ") == row.index(" 2 "), (header, row)
