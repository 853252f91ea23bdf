"""For bench/startup.py: start an app in this terminal, note when its first frame is painted, quit.

    python bench/_first_frame.py conctui OUT   # the path `conctui` (the TUI) takes, from argv on
    python bench/_first_frame.py bare OUT      # a bare Textual App

Both note the wall clock (time.time()) and the process's CPU seconds so far (its start-up
included) in OUT right after the first refresh that follows on_mount (call_after_refresh),
then exit: the same method for both. CPU seconds are what load on a shared machine stretches
least.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from textual.app import App


def first_frame(app: App, out: str) -> None:
    """Once the first frame is painted: note the time, and leave."""
    def done() -> None:
        Path(out).write_text(f"{time.time()!r} {time.process_time()!r}")
        app.exit(0)

    app.call_after_refresh(done)


class Bare(App):
    def on_mount(self) -> None:
        first_frame(self, sys.argv[2])


def main() -> int:
    kind, out = sys.argv[1], sys.argv[2]
    if kind == "bare":
        return Bare().run() or 0
    from conctui import cli, panes

    mounted = panes.PanesScreen.on_mount

    def on_mount(self: panes.PanesScreen) -> None:
        """The panes screen mounts after the app does: its first frame is the one users see."""
        mounted(self)
        first_frame(self.app, out)

    panes.PanesScreen.on_mount = on_mount
    return cli.main(["tui"])


if __name__ == "__main__":
    sys.exit(main())
