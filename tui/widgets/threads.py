"""The threads-and-processes pane of `conctui watch` (the workers slot of a watched program's
panes, panes.py): one line per process, then one per thread.

Shares over the last window: CPU of a core, the core it last ran on, GIL held (py-spy), and
the kinds of waiting from /proc (gil, lock, io, sleep); its hottest own frame where the pane
is wide enough. Names, argv and frames are text from outside: through the boundary. Repaints
only the cells that changed (widgets/spans.py): a second's new figures move a few digits of a
line, and only they cross the terminal.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from conctui.engine.text import busy_cores, byte_size, percent_cell
from conctui.engine.untrusted import visible
from conctui.engine.watch.model import ROLE_TEXT, ProcessFigures, ThreadFigures
from conctui.widgets.spans import changed_spans
from conctui.widgets.strips import text_strip
from rich.cells import set_cell_size
from rich.text import Text
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

if TYPE_CHECKING:
    from conctui.engine.model import Changes, SessionModel

NAME = 12
COLUMNS = (("gil_wait", "gil"), ("lock_wait", "lock"), ("io_wait", "io"), ("sleep", "slp"))
HEAD = f"{'thread':<{NAME}}  cpu  c held" + "".join(f" {label:>4}" for _, label in COLUMNS)
FRAME_FROM = len(HEAD) + 2  # a frame is shown past the columns where the pane is wider


def process_line(process: ProcessFigures) -> Text:
    ended = " ended" if process.ended is not None else ""
    what = visible(" ".join(process.argv))
    return Text.assemble((f"{process.pid} {ROLE_TEXT.get(process.role, process.role)}{ended}", "bold"),
                         f" · {busy_cores(process.cpu)} cores · {byte_size(process.rss_bytes)} · ", (what, "dim"),
                         no_wrap=True)


def thread_line(thread: ThreadFigures, width: int) -> Text:
    states = thread.states or {}
    name = set_cell_size(visible(thread.name), NAME)
    core = "-" if thread.core is None else str(thread.core % 100)
    shares = [percent_cell(thread.gil_held), *(percent_cell(states.get(kind)) for kind, _ in COLUMNS)]
    if thread.no_gil:
        shares[:2] = [f"{'no GIL':>9}"]  # across held and gil: there is no GIL to hold or wait for
    cells = f"{name} {percent_cell(thread.cpu)} {core:>2} " + " ".join(shares)
    line = Text(cells, "dim" if thread.ended else "", no_wrap=True)
    if thread.top and width > FRAME_FROM + 8:
        line.append("  " + visible(thread.top), "cyan")
    return line


Row = ProcessFigures | ThreadFigures


def row_line(row: Row, width: int) -> Text:
    return process_line(row) if isinstance(row, ProcessFigures) else thread_line(row, width)


class ThreadsPane(ScrollView):
    """Scrolls when the tree has more threads than lines. Only the lines in view get figures and
    text (256 threads' figures cost more than the rest of a sample's frame: the verdict's take
    them a frame later), and of those only the cells that changed are repainted."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.keys: list[tuple] = []  # each line's key (WatchModel.rows)
        self.row: Callable[[tuple], Row] | None = None  # a key's figures now (WatchModel.row): set with keys
        self.shown: dict[int, Text] = {}  # line index -> its text as last drawn, for the lines in view

    @property
    def lines(self) -> list[Text]:
        """Every line as text (tests read the whole table)."""
        return [Text(HEAD), *(self._line(index) for index in range(1, len(self.keys) + 1))]

    def _line(self, index: int) -> Text:
        assert self.row is not None  # there are lines: draw set both
        return row_line(self.row(self.keys[index - 1]), self.size.width)

    def show(self, model: SessionModel, changes: Changes) -> None:
        """The watched program's processes and threads, over the last window (the whole watch once
        it ended), when a sample, its start or its end arrived."""
        watch = model.state.watch
        if changes.program or changes.restart:
            window = watch is not None and watch.ended is None
            self.draw([] if watch is None else watch.rows(window), partial(watch.row, window=window) if watch else None)

    def draw(self, keys: list[tuple], row: Callable[[tuple], Row] | None) -> None:
        self.row = row
        if len(keys) != len(self.keys):
            self.keys, self.shown = keys, {}
            self.virtual_size = Size(self.size.width, len(keys) + 1)  # cut at the pane's width: no sideways scroll
            self.refresh()
            return
        self.keys = keys
        top = self.scroll_offset.y
        width = self.size.width
        shown, dirty = {}, []
        for y in range(max(1, top), min(len(keys) + 1, top + self.size.height)):
            line, old = self._line(y), self.shown.get(y)
            spans = changed_spans(old, line) if old is not None and old.style == line.style else [(0, width)]
            shown[y] = line
            dirty += [Region(first, y - top, end - first, 1) for first, end in spans]
        self.shown = shown  # a line out of view is made again when it is drawn: its figures moved meanwhile
        if dirty:  # one refresh for them all: each call costs Textual's bookkeeping; none would repaint it all
            self.refresh(*dirty)

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        if index == 0:
            line = Text(HEAD, "bold underline")
        elif index <= len(self.keys):
            line = self.shown.get(index) or self._line(index)
            self.shown[index] = line
        else:
            return Strip.blank(self.size.width, self.rich_style)
        return text_strip(line, self.app.console, self.rich_style, self.scroll_offset.x, self.size.width)
