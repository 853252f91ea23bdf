"""The key footer: Textual's, compact, each key made compact rather than restyled once mounted,
and legible at 80 columns: a gap between a group's keys and after its label (`s t p a i d mode`,
`+ - workers w load`), where Textual's compact style runs them together (`stpaid mode`,
`workersw load`)."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class CompactFooter(Footer):
    """Textual's compact Footer. Its keys start without the `-compact` class and each gets it
    once mounted (FooterKey watches its `compact`), a restyle per key: made with the class,
    the watcher finds nothing to change (14 keys: ~13 ms of CPU before the first frame,
    bench/startup.py). What is drawn is the same."""

    DEFAULT_CSS = """
    CompactFooter.-compact {
        KeyGroup.-compact {
            padding-left: 0;
            margin: 0;
            FooterKey.-grouped {
                margin: 0 1 0 0;
            }
        }
        FooterLabel {
            margin: 0 1 0 0;
        }
    }
    """

    def __init__(self) -> None:
        super().__init__(compact=True)

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.set_class(True, "-compact", update=False)
            yield widget
