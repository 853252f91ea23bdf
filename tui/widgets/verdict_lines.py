"""The watch's verdict pane (the results slot of a watched program's panes, panes.py): the last
second's sentences, then the whole watch's. Sentences are wrapped to the pane's width here, so
a second's new figures repaint only the cells that changed (a sentence's digits), not every
line of the pane.

Each verdict needs every thread's figures (256 threads' cost a few ms), so neither is taken in
the frame that folds a sample (it draws the threads in view and the cores), and no frame takes
both: the last second's comes a frame after its sample, the whole watch's (every
WHOLE_EVERY_S) a frame after that. The first figures and the end are said at once, in full."""
from __future__ import annotations

from typing import TYPE_CHECKING

from conctui.engine.text import seconds
from conctui.engine.untrusted import visible
from conctui.engine.watch.model import WatchModel
from conctui.engine.watch.verdict import Line, verdict
from conctui.widgets.spans import changed_rows
from rich.text import Text
from textual.geometry import Region, Size
from textual.widget import Widget

if TYPE_CHECKING:
    from conctui.engine.model import Changes, SessionModel

WHOLE_EVERY_S = 5.0  # the whole watch's figures move slowly; 256 threads' cost half a frame


def verdict_text(model: WatchModel, said: list[Line], whole: list[Line], whole_s: float) -> Text:
    """The last second's sentences (`said`), then the whole watch's in a few words (in full once it ended)."""
    lines = []
    if model.ended is None:
        lines += [Text.assemble(("last second: ", "bold"), line.text) for line in said]
        if not said:
            lines.append(Text.assemble(("last second: ", "bold"), ("nothing to say yet", "dim")))
    title = f"whole watch, {seconds(whole_s, 0)}: "
    if model.ended is None:
        lines.append(Text.assemble((title, "bold"), "; ".join(line.short for line in whole) or "-"))
    else:
        lines += [Text.assemble((title, "bold"), line.text) for line in whole]
    # why figures are missing; the cores pane says when sampling is halved
    notes = model.notes()
    lines += [Text(visible(notes[name]), "yellow") for name in ("gil", "states") if notes[name]]
    return Text("\n").join(lines)


class VerdictLines(Widget):
    """As tall as its wrapped lines (the stylesheet caps it)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.lines: list[Text] = []
        self.text = Text()  # what was last shown, before wrapping
        self.restart()

    def restart(self) -> None:
        # rows it takes: as many as its lines have needed, never fewer during a watch. A sentence
        # wrapped a row shorter moved every pane below and beside it, and they were sent whole.
        self.rows = 0
        self.said: list[Line] = []  # the last second's verdict
        self.window_due = False  # a sample came since it was taken
        self.whole: list[Line] = []  # the whole watch's verdict, again every WHOLE_EVERY_S of the watch
        self.whole_at = -WHOLE_EVERY_S
        self.whole_s = 0.0  # its title moves with it, not every second
        self.whole_due = False
        self.whole_passed = False  # a frame took the last second's while the whole watch's was due: it goes next
        self.waited = False  # a sample's frame passed with a verdict due
        self.sampled = False  # a verdict was taken on a sample: the first is said at once

    def show(self, model: SessionModel, changes: Changes) -> None:
        watch = model.state.watch
        if changes.restart:
            self.restart()
        if watch is None:
            return
        at = watch.last.t if watch.last is not None else 0.0
        if changes.program:
            self.window_due = True
            self.whole_due = self.whole_due or at - self.whole_at >= WHOLE_EVERY_S
        if not (self.window_due or self.whole_due):
            return
        if watch.ended is not None or not self.sampled:  # the first figures and the end: at once, in full
            self.take_window(watch)
            self.take_whole(watch, at)
            self.sampled = watch.last is not None
        elif changes.program and not self.waited:  # one sample's frame waits; two in a row do not
            self.waited = True
            return
        elif self.window_due and not self.whole_passed:
            self.take_window(watch)
            self.whole_passed = self.whole_due
        else:
            self.take_whole(watch, at)
        self.waited = False
        self.draw(verdict_text(watch, self.said, self.whole, self.whole_s))

    def take_window(self, watch: WatchModel) -> None:
        self.said = verdict(watch, window=True) if watch.ended is None else []
        self.window_due = False

    def take_whole(self, watch: WatchModel, at: float) -> None:
        self.whole, self.whole_at, self.whole_s = verdict(watch, window=False), at, watch.duration_s
        self.whole_due = self.whole_passed = False

    def draw(self, text: Text) -> None:
        """Wrap `text` to the pane's width, as far as the rows it can show (16 processes' sentences
        are a screenful: wrapping them all cost a millisecond a second), and repaint what changed."""
        self.text = text
        width = self.content_size.width or 78
        most = self.most_rows()
        lines: list[Text] = []
        for line in text.split("\n"):
            if len(lines) >= most:
                break
            lines += line.wrap(self.app.console, width)
        lines = lines[:most]
        old, self.lines = self.lines, lines
        if len(lines) > self.rows:
            self.rows = len(lines)
            self.refresh(layout=True)
            return
        dirty = [Region(first, y, end - first, 1) for y, first, end in changed_rows(old, lines)]
        if dirty:  # one refresh for them all; none would repaint it all
            self.refresh(*dirty)

    def most_rows(self) -> int:
        """The rows the stylesheet lets the pane have (its max-height less its border), or the screen's."""
        cap = self.styles.max_height
        rows = int(cap.value) if cap is not None and cap.is_cells else self.app.size.height
        return max(1, rows - self.styles.gutter.height)

    def on_resize(self) -> None:
        """Wrapped again at the new width, and repainted whole (a span's cells were the old width's)."""
        self.lines = []
        self.draw(self.text)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, self.rows)

    def render(self) -> Text:
        return Text("\n").join(self.lines)
