"""Text from outside as Rich `Text`: the widgets' side of the one boundary (engine/untrusted.py).

Panes build `rich.text.Text` from such text, never markup strings, so `[bold red]` in a
worker's line stays literal. `coloured` keeps the SGR colour a program printed (coloured
`logging`, pytest, tqdm) and nothing else: every other sequence is shown by `visible`
before Rich's ANSI decoder sees the line, so it can only ever read colour.
"""
from __future__ import annotations

from conctui.engine.untrusted import SGR, visible
from rich.cells import cell_len
from rich.style import Style
from rich.text import Span, Text

# colour may be kept; text that blinks or hides itself may not
_TAMED = Style(blink=False, blink2=False, conceal=False)


def plain(text: str, style: str | Style = "") -> Text:
    """One cell's worth of outside text, shown and styled by us only."""
    return Text(visible(text), style=style, end="", no_wrap=True)


def _tamed(style: str | Style) -> str | Style:
    if isinstance(style, Style) and (style.blink or style.blink2 or style.conceal):
        return style + _TAMED
    return style


def coloured(text: str) -> Text:
    """A printed line with its SGR colour as styles, and every other sequence shown, not obeyed."""
    if "\x1b" not in text:
        return plain(text)
    pieces: list[str] = []
    column = start = 0
    for match in SGR.finditer(text):
        shown = visible(text[start:match.start()], column)
        column += cell_len(shown)
        pieces += (shown, match.group())
        start = match.end()
    pieces.append(visible(text[start:], column))
    line = Text.from_ansi("".join(pieces), end="", no_wrap=True)
    line.spans = [Span(span.start, span.end, _tamed(span.style)) for span in line.spans]
    return line
