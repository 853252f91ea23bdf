"""The tutorial's claims, each with the case that measures it and the figure this session measured.

The claims are the tutorial's, so their wording is fixed here; what is never fixed is the
figure: it is read from the session's finished runs (run figures, as `run --json` has them),
or the claim says it is not measured yet. Each claim's case is exactly the runs that measure
it (a built-in, its modes, workers = the usable cores where the claim is about cores), so the
key that measures a claim runs that case and nothing else. No Textual here: the claims screen
(widgets/claims.py) shows `measured()`, the live controller runs `Case.runs`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from conctui.engine.text import busy_cores, others_load, percent, ratio, seconds
from conctui.engine.verdict import THRESHOLDS

Runs = list[dict[str, Any]]

# which Python a case's runs need: the current one, a free-threaded build, or one with sub-interpreters
CURRENT, FREE_THREADED, INTERPRETERS = "current", "free-threaded", "interpreters"


@dataclass(frozen=True)
class Case:
    """Runs of one built-in, mode by mode; workers None: as many as the usable cores."""

    workload: str
    modes: tuple[str, ...]
    workers: int | None = None
    python: str = CURRENT

    def worker_count(self, usable_cores: int) -> int:
        return self.workers if self.workers is not None else max(2, usable_cores)

    def describe(self, usable_cores: int) -> str:
        where = {CURRENT: "", FREE_THREADED: " under a free-threaded Python",
                 INTERPRETERS: " under a Python with sub-interpreters"}[self.python]
        return f"{self.workload} x{self.worker_count(usable_cores)}: {', '.join(self.modes)}{where}"

    def ran(self, runs: Runs, usable_cores: int) -> list[dict]:
        """The session's finished runs of this case."""
        return [r for mode in self.modes for r in _done(runs, self.workload, mode, self.worker_count(usable_cores))]


def _done(runs: Runs, workload: str, mode: str, workers: int | None = None,
          test: Callable[[dict], bool] = lambda run: True) -> list[dict]:
    return [r for r in runs if r["workload"] == workload and r["mode"] == mode and r["status"] == "done"
            and r["wall_s"] and (workers is None or r["workers"] == workers) and test(r)]


def _median(runs: list[dict], name: str) -> float | None:
    values = [r[name] for r in runs if r.get(name) is not None]
    return median(values) if values else None


def _free_threaded(run: dict) -> bool:
    return run["python"]["free_threaded"] and not run["python"]["gil_enabled"]


def _not_free_threaded(run: dict) -> bool:
    return not _free_threaded(run)


def _against_sequential(runs: Runs, workload: str, mode: str, workers: int) -> str | None:
    """`2 threads took 1.02 s against 2.02 s one after another: 1.98 times as fast, keeping 1.95
    cores busy.`, or None before both ran."""
    ran = _done(runs, workload, mode, workers, _not_free_threaded)
    base = _done(runs, workload, "sequential", workers, _not_free_threaded)
    if not ran or not base:
        return None
    wall, base_wall = _median(ran, "wall_s"), _median(base, "wall_s")
    busy = busy_cores(_median(ran, "parallelism"))
    return (f"{workers} {mode} took {seconds(wall)} against {seconds(base_wall)} one after another: "
            f"{ratio(base_wall / wall, '')} times as fast, keeping {busy} cores busy.")


def _sleeping_threads(runs: Runs, cores: int) -> str | None:
    threads = _done(runs, "download", "threads", 3)
    if not threads:
        return None
    base = _done(runs, "download", "sequential", 3)
    return (f"3 sleeping threads took {seconds(_median(threads, 'wall_s'))} together"
            + (f", and {seconds(_median(base, 'wall_s'))} one after another." if base else "."))


def _cpu_threads(runs: Runs, cores: int) -> str | None:
    return _against_sequential(runs, "cpu", "threads", max(2, cores))


def _every_core(runs: Runs, cores: int) -> str | None:
    ran = _done(runs, "cpu", "processes", max(2, cores))
    if not ran:
        return None
    return f"{ran[0]['workers']} processes kept {busy_cores(_median(ran, 'parallelism'))} of the {cores} cores busy."


def _sleeping_calculation(runs: Runs, cores: int) -> str | None:
    ran = _done(runs, "download", "processes", 3)
    if not ran:
        return None
    waiting = _median(ran, "waiting_share")
    cpu, wall = seconds(_median(ran, "cpu_s")), seconds(_median(ran, "wall_s"))
    return (f"3 processes that sleep used {cpu} of CPU in {wall}"
            + (f", waiting {percent(waiting)} of their time." if waiting is not None else "."))


def _start_up(runs: Runs, cores: int) -> str | None:
    procs, threads = _done(runs, "download", "processes", 3), _done(runs, "download", "threads", 3)
    if not procs or not threads:
        return None
    walls = seconds(_median(procs, "wall_s")), seconds(_median(threads, "wall_s"))
    parts = [f"processes took {walls[0]} against threads' {walls[1]}"]
    startup = _median(procs, "startup_s")
    if startup is not None:  # not measured: left out, never read as 0 s
        parts.append(f"their workers began {seconds(startup)} after launch")
    shares = [r["ipc"]["share"] for r in procs if r.get("ipc") and r["ipc"].get("share") is not None]
    if shares:
        parts.append(f"moving arguments and results took {percent(median(shares))} of the time")
    return "; ".join(parts) + "."


def _c_releases(runs: Runs, cores: int) -> str | None:
    return _against_sequential(runs, "hashlib", "threads", max(2, cores))


def _beyond(runs: Runs, cores: int) -> str | None:
    parts = []
    interp = _done(runs, "cpu", "interpreters", max(2, cores))
    if interp:
        parts.append(f"sub-interpreters kept {busy_cores(_median(interp, 'parallelism'))} of the {cores} cores busy")
    free = _done(runs, "cpu", "threads", max(2, cores), _free_threaded)
    if free:
        parts.append(f"free-threaded threads kept {busy_cores(_median(free, 'parallelism'))} of the {cores} cores busy")
    return "; ".join(parts) + "." if parts else None


@dataclass(frozen=True)
class Claim:
    key: str
    text: str
    cases: tuple[Case, ...]
    measure: Callable[[Runs, int], str | None] = field(repr=False)


CLAIMS = (
    Claim("1", "3 sleeping threads take about 2 s, not 6 s", (Case("download", ("sequential", "threads"), 3),),
          _sleeping_threads),
    Claim("2", "CPU-bound threads gain nothing", (Case("cpu", ("sequential", "threads")),), _cpu_threads),
    Claim("3", "processes use every core", (Case("cpu", ("processes",)),), _every_core),
    Claim("4", 'the "CPU-bound calculation" that sleeps uses no CPU', (Case("download", ("processes",), 3),),
          _sleeping_calculation),
    Claim("5", "processes pay for start-up and IPC", (Case("download", ("threads", "processes"), 3),), _start_up),
    Claim("6", "C code that releases the GIL scales in threads", (Case("hashlib", ("sequential", "threads")),),
          _c_releases),
    Claim("7", "beyond the tutorial: sub-interpreters and free-threaded builds lift the GIL's limit",
          (Case("cpu", ("interpreters",), python=INTERPRETERS), Case("cpu", ("threads",), python=FREE_THREADED)),
          _beyond),
)


def _busy(claim: Claim, runs: Runs, usable_cores: int) -> str:
    """` Other programs took up to 1.8 of the 2 cores meanwhile.` where they took a share."""
    loads = [r["other_load"] for case in claim.cases for r in case.ran(runs, usable_cores)
             if r.get("other_load") is not None]
    if not loads or max(loads) < THRESHOLDS["busy_share"] * usable_cores:
        return ""
    return f" Other programs took up to {others_load(max(loads))} of the {usable_cores} cores meanwhile."


def measured(runs: Runs, usable_cores: int) -> list[tuple[Claim, str | None]]:
    """Each claim with the figure the session's runs give it, or None: not measured yet; a
    figure measured while other programs took the cores says so (the verdict's busy threshold)."""
    found = []
    for claim in CLAIMS:
        figure = claim.measure(runs, usable_cores)
        found.append((claim, None if figure is None else figure + _busy(claim, runs, usable_cores)))
    return found
