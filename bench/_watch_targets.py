"""Programs for bench/watch_cost.py, written as users write them, with fixed work or a fixed shape.

    python _watch_targets.py threads N      4 threads of pure Python, N units each; prints its wall
    python _watch_targets.py pool N         a Pool of 2, 8 tasks of N units; prints its wall
    python _watch_targets.py many K S       K threads waking every 10 ms for a little work, S seconds
    python _watch_targets.py procs P K S    P processes (spawn) of K such threads each, S seconds
    python _watch_targets.py mixed P K S    `many 256` beside `procs P K`

threads and pool wait SETTLE_S first (a watcher attaches meanwhile), then time only their work
and print its wall and its CPU seconds (the pool's reaped workers' included).
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


SETTLE_S = 2.0

if __name__ == "__main__":
    kind, args = sys.argv[1], [float(a) for a in sys.argv[2:]]
    if kind in ("threads", "pool"):
        time.sleep(SETTLE_S)
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
    print(f"wall {wall:.4f} cpu {cpu - cpu0:.4f}", flush=True)
