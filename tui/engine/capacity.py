"""How many workers fit in this machine's memory, per mode: a run that cannot fit is refused
before it starts, with one line that says why and how many would fit.

A worker of the processes, interpreters and (local) Dask modes is a whole interpreter: it is
costed at the measured peak size of a runner that loaded the same workload under the same
Python (a spawned child imports about as much; a sub-interpreter shares the process, so this
is its upper bound, a Dask worker's lower one). A worker of the other modes is a thread of the
runner, costed at THREAD_BYTES. The budget is BUDGET_SHARE of the memory the OS says is
available now, or of $CONCTUI_AVAILABLE_MEMORY (`512M`, `2G`) to plan for a smaller machine.
"""
from __future__ import annotations

import os
from collections.abc import Callable

from conctui.engine.spec import RunSpec, UsageError
from conctui.engine.text import byte_size, percent

MEMORY_ENV = "CONCTUI_AVAILABLE_MEMORY"
BUDGET_SHARE = 0.8  # the rest is left to the system, conctui itself and the runner
THREAD_BYTES = 512 * 1024  # a thread's touched stack and interpreter state, generously
LARGEST_GUESS = 256 * 1024 * 1024  # below workers x this, a run fits without measuring a child
UNITS = {"": 1, "K": 1024, "M": 1024 ** 2, "G": 1024 ** 3, "T": 1024 ** 4}
THREAD_MODES = frozenset({"sequential", "threads", "asyncio"})

Footprint = Callable[[RunSpec], "int | None"]  # a child's measured bytes for this spec's Python and workload


def _parse_bytes(text: str) -> int:
    number, unit = text.strip().upper().rstrip("B"), ""
    if number[-1:] in UNITS:
        number, unit = number[:-1], number[-1]
    try:
        value = float(number) * UNITS[unit]
    except ValueError:
        value = -1.0
    if not value > 0:
        raise UsageError(f"${MEMORY_ENV} wants a size such as 512M or 2G, got {text!r}")
    return int(value)


def available_memory() -> tuple[int, str]:
    """Bytes the workers may use, before BUDGET_SHARE, and where that figure came from."""
    text = os.environ.get(MEMORY_ENV)
    if text:
        return _parse_bytes(text), f"${MEMORY_ENV}"
    import psutil  # when first needed: `conctui --help` and the runner need none

    return psutil.virtual_memory().available, "available memory"


def refusal(spec: RunSpec, footprint: Footprint) -> str | None:
    """Why `spec` cannot run in this machine's memory, with what fits; None when it fits."""
    if spec.mode == "dask" and spec.scheduler:
        return None  # an existing cluster's workers live on its own machines
    available, source = available_memory()
    budget = int(available * BUDGET_SHARE)
    if spec.mode in THREAD_MODES:
        each, how = THREAD_BYTES, "a thread's stack and state"
    elif spec.worker_count * LARGEST_GUESS <= budget:
        return None  # even children of an unusually large 256 MB each fit: no child need be measured
    else:
        measured = footprint(spec)
        each = measured or LARGEST_GUESS
        how = (f"measured: a runner that loaded {spec.workload.name} under {spec.python}" if measured
               else "assumed: this OS does not report a process's peak size")
    if spec.worker_count * each <= budget:
        return None
    fit = budget // each
    advice = f"--workers {fit} or fewer fit" if fit else "not one fits"
    count = spec.worker_count
    return (f"{spec.mode}: {count} workers need about {byte_size(count * each)} ({byte_size(each)} each, {how}), "
            f"more than {percent(BUDGET_SHARE)} of the {byte_size(available)} of {source}: {advice}")


def check(spec: RunSpec, footprint: Footprint) -> None:
    """Raise UsageError (one line, exit 2) when `spec` cannot fit in memory."""
    reason = refusal(spec, footprint)
    if reason:
        raise UsageError(reason)
