"""The results pane: every finished run of the session, the current workload's wall per mode as
labelled bars, what the highlighted run left in memory and what crossing cost (engine/memory.py),
and the verdict underneath.

Each row names its workload (the session mixes them); the bars and the verdict are about the
latest run's workload, workers and interpreter only, as medians over its runs. Bars are text,
one row each, drawn with one style per mode and their value beside them: a plotext bar chart
at 8 rows drew bars of uneven thickness with floating labels and no values, and its imports
(~50 ms, a third of conctui's own) are no longer on the way to the first frame (bench/startup.py).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from conctui.engine.figures import speedups, summarize
from conctui.engine.text import NONE, busy_cores, memory_lines, mode_label, ratio, run_ipc_cell, seconds_cell
from conctui.engine.untrusted import visible
from conctui.engine.verdict import brief, verdict
from conctui.widgets.table import ReadOnlyTable
from conctui.widgets.untrusted_text import plain
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import DataTable, Static

if TYPE_CHECKING:
    from conctui.engine.model import Changes, SessionModel

MEMORY_LINES = 3  # at 80x24: the lesson's two names and the IPC line, where the rows leave room
VERDICT_LINES = 4  # the verdict's most (app.tcss)
# one of the 16 ANSI colours per mode, so bars read the same on a 16-colour terminal
MODE_STYLES = {"sequential": "white", "threads": "cyan", "processes": "green", "asyncio": "magenta",
               "interpreters": "yellow", "dask": "blue"}
BAR = "█"


def memory_text(figures: dict) -> str:
    """`threads  counter: parent 0 → 200000` and the IPC line, each shown safely on one line."""
    label = mode_label(figures["mode"])
    return "\n".join(f"{label if number == 0 else '':<8}{line}"
                     for number, line in enumerate(memory_lines(figures)[:MEMORY_LINES]))


def current_group(runs: list[dict]) -> list[dict]:
    """The runs of the latest run's workload, workers and interpreter: what the bars and verdict judge."""
    if not runs:
        return []
    latest = runs[-1]

    def key(run: dict) -> tuple:
        return run["workload"], run["workers"], run["python"]["executable"]

    return [run for run in runs if key(run) == key(latest)]


def wall_bars(rows: list[dict], width: int) -> Text:
    """`seq ██████████ 8.00s`: one row per mode, the longest bar and its value filling `width`."""
    walls = [(r["mode"], f" {seconds_cell(r['wall_s'])}", r["wall_s"]) for r in rows if r["wall_s"] is not None]
    text = Text(no_wrap=True, overflow="crop")
    if not walls:
        return text
    longest = max(wall for _, _, wall in walls)
    room = max(1, width - 8 - max(len(value) for _, value, _ in walls))  # after the label's 8 cells
    for number, (mode, value, wall) in enumerate(walls):
        if number:
            text.append("\n")
        text.append(f"{mode_label(mode)[:7]:<8}")
        text.append(BAR * max(1, round(room * wall / longest)), MODE_STYLES.get(mode, "white"))
        text.append(value)
    return text


class WallBars(Widget):
    """The bars, drawn for the width the layout gives them (the table beside them grows)."""

    def __init__(self, **kwargs: str) -> None:
        super().__init__(**kwargs)
        self.rows: list[dict] = []

    def show(self, rows: list[dict]) -> None:
        self.rows = rows
        self.refresh()

    def render(self) -> Text:
        return wall_bars(self.rows, self.content_size.width)


def verdict_text(entries: list[dict], lines: int = VERDICT_LINES, width: int = 78) -> Text:
    """One line per verdict entry, at most `lines`: the winner in bold, the busy caveat dimmed.
    Short of room, the busy caveats go first, then the last entries; the last line says how many
    were left out (`conctui compare` and the claims screen have them all)."""
    shown = list(entries)
    while len(shown) > lines and any(entry["reason"] == "busy" for entry in shown[1:]):
        shown.remove(next(entry for entry in reversed(shown) if entry["reason"] == "busy"))
    left_out = len(entries) - len(shown[:lines])
    text = Text(no_wrap=True, overflow="ellipsis")
    for number, entry in enumerate(shown[:lines]):
        if number:
            text.append("\n")
        style = "bold" if entry["reason"] == "won" else ("dim" if entry["reason"] == "busy" else "")
        line = visible(brief(entry))
        if left_out and number == min(lines, len(shown)) - 1:
            more = f" (+{left_out} more)"
            room = width - len(more)
            text.append(line if len(line) <= room else line[:max(0, room - 1)] + "…", style)
            text.append(more, "dim")
        else:
            text.append(line, style)
    return text


def python_cells(runs: list[dict]) -> list[str]:
    """Each run's Python where runs of several Pythons meet (`3.11 GIL on`, `3.13t GIL off`), else
    none: the header names the one Python. The short version, unless two Pythons share it."""
    pythons = {run["python"]["executable"]: run["python"] for run in runs}
    if len(pythons) < 2:
        return []

    def version(python: dict, full: bool) -> str:
        number = python["version"] if full else ".".join(python["version"].split(".")[:2])
        return f"{number}{'t' if python['free_threaded'] else ''}"

    full = len({version(p, False) for p in pythons.values()}) < len(pythons)
    return [visible(f"{version(run['python'], full)} GIL {'on' if run['python']['gil_enabled'] else 'off'}")
            for run in runs]


class ResultsPane(Vertical):
    """The table is rebuilt whenever the number of finished runs changes (a session has a few
    rows, and a new run changes every speedup); bars and verdict follow the latest run's
    workload; the memory lines, the highlighted run, in the rows left once the latest compare's
    rows and its verdict are in view. A column shows only where its cells differ: the workload
    where the session mixes them, the Python where several ran (set_columns)."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="results-top"):
            yield ReadOnlyTable(id="results-table", cursor_type="row", zebra_stripes=False)
            yield WallBars(id="results-chart")
        yield Static(id="results-memory", markup=False)
        yield Static(id="verdict")

    def on_mount(self) -> None:
        self.border_title = "results · T claims · S sweep"  # the footer has no room left for them
        self._count = 0
        self._runs: list[dict] = []
        self._group = 0  # rows of the latest compare (its workload, workers and Python)
        self.entries: list[dict] = []  # the verdict on show, for tests and the claims screen
        self.set_columns([])

    def reset(self) -> None:
        self._count = -1

    def set_columns(self, runs: list[dict]) -> None:
        """The table's columns for `runs`: workload and python only where they differ, ipc where
        a run crossed anything, status where a run did not end `done`."""
        table = self.query_one(ReadOnlyTable)
        names = ["mode", "n", "wall", "par", "speedup"]
        if any(run_ipc_cell(run.get("ipc")) != NONE for run in runs):
            names.append("ipc")
        if any(run["status"] != "done" for run in runs):
            names.append("status")
        if python_cells(runs):
            names.insert(0, "python")
        if len({run["workload"] for run in runs}) != 1:
            names.insert(0, "workload")
        if [str(column.key.value) for column in table.columns.values()] == names:
            return
        table.clear(columns=True)
        for name in names:
            table.add_column(Text(name), key=name)  # not markup: Text.from_markup would import rich's emoji codes

    def memory_room(self) -> int:
        """Lines left for the memory lines under the latest compare's rows and its verdict."""
        return max(0, min(MEMORY_LINES, self.height_inside - 1 - self._group - self.verdict_lines))

    @property
    def height_inside(self) -> int:
        return self.content_size.height or 9  # 80x24's, before the first layout

    @property
    def verdict_lines(self) -> int:
        """The verdict's lines: as many as its entries, within what the latest compare's rows leave."""
        return max(1, min(VERDICT_LINES, len(self.entries), self.height_inside - 1 - self._group))

    def on_resize(self) -> None:
        self.show_verdict()
        self.show_memory()

    def show_verdict(self) -> None:
        self.query_one("#verdict", Static).update(verdict_text(self.entries, self.verdict_lines,
                                                               self.content_size.width or 78))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_memory()

    def show_memory(self) -> None:
        """The highlighted run's memory lines: the latest after a run, any one by moving the cursor."""
        row = self.query_one(ReadOnlyTable).cursor_row
        figures = self._runs[row] if 0 <= row < len(self._runs) else {}
        text = "\n".join(memory_text(figures).split("\n")[:self.memory_room()]) if figures else ""
        self.query_one("#results-memory", Static).update(text)
        self.set_class(bool(text), "with-memory")
        self.show_subtitle(len(text.split("\n")) if text else 0)

    def show_subtitle(self, memory: int) -> None:
        """What the bars and verdict are about; and how many older rows are out of sight, and how to see them."""
        if not self._runs:
            self.border_subtitle = ""
            return
        latest = self._runs[-1]
        shown = max(0, self.height_inside - 1 - memory - self.verdict_lines)
        hidden = max(0, len(self._runs) - shown)
        hint = f"↑ {hidden} older: ↑↓ · " if hidden else ""
        pythons = python_cells(self._runs)
        python = f"{pythons[-1]} " if pythons else ""
        # Text, never str: Textual reads a str border title as markup ("[red]" in a name would crash it)
        self.border_subtitle = Text(f"{hint}{python}{visible(latest['workload'])} x{latest['workers']}: median wall")

    def show(self, model: SessionModel, changes: Changes) -> None:
        """Redraw when a run ended (or all, after a restart)."""
        if changes.restart:
            self.reset()
        if changes.ended or changes.restart:
            self.show_runs(model.figures)

    def show_runs(self, runs: list[dict]) -> None:
        """`runs`: figures of every finished run so far, oldest first."""
        if len(runs) == self._count:
            return
        self.set_columns(runs)
        table = self.query_one(ReadOnlyTable)
        table.clear()
        self._runs = runs
        group = current_group(runs)
        self._group = len(group)
        rows = summarize(group)
        self.entries = verdict(rows)
        keys = [str(column.key.value) for column in table.columns.values()]
        pythons = python_cells(runs)
        for number, (figures, speedup) in enumerate(zip(runs, speedups(runs))):
            status = figures["status"]
            # Text cells, never str: a DataTable reads a str cell as markup
            cells = {"workload": plain(figures["workload"][:12]), "python": plain(pythons[number] if pythons else ""),
                     "mode": plain(mode_label(figures["mode"])), "n": str(figures["workers"]),
                     "wall": seconds_cell(figures["wall_s"]), "par": busy_cores(figures["parallelism"]),
                     "speedup": ratio(speedup), "ipc": run_ipc_cell(figures.get("ipc")),
                     "status": plain(status[:7], "" if status == "done" else "bold red")}
            table.add_row(*(cells[key] for key in keys))
        self._count = len(runs)
        self.show_verdict()
        self.query_one(WallBars).show(rows)
        if runs:
            table.move_cursor(row=len(runs) - 1)
        self.show_memory()
