"""The figures of a run and of a comparison, from the folded state: the numbers users quote.

wall_s: the runner's clock from the first worker launched to the last one ended (process
start-up included, the runner's own start excluded). cpu_s: the OS's CPU seconds summed
over workers. parallelism = cpu_s / wall_s. speedup = sequential wall / this wall, against
the sequential run of the same interpreter. efficiency = speedup / min(workers, usable cores).
startup_s: the median time from the run's launch to a worker's first line (spawning a child,
importing; None for sequential, whose workers wait for each other). other_load: the cores'
worth of CPU processes outside conctui's tree took while the run was live, from the sampler
(None where the workers ran on machines conctui does not sample, or in a recording made
before the sampler measured it). waiting_share: the share of the workers'
time (from the launch on) spent neither computing nor queued for a free core (sleeping,
blocked on I/O, a lock or the GIL), from each worker's wall, CPU and run-queue seconds.
"""
from __future__ import annotations

from statistics import median
from typing import Any

from conctui.engine.events import Cluster, RunFinished
from conctui.engine.figure_records import GilFigures, RunFigures, SummaryRow
from conctui.engine.memory import ipc_figures, memory_figures
from conctui.engine.state import RunState
from conctui.runner.gil_constants import NO_GIL

MIN_SAMPLED_S = 0.1  # other_load needs its samples to cover this much of the run


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _spread(values: list[float]) -> tuple[float | None, float | None]:
    return (_round(median(values)), _round(max(values))) if values else (None, None)


def cluster_figures(cluster: Cluster | None) -> dict[str, Any] | None:
    """A Dask run's cluster and its own costs: start-up, shutdown, submit-to-start, result back."""
    if cluster is None:
        return None
    latency = _spread([row[3] for row in cluster.tasks if row[3] is not None])
    result = _spread([row[4] for row in cluster.tasks if row[4] is not None])
    return {
        "kind": cluster.kind, "scheduler": cluster.scheduler, "dashboard": cluster.dashboard,
        "workers": cluster.workers, "threads": cluster.threads,
        "startup_s": _round(cluster.startup_s), "shutdown_s": _round(cluster.shutdown_s),
        "latency_median_s": latency[0], "latency_max_s": latency[1],
        "result_median_s": result[0], "result_max_s": result[1],
        "tasks": [{"index": index, "address": address, "host": host, "latency_s": _round(lat), "result_s": _round(res)}
                  for index, address, host, lat, res in cluster.tasks],
    }


def _median(values: list[float | None]) -> float | None:
    present = [value for value in values if value is not None]
    return _round(median(present)) if present else None


GIL_SCOPES = {"processes": "per process", "dask": "per process", "interpreters": "per interpreter"}


def gil_scope(run: RunState) -> str:
    """Whose GIL the run's GIL figures are of: "one" GIL shared by every worker; "per process" or
    "per interpreter", each worker its own (the run's figures are then means, never sums of
    different GILs' shares); "none": a free-threaded build with the GIL off."""
    if not run.started.python.gil_enabled:
        return "none"
    return GIL_SCOPES.get(run.started.mode, "one")


def _time_weighted(run: RunState, name: str, now: float) -> float | None:
    """The workers' shares of `name`, each weighted by the worker's time so far."""
    pairs = [(getattr(w, name), w.elapsed(now)) for w in run.workers]
    pairs = [(share, time) for share, time in pairs if share is not None and time]
    total = sum(time for _, time in pairs)
    return round(sum(share * time for share, time in pairs) / total, 4) if total else None


def gil_figures(run: RunState, now: float | None = None) -> GilFigures:
    """The run's GIL figures, all from the per-worker sampler (engine/gil_sampler.py), or None
    with `gil_note` saying why; `now` places a live run's workers in time (default: its end).

    gil_wait: the workers' share of their time waiting for their GIL, time-weighted (a lone
    sequential worker reads about 0). gil_held: with one GIL, the share of the run's time a
    worker held it; with one GIL per worker (gil_scope), the workers' own shares, time-weighted.
    gil_latency_ms: the probe's (runner/gil.py) mean wait for the GIL each time a thread that
    slept wants it back, None with `gil_latency_note` where the workers do not share the
    runner's GIL. process_cpu: the runner's CPU per wall second, capped at 1 (not a GIL figure)."""
    gil, sampled, scope = run.gil, run.gil_workers, gil_scope(run)
    if now is None:
        now = run.finished.t if run.finished else run.started.t
    note = NO_GIL if scope == "none" else (sampled.note if sampled else "not sampled")
    held = wait = None
    if note is None:
        wait = _time_weighted(run, "gil_wait", now)
        held = sampled.run_held if scope == "one" else _time_weighted(run, "gil_held", now)
    return {
        "gil_scope": scope, "gil_held": held, "gil_wait": wait, "gil_note": note,
        "gil_sampler": sampled.source if sampled else None,
        "gil_wait_note": sampled.wait_note if sampled else None,  # why wait is None where held is not
        "gil_latency_ms": gil.run_latency_ms if gil else None,
        "gil_latency_note": gil.note if gil else "not measured",
        "gil_probe_ms": gil.period_ms if gil else None,
        "process_cpu": gil.run_cpu if gil else None,
        "gil_reenabled": ({"module": run.gil_reenabled.module, "when": run.gil_reenabled.when,
                           "t": _round(run.gil_reenabled.t - run.started.t)} if run.gil_reenabled else None),
    }


def launch_t(finished: RunFinished) -> float:
    """When the run's mode began launching its workers, as the runner said; where it did not say
    (an older recording, a crashed runner), its end less its wall."""
    return finished.launched_t if finished.launched_t is not None else finished.t - finished.wall_s


def startup(run: RunState) -> float | None:
    """Median delay from the run's launch to each worker's start: what starting workers cost."""
    finished = run.finished
    if finished is None or run.started.mode == "sequential":
        return None  # sequential workers start when the one before ends: no start-up to read
    launch = launch_t(finished)
    delays = [max(0.0, w.started_t - launch) for w in run.workers if w.started_t is not None]
    return _round(median(delays)) if delays else None


def other_load(run: RunState) -> float | None:
    """Cores' worth of CPU used by processes outside conctui's tree (conctui, its runner, the
    workers, py-spy) while the run was live, from its samples, each weighted by its live span.
    None where they cover under MIN_SAMPLED_S of it: the sample at its start alone says what
    came before it."""
    if (run.load_s < MIN_SAMPLED_S or run.finished is None
            or (run.cluster is not None and run.cluster.kind == "external")):
        return None
    return _round(max(0.0, run.load_others / run.load_s), 3)


def waiting_share(run: RunState) -> float | None:
    """1 - (CPU + run-queue wait) / time, over the workers that finished with their figures.

    A worker's time runs from the launch (a child's CPU includes its start-up), except in
    sequential runs, where each worker's own wall is its time."""
    finished = run.finished
    if finished is None:
        return None
    launch = None if run.started.mode == "sequential" else launch_t(finished)
    spans = []
    for w in run.workers:
        if w.status == "done" and w.wall_s and w.cpu_s is not None:
            delay = max(0.0, w.started_t - launch) if launch is not None and w.started_t is not None else 0.0
            spans.append((w.wall_s + delay, w.cpu_s + (w.runq_s or 0.0)))
    total = sum(span for span, _ in spans)
    if not total:
        return None
    return _round(1 - sum(min(span, busy) for span, busy in spans) / total, 3)


def run_figures(run: RunState) -> RunFigures:
    """One run as the JSON documents (and the results pane) show it."""
    started = run.started
    wall = run.finished.wall_s if run.finished else None
    cpu = sum(w.cpu_s for w in run.workers if w.cpu_s is not None)
    return {
        "mode": started.mode,
        "workload": started.workload,
        "params": started.params,
        "workers": started.workers,
        "python": started.python.as_dict(),
        "start_method": started.start_method,
        "status": run.status,
        "error": run.finished.error if run.finished else None,
        "wall_s": _round(wall),
        "cpu_s": _round(cpu),
        "parallelism": _round(cpu / wall if wall else None, 3),
        **gil_figures(run),
        "startup_s": startup(run),
        "other_load": other_load(run),
        "waiting_share": waiting_share(run),
        "per_worker": [
            {"index": w.index, "pid": w.pid, "tid": w.tid, "host": w.host, "status": w.status,
             "wall_s": _round(w.wall_s), "cpu_s": _round(w.cpu_s),
             "runq_s": _round(w.runq_s), "error": w.error,
             "exitcode": w.exitcode, "output": w.lines, "dropped_lines": w.dropped,
             "gil_held": w.gil_held, "gil_wait": w.gil_wait, "gil_off_cpu": w.gil_off_cpu,
             "ipc": w.ipc, "memory": w.memory}
            for w in run.workers
        ],
        "cluster": cluster_figures(run.cluster),
        "memory": memory_figures(run),
        "ipc": ipc_figures(run),
    }


def _key(figures: RunFigures) -> tuple:
    """Runs compared with each other: same binary, same PYTHON_GIL switch, workload and workers."""
    python = figures["python"]
    return (python["executable"], python["python_gil"], figures["workload"], figures["workers"])


def _cluster_medians(clusters: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The cluster costs of a mode's repeats, as medians (None for modes without a cluster)."""
    if not clusters:
        return None
    medians: dict[str, Any] = {"kind": clusters[-1]["kind"], "scheduler": clusters[-1]["scheduler"],
                               "workers": clusters[-1]["workers"], "threads": clusters[-1]["threads"]}
    for name in ("startup_s", "shutdown_s", "latency_median_s", "latency_max_s", "result_median_s"):
        values = [c[name] for c in clusters if c[name] is not None]
        medians[name] = _round(median(values)) if values else None
    return medians


# optional figures of a run summarised as medians; a figure another module adds to
# run_figures joins the summary (and the verdict) by being named here
MEDIANS = ("startup_s", "other_load", "waiting_share", "process_cpu", "gil_latency_ms")


def summarize(runs: list[RunFigures]) -> list[SummaryRow]:
    """One row per (interpreter, workload, workers, mode): medians over repeats, speedup, efficiency."""
    groups: dict[tuple, list[RunFigures]] = {}
    for figures in runs:
        groups.setdefault(_key(figures) + (figures["mode"],), []).append(figures)
    rows = []
    for (executable, python_gil, workload, workers, mode), members in groups.items():
        ok = [m for m in members if m["status"] == "done" and m["wall_s"]]
        walls = [m["wall_s"] for m in ok]  # wall, cpu and parallelism: medians of the same runs
        row: SummaryRow = {
            "executable": executable, "python_gil": python_gil, "python_version": members[0]["python"]["version"],
            "gil_enabled": members[0]["python"]["gil_enabled"],
            "free_threaded": members[0]["python"]["free_threaded"],
            "workload": workload, "workers": workers, "mode": mode, "runs": len(members),
            "ok_runs": len(walls),
            "wall_s": _round(median(walls)) if walls else None,
            "wall_min": _round(min(walls)) if walls else None,
            "wall_max": _round(max(walls)) if walls else None,
            "cpu_s": _median([m["cpu_s"] for m in ok]),
            "parallelism": _round(_median([m["parallelism"] for m in ok]), 3),
            "usable_cores": members[0]["python"]["usable_cores"],
            "gil_scope": members[0].get("gil_scope", "one"),
            "gil_wait": _median([m.get("gil_wait") for m in ok]),
            "gil_held": _median([m.get("gil_held") for m in ok]),
            "gil_note": members[0].get("gil_note"),
            **{name: _median([m.get(name) for m in ok]) for name in MEDIANS if any(name in m for m in members)},
            "cluster": _cluster_medians([m["cluster"] for m in members if m.get("cluster")]),
            "ipc_s": _median([m["ipc"]["ipc_s"] for m in ok if m.get("ipc")]),
            "ipc_share": _median([m["ipc"]["share"] for m in ok if m.get("ipc")]),
            "ipc_mb_s": _median([m["ipc"]["mb_s"] for m in ok if m.get("ipc")]),
            "ipc_by_reference": all(not m["ipc"]["in_bytes"] and not m["ipc"]["out_bytes"]
                                    for m in ok if m.get("ipc")),
        }
        rows.append(row)
    bases = sequential_walls(runs)
    for row in rows:
        same = (row["executable"], row["python_gil"], row["workload"], row["workers"])
        row["speedup"] = _speedup(bases.get(same), row["wall_s"])
        row["efficiency"] = (None if row["speedup"] is None else
                             round(row["speedup"] / min(row["workers"], row["usable_cores"] or 1), 3))
    return rows


def sequential_walls(runs: list[RunFigures]) -> dict[tuple, float | None]:
    """The median wall of the sequential runs that ended well, per (interpreter, workload,
    workers): what every speedup, of a run or of a summary row, is measured against."""
    walls: dict[tuple, list[float]] = {}
    for figures in runs:
        if figures["mode"] == "sequential" and figures["status"] == "done" and figures["wall_s"]:
            walls.setdefault(_key(figures), []).append(figures["wall_s"])
    return {key: _round(median(values)) for key, values in walls.items()}


def _speedup(base: float | None, wall: float | None) -> float | None:
    return round(base / wall, 3) if base and wall else None


def speedups(runs: list[RunFigures]) -> list[float | None]:
    """Each run's speedup against the median sequential wall of the same interpreter, workload, workers."""
    bases = sequential_walls(runs)
    return [_speedup(bases.get(_key(figures)), figures["wall_s"]) for figures in runs]


def freethreading_cost(rows: list[SummaryRow]) -> list[dict[str, Any]]:
    """Free-threading's single-thread cost: sequential with the GIL off against the same
    binary with it on (PYTHON_GIL=0 and 1, `--gil both`), per workload and worker count."""
    costs = []
    for off in rows:
        if off["mode"] != "sequential" or off["python_gil"] != "0" or not off["wall_s"]:
            continue
        on = next((r for r in rows if r["mode"] == "sequential" and r["python_gil"] == "1" and r["wall_s"]
                   and (r["executable"], r["workload"], r["workers"]) == (off["executable"], off["workload"],
                                                                         off["workers"])),
                  None)
        if on:
            costs.append({"executable": off["executable"], "workload": off["workload"], "workers": off["workers"],
                          "gil_off_s": off["wall_s"], "gil_on_s": on["wall_s"],
                          "cost": round(off["wall_s"] / on["wall_s"] - 1, 4)})
    return costs

