"""The one boundary for text from outside: what it may show on a terminal, and how.

Text from outside is everything conctui did not write itself: what workers print, error
and reason texts, workload names, descriptions and `--param` values, interpreter strings,
Dask host names, addresses and task keys, and every string of a recording. A terminal obeys
control characters and escape sequences, so such text could clear the screen, retitle the
terminal, move the cursor or (OSC 52) write to the clipboard. Every pane, export, headless
table and title passes it through `visible` first; JSON output keeps the exact text.

`visible` returns one line of harmless text that shows what was there:

- C0 controls and DEL become their Unicode control pictures (one cell each): ESC is `␛`,
  BEL `␇`, NUL `␀`, LF `␊`, CR `␍`, DEL `␡`. As every escape sequence starts with ESC or a
  C1 control, CSI, OSC, DCS, APC, PM, SOS and private modes are all shown, never obeyed:
  `ESC [2J` reads `␛[2J`.
- Tabs become spaces up to the next multiple of 8 cells (Python's `unicodedata` counts the
  cells, so a symbol a newer Unicode made wide may shift a tab stop by one; nothing else).
- C1 controls (U+0080-U+009F), format characters (bidi overrides, zero-width joiners, the
  byte-order mark), line and paragraph separators, unassigned code points, lone surrogates,
  and the characters terminals and Rich count differently (spacing vowel signs, variation
  selectors, emoji skin-tone modifiers, regional indicators, the viramas that join the
  consonants beside them into one cluster) become Python escapes such as
  `\\x9b` or `\\u202e`. A byte that was not UTF-8, decoded with `errors="surrogateescape"`
  (`from_bytes`), reads `\\xff`. Terminals disagree on the width of these, so showing them
  as ASCII keeps the columns aligned.
- Everything else (letters, CJK, emoji, combining accents) is kept.

SGR colour is the one sequence that may be drawn: the log pane keeps it as styles with
`conctui.widgets.untrusted_text.coloured` (the engine imports no Rich), which passes every
other part of a line through `visible`; `uncoloured` drops it where nothing draws colour.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

TAB_SIZE = 8
VIRAMA = 9  # the canonical combining class of the signs that join consonants into clusters

# anything but printable ASCII needs a closer look; printable ASCII is shown as it is
_NOT_PLAIN = re.compile(r"[^\x20-\x7e]")
# Unicode categories shown as escapes: controls, format, separators of lines, unassigned, surrogates
# SGR, "select graphic rendition": the colour and weight sequences the log pane may draw as styles
SGR = re.compile(r"\x1b\[[0-9;:]{0,64}m")
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Cn", "Zl", "Zp", "Mc"})


# code points terminals and Rich count differently: variation selectors, emoji skin-tone modifiers,
# regional indicators (flag halves); shown as escapes so the columns cannot drift. Viramas
# (canonical combining class 9) are too: wcwidth joins `\u1bab0` into a 2-cell cluster, Rich counts 1
# and U+1171E, a non-spacing mark in Python 3.11's Unicode 14 that Unicode 15 made a spacing one
_DISPUTED = ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF), (0x1F3FB, 0x1F3FF), (0x1F1E6, 0x1F1FF), (0x1171E, 0x1171E))
# Hangul vowels and finals that join the syllable before them, and the Hangul fillers: no cell of their own
_JOINING = ((0x1160, 0x11FF), (0xD7B0, 0xD7FF), (0x3164, 0x3164), (0xFFA0, 0xFFA0))


def _within(code: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(low <= code <= high for low, high in ranges)


@lru_cache(maxsize=4096)
def _shown(char: str) -> tuple[str, int]:
    """What one character that is not printable ASCII shows as, and the cells that takes."""
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code), 1
    if code == 0x7F:
        return "\u2421", 1
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}", 4
    category = unicodedata.category(char)
    if category in _ESCAPED_CATEGORIES or _within(code, _DISPUTED) or unicodedata.combining(char) == VIRAMA:
        escape = f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
        return escape, len(escape)
    if category in ("Mn", "Me") or _within(code, _JOINING):
        return char, 0
    return char, 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def visible(text: str, column: int = 0) -> str:
    """`text` as one line that a terminal shows but never obeys (see the module docstring).

    `column` is the cell the text starts at, so tabs stop where they would on that line.
    """
    if text.isascii() and text.isprintable():
        return text
    out: list[str] = []
    start = 0
    for match in _NOT_PLAIN.finditer(text):
        plain = text[start:match.start()]
        out.append(plain)
        column += len(plain)
        char = match.group()
        if char == "\t":
            shown, cells = " " * (TAB_SIZE - column % TAB_SIZE), TAB_SIZE - column % TAB_SIZE
        else:
            shown, cells = _shown(char)
        out.append(shown)
        column += cells
        start = match.end()
    out.append(text[start:])
    return "".join(out)


def uncoloured(text: str) -> str:
    """`visible`, with SGR colour dropped first: for output that draws no colour (headless tables)."""
    return visible(SGR.sub("", text))


def from_bytes(data: bytes) -> str:
    """Bytes from outside as text: UTF-8, each byte that is not kept as `\\xNN` by `visible`."""
    return data.decode("utf-8", "surrogateescape")
