"""How long and how much memory a headless replay of a 1-hour recording takes.

Writes a synthetic but realistic recording with the real Recorder: back-to-back runs of 4
workers (sequential, threads, processes in turn), a sample at 4 Hz of 2 cores with every
worker's CPU, the GIL meter at 4 Hz, progress 10 times a second per worker, a few printed
lines. Then times `conctui replay FILE --json` and the in-memory load the TUI replay does,
each in a fresh interpreter, reporting wall seconds and peak RSS. Prints figures; asserts nothing.

    python bench/replay_hour.py [OUT.jsonl] [--hours 1]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

from conctui.engine.events import (
    GilSample,
    Output,
    Progress,
    RunFinished,
    RunStarted,
    Sample,
    WorkerFinished,
    WorkerStarted,
)
from conctui.engine.recording import Recorder
from conctui.runner.info import python_info

RUN_S, GAP_S, WORKERS, SAMPLE_HZ, PROGRESS_HZ = 60.0, 2.0, 4, 4, 10
MODES = ("sequential", "threads", "processes")


def _run(run: int, t0: float) -> list:
    """One run's events, in time order, as the session would have emitted them."""
    mode = MODES[run % len(MODES)]
    python = python_info()
    events: list = [RunStarted(t0, run, mode, "cpu", {"n": 100_000_000, "steps": 600}, WORKERS, python,
                               "spawn", 1000 + run)]
    events += [WorkerStarted(t0 + 0.05 + i * 0.01, i, 1000 + run, 2000 + i) for i in range(WORKERS)]
    events += [Output(t0 + 0.1, i, f"worker {i}: starting") for i in range(WORKERS)]
    ticks = int(RUN_S * PROGRESS_HZ)
    for tick in range(1, ticks + 1):
        t = t0 + 0.1 + tick / PROGRESS_HZ
        events += [Progress(t, i, tick / ticks) for i in range(WORKERS)]
        if tick % (PROGRESS_HZ // SAMPLE_HZ or 1) == 0:
            cpu = tick / PROGRESS_HZ / 2
            events.append(Sample(t, [97.5, 98.1], [[i, round(cpu, 3), i % 2] for i in range(WORKERS)], 1.2, "vm"))
            events.append(GilSample(t, 0.9, 1.0, 5.1, 0.9, 1.0, 5.0, 5.0, 0.07))
    end = t0 + 0.2 + RUN_S
    events += [WorkerFinished(end, i, "done", None, RUN_S, RUN_S / 2) for i in range(WORKERS)]
    events.append(RunFinished(end + 0.01, "done", RUN_S + 0.1))
    return events


def write(path: str, hours: float) -> tuple[int, int]:
    recorder = Recorder.open(path)
    lines, run, t = 1, 0, 0.25
    while t + RUN_S + GAP_S <= hours * 3600:
        run += 1
        events = _run(run, t)
        for start in range(0, len(events), 50):  # batches like the reader thread's
            recorder(events[start:start + 50])
        lines += len(events)
        t += RUN_S + GAP_S
    recorder.stop()
    return lines, run


MEASURE = """
import resource, sys, time
start = time.monotonic()
if sys.argv[2] == "json":
    import contextlib, io
    from conctui.cli import main
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(["replay", sys.argv[1], "--json"])
else:
    from conctui.engine.recording import read_recording
    code = len(read_recording(sys.argv[1]).events) and 0
print(code, round(time.monotonic() - start, 2), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def measure(path: str, how: str) -> str:
    done = subprocess.run([sys.executable, "-c", MEASURE, path, how], capture_output=True, text=True, check=True)
    code, seconds, peak = done.stdout.split()
    return f"exit {code}, {seconds} s, peak RSS {peak} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?")
    parser.add_argument("--hours", type=float, default=1.0)
    args = parser.parse_args()
    path = args.out or os.path.join(tempfile.mkdtemp(prefix="conctui-bench-"), "hour.jsonl")
    lines, runs = write(path, args.hours)
    print(f"{path}: {args.hours:g} h, {runs} runs of {WORKERS} workers, {lines} lines, "
          f"{os.path.getsize(path) / 1e6:.1f} MB")
    print(f"replay --json (streamed fold):        {measure(path, 'json')}")
    print(f"read_recording (what the TUI loads):  {measure(path, 'load')}")


if __name__ == "__main__":
    main()
