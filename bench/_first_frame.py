"""For bench/startup.py: start an app in this terminal, note when its first frame is painted, quit.

    python bench/_first_frame.py conctui OUT   # the path `conctui` (the TUI) takes, from argv on
    python bench/_first_frame.py conctui-keys OUT  # the same, to the first frame with the footer's keys
    python bench/_first_frame.py bare OUT      # a bare Textual App

Both note the wall clock (time.time()) and the process's CPU seconds so far (its start-up
included) in OUT once the first frame after on_mount is handed to the terminal, then exit:
the same method for both. CPU seconds are what load on a shared machine stretches
least.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import RenderableType
from textual.app import App
from textual.screen import Screen


def first_frame(app: App, out: str, ready: Callable[[], bool] = lambda: True) -> None:
    """Once the first frame is painted (the first for which `ready()` holds): note the time,
    and leave. Painted means handed to the terminal (App._display, which every frame goes
    through): noted after call_after_refresh instead, the mark would also count whatever else
    the app queued for after that frame."""
    display = app._display
    noted: list[str] = []

    def displayed(screen: Screen, renderable: RenderableType | None) -> None:
        painted = renderable is not None and not app._batch_count and ready()  # what _display writes
        display(screen, renderable)
        if painted and not noted:
            noted.append(f"{time.time()!r} {time.process_time()!r}")
            Path(out).write_text(noted[0])
            app.exit(0)

    app._display = displayed


class Bare(App):
    def on_mount(self) -> None:
        first_frame(self, sys.argv[2])


def main() -> int:
    kind, out = sys.argv[1], sys.argv[2]
    if kind == "bare":
        return Bare().run() or 0
    from conctui import cli, panes
    from textual.widgets._footer import FooterKey

    mounted = panes.PanesScreen.on_mount

    def on_mount(self: panes.PanesScreen) -> None:
        """The panes screen mounts after the app does: its first frame is the one users see."""
        mounted(self)

        def keys_shown() -> bool:
            """Textual's Footer composes its keys a refresh after the first frame, once the
            screen's bindings are ready: `conctui-keys` waits for a frame laid out with them."""
            return any(key.region for key in self.query(FooterKey))

        first_frame(self.app, out, keys_shown if kind == "conctui-keys" else lambda: True)

    panes.PanesScreen.on_mount = on_mount
    return cli.main(["tui"])


if __name__ == "__main__":
    sys.exit(main())
