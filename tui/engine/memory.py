"""What each side saw of the workload's globals, and what crossing between them cost: a run's
`memory` and `ipc` figures and the lines that say them (CLI tables, the TUI, exports).

From the folded state only (no I/O): the runner's `memory` event (the parent's view, how
values crossed, the carrier's raw speed) and each worker's `ipc` and `memory` fields.
"""
from __future__ import annotations

from typing import Any

from conctui.engine.state import RunState
from conctui.engine.text import byte_size, figure, mb_per_s, percent, seconds

ARROW = "→"
MAX_LISTED = 3  # workers listed one by one when they disagree, then "..."


def _shown(value: Any) -> str:
    if value is None:
        return "absent"
    if isinstance(value, list):  # ["len", n]
        return str(value[1])
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _label(name: str, pair: list) -> str:
    return f"len({name})" if any(isinstance(value, list) for value in pair) else name


def _number(value: Any) -> float | int | None:
    if isinstance(value, list):
        return value[1]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return None


def _change(pair: list) -> str:
    return f"{_shown(pair[0])} {ARROW} {_shown(pair[1])}"


def _workers_text(views: list[list | None], known: list[bool]) -> str:
    """`; each worker 0 → 100000`, or each worker's own when they differ. A worker that ended
    without saying (it crashed) is `unknown`; one whose copy did not change, `unchanged`."""
    if not any(known):
        return ""
    texts = [_change(view) if view is not None else "unchanged" if seen else "unknown"
             for view, seen in zip(views, known)]
    if len(set(texts)) == 1 and all(known):
        return f"; each worker {texts[0]}"
    listed = [f"#{index} {text}" for index, text in enumerate(texts)]
    more = ", ..." if len(listed) > MAX_LISTED else ""
    return "; workers " + ", ".join(listed[:MAX_LISTED]) + more


def memory_figures(run: RunState) -> dict[str, Any] | None:
    """{shared, crossing, names: {name: {parent, workers, expected, lost}}, lines}; None before
    the runner said (a run that crashed, or a recording from before this existed)."""
    memory = run.memory
    if memory is None:
        return None
    workers = run.workers
    names: dict[str, Any] = {}
    lines = []
    for name, parent in memory.parent.items():
        views = None if memory.shared else [w.memory.get(name) if w.memory is not None else None for w in workers]
        entry: dict[str, Any] = {"parent": parent, "workers": views, "expected": None, "lost": None}
        line = f"{_label(name, parent)}: parent {_change(parent)}"
        start, end = _number(parent[0]), _number(parent[1])
        done = [w for w in workers if w.status == "done"]
        if memory.shared and name in memory.expected and start is not None and end is not None and done:
            entry["expected"] = start + memory.expected[name] * len(done)
            entry["lost"] = entry["expected"] - end
            if entry["lost"] > 0:
                line += f" ({entry['expected']} expected: {entry['lost']} updates lost)"
        if views is not None:
            line += _workers_text(views, [w.memory is not None for w in workers])
        entry["line"] = line
        names[name] = entry
        lines.append(line)
    return {"shared": memory.shared, "names": names, "lines": lines}


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def ipc_figures(run: RunState) -> dict[str, Any] | None:
    """A worker's mean seconds spent pickling and moving its arguments and return values
    (apart from the work), their share of the run's wall, the bytes, MB/s, and the raw speed
    of the carrier on this machine; None where no worker reported a crossing."""
    crossed = [w for w in run.workers if w.ipc is not None and w.wall_s]
    if not crossed:
        return None
    seconds = [w.ipc["in_s"] + w.ipc["out_s"] for w in crossed]
    moved = sum(w.ipc["in_bytes"] + w.ipc["out_bytes"] for w in crossed)
    ipc_s = _mean(seconds)
    wall_s = run.finished.wall_s if run.finished else None
    memory = run.memory
    figures = {
        "crossing": memory.crossing if memory else None,
        "calls": sum(w.ipc["calls"] for w in crossed),
        "in_bytes": sum(w.ipc["in_bytes"] for w in crossed), "out_bytes": sum(w.ipc["out_bytes"] for w in crossed),
        "ipc_s": round(ipc_s, 4), "wall_s": wall_s,
        "share": round(ipc_s / wall_s, 4) if wall_s else None,
        "mb_s": round(moved / 1e6 / sum(seconds), 1) if moved >= 1e6 and sum(seconds) > 0 else None,
        "carrier": memory.carrier if memory else None,
        "carrier_mb_s": memory.carrier_mb_s if memory else None,
    }
    figures["line"] = ipc_line(figures)
    return figures


def ipc_line(figures: dict[str, Any]) -> str:
    """`IPC 0.42 s of 1.10 s (38%) · 671 MB · 820 MB/s (raw pipe: 2100)`: the last is the
    carrier's own speed on this machine, measured after the run without pickling."""
    if not figures["in_bytes"] and not figures["out_bytes"]:
        return "IPC 0 s: arguments and results passed by reference, no copy"
    line = f"IPC {seconds(figures['ipc_s'])}"
    if figures["wall_s"]:
        line += f" of {seconds(figures['wall_s'])} ({percent(figures['share'])})"
    line += f" · {byte_size(figures['in_bytes'] + figures['out_bytes'])}"
    if figures["mb_s"] is not None:
        line += f" · {mb_per_s(figures['mb_s'])}"
    if figures["carrier_mb_s"] is not None:
        line += f" (raw pipe: {figure(figures['carrier_mb_s'], digits=0)})"
    return line
