"""bench/scale.py's reference for process start cost: plain `multiprocessing` starting trivial
children, from a script that imports nothing else, since a spawn child re-runs its parent's
main module (a heavier script would make conctui's workers look cheap).

    python bench/_plain_starts.py START_METHOD WORKERS

Prints {"per_worker_s": ...}: seconds from the first Process.start() until the last child runs
its target, per worker.
"""
import multiprocessing
import sys
import time


def started(queue) -> None:
    queue.put(time.monotonic())  # CLOCK_MONOTONIC is one clock for every process on the machine


def start_cost(method: str, workers: int) -> float:
    context = multiprocessing.get_context(method)
    queue = context.SimpleQueue()
    processes = [context.Process(target=started, args=(queue,)) for _ in range(workers)]
    start = time.monotonic()
    for process in processes:
        process.start()
    last = max(queue.get() for _ in processes)
    for process in processes:
        process.join()
    return (last - start) / workers


if __name__ == "__main__":
    import json

    print(json.dumps({"per_worker_s": start_cost(sys.argv[1], int(sys.argv[2]))}))
