"""The reference for bench/accuracy.py: the same work done the tutorial's way, without conctui.

    python bench/_plain.py WORKLOAD MODE WORKERS PARAMS_JSON

Calls the built-in workload's function with a no-op report, in plain threads, plain
`multiprocessing` processes (spawn), one asyncio.gather, or one after the other, and prints
the seconds from the first worker launched to the last one joined: the span conctui's
runner times around its mode. Shared set-up (the http workload's server) is outside it, as
in conctui.
"""
from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import multiprocessing
import sys
import threading
import time

from conctui.workloads import BUILTINS


def noop(fraction: float | None = None) -> None:
    """The tutorial's script reports nothing."""


def module(name: str):
    return importlib.import_module("conctui.workloads." + BUILTINS[name])


def work(name: str, index: int, params: dict) -> None:
    module(name).run(index, noop, **params)


async def all_tasks(name: str, workers: int, params: dict) -> None:
    arun = module(name).arun
    await asyncio.gather(*(arun(i, noop, **params) for i in range(workers)))


def timed(name: str, mode: str, workers: int, params: dict) -> float:
    start = time.monotonic()
    if mode == "sequential":
        for index in range(workers):
            work(name, index, params)
    elif mode == "threads":
        threads = [threading.Thread(target=work, args=(name, i, params)) for i in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    elif mode == "processes":
        context = multiprocessing.get_context("spawn")
        processes = [context.Process(target=work, args=(name, i, params)) for i in range(workers)]
        for process in processes:
            process.start()
        for process in processes:
            process.join()
    elif mode == "asyncio":
        asyncio.run(all_tasks(name, workers, params))
    else:
        raise SystemExit(f"unknown mode {mode}")
    return time.monotonic() - start


def main() -> None:
    name, mode, workers, params = sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4])
    shared = getattr(module(name), "context", None)
    with shared(params) if shared else contextlib.nullcontext({}) as extra:
        wall = timed(name, mode, workers, {**params, **extra})
    print(json.dumps({"wall_s": wall}))


if __name__ == "__main__":
    main()
