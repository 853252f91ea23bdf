"""Send a style's codes only when they change: the app's process, in the partial updates
changed_cells.py sends.

Textual writes every segment as `ESC[codes m text ESC[0m`: a pane's digits in the default
colours went out as 4 digits inside 23 bytes of colour codes, and the codes were over half of
what a watch sent each second (bench/watch_cost.py's bytes row). `Pen` knows the colours and
attributes the terminal has after what was written, and moves to each segment's with the
fewest codes: nothing where they are the same, only the colour that changed, or a reset and
the whole style where an attribute or colour must go. Cursor moves keep the terminal's colours,
so one span's style carries to the next, and one update's to the next: a second's new digits
in the default colours go out as the digits. The style left is kept on the app's console
(`left`); Textual's own writes start from reset, so a whole-screen update is sent after one
(changed_cells.py), and the terminal driver resets it before the app leaves the terminal.
"""
from __future__ import annotations

from functools import lru_cache

from rich.color import ColorSystem
from rich.console import Console
from rich.style import Style
from textual.strip import Strip

RESET = "\x1b[0m"
LEFT = "_conctui_sgr_left"  # the console's attribute: the Codes the terminal has after the last update
Codes = tuple[tuple[str, ...], str, str]  # (attributes, foreground, background) as SGR parameters
PLAIN: Codes = ((), "", "")


@lru_cache(maxsize=1024)
def parts(codes: str) -> Codes:
    """A style's SGR parameters (`1;38;5;253;48;5;233`) split into attributes, foreground, background."""
    attributes: list[str] = []
    colours = {"38": "", "48": ""}
    tokens = codes.split(";") if codes else []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in colours:  # 38;5;N or 38;2;R;G;B
            length = 3 if tokens[i + 1] == "5" else 5
            colours[token] = ";".join(tokens[i:i + length])
            i += length
            continue
        number = int(token)
        if 30 <= number <= 39 or 90 <= number <= 97:
            colours["38"] = token
        elif 40 <= number <= 49 or 100 <= number <= 107:
            colours["48"] = token
        else:
            attributes.append(token)
        i += 1
    return tuple(attributes), colours["38"], colours["48"]


def step(old: Codes, new: Codes, codes: str) -> str:
    """The escape that takes a terminal from `old` to `new` (whose whole parameters are `codes`)."""
    if new == old:
        return ""
    if new == PLAIN:
        return RESET
    if set(old[0]) <= set(new[0]) and (new[1] or not old[1]) and (new[2] or not old[2]):
        changed = [a for a in new[0] if a not in old[0]]
        changed += [colour for colour, was in zip(new[1:], old[1:]) if colour != was]
        return f"\x1b[{';'.join(changed)}m"
    return f"\x1b[0;{codes}m"  # something must go: reset and set in one escape


def left(console: Console) -> Codes:
    """The style the terminal has after the app's last update (PLAIN: reset)."""
    return getattr(console, LEFT, PLAIN)


def leave(console: Console, codes: Codes) -> None:
    setattr(console, LEFT, codes)


class Pen:
    """The terminal's style after what this update wrote so far (PLAIN: reset)."""

    def __init__(self, system: ColorSystem, now: Codes = PLAIN) -> None:
        self.system = system
        self.now = now

    def codes(self, style: Style | None) -> str:
        """A style's SGR parameters, as Textual's own render makes them (and caches on the style)."""
        codes = "" if style is None else style._ansi
        return Strip.render_ansi(style, self.system) if codes is None else codes

    def write(self, text: str, style: Style | None) -> str:
        """`text` in `style`, preceded by only the codes that change."""
        if style is not None and style._link:  # a link's OSC 8 wraps Textual's own rendering, which ends reset
            before, self.now = self.done(), PLAIN
            return before + Strip.render_style(style, text, self.system)
        codes = self.codes(style)
        new = parts(codes)
        before, self.now = step(self.now, new, codes), new
        return before + text

    def starts_as_now(self, strip: Strip) -> bool:
        """Whether `strip`'s first cell is in the style the terminal has now: no codes before it."""
        first = next(iter(strip), None)
        return first is not None and not first.control and parts(self.codes(first.style)) == self.now

    def done(self) -> str:
        """Back to reset, where Textual's own writes expect the terminal."""
        before, self.now = ("" if self.now == PLAIN else RESET), PLAIN
        return before
