"""Figures as text: one way to write a number, a share, a size or a Python, wherever a figure
is shown (the CLI's tables, the panes, the claims, the verdict, the exports).

A figure that is None is `-`, never a made-up 0. Text from outside (a version string, a
memory line naming a user's global) passes engine/untrusted.py here, so no caller forgets.
No Textual or Rich: plain strings that a pane styles and a table pads.
"""
from __future__ import annotations

from typing import Any

from conctui.engine.modes import MODES
from conctui.engine.untrusted import visible

NONE = "-"
BY_REFERENCE = "ref"  # an IPC cell where nothing was copied: help defines it


def figure(value: float | None, unit: str = "", digits: int = 2) -> str:
    """`0.70`, `0.87`: a plain figure (an efficiency, a serial fraction) with its unit, or `-`
    where there is none. The kinds below each have their own function: use it."""
    return NONE if value is None else f"{value:.{digits}f}{unit}"


def seconds(value: float | None, digits: int = 2) -> str:
    """`2.01 s`: a time, to hundredths for a measured one, tenths for a clock, or `-`."""
    return figure(value, " s", digits)


def seconds_cell(value: float | None, digits: int = 2) -> str:
    """`2.01s`: `seconds` in a table cell or a narrow pane's line, its unit unspaced, or `-`."""
    return figure(value, "s", digits)


def short_seconds(value: float | None) -> str:
    """`1.4s`, `12s`: a time that moves each tick, in four cells up to 999 s, or `-`."""
    return NONE if value is None else seconds_cell(value, 1 if round(value, 1) < 10 else 0)


def busy_cores(value: float | None) -> str:
    """`1.20`: cores kept busy, CPU seconds per wall second (a run's parallelism, a process's or
    a thread's CPU), or `-`."""
    return figure(value)


def others_load(value: float | None) -> str:
    """`1.7`: the cores other programs took meanwhile, to a tenth: a sampled load, rougher than
    a run's own figures, or `-`."""
    return figure(value, digits=1)


def ratio(value: float | None, unit: str = "x") -> str:
    """`1.28x`, `12.3x`: how many times as fast (a speedup), to hundredths below 10 and tenths
    from 10, or `-`; `unit=""` where words follow (`1.28 times as fast`)."""
    return NONE if value is None else figure(value, unit, 1 if round(value, 2) >= 10 else 2)


def percent(value: float | None) -> str:
    """`48%`: a share of time (0..1) as a whole percentage, or `-`."""
    return NONE if value is None else f"{value:.0%}"


def percent_cell(value: float | None, width: int = 4) -> str:
    """`  48`: a share of time (0..1) as a whole percentage without its sign, right-aligned in a
    table whose header names the unit (the watch's threads table), or `-`."""
    return f"{NONE if value is None else round(value * 100):>{width}}"


def load_percent(value: float | None) -> str:
    """`99%`: a core's load (or the app's CPU) as psutil and top give it, 0..100 per core, or `-`."""
    return NONE if value is None else f"{value:.0f}%"


def milliseconds(seconds: float | None) -> str:
    """`42 ms` from seconds, or `-`."""
    return NONE if seconds is None else f"{seconds * 1000:.0f} ms"


def seconds_left(left: float | None) -> str:
    """`about 12 s left` (engine/sweep.time_left's figure), or when it will be known."""
    return "time left after the first run" if left is None else f"about {seconds(left, 0)} left"


def byte_size(count: float) -> str:
    """`671 MB`, `4.2 kB`, `104 B`: decimal units, three significant digits."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= scale:
            return f"{count / scale:.3g} {unit}"
    return f"{count:.0f} B"


def mb_per_s(value: float | None) -> str:
    """`820 MB/s`: megabytes (10^6 bytes) moved per second, or `-`."""
    return figure(value, " MB/s", 0)


def ipc_cell(ipc_share: float | None, by_reference: bool) -> str:
    """The share of wall a worker spent moving its arguments and results; `ref` where they were
    passed by reference (nothing copied), `-` where nothing crossed."""
    if ipc_share is None:
        return NONE
    return BY_REFERENCE if by_reference else percent(ipc_share)


def run_ipc_cell(ipc: dict[str, Any] | None) -> str:
    """`ipc_cell` of one run's IPC figures (engine/memory.py's `ipc_figures`)."""
    if ipc is None:
        return NONE
    return ipc_cell(ipc["share"], not ipc["in_bytes"] and not ipc["out_bytes"])


def worker_ipc(ipc: dict[str, Any] | None) -> str:
    """`0.42 s 16.8 MB`: seconds and bytes one worker's arguments and results took to cross."""
    if ipc is None:
        return NONE
    moved = ipc["in_bytes"] + ipc["out_bytes"]
    return f"{seconds(ipc['in_s'] + ipc['out_s'])} {byte_size(moved)}" if moved else BY_REFERENCE


def memory_lines(figures: dict[str, Any]) -> list[str]:
    """What each side saw of the changed globals, then what crossing cost (engine/memory.py), each
    made visible: they quote a user's globals."""
    lines = list(figures["memory"]["lines"]) if figures.get("memory") else []
    if figures.get("ipc"):
        lines.append(figures["ipc"]["line"])
    return [visible(line) for line in lines]


def python_label(version: str | None, free_threaded: bool | None, python_gil: str | None = None) -> str:
    """`3.13.0`, or `3.13.5t` for a free-threaded build, `3.13.5t GIL on` with PYTHON_GIL=1."""
    switch = {"1": " GIL on", "0": " GIL off"}.get(python_gil or "", "") if free_threaded else ""
    return visible(f"{version}{'t' if free_threaded else ''}{switch}")


def short_note(note: str | None) -> str:
    """Why a figure is missing, in the two words a table cell holds: `own GIL`, `no GIL`."""
    return visible(" ".join((note or NONE).split(":")[0].split()[:2]))


def gil_held_cell(held: float | None, scope: str, note: str | None) -> str:
    """The run's GIL held: `98%` for one GIL, `each 98%` where each worker has its own (their
    mean, never a sum: engine/figures.gil_figures), else why there is none (`no GIL`)."""
    if held is None:
        return short_note(note)
    return percent(held) if scope == "one" else f"each {percent(held)}"


def mode_label(mode: str) -> str:
    """A mode's short label (`procs`); a recording's unknown mode as it is, made visible."""
    return MODES[mode].label if mode in MODES else visible(mode)
