"""What the cores pane draws of each host's cores in the room it has: every core's own recent
history, numbered, in columns of sparklines while they fit (htop puts its per-core meters in
columns, btop gives each core a small graph); past that, a heat map of core ranges by time that
names the busiest and the idlest core.

Plain Rich Text (the pane draws it): one style per sparkline, never a colour per cell, which
would multiply the bytes sent over SSH; its colour is its history's mean load, the latest
share beside it. A cell is the mean of a fixed stretch of the clock and
only whole stretches are drawn, so every sparkline moves once a stretch, all together, not on
each sample; a stretch always stands for the same seconds, so at least MIN_HISTORY_S show.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from conctui.engine.state import CoreHost
from conctui.engine.text import load_percent
from conctui.engine.untrusted import visible
from rich.text import Text

BLOCKS = "▁▂▃▄▅▆▇█"  # an idle core's history still reads as history: blank is only "no sample yet"
MIN_CELLS = 4  # a sparkline narrower than this shows no shape
MIN_HISTORY_S = 10.0  # each core's sparkline covers at least this much time
STEPS = (0.25, 0.5, 1.0, 2.0, 2.5, 5.0, 10.0)  # the seconds a cell may stand for: the fewest that reach MIN_HISTORY_S
PERCENT = 5  # " 100%": a core's latest share, where its column has room for it beside the sparkline


def level(percent: float) -> str:
    return BLOCKS[min(7, max(0, round(percent / 100 * 7)))]


def load_style(percent: float) -> str:
    return "red" if percent >= 85 else "yellow" if percent >= 50 else "green"


def host_label(host: CoreHost) -> str:
    """A host's name as it may be shown (a cluster or a recording names it), or `local`."""
    return visible(host.name) or "local"


def seconds_per_cell(cells: int, sample_s: float = 0.0) -> float:
    """The fewest seconds a cell stands for that reach MIN_HISTORY_S, and no fewer than come
    between samples: at a sample a second, half-second cells drew each sample twice, and each
    second's shift resent twice the cells (the bytes to a terminal)."""
    return next((step for step in STEPS if step * cells >= MIN_HISTORY_S and step >= 0.75 * sample_s), STEPS[-1])


def sample_seconds(times: Sequence[float]) -> float:
    """The usual seconds between a host's samples: the median of its last few gaps (a late
    tick's is not), 0 before two."""
    recent = list(times)[-6:]
    gaps = sorted(b - a for a, b in zip(recent, recent[1:]))
    return gaps[len(gaps) // 2] if gaps else 0.0


def stretch_means(times: Sequence[float], values: Sequence[float], seconds: float, cells: int) -> list[float | None]:
    """The mean of each of the last `cells` whole stretches of `seconds` (aligned to the clock,
    the newest ending at or before the latest sample). A stretch no sample fell in takes the
    next sample's value (that sample's interval spanned it); one before the first sample is None."""
    if not times:
        return [None] * cells
    end = math.floor(times[-1] / seconds + 1e-9) * seconds
    start = end - seconds * cells
    sums, counts = [0.0] * cells, [0] * cells
    for t, value in zip(times, values):
        if start < t <= end + 1e-9:
            k = min(cells - 1, max(0, math.ceil((t - start) / seconds - 1e-9) - 1))
            sums[k] += value
            counts[k] += 1
    means: list[float | None] = [None] * cells
    later: float | None = None
    for k in range(cells - 1, -1, -1):
        if counts[k]:
            later = sums[k] / counts[k]
        if start + (k + 1) * seconds >= times[0]:  # the stretch ends after the first sample
            means[k] = later
    return means


def sparkline(means: list[float | None]) -> str:
    return "".join(" " if mean is None else level(mean) for mean in means)


def history_style(means: list[float | None], now: float) -> str:
    """A sparkline's one colour: its history's mean load (the latest share until it has one). By
    the latest share alone, a core near a threshold changed colour every second, and each time
    every cell of its sparkline went to the terminal again."""
    drawn = [mean for mean in means if mean is not None]
    return load_style(sum(drawn) / len(drawn) if drawn else now)


@dataclass(frozen=True)
class Columns:
    """Sparklines laid out `columns` across, each `cells` wide, with the latest % beside them or not."""

    columns: int
    cells: int
    percent: bool
    label: int  # cells of the widest core number
    space: bool  # a blank between number and sparkline (else the number is dim)



def columns_that_fit(counts: list[int], width: int, height: int) -> Columns | None:
    """The fewest columns (so the longest sparklines) that fit every host's cores in `height`
    rows, a header row per host where there are several; None where a sparkline would be too short."""
    label = len(str(max(counts) - 1))
    headers = len(counts) if len(counts) > 1 else 0
    for columns in range(1, max(counts) + 1):
        if sum(math.ceil(n / columns) for n in counts) + headers > height:
            continue
        cells = (width - (columns - 1)) // columns - label
        space = cells - 1 >= MIN_CELLS + 2
        cells -= 1 if space else 0
        percent = cells - PERCENT >= MIN_CELLS + 2
        cells -= PERCENT if percent else 0
        return Columns(columns, cells, percent, label, space) if cells >= MIN_CELLS else None
    return None


def _core_cell(host: CoreHost, core: int, layout: Columns) -> Text:
    times = list(host.times)
    history = list(host.history[core])[-len(times):]
    means = stretch_means(times[-len(history):], history, seconds_per_cell(layout.cells, sample_seconds(times)),
                          layout.cells)
    now = host.now[core]
    number = f"{core:>{layout.label}} " if layout.space else (f"{core:>{layout.label}}", "dim")
    cell = Text.assemble(number, (sparkline(means), history_style(means, now)))
    if layout.percent:
        cell.append(f" {load_percent(now):>4}")
    return cell


def sparkline_rows(host: CoreHost, layout: Columns) -> list[Text]:
    """The host's cores down each column in turn (htop's order: 0-7 left, 8-15 right)."""
    count = len(host.now)
    rows = math.ceil(count / layout.columns)
    return [Text(" ").join(_core_cell(host, core, layout) for core in range(row, count, rows))
            for row in range(rows)]


def extremes(host: CoreHost, width: int) -> Text:
    """`busiest 12 99%, idlest 43 1%`: which cores, by their latest share (the shares left out
    where the line would not fit)."""
    now = host.now
    busiest, idlest = max(range(len(now)), key=now.__getitem__), min(range(len(now)), key=now.__getitem__)
    line = Text.assemble("busiest ", (f"{busiest} {load_percent(now[busiest])}", load_style(now[busiest])),
                         f", idlest {idlest} {load_percent(now[idlest])}")
    return line if line.cell_len <= width else Text(f"busiest {busiest}, idlest {idlest}")


def heat_rows(host: CoreHost, width: int, rows: int) -> list[Text]:
    """A heat map of core ranges by time in `rows` rows: each row a range's mean per stretch,
    labelled `0-7`, its latest mean beside it where it fits."""
    count = len(host.now)
    per_row = math.ceil(count / max(1, rows))
    label = len(f"{count - 1}-{count - 1}")
    cells = width - label - 1
    percent = cells - PERCENT >= MIN_CELLS + 2
    cells = max(1, cells - (PERCENT if percent else 0))
    seconds = seconds_per_cell(cells, sample_seconds(host.times))
    times = list(host.times)
    lines = []
    for first in range(0, count, per_row):
        cores = range(first, min(count, first + per_row))
        depth = min(len(times), *(len(host.history[core]) for core in cores))
        mean = [sum(host.history[core][i - depth] for core in cores) / len(cores) for i in range(depth)]
        now = sum(host.now[core] for core in cores) / len(cores)
        name = f"{first}-{cores[-1]}" if len(cores) > 1 else f"{first}"
        means = stretch_means(times[len(times) - depth:], mean, seconds, cells)
        line = Text.assemble(f"{name:>{label}} ", (sparkline(means), history_style(means, now)))
        if percent:
            line.append(f" {load_percent(now):>4}")
        lines.append(line)
    return lines


def core_lines(hosts: list[CoreHost], width: int, height: int) -> list[Text]:
    """Every host's cores in `height` rows of `width` cells, each line one row: sparklines per
    core where they fit, else a heat map per host under its name and extremes."""
    hosts = [host for host in hosts if host.now]
    if not hosts or height < 1:
        return []
    named = len(hosts) > 1
    layout = columns_that_fit([len(host.now) for host in hosts], width, height)
    lines: list[Text] = []
    if layout is not None:
        for host in hosts:
            if named:
                lines.append(Text(f"{host_label(host)}: {len(host.now)} cores", "bold"))
            lines += sparkline_rows(host, layout)
        return lines
    total = sum(len(host.now) for host in hosts)
    spare = max(0, height - len(hosts))  # a line of extremes per host, the rest shared by core count
    for host in hosts:
        name = Text(f"{host_label(host)} ", "bold") if named else Text()
        head = Text.assemble(name, extremes(host, width - name.cell_len))
        lines.append(head)
        rows = spare * len(host.now) // total
        if rows:
            lines += heat_rows(host, width, rows)
    return [crop(line, width) for line in lines[:height]]


def crop(line: Text, width: int) -> Text:
    """The line cut to `width` cells: a pane's line is one row, never wrapped onto the next."""
    if line.cell_len <= width:
        return line
    cut = line.copy()
    cut.truncate(width)
    return cut
