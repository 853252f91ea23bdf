"""bench/scale.py's reference for process start cost: plain `multiprocessing` starting trivial
children, from a script that imports nothing else, since a spawn child re-runs its parent's
main module (a heavier script would make conctui's workers look cheap).

    python bench/_plain_starts.py START_METHOD WORKERS [N]

Prints {"per_worker_s": ...}: seconds from the first Process.start() until the last child runs
its target, per worker. Each child then computes what conctui's `cpu` workload computes with
n=N (default 0), so the children that started first take the cores from those still starting,
as conctui's workers do in scale's live runs.
"""
import multiprocessing
import sys
import time


def started(queue, n: int) -> None:
    queue.put(time.monotonic())  # CLOCK_MONOTONIC is one clock for every process on the machine
    total = 0
    for i in range(n):  # workloads/cpu.py's loop
        total += i * i % 7


def start_cost(method: str, workers: int, n: int) -> float:
    context = multiprocessing.get_context(method)
    queue = context.SimpleQueue()
    processes = [context.Process(target=started, args=(queue, n)) for _ in range(workers)]
    start = time.monotonic()
    for process in processes:
        process.start()
    last = max(queue.get() for _ in processes)
    for process in processes:
        process.join()
    return (last - start) / workers


if __name__ == "__main__":
    import json

    n = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    print(json.dumps({"per_worker_s": start_cost(sys.argv[1], int(sys.argv[2]), n)}))
