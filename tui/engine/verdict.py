"""The verdict: which mode won, and why each mode came out as it did, from the run's own figures.

Nothing here knows a workload by name: a user's function is judged by the same rules as a
built-in. Each mode gets one dominant reason from the fixed set REASONS, tried in that order,
and each sentence cites the figures it read (they travel with it as `figures`). The
thresholds are THRESHOLDS below; the README's "The verdict" section says the same in words.
The input is summary rows (`figures.summarize`): one run or the medians of a compare.
Figures other modules add to the rows (`ipc_share`) are read by name where present.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conctui.engine.figure_records import SummaryRow
from conctui.engine.text import busy_cores, others_load, percent, ratio, seconds

THRESHOLDS = {
    "waiting_share": 0.7,       # workers' time neither computing nor queued for a core: waiting
    "gil_held": 0.7,            # one GIL held at least this share of the run ...
    "gil_wait": 0.2,            # ... its workers waiting for it at least this share of their time (two
                                # pure-Python threads on 2 cores read 22-41%, sampled) ...
    "gil_parallelism": 1.3,     # ... and parallelism at most this: waited on the GIL
    "startup_share": 0.25,      # start-up (and IPC) at least this share of wall: paid for them
    "released_parallelism": 1.3,  # threads under one GIL above this parallelism: C released it
    "all_cores_share": 0.75,    # parallelism at least this share of the cores it could use
    "busy_share": 0.2,          # other programs took at least this share of the usable cores
    "narrow_win": 1.05,         # a winner less than this much faster won narrowly (noise)
}

# id: what the sentence says, in the order the dominant reason is looked for ("won" comes
# first, for a comparison's winner; "busy" is also added as a caveat to another reason)
REASONS = {
    "won": "won",
    "not_judged": "has no finished run to judge",
    "gil": "waited on the GIL",
    "waiting": "mostly waited instead of computing",
    "startup_ipc": "paid for start-up or IPC",
    "released_gil": "ran in parallel, as C code released the GIL",
    "all_cores": "used every core it could",
    "one_core": "ran on one core at a time",
    "busy": "shared the cores with other programs",
    "partial": "used part of the cores, for no single reason",
}

Entry = dict[str, Any]


def cores(row: SummaryRow) -> int:
    """How many cores a mode could keep busy: one for sequential and asyncio (one thread runs
    the workers), else min(workers, usable cores); a Dask cluster's threads stand for cores."""
    if row["mode"] in ("sequential", "asyncio"):
        return 1
    cluster = row.get("cluster") or {}
    available = cluster.get("threads") or row.get("usable_cores") or 1
    return max(1, min(row["workers"], available))


def cpu_share(row: SummaryRow) -> float:
    """Parallelism per core the mode could use: 1 computes all the time, 0 only waits."""
    return (row["parallelism"] or 0.0) / cores(row)


def _startup_share(row: SummaryRow) -> tuple[float, dict]:
    """The share of wall spent starting workers, plus IPC where measured, and the figures read."""
    figures: dict[str, Any] = {"wall_s": row["wall_s"]}
    share = 0.0
    if row.get("startup_s") is not None:
        figures["startup_s"] = row["startup_s"]
        share += row["startup_s"] / row["wall_s"]
    if row.get("ipc_share") is not None:
        figures["ipc_share"] = row["ipc_share"]
        share += row["ipc_share"]
    figures["startup_ipc_share"] = round(share, 3)
    return share, figures


def _waiting(row: SummaryRow) -> tuple[dict, str] | None:
    share = row.get("waiting_share")
    if share is None or share < THRESHOLDS["waiting_share"]:
        return None
    return ({"waiting_share": share, "cpu_s": row["cpu_s"], "wall_s": row["wall_s"]},
            f"its workers spent {percent(share)} of their time neither computing nor queued for a core, "
            f"using {seconds(row['cpu_s'])} of CPU in {seconds(row['wall_s'])}; work that computes keeps that near 0%")


def _one_gil_wait(row: SummaryRow) -> float | None:
    """The workers' GIL wait where they share one GIL; None where each has its own or there is none."""
    return row.get("gil_wait") if row.get("gil_scope") == "one" else None


def _gil(row: SummaryRow) -> tuple[dict, str] | None:
    wait, held, par = _one_gil_wait(row), row.get("gil_held"), row["parallelism"]
    if (wait is None or held is None or cores(row) < 2 or wait < THRESHOLDS["gil_wait"]
            or held < THRESHOLDS["gil_held"] or par > THRESHOLDS["gil_parallelism"]):
        return None
    return ({"gil_held": held, "gil_wait": wait, "parallelism": par, "cores": cores(row)},
            f"the GIL was held {percent(held)} of the time, its workers spent {percent(wait)} of theirs waiting "
            f"for it, and together they kept {busy_cores(par)} of the {cores(row)} cores busy, "
            "so one thread ran Python at a time")


def _startup(row: SummaryRow) -> tuple[dict, str] | None:
    share, figures = _startup_share(row)
    if share < THRESHOLDS["startup_share"]:
        return None
    parts = []
    if "startup_s" in figures:
        parts.append(f"its workers began {seconds(figures['startup_s'])} after launch")
    if figures.get("ipc_share", 0) >= 0.005:  # 0% said in words is noise
        parts.append(f"moving arguments and results took {percent(figures['ipc_share'])} of the time")
    together = ", together" if len(parts) > 1 else ","
    return figures, f"{' and '.join(parts)}{together} {percent(share)} of the {seconds(row['wall_s'])} it took"


def _released(row: SummaryRow) -> tuple[dict, str] | None:
    wait, par = _one_gil_wait(row), row["parallelism"]
    if wait is None or cores(row) < 2 or par <= THRESHOLDS["released_parallelism"]:
        return None
    return ({"parallelism": par, "cores": cores(row), "gil_wait": wait},
            f"its threads kept {busy_cores(par)} of the {cores(row)} cores busy while sharing one GIL, "
            f"its workers waiting for it {percent(wait)} of their time")


def _all_cores(row: SummaryRow) -> tuple[dict, str] | None:
    par = row["parallelism"]
    if cores(row) < 2 or par < THRESHOLDS["all_cores_share"] * cores(row):
        return None
    return ({"parallelism": par, "cores": cores(row)},
            f"it kept {busy_cores(par)} of the {cores(row)} cores busy that its {row['workers']} workers could use")


def _one_core(row: SummaryRow) -> tuple[dict, str] | None:
    if cores(row) != 1:
        return None
    return ({"parallelism": row["parallelism"], "cores": 1},
            f"it kept {busy_cores(row['parallelism'])} of one core busy, running one worker's code at a time")


def _partial(row: SummaryRow) -> tuple[dict, str]:
    figures: dict[str, Any] = {"parallelism": row["parallelism"], "cores": cores(row),
                               "cpu_share": round(cpu_share(row), 3)}
    text = (f"it kept {busy_cores(row['parallelism'])} of the {cores(row)} cores busy, "
            f"{percent(cpu_share(row))} of what it could use")
    wait = _one_gil_wait(row)
    if wait is not None:
        figures["gil_wait"] = wait
        text += f"; its workers waited for the GIL {percent(wait)} of their time"
    share, startup_figures = _startup_share(row)
    if len(startup_figures) > 2 and share >= 0.01:  # measured, and more than noise
        figures["startup_ipc_share"] = startup_figures["startup_ipc_share"]
        text += f"; start-up and IPC took {percent(share)} of the time"
    return figures, text


def _busy(row: SummaryRow) -> tuple[dict, str] | None:
    load, usable = row.get("other_load"), row.get("usable_cores") or 1
    if load is None or load < THRESHOLDS["busy_share"] * usable:
        return None
    return ({"other_load": load, "usable_cores": usable},
            f"they used {others_load(load)} of the {usable} usable cores while it ran")


DOMINANT: list[tuple[str, Callable[[dict], tuple[dict, str] | None]]] = [
    ("gil", _gil), ("waiting", _waiting), ("startup_ipc", _startup), ("released_gil", _released),
    ("all_cores", _all_cores), ("one_core", _one_core), ("busy", _busy), ("partial", _partial),
]


def _label(row: SummaryRow, several: bool) -> str:
    if not several:
        return row["mode"]
    return f"{row['mode']} ({row.get('python_version') or row['executable']}{'t' if row.get('free_threaded') else ''})"


def _entry(row: SummaryRow, reason: str, figures: dict, text: str, several: bool) -> Entry:
    return {"mode": row["mode"], "workload": row["workload"], "workers": row["workers"],
            "executable": row["executable"], "reason": reason,
            "text": f"{_label(row, several)} {REASONS[reason]}: {text}.", "figures": figures}


def judge(row: SummaryRow, several: bool = False) -> list[Entry]:
    """One mode's dominant reason, and the busy caveat where other programs took a share."""
    if not row.get("wall_s") or row.get("parallelism") is None:
        return [_entry(row, "not_judged", {"ok_runs": row.get("ok_runs", 0), "runs": row.get("runs", 0)},
                       f"{row.get('ok_runs', 0)} of its {row.get('runs', 0)} runs finished", several)]
    entries = []
    for reason, test in DOMINANT:
        found = test(row)
        if found is not None:
            entries.append(_entry(row, reason, *found, several))
            break
    busy = _busy(row)
    if busy is not None and entries[-1]["reason"] != "busy":
        entries.append(_entry(row, "busy", *busy, several))
    return entries


def _winner(rows: list[SummaryRow], several: bool) -> Entry | None:
    """The fastest mode by median wall, against the sequential run and the runner-up."""
    timed = sorted((r for r in rows if r.get("wall_s")), key=lambda r: r["wall_s"])
    if len(timed) < 2:
        return None
    best, second = timed[0], timed[1]
    figures: dict[str, Any] = {"wall_s": best["wall_s"]}
    against = []
    baseline = next((r for r in timed[1:] if r["mode"] == "sequential"), None)
    for other in ([baseline] if baseline else []) + ([second] if second is not baseline else []):
        faster = other["wall_s"] / best["wall_s"]
        figures[f"{other['mode']}_wall_s"] = other["wall_s"]
        against.append(f"{ratio(faster, '')} times as fast as {_label(other, several)} ({seconds(other['wall_s'])})")
    narrow = second["wall_s"] / best["wall_s"] < THRESHOLDS["narrow_win"]
    figures["speedup"] = best.get("speedup")
    text = (f"it took {seconds(best['wall_s'])}, " + " and ".join(against)
            + (f"; that is narrowly, within {percent(THRESHOLDS['narrow_win'] - 1)}, which noise can reverse"
               if narrow else ""))
    return _entry(best, "won", figures, text, several)


def verdict(rows: list[SummaryRow]) -> list[Entry]:
    """The verdict on summary rows: per (workload, workers), every interpreter's modes together,
    the winner first, then each mode's reason in the rows' order."""
    several = len({r["executable"] for r in rows}) > 1
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault((row["workload"], row["workers"]), []).append(row)
    entries: list[Entry] = []
    for members in groups.values():
        won = _winner(members, several)
        if won is not None:
            entries.append(won)
        for row in members:
            entries.extend(judge(row, several))
    return entries


# how brief() words each figure, in the order it lists them: short, and still said aloud
_BRIEF: list[tuple[str, Callable[[dict], str]]] = [
    ("waiting_share", lambda f: f"waiting {percent(f['waiting_share'])} of the time"),
    ("parallelism", lambda f: busy_cores(f["parallelism"]) + ("" if "cores" not in f else " of one core" if
                                                           f["cores"] == 1 else f" of {f['cores']} cores") + " busy"),
    ("gil_held", lambda f: f"GIL held {percent(f['gil_held'])}"),
    ("gil_wait", lambda f: f"GIL wait {percent(f['gil_wait'])}"),
    ("startup_s", lambda f: f"start-up {seconds(f['startup_s'])}"),
    ("ipc_share", lambda f: f"IPC {percent(f['ipc_share'])}"),
    ("startup_ipc_share", lambda f: f"start-up and IPC {percent(f['startup_ipc_share'])}"),
    ("other_load", lambda f: f"others used {others_load(f['other_load'])} of {f['usable_cores']} cores"),
]  # cpu_share is left out: "1.20 of 2 cores busy" says it


def brief(entry: Entry) -> str:
    """One short line for a narrow screen: the mode, its reason and the figures, as few words
    as still read aloud (`threads waited on the GIL: GIL held 97%, GIL wait 74%, 1.00 of 4 cores busy`)."""
    figures = entry["figures"]
    if entry["reason"] == "won":
        against = [f"{ratio(figures[name] / figures['wall_s'])} {name[:-len('_wall_s')]}"
                   for name in figures if name.endswith("_wall_s")]
        return f"{entry['mode']} won in {seconds(figures['wall_s'])}, " + " and ".join(
            [against[0].replace("x ", "x as fast as ", 1), *against[1:]])
    words = [word(figures) for name, word in _BRIEF if name in figures]
    return f"{entry['mode']} {REASONS[entry['reason']]}" + (f": {', '.join(words)}" if words else "")
