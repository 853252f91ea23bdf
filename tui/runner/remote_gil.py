"""Which threads of a process hold the GIL, sampled with Python 3.14+'s own `_remote_debugging`.

Written against the documented 3.14/3.15 API, not yet run here (no 3.14 on this machine):
`RemoteUnwinder(pid, all_threads=True, mode=...)`, whose `get_stack_trace()` returns, per
interpreter (3.15: InterpreterInfo with `.threads`) or directly (3.14), ThreadInfo records
with `thread_id` (native) and `status` flags (THREAD_STATUS_HAS_GIL). conctui's sampler
(engine/gil_sampler.py) runs this file under the runner's own Python, since the module reads
only processes of its own version, for one window and reads the counts it writes:

    python3.14 remote_gil.py PID[,PID...] RATE_HZ SECONDS OUTPUT.json
    -> {"counts": {"PID:TID": samples holding the GIL}, "samples": samples taken}

Standard library only, like the rest of the runner.
"""
from __future__ import annotations

import json
import sys
import time
from typing import Any

PROFILING_MODE_ALL = 3  # profiling.sampling's constant: both GIL and CPU status are read


def _threads(trace: Any) -> list[Any]:
    """The ThreadInfo records of one sample, whether grouped by interpreter (3.15) or not (3.14)."""
    threads = []
    for item in trace:
        inner = getattr(item, "threads", None)
        threads.extend(inner if inner is not None else [item])
    return threads


def _unwinder(pid: int) -> Any:
    import _remote_debugging

    try:
        return _remote_debugging.RemoteUnwinder(pid, all_threads=True, mode=PROFILING_MODE_ALL)
    except TypeError:  # 3.14.0 has no mode: its status is computed without asking
        return _remote_debugging.RemoteUnwinder(pid, all_threads=True)


def sample(pids: list[int], rate: float, seconds: float) -> dict[str, Any]:
    import _remote_debugging

    has_gil = getattr(_remote_debugging, "THREAD_STATUS_HAS_GIL", 1)
    unwinders = {pid: _unwinder(pid) for pid in pids}
    counts: dict[str, int] = {}
    samples = 0
    start = time.monotonic()
    while time.monotonic() - start < seconds and unwinders:
        for pid, unwinder in list(unwinders.items()):
            try:
                trace = unwinder.get_stack_trace()
            except (OSError, RuntimeError):  # the process ended
                del unwinders[pid]
                continue
            for thread in _threads(trace):
                if thread.status & has_gil:
                    key = "%d:%d" % (pid, thread.thread_id)
                    counts[key] = counts.get(key, 0) + 1
        samples += 1
        time.sleep(max(0.0, start + samples / rate - time.monotonic()))
    return {"counts": counts, "samples": samples}


def main(argv: list[str]) -> int:
    pids = [int(pid) for pid in argv[0].split(",")]
    rate, seconds, output = float(argv[1]), float(argv[2]), argv[3]
    print("sampling", flush=True)  # the sampler notes when sampling began
    try:
        result = sample(pids, rate, seconds)
    except PermissionError as exc:
        print("Permission denied: %s" % exc, file=sys.stderr)
        return 1
    with open(output, "w") as handle:
        json.dump(result, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
