"""The sweep: one workload run at 1 to 2 x cores workers in each mode, and how its speed scales.

Pure functions over run figures, shared by `conctui sweep` and the TUI's sweep screen: which
worker counts to try, the plan, the points (median wall, speedup, efficiency per mode and
count), a fit of Amdahl's serial fraction per mode, the time left, a plotext chart, and the
advice (`advice`): which mode at how many workers, from the measured points alone.

The model is FIXED WORK PER WORKER, because that is what the built-ins (and a user's function
called once per worker) do today: N workers do N times the work of one. The speedup is then
the scaled one, N x wall(1) / wall(N): how much more work per second than one worker. Amdahl's
serial fraction s is the share of each worker's work that cannot overlap with the others'
(pure Python under one GIL: all of it), so on C usable cores

    wall(N) / wall(1) = s N + (1 - s) max(1, N / C)

(the parallel part spreads over at most C cores), i.e. speedup = N / (s N + (1 - s) max(1, N/C)).
s = 0 is perfect scaling up to C cores; s = 1 is no gain at all. The fit is least squares on
wall(N) / wall(1), s clamped to 0..1; its quality is the RMS relative error of the walls it
predicts. Fixed TOTAL work (Amdahl's own set-up, each worker doing 1/N of it) would need a
workload that splits its work by N: none does today, so it is not fitted.
"""
from __future__ import annotations

import math
from statistics import fmean
from typing import Any

from conctui.engine.events import SweepStarted
from conctui.engine.figure_records import RunFigures
from conctui.engine.figures import summarize
from conctui.engine.text import figure, others_load, percent, ratio
from conctui.engine.verdict import THRESHOLDS

MODEL = ("fixed work per worker: wall(N)/wall(1) = s*N + (1-s)*max(1, N/cores); "
         "speedup = N*wall(1)/wall(N)")
QUALITY = ((0.10, "good"), (0.25, "fair"))  # RMS relative error of the predicted walls, at most: word
DEFAULT_MODES = ("threads", "processes")
ONE_POINT = "from one worker count beyond 1, so not a fit: more counts would test the model"
BUSY_SHARE = THRESHOLDS["busy_share"]


def default_counts(usable_cores: int, cap: int) -> list[int]:
    """1 to 2 x cores: the powers of two, the core count and twice it, never above `cap`."""
    top = max(1, min(2 * usable_cores, cap))
    counts = {1 << k for k in range(top.bit_length()) if 1 << k <= top}
    counts.update(n for n in (usable_cores, 2 * usable_cores) if 1 <= n <= top)
    return sorted(counts)


def plan(modes: list[str], counts: list[int], repeat: int) -> list[tuple[str, int]]:
    """(mode, workers) of every run, in the order they run: mode by mode, fewest workers first."""
    return [(mode, n) for mode in modes for n in counts for _ in range(repeat)]


def _cores_bound(workers: int, cores: int) -> float:
    return max(1.0, workers / cores)


def points(runs: list[RunFigures]) -> list[dict[str, Any]]:
    """Per mode and worker count: median wall, scaled speedup against 1 worker, efficiency."""
    rows = summarize(runs)
    ones = {row["mode"]: row["wall_s"] for row in rows if row["workers"] == 1 and row["wall_s"]}
    found = []
    order = list(dict.fromkeys(run["mode"] for run in runs))  # modes in the order they ran
    for row in sorted(rows, key=lambda r: (order.index(r["mode"]), r["workers"])):
        n, one = row["workers"], ones.get(row["mode"])
        speedup = round(n * one / row["wall_s"], 3) if one and row["wall_s"] else None
        usable = row["usable_cores"] or 1
        found.append({"mode": row["mode"], "workers": n, "wall_s": row["wall_s"], "wall_min": row["wall_min"],
                      "wall_max": row["wall_max"], "runs": row["runs"], "ok_runs": row["ok_runs"],
                      "parallelism": row["parallelism"], "other_load": row.get("other_load"), "speedup": speedup,
                      "efficiency": round(speedup / min(n, usable), 3) if speedup is not None else None,
                      "usable_cores": usable})
    return found


def _quality(error: float) -> str:
    return next((word for limit, word in QUALITY if error <= limit), "poor")


def fit(mode_points: list[dict[str, Any]], cores: int) -> dict[str, Any]:
    """Amdahl's serial fraction of one mode's points under the fixed-work-per-worker model."""
    one = next((p["wall_s"] for p in mode_points if p["workers"] == 1 and p["wall_s"]), None)
    used = [p for p in mode_points if p["workers"] > 1 and p["wall_s"]]
    if one is None or not used:
        return {"serial_fraction": None, "rms_error": None, "quality": None, "points": len(used),
                "note": "needs a 1-worker point and one with more workers"}
    xs = [p["workers"] - _cores_bound(p["workers"], cores) for p in used]
    ys = [p["wall_s"] / one - _cores_bound(p["workers"], cores) for p in used]
    weight = sum(x * x for x in xs)
    if weight == 0:
        return {"serial_fraction": None, "rms_error": None, "quality": None, "points": len(used),
                "note": "one usable core: every mode runs one worker at a time, nothing to fit"}
    raw = sum(x * y for x, y in zip(xs, ys)) / weight
    serial = min(1.0, max(0.0, raw))
    errors = [((serial * x + _cores_bound(p["workers"], cores)) * one - p["wall_s"]) / p["wall_s"]
              for x, p in zip(xs, used)]
    error = math.sqrt(fmean(e * e for e in errors))
    note = None
    if raw < -0.05:
        note = "faster than the cores allow: the workers wait more than they compute, which this model does not cover"
    others = max((p.get("other_load") or 0.0 for p in mode_points), default=0.0)
    if others >= BUSY_SHARE * cores:  # the verdict's "busy" threshold: the fit measured the neighbours too
        note = (f"other programs took up to {others_load(others)} of the {cores} cores during these runs, so this fit "
                "measures them too") + (f"; {note}" if note else "")
    if len(used) == 1:  # one equation, one unknown: s passes through the point, nothing tests the model
        return {"serial_fraction": round(serial, 3), "rms_error": None, "quality": None, "points": 1,
                "note": ONE_POINT + (f"; {note}" if note else "")}
    return {"serial_fraction": round(serial, 3), "rms_error": round(error, 3), "quality": _quality(error),
            "points": len(used), "note": note}


def fits(found: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The fit of every mode in `found` (points() output), by mode."""
    by_mode: dict[str, list[dict[str, Any]]] = {}
    for point in found:
        by_mode.setdefault(point["mode"], []).append(point)
    return {mode: fit(members, members[0]["usable_cores"]) for mode, members in by_mode.items()}


def predicted_wall(found: list[dict[str, Any]], mode: str, workers: int) -> float | None:
    """A run's wall before it runs: the mode's fit so far (s = 0.5 before it has one)."""
    members = [p for p in found if p["mode"] == mode]
    one = next((p["wall_s"] for p in members if p["workers"] == 1 and p["wall_s"]), None)
    if one is None:  # nothing of this mode yet: another mode's 1-worker wall stands in
        one = next((p["wall_s"] for p in found if p["workers"] == 1 and p["wall_s"]), None)
    if one is None:
        return None
    cores = found[0]["usable_cores"]
    serial = fit(members, cores)["serial_fraction"] if members else None
    serial = 0.5 if serial is None else serial
    bound = _cores_bound(workers, cores)
    return one * (serial * (workers - bound) + bound)


def one_worker_wall(figures: list[RunFigures], workload: str, params: dict) -> float | None:
    """One worker's wall for this workload and params, from the session's earlier runs: the
    shortest worker's (a sequential run's each, a GIL-bound thread's is longer), None if none ran."""
    walls = [w["wall_s"] for run in figures if run["workload"] == workload and run["params"] == params
             for w in run["per_worker"] if w["wall_s"]]
    return min(walls, default=None)


def planned_s(runs: list[tuple[str, int]], one_wall_s: float, cores: int) -> float:
    """What a plan's runs should take before any has run: each run's predicted wall from one
    worker's, as the time left is predicted before a mode has its fit."""
    found = [{"mode": mode, "workers": 1, "wall_s": one_wall_s, "usable_cores": cores}
             for mode in dict.fromkeys(mode for mode, _ in runs)]
    return sum(predicted_wall(found, mode, n) or 0.0 for mode, n in runs)


def time_left(found: list[dict[str, Any]], remaining: list[tuple[str, int]], elapsed_s: float,
              measured_wall_s: float) -> float | None:
    """Seconds the remaining runs should take: predicted walls, scaled by what each run cost
    beyond its wall so far (a runner to start, a workload to load). None before the first run."""
    if not found or measured_wall_s <= 0:
        return None
    walls = [predicted_wall(found, mode, n) for mode, n in remaining]
    if any(w is None for w in walls):
        return None
    return sum(walls) * max(1.0, elapsed_s / measured_wall_s)


def document(runs: list[RunFigures], workload: str, params: dict, modes: list[str], counts: list[int],
             repeat: int, usable_cores: int, status: str) -> dict[str, Any]:
    """The sweep as JSON: what was planned, the points measured so far, each mode's fit, the advice."""
    found = points(runs)
    sweep = {"workload": workload, "params": params, "modes": modes, "workers": counts, "repeat": repeat,
             "usable_cores": usable_cores, "model": MODEL, "status": status,
             "runs_planned": len(plan(modes, counts, repeat)), "runs_done": len(runs),
             "points": found, "fits": fits(found)}
    sweep["advice"] = advice(sweep)
    return sweep


# ---- the advice: which mode and how many workers, from the measured points alone -----------------

WAITS = 0.3  # one worker's CPU per wall second below this: the work mostly waits (I/O, sleep)
NO_GAIN = 1.2  # a mode whose best speedup is below this gained nothing
STEP = THRESHOLDS["narrow_win"]  # more workers that add less than this (5%) to the work per second add nothing
WAITING_MODES = ("threads", "asyncio")  # what waiting work wants: no start-up, no copies
CROWDED = 0.5  # other programs took at least this share of the cores: the points cannot rank the modes


def _throughput(point: dict[str, Any]) -> float:
    return point["workers"] / point["wall_s"]  # fixed work per worker: work done per second


def _knee(members: list[dict[str, Any]]) -> dict[str, Any]:
    """The fewest workers within STEP of the mode's best work per second: more gained nothing."""
    best = max(map(_throughput, members))
    return min((p for p in members if _throughput(p) * STEP >= best), key=lambda p: p["workers"])


def _spread(point: dict[str, Any], members: list[dict[str, Any]]) -> tuple[float, float] | None:
    """The point's speedup over its repeats (its walls' min and max against the 1-worker median)."""
    one = next((p["wall_s"] for p in members if p["workers"] == 1), None)
    if point["ok_runs"] < 2 or not one or not point["wall_min"] or not point["wall_max"]:
        return None
    n = point["workers"]
    return round(n * one / point["wall_max"], 2), round(n * one / point["wall_min"], 2)


def _waits(found: list[dict[str, Any]]) -> float | None:
    """One worker's CPU per wall second (the median over modes): low, the work waits, not computes."""
    ones = sorted(p["parallelism"] for p in found if p["workers"] == 1 and p["parallelism"] is not None)
    return ones[len(ones) // 2] if ones else None


def _others(by_mode: dict[str, list[dict[str, Any]]], chosen: str, fitted: dict[str, Any]) -> list[str]:
    """A sentence on every other mode: what it reached, or that it gained nothing."""
    said = []
    for mode, members in by_mode.items():
        if mode == chosen:
            continue
        best = max(members, key=lambda p: p["speedup"])
        serial = (fitted.get(mode) or {}).get("serial_fraction")
        if best["speedup"] < NO_GAIN:
            why = f"serial fraction {figure(serial)}" if serial is not None else f"{ratio(best['speedup'])} at best"
            said.append(f"{mode.capitalize()} gained nothing ({why}).")
        else:
            said.append(f"{mode.capitalize()} reached {ratio(best['speedup'])} at {best['workers']} workers.")
    return said


def advice(sweep: dict[str, Any]) -> dict[str, Any] | None:
    """Which mode scaled best for this function on this machine (threads or asyncio where the
    work mostly waits) and the fewest workers within 5% of its best, in sentences that cite the
    points; None before any point. It never names a count that was not measured: where the best
    is the largest tried, it says to sweep higher instead."""
    found = [p for p in sweep["points"] if p["wall_s"] and p["speedup"] is not None]
    if not found:
        return None
    cores = sweep["usable_cores"]
    others = max((p.get("other_load") or 0.0 for p in found), default=0.0)
    if others >= CROWDED * cores:  # on 2 cores with 1.7 taken, pure-Python threads 'beat' processes
        text = (f"On these {cores} cores, for {sweep['workload']}, other programs took up to {others_load(others)} "
                "of them during the sweep, so its points cannot say which mode is best: sweep again when the machine "
                "is quieter.")
        return {"text": text, "sentences": [text], "mode": None, "workers": None, "speedup": None,
                "speedup_range": None, "runs": None, "largest_tried": None, "waits": None, "gain_stopped_at": None}
    by_mode: dict[str, list[dict[str, Any]]] = {}
    for point in found:
        by_mode.setdefault(point["mode"], []).append(point)
    share = _waits(found)
    waits = share is not None and share < WAITS
    pool = [m for m in by_mode if m in WAITING_MODES] if waits else []
    # the mode that scaled best against its own one worker: the figure every sentence cites
    chosen = max(pool or by_mode, key=lambda m: max(p["speedup"] for p in by_mode[m]))
    members = by_mode[chosen]
    knee, largest = _knee(members), max(members, key=lambda p: p["workers"])
    spread = _spread(knee, members)
    where = f"On these {cores} cores, for {sweep['workload']}"
    top = max(members, key=_throughput)
    if top["speedup"] < NO_GAIN:
        first = (f"{where}, no mode did more than {ratio(top['speedup'])} the work per second of one worker: "
                 "more workers do not pay here.")
    else:
        ranged = f" ({ratio(spread[0], '')}–{ratio(spread[1])} over {knee['ok_runs']} runs)." if spread else "."
        first = (f"{where}, use {chosen} at {knee['workers']} workers: {ratio(knee['speedup'])} the work per second "
                 f"of one worker{ranged}")
    sentences = [first]
    if waits:
        sentences.insert(0, f"The work mostly waits: one worker computed {percent(share)} of its time, so threads or "
                            "asyncio suit it, without start-up or copies.")
        if not pool:
            sentences.append("Sweep threads and asyncio too (--modes threads,asyncio) to measure them.")
    if top["speedup"] < NO_GAIN:
        pass  # nothing gained: no count to point at
    elif knee is largest:
        sentences.append(f"{knee['workers']} is the largest count tried and still gained: sweep higher to see "
                         "whether more workers help.")
    else:
        sentences.append(f"Beyond {knee['workers']} workers the gain stopped: {largest['workers']} reached "
                         f"{ratio(largest['speedup'])}.")
    sentences += _others(by_mode, chosen, sweep["fits"])
    if knee["ok_runs"] < 2:
        sentences.append("Each point ran once, so there is no range: sweep with --repeat 3 to see how much "
                         "these figures vary.")
    if others >= BUSY_SHARE * cores:
        sentences.append(f"Other programs took up to {others_load(others)} of the {cores} cores meanwhile, so these "
                         "figures measure them too.")
    return {"text": " ".join(sentences), "sentences": sentences, "mode": chosen, "workers": knee["workers"],
            "speedup": knee["speedup"], "speedup_range": list(spread) if spread else None,
            "runs": knee["ok_runs"], "largest_tried": knee is largest, "waits": waits,
            "gain_stopped_at": None if knee is largest else knee["workers"]}


def draw(plt: Any, sweep: dict[str, Any]) -> None:
    """Speedup against workers, a line per mode and the ideal min(N, cores), on a plotext
    object (the module for a terminal, or a PlotextPlot's own `plt`)."""
    plt.clear_data()
    plt.clear_figure()
    counts = sweep["workers"]
    cores = sweep["usable_cores"]
    plt.plot(counts, [min(n, cores) for n in counts], label="ideal min(N, cores)", marker="dot")
    for mode in sweep["modes"]:
        line = [(p["workers"], p["speedup"]) for p in sweep["points"] if p["mode"] == mode
                and p["speedup"] is not None]
        if line:
            plt.plot([n for n, _ in line], [s for _, s in line], label=mode, marker="braille")
    if counts[-1] >= 16:  # 1 ... 256 workers: a log scale keeps the small counts apart
        plt.xscale("log")
    plt.xticks(counts, [str(n) for n in counts])
    plt.xlabel("workers")
    plt.ylabel("speedup")


def of_session(sweep: SweepStarted, first: int, figures: list[RunFigures], running: bool) -> dict[str, Any]:
    """A sweep of the session (live or replayed) as its document: the finished runs from the
    `first` on, up to the planned count; "running" while `running`, "stopped" if cut short
    (a cancelled run, or runs missing once nothing runs)."""
    planned = len(plan(sweep.modes, sweep.workers, sweep.repeat))
    mine = figures[first:first + planned]
    cut = any(run["status"] == "cancelled" for run in mine)  # Ctrl+C or x: the rest never ran
    status = "done" if len(mine) >= planned and not cut else ("running" if running and not cut else "stopped")
    found = document([run for run in mine if run["status"] == "done"], sweep.workload, sweep.params,
                     list(sweep.modes), list(sweep.workers), sweep.repeat, sweep.usable_cores, status)
    found["runs_done"] = len(mine)
    return found

