"""A target for bench/gil_meter.py: N threads of one kind for a few seconds, sampled from outside.

`python _gil_target.py KIND THREADS SECONDS` prints one JSON line (pid, native tids, the GIL's
futex range as the runner finds it) once every thread runs, then, when they end, another
with each thread's loop count (work done: what a sampler's cost slows down).
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import time

from conctui.runner.gil import futex_range

KIND, COUNT, SECONDS = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
DATA = bytes(4 << 20)


def work(loops: list[int], index: int, start: threading.Event) -> None:
    start.wait()
    end = time.monotonic() + SECONDS
    while time.monotonic() < end:
        if KIND == "sleep":
            time.sleep(0.01)
        elif KIND == "hashlib":
            hashlib.sha256(DATA).digest()
        else:
            total = 0
            for i in range(20_000):
                total += i
        loops[index] += 1


if __name__ == "__main__":
    futex = futex_range()  # as the runner does before any worker starts
    loops = [0] * COUNT
    start = threading.Event()
    threads = [threading.Thread(target=work, args=(loops, i, start)) for i in range(COUNT)]
    for thread in threads:
        thread.start()
    print(json.dumps({"pid": os.getpid(), "tids": [t.native_id for t in threads], "futex": futex}), flush=True)
    start.set()
    for thread in threads:
        thread.join()
    print(json.dumps({"loops": loops}), flush=True)
