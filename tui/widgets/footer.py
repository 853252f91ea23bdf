"""The key footer: Textual's, compact, each key made compact rather than restyled once mounted,
and legible at 80 columns: a gap between a group's keys and after its label (`s t p a i d mode`,
`+ - workers w load`), where Textual's compact style runs them together (`stpaid mode`,
`workersw load`)."""
from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.screen import Screen
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
        self._shown: Hashable = None  # the keys as last composed (shown_keys)

    async def recompose(self) -> None:
        """Compose again only when what the footer shows changed: a key, its label or group, or
        whether it applies now. Textual recomposes after every bindings refresh (each run's start
        and end, a screen closing), unmounting and mounting every key again for the same row.
        Compared here, after the refresh, not when the refresh is signalled: a key's state may
        move in between."""
        shown = shown_keys(self.screen) if self._bindings_ready else None
        if shown is not None and shown == self._shown:
            return
        self._shown = shown
        await super().recompose()

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.set_class(True, "-compact", update=False)
            yield widget


def shown_keys(screen: Screen) -> Hashable:
    """What Footer.compose draws from the screen's bindings, as one comparable value."""
    return tuple((binding.key, binding.description, binding.action, binding.group, enabled, tooltip)
                 for _, binding, enabled, tooltip in screen.active_bindings.values() if binding.show)
