"""A recording as one self-contained HTML page that plays in any browser: `conctui export --html`.

The page holds the frames as data (each distinct row once, then per frame only the rows that
changed, as the asciicast export writes them) and a small player script of conctui's own
(player.js beside this file). It loads nothing: its Content-Security-Policy allows no network
at all and runs only that script, matched by its hash, so even a row that slipped past the
escaping could not run code. Every row's text is HTML-escaped here, in Python.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
from importlib.resources import files
from pathlib import Path

from conctui.engine.recording import Recording
from conctui.engine.replay import SPEEDS
from conctui.export import Line, replay_frames, title
from rich.terminal_theme import SVG_EXPORT_THEME

THEME = SVG_EXPORT_THEME  # the colours Textual's SVG screenshots use, so both exports look alike


class StyleClasses:
    """Gives each distinct CSS rule one short class name, and splits rows into runs of one style."""

    def __init__(self) -> None:
        self.classes: dict[str, str] = {}  # CSS declarations -> class name

    def css_class(self, css: str) -> str:
        return self.classes.setdefault(css, f"s{len(self.classes)}") if css else ""

    @staticmethod
    def runs(line: Line) -> list[tuple[str, str]]:
        """(CSS declarations, text) per run of one style, neighbours of one style merged."""
        runs: list[tuple[str, str]] = []
        for segment in line:
            css = segment.style.get_html_style(THEME) if segment.style else ""
            if runs and runs[-1][0] == css:
                runs[-1] = (css, runs[-1][1] + segment.text)
            else:
                runs.append((css, segment.text))
        return runs

    def stylesheet(self) -> str:
        return "\n".join(f".{name} {{ {css} }}" for css, name in self.classes.items())


class RowMarkup(StyleClasses):
    """Turns a row of segments into HTML: a span of one class per run, its text escaped."""

    def __call__(self, line: Line) -> str:
        return "".join(f'<span class="{self.css_class(css)}">{html.escape(text)}</span>' if css
                       else html.escape(text) for css, text in self.runs(line))


def _json_for_script(value: object) -> str:
    """JSON that cannot end the <script> element it sits in, nor open a comment or entity there."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def _frame_data(recording: Recording, size: tuple[int, int], markup: RowMarkup) -> dict:
    """The player's data: distinct rows once, then [t, row, index, row, index, ...] per frame."""
    rows: dict[str, int] = {}
    frames = []
    for elapsed, changed in replay_frames(recording, size, markup):
        frame: list[float] = [elapsed]
        for row, text in changed:
            frame += [row, rows.setdefault(text, len(rows))]
        frames.append(frame)
    duration = frames[-1][0] if frames else 0.0
    return {"width": size[0], "height": size[1], "duration": duration, "rows": list(rows), "frames": frames}


def page(recording: Recording, size: tuple[int, int]) -> str:
    markup = RowMarkup()
    data = _json_for_script(_frame_data(recording, size, markup))
    script = files("conctui").joinpath("player.js").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    csp = f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'"
    name = html.escape(title(recording))
    fg, bg = THEME.foreground_color.hex, THEME.background_color.hex
    options = "".join(f"<option{' selected' if speed == 1 else ''}>{speed:g}</option>" for speed in SPEEDS)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width">
<title>{name}</title>
<style>
body {{ margin: 1em; background: #222; color: #ddd; font: 14px sans-serif; }}
#screen {{ display: inline-block; margin: 0; padding: 0.5em; background: {bg}; color: {fg};
  font: 14px/1.2 "DejaVu Sans Mono", Menlo, Consolas, monospace; white-space: pre; }}
#controls {{ display: flex; gap: 0.6em; align-items: center; margin-top: 0.5em; }}
#slider {{ flex: 1; }}
#screen span {{ display: inline-block; height: 1.2em; vertical-align: top; }}
#time {{ font-variant-numeric: tabular-nums; min-width: 8em; }}
{markup.stylesheet()}
</style>
</head>
<body>
<pre id="screen" aria-label="{name}"></pre>
<div id="controls">
<button id="play" type="button">pause</button>
<input id="slider" type="range" min="0" step="0.05" value="0" aria-label="time">
<span id="time"></span>
<label>speed <select id="speed">
{options}
</select></label>
</div>
<p>space: pause / play · left, right: 5 s back / on · &lt; &gt;: slower / faster ·
?t=S after the address opens paused at S seconds</p>
<script type="application/json" id="frames">{data}</script>
<script>{script}</script>
</body>
</html>
"""


def export_html(recording: Recording, out: str | Path, size: tuple[int, int]) -> None:
    Path(out).write_text(page(recording, size), encoding="utf-8")
