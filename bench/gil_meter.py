"""The GIL meter's figures and its cost, printed (not asserted): `python bench/gil_meter.py`.

1. Figures: GIL wait / held / mean wait per wake-up for sleeping, hashlib and pure-Python
   threads, at switch intervals of 5 ms (the default) and 1 ms, through the real CLI.
2. Cost on a CPU loop: the same pure-Python loop with the probe running and not, alternated,
   medians of wall and of the loop thread's own CPU time.
3. Cost at idle: the process's CPU per wall second with the probe running and nothing else.
4. Beside gilknocker (if installed: `pip install gilknocker`), in this process: its contention
   metric polls every 1 ms, ours every 5 ms, so the same wait per wake-up w reads w/(1+w)
   there and w/(5+w) here; the column w/(1+w) puts ours on gilknocker's scale.
5. Per-worker GIL shares (engine/gil_sampler.py) beside py-spy's own `record --gil` counts
   on the same runs: sleeping, hashlib and pure-Python threads, 2 and 4 of them, in a target
   process (bench/_gil_target.py) that both sample at once.
6. The per-worker sampler's cost: its own CPU (py-spy windows + /proc reads) as a share of a
   core while the target's threads sleep and while they compute, and the target's loop
   throughput with the sampler on and off, alternated, medians.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import threading
import time

from conctui.engine.events import GilWorkers, RunFinished, RunStarted, WorkerFinished, WorkerStarted
from conctui.engine.gil_sampler import RATE_HZ, GilSampler, parse_raw
from conctui.engine.pyspy_access import find_py_spy
from conctui.runner.gil import GilMeter

TARGET = [sys.executable, str(__import__("pathlib").Path(__file__).with_name("_gil_target.py"))]

WORKLOADS = {
    "sleeping (download)": ["download", "--param", "seconds=1.5"],
    "hashlib": ["hashlib", "--param", "rounds=60"],
    "pure Python (cpu)": ["cpu", "--param", "n=6000000"],
}
REPEATS = 7


class Discard:
    """Stands in for the runner's Outbox: the probe's events go nowhere."""

    def emit(self, type_: str, **fields: object) -> None:
        pass


def figures() -> None:
    print("GIL meter, 2 threads, probe period 5 ms (median of 3 runs each)")
    print(f"{'workload':<22} {'switch':>7} {'GIL wait':>9} {'GIL held':>9} {'wait/wake':>10}")
    for name, args in WORKLOADS.items():
        for interval in ("5", "1"):
            rows = []
            for _ in range(3):
                done = subprocess.run([sys.executable, "-m", "conctui", "run", *args, "--mode", "threads",
                                       "--workers", "2", "--switch-interval", interval, "--json"],
                                      capture_output=True, text=True, check=True)
                rows.append(json.loads(done.stdout)["runs"][0])
            wait, held, latency = (statistics.median(r[k] for r in rows)
                                   for k in ("gil_wait", "gil_held", "gil_latency_ms"))
            print(f"{name:<22} {interval + ' ms':>7} {wait:>9.1%} {held:>9.1%} {latency:>7.2f} ms")


def loop(n: int = 3_000_000) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.thread_time()
    total = 0
    for i in range(n):
        total += i * i % 7
    return time.perf_counter() - wall, time.thread_time() - cpu


def cpu_cost() -> None:
    walls: dict[bool, list[float]] = {False: [], True: []}
    cpus: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(REPEATS):
        for metered in (False, True):
            meter = GilMeter(Discard()).start("threads") if metered else None  # type: ignore[arg-type]
            wall, cpu = loop()
            if meter is not None:
                meter.stop()
            walls[metered].append(wall)
            cpus[metered].append(cpu)
    off, on = statistics.median(walls[False]), statistics.median(walls[True])
    cpu_off, cpu_on = statistics.median(cpus[False]), statistics.median(cpus[True])
    print(f"\nCPU loop, medians of {REPEATS} alternated runs: wall {off:.3f} s off, {on:.3f} s on "
          f"({on / off - 1:+.1%}); loop thread CPU {cpu_off:.3f} s off, {cpu_on:.3f} s on "
          f"({cpu_on / cpu_off - 1:+.1%})")


def _bare_sleeper(stop: threading.Event) -> None:
    while not stop.is_set():
        time.sleep(0.005)


def idle_cost(seconds: float = 3.0) -> None:
    """The probe's CPU while the workers wait; beside it, a bare 5 ms sleep loop's (the floor)."""
    shares = {}
    for kind in ("nothing", "bare 5 ms sleep loop", "GIL meter"):
        stop = threading.Event()
        meter = GilMeter(Discard()).start("threads") if kind == "GIL meter" else None  # type: ignore[arg-type]
        sleeper = threading.Thread(target=_bare_sleeper, args=(stop,)) if kind.startswith("bare") else None
        if sleeper is not None:
            sleeper.start()
        wall, cpu = time.perf_counter(), time.process_time()
        time.sleep(seconds)
        shares[kind] = (time.process_time() - cpu) / (time.perf_counter() - wall)
        stop.set()
        if sleeper is not None:
            sleeper.join()
        if meter is not None:
            meter.stop()
    print(f"idle, {seconds:.0f} s each, process CPU as a share of one core: "
          + ", ".join(f"{kind} {share:.2%}" for kind, share in shares.items()))


class Keep:
    """Stands in for the runner's Outbox, keeping the probe's last event."""

    def emit(self, type_: str, **fields: object) -> None:
        self.last = fields


def _in_threads(work: object, count: int) -> None:
    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _hashing() -> None:
    data = bytes(8 << 20)
    for _ in range(40):
        hashlib.sha256(data).digest()


def _computing() -> None:
    loop(5_000_000)


def against_gilknocker() -> None:
    try:
        from gilknocker import KnockKnock
    except ImportError:
        print("\ngilknocker is not installed (pip install gilknocker): no comparison")
        return
    print(f"\nbeside gilknocker (1 ms polling), in this process\n{'switch':>6} {'threads':<16} {'gilknocker':>10} "
          f"{'conctui':>8} {'wait/wake':>10} {'w/(1+w)':>8}")
    cases = {"sleeping x2": (lambda: time.sleep(1.0), 2), "hashlib x2": (_hashing, 2),
             "pure Python x1": (_computing, 1), "pure Python x2": (_computing, 2)}
    for interval in (5, 1):
        sys.setswitchinterval(interval / 1000)
        for name, (work, count) in cases.items():
            knocker = KnockKnock(polling_interval_micros=1000)
            knocker.start()
            _in_threads(work, count)
            knocker.stop()
            keep = Keep()
            meter = GilMeter(keep).start("threads")  # type: ignore[arg-type]
            _in_threads(work, count)
            meter.stop()
            wait_ms = keep.last["run_latency_ms"]
            print(f"{interval:>4} ms {name:<16} {knocker.contention_metric:>10.1%} {keep.last['run_probe_wait']:>8.1%} "
                  f"{wait_ms:>7.2f} ms {wait_ms / (1 + wait_ms):>8.1%}")
    sys.setswitchinterval(0.005)


class Sampled:
    """One target run under conctui's sampler (and, if asked, py-spy's own record beside it)."""

    def __init__(self, kind: str, threads: int, seconds: float, sampler: bool, reference: bool) -> None:
        self.target = subprocess.Popen([*TARGET, kind, str(threads), str(seconds)], stdout=subprocess.PIPE, text=True)
        started = json.loads(self.target.stdout.readline())
        self.tids, self.events = started["tids"], []
        t0 = time.monotonic()
        self.reference = None
        if reference:
            self.out = f"/tmp/conctui-bench-gil-{os.getpid()}.txt"
            self.reference = subprocess.Popen([find_py_spy(), "record", "--pid", str(started["pid"]), "--gil",
                                               "--idle", "--threads", "--rate", str(RATE_HZ), "--format", "raw",
                                               "--output", self.out], stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL)
        self.gil = GilSampler(self.events.extend, t0) if sampler else None
        cpu, children, wall = time.process_time(), _children_cpu(), time.monotonic()
        if self.gil:
            self.gil([RunStarted(0.0, 1, "threads", kind, {}, threads, {"version": platform.python_version()},
                                 "spawn", started["pid"])])
            self.gil([WorkerStarted(0.0, i, started["pid"], tid, "", started["futex"])
                      for i, tid in enumerate(self.tids)])
        self.loops = json.loads(self.target.stdout.readline())["loops"]
        self.wall = time.monotonic() - wall
        _, status, usage = os.wait4(self.target.pid, 0)  # reaped here: its own CPU is not the sampler's
        self.target.returncode = os.waitstatus_to_exitcode(status)
        target_cpu = usage.ru_utime + usage.ru_stime
        if self.gil:
            now = time.monotonic() - t0
            self.gil([WorkerFinished(now, i, "done") for i in range(threads)] + [RunFinished(now, "done", now)])
            self.gil.wait()
        # the sampler's own CPU: this process's threads (the /proc reads) and py-spy's windows
        self.cost = (time.process_time() - cpu + _children_cpu() - children - target_cpu) / self.wall
        if self.reference:
            self.reference.send_signal(signal.SIGINT)
            self.reference.wait()

    def conctui(self) -> list:
        final = [e for e in self.events if isinstance(e, GilWorkers)][-1]
        return final.rows

    def py_spy(self) -> list[float]:
        counts = parse_raw(open(self.out, "rb").read(), 0)
        os.unlink(self.out)
        held = {tid: n for (_, tid), n in counts.items()}
        return [held.get(tid, 0) / (self.wall * RATE_HZ) for tid in self.tids]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def side_by_side(seconds: float) -> None:
    """conctui's per-worker held / wait / off CPU beside py-spy's own record --gil, same runs."""
    print(f"\nper-worker GIL shares beside py-spy's own `record --gil` on the same runs ({seconds:g} s each)")
    print(f"{'threads':<16} {'#':>2} {'held':>6} {'py-spy':>7} {'wait':>6} {'off CPU':>8}")
    for kind, label in (("sleep", "sleeping"), ("hashlib", "hashlib"), ("cpu", "pure Python")):
        for count in (2, 4):
            run = Sampled(kind, count, seconds, sampler=True, reference=True)
            for (index, held, wait, off), spy in zip(run.conctui(), run.py_spy()):
                print(f"{label + ' x' + str(count):<16} {index:>2} {_pct(held):>6} {spy:>7.1%} {_pct(wait):>6} "
                      f"{_pct(off):>8}")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def sampler_cost(seconds: float, repeats: int) -> None:
    """The sampler's own CPU, idle and beside computing threads; the threads' work with it on and off."""
    print(f"\nthe per-worker sampler's cost, {repeats} alternated runs of {seconds:g} s each, medians")
    for kind, label in (("sleep", "2 sleeping threads"), ("cpu", "2 pure-Python threads")):
        costs, work = [], {True: [], False: []}
        for _ in range(repeats):
            for on in (True, False):
                run = Sampled(kind, 2, seconds, sampler=on, reference=False)
                work[on].append(sum(run.loops) / run.wall)
                if on:
                    costs.append(run.cost)
        on, off = statistics.median(work[True]), statistics.median(work[False])
        print(f"{label:<22} sampler CPU {statistics.median(costs):.1%} of a core; "
              f"threads' work {on:.0f}/s sampled, {off:.0f}/s not ({on / off - 1:+.1%})")


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    if "--sampler-only" not in sys.argv:
        figures()
        cpu_cost()
        idle_cost()
        against_gilknocker()
    if find_py_spy() is None:
        print('\npy-spy is not installed (pip install "conctui[gil]"): no per-worker figures')
    else:
        side_by_side(2.0 if quick else 3.0)
        sampler_cost(2.0 if quick else 3.0, 3 if quick else 5)
