"""The watch's verdict pane: sentences wrapped to the pane's width here, so a second's new
figures repaint only the cells that changed (a sentence's digits), not every line of the pane."""
from __future__ import annotations

from conctui.widgets.spans import changed_span
from rich.text import Text
from textual.geometry import Region, Size
from textual.widget import Widget


class VerdictLines(Widget):
    """As tall as its wrapped lines (the stylesheet caps it)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.lines: list[Text] = []
        self.text = Text()  # what was last shown, before wrapping

    def show(self, text: Text) -> None:
        self.text = text
        width = self.content_size.width or 78
        lines = [line for line in text.wrap(self.app.console, width)]
        old, self.lines = self.lines, lines
        if len(old) != len(lines):
            self.refresh(layout=True)
            return
        for y, (before, line) in enumerate(zip(old, lines)):
            if (span := changed_span(before, line)) is not None:
                self.refresh(Region(span[0], y, span[1] - span[0], 1))

    def on_resize(self) -> None:
        self.show(self.text)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self.lines))

    def render(self) -> Text:
        return Text("\n").join(self.lines)
