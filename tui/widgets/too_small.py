"""Below the size the panes need, one message that says the size needed (as btop does), in place
of panes squeezed past reading; it goes away by itself when the terminal grows back."""
from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.geometry import Size
from textual.screen import Screen
from textual.widgets import Static

# The least the panes need (app.tcss): 60 columns hold the results table, 20 rows a header, the
# workers and cores panes of 3 lines, the results with their verdict, 2 lines of output, the footer.
MIN_SIZE = Size(60, 20)


def too_small_text(size: Size) -> Text:
    return Text.assemble(("Terminal too small\n", "bold"),
                         f"this one is {size.width}x{size.height}; conctui needs {MIN_SIZE.width}x{MIN_SIZE.height}\n",
                         ("make it larger, or q quits", "dim"))


class TooSmall(Screen[None]):
    """Covers the panes while the terminal is too small; pops itself once it is not."""

    BINDINGS = [Binding("q", "app.quit", "quit")]

    def compose(self) -> ComposeResult:
        yield Static(too_small_text(self.app.size))

    def on_resize(self) -> None:
        self.query_one(Static).update(too_small_text(self.app.size))

    def on_screen_resume(self) -> None:
        """Back on top (a screen opened over it closed): the terminal may have grown meanwhile."""
        follow(self.app)


def follow(app: App) -> None:
    """Show the message while the terminal is below MIN_SIZE, and take it away once it is not."""
    small = app.size.width < MIN_SIZE.width or app.size.height < MIN_SIZE.height
    if small and not any(isinstance(screen, TooSmall) for screen in app.screen_stack):
        app.push_screen(TooSmall())
    elif not small and isinstance(app.screen, TooSmall):
        app.pop_screen()
