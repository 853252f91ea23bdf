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
from conctui.engine.text import figure, memory_lines, mode_label, run_ipc_cell
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

MEMORY_LINES = 3  # at 80x24: the lesson's two names and the IPC line
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
    walls = [(r["mode"], f" {figure(r['wall_s'], 's')}", r["wall_s"]) for r in rows if r["wall_s"] is not None]
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


def verdict_text(entries: list[dict]) -> Text:
    """One line per verdict entry: the winner in bold, the busy caveat dimmed."""
    text = Text(no_wrap=True, overflow="ellipsis")
    for number, entry in enumerate(entries):
        if number:
            text.append("\n")
        style = "bold" if entry["reason"] == "won" else ("dim" if entry["reason"] == "busy" else "")
        text.append(visible(brief(entry)), style)
    return text


class ResultsPane(Vertical):
    """The table is rebuilt whenever the number of finished runs changes (a session has a few
    rows, and a new run changes every speedup); bars and verdict follow the latest run's
    workload; the memory lines, the highlighted run."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="results-top"):
            yield ReadOnlyTable(id="results-table", cursor_type="row", zebra_stripes=False)
            yield WallBars(id="results-chart")
        yield Static(id="results-memory", markup=False)
        yield Static(id="verdict")

    def on_mount(self) -> None:
        self.border_title = "results · T claims · S sweep"  # the footer has no room left for them
        table = self.query_one(ReadOnlyTable)
        for name in ("workload", "mode", "n", "wall", "par", "speedup", "ipc", "status"):
            table.add_column(Text(name))  # not markup: Text.from_markup would import rich's emoji codes (~3 ms)
        self._count = 0
        self._runs: list[dict] = []
        self.entries: list[dict] = []  # the verdict on show, for tests and the claims screen

    def reset(self) -> None:
        self._count = -1

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted run's memory lines: the latest after a run, any one by moving the cursor."""
        figures = self._runs[event.cursor_row] if 0 <= event.cursor_row < len(self._runs) else {}
        text = memory_text(figures) if figures else ""
        memory = self.query_one("#results-memory", Static)
        memory.update(text)
        self.set_class(bool(text), "with-memory")

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
        table = self.query_one(ReadOnlyTable)
        table.clear()
        self._runs = runs
        for figures, speedup in zip(runs, speedups(runs)):
            status = figures["status"]
            # Text cells, never str: a DataTable reads a str cell as markup
            table.add_row(plain(figures["workload"][:12]), plain(mode_label(figures["mode"])), str(figures["workers"]),
                          figure(figures["wall_s"], "s"), figure(figures["parallelism"]),
                          figure(speedup, "x"),
                          run_ipc_cell(figures.get("ipc")), plain(status[:7], "" if status == "done" else "bold red"))
        self._count = len(runs)
        if runs:
            table.move_cursor(row=len(runs) - 1)
        group = current_group(runs)
        rows = summarize(group)
        self.entries = verdict(rows)
        # the bars and the verdict are about this workload only: the subtitle says which
        # Text, never str: Textual reads a str border title as markup ("[red]" in a name would crash it)
        self.border_subtitle = Text(f"{visible(group[-1]['workload'])} x{group[-1]['workers']}: median wall"
                                    if group else "")
        self.query_one(WallBars).show(rows)
        self.query_one("#verdict", Static).update(verdict_text(self.entries))
