"""The results' DataTable: it only shows and moves between rows. Enter is left to the app (it
starts a run), and ←/→ too: the table has no columns to move between (a row cursor, no
horizontal scroll), and a replay seeks with them (the footer lists keys in the focused pane's
order, so the table's → before ← read `→ ← seek 5s`)."""
from __future__ import annotations

from collections.abc import Iterable

from textual.widgets import DataTable
from textual.widgets.data_table import RowKey


class ReadOnlyTable(DataTable, inherit_bindings=False):
    BINDINGS = [binding for binding in DataTable.BINDINGS if binding.key not in ("enter", "left", "right")]

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Textual measures new rows' cells when idle and may widen the columns then, but its
        rendered lines are cached by an update count that this does not move: the header (or a
        row) drawn before the measure kept the old widths, beside rows drawn after it. Where a
        width moved, the count moves too, so every line is drawn again."""
        widths = [column.content_width for column in self.columns.values()]
        super()._update_dimensions(new_rows)
        if widths != [column.content_width for column in self.columns.values()]:
            self._update_count += 1
            self.refresh()
