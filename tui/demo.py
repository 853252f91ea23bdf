"""A deterministic event stream of typical runs, for screenshots and snapshot tests.

It is made, not measured: the same on every machine, so pictures and snapshots never
drift. Its shapes follow what real runs show (see the README's measured figures): sleeping
threads use no core, pure-Python threads share one core's worth, processes fill them all.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from conctui.engine.events import (
    Cluster,
    Event,
    GilSample,
    Output,
    Progress,
    RunFinished,
    RunStarted,
    Sample,
    WorkerFinished,
    WorkerStarted,
)
from conctui.engine.spec import RunSpec, builtin_module, parse_params, parse_workload

if TYPE_CHECKING:
    from conctui.app import ConcApp
    from textual.pilot import Pilot

PYTHON = {
    "executable": "/usr/bin/python3.12", "version": "3.12.7", "implementation": "CPython",
    "free_threaded": False, "gil_enabled": True, "logical_cores": 4, "usable_cores": 4,
    "platform": "Linux-demo", "start_methods": ["spawn", "forkserver"], "hostname": "demo",
}
PID = 4100
STEP = 0.25  # seconds between samples, as the live sampler takes them


def _run(t0: float, run: int, mode: str, workload: str, params: dict, workers: int, wall: float,
         cpu_per_worker: float, core_load: list[float], printing: bool) -> list[Event]:
    """One run: starts, evenly paced progress, samples, ends; sequential runs one worker at a time."""
    events: list[Event] = [RunStarted(t0, run, mode, workload, params, workers, PYTHON, "spawn", PID)]
    sequential = mode == "sequential"
    span = wall / workers if sequential else wall
    for index in range(workers):
        begin = t0 + 0.05 + (index * span if sequential else 0.01 * index)
        pid = PID + 1 + index if mode == "processes" else PID
        tid = pid if mode == "processes" else PID + 10 + (0 if mode in ("asyncio", "sequential") else index)
        events.append(WorkerStarted(begin, index, pid, tid))
        if printing:
            events.append(Output(begin + 0.001, index, f"worker {index}: starting download"))
        for step in range(1, 11):
            events.append(Progress(begin + span * step / 10, index, step / 10))
        if printing:
            events.append(Output(begin + span - 0.001, index, f"worker {index}: download complete"))
        events.append(WorkerFinished(begin + span, index, "done", None, round(span, 3), cpu_per_worker))
    ticks = int(wall / STEP) + 1
    for tick in range(ticks):
        t = t0 + tick * STEP
        wobble = [((tick * 7 + core * 3) % 5) for core in range(len(core_load))]
        cores = [min(100.0, max(0.0, load + w)) for load, w in zip(core_load, wobble)]
        done = min(1.0, tick * STEP / wall)
        rows = [[i, round(cpu_per_worker * done, 2), i % len(core_load)] for i in range(workers)]
        events.append(Sample(t, cores, rows, 1.5))
    events.sort(key=lambda e: e.t)
    events.append(RunFinished(t0 + 0.05 + wall, "done", wall))
    return events


def download_threads() -> list[Event]:
    """The tutorial's demo: three sleeping threads, two seconds, no core busy."""
    return _run(0.2, 1, "threads", "download", {"seconds": 2.0, "steps": 20}, 3, 2.0, 0.0,
                [2.0, 1.0, 3.0, 1.0], printing=True)


def cpu_compare() -> list[Event]:
    """Pure-Python CPU on 4 cores: threads gain nothing, processes use every core."""
    params = {"n": 16_000_000, "steps": 50}
    events = _run(0.2, 1, "sequential", "cpu", params, 4, 8.0, 2.0, [100.0, 2.0, 3.0, 2.0], False)
    events += _run(8.6, 2, "threads", "cpu", params, 4, 8.2, 2.05, [30.0, 25.0, 27.0, 24.0], False)
    events += _run(17.2, 3, "processes", "cpu", params, 4, 2.3, 2.2, [97.0, 96.0, 98.0, 95.0], False)
    return events


def cpu_threads_live() -> list[Event]:
    """Two pure-Python threads half-way: one core's worth of CPU between them, the GIL meter high."""
    run = [e for e in _run(0.2, 1, "threads", "cpu", {"n": 16_000_000, "steps": 50}, 2, 4.0, 2.0,
                           [52.0, 48.0, 3.0, 2.0], False) if e.t <= 2.2]
    gil = [GilSample(0.5 + 0.25 * i, 0.93, 0.99, 7.6, 0.92, 0.99, 7.5, 5.0, 0.05) for i in range(7)]
    return sorted(run + gil, key=lambda e: e.t)


def dask_two_hosts() -> list[Event]:
    """Pure-Python CPU as Dask tasks on two hosts of two cores each: the cores pane per host."""
    hosts = {"node-a": [0, 1], "node-b": [2, 3]}
    events: list[Event] = [
        RunStarted(0.1, 1, "dask", "cpu", {"n": 16_000_000, "steps": 50}, 4, PYTHON, "spawn", PID),
        Cluster(0.6, "external", "tcp://10.213.0.1:8786", 4, 4, "http://10.213.0.1:8787/status", 0.11),
    ]
    for index in range(4):
        host = "node-a" if index < 2 else "node-b"
        events.append(WorkerStarted(0.7 + 0.01 * index, index, 5000 + index, 5000 + index, host))
        for step in range(1, 11):
            events.append(Progress(0.7 + 0.2 * step, index, step / 10))
    for tick in range(10):
        t = 0.75 + tick * STEP
        for host in hosts:
            events.append(Sample(t, [96.0 + (tick + i) % 4 for i in range(2)], [], None, host))
        events.append(Sample(t, [3.0, 2.0], [], 1.2, "laptop"))
    events.sort(key=lambda e: e.t)
    tasks = [[i, f"tcp://10.213.0.{2 + i // 2}:40{i}01", "node-a" if i < 2 else "node-b", 0.064, 0.055]
             for i in range(4)]
    events += [WorkerFinished(2.75, i, "done", None, 2.05, 2.0) for i in range(4)]
    events.append(Cluster(2.8, "external", "tcp://10.213.0.1:8786", 4, 4, "http://10.213.0.1:8787/status",
                          0.11, 0.01, tasks))
    events.append(RunFinished(2.85, "done", 2.1))
    return events


def demo_app(workload: str = "download", mode: str = "threads", workers: int = 3) -> ConcApp:
    """The live app's panes without a session: it shows only what it is fed."""
    from conctui.app import ConcApp

    ref = parse_workload(workload)
    module = builtin_module(workload)
    info = {"python": PYTHON, "workload": {"name": workload, "description": module.DESCRIPTION,
                                           "kind": module.KIND, "has_async": hasattr(module, "arun"),
                                           "accepts_report": True}}
    return ConcApp(RunSpec(ref, mode, workers, parse_params(ref, [])), info, live=False)


async def show(pilot: Pilot, events: list[Event]) -> None:
    """Feed a stream and draw one frame at its last moment, then let the screen settle."""
    pilot.app.feed(events)
    pilot.app.frame(now=events[-1].t)
    await pilot.pause()
