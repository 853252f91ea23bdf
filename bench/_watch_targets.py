"""Programs for bench/watch_cost.py, written as users write them, with fixed work or a fixed shape.

    python _watch_targets.py threads N      4 threads of pure Python, N units each; prints its wall
    python _watch_targets.py pool N         a Pool of 2, 8 tasks of N units; prints its wall
    python _watch_targets.py many K S       K threads waking every 10 ms for a little work, S seconds
    python _watch_targets.py procs P K S    P processes (spawn) of K such threads each, S seconds
    python _watch_targets.py mixed P K S    `many 256` beside `procs P K`

threads and pool wait SETTLE_S first (a watcher attaches meanwhile), then time only their work
and print its wall and its CPU seconds (the pool's reaped workers' included). Where WATCHER_PID_FILE
names a file holding the watcher's pid (bench/watch_cost.py writes it meanwhile), they also print
the CPU seconds the watcher used during their work, its own and its py-spy runs' (reaped or
running), read from /proc just before and after the timed part.
"""
import multiprocessing
import os
import resource
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor


def crunch(n):
    total = 0
    for i in range(n * 100_000):
        total += i * i % 7
    return total


def tick(seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        crunch(0)  # a call, no work: the thread wakes, takes the GIL, sleeps again
        sum(range(2000))
        time.sleep(0.01)


def many(threads, seconds):
    workers = [threading.Thread(target=tick, args=(seconds,), name=f"ticker_{i}") for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def procs(count, threads, seconds):
    context = multiprocessing.get_context("spawn")
    children = [context.Process(target=many, args=(threads, seconds)) for _ in range(count)]
    for child in children:
        child.start()
    return children


def _ticks(path):
    with open(path, "rb") as file:
        fields = file.read().rsplit(b")", 1)[1].split()
    return [int(field) / os.sysconf("SC_CLK_TCK") for field in fields[11:15]]  # utime stime cutime cstime


def watcher_cpu():
    """(own, children's) CPU seconds of the watcher named in WATCHER_PID_FILE so far, or None."""
    try:
        with open(os.environ["WATCHER_PID_FILE"]) as file:
            pid = int(file.read())
        utime, stime, cutime, cstime = _ticks(f"/proc/{pid}/stat")
    except (KeyError, OSError, ValueError):
        return None
    children = cutime + cstime  # reaped runs
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as file:
                for child in file.read().split():
                    children += sum(_ticks(f"/proc/{child}/stat")[:2])  # a run not reaped yet
        except OSError:
            continue
    return utime + stime, children


SETTLE_S = 2.0

if __name__ == "__main__":
    kind, args = sys.argv[1], [float(a) for a in sys.argv[2:]]
    if kind in ("threads", "pool"):
        time.sleep(SETTLE_S)
    watcher0 = watcher_cpu()
    began = time.perf_counter()
    start = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu0 = time.process_time() + start.ru_utime + start.ru_stime
    if kind == "threads":
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(crunch, [int(args[0])] * 4))
    elif kind == "pool":
        with multiprocessing.Pool(2) as pool:
            pool.map(crunch, [int(args[0])] * 8)
    elif kind == "many":
        many(int(args[0]), args[1])
    elif kind in ("procs", "mixed"):
        children = procs(int(args[0]), int(args[1]), args[2])
        if kind == "mixed":
            many(256, args[2])
        for child in children:
            child.join()
    wall = time.perf_counter() - began
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() + children.ru_utime + children.ru_stime
    watcher = watcher_cpu()
    said = f"wall {wall:.4f} cpu {cpu - cpu0:.4f}"
    if watcher0 is not None and watcher is not None:
        said += f" watcher_own {watcher[0] - watcher0[0]:.4f} watcher_children {watcher[1] - watcher0[1]:.4f}"
    print(said, flush=True)
