"""A watch as plain text for a terminal that is not the TUI: the threads table and the verdict."""
from __future__ import annotations

from conctui.engine.text import busy_cores, byte_size, percent_cell, seconds
from conctui.engine.untrusted import visible
from conctui.engine.watch.model import WatchModel
from conctui.engine.watch.verdict import verdict
from conctui.engine.watch.waiting import KINDS

SHORT = {"running": "run", "gil_wait": "gil", "lock_wait": "lock", "io_wait": "io", "sleep": "slp", "other": "oth"}


def summary(model: WatchModel, width: int = 80) -> str:
    """The whole watch: one line per process, one per thread, then the verdict."""
    started = model.started
    lines = []
    if started is not None:
        lines.append(visible(f"watched pid {started.pid} · {' '.join(started.argv)}")[:width])
        lines.append(f"{started.python} · {started.cores} cores · {seconds(model.duration_s, 1)}")
    header = f"{'thread':<18} {'cpu':>4} {'core':>4} {'held':>4} " + " ".join(f"{SHORT[k]:>4}" for k in KINDS)
    for process in model.figures(window=False):
        ended = "" if process.ended is None else f" · ended at {seconds(process.ended, 1)}"
        lines.append(visible(f"pid {process.pid} {process.role} · {busy_cores(process.cpu)} cores · "
                             f"{byte_size(process.rss_bytes)}"
                             f"{ended} · {' '.join(process.argv)}")[:width])
        lines.append(header)
        for thread in process.threads:
            states = thread.states or {}
            lines.append(f"{visible(thread.name)[:18]:<18} {percent_cell(thread.cpu)} "
                         f"{'-' if thread.core is None else thread.core:>4} {percent_cell(thread.gil_held)} "
                         + " ".join(f"{percent_cell(states.get(k))}" for k in KINDS)
                         + (f"  {visible(thread.top)}" if thread.top else "")[:width])
    lines.extend(line.text for line in verdict(model, window=False))
    lines.extend(visible(f"note: {note}") for note in model.notes().values() if note)  # py-spy's words among them
    return "\n".join(lines)
