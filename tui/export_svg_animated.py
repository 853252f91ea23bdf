"""A recording as one animated SVG that plays where only an image may go: `conctui export --svg-animated`.

GitHub shows a README's SVG as an image: no script runs, but SVG's own animation (SMIL) does.
So each distinct screen row is drawn once (in <defs>), and each time a row changes, a <use> of
the new drawing is made visible from that moment until the row next changes, by a <set> timed
on one looping clock. Like the page and the asciicast, only the rows that change are written.
Every row's text is XML-escaped here; the drawing has no script and loads nothing.
"""
from __future__ import annotations

import html
from pathlib import Path

from conctui.engine.recording import Recording
from conctui.export import Line, replay_frames, title
from conctui.export_html import THEME, StyleClasses
from rich.cells import cell_len

CELL_W, LINE_H, FONT_PX = 12.2, 24.4, 20  # the cell of Rich's and Textual's SVG screenshots
HOLD_S = 3.0  # the last screen stays this long before the replay starts again


def _declarations(css: str) -> dict[str, str]:
    return dict(part.split(": ", 1) for part in css.split("; ") if part)


class RowDrawing(StyleClasses):
    """Turns a row of segments into SVG: a rectangle per background, a <text> per run that shows any."""

    def __call__(self, line: Line) -> str:
        parts: list[str] = []
        column = 0
        for css, text in self.runs(line):
            cells = cell_len(text)
            rule = _declarations(css)
            x, width = column * CELL_W, cells * CELL_W
            if "background-color" in rule:
                name = self.css_class(f"fill: {rule.pop('background-color')}")
                parts.append(f'<rect class="{name}" x="{x:g}" width="{width:g}" height="{LINE_H:g}"/>')
            shown = text.strip()
            if shown:  # drawn from its first visible cell, so no glyph is stretched over spaces
                if "color" in rule:
                    rule["fill"] = rule.pop("color")
                name = self.css_class("; ".join(f"{key}: {value}" for key, value in rule.items()))
                kind = f' class="{name}"' if name else ""
                start = (column + cell_len(text[:len(text) - len(text.lstrip())])) * CELL_W
                parts.append(f'<text{kind} x="{start:g}" y="{FONT_PX:g}" textLength="{cell_len(shown) * CELL_W:g}" '
                             f'lengthAdjust="spacingAndGlyphs">{html.escape(shown)}</text>')
            column += cells
        return "".join(parts)


def drawing(recording: Recording, size: tuple[int, int]) -> str:
    rows = RowDrawing()
    frames = replay_frames(recording, size, rows)
    duration = (frames[-1][0] if frames else 0.0) + HOLD_S
    ids: dict[str, int] = {}
    # (row, drawing id, from, to) for every stretch of time a row shows one drawing
    shown: dict[int, tuple[int, float]] = {}
    stretches: list[tuple[int, int, float, float | None]] = []
    for elapsed, changed in frames:
        for row, text in changed:
            if row in shown:
                stretches.append((row, *shown[row], elapsed))
            shown[row] = (ids.setdefault(text, len(ids)), elapsed)
    stretches += [(row, ident, start, None) for row, (ident, start) in shown.items()]

    width, height = size[0] * CELL_W, size[1] * LINE_H
    defs = "\n".join(f'<g id="r{ident}">{text}</g>' for text, ident in ids.items())
    uses = "\n".join(
        f'<use href="#r{ident}" y="{row * LINE_H:g}" visibility="hidden"><set attributeName="visibility" '
        f'to="visible" begin="clock.begin+{start:g}s" end="{"clock.end" if end is None else f"clock.begin+{end:g}s"}"/>'
        f'</use>' for row, ident, start, end in stretches)
    name = html.escape(title(recording))
    fg, bg = THEME.foreground_color.hex, THEME.background_color.hex
    return f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" width="{width:g}" \
height="{height:g}" xml:space="preserve">
<title>{name}</title>
<style>
text {{ white-space: pre; font: {FONT_PX}px "Fira Code", "DejaVu Sans Mono", Menlo, Consolas, monospace; fill: {fg}; }}
{rows.stylesheet()}
</style>
<rect width="100%" height="100%" fill="{bg}"><animate id="clock" attributeName="x" values="0;0" \
dur="{duration:g}s" begin="0s;clock.end"/></rect>
<defs>
{defs}
</defs>
{uses}
</svg>
"""


def export_svg_animated(recording: Recording, out: str | Path, size: tuple[int, int]) -> None:
    Path(out).write_text(drawing(recording, size), encoding="utf-8")
