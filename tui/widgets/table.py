"""A DataTable that only shows and scrolls: Enter is left to the app (it starts a run)."""
from __future__ import annotations

from textual.widgets import DataTable


class ReadOnlyTable(DataTable, inherit_bindings=False):
    BINDINGS = [binding for binding in DataTable.BINDINGS if binding.key != "enter"]
