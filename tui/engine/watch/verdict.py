"""The verdict on a watched program: sentences chosen from a fixed set by thresholds on its figures.

Pure functions of the model (watch/model.py), so a replay says what the live watch said. Each
sentence states measured figures and, where the figures support one, the standard consequence
(pure-Python threads under one GIL run one at a time); none is chosen where its figures are
missing (py-spy refused: no GIL sentences). The set, checked in this order per process:

- gil_bound: >= 2 threads each waiting for the GIL >= GIL_WAIT of the time that each also ran
  >= WORKS of a core (a pool's caller, woken by each result, waits for the GIL at every wake
  but runs next to nothing: it is not one of the threads that ran Python);
- no_gil: a process with no GIL (a free-threaded build, its GIL not switched on): in parallel
  where >= 2 threads each on >= BUSY of a core are together on >= PARALLEL cores (more than one
  core's work in the span can only be parallel); else, >= 2 threads busy, or ready to run
  (state R) >= READY of the time while on >= WORKS of a core, held back by something other
  than a GIL: waiting for a core (ready more than they ran) or on locks, the larger share;
- gil_released: >= 2 threads each on >= BUSY of a core, holding the GIL <= RELEASED on average;
- lock_wait: >= 2 threads each waiting on other futexes (Lock, Condition, Queue) >= LOCK_WAIT
  that each also ran >= WORKS of a core (they work between waits: not idle workers waiting
  for a task, which wait on a queue's lock too);
- io_wait: >= 2 threads each waiting on I/O >= IO_WAIT of the time, in a process that is not
  the parent of multiprocessing workers (whose pool's helper threads wait on the workers' pipes);
- one_core: one thread busy (>= BUSY of a core) and no other;
- idle: the process uses < IDLE of a core.
Across processes: processes: >= 2 worker processes each on >= BUSY of a core; the sentence then
speaks for the workers and for a parent that waits on them (its pool's helper threads wait on
pipes: not the program's I/O).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conctui.engine.text import busy_cores, percent
from conctui.engine.watch.model import ProcessFigures, ThreadFigures, WatchModel

GIL_WAIT = 0.3
BUSY = 0.2  # of a core: a thread this busy is working (a shared 2-core machine gives 4 threads ~0.25)
WORKS = 0.02
RELEASED = 0.2
LOCK_WAIT = 0.5
IO_WAIT = 0.5
IDLE = 0.05
PARALLEL = 1.2  # cores
READY = 0.5
REASONS = ("processes", "gil_bound", "no_gil", "gil_released", "lock_wait", "io_wait", "one_core", "idle")


@dataclass(frozen=True)
class Line:
    reason: str
    text: str
    figures: dict[str, Any]
    short: str = ""  # the same in a few words, for a line of the screen
    def as_dict(self) -> dict[str, Any]:
        return {"reason": self.reason, "text": self.text, "figures": self.figures}


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _state(thread: ThreadFigures, kind: str) -> float:
    return (thread.states or {}).get(kind, 0.0)


def _threads(n: int) -> str:
    return f"{n} thread{'s' if n != 1 else ''}"


def _more_cores(process: ProcessFigures) -> str:
    """What would lift one GIL: a free-threaded build has one only where it was switched on
    (its label says by what, watch/target.py: `CPython 3.13.5t (PYTHON_GIL=1)`)."""
    free_threaded = (process.python or "").split(" (")[0].endswith("t")
    return "processes, or this free-threaded build with its GIL left off," if free_threaded else \
        "processes or a free-threaded build"


def _process_line(process: ProcessFigures, cores: int, parent_of_workers: bool) -> Line | None:
    threads = [t for t in process.threads if not t.ended or process.ended is not None]
    busy = [t for t in threads if (t.cpu or 0) >= BUSY]
    cpu = process.cpu or 0.0
    cpu_text, pid = busy_cores(cpu), process.pid
    waiting_gil = [t for t in threads if t.gil_wait is not None and t.gil_wait >= GIL_WAIT and (t.cpu or 0) >= WORKS]
    if len(waiting_gil) >= 2:
        wait = _mean([t.gil_wait for t in waiting_gil])
        return Line("gil_bound", f"{_threads(len(waiting_gil))} in pid {pid} ran Python under one GIL: {cpu_text} "
                    f"cores busy of {cores}, each waiting for the GIL {percent(wait)} of the time on average. "
                    f"Pure-Python work in threads runs one at a time; {_more_cores(process)} would use more cores.",
                    {"pid": pid, "threads": len(waiting_gil), "cpu": cpu, "cores": cores, "gil_wait": round(wait, 4)},
                    f"{_threads(len(waiting_gil))} under one GIL, {cpu_text} cores, GIL wait {percent(wait)}")
    # ready: busy, or runnable most of the time while doing some work (a 3.13t thread waiting for a
    # lock first spins in sched_yield, runnable: it does next to none)
    ready = [t for t in threads if (t.cpu or 0) >= BUSY or (_state(t, "running") >= READY and (t.cpu or 0) >= WORKS)]
    if process.no_gil and len(busy) >= 2 and cpu >= PARALLEL:
        return Line("no_gil", f"{_threads(len(busy))} in pid {pid} ran Python on {cpu_text} of {cores} cores at "
                    "once with no GIL (a free-threaded build): they run in parallel.",
                    {"pid": pid, "threads": len(busy), "cpu": cpu, "cores": cores},
                    f"{_threads(len(busy))} in parallel, no GIL, {cpu_text} cores")
    if process.no_gil and len(ready) >= 2:
        run, got = _mean([_state(t, "running") for t in ready]), _mean([t.cpu or 0 for t in ready])
        lock = _mean([_state(t, "lock_wait") for t in ready])
        why = "they wait for a core" if run - got >= lock else f"they wait on locks {percent(lock)} of the time"
        return Line("no_gil", f"{_threads(len(ready))} in pid {pid} with no GIL (a free-threaded build) were ready to "
                    f"run {percent(run)} of the time but ran {percent(got)} of it, {cpu_text} of {cores} cores in "
                    f"all: no GIL holds them back; {why}.",
                    {"pid": pid, "threads": len(ready), "cpu": cpu, "cores": cores, "running": round(run, 4),
                     "ran": round(got, 4), "lock_wait": round(lock, 4)},
                    f"{_threads(len(ready))}, no GIL, {cpu_text} cores: {why}")
    held = [t.gil_held for t in busy if t.gil_held is not None]
    if len(busy) >= 2 and len(held) == len(busy) and _mean(held) <= RELEASED:
        return Line("gil_released", f"{_threads(len(busy))} in pid {pid} busy on {cpu_text} cores while holding the "
                    f"GIL {percent(_mean(held))} of the time: C code that releases the GIL. Threads scale.",
                    {"pid": pid, "threads": len(busy), "cpu": cpu, "gil_held": round(_mean(held), 4)},
                    f"{_threads(len(busy))} in C without the GIL, {cpu_text} cores")
    locked = [t for t in threads if _state(t, "lock_wait") >= LOCK_WAIT and (t.cpu or 0) >= WORKS]
    if len(locked) >= 2:
        wait = _mean([_state(t, "lock_wait") for t in locked])
        return Line("lock_wait", f"{_threads(len(locked))} in pid {pid} wait on locks {percent(wait)} of the time "
                    f"between their work ({cpu_text} cores busy): lock contention, not the GIL.",
                    {"pid": pid, "threads": len(locked), "lock_wait": round(wait, 4), "cpu": cpu},
                    f"{_threads(len(locked))} wait on locks {percent(wait)}")
    io = [t for t in threads if _state(t, "io_wait") >= IO_WAIT]
    if len(io) >= 2 and not parent_of_workers:  # a pool's helper threads read its workers' pipes
        wait = _mean([_state(t, "io_wait") for t in io])
        return Line("io_wait", f"{_threads(len(io))} in pid {pid}, {cpu_text} cores busy: they wait on I/O "
                    f"{percent(wait)} of the time. Threads are the right tool here.",
                    {"pid": pid, "threads": len(io), "cpu": cpu, "io_wait": round(wait, 4)},
                    f"{_threads(len(io))} wait on I/O {percent(wait)}")
    if len(busy) == 1:
        return Line("one_core", f"1 thread in pid {pid} busy on {busy_cores(busy[0].cpu)} of a core, no other: this "
                    f"process uses one core of {cores}.", {"pid": pid, "cpu": cpu, "cores": cores},
                    f"1 busy thread, {busy_cores(busy[0].cpu)} of a core")
    if cpu < IDLE and process.ended is None:
        return Line("idle", f"pid {pid} used {cpu_text} cores: it mostly waits.", {"pid": pid, "cpu": cpu},
                    f"pid {pid} idle, {cpu_text} cores")
    return None


def verdict(model: WatchModel, window: bool) -> list[Line]:
    """The sentences for the whole watch (window False) or its last window."""
    if model.started is None:
        return []
    cores = model.started.cores
    processes = model.figures(window)
    lines: list[Line] = []
    workers = [p for p in processes if p.role == "worker" and (p.cpu or 0) >= BUSY]
    if len(workers) >= 2:
        cpu = sum(p.cpu or 0 for p in workers)
        main = next((p for p in processes if p.role == "main"), None)
        waits = main is not None and (main.cpu or 0) < IDLE * 2
        left = round(cores - cpu)
        tail = f"parallel, but {left} core{'s' if left != 1 else ''} not used by this program." if left >= 1 else \
            "parallel, on every core."
        lines.append(Line("processes", f"{len(workers)} worker processes busy on {busy_cores(cpu)} of {cores} cores"
                          f"{' while the parent waits' if waits else ''}: {tail}",
                          {"processes": len(workers), "cpu": round(cpu, 4), "cores": cores},
                          f"{len(workers)} worker processes on {busy_cores(cpu)} of {cores} cores"))
    for process in processes:
        if lines and lines[0].reason == "processes" and (
                process.role == "worker" or (process.role == "main" and (process.cpu or 0) < IDLE * 2)):
            continue  # said once for all of them; a parent that waits on them is part of that sentence
        parent = any(p.role == "worker" and p.ppid == process.pid for p in processes)
        line = _process_line(process, cores, parent)
        if line is not None:
            lines.append(line)
    return lines
