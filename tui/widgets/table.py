"""The results' DataTable: it only shows and moves between rows. Enter is left to the app (it
starts a run), and ←/→ too: the table has no columns to move between (a row cursor, no
horizontal scroll), and a replay seeks with them (the footer lists keys in the focused pane's
order, so the table's → before ← read `→ ← seek 5s`)."""
from __future__ import annotations

from textual.widgets import DataTable


class ReadOnlyTable(DataTable, inherit_bindings=False):
    BINDINGS = [binding for binding in DataTable.BINDINGS if binding.key not in ("enter", "left", "right")]
