"""The threads-and-processes pane of `conctui watch`: one line per process, then one per thread.

Shares over the last window: CPU of a core, the core it last ran on, GIL held (py-spy), and
the kinds of waiting from /proc (gil, lock, io, sleep); its hottest own frame where the pane
is wide enough. Names, argv and frames are text from outside: through the boundary. Redraws
only the lines whose text changed.
"""
from __future__ import annotations

from conctui.engine.untrusted import visible
from conctui.engine.watch.model import ProcessFigures, ThreadFigures
from conctui.engine.watch.tree import ROLE_TEXT
from conctui.widgets.strips import text_strip
from rich.cells import set_cell_size
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

NAME = 12
COLUMNS = (("gil_wait", "gil"), ("lock_wait", "lock"), ("io_wait", "io"), ("sleep", "slp"))
HEAD = f"{'thread':<{NAME}}  cpu  c held" + "".join(f" {label:>4}" for _, label in COLUMNS)
FRAME_FROM = len(HEAD) + 2  # a frame is shown past the columns where the pane is wider


def _pct(value: float | None) -> str:
    return "   -" if value is None else f"{round(value * 100):>4}"


def process_line(process: ProcessFigures) -> Text:
    cpu = "-" if process.cpu is None else f"{process.cpu:.2f}"
    ended = " ended" if process.ended is not None else ""
    what = visible(" ".join(process.argv))
    return Text.assemble((f"{process.pid} {ROLE_TEXT.get(process.role, process.role)}{ended}", "bold"),
                         f" · {cpu} cores · {process.rss_bytes >> 20} MiB · ", (what, "dim"), no_wrap=True)


def thread_line(thread: ThreadFigures, width: int) -> Text:
    states = thread.states or {}
    name = set_cell_size(visible(thread.name), NAME)
    core = "-" if thread.core is None else str(thread.core % 100)
    cells = f"{name} {_pct(thread.cpu)} {core:>2} {_pct(thread.gil_held)}" + "".join(
        f" {_pct(states.get(kind) if thread.states else None)}" for kind, _ in COLUMNS)
    line = Text(cells, "dim" if thread.ended else "", no_wrap=True)
    if thread.top and width > FRAME_FROM + 8:
        line.append("  " + visible(thread.top), "cyan")
    return line


def table_lines(processes: list[ProcessFigures], width: int) -> list[Text]:
    lines = [Text(HEAD, "bold underline")]
    for process in processes:
        lines.append(process_line(process))
        lines.extend(thread_line(thread, width) for thread in process.threads)
    return lines


class ThreadsPane(ScrollView):
    """Scrolls when the tree has more threads than lines; repaints the lines that changed."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.lines: list[Text] = []

    def show(self, processes: list[ProcessFigures]) -> None:
        lines = table_lines(processes, self.size.width)
        if len(lines) != len(self.lines):
            self.lines = lines
            self.virtual_size = Size(self.size.width, len(lines))  # cut at the pane's width: no sideways scroll
            self.refresh()
            return
        top = self.scroll_offset.y
        for y, (before, line) in enumerate(zip(self.lines, lines)):
            if before != line and top <= y < top + self.size.height:
                self.refresh_line(y)
        self.lines = lines

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        if not 0 <= index < len(self.lines):
            return Strip.blank(self.size.width, self.rich_style)
        return text_strip(self.lines[index], self.app.console, self.rich_style, self.scroll_offset.x, self.size.width)
