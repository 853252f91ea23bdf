"""The watch's verdict pane (the results slot of a watched program's panes, panes.py): the last
second's sentences, then the whole watch's. Sentences are wrapped to the pane's width here, so
a second's new figures repaint only the cells that changed (a sentence's digits), not every
line of the pane. The whole watch's figures (as many again as the last second's: 256 threads'
cost a few ms) are taken in the frame after a sample's, not in the same one, so no frame pays
for both."""
from __future__ import annotations

from typing import TYPE_CHECKING

from conctui.engine.text import seconds
from conctui.engine.untrusted import visible
from conctui.engine.watch.model import WatchModel
from conctui.engine.watch.verdict import Line, verdict
from conctui.widgets.spans import changed_spans
from rich.text import Text
from textual.geometry import Region, Size
from textual.widget import Widget

if TYPE_CHECKING:
    from conctui.engine.model import Changes, SessionModel

WHOLE_EVERY_S = 5.0  # the whole watch's figures move slowly; 256 threads' cost half a frame


def verdict_text(model: WatchModel, whole: list[Line], whole_s: float) -> Text:
    """The last second's sentences, then the whole watch's in a few words (in full once it ended)."""
    lines = []
    if model.ended is None:
        said = verdict(model, window=True)
        lines += [Text.assemble(("last second: ", "bold"), line.text) for line in said]
        if not said:
            lines.append(Text.assemble(("last second: ", "bold"), ("nothing to say yet", "dim")))
    title = f"whole watch, {seconds(whole_s, 0)}: "
    if model.ended is None:
        lines.append(Text.assemble((title, "bold"), "; ".join(line.short for line in whole) or "-"))
    else:
        lines += [Text.assemble((title, "bold"), line.text) for line in whole]
    if model.last is not None:
        lines += [Text(visible(note), "yellow") for note in (model.last.gil_note, model.last.states_note) if note]
    return Text("\n").join(lines)


class VerdictLines(Widget):
    """As tall as its wrapped lines (the stylesheet caps it)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.lines: list[Text] = []
        self.text = Text()  # what was last shown, before wrapping
        self.whole: list[Line] = []  # the whole watch's verdict, again every WHOLE_EVERY_S of the watch
        self.whole_at = -WHOLE_EVERY_S
        self.whole_s = 0.0  # its title moves with it, not every second
        self.whole_due = False  # due at the last sample: taken in the next frame
        self.waited = False  # it was due in the last frame too

    def show(self, model: SessionModel, changes: Changes) -> None:
        watch = model.state.watch
        if changes.restart:
            self.whole, self.whole_at, self.whole_s, self.whole_due, self.waited = [], -WHOLE_EVERY_S, 0.0, False, False
        if watch is None or not (changes.program or self.whole_due):
            return
        at = watch.last.t if watch.last is not None else 0.0
        if changes.program and at - self.whole_at >= WHOLE_EVERY_S:
            self.whole_due = True
        # at once the first time and at the end; else not in a sample's frame, unless the next also has one
        if watch.ended is not None or (self.whole_due and (self.whole_at < 0 or not changes.program or self.waited)):
            self.whole, self.whole_at, self.whole_s = verdict(watch, window=False), at, watch.duration_s
            self.whole_due = False
        self.waited = self.whole_due
        self.draw(verdict_text(watch, self.whole, self.whole_s))

    def draw(self, text: Text) -> None:
        self.text = text
        width = self.content_size.width or 78
        lines = [line for line in text.wrap(self.app.console, width)]
        old, self.lines = self.lines, lines
        if len(old) != len(lines):
            self.refresh(layout=True)
            return
        for y, (before, line) in enumerate(zip(old, lines)):
            if spans := changed_spans(before, line):  # refresh() of no region would repaint it all
                self.refresh(*(Region(first, y, end - first, 1) for first, end in spans))

    def on_resize(self) -> None:
        """Wrapped again at the new width, and repainted whole (a span's cells were the old width's)."""
        self.lines = []
        self.draw(self.text)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self.lines))

    def render(self) -> Text:
        return Text("\n").join(self.lines)
