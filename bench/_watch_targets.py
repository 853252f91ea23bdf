"""Programs for bench/watch_cost.py, written as users write them, with fixed work or a fixed shape.

    python _watch_targets.py threads N      4 threads of pure Python (a ThreadPoolExecutor), N units each
    python _watch_targets.py pool N         a Pool of 2, 8 tasks of N units
    python _watch_targets.py rounds KIND N  the work of `KIND N` (threads or pool) again and again, until
                                            killed: one line a round, its start and end (CLOCK_MONOTONIC,
                                            which the bench reads too) and its CPU seconds, the Pool's
                                            reaped workers' included
    python _watch_targets.py many K S       K threads waking every 10 ms for a little work, S seconds
    python _watch_targets.py procs P K S    P processes (spawn) of K such threads each, S seconds
    python _watch_targets.py mixed P K S    `many 256` beside `procs P K`
"""
import multiprocessing
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


def work(kind, units):
    """One round of fixed work: a ThreadPoolExecutor's 4 threads, or a fresh Pool of 2 (its start included)."""
    if kind == "threads":
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(crunch, [units] * 4))
    else:
        with multiprocessing.Pool(2) as pool:
            pool.map(crunch, [units] * 8)


def cpu_seconds():
    """This process's CPU seconds so far, its reaped children's (a Pool's workers) included."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def rounds(kind, units):
    while True:
        cpu0, began = cpu_seconds(), time.monotonic()
        work(kind, units)
        ended, cpu = time.monotonic(), cpu_seconds() - cpu0
        print(f"{began:.6f} {ended:.6f} {cpu:.6f}", flush=True)


if __name__ == "__main__":
    kind, args = sys.argv[1], sys.argv[2:]
    if kind in ("threads", "pool"):
        work(kind, int(args[0]))
    elif kind == "rounds":
        rounds(args[0], int(args[1]))
    elif kind == "many":
        many(int(args[0]), float(args[1]))
    elif kind in ("procs", "mixed"):
        children = procs(int(args[0]), int(args[1]), float(args[2]))
        if kind == "mixed":
            many(256, float(args[2]))
        for child in children:
            child.join()
